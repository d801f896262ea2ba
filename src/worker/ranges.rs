//! Range reads in the worker (issue 6; the plan and the exactness argument:
//! `modelpulse::load::ranges`, docs/ranges.md).
//!
//! Every snapshot URL is first asked for its last 64 KiB (`Range: bytes=-65536`):
//! - `200`: the server ignores `Range`; the body is the whole file (nothing is fetched twice);
//! - `206` for a file under [`RANGED_MIN_BYTES`]: the rest is fetched in one more request and the
//!   file is loaded whole;
//! - `206` for a larger file: its footer is parsed, and only the needed column chunks of the row
//!   groups that can hold the view's dates (the range the page sends with `LoadUrls`: its URL's
//!   `range`/`from`/`to`, else `config.json`'s `default_range`) are fetched, coalesced. The file
//!   is kept as a [`RangedFile`]: when a view needs dates beyond what was fetched, [`widen`]
//!   fetches the missing row groups, reloads that table and posts a new `Loaded` before the view
//!   is answered.
//!
//! A cross-origin data host must allow the `Range` request header and expose `Content-Range`
//! (`Access-Control-Expose-Headers`); a probe that gets no answer (a refused preflight) or a
//! `206` without a readable `Content-Range` falls back to a whole-file GET. `Loaded::ranges`
//! carries the requests and bytes for the stats footer.
//!
//! With `refresh_seconds > 0`, [`poll`] checks the ranged files every poll with a conditional
//! `Range: bytes=-65536` request and re-reads a changed file by ranges (docs/ranges.md, "Polling").

use crate::fetch;
use crate::js::{now, post};
use crate::shell::{Progress, ENGINE};
use bytes::Bytes;
use modelpulse::contract::Table;
use modelpulse::load::LlmStream;
use modelpulse::load::ranges::{BodyParts, Footer, FooterRead, RangedFile, Window, COALESCE_GAP, FOOTER_GUESS};
use modelpulse::page::view::RangeChoice;
use modelpulse::i18n::Lang;
use modelpulse::protocol::{FetchError, FromWorker, LoadSource, Loaded, RangeStats, Span};
use modelpulse::query::Query;
use modelpulse::refresh::{classify, ranged_changed, Failure, Reply, Validators};
use std::cell::{Cell, RefCell};
use std::ops::Range;

/// Files smaller than this are read whole even when the server supports ranges.
pub const RANGED_MIN_BYTES: u64 = 1 << 20;

/// A file read by ranges, kept for widening.
struct Entry {
    table: Table,
    /// Absolute URL.
    url: String,
    /// File name, used in messages.
    name: String,
    file: RangedFile,
    requests: u32,
    /// The validators of the suffix-range answer the footer was read from (the file's `ETag` /
    /// `Last-Modified`): what [`poll`] sends and compares.
    validators: Validators,
    /// The view range of the load, applied again to a changed file's footer by [`poll`].
    range: RangeChoice,
    /// The cache mode its range requests use ([`Cache`]).
    cache: Cache,
}

thread_local! {
    /// The ranged files of the current dataset (empty after a load without any).
    static FILES: RefCell<Vec<Entry>> = const { RefCell::new(Vec::new()) };
}

/// What fetching one snapshot gave.
pub enum Got {
    /// The whole file, with the validators of the response(s) that delivered it (for the refresh:
    /// `crate::refresh::start_files`).
    Whole(Vec<u8>, modelpulse::refresh::Validators),
    /// A large file read by ranges (decoded by [`install`]).
    Ranged(Ranged),
    /// The file is unusable (its footer): the message names it.
    Failed(String),
}

/// A file read by ranges, before it is installed: decoded while its bytes arrived (`stream`,
/// `raw_llm_events`) or to decode from its pieces.
pub struct Ranged {
    entry: Entry,
    plan: modelpulse::load::ranges::Plan,
    /// Boxed: it holds the table being built (`Got` and `Fresh` stay small).
    stream: Option<Box<LlmStream>>,
}

impl Ranged {
    /// Makes it `table`'s data in the engine's dataset (replacing it). Errors name the file.
    fn load(&mut self) -> Result<(), modelpulse::error::LoadError> {
        let Ranged { entry, plan, stream } = self;
        match stream.take() {
            Some(s) => ENGINE.with_borrow_mut(|e| e.dataset_mut().install_llm(*s)).map(drop),
            None => entry
                .file
                .source(plan)
                .and_then(|src| ENGINE.with_borrow_mut(|e| e.dataset_mut().load_source(entry.table, &entry.name, src)))
                .map(drop),
        }
    }
}

fn request(range: &str, cache: Cache) -> Result<web_sys::RequestInit, FetchError> {
    request_with(range, &[], cache)
}

/// The cache mode of range requests: `NoCache` for a load (the browser revalidates what it
/// holds); `NoStore` once a poll saw the file change (a browser cache holding pieces of the old
/// file would otherwise split or patch the new file's range requests with them).
type Cache = web_sys::RequestCache;

/// A GET of `range` with the `extra` headers (a poll's conditional ones) and `cache` mode.
fn request_with(range: &str, extra: &[(&'static str, String)], cache: web_sys::RequestCache) -> Result<web_sys::RequestInit, FetchError> {
    let init = web_sys::RequestInit::new();
    init.set_cache(cache);
    let headers = web_sys::Headers::new().map_err(|e| FetchError::Network(crate::js::error_text(&e)))?;
    headers.set("Range", range).map_err(|e| FetchError::Network(crate::js::error_text(&e)))?;
    for (k, v) in extra {
        headers.set(k, v).map_err(|e| FetchError::Network(crate::js::error_text(&e)))?;
    }
    init.set_headers(&headers);
    Ok(init)
}

/// `bytes a-b/total` → (a, b, total).
fn content_range(resp: &web_sys::Response) -> Option<(u64, u64, u64)> {
    let v = resp.headers().get("content-range").ok().flatten()?;
    let rest = v.trim().strip_prefix("bytes")?.trim_start();
    let (range, total) = rest.split_once('/')?;
    let (a, b) = range.split_once('-')?;
    Some((a.trim().parse().ok()?, b.trim().parse().ok()?, total.trim().parse().ok()?))
}

fn http(resp: &web_sys::Response) -> FetchError {
    FetchError::Http { status: resp.status(), status_text: resp.status_text() }
}

async fn body(resp: &web_sys::Response, progress: &Progress) -> Result<Vec<u8>, FetchError> {
    progress.expect(fetch::content_length(resp));
    let p = progress.clone();
    fetch::read_body(resp, move |n| p.add(n)).await
}

/// Bytes `r` of `url` (`206` with exactly that `Content-Range`); a mismatch is a network-style
/// error naming what came back.
async fn get_range(url: &str, r: &Range<u64>, len: u64, cache: Cache, progress: &Progress) -> Result<Bytes, FetchError> {
    let mut whole = Bytes::new();
    get_range_parts(url, r, len, cache, progress, &[], &mut |_, b| whole = b).await?;
    Ok(whole)
}

/// The last `n` bytes of `url` and its length, or the whole file when the server ignores ranges;
/// either with the response's validators (a `206`'s describe the whole file).
#[allow(clippy::type_complexity)]
async fn tail(url: &str, n: u64, cache: Cache, progress: &Progress) -> Result<Result<(Vec<u8>, u64, Validators), (Vec<u8>, Validators)>, FetchError> {
    let resp = match fetch::fetch(url, &request(&format!("bytes=-{n}"), cache)?).await {
        Ok(r) => r,
        // No answer: a cross-origin host may refuse the preflight a suffix `Range` needs (it is
        // not a CORS-safelisted header value). Try a plain GET, whose error (if any) is the one
        // shown.
        Err(FetchError::Network(_)) => {
            return Ok(Err(crate::refresh::fetch_whole(url, progress).await?));
        }
        Err(e) => return Err(e),
    };
    let validators = crate::refresh::validators_of(&resp);
    match resp.status() {
        206 => match content_range(&resp) {
            Some((a, b, total)) if b + 1 == total && a <= b => {
                let bytes = body(&resp, progress).await?;
                if bytes.len() as u64 != b - a + 1 {
                    return Err(FetchError::Network(format!("{} bytes for Content-Range bytes {a}-{b}/{total}", bytes.len())));
                }
                Ok(Ok((bytes, total, validators)))
            }
            // No readable Content-Range (e.g. not exposed cross-origin): read the file whole.
            _ => Ok(Err(crate::refresh::fetch_whole(url, progress).await?)),
        },
        // An empty file: nothing to range over; the loader names the problem.
        416 => Ok(Err((Vec::new(), Validators::default()))),
        _ if resp.ok() => Ok(Err((body(&resp, progress).await?, validators))),
        _ => Err(http(&resp)),
    }
}

/// Fetches snapshot `url` (absolute; `name` for messages) of `table` for the view `range`: by
/// ranges when the server supports them and the file is large, else whole (module docs).
/// `range` is the view's range as the page resolved it (`ToWorker::LoadUrls::range`: the page
/// URL's `range`/`from`/`to`, else the config's `default_range`). A "last N days" range ends on
/// the data's last date, known here only from this file's footer statistics
/// ([`Footer::date_span`]): the window then ends on this file's last date, which covers the
/// view's days in this file whichever table ends last (a file ending earlier fetches at most a
/// few days more). A footer without statistics gives no bounds: every row group is fetched.
pub async fn fetch_file(table: Table, url: &str, name: &str, range: RangeChoice, progress: &Progress) -> Result<Got, FetchError> {
    fetch_file_with(table, url, name, range, Cache::NoCache, progress).await
}

/// [`fetch_file`] with the range requests' `cache` mode.
async fn fetch_file_with(table: Table, url: &str, name: &str, range: RangeChoice, cache: Cache, progress: &Progress) -> Result<Got, FetchError> {
    let mut want = FOOTER_GUESS;
    let mut requests = 0u32;
    let mut held: Validators;
    let footer = loop {
        requests += 1;
        let (tail_bytes, len, validators) = match tail(url, want, cache, progress).await? {
            Ok(t) => t,
            Err((whole, v)) => return Ok(Got::Whole(whole, v)),
        };
        if len < RANGED_MIN_BYTES || tail_bytes.len() as u64 == len {
            // Small: fetch what the tail lacks and load the file whole.
            let rest = len - tail_bytes.len() as u64;
            if rest == 0 {
                return Ok(Got::Whole(tail_bytes, validators));
            }
            let head = get_range(url, &(0..rest), len, cache, progress).await?;
            let mut whole = Vec::with_capacity(len as usize);
            whole.extend_from_slice(&head);
            whole.extend_from_slice(&tail_bytes);
            // The tail's validators: if the file changed in between, they are older than the
            // file, and the first poll fetches it again.
            return Ok(Got::Whole(whole, validators));
        }
        held = validators;
        match Footer::parse(name, len, Bytes::from(tail_bytes)) {
            Ok(FooterRead::Done(f)) => break f,
            Ok(FooterRead::NeedTail(n)) if n > want => want = n,
            Ok(FooterRead::NeedTail(n)) => return Ok(Got::Failed(format!("{name}: the footer needs {n} bytes"))),
            Err(e) => return Ok(Got::Failed(e.to_string())),
        }
    };
    let (from, to) = range.bounds(footer.date_span());
    let window = Window::for_query(table, from, to);
    let mut file = RangedFile::new(footer, table, COALESCE_GAP);
    let (plan, missing) = match file.missing(window) {
        Ok(m) => m,
        Err(e) => return Ok(Got::Failed(e.to_string())),
    };
    // raw_llm_events (the big one) is decoded row group by row group while the bytes arrive.
    let mut stream = match table {
        Table::LlmEvents => match LlmStream::open(file.footer(), &plan) {
            Ok(s) if s.in_file_order() => Some(Box::new(s)),
            Ok(_) => None,
            Err(e) => return Ok(Got::Failed(e.to_string())),
        },
        _ => None,
    };
    let mut pieces = Vec::with_capacity(missing.len());
    let tail_start = file.footer().file_len() - file.footer().tail_len();
    // Each range's body is cut where a row group's bytes end (`BodyParts` keeps the cuts inside it).
    let cuts: Vec<u64> = stream.as_ref().map(|s| s.spans().map(|sp| sp.end).collect()).unwrap_or_default();
    let mut failed = None;
    for r in &missing {
        match &mut stream {
            Some(s) => {
                let mut on_part = |start: u64, part: Bytes| {
                    let end = start + part.len() as u64;
                    pieces.push((start, part));
                    if failed.is_none() {
                        // The planned ranges are fetched in order: every planned byte before
                        // `end` is in (all of them once the pieces reach the footer's tail).
                        failed = push_ready(s, &pieces, if end >= tail_start { u64::MAX } else { end }).err();
                    }
                };
                get_range_parts(url, r, file.footer().file_len(), cache, progress, &cuts, &mut on_part).await?;
            }
            None => pieces.push((r.start, get_range(url, r, file.footer().file_len(), cache, progress).await?)),
        }
        requests += 1;
    }
    // Every planned byte is in: the groups left (e.g. one inside the footer's tail).
    if let (Some(s), None) = (&mut stream, &failed) {
        failed = push_ready(s, &pieces, u64::MAX).err();
    }
    if let Some(e) = failed {
        return Ok(Got::Failed(e.to_string()));
    }
    file.add(window, pieces);
    let entry = Entry { table, url: url.to_string(), name: name.to_string(), file, requests, validators: held, range, cache };
    Ok(Got::Ranged(Ranged { entry, plan, stream }))
}

/// Decodes, in order, every row group of `s` whose span ends by `covered` (every planned byte
/// before it has arrived in `pieces`).
fn push_ready(s: &mut LlmStream, pieces: &[(u64, Bytes)], covered: u64) -> Result<(), modelpulse::error::LoadError> {
    while s.next_span().is_some_and(|span| span.end <= covered) {
        s.push(pieces)?;
    }
    Ok(())
}

/// Bytes `r` of `url` (`206` with exactly that `Content-Range`; a mismatch is a network-style
/// error naming what came back), handed over in parts cut at the offsets `cuts` inside `r`:
/// `on_part(start, bytes)` is called as soon as each part is complete, the last one at `r.end`.
async fn get_range_parts(
    url: &str,
    r: &Range<u64>,
    len: u64,
    cache: Cache,
    progress: &Progress,
    cuts: &[u64],
    on_part: &mut dyn FnMut(u64, Bytes),
) -> Result<(), FetchError> {
    let resp = fetch::fetch(url, &request(&format!("bytes={}-{}", r.start, r.end - 1), cache)?).await?;
    if resp.status() != 206 {
        return Err(if resp.ok() {
            FetchError::Network(format!("HTTP {} to a range request (expected 206)", resp.status()))
        } else {
            http(&resp)
        });
    }
    let got = content_range(&resp);
    if got != Some((r.start, r.end - 1, len)) {
        return Err(FetchError::Network(format!("asked for bytes {}-{}/{len}, got Content-Range {got:?}", r.start, r.end - 1)));
    }
    progress.expect(fetch::content_length(&resp));
    let mut parts = BodyParts::new(r.clone(), cuts.iter().copied());
    let mut too_long = false;
    fetch::for_each_chunk(&resp, |chunk| {
        progress.add(u64::from(chunk.length()));
        if too_long {
            return;
        }
        let copy = |from: usize, dst: &mut [u8]| chunk.subarray(from as u32, (from + dst.len()) as u32).copy_to(dst);
        too_long = parts.feed(chunk.length() as usize, copy, &mut *on_part).is_err();
    })
    .await?;
    if too_long || !parts.finished() {
        let got = if too_long { "more".to_string() } else { parts.received().to_string() };
        return Err(FetchError::Network(format!("asked for bytes {}-{}/{len}, got {got} bytes", r.start, r.end - 1)));
    }
    Ok(())
}

/// The load the ranged files belong to: what a `Loaded` posted after a widening repeats.
struct Ctx {
    load: u64,
    source: LoadSource,
    whole_bytes: u64,
    errors: Vec<String>,
    lang: Lang,
}

thread_local! {
    static CTX: RefCell<Option<Ctx>> = const { RefCell::new(None) };
    /// True while [`widen`] runs (a second view waits for it instead of fetching twice).
    static BUSY: Cell<bool> = const { Cell::new(false) };
}

/// Decodes the `ranged` files of load number `load` into the engine's dataset (after the whole
/// files were loaded into it, replacing it) and returns the new summary: `errors` plus decode
/// failures, bytes = `whole_bytes` + ranged bytes, the date range widened to the ranged files'
/// full spans (so the page's presets and pickers see the whole file), and the range stats.
/// Keeps the ranged files for [`widen`] (none after a load without any).
pub fn install(load: u64, ranged: Vec<Ranged>, mut errors: Vec<String>, whole_bytes: u64, source: LoadSource, lang: Lang) -> Loaded {
    let mut entries = Vec::with_capacity(ranged.len());
    for mut r in ranged {
        match r.load() {
            Ok(()) => entries.push(r.entry),
            Err(e) => errors.push(e.to_string()),
        }
    }
    FILES.with_borrow_mut(|f| *f = entries);
    CTX.with_borrow_mut(|c| *c = Some(Ctx { load, source: source.clone(), whole_bytes, errors: errors.clone(), lang }));
    let mut loaded = summary(errors, whole_bytes);
    loaded.source = source;
    loaded
}

/// Forgets the ranged files (a load of local files or a manifest replaces the dataset).
pub fn clear() {
    FILES.with_borrow_mut(|f| f.clear());
    CTX.with_borrow_mut(|c| *c = None);
}

/// The engine's summary with `errors` and `whole_bytes` plus the ranged files' bytes, its date
/// range widened to the ranged files' full spans, and the range stats.
pub(crate) fn summary(errors: Vec<String>, whole_bytes: u64) -> Loaded {
    let (stats, spans) = FILES.with_borrow(|files| {
        let stats = (!files.is_empty()).then(|| RangeStats {
            files: files.len() as u32,
            requests: files.iter().map(|f| f.requests).sum(),
            fetched: files.iter().map(|f| f.file.bytes_fetched()).sum(),
            file_bytes: files.iter().map(|f| f.file.footer().file_len()).sum(),
        });
        (stats, files.iter().filter_map(|f| f.file.footer().date_span()).collect::<Vec<_>>())
    });
    let ranged_bytes = stats.as_ref().map_or(0, |s| s.fetched);
    let mut loaded = ENGINE.with_borrow(|e| e.summary(errors, whole_bytes + ranged_bytes));
    for (a, b) in spans {
        loaded.date_range = Some(match loaded.date_range {
            Some((x, y)) => (x.min(a), y.max(b)),
            None => (a, b),
        });
    }
    loaded.ranges = stats;
    loaded
}

/// True when the file at absolute URL `url` is read by ranges in the current dataset.
pub fn is_ranged(url: &str) -> bool {
    FILES.with_borrow(|files| files.iter().any(|f| f.url == url))
}

/// True when a ranged file lacks row groups that `query`'s facts need.
pub fn must_widen(query: &Query) -> bool {
    FILES.with_borrow(|files| files.iter().any(|f| !f.file.covers(&Window::for_query(f.table, query.from, query.to))))
}

/// Resolves after `ms` milliseconds.
async fn sleep(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        let _ = crate::js::scope().set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

/// Fetches the row groups `query` needs that were not fetched yet, reloads those tables and
/// posts the new `Loaded` (bytes, rows, range stats). A failure is posted as an error naming the
/// file; the data loaded so far stays (the view's edge days may then lack their earlier
/// context). One widening at a time: a second call waits for the first, then fetches only what
/// is still missing.
pub async fn widen(query: &Query) {
    while BUSY.get() {
        sleep(10).await;
    }
    if !must_widen(query) {
        return;
    }
    BUSY.set(true);
    widen_now(query).await;
    BUSY.set(false);
}

async fn widen_now(query: &Query) {
    let Some((load, lang)) = CTX.with_borrow(|c| c.as_ref().map(|c| (c.load, c.lang))) else { return };
    let todo: Vec<(usize, Window, RangedFile, String, String, Table, Cache)> = FILES.with_borrow(|files| {
        files
            .iter()
            .enumerate()
            .filter_map(|(i, f)| {
                let need = Window::for_query(f.table, query.from, query.to);
                let w = f.file.window().map_or(need, |w| w.hull(&need));
                (!f.file.covers(&need)).then(|| (i, w, f.file.clone(), f.url.clone(), f.name.clone(), f.table, f.cache))
            })
            .collect()
    });
    let t0 = now();
    let progress = Progress::new(false, 0);
    for (i, window, mut file, url, name, table, cache) in todo {
        let mut requests = 0u32;
        let result: Result<(), String> = async {
            let (plan, missing) = file.missing(window).map_err(|e| e.to_string())?;
            let mut pieces = Vec::with_capacity(missing.len());
            for r in &missing {
                let b = get_range(&url, r, file.footer().file_len(), cache, &progress).await.map_err(|e| e.text(lang, &name, &url))?;
                requests += 1;
                pieces.push((r.start, b));
            }
            file.add(window, pieces);
            if !crate::shell::is_current(load) {
                return Ok(());
            }
            let src = file.source(&plan).map_err(|e| e.to_string())?;
            ENGINE.with_borrow_mut(|e| e.dataset_mut().load_source(table, &name, src)).map_err(|e| e.to_string())?;
            FILES.with_borrow_mut(|f| {
                if let Some(e) = f.get_mut(i) {
                    e.file = file.clone();
                    e.requests += requests;
                }
            });
            Ok(())
        }
        .await;
        if let Err(message) = result {
            post(&FromWorker::Error { message });
        }
    }
    if !crate::shell::is_current(load) {
        return;
    }
    let Some((source, whole_bytes, errors)) = CTX.with_borrow(|c| c.as_ref().map(|c| (c.source.clone(), c.whole_bytes, c.errors.clone()))) else {
        return;
    };
    let mut loaded = summary(errors, whole_bytes);
    loaded.source = source;
    loaded.refresh = true;
    loaded.fetch = Span { start: t0, end: now() };
    loaded.decode = loaded.fetch;
    post(&FromWorker::Loaded(loaded));
}

/// A changed file, re-opened by a poll.
enum Fresh {
    Ranged(Ranged),
    /// The file is now small (or the server stopped answering ranges): loaded whole.
    Whole(Vec<u8>),
}

/// Polls every file read by ranges (one poll of the refresh, `crate::refresh`): per file a
/// conditional suffix-range request — `Range: bytes=-65536` (the load's first request) with
/// `If-None-Match` / `If-Modified-Since` from the validators held, `no-store` — so a poll never
/// downloads a file whole. A `304`, or an answer whose validators and length equal the held ones
/// ([`ranged_changed`]: a server that ignores the conditional headers), leaves the file alone:
/// nothing more is fetched or decoded. A changed file is re-opened by ranges like the load (its
/// footer, then the row groups of the load's view range; a view beyond it widens as after a load)
/// and its table replaced. Any failure (no answer, an HTTP error, a bad footer, a decode error) keeps
/// that table's last good data and validators; the first is returned after every file was
/// polled. Returns (any table changed, bytes fetched for the changed files, failure). One at a
/// time with [`widen`].
pub async fn poll(lang: Lang) -> (bool, u64, Option<Failure>) {
    while BUSY.get() {
        sleep(10).await;
    }
    let Some(load) = CTX.with_borrow(|c| c.as_ref().map(|c| c.load)) else { return (false, 0, None) };
    BUSY.set(true);
    #[allow(clippy::type_complexity)]
    let todo: Vec<(Table, String, String, Validators, u64, RangeChoice)> = FILES.with_borrow(|files| {
        files.iter().map(|f| (f.table, f.url.clone(), f.name.clone(), f.validators.clone(), f.file.footer().file_len(), f.range)).collect()
    });
    let (mut changed, mut bytes, mut failure) = (false, 0u64, None);
    for (table, url, name, held, len, range) in todo {
        let fresh = poll_one(table, &url, &name, &held, len, range, lang).await;
        if !crate::shell::is_current(load) {
            break;
        }
        match fresh.and_then(|f| f.map(|f| replace(table, &url, &name, f)).transpose()) {
            Ok(None) => {}
            Ok(Some(b)) => {
                changed = true;
                bytes += b;
            }
            Err(f) => {
                failure.get_or_insert(f);
            }
        }
    }
    BUSY.set(false);
    (changed, bytes, failure)
}

/// One file's poll (see [`poll`]): `Ok(None)` when unchanged.
#[allow(clippy::too_many_arguments)]
async fn poll_one(
    table: Table,
    url: &str,
    name: &str,
    held: &Validators,
    len: u64,
    range: RangeChoice,
    lang: Lang,
) -> Result<Option<Fresh>, Failure> {
    let fail = |e: FetchError| crate::refresh::fetch_failure(lang, name, &e);
    let headers = held.conditional_headers();
    let conditional = !headers.is_empty();
    let init = request_with(&format!("bytes=-{FOOTER_GUESS}"), &headers, web_sys::RequestCache::NoStore).map_err(fail)?;
    let resp = fetch::fetch(url, &init).await.map_err(fail)?;
    match classify(resp.status(), &resp.status_text(), conditional) {
        Reply::NotModified => return Ok(None),
        Reply::Failed { why } => return Err(Failure::new(name, why)),
        Reply::Body => {}
    }
    let got = crate::refresh::validators_of(&resp);
    let total = if resp.status() == 206 { content_range(&resp).map(|c| c.2) } else { fetch::content_length(&resp) };
    // The answer's body is not needed (a changed file is re-opened below; a `200` from a server
    // that stopped honouring `Range` would be the whole file).
    if let Some(b) = resp.body() {
        let _ = b.cancel();
    }
    if !ranged_changed(held, len, &got, total) {
        return Ok(None);
    }
    let progress = Progress::new(false, 0);
    match fetch_file_with(table, url, name, range, Cache::NoStore, &progress).await.map_err(fail)? {
        Got::Ranged(r) => Ok(Some(Fresh::Ranged(r))),
        Got::Whole(b, _) => Ok(Some(Fresh::Whole(b))),
        Got::Failed(message) => Err(Failure::new(name, message)),
    }
}

/// Decodes `fresh` into the engine's dataset as `table`'s data (replacing it) and keeps it in
/// place of the ranged file `url`; returns the bytes it fetched. On error nothing changes.
fn replace(table: Table, url: &str, name: &str, fresh: Fresh) -> Result<u64, Failure> {
    let failure = |e: modelpulse::error::LoadError| Failure::new(name, e.to_string());
    match fresh {
        Fresh::Ranged(mut r) => {
            r.load().map_err(failure)?;
            let mut entry = r.entry;
            let bytes = entry.file.bytes_fetched();
            FILES.with_borrow_mut(|files| {
                if let Some(old) = files.iter_mut().find(|f| f.url == url) {
                    entry.requests += old.requests;
                    *old = entry;
                }
            });
            Ok(bytes)
        }
        Fresh::Whole(b) => {
            let n = b.len() as u64;
            ENGINE.with_borrow_mut(|e| e.dataset_mut().load(table, name, Bytes::from(b))).map_err(failure)?;
            // No longer read by ranges (nor polled: see docs/ranges.md).
            FILES.with_borrow_mut(|files| files.retain(|f| f.url != url));
            Ok(n)
        }
    }
}
