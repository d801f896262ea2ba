//! Thin wrappers over the browser APIs the page uses: the document state flag, the URL query,
//! localStorage, User Timing, the test hook `window.__modelpulse`, downloads.

use js_sys::{Object, Reflect};
use wasm_bindgen::{JsCast, JsValue};

pub fn window() -> web_sys::Window {
    web_sys::window().expect("a browser window")
}

pub fn document() -> web_sys::Document {
    window().document().expect("a document")
}

fn root() -> Option<web_sys::HtmlElement> {
    document().document_element()?.dyn_into::<web_sys::HtmlElement>().ok()
}

/// Sets `document.documentElement.dataset.<key>` (`state` is `loading` → `ready` | `error`).
pub fn set_root_data(key: &str, value: &str) {
    if let Some(el) = root() {
        let _ = el.dataset().set(key, value);
    }
}

/// Sets `<html lang>`.
pub fn set_lang_attr(code: &str) {
    if let Some(el) = root() {
        let _ = el.set_attribute("lang", code);
    }
}

/// `location.search` (with the leading `?`, or empty).
pub fn location_search() -> String {
    window().location().search().unwrap_or_default()
}

/// Replaces the URL's query (no reload, no new history entry).
pub fn replace_query(query: &str) {
    let loc = window().location();
    let path = loc.pathname().unwrap_or_default();
    let hash = loc.hash().unwrap_or_default();
    if loc.search().unwrap_or_default() == query {
        return;
    }
    if let Ok(h) = window().history() {
        let _ = h.replace_state_with_url(&JsValue::NULL, "", Some(&format!("{path}{query}{hash}")));
    }
}

/// `localStorage[key]`; `None` when unset or storage is unavailable (private mode, file://).
pub fn storage_get(key: &str) -> Option<String> {
    window().local_storage().ok().flatten()?.get_item(key).ok().flatten()
}

/// Sets `localStorage[key]`, silently doing nothing when storage is unavailable.
pub fn storage_set(key: &str, value: &str) {
    if let Ok(Some(s)) = window().local_storage() {
        let _ = s.set_item(key, value);
    }
}

/// `performance.now()`: ms since navigation start.
pub fn now() -> f64 {
    window().performance().map(|p| p.now()).unwrap_or(0.0)
}

/// `performance.timeOrigin`: the absolute time (ms since the Unix epoch) of this page's zero.
/// The worker's times are absolute; subtracting this puts them on the page's timeline.
pub fn time_origin() -> f64 {
    window().performance().map(|p| p.time_origin()).unwrap_or(0.0)
}

/// `document.baseURI`: what relative URLs in the page resolve against.
pub fn base_uri() -> String {
    document().base_uri().ok().flatten().unwrap_or_else(|| window().location().href().unwrap_or_default())
}

/// `performance.measure(name, {start, end})` (ms since navigation start).
pub fn measure(name: &str, start: f64, end: f64) {
    let Some(perf) = window().performance() else { return };
    let opts = Object::new();
    let _ = Reflect::set(&opts, &"start".into(), &start.into());
    let _ = Reflect::set(&opts, &"end".into(), &end.into());
    if let Ok(f) = Reflect::get(&perf, &"measure".into()).and_then(|f| f.dyn_into::<js_sys::Function>()) {
        let _ = f.call2(&perf, &name.into(), &opts);
    }
}

/// `performance.mark(name)` at the current time.
pub fn mark(name: &str) {
    if let Some(perf) = window().performance() {
        let _ = perf.mark(name);
    }
}

/// Resolves in a new task (`setTimeout(0)`), after the browser had a chance to paint.
pub async fn next_task() {
    sleep(0).await;
}

/// Resolves after `ms` milliseconds (`setTimeout`).
pub async fn sleep(ms: i32) {
    let p = js_sys::Promise::new(&mut |resolve, _| {
        let _ = window().set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
    });
    let _ = wasm_bindgen_futures::JsFuture::from(p).await;
}

/// True when the system prefers a dark color scheme.
pub fn prefers_dark() -> bool {
    window()
        .match_media("(prefers-color-scheme: dark)")
        .ok()
        .flatten()
        .is_some_and(|m| m.matches())
}

/// `window.__modelpulse` (created on first use): what the page exposes to tests and benchmarks.
fn hook() -> Object {
    let w = window();
    let existing = Reflect::get(&w, &"__modelpulse".into()).ok().filter(|v| v.is_object());
    match existing {
        Some(v) => v.unchecked_into(),
        None => {
            let o = Object::new();
            let _ = Reflect::set(&o, &"figures".into(), &Object::new());
            let _ = Reflect::set(&o, &"timings".into(), &Object::new());
            let _ = Reflect::set(&w, &"__modelpulse".into(), &o);
            o
        }
    }
}

/// Sets `window.__modelpulse[group][key] = value` (`group` is `figures` or `timings`).
pub fn expose_in(group: &str, key: &str, value: &JsValue) {
    let h = hook();
    if let Ok(g) = Reflect::get(&h, &group.into()) {
        let _ = Reflect::set(&g, &key.into(), value);
    }
}

/// Sets `window.__modelpulse[key] = value`.
pub fn expose(key: &str, value: &JsValue) {
    let _ = Reflect::set(&hook(), &key.into(), value);
}

/// Saves `text` as a file named `name` (a Blob URL clicked through a temporary `<a download>`).
pub fn download_text(name: &str, mime: &str, text: &str) -> Result<(), JsValue> {
    let parts = js_sys::Array::of1(&JsValue::from_str(text));
    let opts = web_sys::BlobPropertyBag::new();
    opts.set_type(mime);
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &opts)?;
    let url = web_sys::Url::create_object_url_with_blob(&blob)?;
    let a: web_sys::HtmlAnchorElement = document().create_element("a")?.unchecked_into();
    a.set_href(&url);
    a.set_download(name);
    a.style().set_property("display", "none")?;
    document().body().ok_or("no body")?.append_child(&a)?;
    a.click();
    a.remove();
    // Revoke after the click has been handled.
    let revoke = wasm_bindgen::closure::Closure::once_into_js(move || {
        let _ = web_sys::Url::revoke_object_url(&url);
    });
    let _ = window().set_timeout_with_callback_and_timeout_and_arguments_0(revoke.unchecked_ref(), 10_000);
    Ok(())
}

/// The message of a JS exception value (an `Error`'s `message`, else its string form).
pub fn js_error_text(e: &JsValue) -> String {
    if let Some(err) = e.dyn_ref::<js_sys::Error>() {
        return String::from(err.message());
    }
    e.as_string().unwrap_or_else(|| format!("{e:?}"))
}
