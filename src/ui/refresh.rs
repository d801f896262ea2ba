//! The refresh status line (issue 6): "updated N s ago", "updates paused", the stale warning,
//! the failed-poll warning ("refresh failed: <file>: <why>; retrying in N s"), and a
//! Pause/Resume button. Shown once the worker reports a refresh status (refresh is on); the text
//! comes from [`modelpulse::refresh::status_lines`] and is re-rendered every second; hidden once
//! local files replace the fetched data (that stops the polling). Everything
//! is text nodes (file names and messages are data). The warnings are a polite live region; the
//! ticking "updated N s ago" is not (it would be read out every second).

use super::bridge;
use super::state::{AppState, Source};
use leptos::prelude::*;
use modelpulse::i18n::t;
use modelpulse::protocol::ToWorker;
use modelpulse::refresh::{status_lines, Tone};

fn now_utc() -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::from_timestamp_millis(js_sys::Date::now() as i64).unwrap_or_default()
}

#[component]
pub fn RefreshBar(state: AppState) -> impl IntoView {
    let tick = RwSignal::new(0u32);
    // One timer for the page's lifetime; it only bumps a counter.
    let _ = set_interval_with_handle(move || tick.update(|n| *n = n.wrapping_add(1)), std::time::Duration::from_secs(1));
    let lines = Memo::new(move |_| {
        tick.track();
        let lang = state.lang.get();
        let stale = state.config.with(|c| c.stale_after_seconds);
        state.refresh.with(|s| s.as_ref().map(|s| status_lines(lang, s, now_utc(), stale)).unwrap_or_default())
    });
    let info = move || {
        lines.with(|l| l.iter().filter(|(tone, _)| *tone == Tone::Info).map(|(_, s)| s.as_str()).collect::<Vec<_>>().join(" · "))
    };
    let warnings = move || lines.with(|l| l.iter().filter(|(tone, _)| *tone == Tone::Warning).map(|(_, s)| s.clone()).collect::<Vec<_>>());
    let paused = move || state.refresh.with(|s| s.as_ref().is_some_and(|s| s.paused));
    let toggle = move |_| bridge::send(&ToWorker::PauseRefresh { paused: !paused() });
    // Local files stop the refresh (the worker stops polling); the last status no longer applies.
    let shown = move || state.refresh.with(|s| s.is_some()) && !state.source.with(|s| matches!(s, Some(Source::Local(_))));
    view! {
        <Show when=shown>
            <section class="refresh" id="refresh" aria-label=move || t(state.lang.get(), "refresh.label")>
                <span id="refresh-status">{info}</span>
                <button type="button" id="refresh-pause" aria-pressed=move || paused().to_string() on:click=toggle>
                    {move || t(state.lang.get(), if paused() { "refresh.resume" } else { "refresh.pause" })}
                </button>
                <ul id="refresh-warnings" role="status" aria-live="polite">
                    {move || warnings().into_iter().map(|w| view! { <li class="refresh-warning">{w}</li> }).collect_view()}
                </ul>
            </section>
        </Show>
    }
}
