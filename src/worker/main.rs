//! `modelpulse-worker`: the dashboard page's Web Worker (issue 6). It owns the data: fetches the
//! snapshots (with progress), decodes them, evaluates the alert rules and computes each view's
//! facts with [`modelpulse::engine::Engine`], answering the page's [`modelpulse::protocol`]
//! messages. The page's main thread keeps only the UI and plotly.js, so the Parquet/Arrow code
//! is in this wasm only.
//!
//! Built for wasm32 by Trunk (`data-type="worker"`, wasm-bindgen `no-modules`); started by
//! src/worker/modelpulse-worker-start.js. Natively it is an empty program.
//!
//! Modules: [`shell`] (message loop, loads, views), [`boot`] (the first load, started from
//! the page's `Boot` before the page's wasm asks for it), [`fetch`] (HTTP and local files, the one
//! place that fetches), [`js`] (the worker global: post, clock), [`refresh`] (the incremental
//! refresh: manifest/file polling with conditional requests, backoff, pause).

#[cfg(target_arch = "wasm32")]
mod boot;
#[cfg(target_arch = "wasm32")]
mod fetch;
#[cfg(target_arch = "wasm32")]
mod js;
#[cfg(target_arch = "wasm32")]
mod refresh;
#[cfg(target_arch = "wasm32")]
mod ranges;
#[cfg(target_arch = "wasm32")]
mod shell;

#[cfg(target_arch = "wasm32")]
fn main() {
    console_error_panic_hook::set_once();
    shell::start();
    // The page's `Boot` (posted before this wasm ran) and anything after it.
    boot::drain_early();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    println!("modelpulse-worker is the dashboard page's Web Worker; Trunk builds it for wasm32 (see docs/page.md).");
}
