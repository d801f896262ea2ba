//! The dashboard page: a Leptos (CSR) app. State lives in signals ([`state::AppState`]); effects
//! sit only at the edges (URL, localStorage, plotly.js). All data strings (provider names, error
//! messages) are rendered as text nodes, never as HTML.
//!
//! Flow: `config.json` → the Web Worker ([`bridge`], `src/worker/`) fetches the snapshots in
//! parallel (posting progress), decodes them and keeps them → on each view change the worker
//! answers with the view's facts ([`state::AppState::facts`]) → KPI tiles, charts ([`charts`],
//! `Plotly.react`), table. A filter change is answered from the worker's batches in memory; the
//! main thread never holds the Parquet/Arrow data (or code).

mod alerts;
mod bridge;
mod browser;
mod charts;
mod fetch;
mod filters;
mod kpis;
mod loader;
mod notices;
mod plotly;
mod refresh;
mod state;
mod table;

use leptos::prelude::*;
use modelpulse::i18n::{t, Lang};
use modelpulse::page::view::{RangeChoice, ViewState};
use state::AppState;
use wasm_bindgen::prelude::*;

/// Starts the page: marks it `loading`, mounts the app and starts loading.
pub fn mount() {
    console_error_panic_hook::set_once();
    browser::mark("modelpulse:ui-start");
    browser::set_root_data("state", "loading");
    leptos::mount::mount_to_body(App);
}

/// The language: the URL's `lang`, else the one chosen before (localStorage), else English.
fn initial_lang(view: &ViewState) -> Lang {
    view.lang
        .or_else(|| browser::storage_get("modelpulse.lang").and_then(|s| Lang::parse(&s)))
        .unwrap_or_default()
}

#[component]
fn App() -> impl IntoView {
    let view = ViewState::from_query(&browser::location_search(), RangeChoice::All);
    let state = AppState::new(initial_lang(&view), view);

    // The URL follows the view once the data (and config's default range) are in.
    Effect::new(move |_| {
        let v = state.view.get();
        if state.data_version.get() > 0 {
            browser::replace_query(&v.to_query(&browser::location_search()));
        }
    });
    Effect::new(move |_| {
        let lang = state.lang.get();
        browser::set_lang_attr(lang.code());
        browser::document().set_title(&format!("{} — {}", t(lang, "app.title"), t(lang, "ui.subtitle")));
    });
    // Follow the system color scheme: redraw the charts when it changes.
    if let Ok(Some(mq)) = browser::window().match_media("(prefers-color-scheme: dark)") {
        let cb = Closure::<dyn Fn()>::new(move || state.theme.update(|n| *n += 1));
        let _ = mq.add_event_listener_with_callback("change", cb.as_ref().unchecked_ref());
        cb.forget();
    }
    bridge::start(state);
    state.request_views();
    leptos::task::spawn_local(loader::initial_load(state));

    let lang = state.lang;
    view! {
        <header class="top">
            <div>
                <h1>{move || t(lang.get(), "app.title")}</h1>
                <p class="subtitle">{move || t(lang.get(), "ui.subtitle")}</p>
            </div>
            <filters::Filters state=state/>
        </header>
        <main>
            <notices::ProgressBar state=state/>
            <refresh::RefreshBar state=state/>
            <notices::ErrorPanel state=state/>
            <notices::PublishedNotice state=state/>
            <alerts::AlertsBanner state=state/>
            <notices::EmptyState state=state/>
            <kpis::KpiTiles state=state/>
            <charts::Charts state=state/>
            // The written summary follows the charts, so the charts are in view on load.
            <alerts::SummaryPanel state=state/>
            <table::FactsTable state=state/>
            <notices::DropZone state=state/>
        </main>
        <notices::StatsFooter state=state/>
    }
}
