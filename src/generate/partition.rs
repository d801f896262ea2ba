//! Partitioned demo data: the same rows as [`super::generate`], split into one Parquet part per
//! table and UTC day of `created_at` (hive layout `raw_llm_events/dt=YYYY-MM-DD/part-N.parquet`),
//! and a "live" day whose rows are handed out window by window, as a pipeline appending a part
//! every few seconds would.

use super::profile::DAY_US;
use super::{GenerateError, GenerateOptions, WriteOptions, conversion, llm, rng, support, write};
use crate::contract::Table;
use arrow_array::cast::AsArray;
use arrow_array::types::TimestampMicrosecondType;
use arrow_array::{RecordBatch, UInt32Array};
use chrono::NaiveDate;
use std::collections::BTreeMap;

/// One Parquet part: the rows of `table` whose `created_at` falls on the UTC day `date`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DayPart {
    /// The table the rows belong to.
    pub table: Table,
    /// The UTC day every row's `created_at` falls on.
    pub date: NaiveDate,
    /// Rows in the part (≥ 1).
    pub rows: usize,
    /// A complete ZSTD Parquet file, rows sorted by `created_at`, same schema as the single file.
    pub bytes: Vec<u8>,
}

impl DayPart {
    /// The part's hive-style path relative to the snapshot folder, e.g.
    /// `raw_llm_events/dt=2026-11-27/part-0.parquet` for `index` 0.
    pub fn path(&self, index: usize) -> String {
        part_path(self.table, self.date, index)
    }
}

/// `<table>/dt=<date>/part-<index>.parquet`.
pub fn part_path(table: Table, date: NaiveDate, index: usize) -> String {
    format!("{}/dt={}/part-{}.parquet", table.name(), date, index)
}

/// The three tables' rows for `opts`, before encoding (what [`super::generate`] encodes).
fn batches(opts: &GenerateOptions) -> Result<[(Table, RecordBatch); 3], GenerateError> {
    opts.validate()?;
    let story = opts.story();
    let llm = llm::generate(opts, &story)?;
    let support = support::generate(opts, &story, &llm.sessions)?;
    let conversion = conversion::generate(opts)?;
    Ok([(Table::LlmEvents, llm.batch), (Table::SupportEvents, support), (Table::ConversionEvents, conversion)])
}

/// The data of [`super::generate`]`(opts)` as day parts: for each table, one part per UTC day
/// that has rows, in (table, date) order. Concatenating a table's parts in this order gives
/// exactly the rows of its single file, in the same order. (Support tickets opened shortly after
/// midnight following `opts.end` fall on the next day and get that day's part.)
pub fn generate_partitioned(opts: &GenerateOptions) -> Result<Vec<DayPart>, GenerateError> {
    generate_partitioned_with(opts, &WriteOptions::default())
}

/// Like [`generate_partitioned`], each part encoded with `write` (e.g. smaller row groups).
pub fn generate_partitioned_with(opts: &GenerateOptions, write: &WriteOptions) -> Result<Vec<DayPart>, GenerateError> {
    write.validate()?;
    let mut out = Vec::new();
    for (table, batch) in batches(opts)? {
        out.extend(split_by_day(table, &batch, i64::MIN, i64::MAX, write)?);
    }
    Ok(out)
}

/// The rows of `batch` with `from_us <= created_at < to_us`, one part per UTC day.
fn split_by_day(
    table: Table,
    batch: &RecordBatch,
    from_us: i64,
    to_us: i64,
    write: &WriteOptions,
) -> Result<Vec<DayPart>, GenerateError> {
    let err = |detail: String| GenerateError::Encode { table: table.name(), detail };
    let ts = batch
        .column_by_name("created_at")
        .and_then(|c| c.as_primitive_opt::<TimestampMicrosecondType>())
        .ok_or_else(|| err("no created_at column in microseconds".into()))?;
    let mut days: BTreeMap<i64, Vec<u32>> = BTreeMap::new();
    for (i, t) in ts.iter().enumerate() {
        if let Some(t) = t
            && from_us <= t
            && t < to_us
        {
            days.entry(t.div_euclid(DAY_US)).or_default().push(i as u32);
        }
    }
    let mut out = Vec::with_capacity(days.len());
    for (day, rows) in days {
        let date = date_of_day(day).ok_or_else(|| err(format!("day {day} out of range")))?;
        let n = rows.len();
        let part = arrow_select::take::take_record_batch(batch, &UInt32Array::from(rows)).map_err(|e| err(e.to_string()))?;
        out.push(DayPart { table, date, rows: n, bytes: write::parquet(table, &part, write)? });
    }
    Ok(out)
}

fn date_of_day(day: i64) -> Option<NaiveDate> {
    NaiveDate::from_num_days_from_ce_opt(i32::try_from(day.checked_add(719_163)?).ok()?)
}

/// The rows of one "live" UTC day, generated once and handed out by time window
/// ([`LiveDay::window`]): `modelpulse generate --follow` appends, every interval, the rows
/// created since the previous one. The day is a one-day demo ([`GenerateOptions`] with
/// `days = 1`) with a seed derived from `seed` and the date, so every day differs and the same
/// (seed, events_per_day, date) always gives the same rows.
#[derive(Debug, Clone)]
pub struct LiveDay {
    /// The day.
    pub date: NaiveDate,
    batches: [(Table, RecordBatch); 3],
    write: WriteOptions,
}

impl LiveDay {
    /// Generates the day's rows (`events_per_day` LLM events on average, with their tickets and
    /// experiment exposures).
    pub fn new(seed: u64, events_per_day: u32, date: NaiveDate) -> Result<LiveDay, GenerateError> {
        let day = super::profile::day_start_us(date).div_euclid(DAY_US);
        let seed = rng::mix64(seed ^ (day as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ 0x11FE);
        let opts = GenerateOptions { days: 1, seed, events_per_day, end: date };
        Ok(LiveDay { date, batches: batches(&opts)?, write: WriteOptions::default() })
    }

    /// The same day, its parts encoded with `write` (e.g. smaller row groups).
    pub fn with_write_options(self, write: WriteOptions) -> LiveDay {
        LiveDay { write, ..self }
    }

    /// The day's rows with `from_us <= created_at < to_us` (µs since 1970-01-01 UTC), one part
    /// per table and UTC day (a ticket opened after midnight falls on the next day); tables with
    /// no rows in the window are left out. Disjoint windows give disjoint rows.
    pub fn window(&self, from_us: i64, to_us: i64) -> Result<Vec<DayPart>, GenerateError> {
        let mut out = Vec::new();
        for (table, batch) in &self.batches {
            out.extend(split_by_day(*table, batch, from_us, to_us, &self.write)?);
        }
        Ok(out)
    }

    /// Rows per table over the whole day (including tickets that spill past midnight).
    pub fn rows(&self, table: Table) -> usize {
        self.batches.iter().find(|(t, _)| *t == table).map_or(0, |(_, b)| b.num_rows())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::{conversion_csv, dashboard_csv};
    use crate::{Dataset, Query};
    use bytes::Bytes;

    fn opts() -> GenerateOptions {
        GenerateOptions { days: 21, seed: 5, events_per_day: 120, end: NaiveDate::from_ymd_opt(2026, 11, 27).unwrap() }
    }

    fn load_single(snap: &super::super::Snapshots) -> Dataset {
        let mut ds = Dataset::new();
        for (t, b) in snap.files() {
            ds.load(t, t.file_name(), Bytes::copy_from_slice(b)).unwrap();
        }
        ds
    }

    fn load_partitioned(parts: &[DayPart], order: impl Fn(&mut Vec<(String, Bytes)>)) -> Dataset {
        let mut ds = Dataset::new();
        for t in Table::ALL {
            let mut files: Vec<(String, Bytes)> =
                parts.iter().filter(|p| p.table == t).map(|p| (p.path(0), Bytes::from(p.bytes.clone()))).collect();
            order(&mut files);
            let refs: Vec<(&str, Bytes)> = files.iter().map(|(n, b)| (n.as_str(), b.clone())).collect();
            let r = ds.load_parts(t, &refs).unwrap();
            assert_eq!(r.rows_read, parts.iter().filter(|p| p.table == t).map(|p| p.rows as u64).sum::<u64>());
        }
        ds
    }

    #[test]
    fn parts_hold_the_single_files_rows_and_give_the_same_facts() {
        let o = opts();
        let snap = super::super::generate(&o).unwrap();
        let parts = generate_partitioned(&o).unwrap();
        let single = load_single(&snap);
        let q = Query::default();
        let want_d = dashboard_csv(&single.dashboard_facts(&q));
        let want_c = conversion_csv(&single.conversion_facts(&q));
        let want_t = dashboard_csv(&single.daily_totals(&q));
        assert!(want_d.lines().count() > 21 * 3, "a real story: {}", want_d.lines().count());

        // In date order the concatenation is the single file: byte-identical facts.
        let ds = load_partitioned(&parts, |_| {});
        assert_eq!(dashboard_csv(&ds.dashboard_facts(&q)), want_d);
        assert_eq!(conversion_csv(&ds.conversion_facts(&q)), want_c);
        assert_eq!(dashboard_csv(&ds.daily_totals(&q)), want_t);
        assert_eq!(ds.report().tables.iter().map(|t| t.unmatched_tickets).sum::<u64>(),
                   single.report().tables.iter().map(|t| t.unmatched_tickets).sum::<u64>());

        // Any order: the same facts (floats to 1e-12 relative; sums may associate differently).
        let shuffled = load_partitioned(&parts, |v| {
            v.reverse();
            let n = v.len();
            v.swap(0, n / 2);
        });
        assert_facts_close(&shuffled.dashboard_facts(&q), &single.dashboard_facts(&q));
        assert_eq!(conversion_csv(&shuffled.conversion_facts(&q)), want_c);

        // One part per (table, day), each on its own day.
        for p in &parts {
            let desc = crate::manifest::describe_part(p.table, &p.path(0), &Bytes::from(p.bytes.clone())).unwrap();
            assert_eq!((desc.min_date, desc.max_date, desc.rows), (Some(p.date), Some(p.date), p.rows as u64));
        }
        let llm_days = parts.iter().filter(|p| p.table == Table::LlmEvents).count();
        assert_eq!(llm_days, 21);
    }

    fn assert_facts_close(a: &[crate::DashboardFact], b: &[crate::DashboardFact]) {
        assert_eq!(a.len(), b.len());
        let close = |x: Option<f64>, y: Option<f64>| match (x, y) {
            (Some(x), Some(y)) => (x - y).abs() <= 1e-12 * x.abs().max(y.abs()).max(1.0),
            (x, y) => x == y,
        };
        for (x, y) in a.iter().zip(b) {
            let keys = |f: &crate::DashboardFact| {
                (f.event_date, f.provider.clone(), f.events, f.sessions, f.tokens_input, f.tokens_output, f.tickets, f.tickets_resolved_by_agent)
            };
            assert_eq!(keys(x), keys(y));
            for (u, v) in [
                (x.accuracy_daily, y.accuracy_daily),
                (x.accuracy_rolling_7d, y.accuracy_rolling_7d),
                (x.latency_p50_ms, y.latency_p50_ms),
                (x.latency_p95_ms, y.latency_p95_ms),
                (x.resolution_rate, y.resolution_rate),
                (Some(x.revenue_from_ai), Some(y.revenue_from_ai)),
            ] {
                assert!(close(u, v), "{} {}: {u:?} vs {v:?}", x.event_date, x.provider);
            }
        }
    }

    #[test]
    fn live_windows_are_disjoint_and_cover_the_day() {
        let date = NaiveDate::from_ymd_opt(2026, 11, 27).unwrap();
        let live = LiveDay::new(9, 400, date).unwrap();
        let start = super::super::profile::day_start_us(date);
        let cuts = [start, start + 3_600_000_000 * 7, start + 3_600_000_000 * 7 + 10_000_000, start + DAY_US, start + 2 * DAY_US];
        let mut got = [0usize; 3];
        for w in cuts.windows(2) {
            for p in live.window(w[0], w[1]).unwrap() {
                got[Table::ALL.iter().position(|t| *t == p.table).unwrap()] += p.rows;
                let s = super::super::profile::day_start_us(p.date);
                assert!(s + DAY_US > w[0] && s < w[1], "part on {} outside window", p.date);
            }
        }
        for (i, t) in Table::ALL.into_iter().enumerate() {
            assert_eq!(got[i], live.rows(t), "{}", t.name());
        }
        assert!(live.rows(Table::LlmEvents) > 300);
        // Deterministic; another day differs.
        let again = LiveDay::new(9, 400, date).unwrap();
        assert_eq!(again.window(cuts[0], cuts[3]).unwrap(), live.window(cuts[0], cuts[3]).unwrap());
        let next = LiveDay::new(9, 400, date.succ_opt().unwrap()).unwrap();
        assert_ne!(next.rows(Table::LlmEvents), 0);
        assert!(live.window(cuts[3] + 7 * DAY_US, i64::MAX).unwrap().is_empty());
    }
}
