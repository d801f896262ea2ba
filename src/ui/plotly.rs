//! plotly.js interop: `Plotly.react` on a chart's div. plotly.js is the self-hosted
//! `plotly-basic.min.js` (loaded by a deferred `<script>` in index.html, before the wasm
//! module runs); it contains no `eval`/`new Function`, so it runs under the page's CSP.

use super::browser;
use js_sys::{Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = Plotly, js_name = react, catch)]
    fn plotly_react(div: &web_sys::HtmlElement, data: &JsValue, layout: &JsValue, config: &JsValue) -> Result<Promise, JsValue>;
    #[wasm_bindgen(js_namespace = Plotly, js_name = newPlot, catch)]
    fn plotly_new_plot(div: &web_sys::HtmlElement, data: &JsValue, layout: &JsValue, config: &JsValue) -> Result<Promise, JsValue>;
    #[wasm_bindgen(js_namespace = Plotly, js_name = purge, catch)]
    fn plotly_purge(div: &web_sys::HtmlElement) -> Result<JsValue, JsValue>;
}

/// True once `window.Plotly` exists.
pub fn available() -> bool {
    Reflect::has(&browser::window(), &"Plotly".into()).unwrap_or(false)
}

/// Waits until plotly.js has loaded (it is a deferred script; it normally has by the time the
/// wasm runs). Gives up after ~10 s.
pub async fn wait_until_available() -> bool {
    for _ in 0..200 {
        if available() {
            return true;
        }
        browser::sleep(50).await;
    }
    available()
}

/// Draws (or updates in place) `figure` — `{"data", "layout", "config"}` as built by
/// `modelpulse::charts::figure` — in `div`, resolving once plotly.js has drawn it.
/// `figure_js` is the figure already converted to a JS value; `dark` sets a light font color.
pub async fn react(div: &web_sys::HtmlElement, figure_js: &JsValue, dark: bool) -> Result<(), String> {
    draw(div, figure_js, dark, false).await
}

/// Like [`react`], with `Plotly.newPlot` (a fresh plot in `div`: for plots drawn ahead off
/// screen, see `super::charts`).
pub async fn new_plot(div: &web_sys::HtmlElement, figure_js: &JsValue, dark: bool) -> Result<(), String> {
    draw(div, figure_js, dark, true).await
}

/// `Plotly.purge`: frees a plot that is dropped (its window resize handler, its state).
pub fn purge(div: &web_sys::HtmlElement) {
    let _ = plotly_purge(div);
}

async fn draw(div: &web_sys::HtmlElement, figure_js: &JsValue, dark: bool, new: bool) -> Result<(), String> {
    let get = |k: &str| Reflect::get(figure_js, &k.into()).unwrap_or(JsValue::UNDEFINED);
    let data = get("data");
    // A shallow copy of layout, so the theme override does not change the figure tests read.
    let layout = js_sys::Object::assign(&js_sys::Object::new(), &get("layout").dyn_into().unwrap_or_default());
    if dark {
        let font = js_sys::Object::new();
        if let Ok(f) = Reflect::get(&layout, &"font".into())
            && f.is_object()
        {
            js_sys::Object::assign(&font, f.unchecked_ref());
        }
        let _ = Reflect::set(&font, &"color".into(), &"#e5e7eb".into());
        let _ = Reflect::set(&layout, &"font".into(), &font);
    }
    let config = get("config");
    let drawn = if new { plotly_new_plot(div, &data, &layout, &config) } else { plotly_react(div, &data, &layout, &config) };
    let promise = drawn.map_err(|e| browser::js_error_text(&e))?;
    JsFuture::from(promise).await.map_err(|e| browser::js_error_text(&e))?;
    Ok(())
}

/// Converts a figure's JSON text to a JS value (through `JSON.parse`, the fastest path for large
/// nested JSON).
pub fn to_js(figure_json: &str) -> JsValue {
    js_sys::JSON::parse(figure_json).unwrap_or(JsValue::NULL)
}
