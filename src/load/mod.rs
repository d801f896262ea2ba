//! Loading: Parquet bytes → normalised columnar tables, plus the prepared indices the models
//! query.
//!
//! [`Dataset::load`] decodes one snapshot ([`decode`]: projection by column name, contract type
//! checks, clear errors), normalises it ([`tables`]) and re-prepares what depends on it: the
//! dashboard index when the LLM table changes, the ticket attribution when the LLM or the support
//! table changes, the per-day counts when the conversion table changes. The query methods
//! ([`Dataset::dashboard_facts`], [`Dataset::daily_totals`], [`Dataset::conversion_facts`]) only
//! read prepared numbers, so a filter change is cheap.

pub(crate) mod convert;
pub(crate) mod decode;
pub(crate) mod pages;
pub(crate) mod par;
pub mod ranges;
pub(crate) mod tables;
mod parts;
pub use parts::PartCache;
pub use tables::LlmStream;

use crate::contract::Table;
use crate::error::LoadError;
use crate::facts::{ConversionFact, DashboardFact};
use crate::model::attribution::TicketIndex;
use crate::model::conversion_facts::ConversionIndex;
use crate::model::dashboard_facts::{DashboardIndex, date_of};
use crate::query::Query;
use tables::{ConversionTable, LlmTable, SupportTable};
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
    llm: Option<LlmTable>,
    support: Option<SupportTable>,
    conversion: Option<ConversionTable>,
    dashboard: DashboardIndex,
    tickets: TicketIndex,
    conversions: ConversionIndex,
    /// Published facts read instead of raw events ([`Dataset::load_facts`]): used for a table
    /// whose raw events are not loaded.
    precomputed: crate::precomputed::Precomputed,
    /// The cached parts the LLM table was last merged from by [`Dataset::load_cached`], so a
    /// refresh that only appends parts merges just those; `None` when the table came otherwise.
    llm_merged: Option<parts::LlmMerged>,
}

impl Dataset {
    /// An empty dataset (all three tables empty).
    pub fn new() -> Self {
        Self::default()
    }

    /// Decodes `bytes` (a Parquet file named `file`, used in messages) as `table`, replacing what
    /// was loaded for that table. On error the dataset is unchanged.
    pub fn load(&mut self, table: Table, file: &str, bytes: bytes::Bytes) -> Result<TableReport, LoadError> {
        self.load_source(table, file, ranges::Source::from(bytes))
    }

    /// Like [`Dataset::load`], from a [`ranges::Source`]: the whole file, or the ranges of it
    /// that a [`ranges::Plan`] fetched — then only the plan's row groups are loaded (see
    /// [`ranges`] for which facts stay exact).
    pub fn load_source(&mut self, table: Table, file: &str, bytes: ranges::Source) -> Result<TableReport, LoadError> {
        match table {
            Table::LlmEvents => self.set_llm(LlmTable::load(file, bytes)?),
            Table::SupportEvents => {
                self.support = Some(SupportTable::load(file, bytes)?);
                self.attribute();
            }
            Table::ConversionEvents => {
                let t = ConversionTable::load(file, bytes)?;
                self.conversions = ConversionIndex::build(&t);
                self.conversion = Some(t);
            }
        }
        Ok(self.table_report(table).expect("just loaded"))
    }

    /// Loads `raw_llm_events` decoded by `stream` (every planned row group pushed): the same
    /// as [`Dataset::load_source`] of the fetched ranges.
    pub fn install_llm(&mut self, stream: LlmStream) -> Result<TableReport, LoadError> {
        self.set_llm(stream.finish()?);
        Ok(self.table_report(Table::LlmEvents).expect("just loaded"))
    }

    /// Reads a published facts file (`dashboard_facts.parquet` / `conversion_facts.parquet`, as
    /// the dbt models or `modelpulse facts --format parquet` write them) to serve the queries
    /// instead of raw events: `dashboard_facts`/`daily_totals` use it while no LLM table is
    /// loaded, `conversion_facts` while no conversion table is loaded. What combined totals can
    /// and cannot be derived from it: [`crate::precomputed`]. Returns the rows read.
    pub fn load_facts(&mut self, table: crate::precomputed::FactsTable, file: &str, bytes: bytes::Bytes) -> Result<u64, LoadError> {
        self.precomputed.load(table, file, bytes)
    }

    /// True when the dashboard queries are answered from published facts (no raw LLM events).
    pub fn uses_precomputed_facts(&self) -> bool {
        self.llm.is_none() && self.precomputed.dashboard.is_some()
    }

    fn precomputed_conversion(&self) -> bool {
        self.conversion.is_none() && self.precomputed.conversion.is_some()
    }

    /// Like [`Dataset::load`], timing each phase with `now` (a millisecond clock): for the LLM
    /// table the footer, each column's decoding, each normalising step
    /// ([`tables::LlmTable::load_phases`], sequential), the dashboard index and the attribution;
    /// for the others decode + normalise and the index. For benchmarks (`tests/wasm_perf.rs`);
    /// the dataset ends as [`Dataset::load`] leaves it.
    #[doc(hidden)]
    pub fn load_timed(
        &mut self,
        table: Table,
        file: &str,
        bytes: bytes::Bytes,
        now: &dyn Fn() -> f64,
    ) -> Result<Vec<(String, f64)>, LoadError> {
        let mut phases = Vec::new();
        let mut lap = |name: &str, since: f64| {
            let t = now();
            phases.push((name.to_string(), t - since));
            t
        };
        match table {
            Table::LlmEvents => {
                let (t, p) = LlmTable::load_phases(file, bytes, now)?;
                phases.extend(p);
                let t0 = now();
                self.dashboard = DashboardIndex::build(&t);
                self.llm = Some(t);
                self.llm_merged = None;
                let t1 = now();
                phases.push(("dashboard index".into(), t1 - t0));
                self.attribute();
                phases.push(("attribution".into(), now() - t1));
            }
            Table::SupportEvents => {
                let t0 = now();
                self.support = Some(SupportTable::load(file, bytes)?);
                let t1 = lap("decode + normalise", t0);
                self.attribute();
                lap("attribution", t1);
            }
            Table::ConversionEvents => {
                let t0 = now();
                let t = ConversionTable::load(file, bytes)?;
                let t1 = lap("decode + normalise", t0);
                self.conversions = ConversionIndex::build(&t);
                self.conversion = Some(t);
                lap("conversion index", t1);
            }
        }
        Ok(phases)
    }

    /// Recomputes ticket attribution from the current LLM and support tables.
    fn attribute(&mut self) {
        let empty = LlmTable::default();
        self.tickets = match &self.support {
            Some(s) => TicketIndex::build(self.llm.as_ref().unwrap_or(&empty), &self.dashboard, s),
            None => TicketIndex::default(),
        };
    }

    fn table_report(&self, table: Table) -> Option<TableReport> {
        match table {
            Table::LlmEvents => self.llm.as_ref().map(|t| TableReport {
                file: t.file.clone(),
                rows_read: t.rows_read,
                rows_dropped: t.rows_dropped,
                unmatched_tickets: 0,
            }),
            Table::SupportEvents => self.support.as_ref().map(|t| TableReport {
                file: t.file.clone(),
                rows_read: t.rows_read,
                rows_dropped: 0,
                unmatched_tickets: self.tickets.unmatched,
            }),
            Table::ConversionEvents => self.conversion.as_ref().map(|t| TableReport {
                file: t.file.clone(),
                rows_read: t.rows_read,
                rows_dropped: t.rows_dropped,
                unmatched_tickets: 0,
            }),
        }
    }

    /// The per-file load report (rows read, dropped, unmatched tickets), one entry per loaded
    /// table in [`Table::ALL`] order.
    pub fn report(&self) -> LoadReport {
        let mut tables: Vec<TableReport> = Table::ALL.iter().filter_map(|&t| self.table_report(t)).collect();
        let p = &self.precomputed;
        let facts = [(p.files.0.as_ref(), p.dashboard.as_ref().map(Vec::len)), (p.files.1.as_ref(), p.conversion.as_ref().map(Vec::len))];
        for (file, rows) in facts {
            if let (Some(file), Some(rows)) = (file, rows) {
                tables.push(TableReport { file: file.clone(), rows_read: rows as u64, ..Default::default() });
            }
        }
        LoadReport { tables }
    }

    /// Providers present in the LLM table, sorted by byte order.
    pub fn providers(&self) -> Vec<String> {
        if self.uses_precomputed_facts() {
            return self.precomputed.providers();
        }
        self.dashboard.providers.clone()
    }

    /// First and last UTC event dates over the LLM and conversion tables; `None` when empty.
    pub fn date_range(&self) -> Option<(NaiveDate, NaiveDate)> {
        let llm = self.dashboard.days.first().zip(self.dashboard.days.last()).map(|(a, b)| (a.day, b.day));
        let span = match (llm, self.conversions.span) {
            (Some(a), Some(b)) => Some((a.0.min(b.0), a.1.max(b.1))),
            (a, b) => a.or(b),
        };
        let raw = span.map(|(a, b)| (date_of(a), date_of(b)));
        if !self.uses_precomputed_facts() && !self.precomputed_conversion() {
            return raw;
        }
        match (raw, self.precomputed.date_range()) {
            (Some(a), Some(b)) => Some((a.0.min(b.0), a.1.max(b.1))),
            (a, b) => a.or(b),
        }
    }

    /// `dashboard_facts` rows that pass `q`, ordered by (event_date, provider).
    pub fn dashboard_facts(&self, q: &Query) -> Vec<DashboardFact> {
        if self.uses_precomputed_facts() {
            return self.precomputed.dashboard_facts(q);
        }
        self.dashboard.facts(&self.tickets, q)
    }

    /// One row per event_date: the selected providers combined as one group (provider = `"all"`),
    /// every metric defined as in `dashboard_facts` but over the union of their events and tickets
    /// (percentiles and rolling accuracy recomputed over that union, not averaged). Only dates with
    /// at least one event of a selected provider, within `q`'s date range. From published facts
    /// only what is additive is exact ([`crate::precomputed`]).
    pub fn daily_totals(&self, q: &Query) -> Vec<DashboardFact> {
        if self.uses_precomputed_facts() {
            return self.precomputed.daily_totals(q);
        }
        self.dashboard.daily_totals(&self.tickets, q)
    }

    /// `conversion_facts` rows within `q`'s date range (providers do not apply).
    pub fn conversion_facts(&self, q: &Query) -> Vec<ConversionFact> {
        if self.precomputed_conversion() {
            return self.precomputed.conversion_facts(q);
        }
        self.conversions.facts(q)
    }
}
