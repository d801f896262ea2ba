//! Alert rules and their evaluation — pure, shared by the CLI (`modelpulse alerts`, cron/CI) and
//! the page (the "firing rules" banner).
//!
//! - [`rules`]: the rules file (`alerts.toml`): [`Rules::parse`] turns TOML text into validated
//!   [`Rule`]s, or a [`RulesError`] that names the rule and the field at fault.
//! - [`eval`]: [`evaluate`] runs every rule, for every scope it covers, over every day of the facts
//!   and gives each day's [`State`] (`ok`, `pending`, `firing`, `resolved`) and the latest one.
//!
//! Nothing here touches the network, the clock, the environment or the file system: channel URLs
//! and secrets are carried as written in the file (and as the names of the environment variables
//! to read them from); the CLI resolves and sends. Everything compiles for `wasm32-unknown-unknown`.
//!
//! ```
//! use modelpulse::alerts::{Rules, evaluate};
//! let rules = Rules::parse(r#"
//!     [[rule]]
//!     name = "latency"
//!     metric = "latency_p95_ms"
//!     op = ">"
//!     threshold = 1200
//! "#).unwrap();
//! let evaluation = evaluate(&rules, &[], &[]);
//! assert!(evaluation.firing().next().is_none());
//! ```

pub mod eval;
pub mod rules;

pub use eval::{DayState, Evaluation, SeriesEvaluation, State, evaluate, step};
pub use rules::{
    Channel, ChannelKind, Metric, NoData, NotifySettings, Op, Rule, Rules, RulesError, Scope,
    Severity,
};
