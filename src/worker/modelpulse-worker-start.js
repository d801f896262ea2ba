// Starts the page's Web Worker (copied to dist/ as modelpulse-worker-start.js; the page runs
// `new Worker("modelpulse-worker-start.js")`). Loads wasm-bindgen's no-modules glue, then the
// worker's wasm; if the wasm cannot be fetched or instantiated, the page is told (a
// `FromWorker::StartFailed` message, see src/protocol.rs) instead of waiting forever. A failing
// importScripts throws, which the page sees as the worker's `error` event.
importScripts("./modelpulse-worker.js");
wasm_bindgen({ module_or_path: "./modelpulse-worker_bg.wasm" }).catch(function (e) {
  postMessage(JSON.stringify({ StartFailed: { message: "modelpulse-worker_bg.wasm: " + ((e && e.message) || String(e)) } }));
});
