//! Loading: Parquet bytes → normalised columnar tables.
//!
//! CORE HELPER: implement. Public API below is what the CLI, the page, charts and alerts use;
//! keep these signatures (add, don't rename).

use crate::contract::Table;
use crate::error::LoadError;
use crate::facts::{ConversionFact, DashboardFact};
use crate::query::Query;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// What loading one file did.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TableReport {
    /// The file name as given to [`Dataset::load`].
    pub file: String,
    /// Rows in the file.
    pub rows_read: u64,
    /// Rows dropped because `created_at` is null (LLM and conversion tables).
    pub rows_dropped: u64,
    /// Support rows whose ticket_id matches no session (support table only; computed against the
    /// LLM table loaded at the time of the report).
    pub unmatched_tickets: u64,
}

/// The load report: one entry per loaded table.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LoadReport {
    pub tables: Vec<TableReport>,
}

/// The loaded snapshots, normalised, with whatever indices the models need.
/// A table that was never loaded behaves as an empty table.
#[derive(Debug, Default)]
pub struct Dataset {
    // CORE HELPER: normalised columns + prepared group indices.
}

impl Dataset {
    /// An empty dataset (all three tables empty).
    pub fn new() -> Self {
        Self::default()
    }

    /// Decodes `bytes` (a Parquet file named `file`, used in messages) as `table`, replacing what
    /// was loaded for that table. On error the dataset is unchanged.
    pub fn load(&mut self, table: Table, file: &str, bytes: bytes::Bytes) -> Result<TableReport, LoadError> {
        let _ = (table, file, bytes);
        unimplemented!("core helper")
    }

    /// The per-file load report (rows read, dropped, unmatched tickets).
    pub fn report(&self) -> LoadReport {
        unimplemented!("core helper")
    }

    /// Providers present in the LLM table, sorted by byte order.
    pub fn providers(&self) -> Vec<String> {
        unimplemented!("core helper")
    }

    /// First and last UTC event dates over the LLM and conversion tables; `None` when empty.
    pub fn date_range(&self) -> Option<(NaiveDate, NaiveDate)> {
        unimplemented!("core helper")
    }

    /// `dashboard_facts` rows that pass `q`, ordered by (event_date, provider).
    pub fn dashboard_facts(&self, q: &Query) -> Vec<DashboardFact> {
        let _ = q;
        unimplemented!("core helper")
    }

    /// One row per event_date: the selected providers combined as one group (provider = `"all"`),
    /// every metric defined as in `dashboard_facts` but over the union of their events and tickets
    /// (percentiles and rolling accuracy recomputed over that union, not averaged).
    pub fn daily_totals(&self, q: &Query) -> Vec<DashboardFact> {
        let _ = q;
        unimplemented!("core helper")
    }

    /// `conversion_facts` rows within `q`'s date range (providers do not apply).
    pub fn conversion_facts(&self, q: &Query) -> Vec<ConversionFact> {
        let _ = q;
        unimplemented!("core helper")
    }
}
