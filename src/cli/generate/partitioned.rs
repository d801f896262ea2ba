//! `modelpulse generate --partition daily` and `--follow`: the demo data as hive-style day parts
//! (`raw_llm_events/dt=YYYY-MM-DD/part-N.parquet`) plus `manifest.json`; with `--follow`, a new
//! part for the rows created since the previous interval is appended every `--every`, and the
//! manifest rewritten, until interrupted (or `--iterations` appends).
//!
//! Every file is written atomically (temporary file in the same folder, then rename), parts
//! before the manifest that lists them, so a reader polling the folder always sees a manifest
//! whose parts exist and are complete. A part whose bytes already exist in its `dt=` folder
//! (a re-run with the same options) is not rewritten; an existing `part-N` is never overwritten
//! with other bytes — new content gets the next free N — so a reader holding an older manifest
//! never fetches content that does not match its hash. Part files the new manifest no longer
//! lists are removed once it is written.

use super::GenerateArgs;
use crate::cli::manifest::{natural_cmp, now_utc, say, write_atomic, write_manifest};
use anyhow::Context;
use chrono::{DateTime, Days, NaiveDate, Utc};
use modelpulse::contract::Table;
use modelpulse::generate::{self, DayPart, GenerateOptions, LiveDay};
use modelpulse::manifest::{Manifest, Part, describe_part};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

#[cfg(test)]
const DAY_US: i64 = 86_400_000_000;

/// The part files of one folder state: what exists, what the manifest lists.
struct Folder {
    dir: PathBuf,
    /// Existing `part-N.parquet` files per (table, day): (N, path relative to `dir`).
    existing: HashMap<(Table, NaiveDate), Vec<(usize, String)>>,
    /// The next free N per (table, day).
    next: HashMap<(Table, NaiveDate), usize>,
    /// The manifest's parts, by (table, path), in write order.
    listed: BTreeMap<(usize, String), (Table, Part)>,
    order: usize,
}

impl Folder {
    /// Scans `dir/<table>/dt=<day>/part-<N>.parquet` files.
    fn open(dir: &Path) -> anyhow::Result<Folder> {
        std::fs::create_dir_all(dir).with_context(|| format!("{}: cannot create folder", dir.display()))?;
        let mut f = Folder { dir: dir.to_path_buf(), existing: HashMap::new(), next: HashMap::new(), listed: BTreeMap::new(), order: 0 };
        for t in Table::ALL {
            let tdir = dir.join(t.name());
            let Ok(days) = std::fs::read_dir(&tdir) else { continue };
            for d in days.flatten() {
                let name = d.file_name();
                let Some(day) = name.to_str().and_then(|n| n.strip_prefix("dt=")).and_then(|s| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()) else {
                    continue;
                };
                let Ok(files) = std::fs::read_dir(d.path()) else { continue };
                for file in files.flatten() {
                    let fname = file.file_name();
                    let Some(n) = fname.to_str().and_then(|n| n.strip_prefix("part-")?.strip_suffix(".parquet")?.parse::<usize>().ok()) else {
                        continue;
                    };
                    let rel = generate::part_path(t, day, n);
                    if fname.to_str() == rel.rsplit('/').next() {
                        f.existing.entry((t, day)).or_default().push((n, rel));
                        let next = f.next.entry((t, day)).or_insert(0);
                        *next = (*next).max(n + 1);
                    }
                }
            }
        }
        Ok(f)
    }

    /// Writes `p` (or reuses an existing file with the same bytes) and lists it.
    fn put(&mut self, p: &DayPart) -> anyhow::Result<()> {
        let key = (p.table, p.date);
        let mut rel = None;
        for (_, r) in self.existing.get(&key).into_iter().flatten() {
            let path = self.dir.join(r);
            if std::fs::metadata(&path).is_ok_and(|m| m.len() == p.bytes.len() as u64) && std::fs::read(&path).is_ok_and(|b| b == p.bytes) {
                rel = Some(r.clone());
                break;
            }
        }
        let rel = match rel {
            Some(r) => r,
            None => {
                let n = self.next.entry(key).or_insert(0);
                let r = p.path(*n);
                *n += 1;
                let path = self.dir.join(&r);
                std::fs::create_dir_all(path.parent().expect("has a folder"))
                    .with_context(|| format!("{}: cannot create folder", path.display()))?;
                write_atomic(&path, &p.bytes)?;
                r
            }
        };
        let part = describe_part(p.table, &rel, &bytes::Bytes::copy_from_slice(&p.bytes))
            .map_err(|e| anyhow::anyhow!("{}: {e}", self.dir.display()))?;
        self.order += 1;
        self.listed.insert((self.order, rel), (p.table, part));
        Ok(())
    }

    /// Writes the manifest of the listed parts.
    fn manifest(&self, at: DateTime<Utc>) -> anyhow::Result<Manifest> {
        let mut parts: Vec<(Table, Part)> = self.listed.values().cloned().collect();
        parts.sort_by(|a, b| {
            let key = |t: Table| Table::ALL.iter().position(|x| *x == t);
            key(a.0).cmp(&key(b.0)).then_with(|| natural_cmp(&a.1.path, &b.1.path))
        });
        let m = Manifest::new(at, parts);
        write_manifest(&self.dir, &m)?;
        Ok(m)
    }

    /// Removes `part-N.parquet` files found at open that the manifest does not list.
    fn remove_unlisted(&mut self) -> usize {
        let listed: HashSet<&str> = self.listed.keys().map(|(_, r)| r.as_str()).collect();
        let mut removed = 0;
        for files in self.existing.values() {
            for (_, r) in files {
                if !listed.contains(r.as_str()) && std::fs::remove_file(self.dir.join(r)).is_ok() {
                    removed += 1;
                }
            }
        }
        let listed: HashSet<String> = listed.into_iter().map(str::to_owned).collect();
        for files in self.existing.values_mut() {
            files.retain(|(_, r)| listed.contains(r));
        }
        removed
    }
}

/// Rows per table in `parts`, as "llm 20, support 1, conversion 2".
fn rows_text(parts: &[DayPart]) -> String {
    Table::ALL
        .iter()
        .map(|t| {
            let n: usize = parts.iter().filter(|p| p.table == *t).map(|p| p.rows).sum();
            format!("{} {n}", t.name().trim_start_matches("raw_").trim_end_matches("_events"))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn now_us() -> anyhow::Result<i64> {
    let d = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).context("system clock is before 1970")?;
    Ok(d.as_micros() as i64)
}

fn date_of_us(us: i64) -> anyhow::Result<NaiveDate> {
    DateTime::from_timestamp_micros(us).map(|t| t.date_naive()).context("time out of range")
}

fn day_start_us(d: NaiveDate) -> i64 {
    d.and_hms_opt(0, 0, 0).expect("midnight").and_utc().timestamp_micros()
}

/// `--partition daily` without `--follow`: the days ending at `end`, as parts, and the manifest.
pub(super) fn run_daily(args: &GenerateArgs, end: NaiveDate) -> anyhow::Result<ExitCode> {
    let opts = GenerateOptions { days: args.days, seed: args.seed, events_per_day: args.events_per_day, end };
    let started = Instant::now();
    let parts = generate::generate_partitioned_with(&opts, &args.write_options())?;
    let mut folder = Folder::open(&args.out)?;
    for p in &parts {
        folder.put(p)?;
    }
    let m = folder.manifest(now_utc()?)?;
    let removed = folder.remove_unlisted();
    say!(
        "wrote {} parts ({}) and {} in {:.2?}{}",
        parts.len(),
        rows_text(&parts),
        args.out.join("manifest.json").display(),
        started.elapsed(),
        if removed > 0 { format!("; removed {removed} unlisted parts") } else { String::new() }
    );
    print_period(&opts, &m);
    Ok(ExitCode::SUCCESS)
}

fn print_period(opts: &GenerateOptions, m: &Manifest) {
    let story = opts.story();
    say!("period: {} .. {} ({} days, seed {}), {} parts listed", story.start, story.end, opts.days, opts.seed,
        Table::ALL.iter().map(|t| m.parts(*t).len()).sum::<usize>());
    if let Some((a, b)) = story.incident {
        say!("story: {} latency incident {a} .. {b}", story.incident_provider);
    }
    if let Some(r) = story.regression_from {
        say!("story: {} switches {} -> {} on {r} (accuracy regression)", story.regression_provider, story.model_before, story.model_after);
    }
}

/// `--follow`: history up to yesterday, today's rows so far, then a new part every `every`.
pub(super) fn run_follow(args: &GenerateArgs, every: Duration, iterations: Option<u64>) -> anyhow::Result<ExitCode> {
    let live_rate = args.live_events_per_day.unwrap_or(args.events_per_day);
    let start_us = now_us()?;
    let today = date_of_us(start_us)?;
    let history_end = today.checked_sub_days(Days::new(1)).context("date out of range")?;
    let opts = GenerateOptions { days: args.days, seed: args.seed, events_per_day: args.events_per_day, end: history_end };
    // History rows dated today (tickets opened after midnight) are left out: today is live.
    let history: Vec<DayPart> =
        generate::generate_partitioned_with(&opts, &args.write_options())?.into_iter().filter(|p| p.date < today).collect();

    let mut folder = Folder::open(&args.out)?;
    for p in &history {
        folder.put(p)?;
    }
    let mut live: BTreeMap<NaiveDate, LiveDay> = BTreeMap::new();
    let mut from = day_start_us(today);
    let mut to = start_us;
    let mut appends = 0u64;
    let mut deadline = Instant::now();
    loop {
        // Live days whose rows can fall in [from, to): the day before `from` (tickets spill past
        // midnight) through the day of `to`, never before today.
        let first = date_of_us(from)?.pred_opt().unwrap_or(today).max(today);
        let last = date_of_us(to - 1)?.max(first);
        live.retain(|d, _| *d >= first);
        let mut parts = Vec::new();
        let mut d = first;
        while d <= last {
            let day = match live.entry(d) {
                std::collections::btree_map::Entry::Occupied(e) => e.into_mut(),
                std::collections::btree_map::Entry::Vacant(e) => e.insert(LiveDay::new(args.seed, live_rate, d)?.with_write_options(args.write_options())),
            };
            parts.extend(day.window(from, to)?);
            d = d.succ_opt().context("date out of range")?;
        }
        for p in &parts {
            folder.put(p)?;
        }
        let stamp = DateTime::from_timestamp_micros(to).map(|t| t.format("%H:%M:%S").to_string()).unwrap_or_default();
        if appends == 0 || !parts.is_empty() {
            let m = folder.manifest(now_utc()?)?;
            let total: usize = Table::ALL.iter().map(|t| m.parts(*t).len()).sum();
            if appends == 0 {
                let removed = folder.remove_unlisted();
                say!(
                    "wrote {} history parts ({} .. {}) and today's rows so far ({}) in {} parts; {} lists {total} parts{}",
                    history.len(),
                    opts.start().unwrap_or(history_end),
                    history_end,
                    rows_text(&parts),
                    parts.len(),
                    args.out.join("manifest.json").display(),
                    if removed > 0 { format!("; removed {removed} unlisted parts") } else { String::new() }
                );
            } else {
                say!("{stamp} appended {} parts ({}); manifest lists {total} parts", parts.len(), rows_text(&parts));
            }
        } else {
            say!("{stamp} no new rows");
        }
        appends += 1;
        if iterations.is_some_and(|n| appends >= n) {
            return Ok(ExitCode::SUCCESS);
        }
        deadline += every;
        if let Some(wait) = deadline.checked_duration_since(Instant::now()) {
            std::thread::sleep(wait);
        } else {
            deadline = Instant::now(); // fell behind: do not burst
        }
        from = to;
        to = now_us()?.max(from);
    }
}

/// Parses an interval: `10s`, `500ms`, `2m`, `1h`, or a plain number of seconds; between 1 ms
/// and one day.
pub(super) fn parse_every(s: &str) -> Result<Duration, String> {
    let t = s.trim();
    let (num, unit) = match t.find(|c: char| !(c.is_ascii_digit() || c == '.')) {
        Some(i) => (&t[..i], t[i..].trim()),
        None => (t, "s"),
    };
    let v: f64 = num.parse().map_err(|_| format!("expected an interval like 10s, 500ms or 2m, got {s:?}"))?;
    let secs = match unit {
        "ms" => v / 1000.0,
        "s" => v,
        "m" | "min" => v * 60.0,
        "h" => v * 3600.0,
        _ => return Err(format!("unknown unit {unit:?} in {s:?}; use ms, s, m or h")),
    };
    if !(0.001..=86_400.0).contains(&secs) {
        return Err(format!("{s:?} is out of range (1ms .. 24h)"));
    }
    Ok(Duration::from_secs_f64(secs))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intervals_parse() {
        assert_eq!(parse_every("10s"), Ok(Duration::from_secs(10)));
        assert_eq!(parse_every("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_every("2m"), Ok(Duration::from_secs(120)));
        assert_eq!(parse_every("1.5"), Ok(Duration::from_millis(1500)));
        assert!(parse_every("0s").unwrap_err().contains("out of range"));
        assert!(parse_every("10 parsecs").unwrap_err().contains("unknown unit"));
        assert!(parse_every("soon").is_err());
    }

    #[test]
    fn day_start_is_utc_midnight() {
        let d = NaiveDate::from_ymd_opt(2026, 11, 27).unwrap();
        assert_eq!(day_start_us(d) % DAY_US, 0);
        assert_eq!(date_of_us(day_start_us(d)).unwrap(), d);
        assert_eq!(date_of_us(day_start_us(d) - 1).unwrap(), d.pred_opt().unwrap());
    }
}
