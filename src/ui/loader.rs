//! Getting the data in: `config.json` (read here, on the main thread), then the worker
//! ([`super::bridge`]) fetches and decodes the configured snapshots — or the dropped/chosen
//! local files — and answers with a [`Loaded`] summary, which this module puts into the state.
//! A file that fails is reported by name and skipped; the others still load.

use super::bridge;
use super::browser;
use super::fetch;
use super::state::{AppState, Progress, Source};
use leptos::prelude::*;
use modelpulse::page::config::{DataSource, PageConfig};
use modelpulse::page::view::ViewState;
use modelpulse::protocol::{FetchError, LoadSource, Loaded, ToWorker};

/// First load: reads `config.json`, then has the worker fetch and decode the configured
/// snapshots and the rules file (and refetch them every `refresh_seconds`).
pub async fn initial_load(state: AppState) {
    let lang = state.lang.get_untracked();
    match fetch::fetch_bytes("config.json").await {
        Ok(bytes) => match PageConfig::from_json(&String::from_utf8_lossy(&bytes)) {
            Ok(cfg) => state.config.set(cfg),
            Err(e) => state.errors.update(|es| es.push(e)),
        },
        // No config.json is fine: the defaults load data/*.parquet.
        Err(FetchError::Http { status: 404, .. }) => {}
        Err(e) => state.errors.update(|es| es.push(e.text(lang, "config.json", "config.json"))),
    }
    // The config's default range applies when the URL does not choose one.
    let search = browser::location_search();
    let default_range = state.config.with_untracked(|c| c.default_range());
    let view = ViewState::from_query(&search, default_range);
    state.view.set(ViewState { lang: state.view.with_untracked(|v| v.lang), ..view.clone() });
    let (source, facts, alerts_url, refresh_seconds) = state.config.with_untracked(|c| {
        (c.data_source(&search), c.facts_urls(&search), c.alerts_url().map(str::to_string), c.refresh_seconds)
    });
    // The view's range (URL, else the config's default): the window range reads fetch first.
    let range = view.range;
    if !bridge::alive() {
        return;
    }
    state.progress.set(Progress { loading: true, ..Default::default() });
    // The load's window on the page's timeline, for the Long Tasks test: from this request to
    // the end of `on_loaded` (`modelpulse:loaded`).
    browser::mark("modelpulse:load-start");
    let base = browser::base_uri();
    bridge::send(&match source {
        // A partitioned snapshot: loaded and polled incrementally (src/worker/refresh.rs).
        DataSource::Manifest(url) => ToWorker::LoadManifest { base, url, alerts_url, refresh_seconds, lang },
        DataSource::Files(urls) => ToWorker::LoadUrls { base, urls, alerts_url, refresh_seconds, lang, facts, range },
    });
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
    state.errors.set(l.errors);
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
