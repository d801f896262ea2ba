//! The main thread's only fetch: small files the UI itself needs (`config.json`). Snapshots
//! are fetched by the worker (`src/worker/fetch.rs`).

use super::browser;
use js_sys::Uint8Array;
use modelpulse::protocol::FetchError;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// Fetches `url` (revalidating with the server) and returns its body.
pub async fn fetch_bytes(url: &str) -> Result<Vec<u8>, FetchError> {
    let net = |e: JsValue| FetchError::Network(browser::js_error_text(&e));
    let init = web_sys::RequestInit::new();
    init.set_cache(web_sys::RequestCache::NoCache);
    let resp: web_sys::Response =
        JsFuture::from(browser::window().fetch_with_str_and_init(url, &init)).await.map_err(net)?.unchecked_into();
    if !resp.ok() {
        return Err(FetchError::Http { status: resp.status(), status_text: resp.status_text() });
    }
    let buf = JsFuture::from(resp.array_buffer().map_err(net)?).await.map_err(net)?;
    Ok(Uint8Array::new(&buf).to_vec())
}
