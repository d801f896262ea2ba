// Starts the page's data worker as early as possible (copied to dist/; index.html loads it as the
// first deferred script, before plotly.js and the page's wasm run), so the worker's wasm downloads
// and compiles while they do. The page's wasm takes the worker over (src/ui/bridge.rs): messages
// and errors that arrive before that are kept here and replayed. Without this script (or if it
// failed), the page starts the worker itself.
(function () {
  var boot = { messages: [], errors: [], worker: null, error: null };
  try {
    var w = new Worker("modelpulse-worker-start.js");
    w.onmessage = function (e) { boot.messages.push(e.data); };
    w.onerror = function (e) {
      e.preventDefault();
      boot.errors.push((e && e.message) || "");
    };
    boot.worker = w;
  } catch (e) {
    boot.error = String((e && e.message) || e);
  }
  window.__modelpulseWorker = boot;
})();
