//! The incremental refresh in the worker (issue 6): the poll loop around the pure logic of
//! [`modelpulse::refresh`].
//!
//! - A partitioned snapshot ([`load_manifest`], sent as `ToWorker::LoadManifest`): the first load
//!   and every poll go through one [`ManifestSync`]: fetch `manifest.json` with
//!   `If-None-Match`/`If-Modified-Since` (a 304 ends the poll), parse it, fetch only the parts the
//!   plan lists (in parallel), check their size and SHA-256, decode them into the part cache and
//!   re-merge only the tables whose parts changed, in the engine's dataset.
//! - Single files ([`start_files`], after the shell's first `LoadUrls`): each poll asks for each
//!   file with its validators — from the first poll on, those of the first load's responses —; a
//!   304 keeps the table, a body is decoded and replaces it (unless it carries the held
//!   validators: a server that ignores the conditional headers). Files read by ranges are polled
//!   in the same poll by `crate::ranges::poll` (conditional suffix-range requests; a changed file
//!   is re-read by ranges).
//! - Every poll posts `FromWorker::Refresh(Status)` (the page's status line); one that changed the
//!   data also posts `Loaded { refresh: true }` (the page asks for the view again and redraws with
//!   `Plotly.react`, keeping zoom and filters). A failed poll changes nothing on screen but the
//!   warning, backs off ([`Schedule`]) and retries by itself. `ToWorker::PauseRefresh` stops and
//!   resumes the polling (resuming polls at once).
//!
//! One poller at a time; a new load (`LoadUrls`, `LoadManifest`, `LoadFiles`) stops it ([`stop`]).
//! A poll in flight when that happens finishes without touching the new load's data.

use crate::fetch;
use crate::js::{now, post, scope};
use crate::shell::{self, Progress, ENGINE};
use modelpulse::contract::Table;
use modelpulse::engine::FileBytes;
use modelpulse::i18n::{t, Lang};
use modelpulse::manifest::{resolve, Manifest, Part};
use modelpulse::page::config::file_name_of;
use modelpulse::protocol::{FetchError, FromWorker, LoadSource, Loaded, RulesStatus, Span};
use modelpulse::refresh::{classify, newest_data, Failure, FileSync, ManifestSync, Reply, Schedule, Status, Validators};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::spawn_local;

/// What is being watched.
enum Watch {
    /// A manifest at this absolute URL.
    Manifest { url: String, sync: ManifestSync },
    /// Single files: (table, absolute URL) as configured.
    Files { urls: Vec<(Table, String)>, sync: FileSync },
}

struct Poller {
    /// The shell's load number this poller belongs to.
    load: u64,
    lang: Lang,
    watch: Watch,
    schedule: Schedule,
    status: Status,
    timer: Option<i32>,
    /// A poll is in flight.
    busy: bool,
}

type Shared = Rc<RefCell<Poller>>;

thread_local! {
    static POLLER: RefCell<Option<Shared>> = const { RefCell::new(None) };
}

fn utc(ms: f64) -> Option<chrono::DateTime<chrono::Utc>> {
    chrono::DateTime::from_timestamp_millis(ms as i64)
}

/// Stops polling (a new load replaces the data, or local files were dropped).
pub fn stop() {
    if let Some(p) = POLLER.with_borrow_mut(|p| p.take())
        && let Some(h) = p.borrow_mut().timer.take()
    {
        scope().clear_timeout_with_handle(h);
    }
}

/// True while `p` is the poller in charge and its load is current.
fn in_charge(p: &Shared) -> bool {
    POLLER.with_borrow(|cur| cur.as_ref().is_some_and(|c| Rc::ptr_eq(c, p))) && shell::is_current(p.borrow().load)
}

/// Pauses (`true`) or resumes (`false`) the polling; resuming polls at once. Posts the status.
pub fn pause(paused: bool) {
    let Some(p) = POLLER.with_borrow(|p| p.clone()) else { return };
    let poll_now = {
        let mut q = p.borrow_mut();
        if let Some(h) = q.timer.take() {
            scope().clear_timeout_with_handle(h);
        }
        if paused {
            q.schedule.pause();
        } else {
            q.schedule.resume();
        }
        q.status.paused = paused;
        q.status.next_poll = None;
        !paused && !q.busy
    };
    post_status(&p);
    if poll_now {
        spawn_local(poll(p));
    }
}

fn post_status(p: &Shared) {
    let s = p.borrow().status.clone();
    post(&FromWorker::Refresh(s));
}

/// Sets the timer for the next poll (none while paused or when refresh is off).
fn schedule_next(p: &Shared) {
    if !in_charge(p) {
        return;
    }
    let delay = p.borrow().schedule.delay_seconds();
    let next = delay.and_then(|secs| {
        let q = p.clone();
        let tick = Closure::once_into_js(move || spawn_local(poll(q)));
        let ms = (secs as i32).saturating_mul(1000);
        scope().set_timeout_with_callback_and_timeout_and_arguments_0(tick.unchecked_ref(), ms).ok().map(|h| (h, secs))
    });
    let mut q = p.borrow_mut();
    q.timer = next.map(|(h, _)| h);
    q.status.next_poll = next.and_then(|(_, secs)| utc(now() + f64::from(secs) * 1000.0));
}

/// One poll: fetch what changed, apply it, post the status (and `Loaded` when the data changed),
/// schedule the next.
async fn poll(p: Shared) {
    {
        let mut q = p.borrow_mut();
        if q.busy || q.schedule.paused {
            return;
        }
        q.busy = true;
        q.timer = None;
    }
    let kind_is_manifest = matches!(p.borrow().watch, Watch::Manifest { .. });
    let t0 = now();
    let result = if kind_is_manifest { poll_manifest(&p, None).await } else { poll_files(&p).await };
    p.borrow_mut().busy = false;
    if !in_charge(&p) {
        return;
    }
    finish_poll(&p, result, t0, None);
}

/// Records a poll's outcome in the status and the backoff, posts `Loaded` (when the data
/// changed) and the status, and schedules the next poll.
fn finish_poll(p: &Shared, result: Result<Option<Loaded>, Failure>, t0: f64, rules: Option<RulesStatus>) {
    let first = rules.is_some();
    match result {
        Ok(changed) => {
            {
                let mut q = p.borrow_mut();
                q.schedule.succeeded();
                q.status.failure = None;
                q.status.last_success = utc(now());
                let newest = newest_of(&q);
                q.status.newest = newest;
            }
            if let Some(mut loaded) = changed {
                loaded.refresh = !first;
                loaded.rules = rules;
                post(&FromWorker::Loaded(loaded));
            } else if first {
                // The first load must always answer, even with nothing to show.
                let loaded = ENGINE.with_borrow(|e| e.summary(Vec::new(), 0));
                post(&FromWorker::Loaded(Loaded { rules, source: source_of(p), fetch: Span { start: t0, end: now() }, ..loaded }));
            }
        }
        Err(failure) => {
            {
                let mut q = p.borrow_mut();
                q.schedule.failed();
                q.status.failure = Some(failure.clone());
            }
            if first {
                // The first load failed: the error panel names it; polls retry and recover.
                let loaded = ENGINE.with_borrow(|e| e.summary(vec![failure.to_string()], 0));
                post(&FromWorker::Loaded(Loaded { rules, source: source_of(p), fetch: Span { start: t0, end: now() }, ..loaded }));
            }
        }
    }
    let polling = p.borrow().schedule.every > 0;
    if polling {
        schedule_next(p);
        post_status(p);
    }
}

fn source_of(p: &Shared) -> LoadSource {
    match &p.borrow().watch {
        Watch::Manifest { url, .. } => LoadSource::Urls(vec![url.clone()]),
        Watch::Files { urls, .. } => LoadSource::Urls(urls.iter().map(|(_, u)| u.clone()).collect()),
    }
}

/// [`newest_data`] of what the engine holds.
fn newest_of(q: &Poller) -> Option<chrono::DateTime<chrono::Utc>> {
    match &q.watch {
        Watch::Manifest { sync, .. } => sync.last_good().and_then(|m| newest_data(Some(m.generated_at), m.max_date())),
        Watch::Files { sync, .. } => {
            let last = ENGINE.with_borrow(|e| e.dataset().date_range().map(|r| r.1));
            newest_data(sync.last_modified(), last)
        }
    }
}

/// The text of a fetch that got no answer, or a non-2xx one.
pub(crate) fn fetch_failure(lang: Lang, file: &str, e: &FetchError) -> Failure {
    match e {
        FetchError::Http { status, status_text } => Failure::new(file, format!("HTTP {status} {status_text}").trim_end().to_string()),
        FetchError::Network(detail) => Failure::new(file, format!("{} ({detail})", t(lang, "refresh.network"))),
    }
}

/// A GET of `url` with `headers`; `no_store` keeps the browser's cache out of it (the
/// conditional headers are ours). Returns the status, its text and the validators.
async fn get(url: &str, headers: &[(&'static str, String)], no_store: bool) -> Result<web_sys::Response, FetchError> {
    let init = web_sys::RequestInit::new();
    init.set_cache(if no_store { web_sys::RequestCache::NoStore } else { web_sys::RequestCache::NoCache });
    if !headers.is_empty() {
        let h = web_sys::Headers::new().map_err(|e| FetchError::Network(crate::js::error_text(&e)))?;
        for (k, v) in headers {
            let _ = h.set(k, v);
        }
        init.set_headers(&h);
    }
    fetch::fetch(url, &init).await
}

/// The `ETag` / `Last-Modified` of `resp` (for a `206`, those of the whole file).
pub(crate) fn validators_of(resp: &web_sys::Response) -> Validators {
    let h = resp.headers();
    let etag = h.get("etag").ok().flatten();
    let lm = h.get("last-modified").ok().flatten();
    Validators::from_headers(etag.as_deref(), lm.as_deref())
}

/// Fetches `url` whole, like [`fetch::fetch_bytes`] (revalidating with the server, progress
/// reported to `progress`), and returns its body with the response's validators, so the refresh
/// can start from them ([`start_files`]).
pub(crate) async fn fetch_whole(url: &str, progress: &Progress) -> Result<(Vec<u8>, Validators), FetchError> {
    let resp = get(url, &[], false).await?;
    if !resp.ok() {
        return Err(FetchError::Http { status: resp.status(), status_text: resp.status_text() });
    }
    progress.expect(fetch::content_length(&resp));
    let body = fetch::read_body(&resp, |n| progress.add(n)).await?;
    Ok((body, validators_of(&resp)))
}

/// One manifest poll (also the first load, with `progress`). `Ok(None)`: nothing new.
async fn poll_manifest(p: &Shared, progress: Option<&Progress>) -> Result<Option<Loaded>, Failure> {
    let (url, headers, lang) = {
        let q = p.borrow();
        let Watch::Manifest { url, sync } = &q.watch else { unreachable!("manifest poller") };
        (url.clone(), sync.conditional_headers(), q.lang)
    };
    let name = file_name_of(&url).to_string();
    let t0 = now();
    let resp = get(&url, &headers, true).await.map_err(|e| fetch_failure(lang, &name, &e))?;
    let body = match classify(resp.status(), &resp.status_text(), !headers.is_empty()) {
        Reply::NotModified => return Ok(None),
        Reply::Failed { why } => return Err(Failure::new(&name, why)),
        Reply::Body => fetch::read_body(&resp, |_| {}).await.map_err(|e| fetch_failure(lang, &name, &e))?,
    };
    let validators = validators_of(&resp);
    let text = String::from_utf8(body).map_err(|_| Failure::new(&name, "not UTF-8 text"))?;
    let manifest = Manifest::parse_named(&name, &text).map_err(|e| Failure::new(&name, e.to_string()))?;
    let plan = {
        let q = p.borrow();
        let Watch::Manifest { sync, .. } = &q.watch else { unreachable!() };
        sync.plan(&manifest)
    };
    if plan.is_empty() && progress.is_none() {
        let mut q = p.borrow_mut();
        if let Watch::Manifest { sync, .. } = &mut q.watch {
            sync.keep(manifest, validators);
        }
        return Ok(None);
    }
    if let Some(pr) = progress {
        pr.expect(Some(plan.bytes()));
    }
    let jobs = plan.fetch.iter().map(|(table, part)| {
        let part_url = resolve(&url, &part.path);
        async move {
            fetch_part(&part_url, part, lang, progress).await.map(|bytes| (*table, part.clone(), bytes))
        }
    });
    let fetched: Vec<(Table, Part, bytes::Bytes)> =
        futures::future::join_all(jobs).await.into_iter().collect::<Result<_, _>>()?;
    let fetch_end = now();
    if !in_charge(p) {
        // A newer load took over while the parts were in flight: leave its data alone.
        return Ok(None);
    }
    let bytes: u64 = fetched.iter().map(|f| f.2.len() as u64).sum();
    let d0 = now();
    {
        let mut q = p.borrow_mut();
        let Watch::Manifest { sync, .. } = &mut q.watch else { unreachable!() };
        ENGINE.with_borrow_mut(|e| sync.apply(manifest, validators, &plan, fetched, e.dataset_mut()))?;
    }
    let mut loaded = ENGINE.with_borrow(|e| e.summary(Vec::new(), bytes));
    loaded.fetch = Span { start: t0, end: fetch_end };
    loaded.decode = Span { start: d0, end: now() };
    loaded.source = LoadSource::Urls(vec![url]);
    Ok(Some(loaded))
}

/// Fetches one part whole; an HTTP error or a network failure names its path.
async fn fetch_part(url: &str, part: &Part, lang: Lang, progress: Option<&Progress>) -> Result<bytes::Bytes, Failure> {
    let resp = get(url, &[], false).await.map_err(|e| fetch_failure(lang, &part.path, &e))?;
    if !resp.ok() {
        return Err(fetch_failure(lang, &part.path, &FetchError::Http { status: resp.status(), status_text: resp.status_text() }));
    }
    let body = fetch::read_body(&resp, |n| {
        if let Some(pr) = progress {
            pr.add(n)
        }
    })
    .await
    .map_err(|e| fetch_failure(lang, &part.path, &e))?;
    Ok(body.into())
}

/// One poll of single files. `Ok(None)`: every file answered 304.
async fn poll_files(p: &Shared) -> Result<Option<Loaded>, Failure> {
    let (requests, lang) = {
        let q = p.borrow();
        let Watch::Files { sync, .. } = &q.watch else { unreachable!("files poller") };
        (sync.requests(), q.lang)
    };
    let is_same = |table: Table, got: &Validators| {
        let q = p.borrow();
        matches!(&q.watch, Watch::Files { sync, .. } if sync.is_same(table, got))
    };
    let t0 = now();
    let jobs = requests.into_iter().map(|(table, url, headers)| async move {
        let name = file_name_of(&url).to_string();
        let conditional = !headers.is_empty();
        let resp = get(&url, &headers, conditional).await.map_err(|e| fetch_failure(lang, &name, &e))?;
        match classify(resp.status(), &resp.status_text(), conditional) {
            Reply::NotModified => Ok(None),
            Reply::Failed { why } => Err(Failure::new(&name, why)),
            // A server that ignores the conditional headers but sends the held validators: the
            // file loaded, nothing to decode.
            Reply::Body if is_same(table, &validators_of(&resp)) => {
                if let Some(b) = resp.body() {
                    let _ = b.cancel();
                }
                Ok(None)
            }
            Reply::Body => {
                let body = fetch::read_body(&resp, |_| {}).await.map_err(|e| fetch_failure(lang, &name, &e))?;
                Ok(Some((FileBytes { table, name, bytes: body.into() }, validators_of(&resp))))
            }
        }
    });
    let results = futures::future::join_all(jobs).await;
    // Files read by ranges: conditional suffix-range polls; a changed one is re-read by ranges and
    // replaced in the dataset here (`crate::ranges::poll`).
    let (ranged_changed, ranged_bytes, ranged_failure) = crate::ranges::poll(lang).await;
    let fetch_end = now();
    if !in_charge(p) {
        return Ok(None);
    }
    let d0 = now();
    let mut first_failure = ranged_failure;
    let mut changed = ranged_changed;
    let mut bytes = ranged_bytes;
    for r in results {
        match r {
            Ok(None) => {}
            Ok(Some((f, validators))) => {
                bytes += f.bytes.len() as u64;
                let mut q = p.borrow_mut();
                let Watch::Files { sync, .. } = &mut q.watch else { unreachable!() };
                match ENGINE.with_borrow_mut(|e| sync.apply(f.table, &f.name, f.bytes, validators, e.dataset_mut())) {
                    Ok(()) => changed = true,
                    Err(e) => {
                        first_failure.get_or_insert(e);
                    }
                }
            }
            Err(e) => {
                first_failure.get_or_insert(e);
            }
        }
    }
    // Tables that did update stay updated (files are independent); a failure is still reported.
    if changed {
        // The ranged files' spans and stats too (the same as `ENGINE.summary` without any).
        let mut loaded = crate::ranges::summary(Vec::new(), bytes);
        loaded.fetch = Span { start: t0, end: fetch_end };
        loaded.decode = Span { start: d0, end: now() };
        loaded.source = source_of(p);
        loaded.refresh = true;
        post(&FromWorker::Loaded(loaded));
    }
    match first_failure {
        Some(f) => Err(f),
        None => Ok(None),
    }
}

/// Loads the partitioned snapshot whose manifest is `url` (relative to `base`, the page's URL)
/// and, with `refresh_seconds > 0`, keeps polling it. Posts `Loaded` (with the rules status when
/// `alerts_url` is set) once the first attempt ends, successful or not.
pub async fn load_manifest(load: u64, base: String, url: String, alerts_url: Option<String>, lang: Lang, refresh_seconds: u32) {
    stop();
    let abs = shell::absolute(&base, &url);
    let p: Shared = Rc::new(RefCell::new(Poller {
        load,
        lang,
        watch: Watch::Manifest { url: abs, sync: ManifestSync::new() },
        schedule: Schedule::new(refresh_seconds),
        status: Status::default(),
        timer: None,
        busy: true,
    }));
    POLLER.with_borrow_mut(|cur| *cur = Some(p.clone()));
    let progress = Progress::new(true, 0);
    let t0 = now();
    let rules = async {
        match alerts_url.as_deref() {
            Some(u) => Some(shell::read_rules(&base, u, lang).await),
            None => None,
        }
    };
    let (result, rules) = futures::join!(poll_manifest(&p, Some(&progress)), rules);
    progress.post(true);
    p.borrow_mut().busy = false;
    if !in_charge(&p) {
        return;
    }
    let rules = rules
        .map(|(name, rules)| ENGINE.with_borrow_mut(|e| e.install_rules(&name, rules)))
        .or(Some(RulesStatus::default()));
    // `Ok(None)` cannot happen on a first load (no validators were sent): it reads as empty.
    finish_poll(&p, result, t0, rules);
}

/// Starts polling single files that the shell just loaded (`urls` as configured, relative to
/// `base`). `seeds` are the validators of the responses the first load decoded (per table): the
/// first poll already sends them (`If-None-Match`/`If-Modified-Since`), so an unchanged file
/// costs a 304 and nothing is decoded again. A file without seed (its response had neither
/// header, or it did not decode) is asked for without them, with `no-cache` (the browser's
/// cache may still revalidate it); from then on the requests carry each file's own validators.
pub fn start_files(load: u64, base: &str, urls: &[(Table, String)], seeds: Vec<(Table, Validators)>, lang: Lang, refresh_seconds: u32) {
    stop();
    if refresh_seconds == 0 {
        return;
    }
    let abs: Vec<(Table, String)> = urls.iter().map(|(t, u)| (*t, shell::absolute(base, u))).collect();
    let mut sync = FileSync::new(&abs);
    for (table, v) in seeds {
        sync.seed(table, v);
    }
    let p: Shared = Rc::new(RefCell::new(Poller {
        load,
        lang,
        watch: Watch::Files { sync, urls: abs },
        schedule: Schedule::new(refresh_seconds),
        status: Status { last_success: utc(now()), ..Default::default() },
        timer: None,
        busy: false,
    }));
    {
        let newest = newest_of(&p.borrow());
        p.borrow_mut().status.newest = newest;
    }
    POLLER.with_borrow_mut(|cur| *cur = Some(p.clone()));
    schedule_next(&p);
    post_status(&p);
}
