//! The first load, started at boot. src/worker/modelpulse-worker-boot.js starts this worker as
//! the page's first script and posts `Boot` (the page's base URL, query string, stored
//! language); the worker then reads `config.json` (already requested by
//! modelpulse-worker-start.js while the wasm loaded), posts it to the page (`Config`) and starts
//! the page's first load ([`first_load`]) at once — while plotly.js and the page's wasm are still
//! loading. Everything the worker posts from then on is held here until the page's wasm sends its
//! own first load request: when that equals the one under way it attaches to it (the held
//! messages — progress, `Loaded`, refresh statuses — are posted, nothing is fetched again);
//! another request (the page computed something else) or local files supersede it like any
//! newer load, and its held messages are dropped.

use crate::fetch;
use crate::js::{error_text, post, post_text, scope};
use crate::shell;
use js_sys::Reflect;
use modelpulse::page::config::PageConfig;
use modelpulse::protocol::{first_load, initial_lang, ConfigFile, FetchError, FromWorker, ToWorker};
use std::cell::RefCell;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::{spawn_local, JsFuture};

/// The load started at boot, until the page asks for it.
struct Started {
    /// The request the page is expected to send (it computes it with [`first_load`] too).
    request: ToWorker,
    /// Messages posted meanwhile (encoded), in order.
    held: Vec<String>,
}

thread_local! {
    static STARTED: RefCell<Option<Started>> = const { RefCell::new(None) };
}

/// Handles the messages that arrived before the wasm installed its handler
/// (`self.__modelpulseEarly`, kept by modelpulse-worker-start.js), in order.
pub fn drain_early() {
    let early = Reflect::get(&scope(), &"__modelpulseEarly".into()).unwrap_or(JsValue::UNDEFINED);
    let _ = Reflect::set(&scope(), &"__modelpulseEarly".into(), &JsValue::UNDEFINED);
    if js_sys::Array::is_array(&early) {
        for data in js_sys::Array::from(&early).iter() {
            shell::handle(data);
        }
    }
}

/// Called for every encoded message the worker posts: while the boot load waits for the page,
/// keeps it and returns true (not posted yet).
pub fn hold(text: &str) -> bool {
    STARTED.with_borrow_mut(|s| match s {
        Some(s) => {
            s.held.push(text.to_string());
            true
        }
        None => false,
    })
}

/// Sees each request before the shell runs it; true when it is handled here: `Boot` (starts the
/// first load), or the page's load request equal to the one boot started (its held messages are
/// posted now). A different load request or local files drop what is held (their load
/// supersedes the boot load); any other request first posts what is held.
pub fn intercept(msg: &ToWorker) -> bool {
    match msg {
        ToWorker::Boot { base, search, stored_lang } => {
            spawn_local(start(base.clone(), search.clone(), stored_lang.clone()));
            true
        }
        ToWorker::LoadUrls { .. } | ToWorker::LoadManifest { .. } | ToWorker::LoadFiles { .. } => {
            let Some(started) = STARTED.with_borrow_mut(Option::take) else { return false };
            if started.request != *msg {
                return false;
            }
            for text in started.held {
                post_text(&text);
            }
            true
        }
        ToWorker::View { .. } | ToWorker::Csv { .. } | ToWorker::PauseRefresh { .. } => {
            if let Some(started) = STARTED.with_borrow_mut(Option::take) {
                for text in started.held {
                    post_text(&text);
                }
            }
            false
        }
    }
}

/// Reads `config.json`, posts it, and starts the page's first load (held until the page asks).
async fn start(base: String, search: String, stored_lang: Option<String>) {
    let config = read_config(&base).await;
    // The page parses the same text; like the page, a config that fails gives the defaults.
    let cfg = match &config {
        ConfigFile::Text(text) => PageConfig::from_json(text).unwrap_or_default(),
        ConfigFile::Failed(_) => PageConfig::default(),
    };
    let request = first_load(&cfg, &search, base, initial_lang(&search, stored_lang.as_deref()));
    post(&FromWorker::Config(config));
    STARTED.with_borrow_mut(|s| *s = Some(Started { request: request.clone(), held: Vec::new() }));
    shell::run(request, &JsValue::UNDEFINED);
}

/// `config.json` relative to the page's `base`: the response modelpulse-worker-start.js requested
/// (`self.__modelpulseConfig`) when that is the same URL, else fetched now.
async fn read_config(base: &str) -> ConfigFile {
    let url = shell::absolute(base, "config.json");
    let here = Reflect::get(&scope(), &"location".into())
        .and_then(|l| Reflect::get(&l, &"href".into()))
        .ok()
        .and_then(|h| h.as_string())
        .unwrap_or_default();
    let early = Reflect::get(&scope(), &"__modelpulseConfig".into()).unwrap_or(JsValue::UNDEFINED);
    let _ = Reflect::set(&scope(), &"__modelpulseConfig".into(), &JsValue::UNDEFINED);
    let bytes = match early.dyn_into::<js_sys::Promise>() {
        Ok(p) if shell::absolute(&here, "config.json") == url => match JsFuture::from(p).await {
            Ok(v) => match v.dyn_into::<web_sys::Response>() {
                Ok(resp) if resp.ok() => fetch::read_body(&resp, |_| {}).await,
                Ok(resp) => Err(FetchError::Http { status: resp.status(), status_text: resp.status_text() }),
                Err(e) => Err(FetchError::Network(error_text(&e))),
            },
            Err(e) => Err(FetchError::Network(error_text(&e))),
        },
        _ => fetch::fetch_bytes(&url, |_| {}, |_| {}).await,
    };
    match bytes {
        Ok(b) => ConfigFile::Text(String::from_utf8_lossy(&b).into_owned()),
        Err(e) => ConfigFile::Failed(e),
    }
}
