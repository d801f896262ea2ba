//! The five charts: each a `<figure>` whose caption is the chart title (read by screen readers)
//! around the div plotly.js draws in. The figures come from `modelpulse::charts::figure`; each
//! redraw hands them to `Plotly.react`, and the JSON of the figures last drawn is exposed as
//! `window.__modelpulse.figures[<chart id>]` (a JSON string) for tests.
//!
//! Order of a redraw: the charts in the viewport (then the alerts banner, [`charts_turn`]), then
//! (each in a new task, after the browser could paint those) the charts within 200 px of it,
//! then, after the next frame, the facts table's rows and the Summary panel ([`table_turn`]), and
//! only then `window.__modelpulse.draws` and `data-state="ready"`. On the
//! first draw the charts further away are drawn like the near ones (so every chart has its plot
//! when the page is ready); on later redraws (filters, language, theme, refresh) such a chart
//! keeps its figure pending and is drawn when it comes near the viewport (an
//! `IntersectionObserver` watches the five plots), so a filter change costs plotly.js only the
//! charts the visitor can see or is about to. The table comes last because laying out
//! its thousands of cells costs as much as drawing a chart: done earlier, plotly.js's first text
//! measurement would force that layout before the charts.
//!
//! Plots drawn ahead: once a view is drawn and the page is idle, the charts in (or near) view are
//! drawn off screen for each view one filter change away whose facts the worker has answered
//! ahead ([`AppState::prefetch_neighbours`]), one chart per idle period, and kept detached (`AHEAD`,
//! [`AHEAD_KEEP`] per chart, by figure JSON, theme and width); so is the plot a chart showed
//! before a change. A filter change to such a view puts the kept plot in its chart instead of
//! calling `Plotly.react` — no plotly.js work in the change at all. A chart the visitor zoomed or
//! panned is always redrawn with `Plotly.react` (its `uirevision` keeps the zoom).

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
    static CHARTS_TURN: ArcRwSignal<u64> = ArcRwSignal::new(0);
    /// Per chart: whether it is in (or near) the viewport, as the observer last said (`None`:
    /// it has not said yet).
    static VISIBLE: RefCell<[Option<bool>; 5]> = const { RefCell::new([None; 5]) };
    /// Per chart: the redraw that waits until it comes into view.
    static PENDING: RefCell<[Option<Pending>; 5]> = const { RefCell::new([None, None, None, None, None]) };
    /// The observer of the five plots (created with the first draw).
    static OBSERVER: RefCell<Option<web_sys::IntersectionObserver>> = const { RefCell::new(None) };
    /// Per chart: the plot div in the page now (the component's own div until a kept plot
    /// replaces it).
    static CURRENT: RefCell<[Option<web_sys::HtmlElement>; 5]> = const { RefCell::new([None, None, None, None, None]) };
    /// Per chart: plots drawn ahead or shown before, detached from the page, least recently used
    /// first.
    static AHEAD: RefCell<[Vec<Ahead>; 5]> = const { RefCell::new([Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new()]) };
    /// The off-screen element plots are drawn ahead in (created on first use).
    static STAGE: RefCell<Option<web_sys::HtmlElement>> = const { RefCell::new(None) };
    /// How many kept plots were put in their charts (`window.__modelpulse.keptPlotsShown`).
    static KEPT_SHOWN: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
    /// How many plots were drawn ahead (`window.__modelpulse.drawnAhead`).
    static DRAWN_AHEAD: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
    /// The drawing ahead of the newest drawn view.
    static AHEAD_RUN: RefCell<AheadRun> = const { RefCell::new(AheadRun { generation: 0, running: false, again: false }) };
}

/// A plot kept out of the page, ready to replace its chart's plot: drawn ahead off screen, or
/// shown before a filter change.
struct Ahead {
    div: web_sys::HtmlElement,
    /// The key of what it shows (theme + figure JSON, as `shown`).
    key: String,
    /// Its width in CSS px (a kept plot is only used at the width it was drawn at).
    width: f64,
}

/// The drawing ahead of a view: which redraw's (0: none yet), whether it is under way, and
/// whether a chart came into view meanwhile (then it goes over the views once more).
struct AheadRun {
    generation: u64,
    running: bool,
    again: bool,
}

impl Ahead {
    /// Whether it shows `key` at `width` (to half a pixel).
    fn is(&self, key: &str, width: f64) -> bool {
        self.key == key && (self.width - width).abs() < 0.5
    }
}

/// Plots kept per chart: about the views one filter change away (each provider toggled, the
/// range presets) and the last ones shown.
const AHEAD_KEEP: usize = 8;

/// Adds `by` to `counter` and exposes its total as `window.__modelpulse[name]` (for tests).
fn count(counter: &'static std::thread::LocalKey<std::cell::Cell<u64>>, by: u64, name: &str) {
    let n = counter.get() + by;
    counter.set(n);
    browser::expose(name, &(n as f64).into());
}

/// The kept plot of chart `i` showing `key` at `width`, taken out of the keep.
fn take_ahead(i: usize, key: &str, width: f64) -> Option<Ahead> {
    AHEAD.with_borrow_mut(|a| {
        let at = a[i].iter().position(|p| p.is(key, width))?;
        Some(a[i].remove(at))
    })
}

fn has_ahead(i: usize, key: &str, width: f64) -> bool {
    AHEAD.with_borrow(|a| a[i].iter().any(|p| p.is(key, width)))
}

/// Keeps `plot` for chart `i`; the least recently used plot beyond [`AHEAD_KEEP`] is purged.
fn keep_ahead(i: usize, plot: Ahead) {
    if plot.key.is_empty() {
        plotly::purge(&plot.div);
        return;
    }
    let dropped = AHEAD.with_borrow_mut(|a| {
        a[i].retain(|p| !p.is(&plot.key, plot.width));
        a[i].push(plot);
        if a[i].len() > AHEAD_KEEP { Some(a[i].remove(0)) } else { None }
    });
    if let Some(p) = dropped {
        plotly::purge(&p.div);
    }
}

/// True when the visitor zoomed or panned the plot in `div` (an axis with `autorange: false` in
/// its layout): such a chart is redrawn with `Plotly.react`, which keeps the zoom.
fn zoomed(div: &web_sys::HtmlElement) -> bool {
    let Ok(layout) = js_sys::Reflect::get(div, &"layout".into()) else { return false };
    if !layout.is_object() {
        return false;
    }
    js_sys::Object::keys(layout.unchecked_ref::<js_sys::Object>()).iter().any(|k| {
        let k = k.as_string().unwrap_or_default();
        (k.starts_with("xaxis") || k.starts_with("yaxis"))
            && js_sys::Reflect::get(&layout, &k.into())
                .and_then(|a| js_sys::Reflect::get(&a, &"autorange".into()))
                .is_ok_and(|v| v == JsValue::FALSE)
    })
}

/// Puts the kept plot `new` (showing `key`) in chart `i` in place of `old`, which is kept.
fn swap_in(i: usize, old: web_sys::HtmlElement, new: Ahead, key: String, shown: StoredValue<Vec<String>>, title: &str) {
    let _ = new.div.set_attribute("aria-label", title);
    if old.replace_with_with_node_1(&new.div).is_err() {
        keep_ahead(i, new);
        return;
    }
    let old_key = shown.with_value(|s| s[i].clone());
    shown.update_value(|s| s[i] = key);
    CURRENT.with_borrow_mut(|c| c[i] = Some(new.div.clone()));
    keep_ahead(i, Ahead { div: old, key: old_key, width: new.width });
}

/// The off-screen element plots are drawn ahead in: the charts' plot size (style/main.css,
/// `.plot-stage`), hidden, outside the page's layout.
fn stage() -> Option<web_sys::HtmlElement> {
    if let Some(s) = STAGE.with_borrow(Clone::clone) {
        return Some(s);
    }
    let doc = browser::document();
    let s: web_sys::HtmlElement = doc.create_element("div").ok()?.unchecked_into();
    s.set_class_name("plot-stage");
    let _ = s.set_attribute("aria-hidden", "true");
    doc.body()?.append_child(&s).ok()?;
    STAGE.with_borrow_mut(|st| *st = Some(s.clone()));
    Some(s)
}

/// Draws `figure` (JSON) off screen at `width` px with `Plotly.newPlot` and returns its div,
/// detached from the page; `None` if plotly.js failed.
async fn draw_off_screen(figure: &str, width: f64, dark: bool, title: &str) -> Option<web_sys::HtmlElement> {
    let stage = stage()?;
    let _ = stage.style().set_property("width", &format!("{width}px"));
    let div: web_sys::HtmlElement = browser::document().create_element("div").ok()?.unchecked_into();
    div.set_class_name("plot");
    let _ = div.set_attribute("role", "img");
    let _ = div.set_attribute("aria-label", title);
    stage.append_child(&div).ok()?;
    let drawn = plotly::new_plot(&div, &plotly::to_js(figure), dark).await;
    div.remove();
    match drawn {
        Ok(()) => Some(div),
        Err(e) => {
            plotly::purge(&div);
            leptos::logging::warn!("Plotly.newPlot (drawn ahead) failed: {e}");
            None
        }
    }
}

/// Draws ahead, while the page is idle, the charts in or near view of each view one filter
/// change away, as the worker's answers for them arrive ([`AppState::prefetch_neighbours`]); one
/// chart per idle period, in the order of [`AppState::neighbour_queries`] (the order the worker
/// is asked in), a view whose answer is in before one still on its way. Stops when a newer
/// redraw starts (generation `generation` of `draws`), or after ~3 s without a new answer; a
/// chart that comes into view meanwhile (the observer) makes it go over the views once more.
async fn draw_ahead(state: AppState, generation: u64, draws: StoredValue<u64>, shown: StoredValue<Vec<String>>) {
    AHEAD_RUN.with_borrow_mut(|r| *r = AheadRun { generation, running: true, again: false });
    loop {
        draw_views_ahead(state, generation, draws, shown).await;
        let again = AHEAD_RUN.with_borrow_mut(|r| {
            if r.generation != generation {
                return false;
            }
            let again = std::mem::take(&mut r.again);
            r.running = again;
            again
        });
        if !again {
            return;
        }
    }
}

/// One pass of [`draw_ahead`] over the views one change away.
async fn draw_views_ahead(state: AppState, generation: u64, draws: StoredValue<u64>, shown: StoredValue<Vec<String>>) {
    let version = state.data_version.get_untracked();
    let lang = state.lang.get_untracked();
    let dark = browser::prefers_dark();
    let mut todo = state.neighbour_queries();
    let mut waited = 0;
    while !todo.is_empty() {
        if draws.get_value() != generation {
            return;
        }
        let answered = todo.iter().enumerate().find_map(|(k, q)| Some((k, state.prefetch.with_value(|c| c.get(version, q))?)));
        let Some((k, data)) = answered else {
            waited += 1;
            if waited > 60 {
                return;
            }
            browser::sleep(50).await;
            continue;
        };
        waited = 0;
        todo.remove(k);
        // The view's figures are built in a task of their own (a pass over views already drawn
        // ahead builds them all only to find them kept).
        browser::next_task().await;
        if draws.get_value() != generation {
            return;
        }
        let input = state.chart_input(data);
        for (i, chart) in ChartId::ALL.iter().enumerate() {
            if draws.get_value() != generation {
                return;
            }
            let Some(div) = CURRENT.with_borrow(|c| c[i].clone()) else { continue };
            let view_height = browser::window().inner_height().ok().and_then(|v| v.as_f64()).unwrap_or(f64::MAX);
            let (at, width) = place(i, &div, view_height);
            if at == Place::Away || zoomed(&div) {
                continue;
            }
            let fig = figure(*chart, &input, lang);
            let text = fig.to_string();
            let key = format!("{dark}{text}");
            if shown.with_value(|s| s[i] == key) || has_ahead(i, &key, width) {
                continue;
            }
            // One chart per idle period, so the page paints and handles input between them.
            idle().await;
            if draws.get_value() != generation {
                return;
            }
            let title = title_of(&fig).unwrap_or_default();
            if let Some(div) = draw_off_screen(&text, width, dark, &title).await {
                keep_ahead(i, Ahead { div, key, width });
                count(&DRAWN_AHEAD, 1, "drawnAhead");
            }
        }
    }
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
/// `came_into_view` is called after a report in which some chart came into (or near) view.
fn observe(divs: Vec<web_sys::HtmlElement>, shown: StoredValue<Vec<String>>, came_into_view: impl Fn() + 'static) {
    let targets = divs.clone();
    let cb = Closure::<dyn FnMut(js_sys::Array)>::new(move |entries: js_sys::Array| {
        let mut any = false;
        for e in entries.iter() {
            let e: web_sys::IntersectionObserverEntry = e.unchecked_into();
            let target = e.target();
            let Some(i) = targets.iter().position(|d| d.is_same_node(Some(&target))) else { continue };
            let seen = e.is_intersecting();
            VISIBLE.with_borrow_mut(|v| v[i] = Some(seen));
            if !seen {
                continue;
            }
            any = true;
            if let Some(p) = PENDING.with_borrow_mut(|p| p[i].take()) {
                leptos::task::spawn_local(async move { redraw(std::slice::from_ref(&p.job), shown, p.dark).await });
            }
        }
        if any {
            came_into_view();
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

/// Also returns the plot's width (CSS px).
fn place(i: usize, div: &web_sys::HtmlElement, view_height: f64) -> (Place, f64) {
    let r = div.get_bounding_client_rect();
    if r.bottom() > 0.0 && r.top() < view_height {
        return (Place::InView, r.width());
    }
    let near = VISIBLE.with_borrow(|v| v[i]).unwrap_or_else(|| r.bottom() > -200.0 && r.top() < view_height + 200.0);
    (if near { Place::Near } else { Place::Away }, r.width())
}

/// Bumped when the charts of the newest view are drawn (or cannot be: no data, no plotly.js).
/// The facts table renders the current view's rows when it changes, after the charts.
pub fn table_turn() -> ArcRwSignal<u64> {
    TABLE_TURN.with(Clone::clone)
}

/// Bumped when the charts in view of the newest view are drawn (in the same task, before the
/// browser paints them), and whenever [`table_turn`] is bumped without charts to draw. The alerts
/// banner above the charts follows it: updated before the charts, its DOM change and layout were
/// paid inside the first chart's `Plotly.react`; updated after the frame, it would move charts
/// already painted.
pub fn charts_turn() -> ArcRwSignal<u64> {
    CHARTS_TURN.with(Clone::clone)
}

/// Resolves in a task after the browser rendered its next frame (`requestAnimationFrame`, then
/// `setTimeout(0)`), or after 100 ms if no frame comes (a hidden tab).
async fn after_next_frame() {
    let p = js_sys::Promise::new(&mut |resolve, _| {
        let w = browser::window();
        let again = resolve.clone();
        let task = Closure::once_into_js(move || {
            let _ = browser::window().set_timeout_with_callback_and_timeout_and_arguments_0(&again, 0);
        });
        let _ = w.request_animation_frame(task.unchecked_ref());
        let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 100);
    });
    let _ = wasm_bindgen_futures::JsFuture::from(p).await;
}

/// Resolves when the browser is idle (`requestIdleCallback`; at once without it).
async fn idle() {
    let p = js_sys::Promise::new(&mut |resolve, _| {
        if browser::window().request_idle_callback(&resolve).is_err() {
            let _ = resolve.call0(&JsValue::UNDEFINED);
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(p).await;
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
            charts_turn().update(|n| *n += 1);
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
                charts_turn().update(|n| *n += 1);
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
                // The charts' `<figure>`s are watched: they stay while kept plots replace the divs.
                let figures: Vec<web_sys::HtmlElement> =
                    divs.iter().filter_map(|d| d.parent_element()).map(|f| f.unchecked_into()).collect();
                if figures.len() == ChartId::ALL.len() {
                    // A chart scrolled into view after its view was drawn: draw it ahead too.
                    observe(figures, shown, move || {
                        let generation = draws.get_value();
                        let start = AHEAD_RUN.with_borrow_mut(|r| {
                            if r.generation != generation {
                                // A redraw is under way; it draws ahead once done.
                                return false;
                            }
                            r.again = r.running;
                            !r.running
                        });
                        if start {
                            leptos::task::spawn_local(draw_ahead(state, generation, draws, shown));
                        }
                    });
                }
            }
            // Charts in view are redrawn first, then (one per task, after the browser has
            // painted those) the charts near the viewport — on the first draw all the others;
            // later, charts further away only once they come near (`PENDING`).
            let view_height = browser::window().inner_height().ok().and_then(|v| v.as_f64()).unwrap_or(f64::MAX);
            let (mut in_view_jobs, mut below, mut swaps) = (Vec::new(), Vec::new(), Vec::new());
            for (i, ((chart, fig), node)) in ChartId::ALL.iter().zip(&figures).zip(refs.iter()).enumerate() {
                let text = fig.to_string();
                browser::expose_in("figures", chart.id(), &text.clone().into());
                let key = format!("{dark}{text}");
                if shown.with_value(|s| s[i] == key) {
                    PENDING.with_borrow_mut(|p| p[i] = None);
                    continue;
                }
                let current = CURRENT.with_borrow_mut(|c| {
                    if c[i].is_none() {
                        c[i] = node.get_untracked().map(Into::into);
                    }
                    c[i].clone()
                });
                if let Some(div) = current {
                    // Layout reads only here; the kept plots are put in after the loop.
                    let (at, width) = place(i, &div, view_height);
                    PENDING.with_borrow_mut(|p| p[i] = None);
                    if at != Place::Away
                        && !zoomed(&div)
                        && let Some(kept) = take_ahead(i, &key, width)
                    {
                        swaps.push((i, div, kept, key, title_of(fig).unwrap_or_default()));
                        continue;
                    }
                    let job = Redraw { index: i, div, figure: text, key };
                    match at {
                        Place::InView => in_view_jobs.push(job),
                        Place::Near => below.push(job),
                        Place::Away if first => below.push(job),
                        Place::Away => PENDING.with_borrow_mut(|p| p[i] = Some(Pending { job, dark })),
                    }
                }
            }
            let filter_start = state.filter_started.get_value();
            let kept = swaps.len();
            for (i, old, new, key, title) in swaps {
                swap_in(i, old, new, key, shown, &title);
            }
            if kept > 0 {
                count(&KEPT_SHOWN, kept as u64, "keptPlotsShown");
            }
            let in_view = in_view_jobs;
            redraw(&in_view, shown, dark).await;
            let t_view = browser::now();
            charts_turn().update(|n| *n += 1);
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
                // Navigation → the charts in the viewport drawn (what the visitor sees first;
                // `total` also waits for the charts below the fold).
                browser::measure("modelpulse:charts-in-view", 0.0, t_view);
                browser::expose_in("timings", "chartsInView", &t_view.into());
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
            // Then, once the browser has painted the charts, the table; the view counts as shown
            // (`draws`, `ready`) once it is filled.
            after_next_frame().await;
            if draws.get_value() != generation {
                return;
            }
            let t_table = browser::now();
            let table_ms = fill_table().await;
            if draws.get_value() != generation {
                return;
            }
            browser::measure("modelpulse:table", t_table, t_table + table_ms);
            browser::expose_in("timings", "table", &table_ms.into());
            browser::expose("draws", &(generation as f64).into());
            let failed = state.errors.with_untracked(|e| !e.is_empty());
            browser::set_root_data("state", if failed { "error" } else { "ready" });
            // Now that the page is idle: the views one filter change away, from the worker, and
            // their charts in view drawn ahead.
            state.prefetch_neighbours();
            draw_ahead(state, generation, draws, shown).await;
        });
    });

    // The plots put in from the keep are not the component's divs: their accessible name
    // follows the titles here.
    Effect::new(move |_| {
        state.chart_titles.with(|ts| {
            CURRENT.with_borrow(|c| {
                for (div, title) in c.iter().zip(ts) {
                    if let Some(div) = div {
                        let _ = div.set_attribute("aria-label", title);
                    }
                }
            })
        })
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
