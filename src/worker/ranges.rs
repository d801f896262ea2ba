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

use crate::fetch;
use crate::js::{now, post};
use crate::shell::{Progress, ENGINE};
use bytes::Bytes;
use modelpulse::contract::Table;
use modelpulse::load::ranges::{Footer, FooterRead, RangedFile, Window, COALESCE_GAP, FOOTER_GUESS};
use modelpulse::page::view::RangeChoice;
use modelpulse::i18n::Lang;
use modelpulse::protocol::{FetchError, FromWorker, LoadSource, Loaded, RangeStats, Span};
use modelpulse::query::Query;
use modelpulse::refresh::Validators;
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

/// A file read by ranges, before it is decoded.
pub struct Ranged {
    entry: Entry,
    plan: modelpulse::load::ranges::Plan,
}

fn request(range: &str) -> Result<web_sys::RequestInit, FetchError> {
    let init = web_sys::RequestInit::new();
    init.set_cache(web_sys::RequestCache::NoCache);
    let headers = web_sys::Headers::new().map_err(|e| FetchError::Network(crate::js::error_text(&e)))?;
    headers.set("Range", range).map_err(|e| FetchError::Network(crate::js::error_text(&e)))?;
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
async fn get_range(url: &str, r: &Range<u64>, len: u64, progress: &Progress) -> Result<Bytes, FetchError> {
    let resp = fetch::fetch(url, &request(&format!("bytes={}-{}", r.start, r.end - 1))?).await?;
    if resp.status() != 206 {
        return Err(if resp.ok() {
            FetchError::Network(format!("HTTP {} to a range request (expected 206)", resp.status()))
        } else {
            http(&resp)
        });
    }
    let got = content_range(&resp);
    let b = body(&resp, progress).await?;
    if got != Some((r.start, r.end - 1, len)) || b.len() as u64 != r.end - r.start {
        return Err(FetchError::Network(format!(
            "asked for bytes {}-{}/{len}, got {} bytes with Content-Range {got:?}",
            r.start,
            r.end - 1,
            b.len()
        )));
    }
    Ok(Bytes::from(b))
}

/// The last `n` bytes of `url` and its length, or the whole file when the server ignores ranges;
/// either with the response's validators (a `206`'s describe the whole file).
#[allow(clippy::type_complexity)]
async fn tail(url: &str, n: u64, progress: &Progress) -> Result<Result<(Vec<u8>, u64, Validators), (Vec<u8>, Validators)>, FetchError> {
    let resp = match fetch::fetch(url, &request(&format!("bytes=-{n}"))?).await {
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
    let mut want = FOOTER_GUESS;
    let mut requests = 0u32;
    let footer = loop {
        requests += 1;
        let (tail_bytes, len, validators) = match tail(url, want, progress).await? {
            Ok(t) => t,
            Err((whole, v)) => return Ok(Got::Whole(whole, v)),
        };
        if len < RANGED_MIN_BYTES || tail_bytes.len() as u64 == len {
            // Small: fetch what the tail lacks and load the file whole.
            let rest = len - tail_bytes.len() as u64;
            if rest == 0 {
                return Ok(Got::Whole(tail_bytes, validators));
            }
            let head = get_range(url, &(0..rest), len, progress).await?;
            let mut whole = Vec::with_capacity(len as usize);
            whole.extend_from_slice(&head);
            whole.extend_from_slice(&tail_bytes);
            // The tail's validators: if the file changed in between, they are older than the
            // file, and the first poll fetches it again.
            return Ok(Got::Whole(whole, validators));
        }
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
    let mut pieces = Vec::with_capacity(missing.len());
    for r in &missing {
        pieces.push((r.start, get_range(url, r, file.footer().len(), progress).await?));
        requests += 1;
    }
    file.add(window, pieces);
    Ok(Got::Ranged(Ranged { entry: Entry { table, url: url.to_string(), name: name.to_string(), file, requests }, plan }))
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
    for Ranged { entry, plan } in ranged {
        let loaded = entry
            .file
            .source(&plan)
            .and_then(|src| ENGINE.with_borrow_mut(|e| e.dataset_mut().load_source(entry.table, &entry.name, src)));
        match loaded {
            Ok(_) => entries.push(entry),
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

fn summary(errors: Vec<String>, whole_bytes: u64) -> Loaded {
    let (stats, spans) = FILES.with_borrow(|files| {
        let stats = (!files.is_empty()).then(|| RangeStats {
            files: files.len() as u32,
            requests: files.iter().map(|f| f.requests).sum(),
            fetched: files.iter().map(|f| f.file.bytes_fetched()).sum(),
            file_bytes: files.iter().map(|f| f.file.footer().len()).sum(),
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
    let todo: Vec<(usize, Window, RangedFile, String, String, Table)> = FILES.with_borrow(|files| {
        files
            .iter()
            .enumerate()
            .filter_map(|(i, f)| {
                let need = Window::for_query(f.table, query.from, query.to);
                let w = f.file.window().map_or(need, |w| w.hull(&need));
                (!f.file.covers(&need)).then(|| (i, w, f.file.clone(), f.url.clone(), f.name.clone(), f.table))
            })
            .collect()
    });
    let t0 = now();
    let progress = Progress::new(false, 0);
    for (i, window, mut file, url, name, table) in todo {
        let mut requests = 0u32;
        let result: Result<(), String> = async {
            let (plan, missing) = file.missing(window).map_err(|e| e.to_string())?;
            let mut pieces = Vec::with_capacity(missing.len());
            for r in &missing {
                let b = get_range(&url, r, file.footer().len(), &progress).await.map_err(|e| e.text(lang, &name, &url))?;
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
