// Page benchmark: `node scripts/bench-page.mjs DIST DATA_DIR RUNS` (see scripts/bench-page.sh).
// Each run launches headless Chromium with a fresh profile, opens the page on DATA_DIR (?data=),
// waits for `ready` and reads the page's User Timing measures; then times filter changes (control
// event → charts redrawn, the page's `modelpulse:filter` measure). Per run it also prints each
// chart's `Plotly.react` time (its synchronous part, where plotly.js does its work), the longest
// main-thread task (Long Tasks API) of the first draw and of each filter change, the facts
// table's fill time (`modelpulse:table`, after the charts) and the machine's load average
// (on a shared machine the wall times mostly follow it). Prints medians.
import { launchPage } from './chromium.mjs';
import os from 'node:os';
import path from 'node:path';
import { startServer } from '../tests/e2e/server.mjs';
import { startServer as startRangeServer } from '../tests/ranges/server.mjs';

const [dist, data, runsArg] = process.argv.slice(2);
const runs = Number(runsArg || 5);
// RANGES=1: a server that honours `Range` (as nginx, S3 and CDNs do): the worker then reads the
// large snapshots by ranges, footer first, and decodes raw_llm_events row group by row group
// while its bytes arrive. Default: a server without range support (every file fetched whole).
const server = process.env.RANGES === '1'
  ? await startRangeServer({ '/': path.resolve(dist), '/bench': path.resolve(data) })
  : await startServer({ '/': path.resolve(dist), '/bench': path.resolve(data) });
console.log(`server: ${process.env.RANGES === '1' ? 'honours Range requests' : 'no range support'}`);
const url = `${server.origin}/?data=bench`;
const phases = ['fetch', 'decode', 'aggregate', 'render', 'total', 'table', 'summary'];
const summary = [...phases, 'filter', 'painted', 'filterAll', 'beforePlot', 'longestRender', 'longestFilter'];
const results = Object.fromEntries(summary.map((p) => [p, []]));
// Runs in the page before its scripts: wraps `Plotly.react` to time each chart's draw (the
// synchronous part, and until its promise resolves) and records long tasks (Long Tasks API).
function instrument() {
  const bench = window.__bench = { draws: [], longTasks: [] };
  let plotly;
  Object.defineProperty(window, 'Plotly', {
    configurable: true,
    get() { return plotly; },
    set(v) {
      plotly = v;
      const react = v.react;
      v.react = function (gd, ...rest) {
        const t0 = performance.now();
        const p = react.call(this, gd, ...rest);
        const sync = performance.now() - t0;
        const id = gd.closest('figure')?.id || gd.id;
        Promise.resolve(p).then(() => bench.draws.push({ id, start: t0, sync, done: performance.now() - t0 }));
        return p;
      };
    },
  });
  new PerformanceObserver((l) => { for (const e of l.getEntries()) bench.longTasks.push({ start: e.startTime, dur: e.duration }); })
    .observe({ type: 'longtask', buffered: true });
  // The startup timeline: when plotly.js has been evaluated, and when each message of the data
  // worker reached the page (its first key: Ready, Progress, Loaded, View, …).
  bench.messages = [];
  const W = window.Worker;
  window.Worker = function (url, opts) {
    const w = new W(url, opts);
    w.addEventListener('message', (e) => {
      const kind = typeof e.data === 'string' ? (e.data.match(/^\{?"?(\w+)/) || [])[1] : 'object';
      bench.messages.push({ kind, at: performance.now() });
    });
    return w;
  };
  window.Worker.prototype = W.prototype;
  const setPlotly = Object.getOwnPropertyDescriptor(window, 'Plotly').set;
  Object.defineProperty(window, 'Plotly', {
    configurable: true,
    get() { return plotly; },
    set(v) { if (bench.plotlyAt === undefined) bench.plotlyAt = performance.now(); setPlotly(v); },
  });
}

/**
 * Where the time from navigation to the charts went: page resources (html, boot script, plotly.js,
 * the UI's glue + wasm, config.json), the worker's own resources (glue, wasm, data files: fetched
 * in the worker, on its clock, converted to the page's), worker messages, and the page's User
 * Timing marks/measures. Returns [label, start ms, end ms] rows on the page's clock.
 */
async function timeline(page, worker) {
  const p = await page.evaluate(() => {
    const nav = performance.getEntriesByType('navigation')[0];
    const res = performance.getEntriesByType('resource').map((r) => [r.name, r.startTime, r.responseEnd]);
    const marks = performance.getEntriesByType('mark').filter((m) => m.name.startsWith('modelpulse:')).map((m) => [m.name, m.startTime, m.startTime]);
    const measures = performance.getEntriesByType('measure').filter((m) => m.name.startsWith('modelpulse:')).map((m) => [m.name, m.startTime, m.startTime + m.duration]);
    return { origin: performance.timeOrigin, nav: [nav.responseEnd, nav.domInteractive, nav.domContentLoadedEventEnd], res, marks, measures,
      plotlyAt: window.__bench.plotlyAt, messages: window.__bench.messages };
  });
  const rows = [['html received', 0, p.nav[0]], ['DOMContentLoaded', p.nav[2], p.nav[2]]];
  const short = (u) => u.replace(/^.*\//, '').replace(/\?.*$/, '').replace(/-[0-9a-f]{1,16}(_bg)?\./, '$1.');
  for (const [name, a, b] of p.res) rows.push([`page fetch ${short(name)}`, a, b]);
  if (p.plotlyAt !== undefined) rows.push(['plotly.js evaluated', p.plotlyAt, p.plotlyAt]);
  if (worker) {
    const w = await worker.evaluate(() => ({ origin: performance.timeOrigin,
      res: performance.getEntriesByType('resource').map((r) => [r.name, r.startTime, r.responseEnd]) })).catch(() => null);
    if (w) {
      const d = w.origin - p.origin;
      rows.push(['worker created', d, d]);
      for (const [name, a, b] of w.res) rows.push([`worker fetch ${short(name)}`, a + d, b + d]);
    }
  }
  const seen = new Set();
  for (const m of p.messages) {
    if (m.kind === 'Progress') continue;
    const k = seen.has(m.kind) ? `${m.kind} (again)` : m.kind; seen.add(m.kind);
    rows.push([`worker message ${k}`, m.at, m.at]);
  }
  for (const r of [...p.marks, ...p.measures]) rows.push(r);
  return rows.sort((a, b) => a[1] - b[1] || a[2] - b[2]);
}
/** Per-chart draws and the longest task that started in [t0, t1] (page clock, ms). */
const windowStats = (page, t0, t1) => page.evaluate(([a, b]) => {
  const d = window.__bench.draws.filter((x) => x.start >= a && x.start <= b);
  const lt = window.__bench.longTasks.filter((x) => x.start + x.dur >= a && x.start <= b);
  return { draws: d, longest: Math.max(0, ...lt.map((x) => x.dur)) };
}, [t0, t1]);
const fmtDraws = (ds) => ds.map((x) => `${x.id} ${x.sync.toFixed(0)}`).join(', ');
const median = (xs) => { const s = xs.filter((x) => !Number.isNaN(x)).sort((a, b) => a - b); return s.length ? s[Math.floor((s.length - 1) / 2)] : NaN; };

for (let i = 0; i < runs; i++) {
  // Fresh profile; CHROME_ARGS adds flags (scripts/chromium.mjs).
  const { browser, page } = await launchPage();
  // THROTTLE_MBPS=<n>: DevTools network emulation (n Mbit/s down, 20 ms latency) for the page and
  // its worker — a CDN over a real network instead of localhost.
  if (process.env.THROTTLE_MBPS) {
    const cdp = await page.context().newCDPSession(page);
    const bytes = Number(process.env.THROTTLE_MBPS) * 1e6 / 8;
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 20, downloadThroughput: bytes, uploadThroughput: bytes });
  }
  await page.addInitScript(instrument);
  // INIT=file.js: a script run in the page before its own (experiments, e.g. a changed figure;
  // it runs after `instrument`, so a `Plotly` accessor it defines must chain to the one there).
  if (process.env.INIT) await page.addInitScript({ path: process.env.INIT });
  let dataWorker = null;
  page.on('worker', (w) => { if (w.url().includes('modelpulse-worker')) dataWorker = w; });
  await page.goto(url);
  await page.waitForFunction(() => ['ready', 'error'].includes(document.documentElement.dataset.state), null, { timeout: 120000 });
  const state = await page.evaluate(() => document.documentElement.dataset.state);
  if (state !== 'ready') throw new Error(`page state ${state}: ${await page.textContent('#errors')}`);
  const m = await page.evaluate(() => Object.fromEntries(performance.getEntriesByType('measure')
    .filter((e) => e.name.startsWith('modelpulse:')).map((e) => [e.name.slice(11), e.duration])));
  const renderAt = await page.evaluate(() => { const e = performance.getEntriesByName('modelpulse:render')[0]; return [e.startTime, e.startTime + e.duration]; });
  const first = await windowStats(page, ...renderAt);
  const rows = await page.evaluate(() => window.__modelpulse.rowsLoaded);
  if (process.env.TIMELINE !== '0') {
    console.log(`run ${i + 1} timeline (ms from navigation; start → end):`);
    for (const [label, a, b] of await timeline(page, dataWorker)) {
      console.log(`  ${a.toFixed(0).padStart(6)} → ${b.toFixed(0).padStart(6)}  ${label}`);
    }
  }
  for (const p of phases) if (m[p] !== undefined) results[p].push(m[p]);
  results.longestRender.push(first.longest);
  // Filter changes: toggle a provider off and on, switch range presets. The page is first
  // scrolled to the charts (at 1400×1000 the alerts banner and the Summary panel put them below
  // the fold, so `modelpulse:filter`, "charts in view redrawn", would time no chart at all), and
  // the controls are changed by script, so nothing scrolls back to them.
  // SCROLL=0: stay at the top of the page, as a visitor who just opened it (charts out of view
  // are then redrawn only when they come into view, see src/ui/charts.rs).
  if (process.env.SCROLL !== '0') await page.evaluate(() => document.querySelector('.charts').scrollIntoView());
  const inView = await page.$$eval('.chart', (cs) => cs.filter((c) => { const r = c.getBoundingClientRect(); return r.bottom > 0 && r.top < innerHeight; }).length);
  const filters = [], alls = [], longest = [], perChart = [], painted = [];
  const change = async (label, act) => {
    const n = await page.evaluate(() => window.__modelpulse.draws);
    await act();
    await page.waitForFunction((k) => window.__modelpulse.draws > k && window.__modelpulse.timings.filter !== undefined, n);
    // Let a late long task (e.g. a paint) be reported.
    await page.waitForTimeout(Number(process.env.PACE_MS || 100));
    await page.waitForFunction(() => window.__painted !== null);
    painted.push(await page.evaluate(() => window.__painted));
    const e = await page.evaluate(() => { const f = performance.getEntriesByName('modelpulse:filter-all').at(-1); return [f.startTime, f.startTime + f.duration]; });
    filters.push(await page.evaluate(() => performance.getEntriesByName('modelpulse:filter').at(-1).duration));
    alls.push(e[1] - e[0]);
    const w = await windowStats(page, ...e);
    longest.push(w.longest);
    // Before plotly.js: control event → first `Plotly.react` (worker round trip, figures, tiles).
    const before = w.draws.length ? Math.min(...w.draws.map((x) => x.start)) - e[0] : NaN;
    results.beforePlot.push(before);
    perChart.push(`${label}: ${before.toFixed(0)} ms to the first Plotly.react, then ${fmtDraws(w.draws) || 'none'}`);
  };
  const provider = await page.$eval('input[name=provider]', (e) => e.value);
  // painted: the control's event → the first frame after it (rAF, then a task after that frame).
  const toggle = (p) => page.$eval(`input[name=provider][value="${p}"]`, (e) => {
    window.__painted = null; const t0 = performance.now(); e.click();
    requestAnimationFrame(() => setTimeout(() => { window.__painted = performance.now() - t0; }, 0));
  });
  const range = (r) => page.$eval('#range', (e, r) => {
    window.__painted = null; const t0 = performance.now(); e.value = r; e.dispatchEvent(new Event('change', { bubbles: true }));
    requestAnimationFrame(() => setTimeout(() => { window.__painted = performance.now() - t0; }, 0));
  }, r);
  for (let k = 0; k < 2; k++) {
    await change('provider off', () => toggle(provider));
    await change('provider on', () => toggle(provider));
  }
  for (const r of ['30', '7', '90', 'all']) await change(`range ${r}`, () => range(r));
  results.filter.push(...filters);
  results.filterAll.push(...alls);
  results.painted.push(...painted);
  results.longestFilter.push(...longest);
  const f1 = (xs) => xs.map((f) => f.toFixed(1)).join(', ');
  console.log(`run ${i + 1}: ${rows} rows; load average ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}; `
    + phases.map((p) => `${p} ${m[p]?.toFixed(1) ?? '–'} ms`).join(', ')
    + `\n  first draw: Plotly.react per chart (sync ms) ${fmtDraws(first.draws)}; longest task over 50 ms in render ${first.longest.toFixed(0)} ms`
    + `\n  filter changes (${inView} charts in view): charts in view redrawn ${f1(filters)} ms; next frame painted ${f1(painted)} ms; all charts ${f1(alls)} ms; longest task over 50 ms (0 = none) ${f1(longest)} ms`
    + `\n  per chart (sync ms): ${perChart.join('; ')}`);
  await browser.close();
}
console.log('median: ' + summary.map((p) => `${p} ${median(results[p]).toFixed(1)} ms`).join(', '));
await server.close();
