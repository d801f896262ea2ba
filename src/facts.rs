//! The output rows of the models and their text forms.
//!
//! Facts are small (one row per day × provider), plain and serialisable, so they can cross a
//! message boundary (a Web Worker) or be written by the CLI. CSV follows the spec's
//! "Numbers in text output": a header row, dates as `YYYY-MM-DD`, null as an empty field, floats in
//! Rust's shortest round-trip `{}` form.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use arrow_array::{ArrayRef, Date32Array, Float64Array, Int64Array, RecordBatch, StringArray};
use arrow_schema::{DataType, Field, Schema};
use std::fmt::Write as _;
use std::sync::Arc;

/// One row of `dashboard_facts`: one (UTC event_date, provider) with at least one LLM event.
/// Field order is the CSV column order. See `docs/data-contract.md` for each definition.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DashboardFact {
    pub event_date: NaiveDate,
    pub provider: String,
    pub events: i64,
    pub sessions: i64,
    pub accuracy_daily: Option<f64>,
    pub accuracy_rolling_7d: Option<f64>,
    pub latency_p50_ms: Option<f64>,
    pub latency_p95_ms: Option<f64>,
    pub tokens_input: i64,
    pub tokens_output: i64,
    pub tokens_total: i64,
    pub tickets: i64,
    pub tickets_resolved_by_agent: i64,
    pub resolution_rate: Option<f64>,
    pub revenue_from_ai: f64,
}

/// One row of `conversion_facts`: one UTC event_date with at least one treatment or control row.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConversionFact {
    pub event_date: NaiveDate,
    pub treatment_users: i64,
    pub treatment_conversions: i64,
    pub control_users: i64,
    pub control_conversions: i64,
    pub treatment_rate: Option<f64>,
    pub control_rate: Option<f64>,
    pub conversion_uplift: Option<f64>,
    pub uplift_ci_low: Option<f64>,
    pub uplift_ci_high: Option<f64>,
}

/// CSV header of `dashboard_facts`.
pub const DASHBOARD_COLUMNS: [&str; 15] = [
    "event_date", "provider", "events", "sessions", "accuracy_daily", "accuracy_rolling_7d",
    "latency_p50_ms", "latency_p95_ms", "tokens_input", "tokens_output", "tokens_total", "tickets",
    "tickets_resolved_by_agent", "resolution_rate", "revenue_from_ai",
];

/// CSV header of `conversion_facts`.
pub const CONVERSION_COLUMNS: [&str; 10] = [
    "event_date", "treatment_users", "treatment_conversions", "control_users",
    "control_conversions", "treatment_rate", "control_rate", "conversion_uplift", "uplift_ci_low",
    "uplift_ci_high",
];

/// A CSV cell: what one field prints as.
trait Cell {
    fn write_cell(&self, out: &mut String);
}
impl Cell for i64 {
    fn write_cell(&self, out: &mut String) {
        let _ = write!(out, "{self}");
    }
}
impl Cell for f64 {
    fn write_cell(&self, out: &mut String) {
        let _ = write!(out, "{self}");
    }
}
impl Cell for NaiveDate {
    fn write_cell(&self, out: &mut String) {
        let _ = write!(out, "{}", self.format("%Y-%m-%d"));
    }
}
impl Cell for String {
    fn write_cell(&self, out: &mut String) {
        if self.contains([',', '"', '\n', '\r']) {
            out.push('"');
            out.push_str(&self.replace('"', "\"\""));
            out.push('"');
        } else {
            out.push_str(self);
        }
    }
}
impl<T: Cell> Cell for Option<T> {
    fn write_cell(&self, out: &mut String) {
        if let Some(v) = self {
            v.write_cell(out);
        }
    }
}

fn write_row(out: &mut String, cells: &[&dyn Cell]) {
    for (i, c) in cells.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        c.write_cell(out);
    }
    out.push('\n');
}

/// `dashboard_facts` as CSV text, header included (a header-only CSV for no rows).
pub fn dashboard_csv(rows: &[DashboardFact]) -> String {
    let mut out = DASHBOARD_COLUMNS.join(",");
    out.push('\n');
    for r in rows {
        write_row(
            &mut out,
            &[
                &r.event_date, &r.provider, &r.events, &r.sessions, &r.accuracy_daily,
                &r.accuracy_rolling_7d, &r.latency_p50_ms, &r.latency_p95_ms, &r.tokens_input,
                &r.tokens_output, &r.tokens_total, &r.tickets, &r.tickets_resolved_by_agent,
                &r.resolution_rate, &r.revenue_from_ai,
            ],
        );
    }
    out
}

/// `conversion_facts` as CSV text, header included.
pub fn conversion_csv(rows: &[ConversionFact]) -> String {
    let mut out = CONVERSION_COLUMNS.join(",");
    out.push('\n');
    for r in rows {
        write_row(
            &mut out,
            &[
                &r.event_date, &r.treatment_users, &r.treatment_conversions, &r.control_users,
                &r.control_conversions, &r.treatment_rate, &r.control_rate, &r.conversion_uplift,
                &r.uplift_ci_low, &r.uplift_ci_high,
            ],
        );
    }
    out
}

/// `dashboard_facts` as a JSON array of objects (field names as the CSV header; null as `null`;
/// dates as `"YYYY-MM-DD"`).
pub fn dashboard_json(rows: &[DashboardFact]) -> String {
    serde_json::to_string(rows).expect("facts serialise")
}

/// `conversion_facts` as a JSON array of objects.
pub fn conversion_json(rows: &[ConversionFact]) -> String {
    serde_json::to_string(rows).expect("facts serialise")
}

/// `dashboard_facts` as an Arrow batch (event_date: Date32, provider: Utf8, counts: Int64,
/// ratios: nullable Float64), columns in CSV order.
pub fn dashboard_batch(rows: &[DashboardFact]) -> RecordBatch {
    let i = |f: fn(&DashboardFact) -> i64| Arc::new(Int64Array::from_iter_values(rows.iter().map(f))) as ArrayRef;
    let o = |f: fn(&DashboardFact) -> Option<f64>| Arc::new(rows.iter().map(f).collect::<Float64Array>()) as ArrayRef;
    let columns: Vec<ArrayRef> = vec![
        dates(rows.iter().map(|r| r.event_date)),
        Arc::new(StringArray::from_iter_values(rows.iter().map(|r| r.provider.as_str()))),
        i(|r| r.events),
        i(|r| r.sessions),
        o(|r| r.accuracy_daily),
        o(|r| r.accuracy_rolling_7d),
        o(|r| r.latency_p50_ms),
        o(|r| r.latency_p95_ms),
        i(|r| r.tokens_input),
        i(|r| r.tokens_output),
        i(|r| r.tokens_total),
        i(|r| r.tickets),
        i(|r| r.tickets_resolved_by_agent),
        o(|r| r.resolution_rate),
        o(|r| Some(r.revenue_from_ai)),
    ];
    batch(&DASHBOARD_COLUMNS, columns)
}

/// `conversion_facts` as an Arrow batch, columns in CSV order.
pub fn conversion_batch(rows: &[ConversionFact]) -> RecordBatch {
    let i = |f: fn(&ConversionFact) -> i64| Arc::new(Int64Array::from_iter_values(rows.iter().map(f))) as ArrayRef;
    let o = |f: fn(&ConversionFact) -> Option<f64>| Arc::new(rows.iter().map(f).collect::<Float64Array>()) as ArrayRef;
    let columns: Vec<ArrayRef> = vec![
        dates(rows.iter().map(|r| r.event_date)),
        i(|r| r.treatment_users),
        i(|r| r.treatment_conversions),
        i(|r| r.control_users),
        i(|r| r.control_conversions),
        o(|r| r.treatment_rate),
        o(|r| r.control_rate),
        o(|r| r.conversion_uplift),
        o(|r| r.uplift_ci_low),
        o(|r| r.uplift_ci_high),
    ];
    batch(&CONVERSION_COLUMNS, columns)
}

/// `dashboard_facts` as a Parquet file (zstd).
pub fn dashboard_parquet(rows: &[DashboardFact]) -> Result<Vec<u8>, parquet::errors::ParquetError> {
    to_parquet(&dashboard_batch(rows))
}

/// `conversion_facts` as a Parquet file (zstd).
pub fn conversion_parquet(rows: &[ConversionFact]) -> Result<Vec<u8>, parquet::errors::ParquetError> {
    to_parquet(&conversion_batch(rows))
}

fn dates(it: impl Iterator<Item = NaiveDate>) -> ArrayRef {
    use chrono::Datelike;
    Arc::new(Date32Array::from_iter_values(it.map(|d| d.num_days_from_ce() - 719_163)))
}

fn batch(names: &[&str], columns: Vec<ArrayRef>) -> RecordBatch {
    let fields: Vec<Field> = names
        .iter()
        .zip(&columns)
        .map(|(n, c)| Field::new(*n, c.data_type().clone(), c.data_type() == &DataType::Float64))
        .collect();
    RecordBatch::try_new(Arc::new(Schema::new(fields)), columns).expect("columns match the schema")
}

fn to_parquet(batch: &RecordBatch) -> Result<Vec<u8>, parquet::errors::ParquetError> {
    use parquet::arrow::ArrowWriter;
    use parquet::basic::{Compression, ZstdLevel};
    use parquet::file::properties::WriterProperties;
    let props = WriterProperties::builder().set_compression(Compression::ZSTD(ZstdLevel::default())).build();
    let mut out = Vec::new();
    let mut w = ArrowWriter::try_new(&mut out, batch.schema(), Some(props))?;
    w.write(batch)?;
    w.close()?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_prints_nulls_empty_and_floats_shortest() {
        let row = ConversionFact {
            event_date: NaiveDate::from_ymd_opt(2026, 10, 11).unwrap(),
            treatment_users: 3,
            treatment_conversions: 1,
            control_users: 0,
            control_conversions: 0,
            treatment_rate: Some(1.0 / 3.0),
            control_rate: None,
            conversion_uplift: None,
            uplift_ci_low: None,
            uplift_ci_high: Some(1.0),
        };
        assert_eq!(
            conversion_csv(&[row]).lines().nth(1).unwrap(),
            "2026-10-11,3,1,0,0,0.3333333333333333,,,,1"
        );
    }

    #[test]
    fn csv_quotes_provider_with_comma() {
        let mut s = String::new();
        "a,\"b\"".to_string().write_cell(&mut s);
        assert_eq!(s, "\"a,\"\"b\"\"\"");
    }

    #[test]
    fn parquet_output_reads_back() {
        let row = ConversionFact {
            event_date: NaiveDate::from_ymd_opt(2026, 10, 11).unwrap(),
            treatment_users: 3,
            treatment_conversions: 1,
            control_users: 0,
            control_conversions: 0,
            treatment_rate: Some(1.0 / 3.0),
            control_rate: None,
            conversion_uplift: None,
            uplift_ci_low: None,
            uplift_ci_high: None,
        };
        let bytes = conversion_parquet(&[row.clone(), row]).unwrap();
        let reader = parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(bytes::Bytes::from(bytes))
            .unwrap()
            .build()
            .unwrap();
        let batches: Vec<RecordBatch> = reader.map(|b| b.unwrap()).collect();
        assert_eq!(batches[0].num_rows(), 2);
        assert_eq!(batches[0].schema().field(0).data_type(), &DataType::Date32);
        assert_eq!(batches[0].column(6).null_count(), 2);
    }
}
