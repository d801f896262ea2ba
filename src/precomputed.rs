//! Precomputed facts as input: the `dashboard_facts.parquet` / `conversion_facts.parquet` that the
//! dbt models in `warehouse/` (or `modelpulse facts --format parquet`) publish, read *instead of*
//! the raw events.
//!
//! A facts file has the columns of `docs/data-contract.md` ("dashboard_facts", "conversion_facts"),
//! matched by name (order and extra columns do not matter). Accepted types, so that what DuckDB,
//! pyarrow, Polars or our own writer produce all read:
//! - `event_date`: Date32, Date64, or a timestamp of any unit (its UTC date);
//! - `provider`: any string type (utf8, large, view, dictionary);
//! - counts: any integer type, or a decimal with scale 0 (DuckDB's `SUM` of integers);
//! - ratios and money: float32/64, any integer, or any decimal.
//!
//! Per-provider rows are used as they are. What the page also needs — the selected providers
//! combined per day ([`Precomputed::daily_totals`]) — can only be *partly* derived from them:
//! counts, tokens, tickets, revenue and the resolution rate are exact (sums and a ratio of sums),
//! but percentiles, accuracy means and distinct sessions of a union cannot be recovered from
//! per-provider values. So on a date where more than one selected provider has a row,
//! `accuracy_daily`, `accuracy_rolling_7d`, `latency_p50_ms` and `latency_p95_ms` are null
//! (never an average of averages), and `sessions` is the sum of the providers' distinct sessions
//! (an upper bound: a session that called two providers that day counts twice). Load the raw
//! events for exact combined figures.

use crate::error::LoadError;
use crate::facts::{ConversionFact, DashboardFact};
use crate::query::Query;
use arrow_array::cast::AsArray;
use arrow_array::types::*;
use arrow_array::{Array, ArrayRef};
use arrow_schema::{DataType, TimeUnit};
use bytes::Bytes;
use chrono::NaiveDate;

/// Which facts table a file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FactsTable {
    /// `dashboard_facts`: one row per (event_date, provider).
    Dashboard,
    /// `conversion_facts`: one row per event_date.
    Conversion,
}

impl FactsTable {
    /// The published file name, e.g. `dashboard_facts.parquet`.
    pub fn file_name(self) -> &'static str {
        match self {
            FactsTable::Dashboard => "dashboard_facts.parquet",
            FactsTable::Conversion => "conversion_facts.parquet",
        }
    }

    /// The table a file name denotes: names containing `dashboard_facts` or `conversion_facts`.
    pub fn for_file_name(name: &str) -> Option<FactsTable> {
        let n = name.to_ascii_lowercase();
        if n.contains("dashboard_facts") {
            Some(FactsTable::Dashboard)
        } else if n.contains("conversion_facts") {
            Some(FactsTable::Conversion)
        } else {
            None
        }
    }
}

/// Precomputed facts loaded from files.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Precomputed {
    /// `dashboard_facts` rows ordered by (event_date, provider bytes); `None` when not loaded.
    pub dashboard: Option<Vec<DashboardFact>>,
    /// `conversion_facts` rows ordered by event_date; `None` when not loaded.
    pub conversion: Option<Vec<ConversionFact>>,
    /// The files the tables came from (dashboard, conversion), for reports.
    pub files: (Option<String>, Option<String>),
}

impl Precomputed {
    /// Reads `bytes` (a Parquet file named `file`) as `table`, replacing that table. On error
    /// nothing changes. Returns the rows read.
    pub fn load(&mut self, table: FactsTable, file: &str, bytes: Bytes) -> Result<u64, LoadError> {
        match table {
            FactsTable::Dashboard => {
                let rows = read_dashboard(file, bytes)?;
                let n = rows.len() as u64;
                self.dashboard = Some(rows);
                self.files.0 = Some(file.to_string());
                Ok(n)
            }
            FactsTable::Conversion => {
                let rows = read_conversion(file, bytes)?;
                let n = rows.len() as u64;
                self.conversion = Some(rows);
                self.files.1 = Some(file.to_string());
                Ok(n)
            }
        }
    }

    /// Providers of the dashboard rows, sorted by byte order.
    pub fn providers(&self) -> Vec<String> {
        let mut p: Vec<String> = self.dashboard.iter().flatten().map(|r| r.provider.clone()).collect();
        p.sort_unstable();
        p.dedup();
        p
    }

    /// First and last date over both tables.
    pub fn date_range(&self) -> Option<(NaiveDate, NaiveDate)> {
        let dates = self
            .dashboard
            .iter()
            .flatten()
            .map(|r| r.event_date)
            .chain(self.conversion.iter().flatten().map(|r| r.event_date));
        dates.fold(None, |acc, d| match acc {
            None => Some((d, d)),
            Some((a, b)) => Some((a.min(d), b.max(d))),
        })
    }

    /// The dashboard rows that pass `q`.
    pub fn dashboard_facts(&self, q: &Query) -> Vec<DashboardFact> {
        self.dashboard
            .iter()
            .flatten()
            .filter(|r| q.keeps_provider(&r.provider) && q.keeps_date(r.event_date))
            .cloned()
            .collect()
    }

    /// The selected providers combined per date (provider `"all"`), as far as per-provider rows
    /// allow — see the module doc: sums exact, percentiles/accuracy null when two or more
    /// providers have a row that date, sessions summed.
    pub fn daily_totals(&self, q: &Query) -> Vec<DashboardFact> {
        combine_daily(&self.dashboard_facts(q))
    }

    /// The conversion rows within `q`'s dates.
    pub fn conversion_facts(&self, q: &Query) -> Vec<ConversionFact> {
        self.conversion.iter().flatten().filter(|r| q.keeps_date(r.event_date)).cloned().collect()
    }
}

/// Combines per-provider rows (ordered by date) into one row per date, provider `"all"`.
pub fn combine_daily(rows: &[DashboardFact]) -> Vec<DashboardFact> {
    let mut out: Vec<DashboardFact> = Vec::new();
    for r in rows {
        match out.last_mut() {
            Some(t) if t.event_date == r.event_date => {
                t.events += r.events;
                t.sessions += r.sessions;
                t.tokens_input += r.tokens_input;
                t.tokens_output += r.tokens_output;
                t.tokens_total += r.tokens_total;
                t.tickets += r.tickets;
                t.tickets_resolved_by_agent += r.tickets_resolved_by_agent;
                t.revenue_from_ai += r.revenue_from_ai;
                // Not derivable for a union of providers.
                t.accuracy_daily = None;
                t.accuracy_rolling_7d = None;
                t.latency_p50_ms = None;
                t.latency_p95_ms = None;
                t.resolution_rate =
                    (t.tickets > 0).then(|| t.tickets_resolved_by_agent as f64 / t.tickets as f64);
            }
            _ => {
                out.push(DashboardFact { provider: "all".to_string(), ..r.clone() });
            }
        }
    }
    out
}

/// The columns of `dashboard_facts`, in contract order.
const DASHBOARD: [&str; 15] = [
    "event_date", "provider", "events", "sessions", "accuracy_daily", "accuracy_rolling_7d",
    "latency_p50_ms", "latency_p95_ms", "tokens_input", "tokens_output", "tokens_total", "tickets",
    "tickets_resolved_by_agent", "resolution_rate", "revenue_from_ai",
];

/// The columns of `conversion_facts`, in contract order.
const CONVERSION: [&str; 10] = [
    "event_date", "treatment_users", "treatment_conversions", "control_users", "control_conversions",
    "treatment_rate", "control_rate", "conversion_uplift", "uplift_ci_low", "uplift_ci_high",
];

/// Accepted-type descriptions for messages.
const DATE_TYPES: &str = "date32, date64, timestamp (any unit)";
const TEXT_TYPES: &str = "utf8, large_utf8, utf8_view, dictionary of strings";
const COUNT_TYPES: &str = "any integer, decimal with scale 0";
const NUMBER_TYPES: &str = "float32, float64, any integer, decimal";

/// Reads the named columns of every row group (one array per row group), with the raw loaders'
/// decoder ([`crate::load::decode`]: the crate's typed column readers over our page reader with
/// decoder-only decompression), so reading facts links neither a Parquet compressor nor the
/// crate's Arrow record-batch reader into the page's worker wasm. Strings come as dictionaries.
fn read_columns(file: &str, bytes: Bytes, names: &[&str]) -> Result<(usize, Vec<Vec<ArrayRef>>), LoadError> {
    let parts = crate::load::decode::Reader::open_columns(file, bytes, names)?.all()?;
    let mut columns: Vec<Vec<ArrayRef>> = vec![Vec::with_capacity(parts.groups.len()); names.len()];
    for group in parts.groups {
        for (k, array) in group.into_iter().enumerate() {
            columns[k].push(array);
        }
    }
    Ok((parts.rows, columns))
}

fn wrong(file: &str, column: &str, found: &DataType, accepted: &str) -> LoadError {
    LoadError::WrongType {
        file: file.to_string(),
        column: column.to_string(),
        found: found.to_string(),
        accepted: accepted.to_string(),
    }
}

fn null_in(file: &str, column: &str) -> LoadError {
    LoadError::Corrupt { file: file.to_string(), detail: format!("column {column}: null in a column that has no nulls") }
}

/// Dates of a date/timestamp column (nulls are an error: every facts row has a date).
fn dates(file: &str, column: &str, parts: &[ArrayRef]) -> Result<Vec<NaiveDate>, LoadError> {
    const EPOCH_CE: i32 = 719_163;
    let mut out = Vec::new();
    for a in parts {
        if a.null_count() > 0 {
            return Err(null_in(file, column));
        }
        let days: Vec<i64> = match a.data_type() {
            DataType::Date32 => a.as_primitive::<Date32Type>().values().iter().map(|&d| i64::from(d)).collect(),
            DataType::Date64 => a.as_primitive::<Date64Type>().values().iter().map(|&ms| ms.div_euclid(86_400_000)).collect(),
            DataType::Timestamp(unit, _) => {
                let per_day: i64 = match unit {
                    TimeUnit::Second => 86_400,
                    TimeUnit::Millisecond => 86_400_000,
                    TimeUnit::Microsecond => 86_400_000_000,
                    TimeUnit::Nanosecond => 86_400_000_000_000,
                };
                let raw: &[i64] = match unit {
                    TimeUnit::Second => a.as_primitive::<TimestampSecondType>().values(),
                    TimeUnit::Millisecond => a.as_primitive::<TimestampMillisecondType>().values(),
                    TimeUnit::Microsecond => a.as_primitive::<TimestampMicrosecondType>().values(),
                    TimeUnit::Nanosecond => a.as_primitive::<TimestampNanosecondType>().values(),
                };
                raw.iter().map(|&v| v.div_euclid(per_day)).collect()
            }
            other => return Err(wrong(file, column, other, DATE_TYPES)),
        };
        for d in days {
            let date = i32::try_from(d)
                .ok()
                .and_then(|d| d.checked_add(EPOCH_CE))
                .and_then(NaiveDate::from_num_days_from_ce_opt)
                .ok_or_else(|| LoadError::Corrupt { file: file.to_string(), detail: format!("column {column}: date out of range") })?;
            out.push(date);
        }
    }
    Ok(out)
}

/// Strings of a text column (nulls are an error).
fn texts(file: &str, column: &str, parts: &[ArrayRef]) -> Result<Vec<String>, LoadError> {
    let mut out = Vec::new();
    for a in parts {
        if a.logical_null_count() > 0 {
            return Err(null_in(file, column));
        }
        match a.data_type() {
            DataType::Utf8 => out.extend(a.as_string::<i32>().iter().map(|v| v.unwrap_or_default().to_string())),
            DataType::LargeUtf8 => out.extend(a.as_string::<i64>().iter().map(|v| v.unwrap_or_default().to_string())),
            DataType::Utf8View => out.extend(a.as_string_view().iter().map(|v| v.unwrap_or_default().to_string())),
            DataType::Dictionary(_, v) if matches!(v.as_ref(), DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View) => {
                let dict = a.as_any_dictionary();
                let values = texts(file, column, std::slice::from_ref(dict.values()))?;
                out.extend(dict.normalized_keys().into_iter().map(|k| values[k].clone()));
            }
            other => return Err(wrong(file, column, other, TEXT_TYPES)),
        }
    }
    Ok(out)
}

/// Values of a numeric column as f64 (`None` for null); `counts_only` refuses floats and
/// decimals with a fraction.
fn numbers(file: &str, column: &str, parts: &[ArrayRef], counts_only: bool) -> Result<Vec<Option<f64>>, LoadError> {
    let accepted = if counts_only { COUNT_TYPES } else { NUMBER_TYPES };
    let mut out = Vec::new();
    for a in parts {
        let start = out.len();
        macro_rules! ints {
            ($t:ty) => {
                out.extend(a.as_primitive::<$t>().values().iter().map(|&v| Some(v as f64)))
            };
        }
        match a.data_type() {
            DataType::Int8 => ints!(Int8Type),
            DataType::Int16 => ints!(Int16Type),
            DataType::Int32 => ints!(Int32Type),
            DataType::Int64 => ints!(Int64Type),
            DataType::UInt8 => ints!(UInt8Type),
            DataType::UInt16 => ints!(UInt16Type),
            DataType::UInt32 => ints!(UInt32Type),
            DataType::UInt64 => ints!(UInt64Type),
            DataType::Float32 if !counts_only => ints!(Float32Type),
            DataType::Float64 if !counts_only => ints!(Float64Type),
            DataType::Decimal128(_, scale) if !counts_only || *scale == 0 => {
                let div = 10f64.powi(i32::from(*scale));
                out.extend(a.as_primitive::<Decimal128Type>().values().iter().map(|&v| Some(v as f64 / div)))
            }
            other => return Err(wrong(file, column, other, accepted)),
        }
        if let Some(nulls) = a.logical_nulls() {
            for (i, valid) in nulls.iter().enumerate() {
                if !valid {
                    out[start + i] = None;
                }
            }
        }
    }
    Ok(out)
}

/// A count column: integers without nulls.
fn counts(file: &str, column: &str, parts: &[ArrayRef]) -> Result<Vec<i64>, LoadError> {
    numbers(file, column, parts, true)?
        .into_iter()
        .map(|v| v.map(|v| v as i64).ok_or_else(|| null_in(file, column)))
        .collect()
}

/// Reads a `dashboard_facts` Parquet file. Rows are returned ordered by (event_date, provider
/// bytes), whatever the file's order.
pub fn read_dashboard(file: &str, bytes: Bytes) -> Result<Vec<DashboardFact>, LoadError> {
    let (rows, c) = read_columns(file, bytes, &DASHBOARD)?;
    let date = dates(file, DASHBOARD[0], &c[0])?;
    let provider = texts(file, DASHBOARD[1], &c[1])?;
    let n = |i: usize| numbers(file, DASHBOARD[i], &c[i], false);
    let k = |i: usize| counts(file, DASHBOARD[i], &c[i]);
    let (events, sessions) = (k(2)?, k(3)?);
    let (acc, roll, p50, p95) = (n(4)?, n(5)?, n(6)?, n(7)?);
    let (tin, tout, ttot, tickets, resolved) = (k(8)?, k(9)?, k(10)?, k(11)?, k(12)?);
    let (rate, revenue) = (n(13)?, n(14)?);
    let mut out: Vec<DashboardFact> = (0..rows)
        .map(|i| DashboardFact {
            event_date: date[i],
            provider: provider[i].clone(),
            events: events[i],
            sessions: sessions[i],
            accuracy_daily: acc[i],
            accuracy_rolling_7d: roll[i],
            latency_p50_ms: p50[i],
            latency_p95_ms: p95[i],
            tokens_input: tin[i],
            tokens_output: tout[i],
            tokens_total: ttot[i],
            tickets: tickets[i],
            tickets_resolved_by_agent: resolved[i],
            resolution_rate: rate[i],
            revenue_from_ai: revenue[i].unwrap_or(0.0),
        })
        .collect();
    out.sort_by(|a, b| a.event_date.cmp(&b.event_date).then_with(|| a.provider.as_bytes().cmp(b.provider.as_bytes())));
    if let Some(w) = out.windows(2).find(|w| w[0].event_date == w[1].event_date && w[0].provider == w[1].provider) {
        return Err(LoadError::Corrupt {
            file: file.to_string(),
            detail: format!("two rows for {} / {}", w[0].event_date, w[0].provider),
        });
    }
    Ok(out)
}

/// Reads a `conversion_facts` Parquet file, rows ordered by event_date.
pub fn read_conversion(file: &str, bytes: Bytes) -> Result<Vec<ConversionFact>, LoadError> {
    let (rows, c) = read_columns(file, bytes, &CONVERSION)?;
    let date = dates(file, CONVERSION[0], &c[0])?;
    let n = |i: usize| numbers(file, CONVERSION[i], &c[i], false);
    let k = |i: usize| counts(file, CONVERSION[i], &c[i]);
    let (tu, tc, cu, cc) = (k(1)?, k(2)?, k(3)?, k(4)?);
    let (tr, cr, up, lo, hi) = (n(5)?, n(6)?, n(7)?, n(8)?, n(9)?);
    let mut out: Vec<ConversionFact> = (0..rows)
        .map(|i| ConversionFact {
            event_date: date[i],
            treatment_users: tu[i],
            treatment_conversions: tc[i],
            control_users: cu[i],
            control_conversions: cc[i],
            treatment_rate: tr[i],
            control_rate: cr[i],
            conversion_uplift: up[i],
            uplift_ci_low: lo[i],
            uplift_ci_high: hi[i],
        })
        .collect();
    out.sort_by_key(|r| r.event_date);
    if let Some(w) = out.windows(2).find(|w| w[0].event_date == w[1].event_date) {
        return Err(LoadError::Corrupt { file: file.to_string(), detail: format!("two rows for {}", w[0].event_date) });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::{conversion_parquet, dashboard_parquet};

    fn row(date: &str, provider: &str, events: i64, p95: f64, tickets: i64, resolved: i64) -> DashboardFact {
        DashboardFact {
            event_date: date.parse().unwrap(),
            provider: provider.into(),
            events,
            sessions: events / 2,
            accuracy_daily: Some(0.5),
            accuracy_rolling_7d: Some(0.6),
            latency_p50_ms: Some(p95 / 2.0),
            latency_p95_ms: Some(p95),
            tokens_input: 10 * events,
            tokens_output: 20 * events,
            tokens_total: 30 * events,
            tickets,
            tickets_resolved_by_agent: resolved,
            resolution_rate: (tickets > 0).then(|| resolved as f64 / tickets as f64),
            revenue_from_ai: 1.5 * resolved as f64,
        }
    }

    #[test]
    fn our_own_parquet_output_reads_back_exactly() {
        let rows = vec![
            row("2026-11-01", "Anthropic", 10, 900.0, 4, 3),
            row("2026-11-01", "OpenAI", 20, 1300.0, 0, 0),
            DashboardFact { accuracy_daily: None, accuracy_rolling_7d: None, ..row("2026-11-02", "OpenAI", 5, 700.0, 1, 1) },
        ];
        let bytes = Bytes::from(dashboard_parquet(&rows).unwrap());
        assert_eq!(read_dashboard("d.parquet", bytes).unwrap(), rows);
        let conv = vec![ConversionFact {
            event_date: "2026-11-01".parse().unwrap(),
            treatment_users: 10,
            treatment_conversions: 3,
            control_users: 9,
            control_conversions: 2,
            treatment_rate: Some(0.3),
            control_rate: Some(2.0 / 9.0),
            conversion_uplift: Some(0.3 - 2.0 / 9.0),
            uplift_ci_low: None,
            uplift_ci_high: Some(0.7),
        }];
        let bytes = Bytes::from(conversion_parquet(&conv).unwrap());
        assert_eq!(read_conversion("c.parquet", bytes).unwrap(), conv);
    }

    #[test]
    fn totals_sum_what_is_additive_and_leave_the_rest_null() {
        let rows = vec![
            row("2026-11-01", "Anthropic", 10, 900.0, 4, 3),
            row("2026-11-01", "OpenAI", 20, 1300.0, 6, 1),
            row("2026-11-02", "OpenAI", 5, 700.0, 0, 0),
        ];
        let t = combine_daily(&rows);
        assert_eq!(t.len(), 2);
        assert_eq!((t[0].provider.as_str(), t[0].events, t[0].sessions, t[0].tickets), ("all", 30, 15, 10));
        assert_eq!((t[0].tokens_total, t[0].tickets_resolved_by_agent), (900, 4));
        assert_eq!(t[0].resolution_rate, Some(0.4));
        assert_eq!(t[0].revenue_from_ai, 6.0);
        assert_eq!((t[0].latency_p95_ms, t[0].accuracy_daily, t[0].accuracy_rolling_7d), (None, None, None));
        // One provider that day: its row is the total.
        assert_eq!(t[1], DashboardFact { provider: "all".into(), ..rows[2].clone() });
    }

    #[test]
    fn queries_filter_rows() {
        let mut p = Precomputed::default();
        let rows = vec![row("2026-11-01", "B", 1, 1.0, 0, 0), row("2026-11-02", "A", 1, 1.0, 0, 0)];
        p.load(FactsTable::Dashboard, "d.parquet", Bytes::from(dashboard_parquet(&rows).unwrap())).unwrap();
        assert_eq!(p.providers(), vec!["A".to_string(), "B".to_string()]);
        assert_eq!(p.date_range(), Some(("2026-11-01".parse().unwrap(), "2026-11-02".parse().unwrap())));
        let q = Query { providers: Some(vec!["A".into()]), ..Default::default() };
        assert_eq!(p.dashboard_facts(&q), vec![rows[1].clone()]);
        let q = Query { to: Some("2026-11-01".parse().unwrap()), ..Default::default() };
        assert_eq!(p.daily_totals(&q).len(), 1);
    }

    #[test]
    fn bad_files_name_the_file_and_problem() {
        let e = read_dashboard("d.parquet", Bytes::from_static(b"nope")).unwrap_err();
        assert!(e.to_string().starts_with("d.parquet: not a Parquet file"), "{e}");
        // A raw events file is not a facts file: the first missing column is named.
        let raw = Bytes::from_static(include_bytes!("../tests/data/pyarrow-brotli-106/raw_support_events.parquet"));
        let e = read_dashboard("raw.parquet", raw).unwrap_err();
        assert_eq!(e.to_string(), "raw.parquet: missing required column \"event_date\"");
    }

    #[test]
    fn file_names_choose_the_table() {
        assert_eq!(FactsTable::for_file_name("out/dashboard_facts.parquet"), Some(FactsTable::Dashboard));
        assert_eq!(FactsTable::for_file_name("Conversion_Facts-2026.parquet"), Some(FactsTable::Conversion));
        assert_eq!(FactsTable::for_file_name("raw_conversion_events.parquet"), None);
    }
}
