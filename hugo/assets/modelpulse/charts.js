// modelpulse charts for Hugo pages: draws every <figure data-modelpulse-chart> with plotly.js.
// The figure is embedded as <script type="application/json"> (data="…") or fetched from
// data-src (src="…"). No inline script, no eval: runs under a strict Content-Security-Policy.
(function () {
  'use strict';

  var dark = window.matchMedia ? window.matchMedia('(prefers-color-scheme: dark)') : null;
  var drawn = [];

  function fontColor() {
    return dark && dark.matches ? '#e0e0e0' : '#2b2b2b';
  }

  function draw(fig, figure) {
    var plot = fig.querySelector('.modelpulse-chart__plot');
    var height = parseInt(fig.getAttribute('data-height'), 10);
    if (height > 0) plot.style.height = height + 'px';
    var layout = Object.assign({}, figure.layout || {});
    var caption = fig.querySelector('figcaption');
    if (caption && fig.hasAttribute('data-title-from-figure') && layout.title && layout.title.text) {
      caption.textContent = layout.title.text; // text, never HTML
    }
    // The <figcaption> carries the title (read by screen readers); don't draw it twice.
    layout.title = { text: '' };
    layout.margin = Object.assign({}, layout.margin || {}, { t: 16 });
    layout.font = Object.assign({}, layout.font || {}, { color: fontColor() });
    layout.autosize = true;
    var config = Object.assign({ responsive: true, displaylogo: false }, figure.config || {});
    return window.Plotly.newPlot(plot, figure.data || [], layout, config).then(function () {
      drawn.push(plot);
      fig.setAttribute('data-state', 'ready');
    });
  }

  function fail(fig, message) {
    fig.setAttribute('data-state', 'error');
    var p = document.createElement('p');
    p.className = 'modelpulse-chart__error';
    p.textContent = message; // text, never HTML
    fig.appendChild(p);
  }

  function load(fig) {
    var embedded = fig.querySelector('script.modelpulse-chart__figure');
    if (embedded) {
      return draw(fig, JSON.parse(embedded.textContent));
    }
    var src = fig.getAttribute('data-src');
    return fetch(src, { credentials: 'same-origin' })
      .then(function (r) {
        if (!r.ok) throw new Error('HTTP ' + r.status);
        return r.json();
      })
      .then(function (figure) { return draw(fig, figure); })
      .catch(function (e) { fail(fig, 'Chart ' + src + ' could not be loaded: ' + e.message); });
  }

  function start() {
    if (!window.Plotly) {
      document.querySelectorAll('figure[data-modelpulse-chart]').forEach(function (fig) {
        fail(fig, 'plotly.js did not load; the chart cannot be drawn.');
      });
      return;
    }
    document.querySelectorAll('figure[data-modelpulse-chart]').forEach(function (fig) {
      try {
        var p = load(fig);
        if (p && p.catch) p.catch(function (e) { fail(fig, String(e && e.message || e)); });
      } catch (e) {
        fail(fig, String(e && e.message || e));
      }
    });
    if (dark && dark.addEventListener) {
      dark.addEventListener('change', function () {
        drawn.forEach(function (plot) { window.Plotly.relayout(plot, { 'font.color': fontColor() }); });
      });
    }
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
