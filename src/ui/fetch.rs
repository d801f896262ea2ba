//! Fetching a snapshot with progress: the body is read chunk by chunk from its ReadableStream,
//! so the page can show bytes fetched while a large file arrives.

use super::browser;
use js_sys::{Reflect, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// Why a fetch failed.
#[derive(Debug, Clone, PartialEq)]
pub enum FetchError {
    /// The server answered with a non-2xx status.
    Http { status: u16, status_text: String },
    /// The request never got an answer: network down, or a cross-origin URL whose server does
    /// not allow this origin (CORS) — the browser does not tell these apart.
    Network(String),
}

/// Fetches `url` and returns its body. `on_chunk(bytes_in_chunk, content_length)` is called for
/// each chunk read (content_length from the header when the server sent one).
pub async fn fetch_bytes(url: &str, mut on_chunk: impl FnMut(u64, Option<u64>)) -> Result<Vec<u8>, FetchError> {
    let net = |e: JsValue| FetchError::Network(browser::js_error_text(&e));
    let init = web_sys::RequestInit::new();
    // Revalidate with the server (ETag/Last-Modified) so a refreshed snapshot is seen.
    init.set_cache(web_sys::RequestCache::NoCache);
    let resp: web_sys::Response =
        JsFuture::from(browser::window().fetch_with_str_and_init(url, &init)).await.map_err(net)?.unchecked_into();
    if !resp.ok() {
        return Err(FetchError::Http { status: resp.status(), status_text: resp.status_text() });
    }
    let length = resp
        .headers()
        .get("content-length")
        .ok()
        .flatten()
        .and_then(|v| v.parse::<u64>().ok());
    let mut out = Vec::with_capacity(length.unwrap_or(0).min(1 << 30) as usize);
    let Some(body) = resp.body() else {
        // No stream (e.g. an empty body): read it whole.
        let buf = JsFuture::from(resp.array_buffer().map_err(net)?).await.map_err(net)?;
        let bytes = Uint8Array::new(&buf).to_vec();
        on_chunk(bytes.len() as u64, length);
        return Ok(bytes);
    };
    let reader: web_sys::ReadableStreamDefaultReader = body.get_reader().unchecked_into();
    loop {
        let chunk = JsFuture::from(reader.read()).await.map_err(net)?;
        if Reflect::get(&chunk, &"done".into()).map(|d| d.is_truthy()).unwrap_or(true) {
            break;
        }
        let value: Uint8Array = Reflect::get(&chunk, &"value".into()).map_err(net)?.unchecked_into();
        let start = out.len();
        out.resize(start + value.length() as usize, 0);
        value.copy_to(&mut out[start..]);
        on_chunk(u64::from(value.length()), length);
    }
    Ok(out)
}

/// Reads a local file (drag-and-drop or the file input) into memory. Nothing leaves the browser.
pub async fn read_file(file: &web_sys::File) -> Result<Vec<u8>, String> {
    let buf = JsFuture::from(file.array_buffer()).await.map_err(|e| browser::js_error_text(&e))?;
    Ok(Uint8Array::new(&buf).to_vec())
}
