//! The worker's global scope: posting messages to the page, the clock.

use modelpulse::protocol::{encode, FromWorker};
use wasm_bindgen::{JsCast, JsValue};

/// The dedicated worker's global (`self`).
pub fn scope() -> web_sys::DedicatedWorkerGlobalScope {
    js_sys::global().unchecked_into()
}

/// Posts `msg` to the page as one JSON string (or holds it while the load started at boot waits
/// for the page to ask for it: [`crate::boot::hold`]).
pub fn post(msg: &FromWorker) {
    let text = encode(msg);
    if !crate::boot::hold(&text) {
        post_text(&text);
    }
}

/// Posts an encoded message to the page now.
pub fn post_text(text: &str) {
    let _ = scope().post_message(&JsValue::from_str(text));
}

/// Absolute time in ms: `performance.timeOrigin + performance.now()` (the page converts it to its
/// own timeline; see `modelpulse::protocol`).
pub fn now() -> f64 {
    match scope().performance() {
        Some(p) => p.time_origin() + p.now(),
        None => js_sys::Date::now(),
    }
}

/// The message of a JS exception value (an `Error`'s `message`, else its string form).
pub fn error_text(e: &JsValue) -> String {
    if let Some(err) = e.dyn_ref::<js_sys::Error>() {
        return String::from(err.message());
    }
    e.as_string().unwrap_or_else(|| format!("{e:?}"))
}
