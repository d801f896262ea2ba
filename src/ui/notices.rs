//! Everything around the dashboard proper: loading progress, the error panel, the empty state,
//! the drop zone for local files, and the stats footer.

use super::loader;
use super::state::{AppState, Source};
use leptos::prelude::*;
use modelpulse::i18n::{fmt_bytes, fmt_int, fmt_number, t};
use wasm_bindgen::JsCast;

#[component]
pub fn ProgressBar(state: AppState) -> impl IntoView {
    let text = move || {
        let lang = state.lang.get();
        let p = state.progress.get();
        let of = if p.bytes_expected > 0 { format!(" / {}", fmt_bytes(lang, p.bytes_expected)) } else { String::new() };
        format!("{} {}{} {}", t(lang, "ui.loading"), fmt_bytes(lang, p.bytes_fetched), of, t(lang, "ui.fetched"))
    };
    let max = move || state.progress.with(|p| p.bytes_expected.max(p.bytes_fetched).max(1) as f64);
    view! {
        <Show when=move || state.progress.with(|p| p.loading)>
            <div class="progress" role="status" aria-live="polite">
                <progress max=max value=move || state.progress.with(|p| p.bytes_fetched as f64)></progress>
                <span id="progress-text">{text}</span>
            </div>
        </Show>
    }
}

#[component]
pub fn ErrorPanel(state: AppState) -> impl IntoView {
    view! {
        <Show when=move || state.errors.with(|e| !e.is_empty())>
            <section class="errors" id="errors" role="alert">
                <h2>{move || t(state.lang.get(), "ui.errors.title")}</h2>
                <ul>
                    {move || state.errors.get().into_iter().map(|e| view! { <li>{e}</li> }).collect_view()}
                </ul>
                <p>{move || t(state.lang.get(), "ui.errors.hint")}</p>
            </section>
        </Show>
    }
}

/// A one-line, non-blocking notice while the dashboard shows published facts
/// (`dashboard_facts.parquet`): what cannot be derived for providers combined.
#[component]
pub fn PublishedNotice(state: AppState) -> impl IntoView {
    view! {
        <Show when=move || state.published_facts.get()>
            <p class="notice" id="published-notice" role="note">{move || t(state.lang.get(), "published.notice")}</p>
        </Show>
    }
}

#[component]
pub fn EmptyState(state: AppState) -> impl IntoView {
    let empty = move || {
        state.facts.with(|f| f.data_version > 0 && f.input.dashboard.is_empty() && f.input.conversion.is_empty())
    };
    view! {
        <Show when=empty>
            <section class="empty" id="empty" role="status">
                <h2>{move || t(state.lang.get(), "ui.empty.title")}</h2>
                <p>{move || t(state.lang.get(), "ui.empty.hint")}</p>
            </section>
        </Show>
    }
}

/// Files from a drop or the file input.
fn files_of(list: Option<web_sys::FileList>) -> Vec<web_sys::File> {
    let Some(list) = list else { return Vec::new() };
    (0..list.length()).filter_map(|i| list.get(i)).collect()
}

#[component]
pub fn DropZone(state: AppState) -> impl IntoView {
    let dragging = RwSignal::new(false);
    let _ = window_event_listener(leptos::ev::dragover, move |ev| {
        ev.prevent_default();
        dragging.set(true);
    });
    let _ = window_event_listener(leptos::ev::dragleave, move |_| dragging.set(false));
    let _ = window_event_listener(leptos::ev::drop, move |ev| {
        ev.prevent_default();
        dragging.set(false);
        let files = files_of(ev.data_transfer().and_then(|d| d.files()));
        loader::load_local_files(state, files);
    });
    let on_choose = move |ev: leptos::ev::Event| {
        let input: Option<web_sys::HtmlInputElement> = ev.target().and_then(|t| t.dyn_into().ok());
        let files = files_of(input.as_ref().and_then(|i| i.files()));
        loader::load_local_files(state, files);
    };
    view! {
        <section class="drop" class:dragging=move || dragging.get()>
            <p>
                {move || t(state.lang.get(), "ui.drop")}" "
                <label class="choose">
                    {move || t(state.lang.get(), "ui.choose")}
                    <input type="file" id="file-input" multiple accept=".parquet" on:change=on_choose/>
                </label>
            </p>
        </section>
    }
}

#[component]
pub fn StatsFooter(state: AppState) -> impl IntoView {
    let line = move || {
        let lang = state.lang.get();
        let tm = state.timings.get();
        let ms = |key: &str, v: Option<f64>| v.map(|v| format!("{} {} ms", t(lang, key), fmt_number(lang, v, 1)));
        let mut parts: Vec<String> = [
            ms("ui.stats.fetch", tm.fetch),
            ms("ui.stats.decode", tm.decode),
            ms("ui.stats.aggregate", tm.aggregate),
            ms("ui.stats.render", tm.render),
            ms("ui.stats.total", tm.total),
            ms("ui.stats.filter", tm.filter),
            ms("ui.stats.filter_all", tm.filter_all),
        ]
        .into_iter()
        .flatten()
        .collect();
        parts.push(format!("{} {}", fmt_int(lang, state.rows_loaded.get() as i64), t(lang, "ui.stats.rows")));
        parts.push(format!("{} {}", fmt_bytes(lang, state.progress.with(|p| p.bytes_fetched)), t(lang, "ui.stats.bytes")));
        // Range reads (src/worker/ranges.rs): requests, and bytes fetched of the files' size.
        if let Some(r) = state.range_stats.get() {
            parts.push(format!(
                "{}: {} {}, {} / {}",
                t(lang, "ranges.stats"),
                fmt_int(lang, i64::from(r.requests)),
                t(lang, "ranges.requests"),
                fmt_bytes(lang, r.fetched),
                fmt_bytes(lang, r.file_bytes)
            ));
        }
        parts.join(" · ")
    };
    let source = move || {
        let lang = state.lang.get();
        match state.source.get() {
            Some(Source::Urls(u)) => u.join(", "),
            Some(Source::Local(names)) => format!("{}: {}", t(lang, "ui.source.local"), names.join(", ")),
            None => String::new(),
        }
    };
    view! {
        <footer class="stats" id="stats">
            <h2>{move || t(state.lang.get(), "ui.stats")}</h2>
            <p id="stats-line">{line}</p>
            <p class="source">{move || t(state.lang.get(), "ui.source")}": "{source}</p>
        </footer>
    }
}
