//! The five charts: each a `<figure>` whose caption is the chart title (read by screen readers)
//! around the div plotly.js draws in. The figures come from `modelpulse::charts::figure`; each
//! redraw hands them to `Plotly.react`, and the JSON of the figures last drawn is exposed as
//! `window.__modelpulse.figures[<chart id>]` (a JSON string) for tests.

use super::browser;
use super::plotly;
use super::state::AppState;
use leptos::html::Div;
use leptos::prelude::*;
use modelpulse::charts::{figure, ChartId};

/// The title in a figure's layout (`layout.title.text` or `layout.title`).
fn title_of(fig: &serde_json::Value) -> Option<String> {
    let t = fig.get("layout")?.get("title")?;
    t.get("text").unwrap_or(t).as_str().map(str::to_string)
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
            if !plotly::wait_until_available().await {
                state.errors.update(|e| e.push("plotly-cartesian.min.js: plotly.js did not load".to_string()));
                browser::set_root_data("state", "error");
                return;
            }
            let dark = browser::prefers_dark();
            let mut pending = Vec::new();
            for (i, ((chart, fig), node)) in ChartId::ALL.iter().zip(&figures).zip(refs.iter()).enumerate() {
                let text = fig.to_string();
                browser::expose_in("figures", chart.id(), &text.clone().into());
                let key = format!("{dark}{text}");
                if shown.with_value(|s| s[i] == key) {
                    continue;
                }
                let js = plotly::to_js(&text);
                shown.update_value(|s| s[i] = key);
                if let Some(div) = node.get_untracked() {
                    pending.push(async move {
                        let div: web_sys::HtmlElement = div.into();
                        plotly::react(&div, &js, dark).await
                    });
                }
            }
            let results = futures::future::join_all(pending).await;
            let t1 = browser::now();
            for r in results {
                if let Err(e) = r {
                    leptos::logging::warn!("Plotly.react failed: {e}");
                }
            }
            // A newer redraw has started: its own completion reports.
            if draws.get_value() != generation {
                return;
            }
            browser::measure("modelpulse:render", t0, t1);
            browser::expose_in("timings", "render", &(t1 - t0).into());
            browser::expose("draws", &(generation as f64).into());
            let filter = state.filter_started.get_value().map(|s| t1 - s);
            if let Some(s) = state.filter_started.get_value() {
                browser::measure("modelpulse:filter", s, t1);
                browser::expose_in("timings", "filter", &(t1 - s).into());
                state.filter_started.set_value(None);
            }
            let first = !first_drawn.get_value();
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
                if filter.is_some() {
                    t.filter = filter;
                }
            });
            let failed = state.errors.with_untracked(|e| !e.is_empty());
            browser::set_root_data("state", if failed { "error" } else { "ready" });
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
