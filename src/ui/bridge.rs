//! The page's side of the Web Worker (`src/worker/`): starts it, sends [`ToWorker`] requests
//! (queued until the worker says it is ready) and hands each [`FromWorker`] answer to the state.
//! A worker that cannot start, or stops, shows in the error panel; the page never hangs blank.

use super::browser;
use super::loader;
use super::state::AppState;
use leptos::prelude::*;
use futures::channel::oneshot;
use modelpulse::protocol::{decode, encode, ConfigFile, FromWorker, ToWorker};
use std::cell::RefCell;
use wasm_bindgen::prelude::*;

/// The script that starts the worker (src/worker/modelpulse-worker-start.js, copied by Trunk), relative to the
/// page.
pub const WORKER_SCRIPT: &str = "modelpulse-worker-start.js";

struct Bridge {
    worker: web_sys::Worker,
    ready: bool,
    /// Where the worker's `Config` answer goes (the boot script posted `Boot`).
    config: Option<oneshot::Sender<ConfigFile>>,
    /// Messages sent before the worker was ready.
    queue: Vec<JsValue>,
    /// The newest CSV request.
    csv_id: u64,
}

thread_local! {
    static BRIDGE: RefCell<Option<Bridge>> = const { RefCell::new(None) };
    /// Receives `config.json` from the worker, when the boot script asked it to read it.
    static CONFIG: RefCell<Option<oneshot::Receiver<ConfigFile>>> = const { RefCell::new(None) };
}

/// What `modelpulse-worker-boot.js` left in `window.__modelpulseWorker`: the worker it started
/// (`None`: the script did not run), what went wrong starting it, whether it posted `Boot` (then
/// the worker reads config.json and starts the first load itself), and the messages and error
/// texts that arrived before the page took the worker over.
struct Boot {
    worker: Option<web_sys::Worker>,
    error: Option<String>,
    booting: bool,
    messages: Vec<JsValue>,
    errors: Vec<String>,
}

fn boot() -> Boot {
    let get = |o: &JsValue, k: &str| js_sys::Reflect::get(o, &k.into()).unwrap_or(JsValue::UNDEFINED);
    let b = get(&browser::window().into(), "__modelpulseWorker");
    let list = |k: &str| -> Vec<JsValue> {
        let v = get(&b, k);
        if js_sys::Array::is_array(&v) { js_sys::Array::from(&v).iter().collect() } else { Vec::new() }
    };
    Boot {
        worker: get(&b, "worker").dyn_into::<web_sys::Worker>().ok(),
        error: get(&b, "error").as_string(),
        booting: get(&b, "booting").is_truthy(),
        messages: list("messages"),
        errors: list("errors").iter().map(|e| e.as_string().unwrap_or_default()).collect(),
    }
}

/// One message from the worker (a JSON string).
fn on_message(state: AppState, data: &JsValue) {
    match data.as_string().as_deref().map(decode::<FromWorker>) {
        Some(Ok(msg)) => dispatch(state, msg),
        Some(Err(e)) => state.errors.update(|es| es.push(e)),
        None => state.errors.update(|es| es.push("bad message between page and worker: not text".into())),
    }
}

/// The worker's script failed to load or threw (e.g. its wasm trapped): it is gone.
fn on_error(state: AppState, message: String) {
    let what = if message.is_empty() { "failed to start".to_string() } else { message };
    fail(state, format!("{WORKER_SCRIPT}: {what}"));
}

/// Takes over the worker `modelpulse-worker-boot.js` started (or starts it) and routes its
/// messages to `state`, first those that arrived before. On failure the error panel says so.
pub fn start(state: AppState) {
    let boot = boot();
    if let Some(e) = boot.error {
        return fail(state, format!("{WORKER_SCRIPT}: {e}"));
    }
    let booting = boot.booting && boot.worker.is_some();
    let worker = match boot.worker {
        Some(w) => w,
        None => match web_sys::Worker::new(WORKER_SCRIPT) {
            Ok(w) => w,
            Err(e) => return fail(state, format!("{WORKER_SCRIPT}: {}", browser::js_error_text(&e))),
        },
    };
    let handler = Closure::<dyn Fn(web_sys::MessageEvent)>::new(move |ev: web_sys::MessageEvent| on_message(state, &ev.data()));
    worker.set_onmessage(Some(handler.as_ref().unchecked_ref()));
    handler.forget();
    // A script that fails to load gives a plain `Event`, an exception an `ErrorEvent`.
    let handler = Closure::<dyn Fn(web_sys::Event)>::new(move |ev: web_sys::Event| {
        ev.prevent_default();
        on_error(state, ev.dyn_ref::<web_sys::ErrorEvent>().map(|e| e.message()).unwrap_or_default());
    });
    worker.set_onerror(Some(handler.as_ref().unchecked_ref()));
    handler.forget();
    let config = if booting {
        let (tx, rx) = oneshot::channel();
        CONFIG.with_borrow_mut(|c| *c = Some(rx));
        Some(tx)
    } else {
        None
    };
    BRIDGE.with_borrow_mut(|b| *b = Some(Bridge { worker, ready: false, config, queue: Vec::new(), csv_id: 0 }));
    for m in boot.messages {
        on_message(state, &m);
    }
    if let Some(e) = boot.errors.into_iter().next() {
        on_error(state, e);
    }
}

/// The worker is unusable: the error panel names why, loading stops, the page is in `error`.
fn fail(state: AppState, message: String) {
    if let Some(b) = BRIDGE.with_borrow_mut(|b| b.take()) {
        b.worker.terminate();
    }
    state.errors.update(|es| es.push(message));
    state.progress.update(|p| p.loading = false);
    browser::set_root_data("state", "error");
}

/// `config.json` as the worker read it at boot: `None` when the page must read it itself (no boot
/// script), or when the worker failed before answering. Call once.
pub async fn config_from_worker() -> Option<ConfigFile> {
    let rx = CONFIG.with_borrow_mut(Option::take)?;
    rx.await.ok()
}

/// True when the worker was asked to read config.json at boot ([`config_from_worker`] waits for it).
pub fn config_expected() -> bool {
    CONFIG.with_borrow(Option::is_some)
}

/// True while the worker runs (or is starting).
pub fn alive() -> bool {
    BRIDGE.with_borrow(|b| b.is_some())
}

/// Sends `msg` to the worker (after it is ready).
pub fn send(msg: &ToWorker) {
    send_with_files(msg, &[]);
}

/// Sends `msg` with `files` beside it (`{msg, files}`; a `File` is structured-cloned, not
/// copied into the message; the worker reads it).
pub fn send_with_files(msg: &ToWorker, files: &[web_sys::File]) {
    let obj = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&obj, &"msg".into(), &encode(msg).into());
    if !files.is_empty() {
        let arr: js_sys::Array = files.iter().collect();
        let _ = js_sys::Reflect::set(&obj, &"files".into(), &arr);
    }
    let value: JsValue = obj.into();
    let worker = BRIDGE.with_borrow_mut(|b| {
        let b = b.as_mut()?;
        if b.ready {
            Some(b.worker.clone())
        } else {
            b.queue.push(value.clone());
            None
        }
    });
    if let Some(w) = worker {
        let _ = w.post_message(&value);
    }
}

/// Asks the worker for the CSV of `query`; it is saved as `dashboard_facts.csv` when it comes.
pub fn request_csv(query: modelpulse::Query) {
    let id = BRIDGE.with_borrow_mut(|b| {
        b.as_mut().map(|b| {
            b.csv_id += 1;
            b.csv_id
        })
    });
    if let Some(id) = id {
        send(&ToWorker::Csv { id, query });
    }
}

fn dispatch(state: AppState, msg: FromWorker) {
    match msg {
        FromWorker::Ready => {
            let (worker, queue) = BRIDGE.with_borrow_mut(|b| match b.as_mut() {
                Some(b) => {
                    b.ready = true;
                    (Some(b.worker.clone()), std::mem::take(&mut b.queue))
                }
                None => (None, Vec::new()),
            });
            if let Some(w) = worker {
                for m in queue {
                    let _ = w.post_message(&m);
                }
            }
        }
        FromWorker::Progress { bytes_fetched, bytes_expected } => state.progress.update(|p| {
            if p.loading {
                p.bytes_fetched = bytes_fetched;
                p.bytes_expected = bytes_expected;
            }
        }),
        FromWorker::Loaded(loaded) => loader::on_loaded(state, loaded),
        FromWorker::Refresh(status) => state.refresh.set(Some(status)),
        FromWorker::View { id, view } => state.receive_view(id, view),
        FromWorker::Csv { id, text } => {
            if BRIDGE.with_borrow(|b| b.as_ref().is_some_and(|b| b.csv_id == id))
                && let Err(e) = browser::download_text("dashboard_facts.csv", "text/csv;charset=utf-8", &text)
            {
                leptos::logging::warn!("download failed: {}", browser::js_error_text(&e));
            }
        }
        FromWorker::Error { message } => state.errors.update(|es| es.push(message)),
        FromWorker::StartFailed { message } => fail(state, message),
        FromWorker::Config(file) => {
            if let Some(tx) = BRIDGE.with_borrow_mut(|b| b.as_mut().and_then(|b| b.config.take())) {
                let _ = tx.send(file);
            }
        }
    }
}
