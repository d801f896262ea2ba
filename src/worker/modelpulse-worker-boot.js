// Starts the page's data worker as early as possible: Trunk inlines this script into index.html
// (`rel="inline"`; its sha256 goes into the CSP), so it runs while the page is parsed, before the
// deferred plotly.js and the page's wasm, with no request of its own to wait for. It tells the
// worker at once where the page is (`Boot`: base URL, query string, the language chosen before;
// see src/protocol.rs), so the worker reads config.json and starts the first load itself while
// plotly.js and the page's wasm load. The page's wasm takes the worker over (src/ui/bridge.rs):
// messages and errors that arrive before that are kept here and replayed; `booting` tells it the
// worker will post config.json (`Config`) and that its first load is already under way. Without
// this script (or if it failed), the page starts the worker itself and reads config.json itself.
(function () {
  var boot = { messages: [], errors: [], worker: null, error: null, booting: false };
  try {
    var w = new Worker("modelpulse-worker-start.js");
    w.onmessage = function (e) { boot.messages.push(e.data); };
    w.onerror = function (e) {
      e.preventDefault();
      boot.errors.push((e && e.message) || "");
    };
    boot.worker = w;
    var stored = null;
    try { stored = window.localStorage.getItem("modelpulse.lang"); } catch (e) { /* storage blocked */ }
    w.postMessage({ msg: JSON.stringify({ Boot: { base: document.baseURI, search: location.search, stored_lang: stored } }) });
    boot.booting = true;
  } catch (e) {
    boot.error = String((e && e.message) || e);
  }
  window.__modelpulseWorker = boot;
})();
