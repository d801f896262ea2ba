//! The worker's message loop. It holds the one [`Engine`] (dataset + alert rules) and answers
//! the page's [`ToWorker`] requests:
//! - `LoadUrls`: fetch the snapshots in parallel (posting `Progress` as chunks arrive) and the
//!   rules file, decode, post `Loaded`; then poll them every `refresh_seconds` with conditional
//!   requests ([`crate::refresh::start_files`]).
//! - `LoadManifest`: a partitioned snapshot, loaded and polled incrementally by
//!   [`crate::refresh::load_manifest`]; `PauseRefresh` pauses/resumes the polling.
//! - `LoadFiles`: read the posted `File`s, decode, post `Loaded`; stops the refresh.
//! - `View`/`Csv`: computed from the batches in memory, answered at once.
//!
//! Loads may overlap (a drop while the first load runs, a refresh tick): each gets a number and
//! only the newest one's result is used.

use crate::fetch;
use crate::js::{now, post, scope};
use js_sys::Reflect;
use modelpulse::contract::Table;
use modelpulse::engine::{local_file_kind, Engine, FactsBytes, FileBytes, LocalFile};
use modelpulse::i18n::{t, Lang};
use modelpulse::page::config::file_name_of;
use modelpulse::page::view::RangeChoice;
use modelpulse::precomputed::FactsTable;
use modelpulse::protocol::{decode, FromWorker, LoadSource, RulesStatus, Span, ToWorker};
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::spawn_local;

thread_local! {
    pub(crate) static ENGINE: RefCell<Engine> = RefCell::new(Engine::new());
    /// Number of the newest load; an older load discards its result.
    static LOAD: Cell<u64> = const { Cell::new(0) };
}

/// Installs the message handler, then tells the page the worker is ready.
pub fn start() {
    let on_message = Closure::<dyn Fn(web_sys::MessageEvent)>::new(|ev: web_sys::MessageEvent| handle(ev.data()));
    scope().set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    on_message.forget();
    post(&FromWorker::Ready);
}

fn next_load() -> u64 {
    LOAD.with(|l| {
        l.set(l.get() + 1);
        l.get()
    })
}

pub(crate) fn is_current(load: u64) -> bool {
    LOAD.with(|l| l.get() == load)
}

/// One message from the page: `{msg: <ToWorker JSON>, files?: [File, …]}`.
pub(crate) fn handle(data: JsValue) {
    let text = Reflect::get(&data, &"msg".into()).ok().and_then(|m| m.as_string());
    let msg = match text.as_deref().map(decode::<ToWorker>) {
        Some(Ok(m)) => m,
        Some(Err(message)) => return post(&FromWorker::Error { message }),
        None => return post(&FromWorker::Error { message: "bad message between page and worker: no msg".into() }),
    };
    // `Boot`, and the page's request for the load that boot already started (src/worker/boot.rs).
    if crate::boot::intercept(&msg) {
        return;
    }
    run(msg, &data);
}

/// Carries out request `msg` (`data`: the message, for the `File`s of `LoadFiles`).
pub(crate) fn run(msg: ToWorker, data: &JsValue) {
    match msg {
        ToWorker::LoadUrls { base, urls, alerts_url, refresh_seconds, lang, facts, range } => {
            stop_refresh();
            let load = next_load();
            spawn_local(async move {
                let seeds = load_urls(load, &base, &urls, &facts, range, alerts_url.as_deref(), lang, true).await;
                if refresh_seconds > 0 && is_current(load) {
                    // Files read by ranges are polled by `crate::ranges::poll` (conditional
                    // suffix-range requests), not by the whole-file `FileSync`.
                    let urls: Vec<(Table, String)> =
                        urls.into_iter().filter(|(_, u)| !crate::ranges::is_ranged(&absolute(&base, u))).collect();
                    crate::refresh::start_files(load, &base, &urls, seeds, lang, refresh_seconds);
                }
            });
        }
        ToWorker::LoadFiles { names, lang } => {
            stop_refresh();
            let load = next_load();
            let files: Vec<web_sys::File> = Reflect::get(data, &"files".into())
                .ok()
                .filter(|f| f.is_object())
                .map(|f| js_sys::Array::from(&f).iter().map(|f| f.unchecked_into()).collect())
                .unwrap_or_default();
            spawn_local(load_files(load, names, files, lang));
        }
        ToWorker::LoadManifest { base, url, alerts_url, refresh_seconds, lang } => {
            stop_refresh();
            crate::ranges::clear();
            let load = next_load();
            spawn_local(crate::refresh::load_manifest(load, base, url, alerts_url, lang, refresh_seconds));
        }
        ToWorker::PauseRefresh { paused } => crate::refresh::pause(paused),
        ToWorker::View { id, query } => {
            // A view beyond the row groups fetched by range reads fetches them first.
            if crate::ranges::must_widen(&query) {
                spawn_local(async move {
                    crate::ranges::widen(&query).await;
                    answer_view(id, &query);
                });
            } else {
                answer_view(id, &query);
            }
        }
        ToWorker::Csv { id, query } => {
            let text = ENGINE.with_borrow(|e| e.csv(&query));
            post(&FromWorker::Csv { id, text });
        }
        ToWorker::Boot { .. } => {}
    }
}

/// Posts the facts of view `query`.
fn answer_view(id: u64, query: &modelpulse::query::Query) {
    let t0 = now();
    let mut view = ENGINE.with_borrow(|e| e.view(query));
    view.aggregate = Span { start: t0, end: now() };
    post(&FromWorker::View { id, view });
}

/// Bytes fetched by the current load, posted to the page every 25 ms or 2 MiB, whichever comes
/// first (and at the start and end).
#[derive(Clone)]
pub(crate) struct Progress(Rc<RefCell<ProgressState>>);

struct ProgressState {
    shown: bool,
    fetched: u64,
    expected: u64,
    last_post: f64,
    last_posted_bytes: u64,
}

impl Progress {
    pub(crate) fn new(shown: bool, expected: u64) -> Progress {
        let p = Progress(Rc::new(RefCell::new(ProgressState { shown, fetched: 0, expected, last_post: 0.0, last_posted_bytes: 0 })));
        p.post(true);
        p
    }
    pub(crate) fn expect(&self, len: Option<u64>) {
        self.0.borrow_mut().expected += len.unwrap_or(0);
        self.post(false);
    }
    pub(crate) fn add(&self, n: u64) {
        self.0.borrow_mut().fetched += n;
        self.post(false);
    }
    pub(crate) fn post(&self, force: bool) {
        let mut s = self.0.borrow_mut();
        let t = now();
        if s.shown && (force || t - s.last_post >= 25.0 || s.fetched - s.last_posted_bytes >= 2 << 20) {
            s.last_post = t;
            s.last_posted_bytes = s.fetched;
            post(&FromWorker::Progress { bytes_fetched: s.fetched, bytes_expected: s.expected });
        }
    }
}

/// `url` resolved against the page's base URL (the worker's own URL may differ).
pub(crate) fn absolute(base: &str, url: &str) -> String {
    web_sys::Url::new_with_base(url, base).map(|u| u.href()).unwrap_or_else(|_| url.to_string())
}

/// The rules file's name and its rules, parsed as soon as the file is in (while the snapshots
/// still download: the TOML parser's first run, and V8's compile of it, then use a core the
/// load leaves idle, not the time between the decode and `Loaded`), or why it could not be read
/// or parsed. [`Engine::install_rules`] takes the result.
pub(crate) async fn read_rules(base: &str, url: &str, lang: Lang) -> (String, Result<modelpulse::alerts::Rules, String>) {
    let name = file_name_of(url).to_string();
    let text = match fetch::fetch_bytes(&absolute(base, url), |_| {}, |_| {}).await {
        Ok(bytes) => String::from_utf8(bytes).map_err(|_| t(lang, "ui.err.read").to_string()),
        Err(e) => Err(e.text(lang, &name, url)),
    };
    (name, modelpulse::engine::parse_rules(text))
}

/// Fetches `urls` in parallel (and the published `facts` files, whole, and the rules file when
/// `alerts_url` is set), then decodes them into a new dataset and posts `Loaded`. Large raw
/// files are read by ranges for the view's `range` (src/worker/ranges.rs). `shown`: post
/// progress (not for a refresh). Returns the validators (`ETag`/`Last-Modified`) of each raw
/// file fetched whole that decoded, for the refresh's first poll.
#[allow(clippy::too_many_arguments)]
async fn load_urls(
    load: u64,
    base: &str,
    urls: &[(Table, String)],
    facts: &[(FactsTable, String)],
    range: RangeChoice,
    alerts_url: Option<&str>,
    lang: Lang,
    shown: bool,
) -> Vec<(Table, modelpulse::refresh::Validators)> {
    let progress = Progress::new(shown, 0);
    let t0 = now();
    // Published facts are small: fetched whole, never by ranges.
    let facts_jobs = facts.iter().map(|(table, url)| {
        let p = progress.clone();
        async move {
            let name = file_name_of(url).to_string();
            let r = fetch::fetch_bytes(&absolute(base, url), |l| p.expect(l), |n| p.add(n)).await;
            (*table, name, url, r)
        }
    });
    let jobs = urls.iter().map(|(table, url)| {
        let p = progress.clone();
        async move {
            let name = file_name_of(url).to_string();
            let r = crate::ranges::fetch_file(*table, &absolute(base, url), &name, range, &p).await;
            (*table, url, r)
        }
    });
    let rules = async {
        match alerts_url {
            Some(u) => Some(read_rules(base, u, lang).await),
            None => None,
        }
    };
    let (results, facts_results, rules) =
        futures::join!(futures::future::join_all(jobs), futures::future::join_all(facts_jobs), rules);
    let fetch_span = Span { start: t0, end: now() };
    progress.post(true);
    if !is_current(load) {
        return Vec::new();
    }
    let mut errors = Vec::new();
    let mut files = Vec::new();
    let mut ranged = Vec::new();
    let mut validators = Vec::new();
    for (table, url, r) in results {
        let name = file_name_of(url).to_string();
        match r {
            Ok(crate::ranges::Got::Whole(bytes, v)) => {
                validators.push((table, name.clone(), v));
                files.push(FileBytes { table, name, bytes: bytes.into() });
            }
            Ok(crate::ranges::Got::Ranged(r)) => ranged.push(r),
            Ok(crate::ranges::Got::Failed(message)) => errors.push(message),
            Err(e) => errors.push(e.text(lang, &name, url)),
        }
    }
    let mut facts_files = Vec::new();
    for (table, name, url, r) in facts_results {
        match r {
            Ok(bytes) => facts_files.push(FactsBytes { table, name, bytes: bytes.into() }),
            Err(e) => errors.push(e.text(lang, &name, url)),
        }
    }
    let source = LoadSource::Urls(urls.iter().map(|(_, u)| u.clone()).chain(facts.iter().map(|(_, u)| u.clone())).collect());
    let t1 = now();
    let whole_bytes: u64 =
        files.iter().map(|f| f.bytes.len() as u64).sum::<u64>() + facts_files.iter().map(|f| f.bytes.len() as u64).sum::<u64>();
    let loaded = ENGINE.with_borrow_mut(|e| e.load_with_facts(files, facts_files, errors));
    // A file that did not decode gets no seed: its first poll fetches it again.
    let decoded = |name: &str| loaded.report.tables.iter().any(|r| r.file == name);
    let seeds = validators.into_iter().filter(|(_, name, _)| decoded(name)).map(|(t, _, v)| (t, v)).collect();
    let mut loaded = crate::ranges::install(load, ranged, loaded.errors, whole_bytes, source, lang);
    loaded.decode = Span { start: t1, end: now() };
    // The rules were parsed when their file came in (`read_rules`); they take effect with the
    // new dataset.
    loaded.rules = rules.map(|(name, rules)| ENGINE.with_borrow_mut(|e| e.install_rules(&name, rules)));
    loaded.fetch = fetch_span;
    loaded.refresh = !shown;
    post(&FromWorker::Loaded(loaded));
    seeds
}

/// Reads the dropped/chosen `files` (named `names`) and makes them the whole dataset.
async fn load_files(load: u64, names: Vec<String>, files: Vec<web_sys::File>, lang: Lang) {
    let total: u64 = files.iter().map(|f| f.size() as u64).sum();
    let progress = Progress::new(true, total);
    let t0 = now();
    let mut errors = Vec::new();
    let mut read = Vec::new();
    let mut facts = Vec::new();
    for (name, file) in names.iter().zip(&files) {
        let kind = match local_file_kind(lang, name) {
            Ok(k) => k,
            Err(e) => {
                errors.push(e);
                continue;
            }
        };
        match fetch::read_file(file).await {
            Ok(bytes) => {
                progress.add(bytes.len() as u64);
                let (name, bytes) = (name.clone(), bytes.into());
                match kind {
                    LocalFile::Raw(table) => read.push(FileBytes { table, name, bytes }),
                    LocalFile::Facts(table) => facts.push(FactsBytes { table, name, bytes }),
                }
            }
            Err(e) => errors.push(format!("{name}: {} ({e})", t(lang, "ui.err.read"))),
        }
    }
    let fetch_span = Span { start: t0, end: now() };
    progress.post(true);
    if !is_current(load) {
        return;
    }
    let source = LoadSource::Local(read.iter().map(|f| f.name.clone()).chain(facts.iter().map(|f| f.name.clone())).collect());
    finish(read, facts, errors, source, fetch_span, false, None);
}

/// Decodes `files` and published `facts` into the engine's new dataset and posts `Loaded`.
fn finish(
    files: Vec<FileBytes>,
    facts: Vec<FactsBytes>,
    errors: Vec<String>,
    source: LoadSource,
    fetch: Span,
    refresh: bool,
    rules: Option<RulesStatus>,
) {
    crate::ranges::clear();
    let t0 = now();
    let mut loaded = ENGINE.with_borrow_mut(|e| e.load_with_facts(files, facts, errors));
    loaded.decode = Span { start: t0, end: now() };
    loaded.fetch = fetch;
    loaded.source = source;
    loaded.refresh = refresh;
    loaded.rules = rules;
    post(&FromWorker::Loaded(loaded));
}

/// Stops the periodic refresh (a new load, or local files).
fn stop_refresh() {
    crate::refresh::stop();
}
