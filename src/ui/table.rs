//! The table of `dashboard_facts` for the current filter (the accessible alternative to the
//! charts) and the CSV download — `dashboard_csv` of the same rows (computed by the worker), so
//! the unfiltered download is byte for byte what `modelpulse facts` prints.

use super::bridge;
use super::charts;
use super::state::AppState;
use leptos::prelude::*;
use modelpulse::facts::{DashboardFact, DASHBOARD_COLUMNS};
use modelpulse::i18n::{fmt_date, fmt_int, fmt_number, fmt_percent, t, Lang};

/// The cells of one row, formatted for `lang` (null → `–`).
fn cells(lang: Lang, r: &DashboardFact) -> [String; 15] {
    let pct = |v: Option<f64>| v.map(|v| fmt_percent(lang, v, 1)).unwrap_or_else(|| "–".into());
    let ms = |v: Option<f64>| v.map(|v| fmt_number(lang, v, 1)).unwrap_or_else(|| "–".into());
    [
        fmt_date(lang, r.event_date),
        r.provider.clone(),
        fmt_int(lang, r.events),
        fmt_int(lang, r.sessions),
        pct(r.accuracy_daily),
        pct(r.accuracy_rolling_7d),
        ms(r.latency_p50_ms),
        ms(r.latency_p95_ms),
        fmt_int(lang, r.tokens_input),
        fmt_int(lang, r.tokens_output),
        fmt_int(lang, r.tokens_total),
        fmt_int(lang, r.tickets),
        fmt_int(lang, r.tickets_resolved_by_agent),
        pct(r.resolution_rate),
        fmt_number(lang, r.revenue_from_ai, 2),
    ]
}

#[component]
pub fn FactsTable(state: AppState) -> impl IntoView {
    let download = move |_| {
        // The worker computes the CSV from its batches; it is saved when it arrives.
        bridge::request_csv(state.facts.with_untracked(|f| f.query.clone()));
    };
    let header = move || {
        let lang = state.lang.get();
        DASHBOARD_COLUMNS
            .iter()
            .map(|c| view! { <th scope="col" data-col=*c>{t(lang, &format!("ui.col.{c}"))}</th> })
            .collect_view()
    };
    // Rows are keyed by dataset version, language, date and provider: a row's values depend only
    // on those (filters select rows, they do not change them), so a filter change only adds or
    // removes rows.
    // The rows follow the view once its charts are drawn (`charts::table_turn`): laying out the
    // table's cells before would delay the charts (see src/ui/charts.rs).
    let turn = charts::table_turn();
    let rows = move || {
        turn.track();
        let lang = state.lang.get_untracked();
        state.facts.with_untracked(|f| {
            f.input.dashboard.iter().map(|r| ((f.data_version, lang, r.event_date, r.provider.clone()), cells(lang, r))).collect::<Vec<_>>()
        })
    };
    view! {
        <section class="facts" aria-labelledby="facts-title">
            <div class="facts-head">
                <h2 id="facts-title">{move || t(state.lang.get(), "ui.table.title")}</h2>
                <button type="button" id="download-csv" on:click=download>
                    {move || t(state.lang.get(), "ui.download")}
                </button>
            </div>
            <div class="table-scroll" tabindex="0" role="region" aria-labelledby="facts-title">
                <table id="facts-table">
                    <caption>{move || t(state.lang.get(), "ui.table.caption")}</caption>
                    <thead><tr>{header}</tr></thead>
                    <tbody>
                        <For each=rows key=|(k, _)| k.clone() let:row>
                            <tr>
                                {row.1.into_iter().enumerate().map(|(i, c)| if i == 1 {
                                    view! { <th scope="row">{c}</th> }.into_any()
                                } else {
                                    view! { <td>{c}</td> }.into_any()
                                }).collect_view()}
                            </tr>
                        </For>
                    </tbody>
                </table>
            </div>
        </section>
    }
}
