//! The page's data engine: what the Web Worker (`src/worker/`) drives, kept here, pure, so it is
//! tested natively. It holds the decoded snapshots ([`Dataset`]) and the alert rules, and answers
//! the [`crate::protocol`] requests: a load (bytes → dataset), a view's facts, the CSV download.
//! No clock and no I/O: the worker measures the phases and fetches the bytes.

use crate::alerts::{evaluate, Rules};
use crate::contract::Table;
use crate::facts::dashboard_csv;
use crate::i18n::{t, Lang};
use crate::page::alerts::evaluation_query;
use crate::page::config::table_for_file_name;
use crate::precomputed::FactsTable;
use crate::protocol::{Loaded, RulesStatus, ViewData};
use crate::query::Query;
use crate::Dataset;

/// One file's bytes, ready to decode.
#[derive(Debug, Clone)]
pub struct FileBytes {
    pub table: Table,
    /// The file name (last path segment), used in messages.
    pub name: String,
    pub bytes: bytes::Bytes,
}

/// A published facts file's bytes ([`crate::precomputed`]), ready to decode.
#[derive(Debug, Clone)]
pub struct FactsBytes {
    pub table: FactsTable,
    /// The file name (last path segment), used in messages.
    pub name: String,
    pub bytes: bytes::Bytes,
}

/// The table a dropped/chosen local file belongs to, by its name; else the error panel's line
/// for it (starting with the name).
pub fn local_file_table(lang: Lang, name: &str) -> Result<Table, String> {
    table_for_file_name(name).ok_or_else(|| format!("{name}: {}", t(lang, "ui.err.unknown_table")))
}

/// What a dropped/chosen local file holds, by its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LocalFile {
    /// Raw events of a table.
    Raw(Table),
    /// Published facts (`…dashboard_facts…`, `…conversion_facts…`).
    Facts(FactsTable),
}

/// Like [`local_file_table`], but published facts are recognised first (a name containing
/// `conversion_facts` also contains `conversion`).
pub fn local_file_kind(lang: Lang, name: &str) -> Result<LocalFile, String> {
    match FactsTable::for_file_name(name) {
        Some(f) => Ok(LocalFile::Facts(f)),
        None => local_file_table(lang, name).map(LocalFile::Raw),
    }
}

/// The rules file's text (or why it could not be read) parsed: the rules, or the problem the
/// page shows (see [`Engine::set_rules`]).
pub fn parse_rules(text: Result<String, String>) -> Result<Rules, String> {
    text.and_then(|t| Rules::parse(&t).map_err(|e| e.to_string()))
}

/// The dataset and the alert rules of one page.
#[derive(Debug, Default)]
pub struct Engine {
    dataset: Dataset,
    rules: Option<Rules>,
}

impl Engine {
    /// An engine with no data and no rules.
    pub fn new() -> Engine {
        Engine::default()
    }

    /// Takes the rules file `name`'s text (or why it could not be read) and returns the status
    /// the page shows. Invalid or unreadable rules leave the engine without rules (views then
    /// carry no evaluation) and give a notice `(name, problem)`.
    pub fn set_rules(&mut self, name: &str, text: Result<String, String>) -> RulesStatus {
        self.install_rules(name, parse_rules(text))
    }

    /// [`Engine::set_rules`] for rules already parsed by [`parse_rules`] (the worker parses the
    /// rules file as soon as it is in, while the snapshots still download, and installs them
    /// once the new dataset is in place).
    pub fn install_rules(&mut self, name: &str, rules: Result<Rules, String>) -> RulesStatus {
        match rules {
            Ok(rules) => {
                self.rules = Some(rules);
                RulesStatus { loaded: true, notice: None }
            }
            Err(problem) => {
                self.rules = None;
                RulesStatus { loaded: false, notice: Some((name.to_string(), problem)) }
            }
        }
    }

    /// True when rules are loaded.
    pub fn has_rules(&self) -> bool {
        self.rules.is_some()
    }

    /// The dataset (e.g. its date range, for the refresh's staleness).
    pub fn dataset(&self) -> &Dataset {
        &self.dataset
    }

    /// The dataset, for loaders that update it in place: the incremental refresh
    /// (`src/worker/refresh.rs`, [`crate::refresh::ManifestSync::apply`]) replaces only the tables
    /// whose parts changed, and leaves it unchanged when a poll fails.
    pub fn dataset_mut(&mut self) -> &mut Dataset {
        &mut self.dataset
    }

    /// A [`Loaded`] describing the current dataset (report, rows, providers, dates) with
    /// `errors` and `bytes` (fetched by the load); no source, spans or rules status.
    pub fn summary(&self, errors: Vec<String>, bytes: u64) -> Loaded {
        let d = &self.dataset;
        let report = d.report();
        let rows = report.tables.iter().map(|r| r.rows_read).sum();
        Loaded {
            rows,
            providers: d.providers(),
            date_range: d.date_range(),
            report,
            errors,
            bytes,
            published_facts: d.uses_precomputed_facts(),
            ..Default::default()
        }
    }

    /// Decodes `files` into a fresh dataset that replaces the current one. `errors` are the
    /// failures so far (fetch errors); the decode failures (the core's messages, which start with
    /// the file name) are appended. Files that decode stay usable whatever the others do. The
    /// returned [`Loaded`] has no source, spans or rules status: the caller fills those.
    pub fn load(&mut self, files: Vec<FileBytes>, errors: Vec<String>) -> Loaded {
        self.load_with_facts(files, Vec::new(), errors)
    }

    /// Like [`Engine::load`], with published facts files too ([`Dataset::load_facts`]): they
    /// answer the dashboard (conversion) queries while no raw LLM (conversion) events are loaded.
    /// Their rows count in `rows`/`report`, their bytes in `bytes`, and a failure is appended to
    /// `errors` naming the file; `published_facts` tells whether the dashboard comes from them.
    pub fn load_with_facts(&mut self, files: Vec<FileBytes>, facts: Vec<FactsBytes>, mut errors: Vec<String>) -> Loaded {
        let mut ds = Dataset::new();
        let mut bytes = 0u64;
        for f in files {
            bytes += f.bytes.len() as u64;
            if let Err(e) = ds.load(f.table, &f.name, f.bytes) {
                errors.push(e.to_string());
            }
        }
        for f in facts {
            bytes += f.bytes.len() as u64;
            if let Err(e) = ds.load_facts(f.table, &f.name, f.bytes) {
                errors.push(e.to_string());
            }
        }
        self.dataset = ds;
        self.summary(errors, bytes)
    }

    /// The facts of the view `query` (its `from`/`to` already resolved against the data's
    /// dates). With rules, they are evaluated on the view's providers over the history up to the
    /// view's last day (see [`evaluation_query`]). `aggregate` is left for the caller to time.
    pub fn view(&self, query: &Query) -> ViewData {
        let d = &self.dataset;
        let evaluation = self.rules.as_ref().map(|r| {
            let q = evaluation_query(query);
            evaluate(r, &d.dashboard_facts(&q), &d.daily_totals(&q))
        });
        ViewData {
            dashboard: d.dashboard_facts(query),
            totals: d.daily_totals(query),
            conversion: d.conversion_facts(query),
            evaluation,
            aggregate: Default::default(),
        }
    }

    /// `dashboard_csv` of the view's rows: unfiltered, byte for byte what `modelpulse facts`
    /// prints.
    pub fn csv(&self, query: &Query) -> String {
        dashboard_csv(&self.dataset.dashboard_facts(query))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    const DEMO: &str = "../shared/fixtures";

    /// The three snapshots of the first fixture folder that has them all.
    fn fixture_files() -> Option<(std::path::PathBuf, Vec<FileBytes>)> {
        let mut dirs: Vec<_> = std::fs::read_dir(DEMO).ok()?.flatten().map(|e| e.path()).collect();
        dirs.sort();
        for dir in dirs {
            let files: Vec<FileBytes> = Table::ALL
                .iter()
                .filter_map(|&table| {
                    let name = format!("{}.parquet", table.name());
                    let bytes = std::fs::read(dir.join(&name)).ok()?;
                    Some(FileBytes { table, name, bytes: bytes.into() })
                })
                .collect();
            if files.len() == 3 && dir.join("expected/dashboard_facts.csv").exists() {
                return Some((dir, files));
            }
        }
        None
    }

    fn read(p: &Path) -> String {
        std::fs::read_to_string(p).unwrap()
    }

    #[test]
    fn load_then_view_and_csv_match_the_dataset_and_the_fixture() {
        let (dir, files) = fixture_files().expect("a fixture with all three tables");
        let mut ds = Dataset::new();
        for f in &files {
            ds.load(f.table, &f.name, f.bytes.clone()).unwrap();
        }
        let mut e = Engine::new();
        let loaded = e.load(files, vec!["earlier: 404".into()]);
        assert_eq!(loaded.errors, vec!["earlier: 404".to_string()]);
        assert_eq!(loaded.providers, ds.providers());
        assert_eq!(loaded.date_range, ds.date_range());
        assert_eq!(loaded.rows, ds.report().tables.iter().map(|r| r.rows_read).sum::<u64>());
        assert!(loaded.rows > 0 && loaded.bytes > 0);
        // Unfiltered CSV: what `modelpulse facts` prints (dashboard_csv of all the facts), with
        // the fixture's expected rows (values are compared with tolerance by the facts tests).
        let csv = e.csv(&Query::default());
        assert_eq!(csv, dashboard_csv(&ds.dashboard_facts(&Query::default())));
        let expected = read(&dir.join("expected/dashboard_facts.csv"));
        let keys = |s: &str| s.lines().map(|l| l.split(',').take(2).collect::<Vec<_>>().join(",")).collect::<Vec<_>>();
        assert_eq!(keys(&csv), keys(&expected));
        // A filtered view: the dataset's own facts for that query, no evaluation without rules.
        let p = loaded.providers[0].clone();
        let q = Query { providers: Some(vec![p.clone()]), from: None, to: loaded.date_range.map(|r| r.1) };
        let v = e.view(&q);
        assert_eq!(v.dashboard, ds.dashboard_facts(&q));
        assert_eq!(v.totals, ds.daily_totals(&q));
        assert_eq!(v.conversion, ds.conversion_facts(&q));
        assert!(v.dashboard.iter().all(|f| f.provider == p));
        assert!(v.evaluation.is_none());
        // The view survives the message boundary unchanged.
        let msg = crate::protocol::FromWorker::View { id: 1, view: v.clone() };
        let back: crate::protocol::FromWorker = crate::protocol::decode(&crate::protocol::encode(&msg)).unwrap();
        assert_eq!(back, msg);
    }

    #[test]
    fn a_bad_file_is_named_and_the_others_stay_usable() {
        let (_, mut files) = fixture_files().unwrap();
        files[0].bytes = bytes::Bytes::from_static(b"not parquet");
        let name = files[0].name.clone();
        let mut e = Engine::new();
        let loaded = e.load(files, Vec::new());
        assert_eq!(loaded.errors.len(), 1);
        assert!(loaded.errors[0].starts_with(&name), "{:?}", loaded.errors);
        // The other two tables loaded.
        assert_eq!(loaded.report.tables.len(), 2);
        // A new load replaces the dataset entirely.
        let loaded = e.load(Vec::new(), Vec::new());
        assert_eq!(loaded.rows, 0);
        assert!(e.view(&Query::default()).dashboard.is_empty());
    }

    #[test]
    fn rules_evaluate_in_views_and_bad_rules_give_a_notice() {
        let (_, files) = fixture_files().unwrap();
        let mut e = Engine::new();
        e.load(files, Vec::new());
        let text = read(Path::new("alerts.toml"));
        let status = e.set_rules("alerts.toml", Ok(text));
        assert_eq!(status, RulesStatus { loaded: true, notice: None });
        let v = e.view(&Query::default());
        let ev = v.evaluation.expect("an evaluation with rules");
        assert!(!ev.series.is_empty());
        let status = e.set_rules("alerts.toml", Ok("[[rule]]\nname = 1".into()));
        let (file, problem) = status.notice.clone().unwrap();
        assert!(!status.loaded && file == "alerts.toml" && !problem.is_empty());
        assert!(!e.has_rules() && e.view(&Query::default()).evaluation.is_none());
        let status = e.set_rules("x.toml", Err("x.toml: HTTP error 404".into()));
        assert_eq!(status.notice, Some(("x.toml".into(), "x.toml: HTTP error 404".into())));
    }

    /// The fixture's facts as published Parquet files (what `modelpulse facts --format parquet`
    /// writes), and the engine over the raw events.
    fn published() -> (Engine, Vec<FactsBytes>) {
        let (_, files) = fixture_files().unwrap();
        let mut raw = Engine::new();
        raw.load(files, Vec::new());
        let all = Query::default();
        let d = crate::facts::dashboard_parquet(&raw.dataset().dashboard_facts(&all)).unwrap();
        let c = crate::facts::conversion_parquet(&raw.dataset().conversion_facts(&all)).unwrap();
        let facts = vec![
            FactsBytes { table: FactsTable::Dashboard, name: "dashboard_facts.parquet".into(), bytes: d.into() },
            FactsBytes { table: FactsTable::Conversion, name: "conversion_facts.parquet".into(), bytes: c.into() },
        ];
        (raw, facts)
    }

    #[test]
    fn published_facts_answer_like_the_raw_events() {
        let (raw, facts) = published();
        let mut e = Engine::new();
        let loaded = e.load_with_facts(Vec::new(), facts, Vec::new());
        assert!(loaded.errors.is_empty(), "{:?}", loaded.errors);
        assert!(loaded.published_facts && !raw.summary(vec![], 0).published_facts);
        assert_eq!(loaded.providers, raw.dataset().providers());
        assert_eq!(loaded.date_range, raw.dataset().date_range());
        let all = Query::default();
        let files: Vec<_> = loaded.report.tables.iter().map(|r| (r.file.as_str(), r.rows_read)).collect();
        assert_eq!(
            files,
            vec![
                ("dashboard_facts.parquet", raw.dataset().dashboard_facts(&all).len() as u64),
                ("conversion_facts.parquet", raw.dataset().conversion_facts(&all).len() as u64)
            ]
        );
        assert_eq!(loaded.rows, files.iter().map(|f| f.1).sum::<u64>());
        // The CSV download is byte for byte the raw one.
        assert_eq!(e.csv(&all), raw.csv(&all));
        let (first, last) = loaded.date_range.unwrap();
        let mid = first + chrono::Days::new((last - first).num_days() as u64 / 2);
        for p in &loaded.providers {
            for (from, to) in [(None, None), (Some(mid), None), (Some(first), Some(mid))] {
                let q = Query { providers: Some(vec![p.clone()]), from, to };
                let (a, b) = (e.view(&q), raw.view(&q));
                // One provider: its rows ARE the totals, so everything matches the raw view.
                assert_eq!((&a.dashboard, &a.conversion), (&b.dashboard, &b.conversion), "{q:?}");
                assert_eq!(a.totals, b.totals, "{q:?}");
                assert_eq!(e.csv(&q), raw.csv(&q));
            }
        }
        // All providers: additive figures exact, percentiles/accuracy null where two providers
        // have a row that day, never averaged.
        assert!(loaded.providers.len() > 1);
        let (a, b) = (e.view(&all), raw.view(&all));
        assert_eq!(a.dashboard, b.dashboard);
        assert_eq!(a.totals.len(), b.totals.len());
        let per_day = |d| a.dashboard.iter().filter(|f| f.event_date == d).count();
        let mut nulled = 0;
        for (x, y) in a.totals.iter().zip(&b.totals) {
            assert_eq!((x.event_date, x.events, x.tokens_total, x.tickets), (y.event_date, y.events, y.tokens_total, y.tickets));
            assert_eq!(x.tickets_resolved_by_agent, y.tickets_resolved_by_agent);
            assert!((x.revenue_from_ai - y.revenue_from_ai).abs() < 1e-6);
            if per_day(x.event_date) > 1 {
                assert_eq!((x.latency_p95_ms, x.latency_p50_ms, x.accuracy_daily), (None, None, None));
                nulled += 1;
            } else {
                assert_eq!(x.latency_p95_ms, y.latency_p95_ms);
            }
        }
        assert!(nulled > 0);
    }

    #[test]
    fn raw_events_win_over_published_facts_and_bad_facts_are_named() {
        let (raw, mut facts) = published();
        let (_, files) = fixture_files().unwrap();
        let mut e = Engine::new();
        facts[1].bytes = bytes::Bytes::from_static(b"PAR1 not really PAR1");
        let loaded = e.load_with_facts(files, facts, vec![]);
        assert!(!loaded.published_facts);
        assert_eq!(loaded.errors.len(), 1);
        assert!(loaded.errors[0].starts_with("conversion_facts.parquet: "), "{:?}", loaded.errors);
        assert_eq!(e.view(&Query::default()), raw.view(&Query::default()));
    }

    #[test]
    fn local_facts_files_are_recognised_before_raw_names() {
        assert_eq!(local_file_kind(Lang::En, "conversion_facts.parquet"), Ok(LocalFile::Facts(FactsTable::Conversion)));
        assert_eq!(local_file_kind(Lang::En, "x/dashboard_facts (1).parquet"), Ok(LocalFile::Facts(FactsTable::Dashboard)));
        assert_eq!(local_file_kind(Lang::En, "raw_conversion_events.parquet"), Ok(LocalFile::Raw(Table::ConversionEvents)));
        assert!(local_file_kind(Lang::Id, "notes.parquet").unwrap_err().starts_with("notes.parquet: "));
    }

    #[test]
    fn local_files_are_matched_to_tables_by_name() {
        assert_eq!(local_file_table(Lang::En, "raw_llm_events.parquet"), Ok(Table::LlmEvents));
        let e = local_file_table(Lang::En, "notes.parquet").unwrap_err();
        assert!(e.starts_with("notes.parquet: "), "{e}");
    }
}
