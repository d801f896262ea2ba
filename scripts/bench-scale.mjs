// Scale benchmark (issue 6, "Scale"): `node scripts/bench-scale.mjs` with its configuration in the
// environment (scripts/bench-scale.sh sets it up; see there). Not a test: it prints figures.
//
// For each size (1M, 3M, 10M LLM events with their tickets and conversions) it serves the data
// from its own server on 127.0.0.1 (a random port; single `Range` requests are honoured, so the
// page's range reads work as on a CDN — for the "all" view every row group is needed, so the
// whole files are fetched either way), opens the page with `?data=` in headless Chromium (a fresh
// profile per run) and reports per run:
// - bytes of data fetched (counted by the server: body bytes sent for the data files) and requests;
// - the page's User Timing phases: fetch, decode (worker), aggregate (worker), render, total
//   (navigation start → first charts drawn);
// - the longest main-thread task (Long Tasks API) between `modelpulse:load-start` and
//   `modelpulse:loaded` (the worker fetches and decodes meanwhile), and until `ready` (adds the
//   first chart drawing);
// - filter changes (`modelpulse:filter`, control → charts in view redrawn): provider off, provider
//   on, range 30 days, range all;
// - the worker's wasm memory (its `WebAssembly.Memory` byteLength; wasm memory only grows, so the
//   final size, read after the filter changes, is the peak), the worker's JS heap, the page's
//   wasm memory and the page's JS heap (CDP `Performance.getMetrics` JSHeapUsedSize). The wasm
//   memories are read over the DevTools protocol (`Runtime.queryObjects` on
//   `WebAssembly.Memory.prototype` in the worker's / page's context), so the page needs no hook;
// - whether the tab survived (page state `ready`, no crash, the worker answered the filters).
//
// Then DuckDB-wasm 1.32.0 on the same data, same browser flags (`DUCK=0` skips it): first
// `read_parquet` over HTTP (1.32 loads its Parquet reader as an extension from the DuckDB
// extension site at run time — this machine has no route there, so this records the error), then,
// as a clearly labelled substitute, the same rows handed over as Arrow IPC streams
// (`insertArrowFromIPCStream`) and the warehouse's dashboard_facts SQL (the dbt model compiled to
// one query); timed navigation → result.
import { chromium } from 'playwright-core';
import { settle } from './chromium.mjs';
import http from 'node:http';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const env = process.env;
const DIST = path.resolve(env.DIST || 'dist');
// SIZES="1m=test-artifacts/bench-1m,3m=…,10m=…"
const SIZES = (env.SIZES || '').split(',').filter(Boolean).map((s) => { const [name, dir] = s.split('='); return { name, dir: path.resolve(dir) }; });
const RUNS = Number(env.RUNS || 3);
const RUNS_10M = Number(env.RUNS_10M || RUNS);
const DUCK = env.DUCK !== '0';
const PAGE = env.PAGE !== '0'; // PAGE=0: DuckDB-wasm only
const DUCK_DIST = env.DUCK_DIST && path.resolve(env.DUCK_DIST);
const SQL_FILE = env.SQL_FILE; // compiled dashboard_facts.sql
const SQL_DATA_DIR = env.SQL_DATA_DIR; // the data_dir the SQL was compiled with
const IPC_ROOT = env.IPC_ROOT && path.resolve(env.IPC_ROOT); // <IPC_ROOT>/<size>/raw_*.arrows
const TIMEOUT = Number(env.TIMEOUT_S || 900) * 1000;
const RANGES = env.RANGES !== '0'; // RANGES=0: the server ignores Range (always 200, whole file)
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--no-first-run', '--disable-sync'];

// ---- server: static files, single Range requests, body bytes counted per path ----
const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.mjs': 'text/javascript',
  '.css': 'text/css', '.json': 'application/json', '.wasm': 'application/wasm', '.toml': 'text/plain',
};
const mounts = { '/': DIST };
for (const s of SIZES) mounts[`/data-${s.name}`] = s.dir;
if (DUCK && DUCK_DIST) {
  mounts['/duckdist'] = DUCK_DIST;
  mounts['/nm'] = path.resolve(DUCK_DIST, '../../..'); // node_modules: apache-arrow, flatbuffers, tslib
}
if (DUCK && IPC_ROOT) mounts['/ipc'] = IPC_ROOT;
const duckPageDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-scale-duck-'));
mounts['/duck'] = duckPageDir;
let served = {}; // path -> { bytes, requests }
const server = http.createServer((req, res) => {
  const url = new URL(req.url, 'http://x');
  let pathname = decodeURIComponent(url.pathname);
  if (pathname.endsWith('/')) pathname += 'index.html';
  const hit = Object.entries(mounts).sort((a, b) => b[0].length - a[0].length)
    .find(([p]) => p === '/' || pathname === p || pathname.startsWith(p + '/'));
  const file = hit && path.resolve(hit[1], pathname.slice(hit[0].length).replace(/^\/+/, ''));
  let st;
  try { st = file && file.startsWith(path.resolve(hit[1])) && fs.statSync(file); } catch { st = null; }
  if (!st || !st.isFile()) { res.writeHead(404); res.end('not found'); return; }
  const headers = { 'content-type': TYPES[path.extname(file)] || 'application/octet-stream', 'cache-control': 'no-cache' };
  if (RANGES) headers['accept-ranges'] = 'bytes';
  let start = 0, end = st.size - 1, status = 200;
  const m = RANGES && /^bytes=(\d*)-(\d*)$/.exec(req.headers.range || '');
  if (m) {
    if (m[1] === '' && m[2] !== '') { start = Math.max(0, st.size - Number(m[2])); }
    else { start = Number(m[1]); if (m[2] !== '') end = Math.min(Number(m[2]), st.size - 1); }
    if (start > end || start >= st.size) { res.writeHead(416, { 'content-range': `bytes */${st.size}` }); res.end(); return; }
    status = 206; headers['content-range'] = `bytes ${start}-${end}/${st.size}`;
  }
  headers['content-length'] = end - start + 1;
  const rec = served[pathname] ||= { bytes: 0, requests: 0 };
  rec.requests++;
  res.writeHead(status, headers);
  if (req.method === 'HEAD' || st.size === 0) { res.end(); return; }
  const stream = fs.createReadStream(file, { start, end });
  stream.on('data', (c) => { rec.bytes += c.length; });
  stream.pipe(res);
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const origin = `http://127.0.0.1:${server.address().port}`;

// ---- helpers ----
const median = (xs) => { const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b); return s.length ? s[Math.floor((s.length - 1) / 2)] : NaN; };
const MB = (b) => (b / 1e6).toFixed(1);
const MiB = (b) => (Number.isFinite(b) ? (b / 1048576).toFixed(0) : '–');
const ms = (x) => (Number.isFinite(x) ? x.toFixed(0) : '–');
const load = () => os.loadavg().map((x) => x.toFixed(1)).join(' ');
const dataBytes = (prefix) => Object.entries(served).filter(([p]) => p.startsWith(prefix + '/'))
  .reduce((a, [, v]) => ({ bytes: a.bytes + v.bytes, requests: a.requests + v.requests }), { bytes: 0, requests: 0 });
const fileBytes = (dir) => fs.readdirSync(dir).filter((f) => f.endsWith('.parquet')).reduce((a, f) => a + fs.statSync(path.join(dir, f)).size, 0);

/** Runs CDP commands in each worker's context whose URL matches (old-style, non-flat sessions
 *  through the browser session, since playwright's CDP sessions are per page). */
async function workerCdps(browser, match) {
  const cdp = await browser.newBrowserCDPSession();
  const { targetInfos } = await cdp.send('Target.getTargets');
  const sessions = [];
  let next = 0; const pending = new Map();
  cdp.on('Target.receivedMessageFromTarget', (e) => {
    const msg = JSON.parse(e.message);
    const p = pending.get(`${e.sessionId}/${msg.id}`); if (!p) return;
    pending.delete(`${e.sessionId}/${msg.id}`);
    msg.error ? p.reject(new Error(msg.error.message)) : p.resolve(msg.result);
  });
  for (const w of targetInfos.filter((t) => t.type === 'worker' && match(t.url))) {
    const { sessionId } = await cdp.send('Target.attachToTarget', { targetId: w.targetId, flatten: false });
    sessions.push({ url: w.url, send: (method, params = {}) => new Promise((resolve, reject) => {
      const id = ++next; pending.set(`${sessionId}/${id}`, { resolve, reject });
      cdp.send('Target.sendMessageToTarget', { sessionId, message: JSON.stringify({ id, method, params }) }).catch(reject);
    }), sessionId });
  }
  return { sessions, close: async () => {
    for (const s of sessions) await cdp.send('Target.detachFromTarget', { sessionId: s.sessionId }).catch(() => {});
    await cdp.detach().catch(() => {});
  } };
}
/** byteLengths of every WebAssembly.Memory alive in a context, largest first. */
async function wasmMemories(send) {
  const proto = await send('Runtime.evaluate', { expression: 'WebAssembly.Memory.prototype' });
  const objs = await send('Runtime.queryObjects', { prototypeObjectId: proto.result.objectId });
  const r = await send('Runtime.callFunctionOn', { objectId: objs.objects.objectId, returnByValue: true,
    functionDeclaration: 'function () { return this.map((m) => m.buffer.byteLength).sort((a, b) => b - a); }' });
  return r.result.value;
}
/** The largest wasm memory among the matching workers (and that worker's JS heap); `workers`:
 *  how many matched (the page runs one data worker). */
async function workerMemory(browser, match) {
  const w = await workerCdps(browser, match);
  let best = { wasm: NaN, heap: NaN, workers: w.sessions.length };
  try {
    for (const s of w.sessions) {
      const mems = await wasmMemories(s.send).catch((e) => { if (env.VERBOSE) console.error(`  ${s.url}: ${e.message}`); return []; });
      const heap = await s.send('Runtime.getHeapUsage').catch(() => ({ usedSize: NaN }));
      if (!(best.wasm >= (mems[0] ?? 0))) best = { wasm: mems[0] ?? NaN, heap: heap.usedSize, workers: w.sessions.length };
    }
  } finally { await w.close(); }
  return best;
}
function longTaskObserver() {
  window.__scale = { longTasks: [] };
  new PerformanceObserver((l) => { for (const e of l.getEntries()) window.__scale.longTasks.push([e.startTime, e.duration]); })
    .observe({ type: 'longtask', buffered: true });
}

// ---- the page ----
async function runPage(size, run) {
  served = {};
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: FLAGS });
  const out = { size: size.name, run, survived: false };
  let crashed = null;
  try {
    const page = await (await browser.newContext({ viewport: { width: 1400, height: 1000 } })).newPage();
    await settle(); // the browser's own start-up work done first (scripts/chromium.mjs)
    page.on('crash', () => { crashed = 'page crashed'; });
    await page.addInitScript(longTaskObserver);
    const pcdp = await page.context().newCDPSession(page);
    await pcdp.send('Performance.enable');
    await page.goto(`${origin}/?data=data-${size.name}`);
    await page.waitForFunction(() => ['ready', 'error'].includes(document.documentElement.dataset.state), null, { timeout: TIMEOUT, polling: 250 });
    const state = await page.evaluate(() => document.documentElement.dataset.state);
    if (state !== 'ready') throw new Error(`page state ${state}: ${(await page.textContent('#errors').catch(() => '')) || ''}`);
    Object.assign(out, await page.evaluate(() => {
      const m = Object.fromEntries(performance.getEntriesByType('measure').filter((e) => e.name.startsWith('modelpulse:')).map((e) => [e.name.slice(11), e.duration]));
      const mark = (n) => performance.getEntriesByName(n, 'mark')[0]?.startTime;
      const t0 = mark('modelpulse:load-start'), t1 = mark('modelpulse:loaded');
      const render = performance.getEntriesByName('modelpulse:render')[0];
      const tEnd = render ? render.startTime + render.duration : performance.now();
      const over = (a, b) => Math.max(0, ...window.__scale.longTasks.filter(([s, d]) => s + d >= a && s <= b).map(([, d]) => d));
      return { ...m, longLoad: over(t0, t1), longToReady: over(0, tEnd), rows: window.__modelpulse.rowsLoaded,
        stats: document.querySelector('#stats-line')?.textContent || '' };
    }));
    const d = dataBytes(`/data-${size.name}`);
    out.bytes = d.bytes; out.requests = d.requests; out.fileBytes = fileBytes(size.dir);
    // Filter changes, as scripts/bench-page.mjs does them (charts scrolled into view, controls
    // changed by script): provider off, provider on, range 30 days, back to all.
    await page.evaluate(() => document.querySelector('.charts').scrollIntoView());
    const change = async (act) => {
      const n = await page.evaluate(() => window.__modelpulse.draws);
      await act();
      await page.waitForFunction((k) => window.__modelpulse.draws > k, n, { timeout: TIMEOUT });
      return page.evaluate(() => performance.getEntriesByName('modelpulse:filter').at(-1).duration);
    };
    const provider = await page.$eval('input[name=provider]', (e) => e.value);
    const toggle = () => page.$eval(`input[name=provider][value="${provider}"]`, (e) => e.click());
    const range = (r) => page.$eval('#range', (e, r) => { e.value = r; e.dispatchEvent(new Event('change', { bubbles: true })); }, r);
    out.filterOff = await change(toggle);
    out.filterOn = await change(toggle);
    out.filter30 = await change(() => range('30'));
    out.filterAll = await change(() => range('all'));
    out.afterFilters = await page.evaluate(() => document.documentElement.dataset.state);
    // Memory: the page's JS heap, the page's and the worker's wasm memory, the worker's JS heap.
    const metrics = Object.fromEntries((await pcdp.send('Performance.getMetrics')).metrics.map((x) => [x.name, x.value]));
    out.pageHeap = metrics.JSHeapUsedSize;
    out.pageWasm = (await wasmMemories((m, p) => pcdp.send(m, p)))[0] ?? NaN;
    const wm = await workerMemory(browser, (u) => u.includes('modelpulse-worker'));
    out.workerWasm = wm.wasm; out.workerHeap = wm.heap; out.workers = wm.workers;
    out.survived = !crashed && out.afterFilters === 'ready';
  } catch (e) {
    out.error = crashed || String(e.message || e).split('\n')[0];
  } finally {
    out.load = load();
    await browser.close().catch(() => {});
  }
  return out;
}

// ---- DuckDB-wasm ----
// duckdb-browser.mjs imports apache-arrow (which imports flatbuffers and tslib) by bare name:
// an import map points them at their npm packages' ES modules.
const DUCK_PAGE = `<!doctype html><meta charset="utf-8"><title>duckdb-wasm bench</title>
<script type="importmap">{"imports": {"apache-arrow": "/nm/apache-arrow/Arrow.dom.mjs",
  "flatbuffers": "/nm/flatbuffers/mjs/flatbuffers.js", "tslib": "/nm/tslib/tslib.es6.mjs"}}</script>
<script type="module">
import * as duckdb from '/duckdist/duckdb-browser.mjs';
const q = new URLSearchParams(location.search);
const out = window.__duck = { mode: q.get('mode'), step: 'start' };
const step = (s) => { out.step = s; console.log('duck: ' + s + ' at ' + performance.now().toFixed(0) + ' ms'); };
try {
  const worker = new Worker('/duckdist/duckdb-browser-eh.worker.js');
  const db = new duckdb.AsyncDuckDB(new duckdb.ConsoleLogger(duckdb.LogLevel.WARNING), worker);
  step('instantiate');
  await db.instantiate('/duckdist/duckdb-eh.wasm');
  const conn = await db.connect();
  out.init = performance.now();
  let sql = await (await fetch(q.get('sql'))).text();
  if (out.mode === 'ipc') {
    for (const t of ['raw_llm_events', 'raw_support_events']) {
      step('fetch ' + t);
      const buf = new Uint8Array(await (await fetch(q.get('ipc') + '/' + t + '.arrows')).arrayBuffer());
      step('insert ' + t);
      await conn.insertArrowFromIPCStream(buf, { name: t });
    }
    out.loaded = performance.now();
  }
  step('query');
  const t = await conn.query(sql);
  out.rows = t.numRows;
  out.done = performance.now();
  step('query again');
  const t2 = performance.now();
  await conn.query(sql);
  out.again = performance.now() - t2;
  step('done');
  out.finished = true;
} catch (e) { out.error = String((e && e.message) || e) + ' (at ' + out.step + ')'; out.done ??= performance.now(); out.finished = true; }
</script>`;
/** `p`, or an error after `ms` (a wasm trap inside DuckDB's worker can leave promises pending). */
const within = (p, ms, what) => Promise.race([p, new Promise((_, rej) => setTimeout(() => rej(new Error(`${what}: no answer after ${ms / 1000} s`)), ms))]);
async function runDuck(size, mode, run) {
  served = {};
  const sqlIn = fs.readFileSync(SQL_FILE, 'utf8');
  const dir = SQL_DATA_DIR.replace(/\/+$/, '');
  const sql = mode === 'ipc'
    ? sqlIn.replace(/read_parquet\('[^']*\/(raw_[a-z_]+)\.parquet'\)/g, '$1')
    : sqlIn.split(dir + '/').join(`${origin}/data-${size.name}/`);
  fs.writeFileSync(path.join(duckPageDir, `${size.name}-${mode}.sql`), sql);
  fs.writeFileSync(path.join(duckPageDir, 'index.html'), DUCK_PAGE);
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: FLAGS });
  const out = { size: size.name, mode, run };
  let crashed = null;
  try {
    const context = await browser.newContext();
    const failed = out.failedRequests = [];
    context.on('requestfailed', (r) => failed.push(`${r.url()} (${r.failure()?.errorText})`));
    context.on('request', (r) => { if (!r.url().startsWith(origin)) failed.push(`request to ${r.url()}`); });
    const page = await context.newPage();
    await settle(); // as for the page (scripts/chromium.mjs)
    page.on('crash', () => { crashed = 'page crashed'; });
    await page.addInitScript(longTaskObserver);
    const pcdp = await page.context().newCDPSession(page);
    await pcdp.send('Performance.enable');
    const consoleErrors = [];
    page.on('console', (m) => {
      if (env.VERBOSE) console.error(`  [${size.name} ${mode}] ${m.text()}`);
      if (m.type() === 'error' && !/Failed to load resource/.test(m.text())) consoleErrors.push(m.text().split('\n')[0]);
    });
    page.on('pageerror', (e) => console.error(`  [${size.name} ${mode}] page error: ${e.message}`));
    await page.goto(`${origin}/duck/?mode=${mode}&sql=/duck/${size.name}-${mode}.sql&ipc=/ipc/${size.name}`);
    // read_parquet needs the parquet extension from the network: give it DUCK_PARQUET_TIMEOUT_S.
    const limit = mode === 'parquet' ? Number(env.DUCK_PARQUET_TIMEOUT_S || 120) * 1000 : TIMEOUT;
    try {
      await page.waitForFunction(() => window.__duck && window.__duck.finished, null, { timeout: limit, polling: 250 });
    } catch (e) {
      const st = await within(page.evaluate(() => window.__duck?.step), 10000, 'page').catch(() => '?');
      throw new Error(`no result after ${limit / 1000} s (stuck at: ${st}); ${consoleErrors.length ? `console: ${consoleErrors[0]}; ` : ''}${failed.length ? 'failed requests: ' + [...new Set(failed)].join(', ') : 'no request left this machine'}`);
    }
    Object.assign(out, await within(page.evaluate(() => ({ ...window.__duck, longest: Math.max(0, ...window.__scale.longTasks.map(([, d]) => d)) })), 30000, 'page'));
    if (out.error && failed.length) out.error += `; failed requests: ${[...new Set(failed)].join(', ')}`;
    const metrics = Object.fromEntries((await within(pcdp.send('Performance.getMetrics'), 30000, 'CDP')).metrics.map((x) => [x.name, x.value]));
    out.pageHeap = metrics.JSHeapUsedSize;
    const wm = await within(workerMemory(browser, (u) => u.includes('duckdb')), 30000, 'worker CDP').catch(() => ({ wasm: NaN, heap: NaN }));
    out.workerWasm = wm.wasm; out.workerHeap = wm.heap;
    out.bytes = dataBytes(mode === 'ipc' ? `/ipc/${size.name}` : `/data-${size.name}`).bytes;
    out.engineBytes = dataBytes('/duckdist').bytes;
  } catch (e) {
    out.error = crashed || String(e.message || e).split('\n')[0];
  } finally {
    out.load = load();
    await within(browser.close(), 30000, 'close').catch(() => {});
  }
  return out;
}

// ---- main ----
console.log(`# bench-scale — ${new Date().toISOString()}, ${os.cpus().length} CPUs, load average at start ${load()}`);
console.log(`server: ${RANGES ? 'honours single Range requests (206)' : 'ignores Range (200, whole files)'}; page: ${DIST}; Chromium ${(await (async () => { const b = await chromium.launch({ executablePath: '/usr/bin/chromium', args: FLAGS }); const v = b.version(); await b.close(); return v; })())}`);
const pageRuns = {};
for (const size of SIZES) {
  const n = !PAGE ? 0 : size.name === '10m' ? RUNS_10M : RUNS;
  pageRuns[size.name] = [];
  for (let i = 1; i <= n; i++) {
    const r = await runPage(size, i);
    pageRuns[size.name].push(r);
    console.log(`page ${size.name} run ${i}: ` + (r.error ? `FAILED: ${r.error}` : `${r.rows} rows; ${MB(r.bytes)} MB in ${r.requests} requests (files ${MB(r.fileBytes)} MB); `
      + `fetch ${ms(r.fetch)}, decode ${ms(r.decode)}, aggregate ${ms(r.aggregate)}, render ${ms(r.render)}, total ${ms(r.total)} ms; `
      + `filter off/on/30/all ${[r.filterOff, r.filterOn, r.filter30, r.filterAll].map(ms).join('/')} ms; longest task load ${ms(r.longLoad)} / to ready ${ms(r.longToReady)} ms; `
      + `worker wasm ${MiB(r.workerWasm)} MiB (${r.workers} worker${r.workers === 1 ? '' : 's'}), worker JS heap ${MiB(r.workerHeap)} MiB, page wasm ${MiB(r.pageWasm)} MiB, page JS heap ${MiB(r.pageHeap)} MiB; survived ${r.survived}`)
      + `; load average ${r.load}`);
  }
}
const duckRuns = {};
if (DUCK) {
  const duckSizes = env.DUCK_SIZES ? SIZES.filter((s) => env.DUCK_SIZES.split(/[ ,]/).includes(s.name)) : SIZES;
  for (const size of duckSizes) {
    duckRuns[size.name] = { parquet: await runDuck(size, 'parquet', 1), ipc: [] };
    const p = duckRuns[size.name].parquet;
    console.log(`duckdb-wasm ${size.name} read_parquet: ${p.error ? `FAILED after ${ms(p.done)} ms: ${p.error}` : `${p.rows} rows, navigation → result ${ms(p.done)} ms`}`);
    if (!IPC_ROOT || !fs.existsSync(path.join(IPC_ROOT, size.name, 'raw_llm_events.arrows'))) continue;
    const n = size.name === '10m' ? RUNS_10M : RUNS;
    for (let i = 1; i <= n; i++) {
      const r = await runDuck(size, 'ipc', i);
      duckRuns[size.name].ipc.push(r);
      console.log(`duckdb-wasm ${size.name} Arrow IPC run ${i}: ` + (r.error ? `FAILED: ${r.error}` : `${r.rows} fact rows; ${MB(r.bytes)} MB IPC; init ${ms(r.init)}, IPC loaded ${ms(r.loaded)}, result ${ms(r.done)} ms (query ${ms(r.done - r.loaded)} ms, again ${ms(r.again)} ms); `
        + `longest task ${ms(r.longest)} ms; worker wasm ${MiB(r.workerWasm)} MiB, page JS heap ${MiB(r.pageHeap)} MiB`) + `; load average ${r.load}`);
    }
  }
}

// ---- summary (medians over the runs that survived) ----
const rowsOf = (name) => pageRuns[name].filter((r) => !r.error);
console.log(`\n## modelpulse page (medians; runs per size: ${SIZES.map((s) => `${s.name} ${pageRuns[s.name].length}`).join(', ')}; load average at end ${load()})\n`);
console.log('| events | data fetched | time to first chart (total) | fetch | decode | aggregate | render | filter: provider off / on / 30 days / all | longest main-thread task: load / to first chart | worker wasm memory (peak) | worker JS heap | page JS heap | page wasm | tab survived |');
console.log('|---|---|---|---|---|---|---|---|---|---|---|---|---|---|');
for (const s of SIZES) {
  const ok = rowsOf(s.name), all = pageRuns[s.name];
  if (!ok.length) { console.log(`| ${s.name.toUpperCase()} | – | – | – | – | – | – | – | – | – | – | – | – | no: ${all[0]?.error} |`); continue; }
  const M = (k) => median(ok.map((r) => r[k]));
  console.log(`| ${s.name.toUpperCase()} (${ok[0].rows.toLocaleString('en')} rows) | ${MB(M('bytes'))} MB | ${ms(M('total'))} ms | ${ms(M('fetch'))} ms | ${ms(M('decode'))} ms | ${ms(M('aggregate'))} ms | ${ms(M('render'))} ms | `
    + `${ms(M('filterOff'))} / ${ms(M('filterOn'))} / ${ms(M('filter30'))} / ${ms(M('filterAll'))} ms | ${ms(M('longLoad'))} (max ${ms(Math.max(...ok.map((r) => r.longLoad)))}) / ${ms(M('longToReady'))} ms | ${MiB(Math.max(...ok.map((r) => r.workerWasm)))} MiB | ${MiB(M('workerHeap'))} MiB | ${MiB(M('pageHeap'))} MiB | ${MiB(M('pageWasm'))} MiB | ${ok.length === all.length ? 'yes' : `${ok.length}/${all.length}`} ${all.length > 1 ? `(${all.length} runs)` : '(1 run)'} |`);
}
if (DUCK) {
  console.log(`\n## DuckDB-wasm 1.32.0 (eh bundle), same browser flags\n`);
  for (const s of SIZES) {
    const p = duckRuns[s.name]?.parquet;
    if (p) console.log(`- ${s.name.toUpperCase()} read_parquet over HTTP: ${p.error ? `fails — ${p.error}` : `${p.rows} rows in ${ms(p.done)} ms`}`);
  }
  console.log('\nSubstitute (not Parquet): the same LLM events + tickets as Arrow IPC streams, `insertArrowFromIPCStream`, then the dashboard_facts SQL (medians):\n');
  console.log('| events | IPC fetched | navigation → result | of which DuckDB init | IPC fetch + insert | query | query again | longest main-thread task | worker wasm memory | result |');
  console.log('|---|---|---|---|---|---|---|---|---|---|');
  for (const s of SIZES) {
    const rs = duckRuns[s.name]?.ipc || [];
    if (!rs.length) continue;
    const ok = rs.filter((r) => !r.error);
    if (!ok.length) { console.log(`| ${s.name.toUpperCase()} | – | – | – | – | – | – | – | – | fails: ${rs[0].error} |`); continue; }
    const M = (f) => median(ok.map(f));
    console.log(`| ${s.name.toUpperCase()} | ${MB(M((r) => r.bytes))} MB | ${ms(M((r) => r.done))} ms | ${ms(M((r) => r.init))} ms | ${ms(M((r) => r.loaded - r.init))} ms | ${ms(M((r) => r.done - r.loaded))} ms | ${ms(M((r) => r.again))} ms | ${ms(M((r) => r.longest))} ms | ${MiB(Math.max(...ok.map((r) => r.workerWasm)))} MiB | ${ok[0].rows} fact rows${ok.length < rs.length ? `, ${rs.length - ok.length} failed` : ''} |`);
  }
}
server.close();
fs.rmSync(duckPageDir, { recursive: true, force: true });
