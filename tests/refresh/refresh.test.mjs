// The page's incremental refresh (issue 6) in Debian's Chromium via playwright-core, against a
// server the test controls (tests/refresh/server.mjs: ETag/Last-Modified, 304, per-path counts,
// injected failures). Run by tests/refresh/run.sh, which builds dist/, the CLI and the data.
// Environment:
//   DIST   the built page (dist/)
//   CLI    the modelpulse binary (writes manifests, computes the expected facts)
//   WORK   a scratch folder with stage/ and stage2/ (`modelpulse generate --partition daily`,
//          two seeds: the second gives "rewritten" content for the same paths) and old/ (data
//          that ended weeks ago, for the stale warning)
//
// One page lives through the scenario (the steps depend on each other): it starts on a manifest
// of 5 day-parts per table, refreshing every second; the test appends, rewrites, duplicates,
// breaks the server in four ways and heals it, pauses and resumes — checking after each step
// what the page shows against `modelpulse facts --data <served folder>`, and what it fetched
// against the server's log.
import { launchChromium, openPage, runTests } from '../lib/browser.mjs';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import assert from 'node:assert/strict';
import { startServer } from './server.mjs';

const env = (k) => { const v = process.env[k]; if (!v) throw new Error(`${k} is not set`); return path.resolve(v); };
const DIST = env('DIST'), CLI = env('CLI'), WORK = env('WORK');
const STAGE = path.join(WORK, 'stage'), STAGE2 = path.join(WORK, 'stage2'), OLD = path.join(WORK, 'old');
const SINGLE = path.join(WORK, 'single'), SINGLE2 = path.join(WORK, 'single2');
const SERVED = path.join(WORK, 'served');
const WAIT_MS = 20000; // generous: the machine is shared; the figure printed is what it took

const cli = (...args) => execFileSync(CLI, args, { encoding: 'utf8', maxBuffer: 1 << 28, stdio: ['ignore', 'pipe', 'pipe'] });
const factsCsv = () => cli('facts', '--data', SERVED);

/** Every parquet file under `dir`, as paths relative to it with `/` separators, sorted. */
function partsOf(dir) {
  const out = [];
  const walk = (d) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.parquet')) out.push(path.relative(dir, p).split(path.sep).join('/'));
    }
  };
  walk(dir);
  return out.sort();
}
const dayOf = (rel) => rel.match(/dt=(\d{4}-\d\d-\d\d)/)[1];
/** Writes `bytes` to SERVED/rel atomically (temporary file + rename), as a pipeline would. */
function put(rel, bytes) {
  const dst = path.join(SERVED, rel);
  fs.mkdirSync(path.dirname(dst), { recursive: true });
  const tmp = path.join(path.dirname(dst), `.tmp-${process.pid}-${path.basename(dst)}`);
  fs.writeFileSync(tmp, bytes);
  fs.renameSync(tmp, dst);
}
const copyFrom = (dir, rel, as = rel) => put(as, fs.readFileSync(path.join(dir, rel)));
const publish = () => cli('manifest', SERVED);
const ALL = partsOf(STAGE);
const DAYS = [...new Set(ALL.map(dayOf))].sort();
const served = (rel) => `/data/${rel}`;

fs.rmSync(SERVED, { recursive: true, force: true });
fs.mkdirSync(SERVED, { recursive: true });
for (const rel of ALL.filter((r) => dayOf(r) <= DAYS[4])) copyFrom(STAGE, rel);
publish();

const config = (extra) => JSON.stringify({ manifest: 'data/manifest.json', refresh_seconds: 1, stale_after_seconds: 0, alerts: null, ...extra });
const server = await startServer({
  mounts: { '/': DIST, '/data': SERVED, '/old': OLD, '/single': SINGLE, '/ranged': SINGLE },
  overrides: { '/config.json': config({}) },
  rangePrefixes: ['/ranged/'],
  noStorePrefixes: ['/ranged/'],
});
const BASE = server.origin + '/';

const browser = await launchChromium();

const open = (url) => openPage(browser, url);

async function downloadCsv(page) {
  const [dl] = await Promise.all([page.waitForEvent('download'), page.click('#download-csv')]);
  return fs.readFileSync(await dl.path(), 'utf8');
}
const tableRows = (page) => page.$$eval('#facts-table tbody tr', (trs) => trs.map((tr) => tr.textContent));
const warnings = (page) => page.$$eval('#refresh-warnings li', (lis) => lis.map((l) => l.textContent));
const statusText = (page) => page.textContent('#refresh-status');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Waits until the page's CSV equals `modelpulse facts` over the served folder; returns ms taken. */
async function untilCsvEqualsFacts(page, what) {
  const want = factsCsv();
  const t0 = Date.now();
  let got = '';
  while (Date.now() - t0 < WAIT_MS) {
    got = await downloadCsv(page);
    if (got === want) return Date.now() - t0;
    await sleep(300);
  }
  assert.equal(got, want, `${what}: the page's CSV did not become \`modelpulse facts\` within ${WAIT_MS} ms`);
}

async function untilWarning(page, re) {
  const t0 = Date.now();
  let w = [];
  while (Date.now() - t0 < WAIT_MS) {
    w = await warnings(page);
    if (w.some((x) => re.test(x))) return w;
    await sleep(150);
  }
  assert.fail(`no warning matching ${re} within ${WAIT_MS} ms; warnings: ${JSON.stringify(w)}`);
}

async function untilNoWarning(page) {
  const t0 = Date.now();
  while (Date.now() - t0 < WAIT_MS * 2) {
    if ((await warnings(page)).length === 0) return Date.now() - t0;
    await sleep(200);
  }
  assert.fail(`the warning did not clear: ${JSON.stringify(await warnings(page))}`);
}

/** What is on screen: the table rows and the CSV. */
async function snapshot(page) {
  return { rows: await tableRows(page), csv: await downloadCsv(page) };
}

/** 200 responses (bodies sent) for `p` so far. */
const bodies = (p) => server.log.filter((e) => e.path === p && e.status === 200).length;

const tests = [];
const test = (name, fn) => tests.push({ name, fn });
let P; // the page under test

test('initial load from a manifest: CSV equals `modelpulse facts`, status "updated N s ago", no console errors', async () => {
  P = await open(BASE);
  const { page, log } = P;
  assert.equal(await page.evaluate(() => document.documentElement.dataset.state), 'ready', await page.textContent('body'));
  assert.equal(await downloadCsv(page), factsCsv());
  await page.waitForSelector('#refresh-status');
  await page.waitForFunction(() => /updated \d+ s ago/.test(document.querySelector('#refresh-status')?.textContent || ''), null, { timeout: WAIT_MS });
  assert.equal(await page.textContent('#refresh-pause'), 'Pause updates');
  assert.deepEqual(await warnings(page), []);
  assert.equal(await page.$('#errors'), null);
  // Every part fetched once.
  for (const rel of partsOf(SERVED)) assert.equal(bodies(served(rel)), 1, `${rel} fetched ${bodies(served(rel))} times`);
  assert.deepEqual(log.consoleErrors, []);
  assert.deepEqual(log.pageErrors, []);
});

test('an unchanged manifest is revalidated: 304, no body, nothing else fetched', async () => {
  const before = server.log.length;
  await sleep(3500);
  const polls = server.log.slice(before).filter((e) => e.path.startsWith('/data/'));
  assert.ok(polls.length >= 2, `polls in 3.5 s at 1 s: ${JSON.stringify(polls)}`);
  for (const e of polls) {
    assert.equal(e.path, '/data/manifest.json', `fetched ${e.path} though nothing changed`);
    assert.deepEqual([e.status, e.bytes, e.conditional], [304, 0, true], JSON.stringify(e));
  }
  assert.deepEqual(P.log.consoleErrors, []);
});

test('append a day: the page equals `modelpulse facts` over all parts; only the new parts fetched', async () => {
  const { page } = P;
  const added = ALL.filter((r) => dayOf(r) === DAYS[5]);
  for (const rel of added) copyFrom(STAGE, rel);
  publish();
  const ms = await untilCsvEqualsFacts(page, 'append');
  console.log(`     (appended ${added.length} parts; the page showed them after ${ms} ms)`);
  for (const rel of partsOf(SERVED)) assert.equal(bodies(served(rel)), 1, `${rel} fetched ${bodies(served(rel))} times`);
  assert.deepEqual(P.log.consoleErrors, []);
  assert.deepEqual(P.log.pageErrors, []);
});

test('a part rewritten with new content, and a part listed twice, are counted once', async () => {
  const { page } = P;
  const rel = ALL.find((r) => r.startsWith('raw_llm_events/') && dayOf(r) === DAYS[2]);
  const old = fs.readFileSync(path.join(SERVED, rel));
  copyFrom(STAGE2, rel); // same path, other rows
  assert.notDeepEqual(fs.readFileSync(path.join(SERVED, rel)), old);
  // The same bytes as another part under a second name (an upload retried under a new name).
  const twin = ALL.find((r) => r.startsWith('raw_conversion_events/') && dayOf(r) === DAYS[1]);
  const twinCopy = twin.replace(/part-0\.parquet$/, 'part-7.parquet');
  copyFrom(SERVED, twin, twinCopy);
  publish();
  // `modelpulse manifest` writes each content once; a pipeline of another kind may list it twice:
  // add the second listing by hand (the reader — page and CLI — must keep one).
  const mpath = path.join(SERVED, 'manifest.json');
  const m = JSON.parse(fs.readFileSync(mpath, 'utf8'));
  const parts = m.tables.raw_conversion_events.parts;
  if (!parts.some((p) => p.path === twinCopy)) parts.push({ ...parts.find((p) => p.path === twin), path: twinCopy });
  put('manifest.json', JSON.stringify(m, null, 2));
  await untilCsvEqualsFacts(page, 'rewrite');
  assert.equal(bodies(served(rel)), 2, 'the rewritten part is fetched again, once');
  assert.equal(bodies(served(twinCopy)), 0, 'a second listing of the same bytes is not fetched');
  for (const r of partsOf(SERVED).filter((r) => r !== rel && r !== twinCopy)) assert.equal(bodies(served(r)), 1, r);
});

test('a refresh keeps the provider filter and the user\'s zoom (Plotly.react with uirevision)', async () => {
  const { page } = P;
  const providers = await page.$$eval('input[name=provider]', (els) => els.map((e) => e.value));
  const drop = providers[0];
  let n = await page.evaluate(() => window.__modelpulse.draws || 0);
  await page.click(`input[name=provider][value="${drop}"]`);
  await page.waitForFunction((n) => (window.__modelpulse.draws || 0) > n, n);
  const plot = 'figure#latency-p95 .plot';
  const zoom = [`${DAYS[1]} 00:00`, `${DAYS[3]} 00:00`];
  await page.evaluate(([sel, r]) => window.Plotly.relayout(document.querySelector(sel), { 'xaxis.range': r }), [plot, zoom]);
  const rangeOf = () => page.evaluate((sel) => document.querySelector(sel).layout.xaxis.range.map(String), plot);
  assert.deepEqual(await rangeOf(), zoom);
  // New data: the latency chart's figure changes (another day's LLM rows), so it is redrawn.
  n = await page.evaluate(() => window.__modelpulse.draws || 0);
  const rel = ALL.find((r) => r.startsWith('raw_llm_events/') && dayOf(r) === DAYS[3]);
  copyFrom(STAGE2, rel);
  publish();
  await page.waitForFunction((n) => (window.__modelpulse.draws || 0) > n, n, { timeout: WAIT_MS });
  assert.equal(new URL(page.url()).searchParams.get('providers'), providers.slice(1).join(','));
  assert.equal(await page.isChecked(`input[name=provider][value="${drop}"]`), false);
  const shown = await page.$$eval('#facts-table tbody th[scope=row]', (ths) => ths.map((t) => t.textContent));
  assert.ok(shown.length > 0 && !shown.includes(drop), `table providers after the refresh: ${[...new Set(shown)]}`);
  assert.deepEqual(await rangeOf(), zoom, 'the zoom was reset by the refresh');
  // Back to all providers for the next steps (their CSV is compared unfiltered).
  n = await page.evaluate(() => window.__modelpulse.draws || 0);
  await page.click(`input[name=provider][value="${drop}"]`);
  await page.waitForFunction((n) => (window.__modelpulse.draws || 0) > n, n);
  await untilCsvEqualsFacts(page, 'after the filtered refresh');
});

test('Pause stops polling (no request while paused); Resume (keyboard) polls again', async () => {
  const { page } = P;
  await page.click('#refresh-pause');
  await page.waitForFunction(() => document.querySelector('#refresh-pause').textContent === 'Resume updates');
  assert.equal(await page.getAttribute('#refresh-pause', 'aria-pressed'), 'true');
  assert.match(await statusText(page), /updates paused/);
  await sleep(300); // a poll already in flight may finish
  const before = server.log.filter((e) => e.path.startsWith('/data/')).length;
  // Something to fetch, so a poll would show.
  for (const rel of ALL.filter((r) => dayOf(r) === DAYS[6])) copyFrom(STAGE, rel);
  publish();
  await sleep(3500);
  const during = server.log.filter((e) => e.path.startsWith('/data/')).slice(before);
  assert.deepEqual(during, [], 'requests while paused');
  await page.focus('#refresh-pause');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.querySelector('#refresh-pause').textContent === 'Pause updates');
  await untilCsvEqualsFacts(page, 'resume');
  assert.ok(!/updates paused/.test(await statusText(page)));
});

/** A failure mode: the warning names what failed, the screen keeps the last good data, the
 *  error panel stays closed, and once the server is healthy the warning goes and data flows. */
async function failAndRecover(mode, warningRe, { change, heal = () => server.setMode('ok') } = {}) {
  const { page } = P;
  const before = await snapshot(page);
  server.setMode(mode);
  if (change) change();
  const w = await untilWarning(page, warningRe);
  assert.ok(w.some((x) => x.startsWith('refresh failed: ')), JSON.stringify(w));
  assert.ok(w.some((x) => /; retrying in \d+ s$/.test(x)), JSON.stringify(w));
  await sleep(1200); // another (backed-off) attempt may run; still nothing changes
  assert.deepEqual(await snapshot(page), before, 'the data on screen changed during the failure');
  assert.equal(await page.$('#errors'), null, 'a failed poll opened the error panel');
  assert.equal(await page.evaluate(() => document.documentElement.dataset.state), 'ready');
  heal();
  const ms = await untilNoWarning(page);
  console.log(`     (recovered ${ms} ms after the server was healthy again)`);
  await untilCsvEqualsFacts(page, `after ${mode}`);
}

test('HTTP 500 on the manifest: warning names manifest.json, last good data kept, recovery', async () => {
  await failAndRecover('500', /^refresh failed: manifest\.json: HTTP 500/);
});

test('dropped connection: warning names manifest.json (network error), last good data kept, recovery', async () => {
  await failAndRecover('drop', /^refresh failed: manifest\.json: network error/);
});

test('a corrupt part: warning names the part (sha256 mismatch), last good data kept, recovery fetches only it', async () => {
  const added = ALL.filter((r) => dayOf(r) === DAYS[7]);
  const bad = added.find((r) => r.startsWith('raw_llm_events/'));
  await failAndRecover(`corrupt:${served(bad)}`, new RegExp(`^refresh failed: ${bad.replace(/[.]/g, '\\.')}: sha256 `), {
    change: () => { for (const rel of added) copyFrom(STAGE, rel); publish(); },
  });
  for (const r of added.filter((r) => r !== bad)) assert.equal(bodies(served(r)), 1, `${r} refetched after the failure`);
  assert.ok(bodies(served(bad)) >= 2, 'the corrupt part was fetched again after recovery');
});

test('an unparsable manifest: warning names manifest.json, last good data kept, recovery with new parts', async () => {
  const rest = ALL.filter((r) => dayOf(r) > DAYS[7]);
  await failAndRecover('ok', /^refresh failed: manifest\.json: not valid JSON/, {
    change: () => put('manifest.json', '{"version": 1, "tables": '),
    // Healed by the pipeline: a valid manifest again, with more parts.
    heal: () => { for (const rel of rest) copyFrom(STAGE, rel); publish(); },
  });
  assert.ok(rest.length > 0);
  assert.deepEqual(P.log.pageErrors, []);
});

test('local files replace the data: polling stops and the status line goes', async () => {
  const { page } = P;
  const files = ['raw_llm_events', 'raw_support_events', 'raw_conversion_events'].map((t) => path.join(SINGLE, `${t}.parquet`));
  const want = cli('facts', '--data', SINGLE);
  await page.setInputFiles('#file-input', files);
  await page.waitForSelector('#refresh', { state: 'detached', timeout: WAIT_MS });
  assert.equal(await downloadCsv(page), want);
  await sleep(300);
  const before = server.log.length;
  await sleep(2500);
  assert.deepEqual(server.log.slice(before).filter((e) => e.path.startsWith('/data/')), [], 'still polling after local files');
  assert.equal(await downloadCsv(page), want);
});

test('single files: polls revalidate (304, no body); a replaced file is decoded and shown', async () => {
  const tables = ['raw_llm_events', 'raw_support_events', 'raw_conversion_events'];
  server.setOverride('/config.json', config({
    manifest: null,
    snapshots: Object.fromEntries(tables.map((t) => [t, `single/${t}.parquet`])),
  }));
  const { page, log, ctx } = await open(BASE);
  try {
    assert.equal(await page.evaluate(() => document.documentElement.dataset.state), 'ready');
    assert.equal(await downloadCsv(page), cli('facts', '--data', SINGLE));
    await page.waitForSelector('#refresh-status');
    const before = server.log.length;
    await sleep(3500);
    const polls = server.log.slice(before).filter((e) => e.path.startsWith('/single/'));
    assert.ok(polls.length >= 6, `polls of 3 files in 3.5 s at 1 s: ${JSON.stringify(polls)}`);
    for (const e of polls) assert.deepEqual([e.status, e.bytes, e.conditional], [304, 0, true], JSON.stringify(e));
    // The pipeline replaces the LLM file (atomically): the page shows the new facts.
    const dst = path.join(SINGLE, 'raw_llm_events.parquet');
    fs.writeFileSync(dst + '.tmp', fs.readFileSync(path.join(SINGLE2, 'raw_llm_events.parquet')));
    fs.renameSync(dst + '.tmp', dst);
    const want = cli('facts', '--data', SINGLE);
    const t0 = Date.now();
    let got = '';
    while (Date.now() - t0 < WAIT_MS && got !== want) { await sleep(300); got = await downloadCsv(page); }
    assert.equal(got, want, 'the replaced file was not shown');
    const after = server.log.slice(before).filter((e) => e.status === 200 && e.path.startsWith('/single/'));
    assert.deepEqual([...new Set(after.map((e) => e.path))], ['/single/raw_llm_events.parquet'], 'only the replaced file is transferred');
    assert.deepEqual(log.pageErrors, []);
    assert.deepEqual(log.consoleErrors, []);
  } finally {
    await ctx.close();
  }
});

test('single files (Range support, no-store): the first poll already sends the load\'s validators (304, nothing fetched or decoded twice)', async () => {
  // The page reads each snapshot with a Range request first (src/worker/ranges.rs); these files
  // are small, so the 206 holds them whole. The host sends `Cache-Control: no-store`, so the
  // browser keeps nothing to revalidate: only the load's own ETag/Last-Modified, sent by the
  // worker, can make the first poll a 304 instead of a second download and decode.
  const tables = ['raw_llm_events', 'raw_support_events', 'raw_conversion_events'];
  server.setOverride('/config.json', config({
    manifest: null,
    snapshots: Object.fromEntries(tables.map((t) => [t, `ranged/${t}.parquet`])),
  }));
  const start = server.log.length;
  const { page, log, ctx } = await open(BASE);
  try {
    assert.equal(await page.evaluate(() => document.documentElement.dataset.state), 'ready');
    assert.equal(await downloadCsv(page), cli('facts', '--data', SINGLE));
    await sleep(2500);
    const reqs = server.log.slice(start).filter((e) => e.path.startsWith('/ranged/'));
    for (const t of tables) {
      const mine = reqs.filter((e) => e.path === `/ranged/${t}.parquet`);
      const load = mine.filter((e) => e.range);
      const polls = mine.filter((e) => !e.range);
      assert.ok(load.length >= 1 && load.every((e) => e.status === 206), `${t}: loaded by ranges: ${JSON.stringify(load)}`);
      assert.ok(polls.length >= 1, `${t}: no poll in 2.5 s at 1 s: ${JSON.stringify(mine)}`);
      // Every poll, the first included, is conditional and answered 304 without a body.
      for (const e of polls) assert.deepEqual([e.status, e.bytes, e.conditional], [304, 0, true], `${t}: ${JSON.stringify(e)}`);
      assert.ok(mine.indexOf(polls[0]) > mine.indexOf(load[load.length - 1]), `${t}: ${JSON.stringify(mine)}`);
    }
    assert.deepEqual(log.pageErrors, []);
    assert.deepEqual(log.consoleErrors, []);
  } finally {
    await ctx.close();
  }
});

test('data that ended long ago: stale warning with the newest data\'s time', async () => {
  server.setOverride('/config.json', config({ manifest: 'old/manifest.json', stale_after_seconds: 3600 }));
  const { page, log, ctx } = await open(BASE);
  try {
    assert.equal(await page.evaluate(() => document.documentElement.dataset.state), 'ready');
    const w = await untilWarning(page, /^stale: newest data from \d+ [A-Z][a-z]{2} \d{4} \d\d:\d\d UTC$/);
    const m = JSON.parse(fs.readFileSync(path.join(OLD, 'manifest.json'), 'utf8'));
    const maxDate = Object.values(m.tables).flatMap((t) => t.parts).map((p) => p.max_date).filter(Boolean).sort().pop();
    const end = new Date(Date.parse(maxDate) + 86400000);
    const want = `${end.getUTCDate()} ${end.toLocaleString('en', { month: 'short', timeZone: 'UTC' })} ${end.getUTCFullYear()} 00:00 UTC`;
    assert.ok(w.includes(`stale: newest data from ${want}`), `${JSON.stringify(w)} vs ${want}`);
    // Indonesian too.
    await page.selectOption('#lang', 'id');
    await untilWarning(page, /^data usang: data terbaru dari /);
    assert.deepEqual(log.pageErrors, []);
  } finally {
    await ctx.close();
  }
});

// ---------------------------------------------------------------------------------------------
const { passed, failed } = await runTests(tests);
if (P) await P.ctx.close();
await browser.close();
await server.close();
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
