// End-to-end tests of the dashboard page (dist/) in Debian's Chromium via playwright-core.
// Run by tests/e2e/run.sh, which builds dist/, the CLI and the test data first. Environment:
//   DIST      the built page (dist/)
//   CLI       the modelpulse binary (for the expected CSV and figures)
//   DEMO      the demo snapshots served as dist/data/
//   FIXTURES  ../shared/fixtures
//   WORK      test data made by run.sh (bad/<name>/, xss/, missing/)
//   ARTIFACTS where the screenshot goes
import { launchChromium, runTests } from '../lib/browser.mjs';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import assert from 'node:assert/strict';
import { startServer } from './server.mjs';

const env = (k) => { const v = process.env[k]; if (!v) throw new Error(`${k} is not set`); return path.resolve(v); };
const DIST = env('DIST'), CLI = env('CLI'), DEMO = env('DEMO'), FIXTURES = env('FIXTURES'), WORK = env('WORK'), ARTIFACTS = env('ARTIFACTS');
const CHART_IDS = ['line-chart', 'latency-p95', 'token-usage', 'revenue-from-ai', 'conversion-uplift'];
const ONLY = process.env.ONLY || '';

const cli = (...args) => execFileSync(CLI, args, { encoding: 'utf8', maxBuffer: 1 << 28, stdio: ['ignore', 'pipe', 'pipe'] });
const factsCsv = (dir) => cli('facts', '--data', dir);

const server = await startServer({ '/': DIST, '/testdata': WORK, '/fixtures': FIXTURES });
// Another origin without CORS headers: the page cannot read from it.
const noCors = await startServer({ '/testdata': WORK }, { cors: false });
const BASE = server.origin + '/';

const browser = await launchChromium();

/** A fresh context + page that records console errors, uncaught exceptions and dialogs. */
async function open(url, { context } = {}) {
  const ctx = context || await browser.newContext({ acceptDownloads: true, viewport: { width: 1400, height: 1000 } });
  const page = await ctx.newPage();
  const log = { consoleErrors: [], pageErrors: [], dialogs: [] };
  page.on('console', (m) => { if (m.type() === 'error') log.consoleErrors.push(m.text()); });
  page.on('pageerror', (e) => log.pageErrors.push(String(e)));
  page.on('dialog', async (d) => { log.dialogs.push(d.message()); await d.dismiss(); });
  await page.goto(url);
  await waitSettled(page);
  return { ctx, page, log, close: () => (context ? page.close() : ctx.close()) };
}

async function waitSettled(page) {
  await page.waitForFunction(() => ['ready', 'error'].includes(document.documentElement.dataset.state), null, { timeout: 60000 });
  return page.evaluate(() => document.documentElement.dataset.state);
}

async function downloadCsv(page) {
  const [dl] = await Promise.all([page.waitForEvent('download'), page.click('#download-csv')]);
  assert.equal(dl.suggestedFilename(), 'dashboard_facts.csv');
  return fs.readFileSync(await dl.path(), 'utf8');
}

const figures = (page) => page.evaluate(() => Object.fromEntries(
  Object.entries(window.__modelpulse.figures).map(([k, v]) => [k, JSON.parse(v)])));
const draws = (page) => page.evaluate(() => window.__modelpulse.draws || 0);
/** Waits until the page has drawn ahead what it draws ahead (no new plot for 1.5 s; src/ui/charts.rs). */
async function settledAhead(page) {
  let n = -1;
  for (let k = 0; k < 40; k++) {
    const m = await page.evaluate(() => window.__modelpulse.drawnAhead || 0);
    if (m === n) return m;
    n = m;
    await page.waitForTimeout(1500);
  }
  throw new Error('the page kept drawing ahead for a minute');
}
const tableProviders = (page) => page.$$eval('#facts-table tbody th[scope=row]', (ths) => ths.map((t) => t.textContent));

/** The path of the first difference between two JSON values (for messages). */
function firstDiff(a, b, at = '$') {
  if (typeof a !== typeof b || Array.isArray(a) !== Array.isArray(b) || (a === null) !== (b === null)) return `${at}: ${JSON.stringify(a)?.slice(0, 80)} vs ${JSON.stringify(b)?.slice(0, 80)}`;
  if (a && typeof a === 'object') {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])];
    for (const k of keys) { const d = firstDiff(a[k], b[k], `${at}.${k}`); if (d) return d; }
    return null;
  }
  return a === b ? null : `${at}: ${JSON.stringify(a)} vs ${JSON.stringify(b)}`;
}

function csvRows(csv) {
  const [header, ...rows] = csv.trimEnd().split('\n');
  return { header, rows: rows.map((r) => r.split(',')) };
}

const tests = [];
const test = (name, fn) => tests.push({ name, fn });

// ---------------------------------------------------------------------------------------------
test('demo data: ready, five charts with plot SVG, tiles, stats, no console errors; screenshot', async () => {
  const { page, log, close } = await open(BASE);
  assert.equal(await page.evaluate(() => document.documentElement.dataset.state), 'ready');
  for (const id of CHART_IDS) {
    assert.ok(await page.$(`figure#${id} .main-svg`), `chart ${id} has no plot SVG`);
    const label = await page.getAttribute(`figure#${id} .plot`, 'aria-label');
    assert.ok(label && label.length > 3, `chart ${id} has no accessible title`);
  }
  assert.equal((await page.$$('.tile')).length, 7);
  const values = await page.$$eval('.tile .value', (els) => els.map((e) => e.textContent));
  assert.ok(values.filter((v) => v !== '–').length >= 6, `tiles: ${values}`);
  const stats = await page.textContent('#stats-line');
  assert.match(stats, /rows loaded/);
  assert.match(stats, /total [\d,.]+ ms/);
  const measures = await page.evaluate(() => performance.getEntriesByType('measure').map((m) => m.name));
  for (const m of ['fetch', 'decode', 'aggregate', 'render', 'total']) assert.ok(measures.includes(`modelpulse:${m}`), `no measure ${m}`);
  assert.equal(await page.$('#errors'), null);
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard.png'), fullPage: true });
  assert.deepEqual(log.consoleErrors, []);
  assert.deepEqual(log.pageErrors, []);
  await close();
});

test('dark scheme + Indonesian: screenshot; controls are reachable with the keyboard', async () => {
  const ctx = await browser.newContext({ colorScheme: 'dark', viewport: { width: 1400, height: 1000 } });
  const { page, log, close } = await open(`${BASE}?lang=id&range=30`, { context: ctx });
  const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  assert.notEqual(bg, 'rgb(247, 248, 250)', 'dark scheme not applied');
  await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard-dark-id.png') });
  // Tab through the page (plotly's mode bar buttons are stops too): every control gets focus.
  const reached = new Set();
  for (let i = 0; i < 150 && !reached.has('file-input'); i++) {
    await page.keyboard.press('Tab');
    reached.add(await page.evaluate(() => {
      const e = document.activeElement;
      return e ? (e.id || e.getAttribute('name') || e.className || e.tagName) : '';
    }));
  }
  for (const id of ['provider', 'range', 'lang', 'download-csv', 'file-input']) assert.ok(reached.has(id), `${id} not reachable: ${[...reached]}`);
  assert.deepEqual(log.pageErrors, []);
  await close();
  await ctx.close();
});

test('downloaded CSV (unfiltered) equals `modelpulse facts` byte for byte: demo data', async () => {
  const { page, close } = await open(BASE);
  assert.equal(await downloadCsv(page), factsCsv(DEMO));
  await close();
});

const fixtureDirs = fs.readdirSync(FIXTURES).filter((d) => d !== 'bad' && fs.existsSync(path.join(FIXTURES, d, 'raw_llm_events.parquet')));
for (const name of fixtureDirs) {
  test(`downloaded CSV equals \`modelpulse facts\`: fixture ${name} (?data=)`, async () => {
    const { page, log, close } = await open(`${BASE}?data=fixtures/${name}`);
    assert.equal(await page.evaluate(() => document.documentElement.dataset.state), 'ready', (await page.textContent('body')).slice(0, 500));
    assert.equal(await downloadCsv(page), factsCsv(path.join(FIXTURES, name)));
    assert.deepEqual(log.pageErrors, []);
    await close();
  });
}

test('figure JSON equals `modelpulse charts` (unfiltered en, and filtered id)', async () => {
  const { page, close } = await open(BASE);
  const got = await figures(page);
  for (const id of CHART_IDS) {
    assert.deepEqual(got[id], JSON.parse(fs.readFileSync(path.join(DIST, 'charts', `${id}.json`), 'utf8')), `figure ${id}`);
  }
  await close();
  // Filtered, Indonesian: two providers and a custom range.
  const { rows } = csvRows(factsCsv(DEMO));
  const providers = [...new Set(rows.map((r) => r[1]))].sort().slice(0, 2);
  const dates = [...new Set(rows.map((r) => r[0]))].sort();
  const from = dates[10], to = dates[40];
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'mp-charts-'));
  cli('charts', '--data', DEMO, '--out', out, '--config', path.join(DIST, 'config.json'), '--lang', 'id',
    '--from', from, '--to', to, ...providers.flatMap((p) => ['--provider', p]));
  const q = `?providers=${providers.map(encodeURIComponent).join(',')}&range=custom&from=${from}&to=${to}&lang=id`;
  const f = await open(BASE + q);
  const got2 = await figures(f.page);
  for (const id of CHART_IDS) {
    const want = JSON.parse(fs.readFileSync(path.join(out, `${id}.json`), 'utf8'));
    assert.deepEqual(got2[id], want, `filtered figure ${id}: first difference at ${firstDiff(got2[id], want)}`);
  }
  await f.close();
});

test('filter change updates URL, table and charts without refetch; reload restores filters', async () => {
  const { ctx, page, log, close } = await open(BASE);
  const all = await page.$$eval('input[name=provider]', (els) => els.map((e) => e.value));
  assert.ok(all.length >= 2, `providers: ${all}`);
  const drop = all[0];
  const before = await figures(page);
  const n0 = await draws(page);
  const requests = [];
  page.on('request', (r) => requests.push(r.url()));
  // The worker fetches the data: the server's own log sees its requests (page events may not).
  assert.ok(server.requests.some((p) => p.endsWith('.parquet')), 'the server saw no snapshot request at all');
  const served = server.requests.length;
  await page.click(`input[name=provider][value="${drop}"]`);
  await page.waitForFunction((n) => (window.__modelpulse.draws || 0) > n, n0);
  let url = new URL(page.url());
  assert.equal(url.searchParams.get('providers'), all.slice(1).join(','));
  assert.ok(!(await tableProviders(page)).includes(drop), 'table still shows the removed provider');
  const after = await figures(page);
  assert.notDeepEqual(after['latency-p95'], before['latency-p95']);
  assert.ok(!JSON.stringify(after['latency-p95'].data.map((t) => t.name)).includes(`"${drop}"`));
  // Date range: last 30 days.
  const n1 = await draws(page);
  await page.selectOption('#range', '30');
  await page.waitForFunction((n) => (window.__modelpulse.draws || 0) > n, n1);
  url = new URL(page.url());
  assert.equal(url.searchParams.get('range'), '30');
  const { rows } = csvRows(factsCsv(DEMO));
  const dates = [...new Set(rows.map((r) => r[0]))].sort();
  const keep = new Set(dates.slice(-30));
  const expected = rows.filter((r) => keep.has(r[0]) && r[1] !== drop).length;
  assert.equal((await tableProviders(page)).length, expected);
  assert.deepEqual(requests.filter((u) => u.endsWith('.parquet')), [], 'a filter change refetched data');
  assert.deepEqual(server.requests.slice(served).filter((p) => p.endsWith('.parquet')), [], 'a filter change refetched data (server log)');
  const filterMs = await page.evaluate(() => window.__modelpulse.timings.filter);
  assert.ok(filterMs > 0, `filter timing ${filterMs}`);
  // Reload: the same view.
  const again = await open(page.url(), { context: ctx });
  assert.equal(await again.page.isChecked(`input[name=provider][value="${drop}"]`), false);
  assert.equal(await again.page.isChecked(`input[name=provider][value="${all[1]}"]`), true);
  assert.equal(await again.page.inputValue('#range'), '30');
  assert.equal((await tableProviders(again.page)).length, expected);
  assert.deepEqual(await figures(again.page), await figures(page));
  assert.deepEqual(log.consoleErrors, []);
  await close();
});

test('switching to Indonesian changes the UI text, the URL and sticks (localStorage)', async () => {
  const { ctx, page, close } = await open(BASE);
  assert.equal(await page.textContent('#facts-title'), 'Daily facts');
  const n0 = await draws(page);
  await page.selectOption('#lang', 'id');
  await page.waitForFunction((n) => (window.__modelpulse.draws || 0) > n, n0);
  assert.equal(await page.textContent('#facts-title'), 'Fakta harian');
  assert.equal(await page.textContent('#download-csv'), 'Unduh CSV');
  assert.equal(await page.getAttribute('html', 'lang'), 'id');
  assert.equal(new URL(page.url()).searchParams.get('lang'), 'id');
  const title = JSON.parse(await page.evaluate(() => JSON.stringify(window.__modelpulse.figures['line-chart'])));
  assert.match(title, /Akurasi/);
  // A new page without ?lang= in the same profile keeps Indonesian.
  const again = await open(BASE, { context: ctx });
  assert.equal(await again.page.textContent('#facts-title'), 'Fakta harian');
  await close();
});

test('a view with no rows shows the empty state (and still draws the charts)', async () => {
  const { page, log, close } = await open(`${BASE}?range=custom&from=2000-01-01&to=2000-01-31`);
  assert.equal(await page.evaluate(() => document.documentElement.dataset.state), 'ready');
  assert.ok(await page.$('#empty'), 'no empty state');
  assert.equal((await tableProviders(page)).length, 0);
  assert.ok(await page.$('figure#line-chart .main-svg'));
  assert.deepEqual(log.pageErrors, []);
  await close();
});

for (const bad of fs.readdirSync(path.join(FIXTURES, 'bad')).filter((f) => f.endsWith('.parquet'))) {
  const stem = bad.replace(/\.parquet$/, '');
  test(`bad file ${bad} served as raw_llm_events.parquet: error panel names it, no uncaught exception`, async () => {
    const { page, log, close } = await open(`${BASE}?data=testdata/bad/${stem}`);
    const state = await page.evaluate(() => document.documentElement.dataset.state);
    if (stem === 'zero-rows') {
      // A valid file with no rows: an empty but valid result, not an error.
      assert.equal(state, 'ready');
      assert.equal(await page.$('#errors'), null);
    } else {
      assert.equal(state, 'error');
      const text = await page.textContent('#errors');
      assert.match(text, /raw_llm_events\.parquet: /);
      // Whatever did load stays usable: the charts are drawn (from the other two files).
      assert.ok(await page.$('figure#conversion-uplift .main-svg'));
    }
    assert.deepEqual(log.pageErrors, []);
    await close();
  });
}

test('only the LLM file present: the missing files are named with their HTTP status', async () => {
  const { page, log, close } = await open(`${BASE}?data=testdata/missing`);
  assert.equal(await page.evaluate(() => document.documentElement.dataset.state), 'error');
  const text = await page.textContent('#errors');
  assert.match(text, /raw_support_events\.parquet: HTTP error 404/);
  assert.match(text, /raw_conversion_events\.parquet: HTTP error 404/);
  assert.ok((await tableProviders(page)).length > 0, 'the LLM file did not stay usable');
  assert.deepEqual(log.pageErrors, []);
  await close();
});

test('another origin without CORS: the error says CORS', async () => {
  const { page, close } = await open(`${BASE}?data=${encodeURIComponent(noCors.origin + '/testdata/missing')}`);
  assert.equal(await page.evaluate(() => document.documentElement.dataset.state), 'error');
  assert.match(await page.textContent('#errors'), /raw_llm_events\.parquet: .*CORS/);
  await close();
});

test('a provider named <img src=x onerror=alert(1)> renders as text', async () => {
  const evil = '<img src=x onerror=alert(1)>';
  const { page, log, close } = await open(`${BASE}?data=testdata/xss`);
  assert.equal(await page.evaluate(() => document.documentElement.dataset.state), 'ready');
  const labels = await page.$$eval('label.provider span', (els) => els.map((e) => e.textContent));
  assert.ok(labels.includes(evil), `labels: ${labels}`);
  assert.ok((await tableProviders(page)).includes(evil));
  assert.equal(await page.$$eval('img', (imgs) => imgs.filter((i) => i.getAttribute('src') === 'x').length), 0);
  // Plotly draws legend text from the (escaped) trace names: the text shows the name.
  const legend = await page.$$eval('figure#latency-p95 .legendtext', (els) => els.map((e) => e.textContent));
  assert.ok(legend.includes(evil), `legend: ${legend}`);
  await page.waitForTimeout(300);
  assert.deepEqual(log.dialogs, []);
  assert.deepEqual(log.pageErrors, []);
  await close();
});

test('choosing local files (file input) recomputes from them, nothing fetched', async () => {
  const { page, close } = await open(BASE);
  const fx = path.join(FIXTURES, fixtureDirs[0]);
  const n0 = await draws(page);
  const requests = [];
  page.on('request', (r) => requests.push(r.url()));
  const served = server.requests.length;
  await page.setInputFiles('#file-input', ['raw_llm_events.parquet', 'raw_support_events.parquet', 'raw_conversion_events.parquet'].map((f) => path.join(fx, f)));
  await page.waitForFunction((n) => (window.__modelpulse.draws || 0) > n, n0);
  assert.equal(await downloadCsv(page), factsCsv(fx));
  assert.deepEqual(requests.filter((u) => !u.startsWith('blob:')), []);
  assert.deepEqual(server.requests.slice(served), [], 'local files: the page or its worker fetched something');
  await close();
});

// Alerts banner and Summary panel ---------------------------------------------------------------
/** Days (sorted) on which `provider`'s p95 is over `budget` in the demo data, from `modelpulse facts`. */
function breachDays(provider, budget) {
  const { header, rows } = csvRows(factsCsv(DEMO));
  const col = header.split(',').indexOf('latency_p95_ms');
  return rows.filter((r) => r[1] === provider && Number(r[col]) > budget).map((r) => r[0]).sort();
}
const textOf = (page, sel) => page.$eval(sel, (e) => e.textContent).catch(() => null);

test('alerts banner: the demo\'s Google latency incident is listed in the default view', async () => {
  // alerts.toml (shipped beside the page): latency_p95_budget, p95 > 1200 for 2 days.
  const days = breachDays('Google', 1200);
  assert.ok(days.length >= 2, `no Google latency incident in the demo data: ${days}`);
  const { page, log, close } = await open(BASE);
  assert.equal(await page.evaluate(() => document.documentElement.dataset.state), 'ready');
  await page.waitForSelector('#alerts-incidents');
  const items = await page.$$eval('#alerts-incidents li', (els) => els.map((e) => e.textContent));
  const google = items.filter((t) => t.includes('latency_p95_budget') && t.includes('Google'));
  assert.equal(google.length, 1, `incidents: ${JSON.stringify(items)}`);
  // The incident resolved before the data's end: not in the firing list.
  const firing = await textOf(page, '#alerts-firing');
  assert.ok(!firing || !/latency_p95_budget · Google/.test(firing), `firing: ${firing}`);
  assert.equal(await page.$('#alerts-notice'), null);
  assert.deepEqual(log.consoleErrors, []);
  assert.deepEqual(log.pageErrors, []);
  await close();
});

test('a custom range ending on an incident day lists the rule as firing (role=alert)', async () => {
  const days = breachDays('Google', 1200);
  const to = days[1]; // the second consecutive day over budget: for_days = 2 fires here
  const { page, log, close } = await open(`${BASE}?range=custom&from=2026-11-01&to=${to}`);
  await page.waitForSelector('#alerts-firing');
  const firing = await page.$$eval('#alerts-firing li', (els) => els.map((e) => e.textContent));
  const g = firing.find((t) => t.startsWith('latency_p95_budget · Google: latency_p95_ms '));
  assert.ok(g, `firing: ${JSON.stringify(firing)}`);
  assert.match(g, /> 1,200 ms, since /);
  assert.equal(await page.getAttribute('#alerts', 'role'), 'alert');
  // The day before the first breach: nothing from this rule fires.
  const before = new Date(Date.parse(days[0]) - 86400000).toISOString().slice(0, 10);
  const b = await open(`${BASE}?range=custom&from=2026-11-01&to=${before}`);
  const f2 = await textOf(b.page, '#alerts-firing');
  assert.ok(!f2 || !f2.includes('latency_p95_budget · Google'), `firing before the incident: ${f2}`);
  await b.close();
  assert.deepEqual(log.consoleErrors, []);
  await close();
});

test('Summary panel: text changes with the language and the provider filter', async () => {
  const { page, log, close } = await open(BASE);
  await page.waitForSelector('#summary-text p');
  const en = await page.textContent('#summary-text');
  assert.ok(en.length > 40, `summary: ${en}`);
  assert.equal(await page.$$eval('#summary-text *', (els) => els.filter((e) => e.tagName !== 'P').length), 0, 'summary has markup besides paragraphs');
  await page.selectOption('#lang', 'id');
  await page.waitForFunction((t) => document.querySelector('#summary-text').textContent !== t, en);
  const id = await page.textContent('#summary-text');
  assert.equal(await page.textContent('#summary-title'), 'Ringkasan');
  const all = await page.$$eval('input[name=provider]', (els) => els.map((e) => e.value));
  await page.click(`input[name=provider][value="${all[0]}"]`);
  await page.waitForFunction((t) => document.querySelector('#summary-text').textContent !== t, id);
  const id2 = await page.textContent('#summary-text');
  assert.notEqual(id2, id);
  assert.deepEqual(log.consoleErrors, []);
  await close();
});

test('a bad alerts.toml gives a notice naming it; the page is still ready; a rules file sets the budget line', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mp-alerts-'));
  const badFile = path.join(dir, 'bad.toml');
  fs.writeFileSync(badFile, '[[rule]]\nname = "lat"\nmetric = "latency_p95_ms"\nop = ">"\nthresold = 1200\n');
  const goodFile = path.join(dir, 'good.toml');
  fs.writeFileSync(goodFile, '[[rule]]\nname = "tight"\nmetric = "latency_p95_ms"\nop = ">"\nthreshold = 900\n');
  // The same dist/, with /alerts.toml replaced (a mount of one file).
  for (const [file, check] of [
    [badFile, async (page) => {
      assert.equal(await page.evaluate(() => document.documentElement.dataset.state), 'ready');
      const notice = await page.textContent('#alerts-notice');
      assert.match(notice, /^alerts\.toml: rule "lat": field "thresold"/);
      assert.equal(await page.$('#alerts'), null);
      assert.equal(await page.$('#errors'), null);
      assert.ok(await page.$('figure#latency-p95 .main-svg'));
    }],
    [path.join(dir, 'missing.toml'), async (page) => {
      assert.equal(await page.evaluate(() => document.documentElement.dataset.state), 'ready');
      assert.match(await page.textContent('#alerts-notice'), /^alerts\.toml: .*404/);
    }],
    [goodFile, async (page) => {
      const fig = await page.evaluate(() => JSON.parse(window.__modelpulse.figures['latency-p95']));
      const ys = (fig.layout.shapes || []).map((s) => s.y0);
      assert.ok(ys.includes(900), `budget line: ${JSON.stringify(fig.layout.shapes)}`);
      assert.match(await page.textContent('#alerts'), /tight/);
    }],
  ]) {
    const srv = await startServer({ '/': DIST, '/alerts.toml': file });
    const { page, log, close } = await open(srv.origin + '/');
    try {
      await check(page);
      assert.deepEqual(log.pageErrors, []);
      if (!file.endsWith('missing.toml')) assert.deepEqual(log.consoleErrors, []);
    } finally {
      await close();
      await srv.close();
    }
  }
});

// The data worker -------------------------------------------------------------------------------
test('the worker cannot start (its wasm or its start script is missing): error panel, not a blank page', async () => {
  const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'mp-empty-'));
  for (const [missing, pattern] of [
    ['/modelpulse-worker_bg.wasm', /modelpulse-worker_bg\.wasm/],
    ['/modelpulse-worker-start.js', /modelpulse-worker-start\.js/],
  ]) {
    // A mount whose path is a folder answers 404 for that file.
    const srv = await startServer({ '/': DIST, [missing]: empty });
    let opened;
    try {
      opened = await open(srv.origin + '/');
    } catch (e) {
      await srv.close();
      throw new Error(`without ${missing}: ${e.message}`);
    }
    const { page, log, close } = opened;
    try {
      assert.equal(await page.evaluate(() => document.documentElement.dataset.state), 'error', missing);
      assert.match(await page.textContent('#errors'), pattern);
      // The page is there: header, filters, drop zone.
      assert.ok(await page.$('header.top h1'));
      assert.ok(await page.$('#file-input'));
      assert.equal(await page.$('.progress'), null, 'the progress bar still shows');
      assert.deepEqual(log.pageErrors, []);
    } finally {
      await close();
      await srv.close();
    }
  }
});

// Issue 6: the main thread stays responsive while 1M events load (run.sh makes BIG).
test('Long Tasks: no main-thread task over 50 ms while 1M events load; progress moves', async () => {
  const big = process.env.BIG;
  if (!big) throw new Error('BIG (a 1M-event snapshot folder) is not set');
  const srv = await startServer({ '/': DIST, '/big': path.resolve(big) });
  const ctx = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
  await ctx.addInitScript(() => {
    // Every long task from the start of the document (buffered), and every value the progress
    // bar shows.
    window.__longtasks = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) window.__longtasks.push({ start: e.startTime, duration: e.duration });
    }).observe({ type: 'longtask', buffered: true });
    // Long animation frames say which script ran (for the failure message only).
    window.__loaf = [];
    try {
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) {
          window.__loaf.push({ start: e.startTime, duration: e.duration, blocking: e.blockingDuration,
            scripts: e.scripts.map((x) => `${x.invoker} ${(x.sourceURL || '').split('/').pop()} ${Math.round(x.duration)} ms`) });
        }
      }).observe({ type: 'long-animation-frame', buffered: true });
    } catch (e) { /* not supported */ }
    window.__progress = [];
    new MutationObserver(() => {
      const p = document.querySelector('.progress progress');
      if (p) window.__progress.push([Number(p.getAttribute('value')), Number(p.getAttribute('max'))]);
    }).observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ['value', 'max'] });
  });
  const { page, log, close } = await open(`${srv.origin}/?data=big`, { context: ctx });
  try {
    assert.equal(await page.evaluate(() => document.documentElement.dataset.state), 'ready', (await page.textContent('body')).slice(0, 300));
    const rows = await page.evaluate(() => window.__modelpulse.rowsLoaded);
    assert.ok(rows >= 1_000_000, `rows loaded: ${rows}`);
    const r = await page.evaluate(() => {
      const at = (n) => performance.getEntriesByName(n)[0]?.startTime;
      return { start: at('modelpulse:load-start'), end: at('modelpulse:loaded'), tasks: window.__longtasks, progress: window.__progress, loaf: window.__loaf,
        fetch: performance.getEntriesByName('modelpulse:fetch')[0]?.duration, decode: performance.getEntriesByName('modelpulse:decode')[0]?.duration };
    });
    assert.ok(r.start > 0 && r.end > r.start, `load window ${r.start}..${r.end}`);
    // The window: from the page's load request to the worker (`modelpulse:load-start`, after the
    // main wasm started, the UI mounted and config.json was read) to the end of handling the
    // worker's `Loaded` (`modelpulse:loaded`). plotly.js's script evaluation and the main wasm's
    // start happen before it; the first chart drawing after it. A task counts if it overlaps.
    const inWindow = r.tasks.filter((t) => t.start < r.end && t.start + t.duration > r.start);
    const worst = (ts) => ts.reduce((m, t) => Math.max(m, t.duration), 0);
    const moved = new Set(r.progress.map(([v]) => v)).size;
    console.log(`     load window ${r.start.toFixed(0)}–${r.end.toFixed(0)} ms (fetch ${r.fetch?.toFixed(0)} ms, decode ${r.decode?.toFixed(0)} ms in the worker); ` +
      `long tasks in it: ${inWindow.length}, worst ${worst(inWindow).toFixed(0)} ms; worst on the page overall ${worst(r.tasks).toFixed(0)} ms ` +
      `(${r.tasks.length} long tasks); progress values shown: ${moved}; load average ${os.loadavg()[0].toFixed(1)}`);
    const over = inWindow.filter((t) => t.duration > 50);
    const frames = r.loaf.filter((f) => over.some((t) => f.start < t.start + t.duration && f.start + f.duration > t.start));
    assert.deepEqual(over, [], `main-thread tasks over 50 ms while loading (window ${r.start.toFixed(0)}–${r.end.toFixed(0)} ms; ` +
      `long animation frames over them: ${JSON.stringify(frames)}; load average ${os.loadavg().map((x) => x.toFixed(1)).join(' ')})`);
    // The progress bar showed intermediate values (it moved while bytes arrived).
    assert.ok(r.progress.some(([v, max]) => v > 0 && v < max), `progress values: ${JSON.stringify(r.progress.slice(0, 20))}`);
    assert.deepEqual(log.pageErrors, []);
  } finally {
    await close();
    await ctx.close();
    await srv.close();
  }
});

// Issue 3: the worker starts the first load at boot (src/worker/boot.rs), so the data does not
// wait for plotly.js and the page's wasm; the page's own request attaches to it.
test("boot: the worker loads the data before the page's wasm runs; nothing is fetched twice", async () => {
  // The page's wasm arrives 2 s late: the data must be in the worker by then. (Trunk's hash is
  // a u64 in hex without leading zeros: 1–16 digits.)
  const srv = await startServer({ '/': DIST }, { delays: [[/^\/modelpulse-[0-9a-f]{1,16}_bg\.wasm$/, 2000]] });
  const ctx = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
  const page = await ctx.newPage();
  const pageErrors = [];
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  let worker = null;
  page.on('worker', (w) => { if (w.url().includes('modelpulse-worker-start.js')) worker = w; });
  try {
    await page.goto(srv.origin + '/');
    assert.equal(await waitSettled(page), 'ready', (await page.textContent('body')).slice(0, 300));
    assert.ok(worker, 'no data worker');
    const w = await worker.evaluate(() => ({ origin: performance.timeOrigin,
      res: performance.getEntriesByType('resource').map((r) => ({ name: new URL(r.name).pathname, start: r.startTime, end: r.responseEnd })) }));
    const p = await page.evaluate(() => ({ origin: performance.timeOrigin,
      uiStart: performance.getEntriesByName('modelpulse:ui-start')[0]?.startTime,
      loadStart: performance.getEntriesByName('modelpulse:load-start')[0]?.startTime }));
    const llm = w.res.find((r) => r.name === '/data/raw_llm_events.parquet');
    assert.ok(llm, `the worker did not fetch the LLM file: ${JSON.stringify(w.res.map((r) => r.name))}`);
    const llmEnd = llm.end + w.origin - p.origin;
    assert.ok(p.uiStart > 0 && llmEnd < p.uiStart, `LLM file fetched by ${llmEnd.toFixed(0)} ms, page's wasm started at ${p.uiStart?.toFixed(0)} ms`);
    assert.ok(p.loadStart >= p.uiStart, 'the page asked for the load');
    // Each file once: config.json (read by the worker for both), the snapshots, the rules.
    for (const f of ['/config.json', '/data/raw_llm_events.parquet', '/data/raw_support_events.parquet', '/data/raw_conversion_events.parquet', '/alerts.toml']) {
      assert.equal(srv.requests.filter((r) => r === f).length, 1, `${f} requested ${srv.requests.filter((r) => r === f).length} times`);
    }
    assert.equal(await page.evaluate(() => window.__modelpulse.rowsLoaded) > 0, true);
    assert.deepEqual(pageErrors, []);
  } finally {
    await ctx.close();
    await srv.close();
  }
});

// Issue 3: a filter change costs plotly.js only the charts in view (src/ui/charts.rs).
test('a filter change redraws the charts in view; one out of view is redrawn when scrolled to', async () => {
  const ctx = await browser.newContext({ viewport: { width: 1400, height: 600 } });
  const { page, log, close } = await open(BASE, { context: ctx });
  try {
    assert.equal(await page.evaluate(() => document.documentElement.dataset.state), 'ready');
    // Every chart has its plot after the first draw, in view or not.
    for (const id of CHART_IDS) assert.ok(await page.$(`figure#${id} .main-svg`), `chart ${id} not drawn`);
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.waitForTimeout(200);
    // Which charts are in (or within 200 px of) the viewport now; record each Plotly.react.
    const near = await page.$$eval('figure.chart .plot', (ds) => ds.filter((d) => {
      const r = d.getBoundingClientRect(); return r.bottom > -200 && r.top < innerHeight + 200;
    }).map((d) => d.closest('figure').id));
    const out = CHART_IDS.filter((id) => !near.includes(id));
    assert.ok(out.length > 0, `every chart is in view at 1400x600: ${near}`);
    await page.evaluate(() => {
      window.__reacts = [];
      const react = window.Plotly.react;
      window.Plotly.react = function (gd, ...rest) { window.__reacts.push(gd.closest('figure').id); return react.call(this, gd, ...rest); };
    });
    const n = await draws(page);
    await page.$eval('#range', (e) => { e.value = '30'; e.dispatchEvent(new Event('change', { bubbles: true })); });
    await page.waitForFunction((k) => (window.__modelpulse.draws || 0) > k, n);
    const redrawn = await page.evaluate(() => window.__reacts.slice());
    assert.deepEqual(redrawn.filter((id) => out.includes(id)), [], `charts out of view were redrawn: ${redrawn} (near: ${near})`);
    // The last chart's new figure waits; scrolled into view, it is drawn with it.
    const last = out.at(-1);
    const want = await page.evaluate((id) => JSON.parse(window.__modelpulse.figures[id]).data.map((t) => t.x.length), last);
    await page.$eval(`figure#${last}`, (f) => f.scrollIntoView());
    await page.waitForFunction((id) => window.__reacts.includes(id), last, { timeout: 10000 });
    await page.waitForFunction(([id, xs]) => {
      const gd = document.querySelector(`figure#${id} .plot`);
      return JSON.stringify((gd.data || []).map((t) => t.x.length)) === JSON.stringify(xs);
    }, [last, want], { timeout: 10000 });
    assert.ok(want.length > 0 && want.every((k) => k > 0 && k <= 30), `the 30-day figure of ${last}: ${want}`);
    assert.deepEqual(log.pageErrors, []);
  } finally {
    await close();
    await ctx.close();
  }
});

test('a config.json the page cannot use is named in the error panel; the defaults still load', async () => {
  const site = fs.mkdtempSync(path.join(os.tmpdir(), 'mp-badcfg-'));
  for (const e of fs.readdirSync(DIST)) if (e !== 'config.json') fs.symlinkSync(path.join(DIST, e), path.join(site, e));
  fs.writeFileSync(path.join(site, 'config.json'), '{"latency_budget_ms": -1}');
  const srv = await startServer({ '/': site });
  try {
    const { page, log, close } = await open(srv.origin + '/');
    try {
      assert.equal(await page.evaluate(() => document.documentElement.dataset.state), 'error');
      assert.match(await page.textContent('#errors'), /config\.json: latency_budget_ms must be a positive number/);
      assert.ok(await page.evaluate(() => window.__modelpulse.rowsLoaded) > 0, 'the default snapshots did not load');
      assert.equal(await page.$$eval('.chart .main-svg', (s) => s.length > 0), true, 'no chart drawn');
      assert.deepEqual(log.pageErrors, []);
    } finally {
      await close();
    }
  } finally {
    await srv.close();
  }
});

// Issue 3: a filter change one step away takes the view the worker answered ahead (no request
// for it after the click) and the plots drawn ahead off screen (no Plotly.react); the plots it
// replaced are kept, so changing back draws nothing either; a zoomed chart is redrawn with
// Plotly.react and keeps its zoom.
test('a filter change one step away is served from the views and plots prepared ahead; back too; a zoom is kept', async () => {
  const ctx = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
  // Every view request the page posts to the worker (ids from 2^40 up are requests ahead).
  await ctx.addInitScript(() => {
    window.__viewPosts = [];
    const post = Worker.prototype.postMessage;
    Worker.prototype.postMessage = function (m, ...rest) {
      const text = m && typeof m.msg === 'string' ? m.msg : '';
      const v = /^\{"View":\{"id":(\d+)/.exec(text);
      if (v) window.__viewPosts.push(Number(v[1]));
      return post.call(this, m, ...rest);
    };
  });
  const { page, log, close } = await open(BASE, { context: ctx });
  try {
    assert.equal(await page.evaluate(() => document.documentElement.dataset.state), 'ready');
    await page.evaluate(() => document.querySelector('.charts').scrollIntoView());
    const providers = await page.$$eval('input[name=provider]', (els) => els.map((e) => e.value));
    // A view drawn with the charts scrolled into view (the plots drawn ahead are those in view
    // when the view is drawn): the last 30 days.
    const n0 = await draws(page);
    await page.$eval('#range', (e) => { e.value = '30'; e.dispatchEvent(new Event('change', { bubbles: true })); });
    await page.waitForFunction((k) => window.__modelpulse.draws > k, n0);
    // Until the views one change away are drawn ahead: the first provider's toggle changes four
    // charts (the conversion chart does not depend on providers).
    await settledAhead(page);
    await page.evaluate(() => {
      window.__reacts = [];
      const react = window.Plotly.react;
      window.Plotly.react = function (gd, ...rest) { window.__reacts.push(gd.closest('figure')?.id); return react.call(this, gd, ...rest); };
    });
    const shownNow = () => page.evaluate((ids) => Object.fromEntries(ids.map((id) => {
      const gd = document.querySelector(`figure#${id} .plot`);
      return [id, JSON.stringify((gd.data || []).map((t) => [t.name, t.x.length, t.y]))];
    })), CHART_IDS);
    const expected = () => page.evaluate((ids) => Object.fromEntries(ids.map((id) => {
      const f = JSON.parse(window.__modelpulse.figures[id]);
      return [id, JSON.stringify(f.data.map((t) => [t.name, t.x.length, t.y]))];
    })), CHART_IDS);
    const change = async (label) => {
      const posted = await page.evaluate(() => window.__viewPosts.length);
      const kept = await page.evaluate(() => window.__modelpulse.keptPlotsShown || 0);
      const n = await draws(page);
      await page.click(`input[name=provider][value="${providers[0]}"]`);
      await page.waitForFunction((k) => window.__modelpulse.draws > k, n);
      const asked = await page.evaluate((k) => window.__viewPosts.slice(k), posted);
      assert.deepEqual(asked.filter((id) => id < 2 ** 40), [], `${label}: the view was asked for after the click`);
      assert.deepEqual(await shownNow(), await expected(), `${label}: a chart does not show its figure`);
      for (const id of CHART_IDS) {
        const label2 = await page.getAttribute(`figure#${id} .plot`, 'aria-label');
        assert.ok(label2 && label2.length > 3, `${label}: chart ${id} has no accessible title`);
      }
      return (await page.evaluate(() => window.__modelpulse.keptPlotsShown || 0)) - kept;
    };
    assert.equal(await change('provider off'), 4, 'plots drawn ahead shown');
    assert.deepEqual(await page.evaluate(() => window.__reacts), [], 'Plotly.react was called');
    assert.equal(await change('provider back on'), 4, 'the plots shown before were not kept');
    assert.deepEqual(await page.evaluate(() => window.__reacts), [], 'Plotly.react was called going back');
    // A zoomed chart is redrawn with Plotly.react, and its zoom stays (uirevision).
    const days = JSON.parse(await page.evaluate(() => window.__modelpulse.figures['latency-p95'])).data[0].x;
    const zoom = [`${days[1]} 00:00`, `${days[3]} 00:00`];
    await page.evaluate((r) => window.Plotly.relayout(document.querySelector('figure#latency-p95 .plot'), { 'xaxis.range': r }), zoom);
    await page.waitForTimeout(300);
    await change('provider off, latency zoomed');
    assert.ok((await page.evaluate(() => window.__reacts)).includes('latency-p95'), 'the zoomed chart was not redrawn with Plotly.react');
    assert.deepEqual(await page.evaluate(() => document.querySelector('figure#latency-p95 .plot').layout.xaxis.range.map(String)), zoom, 'the zoom was lost');
    assert.deepEqual(log.pageErrors, []);
    assert.deepEqual(log.consoleErrors, []);
  } finally {
    await close();
    await ctx.close();
  }
});

// Issue 3: the plots drawn ahead are the charts in (or near) view; a chart scrolled into view
// later is drawn ahead then, so the next filter change serves it without Plotly.react too.
test('a chart scrolled into view after its view was drawn is drawn ahead as well', async () => {
  const ctx = await browser.newContext({ viewport: { width: 1400, height: 600 } });
  const { page, log, close } = await open(BASE, { context: ctx });
  try {
    const last = 'conversion-uplift';
    const far = await page.$eval(`figure#${last}`, (f) => f.getBoundingClientRect().top > innerHeight + 200);
    assert.ok(far, `${last} is within reach at the top of the page at 1400x600`);
    await settledAhead(page);
    await page.$eval(`figure#${last}`, (f) => f.scrollIntoView());
    await settledAhead(page);
    await page.evaluate(() => {
      window.__reacts = [];
      const react = window.Plotly.react;
      window.Plotly.react = function (gd, ...rest) { window.__reacts.push(gd.closest('figure')?.id); return react.call(this, gd, ...rest); };
    });
    const n = await draws(page);
    await page.$eval('#range', (e) => { e.value = '7'; e.dispatchEvent(new Event('change', { bubbles: true })); });
    await page.waitForFunction((k) => window.__modelpulse.draws > k, n);
    assert.ok(!(await page.evaluate(() => window.__reacts)).includes(last), `${last} was redrawn with Plotly.react`);
    const [shown, want] = await page.evaluate((id) => [
      document.querySelector(`figure#${id} .plot`).data.map((t) => t.x.length),
      JSON.parse(window.__modelpulse.figures[id]).data.map((t) => t.x.length)], last);
    assert.deepEqual(shown, want);
    assert.ok(want.every((k) => k > 0 && k <= 7), `the 7-day figure: ${want}`);
    assert.deepEqual(log.pageErrors, []);
  } finally {
    await close();
    await ctx.close();
  }
});

// ---------------------------------------------------------------------------------------------
const { passed, failed } = await runTests(tests, { only: ONLY });
await browser.close();
await server.close();
await noCors.close();
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
