//! # modelpulse core
//!
//! The pure core of modelpulse: it takes Parquet *bytes* and returns plain, serialisable facts.
//! It knows nothing of the DOM, the terminal or the file system, and compiles for both
//! `wasm32-unknown-unknown` (the page) and the host (the `modelpulse` CLI).
//!
//! Layout (one place per concern):
//! - [`contract`]: the three input tables, their columns and the physical types each accepts.
//! - [`load`]: Parquet bytes → normalised columnar tables, with a per-file [`load::TableReport`].
//! - [`model`]: the metric definitions (`dashboard_facts`, `conversion_facts`), one module each.
//! - [`facts`]: the output row types and their text forms (CSV exactly as the spec says, JSON).
//! - [`query`]: the filter a view applies (providers, date range).
//! - [`i18n`]: UI/chart/narrative strings in English and Bahasa Indonesia, number and date formats.
//! - [`generate`]: deterministic demo snapshots.
//! - [`charts`]: the Plotly figure of each dashboard chart (shared by the page and the CLI).
//! - [`alerts`], [`narrative`]: alert rules and their evaluation; templated summaries.
//! - [`precomputed`]: published `dashboard_facts`/`conversion_facts` Parquet read instead of raw events.
//!
//! The normative definitions live in `docs/data-contract.md` (a copy, in our words, of
//! `shared/spec/metrics.md`).

pub mod alerts;
pub mod charts;
pub mod contract;
pub mod engine;
pub mod error;
pub mod facts;
pub mod generate;
pub mod i18n;
pub mod load;
pub mod manifest;
pub mod model;
pub mod narrative;
pub mod page;
pub mod protocol;
pub mod precomputed;
pub mod query;
pub mod refresh;
pub mod view_cache;

pub use error::LoadError;
pub use facts::{ConversionFact, DashboardFact};
pub use load::Dataset;
pub use query::Query;
