//! The messages between the page's main thread and its Web Worker (`src/worker/`).
//!
//! The worker owns the data: it fetches the snapshots, decodes them into a [`crate::Dataset`],
//! evaluates the alert rules and computes each view's facts ([`crate::engine::Engine`]). The main
//! thread keeps only the UI: it sends [`ToWorker`] requests and gets [`FromWorker`] answers. Only
//! small facts cross the boundary (a view's daily facts, never rows or Arrow data).
//!
//! Every message is one JSON string (`serde_json`, which round-trips `f64` exactly), sent with
//! `postMessage`. The one exception is [`ToWorker::LoadFiles`]: the dropped/chosen `File`
//! objects travel beside the JSON (the main thread posts `{msg: <json>, files: [File, …]}`, the
//! worker reads the files itself; nothing is uploaded).
//!
//! Times are absolute: milliseconds since the Unix epoch as `performance.timeOrigin +
//! performance.now()` on the side that measured, because the worker's `performance.now()` counts
//! from another origin than the page's. The main thread subtracts its own `timeOrigin` to place
//! them on its timeline ([`Span::relative_to`]).

use crate::alerts::Evaluation;
use crate::contract::Table;
use crate::facts::{ConversionFact, DashboardFact};
use crate::i18n::{t, Lang};
use crate::load::LoadReport;
use crate::page::config::{DataSource, PageConfig};
use crate::page::view::{RangeChoice, ViewState};
use crate::precomputed::FactsTable;
use crate::query::Query;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// A request from the main thread.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum ToWorker {
    /// Fetch `urls` (as configured; resolved against `base`, the page's base URL) and make them
    /// the dataset. `alerts_url`: (re)read the alert rules
    /// from there too (the first load); `None` keeps the rules read before. `refresh_seconds > 0`
    /// refetches the same URLs periodically (without progress) until local files replace them.
    /// `lang` is the language of the error messages. `facts`: published facts files
    /// ([`crate::precomputed`]) fetched whole beside them (never by ranges, never polled).
    /// `range`: the view's date range as the page resolved it (URL, else the config's
    /// `default_range`), the window that range reads fetch first.
    LoadUrls {
        base: String,
        urls: Vec<(Table, String)>,
        alerts_url: Option<String>,
        refresh_seconds: u32,
        lang: Lang,
        #[serde(default)]
        facts: Vec<(FactsTable, String)>,
        #[serde(default)]
        range: RangeChoice,
    },
    /// Decode the `File`s posted beside this message (in this order; `names` are their names) as
    /// the whole dataset. Stops the periodic refresh.
    LoadFiles { names: Vec<String>, lang: Lang },
    /// Load the partitioned snapshot whose `manifest.json` is at `url` (resolved against `base`)
    /// and, with `refresh_seconds > 0`, poll it incrementally (`src/worker/refresh.rs`: only new
    /// parts are fetched). `alerts_url`, `lang` as for `LoadUrls`. Answered by `Loaded` (also when
    /// the first attempt fails: its error names the manifest or part), then by `Refresh` statuses.
    LoadManifest { base: String, url: String, alerts_url: Option<String>, refresh_seconds: u32, lang: Lang },
    /// Pause (`true`) or resume (`false`) the periodic refresh; resuming polls at once. Answered
    /// by a `Refresh` status.
    PauseRefresh { paused: bool },
    /// Compute the facts of a view. Answered by [`FromWorker::View`] with the same `id`.
    View { id: u64, query: Query },
    /// `dashboard_csv` of the view's rows (the "Download CSV" button). Answered by
    /// [`FromWorker::Csv`] with the same `id`.
    Csv { id: u64, query: Query },
    /// Posted by src/worker/modelpulse-worker-boot.js right after it starts the worker, before
    /// the page's wasm runs: the page's base URL (`document.baseURI`), its query string
    /// (`location.search`) and the language chosen before (localStorage `modelpulse.lang`). The
    /// worker reads `config.json`, posts it back ([`FromWorker::Config`]) and starts the first
    /// load the page will ask for ([`first_load`]) at once; the page's own identical request
    /// then attaches to it instead of fetching again. Its answers are held until then.
    Boot { base: String, search: String, stored_lang: Option<String> },
}

/// A message from the worker.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum FromWorker {
    /// The worker runs and listens; the main thread sends nothing before this.
    Ready,
    /// Bytes fetched so far by the current (shown) load. `bytes_expected` sums the
    /// Content-Length of the files whose length is known.
    Progress { bytes_fetched: u64, bytes_expected: u64 },
    /// A load finished (also each periodic refresh): the new dataset is in place.
    Loaded(Loaded),
    /// The periodic refresh's state after each poll (and on pause/resume): the page's status
    /// line. Only sent while refresh is on.
    Refresh(crate::refresh::Status),
    /// The facts of the view requested with `id`.
    View { id: u64, view: ViewData },
    /// The CSV requested with `id`.
    Csv { id: u64, text: String },
    /// A request could not be handled at all (e.g. malformed); shown in the error panel.
    Error { message: String },
    /// The worker's wasm could not be loaded (posted by src/worker/modelpulse-worker-start.js, not by Rust).
    StartFailed { message: String },
    /// The answer to [`ToWorker::Boot`]: `config.json` as fetched (relative to the page's base
    /// URL), which the page parses itself (its errors are the page's), or why it could not be.
    Config(ConfigFile),
}

/// `config.json` as the worker fetched it for the page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum ConfigFile {
    /// The file's text.
    Text(String),
    /// The fetch failed (a 404 means: no config, use the defaults).
    Failed(FetchError),
}

/// The first load the page asks for, given its `config`, the page URL's query string `search`
/// (`?data=`, `?manifest=`, the view's range), its base URL and the language: the partitioned
/// snapshot of [`PageConfig::data_source`] (`LoadManifest`), else its single files with the
/// published facts and the view's range (URL, else the config's `default_range`) for range
/// reads (`LoadUrls`). The worker (at boot) and the page compute it with this one function, so
/// the page's request equals the one already under way.
pub fn first_load(config: &PageConfig, search: &str, base: String, lang: Lang) -> ToWorker {
    let alerts_url = config.alerts_url().map(str::to_string);
    let refresh_seconds = config.refresh_seconds;
    match config.data_source(search) {
        DataSource::Manifest(url) => ToWorker::LoadManifest { base, url, alerts_url, refresh_seconds, lang },
        DataSource::Files(urls) => ToWorker::LoadUrls {
            base,
            urls,
            alerts_url,
            refresh_seconds,
            lang,
            facts: config.facts_urls(search),
            range: ViewState::from_query(search, config.default_range()).range,
        },
    }
}

/// The page's language: the URL's `lang`, else the one chosen before (`stored`, localStorage
/// `modelpulse.lang`), else English.
pub fn initial_lang(search: &str, stored: Option<&str>) -> Lang {
    ViewState::from_query(search, RangeChoice::All).lang.or_else(|| stored.and_then(Lang::parse)).unwrap_or_default()
}

/// The result of a load.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Loaded {
    /// Which files the dataset came from (URLs, or local file names).
    pub source: LoadSource,
    /// Per file: rows read, row groups, columns.
    pub report: LoadReport,
    /// Rows read over all files.
    pub rows: u64,
    /// Providers in the LLM table, sorted.
    pub providers: Vec<String>,
    /// First and last date of the data.
    pub date_range: Option<(NaiveDate, NaiveDate)>,
    /// One line per failed file, each starting with the file name.
    pub errors: Vec<String>,
    /// Bytes of the files that were read.
    pub bytes: u64,
    /// True for a periodic refresh (no progress was shown).
    pub refresh: bool,
    /// The alert rules' state after this load (`None`: unchanged, the load did not read them).
    pub rules: Option<RulesStatus>,
    /// When fetching (or reading local files) and decoding ran (absolute ms, see module docs).
    pub fetch: Span,
    pub decode: Span,
    /// The dashboard facts come from a published `dashboard_facts` file, not raw events: the
    /// providers' combined percentiles and accuracy are not derivable ([`crate::precomputed`]).
    #[serde(default)]
    pub published_facts: bool,
    /// Files read by HTTP range requests (`src/worker/ranges.rs`); `None` when every file was
    /// read whole.
    #[serde(default)]
    pub ranges: Option<RangeStats>,
}

/// What the range reads of a load fetched (for the stats footer).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RangeStats {
    /// Files read by ranges.
    pub files: u32,
    /// HTTP requests made for them (footers included).
    pub requests: u32,
    /// Bytes fetched for them.
    pub fetched: u64,
    /// Their total size.
    pub file_bytes: u64,
}

/// Where the dataset came from.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub enum LoadSource {
    #[default]
    None,
    /// Fetched from these URLs.
    Urls(Vec<String>),
    /// Files the visitor dropped or chose.
    Local(Vec<String>),
}

/// Whether usable alert rules are loaded.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RulesStatus {
    /// Rules are loaded (views carry an evaluation).
    pub loaded: bool,
    /// Why the rules file could not be used: (file name, problem).
    pub notice: Option<(String, String)>,
}

/// A time interval in absolute ms (`performance.timeOrigin + performance.now()`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Span {
    pub start: f64,
    pub end: f64,
}

impl Span {
    /// Length in ms.
    pub fn ms(&self) -> f64 {
        self.end - self.start
    }
    /// `(start, end)` on a timeline whose zero is `origin` (absolute ms), e.g. the page's
    /// `performance.timeOrigin`, for `performance.measure`.
    pub fn relative_to(&self, origin: f64) -> (f64, f64) {
        (self.start - origin, self.end - origin)
    }
}

/// The facts of one view: what the KPI tiles, charts, table, banner and summary need.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ViewData {
    /// `dashboard_facts` per provider for the view.
    pub dashboard: Vec<DashboardFact>,
    /// The same facts over the view's providers combined (`daily_totals`).
    pub totals: Vec<DashboardFact>,
    /// `conversion_facts` for the view's dates.
    pub conversion: Vec<ConversionFact>,
    /// The alert rules evaluated on the view's providers up to its last day; `None` without
    /// usable rules.
    pub evaluation: Option<Evaluation>,
    /// When the worker computed this (absolute ms).
    pub aggregate: Span,
}

/// Why a fetch failed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum FetchError {
    /// The server answered with a non-2xx status.
    Http { status: u16, status_text: String },
    /// The request never got an answer: network down, or a cross-origin URL whose server does
    /// not allow this origin (CORS) — the browser does not tell these apart.
    Network(String),
}

impl FetchError {
    /// The error panel's line for file `name` fetched from `url`: starts with the name.
    pub fn text(&self, lang: Lang, name: &str, url: &str) -> String {
        match self {
            FetchError::Http { status, status_text } => {
                format!("{name}: {} {status} {status_text} ({url})", t(lang, "ui.err.http")).trim_end().to_string()
            }
            FetchError::Network(detail) => format!("{name}: {} ({url}; {detail})", t(lang, "ui.err.network")),
        }
    }
}

/// Serialises a message (never fails for these types).
pub fn encode<T: Serialize>(msg: &T) -> String {
    serde_json::to_string(msg).expect("protocol messages serialise")
}

/// Parses a message; the error names what was wrong.
pub fn decode<'a, T: Deserialize<'a>>(text: &'a str) -> Result<T, String> {
    serde_json::from_str(text).map_err(|e| format!("bad message between page and worker: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fact(p: &str, v: f64) -> DashboardFact {
        serde_json::from_value(serde_json::json!({
            "event_date": "2026-11-01", "provider": p, "events": 3, "sessions": 2,
            "accuracy_daily": v, "accuracy_rolling_7d": null, "latency_p50_ms": 0.1 + 0.2,
            "latency_p95_ms": 1234.5678901234567, "tokens_input": 10, "tokens_output": 20,
            "tokens_total": 30, "tickets": 1, "tickets_resolved_by_agent": 1,
            "resolution_rate": 1.0, "revenue_from_ai": 1e-17
        }))
        .unwrap()
    }

    #[test]
    fn messages_round_trip_exactly() {
        let q = Query { providers: Some(vec!["OpenAI".into(), "<b>x</b>".into()]), from: NaiveDate::from_ymd_opt(2026, 1, 2), to: None };
        let to = [
            ToWorker::LoadUrls { base: "http://h/d/".into(), urls: vec![(Table::LlmEvents, "http://h/a b.parquet".into())], alerts_url: Some("alerts.toml".into()), refresh_seconds: 30, lang: Lang::Id, facts: vec![], range: RangeChoice::All },
            ToWorker::LoadUrls {
                base: "http://h/".into(),
                urls: vec![],
                alerts_url: None,
                refresh_seconds: 0,
                lang: Lang::En,
                facts: vec![(FactsTable::Dashboard, "d/dashboard_facts.parquet".into()), (FactsTable::Conversion, "c.parquet".into())],
                range: RangeChoice::Custom { from: NaiveDate::from_ymd_opt(2026, 10, 1), to: None },
            },
            ToWorker::LoadUrls { base: "x".into(), urls: vec![], alerts_url: None, refresh_seconds: 0, lang: Lang::En, facts: vec![], range: RangeChoice::LastDays(30) },
            ToWorker::LoadFiles { names: vec!["raw_llm_events.parquet".into()], lang: Lang::En },
            ToWorker::View { id: 7, query: q.clone() },
            ToWorker::Csv { id: 8, query: Query::default() },
            ToWorker::LoadManifest { base: "http://h/".into(), url: "data/manifest.json".into(), alerts_url: None, refresh_seconds: 5, lang: Lang::En },
            ToWorker::PauseRefresh { paused: true },
        ];
        for m in to {
            assert_eq!(decode::<ToWorker>(&encode(&m)).unwrap(), m);
        }
        let view = ViewData {
            dashboard: vec![fact("OpenAI", 1.0 / 3.0), fact("\"q\"", f64::MIN_POSITIVE)],
            totals: vec![fact("all", 0.1)],
            conversion: vec![],
            evaluation: Some(Evaluation::default()),
            aggregate: Span { start: 1_795_000_000_123.456, end: 1_795_000_000_130.001 },
        };
        let from = [
            FromWorker::Ready,
            FromWorker::Progress { bytes_fetched: 5, bytes_expected: u64::MAX },
            FromWorker::View { id: 3, view },
            FromWorker::Csv { id: 4, text: "a,b\n1,2\n".into() },
            FromWorker::Error { message: "x".into() },
            FromWorker::Refresh(crate::refresh::Status {
                last_success: chrono::DateTime::from_timestamp_millis(1_795_000_000_123),
                newest: chrono::DateTime::from_timestamp_millis(1_794_990_000_000),
                failure: Some(crate::refresh::Failure::new("raw_llm_events/dt=2026-11-27/part-0.parquet", "HTTP 500")),
                next_poll: None,
                paused: true,
            }),
            FromWorker::StartFailed { message: "y".into() },
            FromWorker::Loaded(Loaded {
                source: LoadSource::Local(vec!["a.parquet".into()]),
                rows: 12,
                providers: vec!["A".into()],
                date_range: Some((NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(), NaiveDate::from_ymd_opt(2026, 2, 1).unwrap())),
                errors: vec!["f: bad".into()],
                rules: Some(RulesStatus { loaded: false, notice: Some(("alerts.toml".into(), "why".into())) }),
                ..Default::default()
            }),
            FromWorker::Loaded(Loaded {
                ranges: Some(RangeStats { files: 1, requests: 3, fetched: 1_234_567, file_bytes: 98_765_432 }),
                ..Default::default()
            }),
        ];
        for m in from {
            assert_eq!(decode::<FromWorker>(&encode(&m)).unwrap(), m);
        }
    }

    #[test]
    fn load_urls_without_facts_or_range_still_reads() {
        let js = r#"{"LoadUrls":{"base":"b","urls":[],"alerts_url":null,"refresh_seconds":0,"lang":"en"}}"#;
        let ToWorker::LoadUrls { facts, range, .. } = decode::<ToWorker>(js).unwrap() else { panic!("not LoadUrls") };
        assert_eq!((facts, range), (vec![], RangeChoice::All));
    }

    #[test]
    fn start_failed_matches_what_start_js_posts() {
        let js = r#"{"StartFailed":{"message":"modelpulse-worker_bg.wasm: 404"}}"#;
        assert_eq!(decode::<FromWorker>(js).unwrap(), FromWorker::StartFailed { message: "modelpulse-worker_bg.wasm: 404".into() });
        let start = include_str!("worker/modelpulse-worker-start.js");
        assert!(start.contains("{ StartFailed: { message: "), "src/worker/modelpulse-worker-start.js posts another shape");
    }

    #[test]
    fn boot_matches_what_boot_js_posts() {
        let js = r#"{"Boot":{"base":"http://h/d/","search":"?data=x","stored_lang":null}}"#;
        let want = ToWorker::Boot { base: "http://h/d/".into(), search: "?data=x".into(), stored_lang: None };
        assert_eq!(decode::<ToWorker>(js).unwrap(), want);
        let boot = include_str!("worker/modelpulse-worker-boot.js");
        assert!(boot.contains("{ Boot: { base: "), "src/worker/modelpulse-worker-boot.js posts another shape");
        for m in [want, ToWorker::Boot { base: "b".into(), search: String::new(), stored_lang: Some("id".into()) }] {
            assert_eq!(decode::<ToWorker>(&encode(&m)).unwrap(), m);
        }
        for c in [ConfigFile::Text("{\"refresh_seconds\": 5}".into()), ConfigFile::Failed(FetchError::Http { status: 404, status_text: "Not Found".into() })] {
            let m = FromWorker::Config(c);
            assert_eq!(decode::<FromWorker>(&encode(&m)).unwrap(), m);
        }
    }

    #[test]
    fn first_load_follows_config_and_url() {
        let base = || "http://h/".to_string();
        let d = PageConfig::default();
        let ToWorker::LoadUrls { urls, alerts_url, refresh_seconds, facts, range, lang, .. } = first_load(&d, "", base(), Lang::En) else {
            panic!("default config: single files")
        };
        assert_eq!(urls.len(), 3);
        assert_eq!((alerts_url.as_deref(), refresh_seconds, facts.len(), range, lang), (Some("alerts.toml"), 0, 0, RangeChoice::All, Lang::En));
        // `?data=` moves the files; the URL's range wins over the config's default range.
        let cfg = PageConfig::from_json(r#"{"default_range": "30", "alerts": null, "refresh_seconds": 7}"#).unwrap();
        let ToWorker::LoadUrls { urls, alerts_url, refresh_seconds, range, .. } = first_load(&cfg, "?data=big&range=7", base(), Lang::Id) else {
            panic!("single files")
        };
        assert_eq!(urls[0], (Table::LlmEvents, "big/raw_llm_events.parquet".to_string()));
        assert_eq!((alerts_url, refresh_seconds, range), (None, 7, RangeChoice::LastDays(7)));
        let ToWorker::LoadUrls { range, .. } = first_load(&cfg, "?data=big", base(), Lang::Id) else { panic!("single files") };
        assert_eq!(range, RangeChoice::LastDays(30));
        // A manifest (config or URL) is a LoadManifest.
        let m = PageConfig::from_json(r#"{"manifest": "data/manifest.json", "refresh_seconds": 3}"#).unwrap();
        assert_eq!(
            first_load(&m, "", base(), Lang::En),
            ToWorker::LoadManifest { base: base(), url: "data/manifest.json".into(), alerts_url: Some("alerts.toml".into()), refresh_seconds: 3, lang: Lang::En }
        );
        let ToWorker::LoadManifest { url, .. } = first_load(&d, "?manifest=http%3A%2F%2Fo%2Fm.json", base(), Lang::En) else { panic!("manifest") };
        assert_eq!(url, "http://o/m.json");
    }

    #[test]
    fn initial_lang_prefers_url_then_stored() {
        assert_eq!(initial_lang("?lang=id", Some("en")), Lang::Id);
        assert_eq!(initial_lang("?x=1", Some("id")), Lang::Id);
        assert_eq!(initial_lang("", Some("xx")), Lang::En);
        assert_eq!(initial_lang("", None), Lang::En);
    }

    #[test]
    fn bad_message_is_an_error_not_a_panic() {
        assert!(decode::<ToWorker>("{\"Nope\":1}").unwrap_err().contains("bad message"));
        assert!(decode::<FromWorker>("not json").is_err());
    }

    #[test]
    fn span_converts_to_the_page_timeline() {
        let s = Span { start: 1000.5, end: 1010.25 };
        assert_eq!(s.ms(), 9.75);
        assert_eq!(s.relative_to(1000.0), (0.5, 10.25));
    }

    #[test]
    fn fetch_error_text_starts_with_the_file_name() {
        let e = FetchError::Http { status: 404, status_text: "Not Found".into() };
        assert_eq!(e.text(Lang::En, "x.parquet", "data/x.parquet"), "x.parquet: HTTP error 404 Not Found (data/x.parquet)");
        let e = FetchError::Http { status: 500, status_text: String::new() };
        assert!(e.text(Lang::En, "x.parquet", "u").starts_with("x.parquet: HTTP error 500"));
        let e = FetchError::Network("Failed to fetch".into());
        let s = e.text(Lang::En, "y.parquet", "http://o/y.parquet");
        assert!(s.starts_with("y.parquet: ") && s.contains("CORS") && s.contains("Failed to fetch"), "{s}");
    }
}
