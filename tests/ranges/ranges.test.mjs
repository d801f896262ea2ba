// Range reads in the page (issue 6), in Debian's Chromium via playwright-core. Run by
// tests/ranges/run.sh, which builds dist/, the CLI and the data first. Environment:
//   DIST  the built page;  CLI  the modelpulse binary;  BIG  1M events over 90 days written by
//   `modelpulse generate --row-group-rows 32768`: the LLM file in 31 row groups (≈ 2.9 days each),
//   the conversion file in groups of the same size.
//
// The bound: a 7-day custom range needs the LLM events of 13 days (the rolling window's 6 earlier
// days; docs/ranges.md), 13/90 = 14.4 % of the rows, plus at most one partly used row group at
// each end (2 × 32,768 / 1.0M ≈ 6.5 %), of 7 of the 8 LLM columns: under 21 %; asserted < 25 %
// of the LLM file. All three files together (the small support file is read whole): < 30 %.
import { launchChromium, openPage, waitSettled } from '../lib/browser.mjs';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import assert from 'node:assert/strict';
import { startServer } from './server.mjs';

const env = (k) => { const v = process.env[k]; if (!v) throw new Error(`${k} is not set`); return path.resolve(v); };
const DIST = env('DIST'), CLI = env('CLI'), BIG = env('BIG');
const FILES = ['raw_llm_events.parquet', 'raw_support_events.parquet', 'raw_conversion_events.parquet'];
const size = (f) => fs.statSync(path.join(BIG, f)).size;
const size2 = (dir, f) => fs.statSync(path.join(dir, f)).size;
const cli = (...args) => execFileSync(CLI, args, { encoding: 'utf8', maxBuffer: 1 << 28 });
const FROM = '2026-11-01', TO = '2026-11-07';

const browser = await launchChromium();

const open = (url) => openPage(browser, url, { settle: (p) => waitSettled(p, 120000) });

async function downloadCsv(page) {
  const [dl] = await Promise.all([page.waitForEvent('download'), page.click('#download-csv')]);
  return fs.readFileSync(await dl.path(), 'utf8');
}
const draws = (page) => page.evaluate(() => window.__modelpulse.draws || 0);
const served = (server) => Object.fromEntries(FILES.map((f) => [f, server.served[`/big/${f}`] || 0]));
const pct = (a, b) => `${(100 * a / b).toFixed(1)} %`;

const tests = [];
const test = (name, fn) => tests.push({ name, fn });

test('a narrow custom range fetches a small fraction by ranges; the table equals the CLI; widening fetches the rest', async () => {
  const server = await startServer({ '/': DIST, '/big': BIG }, { ranges: true });
  const { page, log, close } = await open(`${server.origin}/?data=big/&range=custom&from=${FROM}&to=${TO}`);
  assert.equal(await page.evaluate(() => document.documentElement.dataset.state), 'ready');
  const s = served(server);
  const llm = size(FILES[0]), total = FILES.reduce((n, f) => n + size(f), 0);
  const sum = Object.values(s).reduce((a, b) => a + b, 0);
  console.log(`  narrow ${FROM}..${TO}: LLM ${s[FILES[0]]} of ${llm} bytes (${pct(s[FILES[0]], llm)}); all files ${sum} of ${total} (${pct(sum, total)})`);
  for (const f of FILES) console.log(`    ${f}: ${s[f]} of ${size(f)}; requests: ${server.log.filter((l) => l[0] === `/big/${f}`).map((l) => `${l[1] || 'GET'}→${l[2]}`).join(' ')}`);
  assert.ok(s[FILES[0]] * 4 < llm, `LLM file: ${s[FILES[0]]} of ${llm} bytes is not under 25 %`);
  assert.ok(sum * 10 < total * 3, `all files: ${sum} of ${total} bytes is not under 30 %`);
  assert.ok(server.log.some((l) => l[0] === `/big/${FILES[0]}` && l[2] === 206), 'no 206 answer for the LLM file');

  // The facts are exact: the page's CSV (the view's rows) equals the CLI's for the same dates.
  const want = cli('facts', '--data', BIG, '--from', FROM, '--to', TO);
  assert.equal(want.trimEnd().split('\n').length, 1 + 7 * 4);
  assert.equal(await downloadCsv(page), want);
  assert.equal(await page.$$eval('#facts-table tbody tr', (r) => r.length), 7 * 4);
  const stats = await page.textContent('#stats-line');
  assert.match(stats, /range reads: \d+ requests/);
  console.log(`  stats: ${stats}`);

  // Widening to all dates fetches the missing row groups (never a byte of the LLM file twice
  // beyond its size) and the facts are the whole files'.
  const n = await draws(page);
  await page.selectOption('#range', 'all');
  await page.waitForFunction((k) => (window.__modelpulse.draws || 0) > k, n, { timeout: 120000 });
  await page.waitForFunction(() => document.querySelectorAll('#facts-table tbody tr').length > 28, null, { timeout: 120000 });
  assert.equal(await downloadCsv(page), cli('facts', '--data', BIG));
  const s2 = served(server);
  console.log(`  after widening to all: LLM ${s2[FILES[0]]} of ${llm} bytes (${pct(s2[FILES[0]], llm)})`);
  assert.ok(s2[FILES[0]] > s[FILES[0]], 'widening fetched nothing');
  // Nothing is fetched twice: the pieces already held are subtracted from the wider plan.
  assert.ok(s2[FILES[0]] <= llm, `the LLM file: ${s2[FILES[0]]} bytes served of ${llm}: some bytes were fetched twice`);
  assert.deepEqual(log.consoleErrors, []);
  assert.deepEqual(log.pageErrors, []);
  assert.equal(await page.$('#errors'), null);
  await close();
  await server.close();
});

test('a server without Range support: whole files, one GET each, the same facts', async () => {
  const server = await startServer({ '/': DIST, '/big': BIG }, { ranges: false });
  const { page, log, close } = await open(`${server.origin}/?data=big/&range=custom&from=${FROM}&to=${TO}`);
  assert.equal(await page.evaluate(() => document.documentElement.dataset.state), 'ready');
  assert.equal(await downloadCsv(page), cli('facts', '--data', BIG, '--from', FROM, '--to', TO));
  for (const f of FILES) {
    assert.equal(server.served[`/big/${f}`], size(f), `${f}: whole file once`);
    assert.equal(server.log.filter((l) => l[0] === `/big/${f}`).length, 1, `${f}: one request`);
  }
  assert.doesNotMatch(await page.textContent('#stats-line'), /range reads/);
  assert.deepEqual(log.pageErrors, []);
  await close();
  await server.close();
});

// Engineer F: the first range reads follow config.json's default_range when the URL has no
// range (the page sends its resolved range with LoadUrls). "7" = the data's last 7 days, known to
// the worker only from the footers' statistics (BIG ends on 2026-11-27).
test("config.json's default_range (no range in the URL) bounds the first range reads", async () => {
  const site = fs.mkdtempSync(path.join(path.dirname(BIG), 'ranges-site-'));
  for (const e of fs.readdirSync(DIST)) if (e !== 'config.json') fs.symlinkSync(path.join(DIST, e), path.join(site, e));
  const config = JSON.parse(fs.readFileSync(path.join(DIST, 'config.json'), 'utf8'));
  fs.writeFileSync(path.join(site, 'config.json'), JSON.stringify({ ...config, default_range: '7', refresh_seconds: 0 }));
  const server = await startServer({ '/': site, '/big': BIG }, { ranges: true });
  try {
    const { page, log, close } = await open(`${server.origin}/?data=big/`);
    assert.equal(await page.evaluate(() => document.documentElement.dataset.state), 'ready');
    const s = served(server), llm = size(FILES[0]);
    console.log(`  default_range 7: LLM ${s[FILES[0]]} of ${llm} bytes (${pct(s[FILES[0]], llm)})`);
    assert.ok(s[FILES[0]] * 4 < llm, `LLM file: ${s[FILES[0]]} of ${llm} bytes is not under 25 %`);
    assert.equal(await downloadCsv(page), cli('facts', '--data', BIG, '--from', '2026-11-21', '--to', '2026-11-27'));
    assert.deepEqual(log.pageErrors, []);
    assert.deepEqual(log.consoleErrors, []);
    await close();
  } finally {
    await server.close();
    fs.rmSync(site, { recursive: true, force: true });
  }
});

// Polling a file read by ranges (issue 6): every poll is a conditional suffix-range request
// (never the whole file); unchanged → 304 and nothing else fetched; a server that ignores the
// conditional headers (206, same ETag) → nothing re-read; a 500 → the last good data plus a
// warning; the files replaced by bigger ones (10 more days) → re-read by ranges, the page equals
// the CLI's facts for the new last 7 days, and the LLM file's bytes stay a fraction of it.
test('a ranged file is polled: 304s, an ignoring server, a 500, then a bigger file read by ranges', async () => {
  const BIG2 = env('BIG2');
  const work = fs.mkdtempSync(path.join(path.dirname(BIG), 'ranges-poll-'));
  const site = path.join(work, 'site'), data = path.join(work, 'data');
  fs.mkdirSync(site); fs.mkdirSync(data);
  for (const e of fs.readdirSync(DIST)) if (e !== 'config.json') fs.symlinkSync(path.join(DIST, e), path.join(site, e));
  const config = JSON.parse(fs.readFileSync(path.join(DIST, 'config.json'), 'utf8'));
  fs.writeFileSync(path.join(site, 'config.json'), JSON.stringify({ ...config, default_range: '7', refresh_seconds: 1, stale_after_seconds: 0 }));
  const put = (from) => { for (const f of FILES) { const tmp = path.join(data, `.tmp-${f}`); fs.copyFileSync(path.join(from, f), tmp); fs.renameSync(tmp, path.join(data, f)); } };
  put(BIG);
  const server = await startServer({ '/': site, '/big': data }, { ranges: true, validators: 'honour' });
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
  const since = (i, f) => server.log.slice(i).filter((l) => l[0] === `/big/${f}`);
  const TAIL = 'bytes=-65536';
  try {
    const { page, log, close } = await open(`${server.origin}/?data=big/`);
    assert.equal(await page.evaluate(() => document.documentElement.dataset.state), 'ready');
    assert.equal(await downloadCsv(page), cli('facts', '--data', BIG, '--from', '2026-11-21', '--to', '2026-11-27'));
    assert.match(await page.textContent('#stats-line'), /range reads: \d+ requests/);
    const d0 = await draws(page);

    // Unchanged: conditional tails answered 304, nothing else fetched or drawn.
    let i = server.log.length;
    await sleep(3500);
    for (const f of [FILES[0], FILES[2]]) {
      const polls = since(i, f);
      console.log(`  unchanged ${f}: ${polls.map((l) => `${l[1]}→${l[2]}`).join(' ')}`);
      assert.ok(polls.length >= 2, `${f}: fewer than 2 polls in 3.5 s at 1 s`);
      for (const l of polls) assert.deepEqual([l[1], l[2], l[3], l[4]], [TAIL, 304, 0, true], `${f}: ${JSON.stringify(l)}`);
    }
    assert.equal(await draws(page), d0, 'an unchanged poll redrew');

    // A server that ignores If-None-Match: 206 tails with the same ETag, nothing more read.
    server.opts.validators = 'ignore';
    i = server.log.length;
    await sleep(3500);
    const ign = since(i, FILES[0]);
    console.log(`  ignoring server ${FILES[0]}: ${ign.map((l) => `${l[1]}→${l[2]}`).join(' ')}`);
    assert.ok(ign.length >= 2, 'fewer than 2 polls');
    for (const l of ign) assert.deepEqual([l[1], l[2]], [TAIL, 206], JSON.stringify(l));
    assert.equal(await draws(page), d0, 'a poll with the same validators redrew');
    assert.deepEqual(log.consoleErrors, []);

    // 500: the last good data stays, with a warning; healing clears it.
    server.opts.validators = 'honour';
    server.opts.fail = 500;
    await page.waitForFunction(() => [...document.querySelectorAll('#refresh-warnings li')].some((l) => /HTTP 500/.test(l.textContent)), null, { timeout: 20000 });
    assert.equal(await downloadCsv(page), cli('facts', '--data', BIG, '--from', '2026-11-21', '--to', '2026-11-27'));
    server.opts.fail = 0;
    i = server.log.length;
    await page.waitForFunction(() => document.querySelectorAll('#refresh-warnings li').length === 0, null, { timeout: 30000 }).catch(async (e) => {
      const w = await page.$$eval('#refresh-warnings li', (l) => l.map((x) => x.textContent));
      throw new Error(`the warning stayed: ${JSON.stringify(w)}; requests since healing: ${JSON.stringify(server.log.slice(i).filter((l) => l[0].startsWith('/big/')))}\n${e}`);
    });

    // Replaced by bigger files (to 2026-12-07): read by ranges again, the new last 7 days shown.
    i = server.log.length;
    const t0 = Date.now();
    put(BIG2);
    await page.waitForFunction(() => (document.querySelector('#facts-table')?.textContent || '').includes('7 Dec 2026'), null, { timeout: 30000 }).catch(async (e) => {
      const rows = await page.$$eval('#facts-table tbody tr', (r) => r.map((x) => x.textContent.slice(0, 12)));
      const w = await page.$$eval('#refresh-warnings li', (l) => l.map((x) => x.textContent));
      throw new Error(`not shown: rows ${JSON.stringify(rows.slice(0, 3))}…${JSON.stringify(rows.slice(-2))}; warnings ${JSON.stringify(w)}; stats ${await page.textContent('#stats-line')}; errors ${await page.$$eval('#errors', (l) => l.map((x) => x.textContent))}; requests: ${JSON.stringify(server.log.slice(i).filter((l) => l[0].startsWith('/big/')).slice(0, 30))}\n${e}`);
    });
    console.log(`  replaced → 2026-12-07 shown after ${Date.now() - t0} ms`);
    const want = cli('facts', '--data', BIG2, '--from', '2026-12-01', '--to', '2026-12-07');
    let got = '';
    for (let k = 0; k < 20 && got !== want; k++) { got = await downloadCsv(page); if (got !== want) await sleep(500); }
    assert.equal(got, want);
    const llm = since(i, FILES[0]);
    const bytes = llm.reduce((n, l) => n + l[3], 0), llm2 = size2(BIG2, FILES[0]);
    console.log(`  after the replacement: LLM ${bytes} of ${llm2} bytes (${pct(bytes, llm2)}); requests: ${llm.map((l) => `${l[1] || 'GET'}→${l[2]}`).join(' ')}`);
    assert.ok(bytes * 4 < llm2, `LLM file: ${bytes} of ${llm2} bytes is not under 25 %`);
    assert.ok(llm.every((l) => l[1] !== null), `a request without Range: ${JSON.stringify(llm)}`);
    assert.ok(llm.every((l) => l[2] === 206 || l[2] === 304), `a request that was not answered 206/304: ${JSON.stringify(llm)}`);
    assert.deepEqual(log.pageErrors, []);
    assert.equal(await page.$('#errors'), null);
    await close();
  } finally {
    await server.close();
    fs.rmSync(work, { recursive: true, force: true });
  }
});

let passed = 0, failed = 0;
for (const { name, fn } of tests) {
  try { await fn(); console.log(`ok   ${name}`); passed++; } catch (e) { console.log(`FAIL ${name}\n${e.stack || e}`); failed++; }
}
await browser.close();
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
