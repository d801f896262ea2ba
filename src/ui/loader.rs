//! Getting the snapshots into the [`Dataset`]: `config.json`, then every snapshot fetched in
//! parallel (with progress), then decoded one by one. A file that fails is reported by name and
//! skipped; the others still load. Dropped/chosen local files go through the same decode step.

use super::browser;
use super::fetch::{self, FetchError};
use super::state::{AppState, Source};
use leptos::prelude::*;
use modelpulse::contract::Table;
use modelpulse::i18n::{t, Lang};
use modelpulse::alerts::Rules;
use modelpulse::page::config::{data_param, file_name_of, table_for_file_name, PageConfig};
use modelpulse::page::view::ViewState;
use modelpulse::Dataset;

/// One file's bytes, ready to decode.
struct Fetched {
    table: Table,
    /// File name for messages (last path segment).
    name: String,
    bytes: Vec<u8>,
}

/// Human text for a fetch failure of `name`.
fn fetch_error_text(lang: Lang, name: &str, url: &str, e: &FetchError) -> String {
    match e {
        FetchError::Http { status, status_text } => {
            format!("{name}: {} {status} {status_text} ({url})", t(lang, "ui.err.http")).trim_end().to_string()
        }
        FetchError::Network(detail) => format!("{name}: {} ({url}; {detail})", t(lang, "ui.err.network")),
    }
}

/// First load: reads `config.json`, then fetches and decodes the configured snapshots.
pub async fn initial_load(state: AppState) {
    let lang = state.lang.get_untracked();
    match fetch::fetch_bytes("config.json", |_, _| {}).await {
        Ok(bytes) => match PageConfig::from_json(&String::from_utf8_lossy(&bytes)) {
            Ok(cfg) => state.config.set(cfg),
            Err(e) => state.errors.update(|es| es.push(e)),
        },
        // No config.json is fine: the defaults load data/*.parquet.
        Err(FetchError::Http { status: 404, .. }) => {}
        Err(e) => state.errors.update(|es| es.push(fetch_error_text(lang, "config.json", "config.json", &e))),
    }
    // The config's default range applies when the URL does not choose one.
    let search = browser::location_search();
    let default_range = state.config.with_untracked(|c| c.default_range());
    let view = ViewState::from_query(&search, default_range);
    state.view.set(ViewState { lang: state.view.with_untracked(|v| v.lang), ..view });
    // The rules file loads beside the snapshots; whatever happens to it, the dashboard loads.
    futures::join!(load_rules(state), fetch_and_decode(state, true));
    let refresh = state.config.with_untracked(|c| c.refresh_seconds);
    if refresh > 0 {
        set_interval(
            move || {
                // Local files replace the configured snapshots until the page is reloaded.
                if matches!(state.source.get_untracked(), Some(Source::Urls(_))) {
                    leptos::task::spawn_local(fetch_and_decode(state, false));
                }
            },
            std::time::Duration::from_secs(u64::from(refresh)),
        );
    }
}

/// Reads the alert rules named by `config.json`'s `alerts` (default `alerts.toml`) into
/// `state.rules`. A missing, unreadable or invalid file sets `state.alerts_notice` (naming the
/// file) and leaves the page without a banner; it never counts as a data error.
pub async fn load_rules(state: AppState) {
    let Some(url) = state.config.with_untracked(|c| c.alerts_url().map(str::to_string)) else { return };
    let lang = state.lang.get_untracked();
    let name = file_name_of(&url).to_string();
    let problem = match fetch::fetch_bytes(&url, |_, _| {}).await {
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(text) => match Rules::parse(&text) {
                Ok(rules) => {
                    state.rules.set(Some(std::sync::Arc::new(rules)));
                    state.alerts_notice.set(None);
                    return;
                }
                Err(e) => e.to_string(),
            },
            Err(_) => t(lang, "ui.err.read").to_string(),
        },
        Err(e) => fetch_error_text(lang, &name, &url, &e),
    };
    state.alerts_notice.set(Some((name, problem)));
}

/// Fetches every configured snapshot in parallel and decodes them. `show_progress` is false for
/// the periodic refresh (the dashboard stays as it is until the new data is in).
pub async fn fetch_and_decode(state: AppState, show_progress: bool) {
    let lang = state.lang.get_untracked();
    let base = data_param(&browser::location_search());
    let urls = state.config.with_untracked(|c| c.snapshot_urls(base.as_deref()));
    if show_progress {
        state.progress.set(super::state::Progress { loading: true, ..Default::default() });
    }
    let t0 = browser::now();
    let jobs = urls.iter().map(|(table, url)| {
        let (table, url) = (*table, url.clone());
        let mut expected_added = false;
        async move {
            let result = fetch::fetch_bytes(&url, |n, len| {
                if show_progress {
                    state.progress.update(|p| {
                        p.bytes_fetched += n;
                        if let (Some(len), false) = (len, expected_added) {
                            p.bytes_expected += len;
                        }
                    });
                    expected_added = true;
                }
            })
            .await;
            (table, url, result)
        }
    });
    let results = futures::future::join_all(jobs).await;
    let t1 = browser::now();
    browser::measure("modelpulse:fetch", t0, t1);
    browser::expose_in("timings", "fetch", &(t1 - t0).into());
    let mut errors = Vec::new();
    let mut files = Vec::new();
    for (table, url, result) in results {
        let name = file_name_of(&url).to_string();
        match result {
            Ok(bytes) => files.push(Fetched { table, name, bytes }),
            Err(e) => errors.push(fetch_error_text(lang, &name, &url, &e)),
        }
    }
    state.timings.update(|t| t.fetch = Some(t1 - t0));
    decode_into_dataset(state, files, errors, Source::Urls(urls.into_iter().map(|(_, u)| u).collect()));
}

/// Loads files the visitor dropped or chose: they replace the whole dataset (tables without a
/// file are empty). Read locally; nothing is uploaded.
pub async fn load_local_files(state: AppState, files: Vec<web_sys::File>) {
    if files.is_empty() {
        return;
    }
    let lang = state.lang.get_untracked();
    let mut errors = Vec::new();
    let mut fetched = Vec::new();
    let t0 = browser::now();
    let total: u64 = files.iter().map(|f| f.size() as u64).sum();
    state.progress.set(super::state::Progress { loading: true, bytes_fetched: 0, bytes_expected: total });
    for f in &files {
        let name = f.name();
        let Some(table) = table_for_file_name(&name) else {
            errors.push(format!("{name}: {}", t(lang, "ui.err.unknown_table")));
            continue;
        };
        match fetch::read_file(f).await {
            Ok(bytes) => {
                state.progress.update(|p| p.bytes_fetched += bytes.len() as u64);
                fetched.push(Fetched { table, name, bytes });
            }
            Err(e) => errors.push(format!("{name}: {} ({e})", t(lang, "ui.err.read"))),
        }
    }
    let t1 = browser::now();
    browser::measure("modelpulse:fetch", t0, t1);
    state.timings.update(|t| t.fetch = Some(t1 - t0));
    let names = fetched.iter().map(|f| f.name.clone()).collect();
    decode_into_dataset(state, fetched, errors, Source::Local(names));
}

/// Decodes `files` into a fresh dataset and makes it the page's data. `errors` are the failures
/// so far; decode failures (the core's messages, which start with the file name) are added.
fn decode_into_dataset(state: AppState, files: Vec<Fetched>, mut errors: Vec<String>, source: Source) {
    let t0 = browser::now();
    let mut ds = Dataset::new();
    let mut bytes_total = 0u64;
    for f in files {
        bytes_total += f.bytes.len() as u64;
        if let Err(e) = ds.load(f.table, &f.name, bytes::Bytes::from(f.bytes)) {
            errors.push(e.to_string());
        }
    }
    let report = ds.report();
    let rows: u64 = report.tables.iter().map(|r| r.rows_read).sum();
    let providers = ds.providers();
    let range = ds.date_range();
    let t1 = browser::now();
    browser::measure("modelpulse:decode", t0, t1);
    browser::expose_in("timings", "decode", &(t1 - t0).into());
    browser::expose("rowsLoaded", &(rows as f64).into());
    state.dataset.set_value(ds);
    state.timings.update(|t| t.decode = Some(t1 - t0));
    state.rows_loaded.set(rows);
    state.providers.set(providers);
    state.date_range.set(range);
    state.errors.set(errors);
    state.source.set(Some(source));
    state.progress.update(|p| {
        p.loading = false;
        p.bytes_fetched = p.bytes_fetched.max(bytes_total);
    });
    state.data_version.update(|v| *v += 1);
}
