//! `modelpulse manifest DIR` — writes `DIR/manifest.json` listing the Parquet parts in `DIR`
//! (format: `docs/manifest.md`). Also the file-system half of the manifest for `generate
//! --partition daily`: finding parts, describing them, writing the manifest atomically.

use anyhow::{Context, bail};
use chrono::{DateTime, NaiveDate, Utc};
use modelpulse::contract::Table;
use modelpulse::manifest::{MANIFEST_FILE, Manifest, Part, describe_part};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// `println!` that ignores a closed standard output (`| head`) instead of panicking.
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout(), $($arg)*);
    }};
}
pub(crate) use say;

/// Options of `modelpulse manifest`.
#[derive(Debug, clap::Args)]
pub struct ManifestArgs {
    /// The snapshot folder. Parts are single files `raw_<table>.parquet`, or any `*.parquet`
    /// under a table's folder, e.g. `raw_llm_events/dt=2026-11-27/part-0.parquet` (hive style).
    /// Names starting with `.` or `_` are skipped (temporary files, `_SUCCESS` markers).
    pub dir: PathBuf,
    /// Do not write: check DIR/manifest.json against the files (each local part exists and has
    /// the listed bytes, sha256, rows and dates). Exit 0 when all match, 1 otherwise (one line
    /// per problem on standard error), 2 when the manifest does not parse.
    #[arg(long)]
    pub check: bool,
}

/// Scans `args.dir`, describes every part (rows, bytes, dates, sha256) and writes
/// `manifest.json` atomically; prints one line per table.
pub fn run(args: ManifestArgs) -> anyhow::Result<ExitCode> {
    if args.check {
        return check(&args.dir);
    }
    let found = find_parts(&args.dir)?;
    if found.is_empty() {
        bail!(
            "{}: no Parquet parts found (expected raw_<table>.parquet files or raw_<table>/…/*.parquet folders)",
            args.dir.display()
        );
    }
    let parts = describe_all(&args.dir, &found)?;
    for (t, p) in &parts {
        warn_if_outside_partition(*t, p);
    }
    let m = Manifest::new(now_utc()?, parts);
    let path = write_manifest(&args.dir, &m)?;
    say!("wrote {}", path.display());
    for t in Table::ALL {
        let ps = m.parts(t);
        let (lo, hi) = date_span(ps);
        say!("  {}: {} parts, {} rows{}", t.name(), ps.len(), m.rows(t), span_text(lo, hi));
    }
    for d in m.duplicates() {
        eprintln!("modelpulse: warning: {}: same bytes as {} part {}; listed once", d.path, d.table.name(), d.same_as);
    }
    Ok(ExitCode::SUCCESS)
}

/// `--check`: the manifest parses, and every local part matches its entry.
fn check(dir: &Path) -> anyhow::Result<ExitCode> {
    use rayon::prelude::*;
    let path = dir.join(MANIFEST_FILE);
    let text = std::fs::read_to_string(&path).with_context(|| format!("{}: cannot read", path.display()))?;
    let m = Manifest::parse_named(&path.display().to_string(), &text)?;
    let entries: Vec<(Table, &Part)> = Table::ALL.iter().flat_map(|&t| m.parts(t).iter().map(move |p| (t, p))).collect();
    let problems: Vec<String> = entries
        .par_iter()
        .filter_map(|&(t, p)| {
            if p.path.contains("://") {
                return None; // remote: not ours to fetch here
            }
            let file = dir.join(&p.path);
            let bytes = match std::fs::read(&file) {
                Ok(b) => bytes::Bytes::from(b),
                Err(e) => return Some(format!("{}: cannot read ({e})", file.display())),
            };
            match describe_part(t, &p.path, &bytes) {
                Err(e) => Some(format!("{}: {e}", dir.display())),
                Ok(d) if d != *p => Some(format!(
                    "{}: does not match its entry: the file has {}; the manifest says {}",
                    file.display(),
                    entry_text(&d),
                    entry_text(p)
                )),
                Ok(_) => None,
            }
        })
        .collect();
    let remote = entries.iter().filter(|(_, p)| p.path.contains("://")).count();
    for p in &problems {
        eprintln!("modelpulse: {p}");
    }
    for d in m.duplicates() {
        eprintln!("modelpulse: warning: {}: repeats {} part {}; counted once", d.path, d.table.name(), d.same_as);
    }
    say!(
        "{}: {} parts, {} match{}",
        path.display(),
        entries.len(),
        entries.len() - problems.len() - remote,
        if remote > 0 { format!(", {remote} remote (not checked)") } else { String::new() }
    );
    Ok(if problems.is_empty() { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

fn entry_text(p: &Part) -> String {
    let day = |d: Option<NaiveDate>| d.map_or("null".to_string(), |d| d.to_string());
    format!("{} bytes, {} rows, dates {} .. {}, sha256 {}", p.bytes, p.rows, day(p.min_date), day(p.max_date), p.sha256)
}

fn date_span(ps: &[Part]) -> (Option<NaiveDate>, Option<NaiveDate>) {
    (ps.iter().filter_map(|p| p.min_date).min(), ps.iter().filter_map(|p| p.max_date).max())
}

fn span_text(lo: Option<NaiveDate>, hi: Option<NaiveDate>) -> String {
    match (lo, hi) {
        (Some(a), Some(b)) => format!(", {a} .. {b}"),
        _ => String::new(),
    }
}

/// The current time, UTC, to the millisecond.
pub fn now_utc() -> anyhow::Result<DateTime<Utc>> {
    let d = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).context("system clock is before 1970")?;
    DateTime::from_timestamp_millis(d.as_millis() as i64).context("system clock out of range")
}

/// The parts under `dir`: (table, path relative to `dir` with `/` separators), sorted by table
/// then path (numbers in names compared as numbers: `part-2` before `part-10`). A table present
/// both as a single file and as a folder is an error (its rows would count twice).
pub fn find_parts(dir: &Path) -> anyhow::Result<Vec<(Table, String)>> {
    if !dir.is_dir() {
        bail!("{}: not a folder", dir.display());
    }
    let mut out = Vec::new();
    for t in Table::ALL {
        let single = dir.join(t.file_name());
        let folder = dir.join(t.name());
        let mut found: Vec<String> = Vec::new();
        if folder.is_dir() {
            walk(&folder, t.name(), &mut found)?;
        }
        if single.is_file() {
            if !found.is_empty() {
                bail!(
                    "{}: both {} and parts under {}/ exist; keep one (their rows would count twice)",
                    dir.display(),
                    t.file_name(),
                    t.name()
                );
            }
            found.push(t.file_name().to_string());
        }
        found.sort_by(|a, b| natural_cmp(a, b));
        out.extend(found.into_iter().map(|p| (t, p)));
    }
    Ok(out)
}

fn walk(folder: &Path, rel: &str, out: &mut Vec<String>) -> anyhow::Result<()> {
    let entries = std::fs::read_dir(folder).with_context(|| format!("{}: cannot list", folder.display()))?;
    for e in entries {
        let e = e.with_context(|| format!("{}: cannot list", folder.display()))?;
        let name = e.file_name();
        let Some(name) = name.to_str() else {
            bail!("{}: file name is not UTF-8", e.path().display());
        };
        if name.starts_with('.') || name.starts_with('_') {
            continue;
        }
        let kind = e.file_type().with_context(|| format!("{}: cannot stat", e.path().display()))?;
        let rel = format!("{rel}/{name}");
        if kind.is_dir() {
            walk(&e.path(), &rel, out)?;
        } else if name.ends_with(".parquet") {
            out.push(rel);
        }
    }
    Ok(())
}

/// Compares names with digit runs as numbers (`part-2` < `part-10`), then byte order.
pub fn natural_cmp(a: &str, b: &str) -> std::cmp::Ordering {
    fn chunks(s: &str) -> Vec<(bool, &str)> {
        let mut out = Vec::new();
        let mut start = 0;
        let bytes = s.as_bytes();
        for i in 1..=bytes.len() {
            if i == bytes.len() || bytes[i].is_ascii_digit() != bytes[start].is_ascii_digit() {
                out.push((bytes[start].is_ascii_digit(), &s[start..i]));
                start = i;
            }
        }
        out
    }
    let (ca, cb) = (chunks(a), chunks(b));
    for (x, y) in ca.iter().zip(&cb) {
        let o = match (x, y) {
            ((true, x), (true, y)) => {
                let (x, y) = (x.trim_start_matches('0'), y.trim_start_matches('0'));
                x.len().cmp(&y.len()).then_with(|| x.cmp(y))
            }
            ((_, x), (_, y)) => x.cmp(y),
        };
        if o.is_ne() {
            return o;
        }
    }
    ca.len().cmp(&cb.len()).then_with(|| a.cmp(b))
}

/// Reads and describes each part (in parallel); errors name the file.
pub fn describe_all(dir: &Path, found: &[(Table, String)]) -> anyhow::Result<Vec<(Table, Part)>> {
    use rayon::prelude::*;
    found
        .par_iter()
        .map(|(t, rel)| {
            let path = dir.join(rel);
            let bytes = std::fs::read(&path).with_context(|| format!("{}: cannot read", path.display()))?;
            let part = describe_part(*t, rel, &bytes::Bytes::from(bytes)).map_err(|e| anyhow::anyhow!("{}: {e}", dir.display()))?;
            Ok((*t, part))
        })
        .collect()
}

/// Warns (stderr) when a hive `dt=YYYY-MM-DD` folder holds rows of other days: readers that
/// prune by folder name would miss them.
fn warn_if_outside_partition(t: Table, p: &Part) {
    let Some(dt) = p.path.split('/').find_map(|s| s.strip_prefix("dt=")) else { return };
    let Ok(day) = NaiveDate::parse_from_str(dt, "%Y-%m-%d") else { return };
    if p.min_date.is_some_and(|d| d != day) || p.max_date.is_some_and(|d| d != day) {
        eprintln!(
            "modelpulse: warning: {} ({}): rows from {} .. {} in partition dt={day}",
            p.path,
            t.name(),
            p.min_date.map_or("-".into(), |d| d.to_string()),
            p.max_date.map_or("-".into(), |d| d.to_string())
        );
    }
}

/// Loads `tables` into `ds` from the parts listed in the manifest at `path` (relative paths
/// resolved against its folder; `http(s)://` parts are refused — fetch them first). Each part's
/// size and sha256 must match its entry: a part rewritten after the manifest is an error naming it.
pub fn load_tables(ds: &mut modelpulse::Dataset, path: &Path, tables: &[Table]) -> anyhow::Result<()> {
    use rayon::prelude::*;
    let text = std::fs::read_to_string(path).with_context(|| format!("{}: cannot read", path.display()))?;
    let m = Manifest::parse_named(&path.display().to_string(), &text)?;
    let dir = path.parent().unwrap_or(Path::new("."));
    for &t in tables {
        let files: Vec<(String, bytes::Bytes)> = m
            .parts(t)
            .par_iter()
            .map(|p| {
                if p.path.contains("://") {
                    bail!("{}: {}: part {}: only local parts can be read here", path.display(), t.name(), p.path);
                }
                let file = dir.join(&p.path);
                let name = file.display().to_string();
                let bytes = std::fs::read(&file).with_context(|| format!("{name}: cannot read (listed in {})", path.display()))?;
                let bytes = bytes::Bytes::from(bytes);
                let sha = modelpulse::manifest::sha256_hex(&bytes);
                if bytes.len() as u64 != p.bytes || sha != p.sha256 {
                    bail!("{name}: does not match its manifest entry ({} bytes, sha256 {sha}; the manifest says {} bytes, sha256 {})", bytes.len(), p.bytes, p.sha256);
                }
                Ok((name, bytes))
            })
            .collect::<anyhow::Result<_>>()?;
        let refs: Vec<(&str, bytes::Bytes)> = files.iter().map(|(n, b)| (n.as_str(), b.clone())).collect();
        ds.load_parts(t, &refs)?;
    }
    Ok(())
}

/// Writes `m` to `dir/manifest.json` atomically; returns the path.
pub fn write_manifest(dir: &Path, m: &Manifest) -> anyhow::Result<PathBuf> {
    let path = dir.join(MANIFEST_FILE);
    write_atomic(&path, m.to_json().as_bytes())?;
    Ok(path)
}

/// Writes `bytes` to `path` so that a reader sees either the old complete file or the new
/// complete file, never a mix: the bytes go to a temporary file in the same folder (same file
/// system), are flushed to disk, and the temporary file is renamed over `path`.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    use std::io::Write;
    use std::sync::atomic::{AtomicU64, Ordering};
    static SEQ: AtomicU64 = AtomicU64::new(0);
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let name = path.file_name().and_then(|n| n.to_str()).context("no file name")?;
    let tmp = dir.join(format!(".{name}.tmp-{}-{}", std::process::id(), SEQ.fetch_add(1, Ordering::Relaxed)));
    let result = (|| -> anyhow::Result<()> {
        let mut f = std::fs::File::create(&tmp).with_context(|| format!("{}: cannot create", tmp.display()))?;
        f.write_all(bytes).with_context(|| format!("{}: cannot write", tmp.display()))?;
        f.sync_all().with_context(|| format!("{}: cannot flush", tmp.display()))?;
        std::fs::rename(&tmp, path).with_context(|| format!("{}: cannot replace", path.display()))
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_dir(tag: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("modelpulse-manifest-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    /// A reader polling the file while a writer rewrites it never sees a partial or mixed file:
    /// every read is one of the complete versions.
    #[test]
    fn a_reader_never_sees_a_partial_manifest() {
        let dir = temp_dir("atomic");
        let path = dir.join(MANIFEST_FILE);
        // Versions of very different sizes (a torn write would show as a truncated or mixed text).
        let versions: Vec<String> = (0..6).map(|i| format!("{{\"v\":{i},\"pad\":\"{}\"}}", "x".repeat(1 << (10 + i * 2)))).collect();
        write_atomic(&path, versions[0].as_bytes()).unwrap();
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let reader = {
            let (path, stop, versions) = (path.clone(), stop.clone(), versions.clone());
            std::thread::spawn(move || {
                let mut reads = 0;
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    let text = std::fs::read_to_string(&path).expect("the file always exists");
                    assert!(versions.contains(&text), "partial read of {} bytes", text.len());
                    reads += 1;
                }
                reads
            })
        };
        for i in 0..300 {
            write_atomic(&path, versions[i % versions.len()].as_bytes()).unwrap();
        }
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        let reads = reader.join().unwrap();
        assert!(reads > 0);
        // No temporary files left behind; the temp file lives in the same folder.
        let left: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(left, vec![std::ffi::OsString::from(MANIFEST_FILE)]);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn parts_are_found_in_hive_folders_and_sorted_naturally() {
        let dir = temp_dir("find");
        for rel in [
            "raw_llm_events/dt=2026-11-27/part-10.parquet",
            "raw_llm_events/dt=2026-11-27/part-2.parquet",
            "raw_llm_events/dt=2026-11-26/part-0.parquet",
            "raw_llm_events/dt=2026-11-27/.part-3.parquet.tmp-1",
            "raw_llm_events/_SUCCESS",
            "raw_llm_events/dt=2026-11-27/notes.txt",
            "raw_conversion_events.parquet",
        ] {
            let p = dir.join(rel);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, b"x").unwrap();
        }
        let found = find_parts(&dir).unwrap();
        let rels: Vec<(Table, &str)> = found.iter().map(|(t, r)| (*t, r.as_str())).collect();
        assert_eq!(
            rels,
            vec![
                (Table::LlmEvents, "raw_llm_events/dt=2026-11-26/part-0.parquet"),
                (Table::LlmEvents, "raw_llm_events/dt=2026-11-27/part-2.parquet"),
                (Table::LlmEvents, "raw_llm_events/dt=2026-11-27/part-10.parquet"),
                (Table::ConversionEvents, "raw_conversion_events.parquet"),
            ]
        );
        // Both layouts for one table: refused.
        std::fs::write(dir.join("raw_llm_events.parquet"), b"x").unwrap();
        let e = find_parts(&dir).unwrap_err().to_string();
        assert!(e.contains("both raw_llm_events.parquet and parts under raw_llm_events/"), "{e}");
        // A part that is not Parquet: the error names it.
        std::fs::remove_file(dir.join("raw_llm_events.parquet")).unwrap();
        let e = describe_all(&dir, &find_parts(&dir).unwrap()).unwrap_err().to_string();
        assert!(e.contains("raw_llm_events/dt=2026-11-2") && e.contains("not a Parquet file"), "{e}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn natural_order() {
        let mut v = vec!["part-10", "part-2", "part-1", "part-02b", "a"];
        v.sort_by(|a, b| natural_cmp(a, b));
        assert_eq!(v, vec!["a", "part-1", "part-2", "part-02b", "part-10"]);
    }
}
