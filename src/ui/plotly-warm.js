// Warms plotly.js while the data worker decodes: Trunk inlines this script into index.html
// (`rel="inline"`, before the stylesheet; its sha256 goes into the CSP). Once the document is
// parsed (the deferred plotly.js has run), one small figure with what the dashboard's charts use
// — date axis, lines, stacked and filled areas, a shape, unified hover, legend, titles — is drawn
// off screen and removed. plotly.js's one-time setup (style sheets, measuring text) and its
// code's first compilation then happen while the page waits for its data, not while it draws the
// charts: the five charts' first draw at 1M events took 128–173 ms (median 130) instead of
// 160–174 ms (median 164) in four interleaved sets of three runs (docs/page.md, "Timings").
// Nothing here touches the data; a failure is ignored (the charts draw as before).
(function () {
  function warm() {
    var P = window.Plotly;
    if (!P || !document.body) return;
    var div = document.createElement("div");
    div.setAttribute("aria-hidden", "true");
    div.style.cssText = "position:absolute;left:-10000px;top:0;width:600px;height:300px;visibility:hidden";
    document.body.appendChild(div);
    var x = [], y = [];
    for (var i = 0; i < 30; i++) { x.push("2026-01-" + (i < 9 ? "0" : "") + (i + 1)); y.push(i % 7); }
    var data = [
      { x: x, y: y, type: "scatter", mode: "lines", name: "a" },
      { x: x, y: y, type: "scatter", mode: "lines", stackgroup: "s", name: "b" },
      { x: x, y: y, type: "scatter", mode: "lines", fill: "tonexty", name: "c" },
      { x: x, y: y, type: "scatter", mode: "markers", name: "d" },
    ];
    var layout = {
      title: { text: "w" }, hovermode: "x unified", legend: { orientation: "h" },
      xaxis: { type: "date", title: { text: "t" }, automargin: true },
      yaxis: { title: { text: "v" }, rangemode: "tozero", automargin: true },
      shapes: [{ type: "line", xref: "paper", x0: 0, x1: 1, y0: 3, y1: 3 }],
    };
    var done = function () { try { P.purge(div); } catch (e) { /* ignored */ } div.remove(); };
    try {
      P.newPlot(div, data, layout, { displaylogo: false, responsive: false }).then(done, done);
    } catch (e) {
      done();
    }
  }
  document.addEventListener("DOMContentLoaded", function () { setTimeout(warm, 0); });
})();
