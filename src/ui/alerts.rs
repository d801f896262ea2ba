//! The alerts banner, the notice for an unusable rules file, and the Summary panel. What they
//! show is computed in `modelpulse::page::alerts` (tested natively); here it only becomes text
//! nodes — rule and provider names are data and never HTML.

use super::state::AppState;
use leptos::prelude::*;
use modelpulse::page::alerts::{firing_text, incident_text, notice_text, summary_text, Banner};
use modelpulse::i18n::t;

/// What the banner shows: the banner of a view, for the data version it was computed on.
#[derive(Clone, Default, PartialEq)]
struct Shown {
    version: u64,
    /// Rules were evaluated (a usable rules file and data).
    visible: bool,
    banner: Banner,
}

/// The rules firing on the view's last day and the incidents within its dates. `role="alert"`
/// while something fires, `role="status"` otherwise; hidden without rules or data.
///
/// On a filter change the banner follows the view once its charts in view are drawn, in the
/// same task ([`super::charts::charts_turn`]): updated first, its DOM change and the layout it
/// needs were paid inside the first chart's `Plotly.react` (plotly.js reads the plot's size,
/// which lays out the page above it). A new dataset (the first load, a refresh) shows its banner
/// at once, so it never appears above charts already drawn.
#[component]
pub fn AlertsBanner(state: AppState) -> impl IntoView {
    let lang = state.lang;
    let turn = super::charts::charts_turn();
    let seen_turn = StoredValue::new(u64::MAX);
    let current = Memo::new(move |prev: Option<&Shown>| {
        let now = turn.get();
        let turned = seen_turn.get_value() != now;
        seen_turn.set_value(now);
        state.facts.with(|f| match prev {
            Some(p) if !turned && p.visible && p.version == f.data_version => p.clone(),
            _ => Shown { version: f.data_version, visible: f.data_version > 0 && f.evaluation.is_some(), banner: f.banner.clone() },
        })
    });
    let shown = move || current.with(|c| c.visible);
    let firing = move || current.with(|c| !c.banner.firing.is_empty());
    let firing_items = move || {
        let lang = lang.get();
        current.with(|c| c.banner.firing.iter().map(|x| firing_text(lang, x)).collect::<Vec<_>>())
    };
    let incident_items = move || {
        let lang = lang.get();
        current.with(|c| c.banner.incidents.iter().map(|x| incident_text(lang, x)).collect::<Vec<_>>())
    };
    view! {
        <Show when=shown>
            <section
                class="alerts"
                class:firing=firing
                id="alerts"
                role=move || if firing() { "alert" } else { "status" }
                aria-live="polite"
            >
                <h2>{move || t(lang.get(), "alerts.banner.title")}</h2>
                <Show
                    when=move || current.with(|c| !c.banner.is_empty())
                    fallback=move || view! { <p class="none">{move || t(lang.get(), "alerts.banner.none")}</p> }
                >
                    <Show when=firing>
                        <h3>{move || t(lang.get(), "alerts.banner.firing")}</h3>
                        <ul id="alerts-firing">
                            {move || firing_items().into_iter().map(|s| view! { <li>{s}</li> }).collect_view()}
                        </ul>
                    </Show>
                    <Show when=move || current.with(|c| !c.banner.incidents.is_empty())>
                        <h3>{move || t(lang.get(), "alerts.banner.incidents")}</h3>
                        <ul id="alerts-incidents">
                            {move || incident_items().into_iter().map(|s| view! { <li>{s}</li> }).collect_view()}
                        </ul>
                    </Show>
                </Show>
            </section>
        </Show>
        <Show when=move || state.alerts_notice.with(|n| n.is_some())>
            <p class="notice" id="alerts-notice" role="status">
                {move || {
                    state
                        .alerts_notice
                        .get()
                        .map(|(file, problem)| notice_text(lang.get(), &file, &problem))
                        .unwrap_or_default()
                }}
            </p>
        </Show>
    }
}

/// The narrative of the current view (`modelpulse::narrative`), one paragraph per line.
#[component]
pub fn SummaryPanel(state: AppState) -> impl IntoView {
    let lang = state.lang;
    // Like the facts table, the text follows the view once its charts are drawn
    // (`charts::table_turn`), so a filter change does not render it before plotly.js draws.
    let turn = super::charts::table_turn();
    let text = Memo::new(move |_| {
        turn.track();
        let lang = lang.get_untracked();
        let prices = state.config.with_untracked(|c| c.prices.clone());
        state.facts.with_untracked(|f| {
            if f.data_version == 0 || f.input.dashboard.is_empty() {
                return None;
            }
            let t0 = super::browser::now();
            let text = summary_text(&f.input.dashboard, &f.input.totals, &f.input.conversion, f.evaluation.as_ref(), &prices, lang);
            super::browser::measure("modelpulse:summary", t0, super::browser::now());
            Some(text)
        })
    });
    let paragraphs = move || match text.get() {
        Some(Ok(s)) => s
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(|l| view! { <p>{l.to_string()}</p> })
            .collect_view()
            .into_any(),
        Some(Err(e)) => view! { <p class="error">{e}</p> }.into_any(),
        None => ().into_any(),
    };
    view! {
        <Show when=move || text.with(|t| t.is_some())>
            <section class="summary" id="summary" aria-labelledby="summary-title">
                <h2 id="summary-title">{move || t(lang.get(), "summary.title")}</h2>
                <div id="summary-text">{paragraphs}</div>
            </section>
        </Show>
    }
}
