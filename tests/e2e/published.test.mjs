// Published facts in the page (issue 3): a config.json that names `dashboard_facts.parquet` /
// `conversion_facts.parquet` (written by `modelpulse facts --format parquet` from the demo data)
// instead of the raw events, `?data=` with those names, dropped facts files, and a bad facts
// file. Checks: the page reaches `ready`, the CSV download equals `modelpulse facts` of the raw
// data byte for byte, the notice shows (EN + ID), the facts files are fetched whole once (no
// Range header, no polling) and no raw file is fetched, no console errors.
// Run by tests/e2e/run.sh after dashboard.test.mjs. Environment: DIST, CLI, DEMO, WORK (as there).
import { launchChromium, openPage, waitSettled } from '../lib/browser.mjs';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import assert from 'node:assert/strict';

const env = (k) => { const v = process.env[k]; if (!v) throw new Error(`${k} is not set`); return path.resolve(v); };
const DIST = env('DIST'), CLI = env('CLI'), DEMO = env('DEMO'), WORK = env('WORK');
const ONLY = process.env.ONLY || '';
const CHART_IDS = ['line-chart', 'latency-p95', 'token-usage', 'revenue-from-ai', 'conversion-uplift'];
const cli = (...args) => execFileSync(CLI, args, { encoding: 'utf8', maxBuffer: 1 << 28, stdio: ['ignore', 'pipe', 'pipe'] });

// The site: dist/ (symlinked) with its own config.json naming the published facts in data/.
const ROOT = path.join(WORK, 'published');
const SITE = path.join(ROOT, 'site');
fs.rmSync(ROOT, { recursive: true, force: true });
fs.mkdirSync(path.join(SITE, 'data'), { recursive: true });
for (const e of fs.readdirSync(DIST)) {
  if (e !== 'config.json' && e !== 'data') fs.symlinkSync(path.join(DIST, e), path.join(SITE, e));
}
const facts = (dir) => {
  fs.mkdirSync(dir, { recursive: true });
  cli('facts', '--data', DEMO, '--format', 'parquet', '--out', path.join(dir, 'dashboard_facts.parquet'));
  cli('facts', '--data', DEMO, '--table', 'conversion_facts', '--format', 'parquet', '--out', path.join(dir, 'conversion_facts.parquet'));
};
facts(path.join(SITE, 'data'));
facts(path.join(SITE, 'other'));
fs.mkdirSync(path.join(SITE, 'bad'));
fs.writeFileSync(path.join(SITE, 'bad', 'dashboard_facts.parquet'), 'not parquet at all');
fs.copyFileSync(path.join(SITE, 'data', 'conversion_facts.parquet'), path.join(SITE, 'bad', 'conversion_facts.parquet'));
const config = JSON.parse(fs.readFileSync(path.join(DIST, 'config.json'), 'utf8'));
config.snapshots = { dashboard_facts: 'data/dashboard_facts.parquet', conversion_facts: 'data/conversion_facts.parquet' };
config.refresh_seconds = 1; // polling would show in the request log
fs.writeFileSync(path.join(SITE, 'config.json'), JSON.stringify(config, null, 2));
// Local copies to drop, under other names that still say which facts they are.
const DROP = path.join(ROOT, 'drop');
fs.mkdirSync(DROP);
fs.copyFileSync(path.join(SITE, 'data', 'dashboard_facts.parquet'), path.join(DROP, 'prod-dashboard_facts-2026.parquet'));
fs.copyFileSync(path.join(SITE, 'data', 'conversion_facts.parquet'), path.join(DROP, 'my_conversion_facts.parquet'));

const EXPECTED = cli('facts', '--data', DEMO);
const CONVERSION_ROWS = cli('facts', '--data', DEMO, '--table', 'conversion_facts').trimEnd().split('\n').length - 1;
const DASHBOARD_ROWS = EXPECTED.trimEnd().split('\n').length - 1;

// A static server that logs each request's path and Range header.
const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.json': 'application/json', '.wasm': 'application/wasm' };
const requests = [];
const server = http.createServer((req, res) => {
  const url = new URL(req.url, 'http://x');
  requests.push({ path: url.pathname, range: req.headers.range || null });
  let p = decodeURIComponent(url.pathname);
  if (p.endsWith('/')) p += 'index.html';
  const file = path.resolve(SITE, p.replace(/^\/+/, ''));
  if (!file.startsWith(SITE)) { res.writeHead(403); res.end(); return; }
  fs.stat(file, (err, st) => {
    if (err || !st.isFile()) { res.writeHead(404, { 'content-type': 'text/plain' }); res.end('not found'); return; }
    res.writeHead(200, { 'content-type': TYPES[path.extname(file)] || 'application/octet-stream', 'content-length': st.size, 'cache-control': 'no-cache' });
    fs.createReadStream(file).pipe(res);
  });
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const BASE = `http://127.0.0.1:${server.address().port}/`;

const browser = await launchChromium();

const open = (url) => openPage(browser, url);
const settled = (page) => waitSettled(page);
const state = (page) => page.evaluate(() => document.documentElement.dataset.state);
async function downloadCsv(page) {
  const [dl] = await Promise.all([page.waitForEvent('download'), page.click('#download-csv')]);
  return fs.readFileSync(await dl.path(), 'utf8');
}
const rowsLoaded = async (page) => Number((await page.textContent('#stats-line')).match(/([\d,.]+) rows loaded/)[1].replace(/[,.]/g, ''));

const tests = [];
const test = (name, fn) => tests.push({ name, fn });

test('published facts from config.json: ready, charts, CSV = `modelpulse facts` of the raw data, notice, fetched whole once, no console errors', async () => {
  requests.length = 0;
  const { page, log, close } = await open(BASE);
  assert.equal(await state(page), 'ready', (await page.textContent('body')).slice(0, 400));
  assert.equal(await page.$('#errors'), null);
  for (const id of CHART_IDS) assert.ok(await page.$(`figure#${id} .main-svg`), `chart ${id} not drawn`);
  assert.match(await page.textContent('#published-notice'), /published facts.*cannot be derived/);
  assert.equal(await downloadCsv(page), EXPECTED);
  assert.equal(await rowsLoaded(page), DASHBOARD_ROWS + CONVERSION_ROWS);
  // Wait past two refresh periods: nothing is polled.
  await page.waitForTimeout(2500);
  const data = requests.filter((r) => r.path.endsWith('.parquet'));
  assert.deepEqual(data.map((r) => r.path).sort(), ['/data/conversion_facts.parquet', '/data/dashboard_facts.parquet']);
  assert.ok(data.every((r) => r.range === null), `range requests: ${JSON.stringify(data)}`);
  assert.deepEqual(log.consoleErrors, []);
  assert.deepEqual(log.pageErrors, []);
  await close();
});

test('published facts: one provider selected is drawn; Indonesian notice', async () => {
  const providers = cli('facts', '--data', DEMO).trimEnd().split('\n').slice(1).map((l) => l.split(',')[1]);
  const one = [...new Set(providers)].sort()[0];
  const { page, log, close } = await open(`${BASE}?lang=id&providers=${encodeURIComponent(one)}&range=30`);
  assert.equal(await state(page), 'ready');
  assert.match(await page.textContent('#published-notice'), /fakta terbitan/);
  const rows = await page.$$eval('#facts-table tbody th[scope=row]', (ths) => ths.map((t) => t.textContent));
  assert.ok(rows.length > 0 && rows.every((r) => r === one), `table rows: ${[...new Set(rows)]}`);
  assert.deepEqual(log.pageErrors, []);
  assert.deepEqual(log.consoleErrors, []);
  await close();
});

test('?data= keeps the configured facts file names', async () => {
  requests.length = 0;
  const { page, log, close } = await open(`${BASE}?data=other`);
  assert.equal(await state(page), 'ready');
  assert.equal(await downloadCsv(page), EXPECTED);
  const data = requests.filter((r) => r.path.endsWith('.parquet')).map((r) => r.path).sort();
  assert.deepEqual(data, ['/other/conversion_facts.parquet', '/other/dashboard_facts.parquet']);
  assert.deepEqual(log.consoleErrors, []);
  await close();
});

test('a bad facts file is named in the error panel; the other file still loads', async () => {
  const { page, close } = await open(`${BASE}?data=bad`);
  assert.equal(await state(page), 'error');
  const errors = await page.textContent('#errors');
  assert.match(errors, /dashboard_facts\.parquet: not a Parquet file/);
  assert.ok(await page.$('figure#conversion-uplift .main-svg'), 'conversion chart not drawn');
  await close();
});

test('dropped facts files load as published facts; raw files dropped next hide the notice', async () => {
  const { page, log, close } = await open(BASE);
  const before = await page.evaluate(() => window.__modelpulse.draws || 0);
  await page.setInputFiles('#file-input', [path.join(DROP, 'prod-dashboard_facts-2026.parquet'), path.join(DROP, 'my_conversion_facts.parquet')]);
  await page.waitForFunction((n) => (window.__modelpulse.draws || 0) > n && document.documentElement.dataset.state === 'ready', before, { timeout: 60000 });
  assert.match(await page.textContent('.stats .source'), /my_conversion_facts\.parquet/);
  assert.ok(await page.$('#published-notice'));
  assert.equal(await downloadCsv(page), EXPECTED);
  const again = await page.evaluate(() => window.__modelpulse.draws || 0);
  await page.setInputFiles('#file-input', ['raw_llm_events', 'raw_support_events', 'raw_conversion_events'].map((t) => path.join(DEMO, `${t}.parquet`)));
  await page.waitForFunction((n) => (window.__modelpulse.draws || 0) > n && document.documentElement.dataset.state === 'ready', again, { timeout: 60000 });
  assert.equal(await page.$('#published-notice'), null);
  assert.equal(await downloadCsv(page), EXPECTED);
  assert.deepEqual(log.consoleErrors, []);
  assert.deepEqual(log.pageErrors, []);
  await close();
});

let passed = 0, failed = 0;
for (const { name, fn } of tests) {
  if (ONLY && !name.includes(ONLY)) continue;
  try {
    await fn();
    console.log(`ok   ${name}`);
    passed++;
  } catch (e) {
    console.log(`FAIL ${name}\n     ${String(e.stack || e).split('\n').slice(0, 6).join('\n     ')}`);
    failed++;
  }
}
await browser.close();
server.close();
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
