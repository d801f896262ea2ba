// Starts the page's Web Worker (copied to dist/ as modelpulse-worker-start.js; the page runs
// `new Worker("modelpulse-worker-start.js")`). Requests the worker's wasm and config.json at once
// (in parallel with wasm-bindgen's no-modules glue, which importScripts loads), then instantiates
// the wasm from that response. If the wasm cannot be fetched or instantiated, the page is told
// (a `FromWorker::StartFailed` message, see src/protocol.rs) instead of waiting forever. A
// failing importScripts throws, which the page sees as the worker's `error` event.
// Messages that arrive before the wasm has installed its handler (the page's `Boot`) are kept in
// `self.__modelpulseEarly`; src/worker/boot.rs handles them once it runs. `config.json` (beside
// this script, which is where the page's base URL points unless a <base> element says otherwise)
// is fetched here so it is in by the time the wasm asks: `self.__modelpulseConfig` resolves to
// the Response, or to the error if the request failed.
var __modelpulseEarly = [];
self.onmessage = function (e) { __modelpulseEarly.push(e.data); };
self.__modelpulseEarly = __modelpulseEarly;
self.__modelpulseConfig = fetch("config.json", { cache: "no-cache" }).then(function (r) { return r; }, function (e) { return e; });
var wasm = fetch("./modelpulse-worker_bg.wasm");
importScripts("./modelpulse-worker.js");
performance.mark("modelpulse-worker:glue");
wasm_bindgen({ module_or_path: wasm }).then(function () {
  performance.mark("modelpulse-worker:started");
}, function (e) {
  postMessage(JSON.stringify({ StartFailed: { message: "modelpulse-worker_bg.wasm: " + ((e && e.message) || String(e)) } }));
});
