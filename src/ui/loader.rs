//! Getting the data in: `config.json` (read by the worker at boot and posted here, else read
//! here), then the worker ([`super::bridge`]) fetches and decodes the configured snapshots — or the dropped/chosen
//! local files — and answers with a [`Loaded`] summary, which this module puts into the state.
//! A file that fails is reported by name and skipped; the others still load.

use super::bridge;
use super::browser;
use super::fetch;
use super::state::{AppState, Progress, Source};
use leptos::prelude::*;
use modelpulse::page::config::PageConfig;
use modelpulse::page::view::ViewState;
use modelpulse::protocol::{first_load, ConfigFile, FetchError, LoadSource, Loaded, ToWorker};

/// First load: `config.json` (as the worker read it at boot, else fetched here), then the
/// configured snapshots and the rules file (refetched every `refresh_seconds`). Normally the
/// worker started that load at boot (src/worker/boot.rs) and the request sent here, equal to
/// it, only attaches to it; otherwise it starts it.
pub async fn initial_load(state: AppState) {
    let lang = state.lang.get_untracked();
    let file = if bridge::config_expected() {
        match bridge::config_from_worker().await {
            Some(file) => file,
            // The worker failed before answering: the error panel says why.
            None => return,
        }
    } else {
        match fetch::fetch_bytes("config.json").await {
            Ok(bytes) => ConfigFile::Text(String::from_utf8_lossy(&bytes).into_owned()),
            Err(e) => ConfigFile::Failed(e),
        }
    };
    // The worker's `Config` is usually in before the page's wasm even starts (replayed by the
    // bridge during `mount`): go on in a task of its own, not at the end of the app's start.
    browser::next_task().await;
    browser::mark("modelpulse:config");
    let config_error = match file {
        ConfigFile::Text(text) => match PageConfig::from_json(&text) {
            Ok(cfg) => {
                state.config.set(cfg);
                None
            }
            Err(e) => Some(e),
        },
        // No config.json is fine: the defaults load data/*.parquet.
        ConfigFile::Failed(FetchError::Http { status: 404, .. }) => None,
        ConfigFile::Failed(e) => Some(e.text(lang, "config.json", "config.json")),
    };
    if let Some(e) = config_error {
        // Kept across loads (each load's `Loaded` replaces the file errors).
        state.config_errors.update_value(|es| es.push(e.clone()));
        state.errors.update(|es| es.push(e));
    }
    // The config's default range applies when the URL does not choose one.
    let search = browser::location_search();
    let default_range = state.config.with_untracked(|c| c.default_range());
    let view = ViewState::from_query(&search, default_range);
    state.view.set(ViewState { lang: state.view.with_untracked(|v| v.lang), ..view });
    if !bridge::alive() {
        return;
    }
    state.progress.set(Progress { loading: true, ..Default::default() });
    // The load's window on the page's timeline, for the Long Tasks test: from this request to
    // the end of `on_loaded` (`modelpulse:loaded`).
    browser::mark("modelpulse:load-start");
    // The same request the worker computed at boot (`first_load`): a manifest is loaded and
    // polled incrementally (src/worker/refresh.rs), single files with the view's range (URL,
    // else the config's default) as the window range reads fetch first.
    let request = state.config.with_untracked(|c| first_load(c, &search, browser::base_uri(), lang));
    bridge::send(&request);
}

/// Loads files the visitor dropped or chose: they replace the whole dataset (tables without a
/// file are empty) and stop the periodic refresh. The worker reads them; nothing is uploaded.
pub fn load_local_files(state: AppState, files: Vec<web_sys::File>) {
    if files.is_empty() {
        return;
    }
    let total: u64 = files.iter().map(|f| f.size() as u64).sum();
    state.progress.set(Progress { loading: true, bytes_fetched: 0, bytes_expected: total });
    let names = files.iter().map(|f| f.name()).collect();
    bridge::send_with_files(&ToWorker::LoadFiles { names, lang: state.lang.get_untracked() }, &files);
}

/// The worker finished a load: its summary becomes the page's state (timings on the page's
/// timeline, providers, dates, errors, rules notice), and `data_version` moves on, which asks
/// for the view's facts.
pub fn on_loaded(state: AppState, l: Loaded) {
    let origin = browser::time_origin();
    let (f0, f1) = l.fetch.relative_to(origin);
    let (d0, d1) = l.decode.relative_to(origin);
    browser::measure("modelpulse:fetch", f0, f1);
    browser::expose_in("timings", "fetch", &(f1 - f0).into());
    browser::measure("modelpulse:decode", d0, d1);
    browser::expose_in("timings", "decode", &(d1 - d0).into());
    browser::expose("rowsLoaded", &(l.rows as f64).into());
    state.timings.update(|t| {
        t.fetch = Some(f1 - f0);
        t.decode = Some(d1 - d0);
    });
    state.rows_loaded.set(l.rows);
    state.range_stats.set(l.ranges.clone());
    state.published_facts.set(l.published_facts);
    state.providers.set(l.providers);
    state.date_range.set(l.date_range);
    state.errors.set(state.config_errors.get_value().into_iter().chain(l.errors).collect());
    state.source.set(match l.source {
        LoadSource::Urls(u) => Some(Source::Urls(u)),
        LoadSource::Local(n) => Some(Source::Local(n)),
        LoadSource::None => None,
    });
    if let Some(rules) = l.rules {
        state.alerts_notice.set(rules.notice);
    }
    state.progress.update(|p| {
        p.loading = false;
        p.bytes_fetched = p.bytes_fetched.max(l.bytes);
    });
    state.data_version.update(|v| *v += 1);
    browser::mark("modelpulse:loaded");
}
