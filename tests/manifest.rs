//! The manifest from the CLI's side: `generate --partition daily` gives the same facts as the
//! single files; `generate --follow` appends parts without gaps or double counting and leaves a
//! consistent folder (every listed part exists and matches, nothing unlisted, no temp files);
//! a restart reuses identical parts; `manifest DIR` agrees with what `generate` listed.

use arrow_array::cast::AsArray;
use arrow_array::types::TimestampMicrosecondType;
use arrow_array::RecordBatch;
use bytes::Bytes;
use chrono::NaiveDate;
use modelpulse::contract::Table;
use modelpulse::generate::LiveDay;
use modelpulse::manifest::{Manifest, sha256_hex};
use modelpulse::{Dataset, Query, facts};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_modelpulse");

fn temp(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("modelpulse-test-manifest-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn run(args: &[&str]) -> String {
    let out = Command::new(BIN).args(args).output().unwrap();
    assert!(out.status.success(), "modelpulse {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

fn run_err(args: &[&str]) -> String {
    let out = Command::new(BIN).args(args).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "modelpulse {args:?} should fail");
    String::from_utf8(out.stderr).unwrap()
}

fn manifest(dir: &Path) -> Manifest {
    Manifest::parse(&std::fs::read_to_string(dir.join("manifest.json")).unwrap()).unwrap()
}

/// Every file under `dir` (relative, `/`-separated), manifest included.
fn files(dir: &Path) -> BTreeSet<String> {
    fn walk(d: &Path, rel: &str, out: &mut BTreeSet<String>) {
        for e in std::fs::read_dir(d).unwrap() {
            let e = e.unwrap();
            let name = e.file_name().into_string().unwrap();
            let r = if rel.is_empty() { name.clone() } else { format!("{rel}/{name}") };
            if e.file_type().unwrap().is_dir() { walk(&e.path(), &r, out) } else { out.insert(r); }
        }
    }
    let mut out = BTreeSet::new();
    walk(dir, "", &mut out);
    out
}

/// The folder is exactly the manifest and its parts, each matching its entry.
fn assert_consistent(dir: &Path) -> Manifest {
    let m = manifest(dir);
    let mut want: BTreeSet<String> = ["manifest.json".to_string()].into();
    for t in Table::ALL {
        for p in m.parts(t) {
            let bytes = std::fs::read(dir.join(&p.path)).unwrap_or_else(|e| panic!("{}: {e}", p.path));
            assert_eq!((bytes.len() as u64, sha256_hex(&bytes)), (p.bytes, p.sha256.clone()), "{}", p.path);
            want.insert(p.path.clone());
        }
    }
    assert!(m.duplicates().is_empty());
    assert_eq!(files(dir), want, "unlisted or temporary files left in {}", dir.display());
    m
}

/// Facts from the library over the manifest's parts (loaded with `load_parts`).
fn facts_of(dir: &Path, m: &Manifest) -> (String, String) {
    let mut ds = Dataset::new();
    for t in Table::ALL {
        let parts: Vec<(String, Bytes)> =
            m.parts(t).iter().map(|p| (p.path.clone(), Bytes::from(std::fs::read(dir.join(&p.path)).unwrap()))).collect();
        let refs: Vec<(&str, Bytes)> = parts.iter().map(|(n, b)| (n.as_str(), b.clone())).collect();
        let r = ds.load_parts(t, &refs).unwrap();
        assert_eq!(r.rows_read, m.rows(t), "{}", t.name());
    }
    let q = Query::default();
    (facts::dashboard_csv(&ds.dashboard_facts(&q)), facts::conversion_csv(&ds.conversion_facts(&q)))
}

fn read(bytes: &[u8]) -> RecordBatch {
    let r = ParquetRecordBatchReaderBuilder::try_new(Bytes::copy_from_slice(bytes)).unwrap().build().unwrap();
    let b: Vec<RecordBatch> = r.map(Result::unwrap).collect();
    arrow_select::concat::concat_batches(&b[0].schema(), &b).unwrap()
}

/// (created_at µs, first column as text) of every row of `table` in `parts` bytes.
fn rows(batches: &[RecordBatch]) -> Vec<(i64, String)> {
    let mut out = Vec::new();
    for b in batches {
        let ts = b.column_by_name("created_at").unwrap().as_primitive::<TimestampMicrosecondType>();
        let first = arrow_cast::cast(b.column(0), &arrow_schema::DataType::Utf8).unwrap();
        let first = first.as_string::<i32>();
        for i in 0..b.num_rows() {
            out.push((ts.value(i), first.value(i).to_string()));
        }
    }
    out.sort();
    out
}

#[test]
fn daily_parts_give_the_single_files_facts_through_the_cli() {
    let dir = temp("daily");
    let (single, parts) = (dir.join("single"), dir.join("parts"));
    let common = ["--days", "16", "--events-per-day", "180", "--seed", "11", "--end", "2026-11-27"];
    run(&[&["generate", "--out", single.to_str().unwrap()][..], &common].concat());
    let out = run(&[&["generate", "--out", parts.to_str().unwrap(), "--partition", "daily"][..], &common].concat());
    assert!(out.contains("period: 2026-11-12 .. 2026-11-27"), "{out}");
    let m = assert_consistent(&parts);
    assert_eq!(m.parts(Table::LlmEvents).len(), 16);
    assert_eq!(m.parts(Table::LlmEvents)[0].path, "raw_llm_events/dt=2026-11-12/part-0.parquet");
    for t in Table::ALL {
        for p in m.parts(t) {
            let dt = p.path.split("/dt=").nth(1).unwrap().split('/').next().unwrap();
            assert_eq!((p.min_date.unwrap().to_string(), p.max_date.unwrap().to_string()), (dt.into(), dt.into()));
        }
    }
    for table in ["dashboard_facts", "conversion_facts"] {
        let a = run(&["facts", "--data", single.to_str().unwrap(), "--table", table]);
        let b = run(&["facts", "--data", parts.to_str().unwrap(), "--table", table]);
        let c = run(&["facts", "--manifest", parts.join("manifest.json").to_str().unwrap(), "--table", table]);
        assert!(a.lines().count() > 16, "{table}: {a}");
        assert_eq!(a, b, "{table}");
        assert_eq!(a, c, "{table}");
    }
    assert_eq!(facts_of(&parts, &m).0, run(&["facts", "--data", single.to_str().unwrap()]));

    // `modelpulse manifest` over the folder lists the same parts.
    let listed = m.clone();
    run(&["manifest", parts.to_str().unwrap()]);
    let rescanned = manifest(&parts);
    for t in Table::ALL {
        assert_eq!(rescanned.parts(t), listed.parts(t));
    }

    // Re-running with the same options rewrites nothing; fewer days remove the unlisted parts.
    let first = parts.join("raw_llm_events/dt=2026-11-20/part-0.parquet");
    let before = std::fs::metadata(&first).unwrap().modified().unwrap();
    std::thread::sleep(std::time::Duration::from_millis(20));
    run(&[&["generate", "--out", parts.to_str().unwrap(), "--partition", "daily"][..], &common].concat());
    assert_eq!(std::fs::metadata(&first).unwrap().modified().unwrap(), before, "identical part rewritten");
    let out = run(&["generate", "--out", parts.to_str().unwrap(), "--partition", "daily", "--days", "4", "--events-per-day", "180", "--seed", "11", "--end", "2026-11-27"]);
    assert!(out.contains("removed"), "{out}");
    let m = assert_consistent(&parts);
    assert_eq!(m.parts(Table::LlmEvents).len(), 4);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn manifest_command_refuses_what_it_cannot_list() {
    let dir = temp("refuse");
    let e = run_err(&["manifest", dir.to_str().unwrap()]);
    assert!(e.contains("no Parquet parts found"), "{e}");
    run(&["generate", "--out", dir.to_str().unwrap(), "--days", "3", "--events-per-day", "30", "--end", "2026-11-27"]);
    run(&["generate", "--out", dir.to_str().unwrap(), "--days", "3", "--events-per-day", "30", "--end", "2026-11-27", "--partition", "daily"]);
    let e = run_err(&["manifest", dir.to_str().unwrap()]);
    assert!(e.contains("both raw_llm_events.parquet and parts under raw_llm_events/"), "{e}");
    std::fs::remove_file(dir.join("raw_llm_events.parquet")).unwrap();
    std::fs::remove_file(dir.join("raw_support_events.parquet")).unwrap();
    std::fs::remove_file(dir.join("raw_conversion_events.parquet")).unwrap();
    std::fs::write(dir.join("raw_support_events/dt=2026-11-26/part-7.parquet"), b"not parquet").unwrap();
    let e = run_err(&["manifest", dir.to_str().unwrap()]);
    assert!(e.contains("raw_support_events/dt=2026-11-26/part-7.parquet: not a Parquet file"), "{e}");
    assert_eq!(e.lines().count(), 1, "{e}");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Today's rows of `table` in the folder are exactly a prefix (by time) of the live day's rows:
/// no row missing in between, none twice.
fn assert_live_prefix(dir: &Path, m: &Manifest, live: &LiveDay, table: Table) -> usize {
    let today = live.date;
    let parts: Vec<RecordBatch> = m
        .parts(table)
        .iter()
        .filter(|p| p.min_date == Some(today))
        .map(|p| read(&std::fs::read(dir.join(&p.path)).unwrap()))
        .collect();
    let got = rows(&parts);
    let Some(&(last, _)) = got.last() else { return 0 };
    let start = today.and_hms_opt(0, 0, 0).unwrap().and_utc().timestamp_micros();
    let want: Vec<RecordBatch> = live
        .window(start, last + 1)
        .unwrap()
        .into_iter()
        .filter(|p| p.table == table && p.date == today)
        .map(|p| read(&p.bytes))
        .collect();
    assert_eq!(got, rows(&want), "{}: today's rows are not the live day's first rows", table.name());
    got.len()
}

#[test]
fn follow_appends_parts_without_gaps_or_double_counting_and_restarts_cleanly() {
    let dir = temp("follow");
    let d = dir.to_str().unwrap();
    let args = ["generate", "--out", d, "--days", "4", "--events-per-day", "60", "--seed", "3", "--follow", "--every", "400ms", "--live-events-per-day", "300000"];
    let today = chrono::Utc::now().date_naive();
    let out = run(&[&args[..], &["--iterations", "4"]].concat());
    assert_eq!(out.lines().count(), 4, "{out}");
    assert!(out.lines().skip(1).all(|l| l.contains("appended") || l.contains("no new rows")), "{out}");
    if chrono::Utc::now().date_naive() != today {
        return; // crossed midnight UTC while running: the day checks below do not apply
    }
    let m = assert_consistent(&dir);
    // History up to yesterday, one part per day and table; today's parts appended.
    let days: BTreeSet<NaiveDate> = m.parts(Table::LlmEvents).iter().filter_map(|p| p.min_date).collect();
    assert_eq!(days.len(), 5, "{days:?}");
    assert_eq!(*days.last().unwrap(), today);
    let today_parts = m.parts(Table::LlmEvents).iter().filter(|p| p.min_date == Some(today)).count();
    // One part with today's rows so far, then one per interval that created LLM rows. An
    // interval may create none: the demo's live rate follows the hour and the weekday, and at
    // 300,000 events a day it is under one event a second on a weekend night (~0.65/s at 04:00
    // UTC on a Saturday), so requiring an append made this test fail at such hours.
    let llm_appends = out.lines().skip(1).filter(|l| l.contains(" appended ") && !l.contains("(llm 0,")).count();
    assert_eq!(today_parts, 1 + llm_appends, "LLM parts for today vs appends with LLM rows: {out}");
    assert!(m.parts(Table::LlmEvents).iter().all(|p| p.min_date == p.max_date));
    let live = LiveDay::new(3, 300_000, today).unwrap();
    let n = assert_live_prefix(&dir, &m, &live, Table::LlmEvents);
    assert!(n > 0);
    assert_live_prefix(&dir, &m, &live, Table::ConversionEvents);
    let (dash, conv) = facts_of(&dir, &m);
    assert_eq!(run(&["facts", "--data", d]), dash);
    assert_eq!(run(&["facts", "--data", d, "--table", "conversion_facts"]), conv);
    let last = |m: &Manifest| m.parts(Table::LlmEvents).iter().filter(|p| p.min_date == Some(today)).count();
    assert_eq!(last(&m), today_parts);

    // Restart: history parts are reused as they are (same paths, untouched), today's rows are
    // re-issued from midnight in new parts, the old ones are no longer listed and are removed.
    let history: Vec<_> = m.parts(Table::LlmEvents).iter().filter(|p| p.min_date < Some(today)).cloned().collect();
    let mtimes: HashMap<String, std::time::SystemTime> =
        history.iter().map(|p| (p.path.clone(), std::fs::metadata(dir.join(&p.path)).unwrap().modified().unwrap())).collect();
    run(&[&args[..], &["--iterations", "2"]].concat());
    if chrono::Utc::now().date_naive() != today {
        return;
    }
    let m2 = assert_consistent(&dir);
    let history2: Vec<_> = m2.parts(Table::LlmEvents).iter().filter(|p| p.min_date < Some(today)).cloned().collect();
    assert_eq!(history2, history);
    for p in &history2 {
        assert_eq!(std::fs::metadata(dir.join(&p.path)).unwrap().modified().unwrap(), mtimes[&p.path], "{} rewritten", p.path);
    }
    let n2 = assert_live_prefix(&dir, &m2, &live, Table::LlmEvents);
    assert!(n2 >= n, "today's rows went from {n} to {n2}");
    let old_today: BTreeSet<&str> = m.parts(Table::LlmEvents).iter().filter(|p| p.min_date == Some(today)).map(|p| p.path.as_str()).collect();
    // A part with the same bytes as an existing file reuses it (by design): that happens when no
    // row was created since the first run's single part for today (a quiet hour, see above).
    if n2 > n || old_today.len() > 1 {
        assert!(m2.parts(Table::LlmEvents).iter().all(|p| !old_today.contains(p.path.as_str())), "a new part reused an old part's name");
    }
    // A reader diffing the two manifests drops the old parts and fetches the new ones.
    let changes = Manifest::diff(&m, &m2);
    assert!(changes.iter().all(|c| !matches!(c.change, modelpulse::manifest::ChangeKind::Changed { .. })));
    assert_eq!(m2.max_date(), Some(today));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn follow_flags_are_checked() {
    let e = run_err(&["generate", "--out", "/nonexistent-x", "--every", "10s"]);
    assert!(e.contains("--follow"), "{e}");
    let e = run_err(&["generate", "--out", "/nonexistent-x", "--follow", "--every", "10 parsecs"]);
    assert!(e.contains("unknown unit"), "{e}");
    let e = run_err(&["generate", "--out", "/nonexistent-x", "--follow", "--end", "2026-01-01"]);
    assert!(e.contains("cannot be used with"), "{e}");
    let e = run_err(&["generate", "--out", "/nonexistent-x", "--follow", "--iterations", "0"]);
    assert!(e.contains("iterations"), "{e}");
}
