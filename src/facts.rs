//! The output rows of the models and their text forms.
//!
//! Facts are small (one row per day × provider), plain and serialisable, so they can cross a
//! message boundary (a Web Worker) or be written by the CLI. CSV follows the spec's
//! "Numbers in text output": a header row, dates as `YYYY-MM-DD`, null as an empty field, floats in
//! Rust's shortest round-trip `{}` form.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::fmt::Write as _;

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
}
