//! The five charts: each a `<figure>` whose caption is the chart title (read by screen readers)
//! around the div plotly.js draws in. The figures come from `modelpulse::charts::figure`; each
//! redraw hands them to `Plotly.react`, and the JSON of the figures last drawn is exposed as
//! `window.__modelpulse.figures[<chart id>]` (a JSON string) for tests.
//!
//! Order of a redraw: the charts in the viewport, then (each in a new task, after the browser
//! could paint those) the charts within 200 px of it, then the facts table's rows
//! ([`table_turn`]), and only then `window.__modelpulse.draws` and `data-state="ready"`. On the
//! first draw the charts further away are drawn like the near ones (so every chart has its plot
//! when the page is ready); on later redraws (filters, language, theme, refresh) such a chart
//! keeps its figure pending and is drawn when it comes near the viewport (an
//! `IntersectionObserver` watches the five plots), so a filter change costs plotly.js only the
//! charts the visitor can see or is about to. The table comes last because laying out
//! its thousands of cells costs as much as drawing a chart: done earlier, plotly.js's first text
//! measurement would force that layout before the charts.

use super::browser;
use super::plotly;
use super::state::AppState;
use leptos::html::Div;
use leptos::prelude::*;
use modelpulse::charts::{figure, ChartId};
use std::cell::RefCell;
use wasm_bindgen::prelude::*;

thread_local! {
    static TABLE_TURN: ArcRwSignal<u64> = ArcRwSignal::new(0);
    /// Per chart: whether it is in (or near) the viewport, as the observer last said (`None`:
    /// it has not said yet).
    static VISIBLE: RefCell<[Option<bool>; 5]> = const { RefCell::new([None; 5]) };
    /// Per chart: the redraw that waits until it comes into view.
    static PENDING: RefCell<[Option<Pending>; 5]> = const { RefCell::new([None, None, None, None, None]) };
    /// The observer of the five plots (created with the first draw).
    static OBSERVER: RefCell<Option<web_sys::IntersectionObserver>> = const { RefCell::new(None) };
}

/// A redraw of a chart out of view, done when it comes into view.
struct Pending {
    job: Redraw,
    dark: bool,
}

/// Charts this close to the viewport are redrawn with each view (after those in it), not on scroll.
const NEAR_VIEW: &str = "200px 0px 200px 0px";

/// Starts watching the plots `divs` (chart index = position): records whether each is in view
/// and draws a pending figure when its chart comes into view.
fn observe(divs: Vec<web_sys::HtmlElement>, shown: StoredValue<Vec<String>>) {
    let targets = divs.clone();
    let cb = Closure::<dyn FnMut(js_sys::Array)>::new(move |entries: js_sys::Array| {
        for e in entries.iter() {
            let e: web_sys::IntersectionObserverEntry = e.unchecked_into();
            let target = e.target();
            let Some(i) = targets.iter().position(|d| d.is_same_node(Some(&target))) else { continue };
            let seen = e.is_intersecting();
            VISIBLE.with_borrow_mut(|v| v[i] = Some(seen));
            if !seen {
                continue;
            }
            if let Some(p) = PENDING.with_borrow_mut(|p| p[i].take()) {
                leptos::task::spawn_local(async move { redraw(std::slice::from_ref(&p.job), shown, p.dark).await });
            }
        }
    });
    let init = web_sys::IntersectionObserverInit::new();
    init.set_root_margin(NEAR_VIEW);
    match web_sys::IntersectionObserver::new_with_options(cb.as_ref().unchecked_ref(), &init) {
        Ok(obs) => {
            for d in &divs {
                obs.observe(d);
            }
            OBSERVER.with_borrow_mut(|o| *o = Some(obs));
            cb.forget();
        }
        // No IntersectionObserver: every chart counts as in view (all are redrawn).
        Err(_) => VISIBLE.with_borrow_mut(|v| *v = [Some(true); 5]),
    }
}

/// Where chart `i`'s plot is: in the viewport, near it (within [`NEAR_VIEW`], as the observer
/// last said; before its first report, from the layout), or further away.
#[derive(Clone, Copy, PartialEq)]
enum Place {
    InView,
    Near,
    Away,
}

fn place(i: usize, div: &web_sys::HtmlElement, view_height: f64) -> Place {
    let r = div.get_bounding_client_rect();
    if r.bottom() > 0.0 && r.top() < view_height {
        return Place::InView;
    }
    let near = VISIBLE.with_borrow(|v| v[i]).unwrap_or_else(|| r.bottom() > -200.0 && r.top() < view_height + 200.0);
    if near { Place::Near } else { Place::Away }
}

/// Bumped when the charts of the newest view are drawn (or cannot be: no data, no plotly.js).
/// The facts table renders the current view's rows when it changes, after the charts.
pub fn table_turn() -> ArcRwSignal<u64> {
    TABLE_TURN.with(Clone::clone)
}

/// Lets the facts table render the current view's rows; resolves once it has (its DOM is
/// updated by Leptos in microtasks, before a new task starts) and returns how long that took (ms).
async fn fill_table() -> f64 {
    let t0 = browser::now();
    table_turn().update(|n| *n += 1);
    browser::next_task().await;
    browser::now() - t0
}

/// The title in a figure's layout (`layout.title.text` or `layout.title`).
fn title_of(fig: &serde_json::Value) -> Option<String> {
    let t = fig.get("layout")?.get("title")?;
    t.get("text").unwrap_or(t).as_str().map(str::to_string)
}

/// One chart to redraw: its div, its figure's JSON and the key remembered once drawn.
struct Redraw {
    index: usize,
    div: web_sys::HtmlElement,
    figure: String,
    key: String,
}

/// Hands each figure to `Plotly.react` and waits until all are drawn; failures are logged (the
/// chart keeps what it showed).
async fn redraw(jobs: &[Redraw], shown: StoredValue<Vec<String>>, dark: bool) {
    let pending = jobs.iter().map(|j| {
        shown.update_value(|s| s[j.index] = j.key.clone());
        let js = plotly::to_js(&j.figure);
        async move { plotly::react(&j.div, &js, dark).await }
    });
    for r in futures::future::join_all(pending).await {
        if let Err(e) = r {
            leptos::logging::warn!("Plotly.react failed: {e}");
        }
    }
}

#[component]
pub fn Charts(state: AppState) -> impl IntoView {
    let refs: [NodeRef<Div>; 5] = std::array::from_fn(|_| NodeRef::new());
    let draws = StoredValue::new(0u64);
    // What each div shows now (figure JSON + theme), so an unchanged chart is not redrawn: e.g.
    // the conversion chart does not depend on the provider filter.
    let shown: StoredValue<Vec<String>> = StoredValue::new(vec![String::new(); ChartId::ALL.len()]);
    let first_drawn = StoredValue::new(false);

    Effect::new(move |_| {
        let facts = state.facts.get();
        let lang = state.lang.get();
        state.theme.track();
        if facts.data_version == 0 {
            table_turn().update(|n| *n += 1);
            return;
        }
        let generation = draws.get_value() + 1;
        draws.set_value(generation);
        let t0 = browser::now();
        let figures: Vec<serde_json::Value> = ChartId::ALL.iter().map(|c| figure(*c, &facts.input, lang)).collect();
        state.chart_titles.set(
            figures.iter().zip(ChartId::ALL).map(|(f, c)| title_of(f).unwrap_or_else(|| c.id().to_string())).collect(),
        );
        leptos::task::spawn_local(async move {
            if !plotly::available() {
                // No charts to draw first while plotly.js is still loading: the table need not wait.
                fill_table().await;
                if !plotly::wait_until_available().await {
                    state.errors.update(|e| e.push("plotly-basic.min.js: plotly.js did not load".to_string()));
                    browser::set_root_data("state", "error");
                    return;
                }
            }
            let dark = browser::prefers_dark();
            let first = !first_drawn.get_value();
            if first && OBSERVER.with_borrow(Option::is_none) {
                let divs: Vec<web_sys::HtmlElement> = refs.iter().filter_map(|n| n.get_untracked()).map(Into::into).collect();
                if divs.len() == ChartId::ALL.len() {
                    observe(divs, shown);
                }
            }
            // Charts in view are redrawn first, then (one per task, after the browser has
            // painted those) the charts near the viewport — on the first draw all the others;
            // later, charts further away only once they come near (`PENDING`).
            let view_height = browser::window().inner_height().ok().and_then(|v| v.as_f64()).unwrap_or(f64::MAX);
            let (mut in_view_jobs, mut below) = (Vec::new(), Vec::new());
            for (i, ((chart, fig), node)) in ChartId::ALL.iter().zip(&figures).zip(refs.iter()).enumerate() {
                let text = fig.to_string();
                browser::expose_in("figures", chart.id(), &text.clone().into());
                let key = format!("{dark}{text}");
                if shown.with_value(|s| s[i] == key) {
                    PENDING.with_borrow_mut(|p| p[i] = None);
                    continue;
                }
                if let Some(div) = node.get_untracked() {
                    let div: web_sys::HtmlElement = div.into();
                    let at = place(i, &div, view_height);
                    let job = Redraw { index: i, div, figure: text, key };
                    PENDING.with_borrow_mut(|p| p[i] = None);
                    match at {
                        Place::InView => in_view_jobs.push(job),
                        Place::Near => below.push(job),
                        Place::Away if first => below.push(job),
                        Place::Away => PENDING.with_borrow_mut(|p| p[i] = Some(Pending { job, dark })),
                    }
                }
            }
            let in_view = in_view_jobs;
            let filter_start = state.filter_started.get_value();
            redraw(&in_view, shown, dark).await;
            let t_view = browser::now();
            // The charts below one per task, so the page handles input between them.
            for job in below {
                browser::next_task().await;
                // A newer redraw started meanwhile: it draws these charts itself.
                if draws.get_value() != generation {
                    return;
                }
                redraw(std::slice::from_ref(&job), shown, dark).await;
            }
            let t1 = browser::now();
            // A newer redraw has started: its own completion reports.
            if draws.get_value() != generation {
                return;
            }
            browser::measure("modelpulse:render", t0, t1);
            browser::expose_in("timings", "render", &(t1 - t0).into());
            if let Some(s) = filter_start {
                // `filter`: the charts in view redrawn (what the visitor sees change);
                // `filter-all`: every chart this redraw drew (those in and near the view; the
                // others wait until they come near).
                browser::measure("modelpulse:filter", s, t_view);
                browser::measure("modelpulse:filter-all", s, t1);
                browser::expose_in("timings", "filter", &(t_view - s).into());
                browser::expose_in("timings", "filterAll", &(t1 - s).into());
                state.filter_started.set_value(None);
            }
            if first {
                first_drawn.set_value(true);
                browser::measure("modelpulse:total", 0.0, t1);
                browser::expose_in("timings", "total", &t1.into());
            }
            state.timings.update(|t| {
                t.render = Some(t1 - t0);
                if first {
                    t.total = Some(t1);
                }
                if let Some(s) = filter_start {
                    t.filter = Some(t_view - s);
                    t.filter_all = Some(t1 - s);
                }
            });
            // Then the table; the view counts as shown (`draws`, `ready`) once it is filled.
            let table_ms = fill_table().await;
            if draws.get_value() != generation {
                return;
            }
            browser::measure("modelpulse:table", t1, t1 + table_ms);
            browser::expose_in("timings", "table", &table_ms.into());
            browser::expose("draws", &(generation as f64).into());
            let failed = state.errors.with_untracked(|e| !e.is_empty());
            browser::set_root_data("state", if failed { "error" } else { "ready" });
            // Now that the page is idle: the views one filter change away, from the worker.
            state.prefetch_neighbours();
        });
    });

    let title = move |i: usize| state.chart_titles.with(|ts| ts.get(i).cloned().unwrap_or_default());
    let figures = ChartId::ALL
        .iter()
        .enumerate()
        .map(|(i, chart)| {
            let caption_id = format!("chart-title-{}", chart.id());
            let labelled_by = caption_id.clone();
            view! {
                <figure class="chart" id=chart.id() aria-labelledby=labelled_by>
                    <figcaption class="sr-only" id=caption_id>{move || title(i)}</figcaption>
                    <div class="plot" role="img" aria-label=move || title(i) node_ref=refs[i]></div>
                </figure>
            }
        })
        .collect_view();
    view! { <section class="charts">{figures}</section> }
}
