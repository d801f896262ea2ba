//! `config.json`, read by the page from beside `index.html`.
//!
//! ```json
//! {
//!   "snapshots": {
//!     "raw_llm_events": "data/raw_llm_events.parquet",
//!     "raw_support_events": "data/raw_support_events.parquet",
//!     "raw_conversion_events": "data/raw_conversion_events.parquet"
//!   },
//!   "latency_budget_ms": 1200,
//!   "prices": [{"provider": "OpenAI", "input_per_1m": 2.5, "output_per_1m": 10.0}],
//!   "refresh_seconds": 0,
//!   "stale_after_seconds": 86400,
//!   "default_range": "all",
//!   "alerts": "alerts.toml"
//! }
//! ```
//! Every field is optional; a missing field takes the default shown by [`PageConfig::default`].
//!
//! Published facts (what the dbt models or `modelpulse facts --format parquet` write) are named
//! in `snapshots` too, instead of (or beside) the raw events:
//! ```json
//! { "snapshots": { "dashboard_facts": "data/dashboard_facts.parquet",
//!                  "conversion_facts": "data/conversion_facts.parquet" } }
//! ```
//! Once `dashboard_facts` is named, an absent `raw_llm_events` / `raw_support_events` is not
//! loaded (name them to load both; the raw events then win); likewise `conversion_facts` for
//! `raw_conversion_events`. See [`SnapshotUrls`].
//! A partitioned snapshot is named by `"manifest": "data/manifest.json"` instead of `snapshots`
//! (see [`PageConfig::data_source`]).

use crate::charts::Price;
use crate::contract::Table;
use crate::page::view::RangeChoice;
use crate::precomputed::FactsTable;
use serde::{Deserialize, Serialize};

/// Where each snapshot is fetched from, relative to the page (or absolute URLs).
/// `null` (or an empty string) means the table is not loaded and behaves as empty.
///
/// A raw table that the JSON does not mention defaults to `data/<table>.parquet`, except when
/// the published facts that replace it are named: `dashboard_facts` stands for
/// `raw_llm_events` + `raw_support_events`, `conversion_facts` for `raw_conversion_events`
/// (a raw file named explicitly is still loaded, and its events answer instead of the facts).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(from = "SnapshotFields")]
pub struct SnapshotUrls {
    pub raw_llm_events: Option<String>,
    pub raw_support_events: Option<String>,
    pub raw_conversion_events: Option<String>,
    /// A published `dashboard_facts.parquet` ([`crate::precomputed`]); default none.
    pub dashboard_facts: Option<String>,
    /// A published `conversion_facts.parquet`; default none.
    pub conversion_facts: Option<String>,
}

/// `snapshots` as written: `None` = absent, `Some(None)` = `null`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SnapshotFields {
    #[serde(default, deserialize_with = "present")]
    raw_llm_events: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    raw_support_events: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    raw_conversion_events: Option<Option<String>>,
    #[serde(default)]
    dashboard_facts: Option<String>,
    #[serde(default)]
    conversion_facts: Option<String>,
}

fn present<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Option<String>>, D::Error> {
    Option::<String>::deserialize(d).map(Some)
}

impl From<SnapshotFields> for SnapshotUrls {
    fn from(f: SnapshotFields) -> Self {
        let named = |u: &Option<String>| u.as_deref().is_some_and(|u| !u.is_empty());
        let (dash, conv) = (named(&f.dashboard_facts), named(&f.conversion_facts));
        let d = SnapshotUrls::default();
        let pick = |field: Option<Option<String>>, replaced: bool, default: Option<String>| match field {
            Some(v) => v,
            None if replaced => None,
            None => default,
        };
        SnapshotUrls {
            raw_llm_events: pick(f.raw_llm_events, dash, d.raw_llm_events),
            raw_support_events: pick(f.raw_support_events, dash, d.raw_support_events),
            raw_conversion_events: pick(f.raw_conversion_events, conv, d.raw_conversion_events),
            dashboard_facts: f.dashboard_facts,
            conversion_facts: f.conversion_facts,
        }
    }
}

impl Default for SnapshotUrls {
    fn default() -> Self {
        Self {
            raw_llm_events: Some(format!("data/{}", Table::LlmEvents.file_name())),
            raw_support_events: Some(format!("data/{}", Table::SupportEvents.file_name())),
            raw_conversion_events: Some(format!("data/{}", Table::ConversionEvents.file_name())),
            dashboard_facts: None,
            conversion_facts: None,
        }
    }
}

/// The page's configuration. See the module docs for the JSON form.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PageConfig {
    /// The snapshots to load.
    pub snapshots: SnapshotUrls,
    /// Latency budget in ms: the line on the latency chart.
    pub latency_budget_ms: f64,
    /// Price per 1M input/output tokens per provider; a provider without a price has no cost.
    /// Default: [`crate::charts::default_prices`] (what `modelpulse charts` uses without a config).
    pub prices: Vec<Price>,
    /// A partitioned snapshot's `manifest.json` (`docs/manifest.md`), relative to the page or
    /// absolute; when set it replaces `snapshots`. `null` (or `""`, the default) = use `snapshots`.
    pub manifest: Option<String>,
    /// Poll the data every this many seconds (the manifest, or each snapshot, with conditional
    /// requests: see [`crate::refresh`]); 0 = never.
    pub refresh_seconds: u32,
    /// While refreshing, warn when the newest data is older than this many seconds
    /// ([`crate::refresh::is_stale`]); 0 = never warn. Default 86400 (one day).
    pub stale_after_seconds: u32,
    /// The date range shown when the URL does not say: `"all"`, `"7"`, `"30"`, `"90"`.
    pub default_range: String,
    /// The alert rules file (`alerts.toml` format) whose rules the page's banner evaluates,
    /// relative to the page or absolute; `null` (or `""`) = no banner. Default `alerts.toml`
    /// (the repository's file, shipped beside the page).
    pub alerts: Option<String>,
}

impl Default for PageConfig {
    fn default() -> Self {
        Self {
            snapshots: SnapshotUrls::default(),
            latency_budget_ms: 1200.0,
            prices: crate::charts::default_prices(),
            manifest: None,
            refresh_seconds: 0,
            stale_after_seconds: 86_400,
            default_range: "all".to_string(),
            alerts: Some("alerts.toml".to_string()),
        }
    }
}

impl PageConfig {
    /// Parses `config.json` text. The error is one line naming `config.json` and the problem.
    pub fn from_json(text: &str) -> Result<PageConfig, String> {
        let cfg: PageConfig = serde_json::from_str(text).map_err(|e| format!("config.json: {e}"))?;
        if !(cfg.latency_budget_ms.is_finite() && cfg.latency_budget_ms > 0.0) {
            return Err("config.json: latency_budget_ms must be a positive number".to_string());
        }
        if RangeChoice::parse_preset(&cfg.default_range).is_none() {
            return Err(format!(
                "config.json: default_range \"{}\" is not one of \"all\", \"7\", \"30\", \"90\"",
                cfg.default_range
            ));
        }
        Ok(cfg)
    }

    /// The alert rules URL to fetch, if any (`alerts`, empty = none).
    pub fn alerts_url(&self) -> Option<&str> {
        self.alerts.as_deref().filter(|u| !u.is_empty())
    }

    /// The range to show when the URL does not choose one.
    pub fn default_range(&self) -> RangeChoice {
        RangeChoice::parse_preset(&self.default_range).unwrap_or(RangeChoice::All)
    }

    /// Where the page's data comes from, given the page URL's query string:
    /// 1. `?manifest=<URL>`: that manifest;
    /// 2. else `manifest` from the config — under `?data=<base>`, its file name in that folder
    ///    (`<base>/manifest.json`);
    /// 3. else the single files of [`snapshot_urls`](PageConfig::snapshot_urls) (with `?data=`).
    ///
    /// Nothing is probed: `?data=` points at a manifest only when the config names one (or use
    /// `?manifest=`), so a folder's kind never depends on which requests happen to fail.
    pub fn data_source(&self, search: &str) -> DataSource {
        if let Some(url) = query_param(search, "manifest") {
            return DataSource::Manifest(url);
        }
        let base = data_param(search);
        match (self.manifest.as_deref().filter(|m| !m.is_empty()), base.as_deref()) {
            (Some(m), Some(base)) => DataSource::Manifest(format!("{}/{}", base.trim_end_matches('/'), file_name_of(m))),
            (Some(m), None) => DataSource::Manifest(m.to_string()),
            (None, base) => DataSource::Files(self.snapshot_urls(base)),
        }
    }

    /// The published facts files to fetch (whole, never by ranges or polled), each with its
    /// table, under the same rules as [`snapshot_urls`](PageConfig::snapshot_urls) (`?data=`
    /// keeps the configured file name); none when the data comes from a manifest.
    pub fn facts_urls(&self, search: &str) -> Vec<(FactsTable, String)> {
        if matches!(self.data_source(search), DataSource::Manifest(_)) {
            return Vec::new();
        }
        let base = data_param(search);
        let s = &self.snapshots;
        [(FactsTable::Dashboard, &s.dashboard_facts), (FactsTable::Conversion, &s.conversion_facts)]
            .into_iter()
            .filter_map(|(table, url)| Some((table, in_folder(url.as_deref()?, base.as_deref())?)))
            .collect()
    }

    /// The URLs to fetch, one per configured table. With `data_base` (the page's `?data=`), each
    /// snapshot is the configured file name (last path segment) under that folder instead.
    pub fn snapshot_urls(&self, data_base: Option<&str>) -> Vec<(Table, String)> {
        let s = &self.snapshots;
        let configured = [
            (Table::LlmEvents, &s.raw_llm_events),
            (Table::SupportEvents, &s.raw_support_events),
            (Table::ConversionEvents, &s.raw_conversion_events),
        ];
        configured
            .into_iter()
            .filter_map(|(table, url)| Some((table, in_folder(url.as_deref()?, data_base)?)))
            .collect()
    }
}

/// A configured URL (`None` when empty), moved to the `?data=` folder when there is one.
fn in_folder(url: &str, data_base: Option<&str>) -> Option<String> {
    let url = Some(url).filter(|u| !u.is_empty())?;
    Some(match data_base.filter(|b| !b.is_empty()) {
        Some(base) => format!("{}/{}", base.trim_end_matches('/'), file_name_of(url)),
        None => url.to_string(),
    })
}

/// Where the page's data comes from ([`PageConfig::data_source`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum DataSource {
    /// A partitioned snapshot: the manifest's URL (parts resolve against it).
    Manifest(String),
    /// Single files: (table, URL) per configured table.
    Files(Vec<(Table, String)>),
}

/// The last path segment of a URL, without query or fragment: what error messages call the file.
pub fn file_name_of(url: &str) -> &str {
    let path = url.split(['?', '#']).next().unwrap_or(url);
    path.rsplit('/').next().filter(|s| !s.is_empty()).unwrap_or(path)
}

/// The page's `?data=<base URL>` parameter (percent-decoded) from a URL query; `None` when
/// absent or empty.
pub fn data_param(search: &str) -> Option<String> {
    query_param(search, "data")
}

/// The value of `name` in a URL query (percent-decoded); `None` when absent or empty.
fn query_param(search: &str, name: &str) -> Option<String> {
    search
        .trim_start_matches('?')
        .split('&')
        .find_map(|kv| kv.strip_prefix(name)?.strip_prefix('='))
        .map(crate::page::view::percent_decode)
        .filter(|s| !s.is_empty())
}

/// Which table a local (dropped or chosen) file holds, by its name: `…support…`,
/// `…conversion…` or `…llm…` (case-insensitive); `None` when the name says none of these.
pub fn table_for_file_name(name: &str) -> Option<Table> {
    let lower = name.to_ascii_lowercase();
    if lower.contains("support") {
        Some(Table::SupportEvents)
    } else if lower.contains("conversion") {
        Some(Table::ConversionEvents)
    } else if lower.contains("llm") {
        Some(Table::LlmEvents)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_from_file_name() {
        assert_eq!(table_for_file_name("raw_llm_events.parquet"), Some(Table::LlmEvents));
        assert_eq!(table_for_file_name("RAW_SUPPORT_EVENTS-2026.parquet"), Some(Table::SupportEvents));
        assert_eq!(table_for_file_name("my_conversion.parquet"), Some(Table::ConversionEvents));
        assert_eq!(table_for_file_name("facts.parquet"), None);
    }

    #[test]
    fn data_param_is_decoded() {
        assert_eq!(data_param("?range=7&data=http%3A%2F%2Fx%2Fs"), Some("http://x/s".into()));
        assert_eq!(data_param("?data="), None);
        assert_eq!(data_param("?range=7"), None);
    }

    #[test]
    fn empty_object_gives_defaults() {
        let cfg = PageConfig::from_json("{}").unwrap();
        assert_eq!(cfg, PageConfig::default());
        let urls = cfg.snapshot_urls(None);
        assert_eq!(urls.len(), 3);
        assert_eq!(urls[0], (Table::LlmEvents, "data/raw_llm_events.parquet".to_string()));
    }

    #[test]
    fn data_base_replaces_the_folder() {
        let cfg = PageConfig::default();
        let urls = cfg.snapshot_urls(Some("https://example.org/snaps/"));
        assert_eq!(urls[1].1, "https://example.org/snaps/raw_support_events.parquet");
    }

    #[test]
    fn alerts_url_defaults_to_alerts_toml_and_null_means_none() {
        assert_eq!(PageConfig::from_json("{}").unwrap().alerts_url(), Some("alerts.toml"));
        assert_eq!(PageConfig::from_json(r#"{"alerts": "rules/prod.toml"}"#).unwrap().alerts_url(), Some("rules/prod.toml"));
        assert_eq!(PageConfig::from_json(r#"{"alerts": null}"#).unwrap().alerts_url(), None);
        assert_eq!(PageConfig::from_json(r#"{"alerts": ""}"#).unwrap().alerts_url(), None);
    }

    #[test]
    fn null_snapshot_is_skipped() {
        let cfg = PageConfig::from_json(r#"{"snapshots": {"raw_support_events": null}}"#).unwrap();
        let tables: Vec<_> = cfg.snapshot_urls(None).into_iter().map(|(t, _)| t).collect();
        assert_eq!(tables, vec![Table::LlmEvents, Table::ConversionEvents]);
    }

    #[test]
    fn errors_name_config_json() {
        let e = PageConfig::from_json(r#"{"latency_budget_ms": "fast"}"#).unwrap_err();
        assert!(e.starts_with("config.json: "), "{e}");
        let e = PageConfig::from_json(r#"{"default_range": "week"}"#).unwrap_err();
        assert!(e.contains("default_range"), "{e}");
        let e = PageConfig::from_json(r#"{"budget": 3}"#).unwrap_err();
        assert!(e.contains("unknown field"), "{e}");
    }

    #[test]
    fn prices_parse() {
        let cfg = PageConfig::from_json(
            r#"{"prices": [{"provider": "OpenAI", "input_per_1m": 2.5, "output_per_1m": 10}]}"#,
        )
        .unwrap();
        assert_eq!(cfg.prices[0].output_per_1m, 10.0);
    }

    #[test]
    fn data_source_prefers_the_manifest_parameter_then_the_config() {
        let files = PageConfig::default();
        assert_eq!(files.data_source(""), DataSource::Files(files.snapshot_urls(None)));
        assert_eq!(files.data_source("?data=https%3A%2F%2Fx%2Fs"), DataSource::Files(files.snapshot_urls(Some("https://x/s"))));
        assert_eq!(
            files.data_source("?range=7&manifest=https%3A%2F%2Fcdn%2Fm%2Fmanifest.json"),
            DataSource::Manifest("https://cdn/m/manifest.json".into())
        );
        let m = PageConfig::from_json(r#"{"manifest": "data/manifest.json", "refresh_seconds": 10}"#).unwrap();
        assert_eq!(m.data_source(""), DataSource::Manifest("data/manifest.json".into()));
        assert_eq!(m.data_source("?data=https%3A%2F%2Fx%2Fs%2F"), DataSource::Manifest("https://x/s/manifest.json".into()));
        assert_eq!(m.data_source("?manifest=other.json&data=x"), DataSource::Manifest("other.json".into()));
        let blank = PageConfig::from_json(r#"{"manifest": ""}"#).unwrap();
        assert!(matches!(blank.data_source(""), DataSource::Files(_)));
        // `manifests=` is another parameter, not `manifest=`.
        assert!(matches!(files.data_source("?manifests=x"), DataSource::Files(_)));
    }

    #[test]
    fn stale_after_defaults_to_a_day() {
        assert_eq!(PageConfig::from_json("{}").unwrap().stale_after_seconds, 86_400);
        assert_eq!(PageConfig::from_json(r#"{"stale_after_seconds": 0}"#).unwrap().stale_after_seconds, 0);
        assert!(PageConfig::from_json(r#"{"stale_after_seconds": -1}"#).unwrap_err().starts_with("config.json: "));
    }

    #[test]
    fn published_facts_replace_the_absent_raw_tables() {
        let cfg = PageConfig::from_json(
            r#"{"snapshots": {"dashboard_facts": "data/dashboard_facts.parquet", "conversion_facts": "data/conversion_facts.parquet"}}"#,
        )
        .unwrap();
        assert!(cfg.snapshot_urls(None).is_empty());
        assert_eq!(
            cfg.facts_urls(""),
            vec![
                (FactsTable::Dashboard, "data/dashboard_facts.parquet".to_string()),
                (FactsTable::Conversion, "data/conversion_facts.parquet".to_string())
            ]
        );
        // `?data=` keeps the configured file names.
        assert_eq!(cfg.facts_urls("?data=https%3A%2F%2Fx%2Fp%2F")[1].1, "https://x/p/conversion_facts.parquet");
        // Only the replaced tables go: conversion events still default; a named raw file stays.
        let cfg = PageConfig::from_json(
            r#"{"snapshots": {"dashboard_facts": "f/d.parquet", "raw_support_events": "s.parquet"}}"#,
        )
        .unwrap();
        let tables: Vec<_> = cfg.snapshot_urls(None).into_iter().map(|(t, _)| t).collect();
        assert_eq!(tables, vec![Table::SupportEvents, Table::ConversionEvents]);
        assert_eq!(cfg.facts_urls(""), vec![(FactsTable::Dashboard, "f/d.parquet".to_string())]);
        // Empty facts names replace nothing; a manifest takes over from the files.
        let cfg = PageConfig::from_json(r#"{"snapshots": {"dashboard_facts": ""}}"#).unwrap();
        assert_eq!((cfg.snapshot_urls(None).len(), cfg.facts_urls("").len()), (3, 0));
        let cfg = PageConfig::from_json(r#"{"manifest": "m.json", "snapshots": {"dashboard_facts": "d.parquet"}}"#).unwrap();
        assert!(cfg.facts_urls("").is_empty());
        // A misspelt key is an error, not a silent default.
        let e = PageConfig::from_json(r#"{"snapshots": {"dashbord_facts": "d.parquet"}}"#).unwrap_err();
        assert!(e.starts_with("config.json: ") && e.contains("dashbord_facts"), "{e}");
        // What is serialised reads back the same.
        let cfg = PageConfig::from_json(r#"{"snapshots": {"dashboard_facts": "d.parquet"}}"#).unwrap();
        assert_eq!(PageConfig::from_json(&serde_json::to_string(&cfg).unwrap()).unwrap(), cfg);
        assert_eq!(PageConfig::from_json(&serde_json::to_string(&PageConfig::default()).unwrap()).unwrap(), PageConfig::default());
    }

    #[test]
    fn file_name_strips_path_and_query() {
        assert_eq!(file_name_of("data/raw_llm_events.parquet?v=2"), "raw_llm_events.parquet");
        assert_eq!(file_name_of("raw.parquet"), "raw.parquet");
    }
}
