//! The page's state: a handful of signals (Copy handles) shared through context, and the one
//! derived value every view reads — the facts of the current view.

use super::browser;
use chrono::NaiveDate;
use leptos::prelude::*;
use modelpulse::alerts::{evaluate, Evaluation, Rules};
use modelpulse::charts::ChartInput;
use modelpulse::i18n::Lang;
use modelpulse::page::alerts::{evaluation_query, latency_budget, Banner};
use modelpulse::page::config::PageConfig;
use modelpulse::page::kpi::{self, Tile};
use modelpulse::page::view::ViewState;
use modelpulse::{Dataset, Query};

/// Where the data came from.
#[derive(Debug, Clone, PartialEq)]
pub enum Source {
    /// Fetched from these URLs (`config.json` or `?data=`).
    Urls(Vec<String>),
    /// Files the visitor dropped or chose.
    Local(Vec<String>),
}

/// Loading progress.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Progress {
    pub loading: bool,
    pub bytes_fetched: u64,
    /// Sum of the Content-Length of the files whose length is known.
    pub bytes_expected: u64,
}

/// Phase timings in ms (what the stats footer shows).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Timings {
    pub fetch: Option<f64>,
    pub decode: Option<f64>,
    pub aggregate: Option<f64>,
    pub render: Option<f64>,
    pub total: Option<f64>,
    /// The last filter change: control event → the charts in view redrawn.
    pub filter: Option<f64>,
    /// The last filter change: control event → every chart redrawn.
    pub filter_all: Option<f64>,
}

/// The facts of the current view.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ViewFacts {
    /// Bumped with each new dataset; part of the table's row keys.
    pub data_version: u64,
    pub query: Query,
    pub input: ChartInput,
    pub tiles: Vec<Tile>,
    /// The alert rules evaluated on the view's providers up to its last day (see
    /// `modelpulse::page::alerts`); `None` without a usable rules file.
    pub evaluation: Option<Evaluation>,
    /// What the alerts banner shows for this view.
    pub banner: Banner,
}

/// Everything the components share. All fields are Copy handles.
#[derive(Clone, Copy)]
pub struct AppState {
    pub config: RwSignal<PageConfig>,
    /// The decoded snapshots. Not reactive itself: `data_version` says when it changed.
    pub dataset: StoredValue<Dataset, LocalStorage>,
    pub data_version: RwSignal<u64>,
    pub view: RwSignal<ViewState>,
    pub lang: RwSignal<Lang>,
    /// Providers in the LLM table (sorted), for the filter.
    pub providers: RwSignal<Vec<String>>,
    /// First and last date of the data.
    pub date_range: RwSignal<Option<(NaiveDate, NaiveDate)>>,
    pub rows_loaded: RwSignal<u64>,
    pub progress: RwSignal<Progress>,
    /// One line per failed file, each starting with the file name.
    pub errors: RwSignal<Vec<String>>,
    pub source: RwSignal<Option<Source>>,
    pub timings: RwSignal<Timings>,
    /// When the last filter control changed (performance.now), until its redraw completes.
    pub filter_started: StoredValue<Option<f64>>,
    /// Bumped when the system color scheme changes.
    pub theme: RwSignal<u32>,
    /// Chart titles from the figures, by chart index.
    pub chart_titles: RwSignal<Vec<String>>,
    /// The alert rules read from `config.json`'s `alerts` file (`None`: none, or unusable).
    pub rules: RwSignal<Option<std::sync::Arc<Rules>>>,
    /// Why the rules file could not be used: (file name, problem), shown as a non-blocking notice.
    pub alerts_notice: RwSignal<Option<(String, String)>>,
    pub facts: Memo<ViewFacts>,
}

impl AppState {
    pub fn new(lang: Lang, view: ViewState) -> Self {
        let config = RwSignal::new(PageConfig::default());
        let dataset = StoredValue::new_local(Dataset::new());
        let data_version = RwSignal::new(0u64);
        let view = RwSignal::new(view);
        let date_range = RwSignal::new(None);
        let timings = RwSignal::new(Timings::default());
        let rules: RwSignal<Option<std::sync::Arc<Rules>>> = RwSignal::new(None);
        let facts = Memo::new(move |_| {
            let version = data_version.get();
            let v = view.get();
            let (budget, prices) = config.with(|c| (c.latency_budget_ms, c.prices.clone()));
            if version == 0 {
                return ViewFacts::default();
            }
            let t0 = browser::now();
            let query = v.query(date_range.get_untracked());
            let rules = rules.get();
            let (input, evaluation) = dataset.with_value(|d| {
                // The rules see the history up to the view's last day (pending periods and
                // incidents that began before the view), for the view's providers.
                let evaluation = rules.as_deref().map(|r| {
                    let q = evaluation_query(&query);
                    evaluate(r, &d.dashboard_facts(&q), &d.daily_totals(&q))
                });
                let input = ChartInput {
                    dashboard: d.dashboard_facts(&query),
                    totals: d.daily_totals(&query),
                    conversion: d.conversion_facts(&query),
                    latency_budget_ms: latency_budget(evaluation.as_ref(), budget),
                    prices,
                };
                (input, evaluation)
            });
            let banner = evaluation.as_ref().map(|e| Banner::build(e, query.from, query.to)).unwrap_or_default();
            let tiles = kpi::tiles(&input);
            let t1 = browser::now();
            browser::measure("modelpulse:aggregate", t0, t1);
            browser::expose_in("timings", "aggregate", &(t1 - t0).into());
            timings.update_untracked(|t| t.aggregate = Some(t1 - t0));
            ViewFacts { data_version: version, query, input, tiles, evaluation, banner }
        });
        AppState {
            config,
            dataset,
            data_version,
            view,
            lang: RwSignal::new(lang),
            providers: RwSignal::new(Vec::new()),
            date_range,
            rows_loaded: RwSignal::new(0),
            progress: RwSignal::new(Progress::default()),
            errors: RwSignal::new(Vec::new()),
            source: RwSignal::new(None),
            timings,
            filter_started: StoredValue::new(None),
            theme: RwSignal::new(0),
            chart_titles: RwSignal::new(Vec::new()),
            rules,
            alerts_notice: RwSignal::new(None),
            facts,
        }
    }

    /// Applies a change of the view from a filter control (timed until the charts are redrawn).
    pub fn change_view(&self, f: impl FnOnce(&ViewState) -> ViewState) {
        let next = self.view.with_untracked(|v| f(v));
        if self.view.with_untracked(|v| *v != next) {
            self.filter_started.set_value(Some(browser::now()));
            self.view.set(next);
        }
    }
}
