//! Range reads (issue 6): `modelpulse facts --data http://…` against a local HTTP server that
//! supports `Range` and counts the bytes it serves, and one that does not; and the core's ranged
//! load on every fixture writer.
//!
//! The big test: 90 days of demo data (≈ 200k LLM events) with the LLM file rewritten in row
//! groups of 8,192 rows (≈ 3.7 days each, 25 groups). A 3-day filter needs the LLM events of 9
//! days (the rolling window's 6 earlier days): 10 % of the days, plus at most one partly used row
//! group at each end (2 × 8,192 / 200k ≈ 8 %), of 7 of the 8 LLM columns; plus the support file's
//! 3 needed columns of its 5 (its rows carry no date the facts use) and the footers. The bound
//! asserted is 25 % of the two files' bytes.

use modelpulse::contract::Table;
use modelpulse::load::ranges::{COALESCE_GAP, Footer, FooterRead, Window};
use modelpulse::{Dataset, Query};
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

const BIN: &str = env!("CARGO_BIN_EXE_modelpulse");

/// A static file server on 127.0.0.1 (random port) that counts the body bytes it serves.
struct Server {
    base: String,
    served: Arc<AtomicU64>,
    requests: Arc<AtomicU64>,
}

impl Server {
    /// Serves the files of `dir`; honours `Range` (single ranges: `a-b`, `a-`, `-n`) when
    /// `ranges`, else always answers 200 with the whole file.
    fn start(dir: &Path, ranges: bool) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}/", listener.local_addr().unwrap());
        let served = Arc::new(AtomicU64::new(0));
        let requests = Arc::new(AtomicU64::new(0));
        let (dir, s, r) = (dir.to_path_buf(), served.clone(), requests.clone());
        std::thread::spawn(move || {
            for conn in listener.incoming().flatten() {
                let (dir, s, r) = (dir.clone(), s.clone(), r.clone());
                std::thread::spawn(move || {
                    let _ = handle(conn, &dir, ranges, &s, &r);
                });
            }
        });
        Server { base, served, requests }
    }

    fn served(&self) -> u64 {
        self.served.load(Ordering::SeqCst)
    }

    fn requests(&self) -> u64 {
        self.requests.load(Ordering::SeqCst)
    }
}

/// One or more requests on one connection (keep-alive).
fn handle(conn: TcpStream, dir: &Path, ranges: bool, served: &AtomicU64, requests: &AtomicU64) -> std::io::Result<()> {
    let mut reader = BufReader::new(conn.try_clone()?);
    let mut out = conn;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 {
            return Ok(());
        }
        let path = line.split_whitespace().nth(1).unwrap_or("/").to_string();
        let mut range = None;
        loop {
            let mut h = String::new();
            reader.read_line(&mut h)?;
            let h = h.trim_end();
            if h.is_empty() {
                break;
            }
            if let Some((k, v)) = h.split_once(':')
                && k.eq_ignore_ascii_case("range")
            {
                range = Some(v.trim().to_string());
            }
        }
        requests.fetch_add(1, Ordering::SeqCst);
        let file = dir.join(path.trim_start_matches('/'));
        let Ok(bytes) = std::fs::read(&file) else {
            out.write_all(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")?;
            continue;
        };
        let len = bytes.len() as u64;
        let spec = range.filter(|_| ranges).and_then(|r| r.strip_prefix("bytes=").map(str::to_string));
        let Some(spec) = spec else {
            write!(out, "HTTP/1.1 200 OK\r\nContent-Length: {len}\r\n\r\n")?;
            out.write_all(&bytes)?;
            served.fetch_add(len, Ordering::SeqCst);
            continue;
        };
        let (a, b) = spec.split_once('-').unwrap_or(("", ""));
        let (start, end) = match (a.parse::<u64>().ok(), b.parse::<u64>().ok()) {
            (None, Some(n)) => (len.saturating_sub(n), len.saturating_sub(1)),
            (Some(a), None) => (a, len.saturating_sub(1)),
            (Some(a), Some(b)) => (a, b.min(len.saturating_sub(1))),
            (None, None) => (1, 0),
        };
        if len == 0 || start > end || start >= len {
            write!(out, "HTTP/1.1 416 Range Not Satisfiable\r\nContent-Range: bytes */{len}\r\nContent-Length: 0\r\n\r\n")?;
            continue;
        }
        let body = &bytes[start as usize..=end as usize];
        write!(
            out,
            "HTTP/1.1 206 Partial Content\r\nContent-Range: bytes {start}-{end}/{len}\r\nContent-Length: {}\r\n\r\n",
            body.len()
        )?;
        out.write_all(body)?;
        served.fetch_add(body.len() as u64, Ordering::SeqCst);
    }
}

fn temp_dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("modelpulse-ranges-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// `modelpulse facts ARGS…` → (exit code, stdout, stderr).
fn facts(args: &[&str]) -> (i32, String, String) {
    let o = Command::new(BIN).arg("facts").args(args).output().unwrap();
    (o.status.code().unwrap_or(-1), String::from_utf8(o.stdout).unwrap(), String::from_utf8(o.stderr).unwrap())
}

/// Rewrites a Parquet file with row groups of `rows` rows (same columns, ZSTD, page statistics).
fn regroup(path: &Path, rows: usize) {
    use parquet::arrow::ArrowWriter;
    use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
    use parquet::basic::{Compression, ZstdLevel};
    use parquet::file::properties::{EnabledStatistics, WriterProperties};
    let input = bytes::Bytes::from(std::fs::read(path).unwrap());
    let reader = ParquetRecordBatchReaderBuilder::try_new(input).unwrap().with_batch_size(rows).build().unwrap();
    let props = WriterProperties::builder()
        .set_compression(Compression::ZSTD(ZstdLevel::try_new(3).unwrap()))
        .set_max_row_group_row_count(Some(rows))
        .set_statistics_enabled(EnabledStatistics::Page)
        .build();
    let mut out = Vec::new();
    let schema = arrow_array::RecordBatchReader::schema(&reader);
    let mut w = ArrowWriter::try_new(&mut out, schema, Some(props)).unwrap();
    for b in reader {
        w.write(&b.unwrap()).unwrap();
    }
    w.close().unwrap();
    std::fs::write(path, out).unwrap();
}

/// 90 days of demo data ending 2026-11-27, the LLM file in row groups of 8,192 rows.
fn demo(name: &str) -> PathBuf {
    let dir = temp_dir(name);
    let o = Command::new(BIN)
        .args(["generate", "--out", dir.to_str().unwrap(), "--days", "90", "--end", "2026-11-27"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    regroup(&dir.join("raw_llm_events.parquet"), 8192);
    dir
}

fn size(p: &Path) -> u64 {
    std::fs::metadata(p).unwrap().len()
}

/// The CSV lines of `csv` (header kept) whose first field (event_date) is within from..=to.
fn rows_between(csv: &str, from: &str, to: &str) -> String {
    let mut out = String::new();
    for (i, line) in csv.lines().enumerate() {
        let date = line.split(',').next().unwrap_or("");
        if i == 0 || (from <= date && date <= to) {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

#[test]
fn a_narrow_date_filter_fetches_a_small_fraction_and_the_facts_are_exact() {
    let dir = demo("narrow");
    let d = dir.to_str().unwrap();
    let (from, to) = ("2026-10-01", "2026-10-03");

    // Reference: the whole local files, every row; then the range's rows.
    let (code, all, err) = facts(&["--data", d]);
    assert_eq!(code, 0, "{err}");
    let (code, local, err) = facts(&["--data", d, "--from", from, "--to", to]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(local, rows_between(&all, from, to), "--from/--to keep exactly the rows in the range");
    assert_eq!(local.lines().count(), 1 + 3 * 4, "3 days × 4 providers");

    let server = Server::start(&dir, true);
    let (code, ranged, err) = facts(&["--data", &server.base, "--from", from, "--to", to, "--report"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(ranged, local, "facts by range reads equal the whole files' facts");

    let total = size(&dir.join("raw_llm_events.parquet")) + size(&dir.join("raw_support_events.parquet"));
    let served = server.served();
    eprintln!(
        "range reads: {served} of {total} bytes ({:.1} %) in {} requests\n{err}",
        100.0 * served as f64 / total as f64,
        server.requests()
    );
    assert!(served * 4 < total, "served {served} of {total} bytes: not under 25 %");
    // The report states what the server counted.
    let reported: u64 = err
        .lines()
        .filter(|l| l.contains(" bytes in "))
        .map(|l| l.split("fetched ").nth(1).unwrap().split(' ').next().unwrap().parse::<u64>().unwrap())
        .sum();
    assert_eq!(reported, served, "{err}");
    assert!(err.contains("range reads, "), "{err}");

    // conversion_facts by ranges: exact too, and only part of the file.
    let (code, conv_local, err) = facts(&["--data", d, "--table", "conversion_facts", "--from", from, "--to", to]);
    assert_eq!(code, 0, "{err}");
    let before = server.served();
    let (code, conv_ranged, err) = facts(&["--data", &server.base, "--table", "conversion_facts", "--from", from, "--to", to]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(conv_ranged, conv_local);
    assert_eq!(conv_local.lines().count(), 4);
    assert!(server.served() - before <= size(&dir.join("raw_conversion_events.parquet")));

    // No date filter: every row group, still exact.
    let (code, everything, err) = facts(&["--data", &server.base]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(everything, all);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_server_without_ranges_gets_full_gets_and_the_same_facts() {
    let dir = demo("full");
    let d = dir.to_str().unwrap();
    let (from, to) = ("2026-11-01", "2026-11-10");
    let (code, local, err) = facts(&["--data", d, "--from", from, "--to", to]);
    assert_eq!(code, 0, "{err}");
    let server = Server::start(&dir, false);
    let (code, got, err) = facts(&["--data", &server.base, "--from", from, "--to", to, "--report"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(got, local);
    let total = size(&dir.join("raw_llm_events.parquet")) + size(&dir.join("raw_support_events.parquet"));
    assert_eq!(server.served(), total, "one full GET per file");
    assert_eq!(server.requests(), 2);
    assert!(err.contains("full GET"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_truncated_or_garbled_footer_is_a_clear_error_naming_the_file() {
    let dir = temp_dir("bad");
    let good = std::fs::read("../shared/fixtures/pyarrow-zstd-101/raw_llm_events.parquet").unwrap();
    std::fs::copy("../shared/fixtures/pyarrow-zstd-101/raw_support_events.parquet", dir.join("raw_support_events.parquet"))
        .unwrap();
    let server = Server::start(&dir, true);
    let url = format!("{}raw_llm_events.parquet", server.base);

    std::fs::write(dir.join("raw_llm_events.parquet"), &good[..good.len() - 100]).unwrap();
    let (code, out, err) = facts(&["--data", &server.base, "--from", "2026-02-20", "--to", "2026-02-21"]);
    assert_eq!(code, 2);
    assert!(out.is_empty());
    assert_eq!(err.trim(), format!("modelpulse: error: {url}: not a Parquet file (no PAR1 magic at the end: the file is truncated)"));

    let mut garbled = good.clone();
    let n = garbled.len();
    for b in &mut garbled[n - 300..n - 8] {
        *b = 0xee;
    }
    std::fs::write(dir.join("raw_llm_events.parquet"), &garbled).unwrap();
    let (code, _, err) = facts(&["--data", &server.base]);
    assert_eq!(code, 2);
    assert!(err.starts_with(&format!("modelpulse: error: {url}: not a Parquet file (unreadable footer")), "{err}");
    assert!(!err.contains("panicked"), "{err}");

    // A missing file: the HTTP status, naming the URL.
    std::fs::remove_file(dir.join("raw_llm_events.parquet")).unwrap();
    let (code, _, err) = facts(&["--data", &server.base]);
    assert_eq!(code, 2);
    assert_eq!(err.trim(), format!("modelpulse: error: {url}: HTTP 404"));
    let _ = std::fs::remove_dir_all(&dir);
}

/// Loads `table` of `path` by the range plan for `q` (in memory, no HTTP) into `ds`; returns
/// (row groups read, row groups in the file).
fn load_ranged(ds: &mut Dataset, table: Table, path: &Path, q: &Query, footer_guess: u64) -> (usize, usize) {
    let b = bytes::Bytes::from(std::fs::read(path).unwrap());
    let len = b.len() as u64;
    let tail = |n: u64| b.slice((len - n.min(len)) as usize..);
    let name = path.display().to_string();
    let footer = match Footer::parse(&name, len, tail(footer_guess)).unwrap() {
        FooterRead::Done(f) => f,
        FooterRead::NeedTail(n) => match Footer::parse(&name, len, tail(n)).unwrap() {
            FooterRead::Done(f) => f,
            FooterRead::NeedTail(_) => panic!("footer"),
        },
    };
    let plan = footer.plan(table, Window::for_query(table, q.from, q.to), COALESCE_GAP).unwrap();
    let pieces = plan.ranges.iter().map(|r| (r.start, b.slice(r.start as usize..r.end as usize))).collect();
    ds.load_source(table, &name, footer.source(&plan, pieces).unwrap()).unwrap();
    (plan.row_groups.len(), footer.row_groups())
}

/// Every fixture writer (INT96, naive and zoned timestamps, tiny row groups, unsorted rows),
/// several windows: the ranged load's facts in the window equal the whole load's.
#[test]
fn ranged_loads_of_every_fixture_give_the_whole_files_facts_in_the_window() {
    let mut skipped_groups = 0;
    for entry in std::fs::read_dir("../shared/fixtures").unwrap() {
        let dir = entry.unwrap().path();
        if !dir.join("expected").is_dir() {
            continue;
        }
        let mut full = Dataset::new();
        for t in Table::ALL {
            full.load(t, t.file_name(), bytes::Bytes::from(std::fs::read(dir.join(t.file_name())).unwrap())).unwrap();
        }
        let (first, last) = full.date_range().unwrap();
        let span = (last - first).num_days();
        for (a, b) in [(0, 0), (span / 3, span / 3 + 2), (span / 2, span), (span - 1, span), (0, span)] {
            let q = Query {
                providers: None,
                from: Some(first + chrono::Days::new(a as u64)),
                to: Some(first + chrono::Days::new(b as u64)),
            };
            for guess in [8, 64 * 1024] {
                let mut ds = Dataset::new();
                for t in Table::ALL {
                    let (read, of) = load_ranged(&mut ds, t, &dir.join(t.file_name()), &q, guess);
                    skipped_groups += of - read;
                }
                let what = format!("{} {:?}..{:?}", dir.display(), q.from, q.to);
                assert_eq!(ds.dashboard_facts(&q), full.dashboard_facts(&q), "{what}");
                assert_eq!(ds.daily_totals(&q), full.daily_totals(&q), "{what}");
                assert_eq!(ds.conversion_facts(&q), full.conversion_facts(&q), "{what}");
                assert!(!ds.dashboard_facts(&q).is_empty(), "{what}");
            }
        }
    }
    // The fixtures with many row groups do let some be skipped.
    assert!(skipped_groups > 0);
}
