//! The page's state: a handful of signals (Copy handles) shared through context, and the one
//! value every view reads — the facts of the current view, computed by the worker
//! ([`super::bridge`]) and completed here (KPI tiles, banner).

use super::bridge;
use super::browser;
use chrono::NaiveDate;
use leptos::prelude::*;
use modelpulse::alerts::Evaluation;
use modelpulse::charts::ChartInput;
use modelpulse::i18n::Lang;
use modelpulse::page::alerts::{latency_budget, Banner};
use modelpulse::page::config::PageConfig;
use modelpulse::page::kpi::{self, Tile};
use modelpulse::page::view::ViewState;
use modelpulse::view_cache::{self, ViewCache};
use modelpulse::protocol::{ToWorker, ViewData};
use modelpulse::Query;

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
    /// The last filter change: control event → every chart it redrew (those in and near the
    /// view; charts further down are redrawn when they come near it, see `super::charts`).
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
    /// Bumped with each dataset the worker loaded (0: none yet).
    pub data_version: RwSignal<u64>,
    pub view: RwSignal<ViewState>,
    pub lang: RwSignal<Lang>,
    /// Providers in the LLM table (sorted), for the filter.
    pub providers: RwSignal<Vec<String>>,
    /// First and last date of the data.
    pub date_range: RwSignal<Option<(NaiveDate, NaiveDate)>>,
    pub rows_loaded: RwSignal<u64>,
    /// What range reads fetched (stats footer); `None` when every file was read whole.
    pub range_stats: RwSignal<Option<modelpulse::protocol::RangeStats>>,
    /// The dashboard comes from a published `dashboard_facts` file (a notice says what that means).
    pub published_facts: RwSignal<bool>,
    pub progress: RwSignal<Progress>,
    /// One line per failed file, each starting with the file name.
    pub errors: RwSignal<Vec<String>>,
    /// What was wrong with `config.json` (shown with every load's file errors).
    pub config_errors: StoredValue<Vec<String>>,
    pub source: RwSignal<Option<Source>>,
    pub timings: RwSignal<Timings>,
    /// When the last filter control changed (performance.now), until its redraw completes.
    pub filter_started: StoredValue<Option<f64>>,
    /// Bumped when the system color scheme changes.
    pub theme: RwSignal<u32>,
    /// Chart titles from the figures, by chart index.
    pub chart_titles: RwSignal<Vec<String>>,
    /// Why the rules file could not be used: (file name, problem), shown as a non-blocking notice.
    pub alerts_notice: RwSignal<Option<(String, String)>>,
    /// The facts of the current view: set when the worker answers the newest view request.
    pub facts: RwSignal<ViewFacts>,
    /// The newest view request: (id, data version, query).
    pub pending_view: StoredValue<Option<(u64, u64, Query)>>,
    /// The periodic refresh's last status from the worker (`None`: refresh off); see
    /// `super::refresh`.
    pub refresh: RwSignal<Option<modelpulse::refresh::Status>>,
    /// Views asked for ahead of a filter change, and the last views shown (see
    /// [`AppState::prefetch_neighbours`]).
    pub prefetch: StoredValue<ViewCache>,
}

impl AppState {
    pub fn new(lang: Lang, view: ViewState) -> Self {
        AppState {
            config: RwSignal::new(PageConfig::default()),
            data_version: RwSignal::new(0),
            view: RwSignal::new(view),
            lang: RwSignal::new(lang),
            providers: RwSignal::new(Vec::new()),
            date_range: RwSignal::new(None),
            rows_loaded: RwSignal::new(0),
            range_stats: RwSignal::new(None),
            published_facts: RwSignal::new(false),
            progress: RwSignal::new(Progress::default()),
            errors: RwSignal::new(Vec::new()),
            config_errors: StoredValue::new(Vec::new()),
            source: RwSignal::new(None),
            timings: RwSignal::new(Timings::default()),
            filter_started: StoredValue::new(None),
            theme: RwSignal::new(0),
            chart_titles: RwSignal::new(Vec::new()),
            alerts_notice: RwSignal::new(None),
            facts: RwSignal::new(ViewFacts::default()),
            pending_view: StoredValue::new(None),
            refresh: RwSignal::new(None),
            prefetch: StoredValue::new(ViewCache::default()),
        }
    }

    /// Asks the worker for the current view's facts whenever the data, the view or the config
    /// change (an effect; call once). Only the newest request's answer is used.
    pub fn request_views(self) {
        let next_id = StoredValue::new(0u64);
        Effect::new(move |_| {
            let version = self.data_version.get();
            let v = self.view.get();
            self.config.track();
            if version == 0 {
                return;
            }
            let query = v.query(self.date_range.get_untracked());
            let id = next_id.get_value() + 1;
            next_id.set_value(id);
            self.pending_view.set_value(Some((id, version, query.clone())));
            // A view fetched ahead is shown at once (in the control's own task: no round trip
            // to the worker, no frame painted before the charts).
            if let Some(data) = self.prefetch.with_value(|c| c.get(version, &query)) {
                self.show_view(version, query, data, false);
                return;
            }
            bridge::send(&ToWorker::View { id, query });
        });
    }

    /// The views one filter change away from the current one (see [`Self::prefetch_neighbours`]),
    /// provider toggles and range presets taking turns: either control is as likely to be used
    /// next, and the charts of these views are drawn ahead in this order as their answers arrive
    /// (`super::charts`).
    pub fn neighbour_queries(&self) -> Vec<Query> {
        let ranged = self.range_stats.with_untracked(Option::is_some);
        let view = self.view.get_untracked();
        let data = self.date_range.get_untracked();
        let all = self.providers.with_untracked(|all| view_cache::neighbours(&view, all, data, ranged));
        let current = view.query(data);
        let (toggles, presets): (Vec<Query>, Vec<Query>) = all.into_iter().partition(|q| q.providers != current.providers);
        let (mut t, mut p) = (toggles.into_iter(), presets.into_iter());
        let mut out = Vec::new();
        loop {
            let (a, b) = (t.next(), p.next());
            if a.is_none() && b.is_none() {
                return out;
            }
            out.extend(a);
            out.extend(b);
        }
    }

    /// The chart input of the worker's answer `data`: its facts with the config's prices and the
    /// latency budget (the rules' threshold when there is one).
    pub fn chart_input(&self, data: ViewData) -> ChartInput {
        let (budget, prices) = self.config.with_untracked(|c| (c.latency_budget_ms, c.prices.clone()));
        let ViewData { dashboard, totals, conversion, evaluation, .. } = data;
        ChartInput { dashboard, totals, conversion, latency_budget_ms: latency_budget(evaluation.as_ref(), budget), prices }
    }

    /// Asks the worker, one request at a time while the page is idle, for the views one filter
    /// change away from the current one: each provider toggled, each range preset (7, 30, 90
    /// days, all). With range reads (`range_stats`), only views within the current dates are
    /// asked for, so a prefetch never makes the worker fetch more of a file. Call once the
    /// current view is drawn; it replaces the queue of the view before.
    pub fn prefetch_neighbours(&self) {
        let version = self.data_version.get_untracked();
        if version == 0 {
            return;
        }
        let queries = self.neighbour_queries();
        if let Some(Some((id, query))) = self.prefetch.try_update_value(|c| c.ask(version, queries)) {
            bridge::send(&ToWorker::View { id, query });
        }
    }

    /// Takes the worker's answer to view request `id`: completes it (chart input with the
    /// config's prices and budget, KPI tiles, banner) and makes it the page's facts. Answers to
    /// older requests are dropped (a newer one is on its way).
    pub fn receive_view(&self, id: u64, data: ViewData) {
        if ViewCache::is_prefetch(id) {
            if let Some(Some((id, query))) = self.prefetch.try_update_value(|c| c.answered(id, data)) {
                bridge::send(&ToWorker::View { id, query });
            }
            return;
        }
        let Some((want, version, query)) = self.pending_view.get_value() else { return };
        if id != want {
            return;
        }
        self.prefetch.update_value(|c| c.keep(version, query.clone(), data.clone()));
        self.show_view(version, query, data, true);
    }

    /// Makes the worker's answer `data` for `query` on data `version` the page's facts: completes
    /// it (chart input with the config's prices and budget, KPI tiles, banner). `timed`: record
    /// the worker's compute time (`modelpulse:aggregate`; not for an answer fetched ahead).
    fn show_view(&self, version: u64, query: Query, data: ViewData, timed: bool) {
        let (evaluation, aggregate) = (data.evaluation.clone(), data.aggregate);
        let input = self.chart_input(data);
        let banner = evaluation.as_ref().map(|e| Banner::build(e, query.from, query.to)).unwrap_or_default();
        let tiles = kpi::tiles(&input);
        if timed {
            let (t0, t1) = aggregate.relative_to(browser::time_origin());
            browser::measure("modelpulse:aggregate", t0, t1);
            browser::expose_in("timings", "aggregate", &(t1 - t0).into());
            self.timings.update_untracked(|t| t.aggregate = Some(t1 - t0));
        }
        self.facts.set(ViewFacts { data_version: version, query, input, tiles, evaluation, banner });
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
