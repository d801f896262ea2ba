//! The one place the worker reads bytes: HTTP fetches (with progress, chunk by chunk from the
//! body's ReadableStream) and local `File`s. Refresh (manifest polling, conditional requests)
//! and range reads build on [`fetch`] + [`read_body`]; whole snapshots use [`fetch_bytes`].

use crate::js::{error_text, scope};
use js_sys::{Reflect, Uint8Array};
use modelpulse::protocol::FetchError;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

fn network(e: JsValue) -> FetchError {
    FetchError::Network(error_text(&e))
}

/// `fetch(url, init)` from the worker: the response whatever its status (check `ok()`/
/// `status()`), or [`FetchError::Network`] when there is no answer (network, CORS). For custom
/// requests: conditional headers (`If-None-Match`), `Range`, cache modes.
pub async fn fetch(url: &str, init: &web_sys::RequestInit) -> Result<web_sys::Response, FetchError> {
    let resp = JsFuture::from(scope().fetch_with_str_and_init(url, init)).await.map_err(network)?;
    Ok(resp.unchecked_into())
}

/// The `Content-Length` of `resp`, when the server sent one.
pub fn content_length(resp: &web_sys::Response) -> Option<u64> {
    resp.headers().get("content-length").ok().flatten().and_then(|v| v.parse::<u64>().ok())
}

/// Reads `resp`'s body to the end. `on_chunk(bytes_in_chunk)` is called for each chunk read.
pub async fn read_body(resp: &web_sys::Response, mut on_chunk: impl FnMut(u64)) -> Result<Vec<u8>, FetchError> {
    let length = content_length(resp);
    let mut out = Vec::with_capacity(length.unwrap_or(0).min(1 << 30) as usize);
    for_each_chunk(resp, |chunk| {
        let start = out.len();
        out.resize(start + chunk.length() as usize, 0);
        chunk.copy_to(&mut out[start..]);
        on_chunk(u64::from(chunk.length()));
    })
    .await?;
    Ok(out)
}

/// Reads `resp`'s body to the end, calling `f` with each chunk (a JS array: copy what you keep)
/// as it arrives.
pub async fn for_each_chunk(resp: &web_sys::Response, mut f: impl FnMut(&Uint8Array)) -> Result<(), FetchError> {
    let Some(body) = resp.body() else {
        // No stream (e.g. an empty body): read it whole.
        let buf = JsFuture::from(resp.array_buffer().map_err(network)?).await.map_err(network)?;
        f(&Uint8Array::new(&buf));
        return Ok(());
    };
    let reader: web_sys::ReadableStreamDefaultReader = body.get_reader().unchecked_into();
    loop {
        let chunk = JsFuture::from(reader.read()).await.map_err(network)?;
        if Reflect::get(&chunk, &"done".into()).map(|d| d.is_truthy()).unwrap_or(true) {
            break;
        }
        let value: Uint8Array = Reflect::get(&chunk, &"value".into()).map_err(network)?.unchecked_into();
        f(&value);
    }
    Ok(())
}

/// Fetches `url` whole (revalidating with the server, so a refreshed snapshot is seen) and
/// returns its body. `on_start(content_length)` is called once the headers are in;
/// `on_chunk(bytes_in_chunk)` for each chunk. A non-2xx status is [`FetchError::Http`].
pub async fn fetch_bytes(
    url: &str,
    on_start: impl FnOnce(Option<u64>),
    on_chunk: impl FnMut(u64),
) -> Result<Vec<u8>, FetchError> {
    let init = web_sys::RequestInit::new();
    init.set_cache(web_sys::RequestCache::NoCache);
    let resp = fetch(url, &init).await?;
    if !resp.ok() {
        return Err(FetchError::Http { status: resp.status(), status_text: resp.status_text() });
    }
    on_start(content_length(&resp));
    read_body(&resp, on_chunk).await
}

/// Reads a local file (posted by the page from a drop or the file input). Nothing leaves the
/// browser.
pub async fn read_file(file: &web_sys::File) -> Result<Vec<u8>, String> {
    let buf = JsFuture::from(file.array_buffer()).await.map_err(|e| error_text(&e))?;
    Ok(Uint8Array::new(&buf).to_vec())
}
