// Worker CPU benchmark (not a test): `node scripts/bench-worker-cpu.mjs DIST DATA_DIR RUNS`.
// Loads the page on DATA_DIR (?data=) in headless Chromium (fresh profile) under a light Chrome
// trace and prints, per run, the data worker's longest task (the load: decode + prepare) as wall
// time and as the thread's CPU time, and the CPU time V8 spent compiling wasm on background
// threads (top tier) meanwhile. On a shared machine the wall time follows the load average; the
// CPU times compare builds (e.g. two worker wasm files) far more steadily.
import { launchPage } from './chromium.mjs';
import path from 'node:path';
import { startServer } from '../tests/e2e/server.mjs';

const [dist, data, runsArg] = process.argv.slice(2);
const runs = Number(runsArg || 5);
const server = await startServer({ '/': path.resolve(dist), '/bench': path.resolve(data) });
const rows = [];
for (let i = 0; i < runs; i++) {
  // Fresh profile; CHROME_ARGS adds flags (scripts/chromium.mjs).
  const { browser, page } = await launchPage();
  await browser.startTracing(page, { categories: ['toplevel', 'v8.execute', 'v8.wasm', 'devtools.timeline', 'blink.user_timing'] });
  await page.goto(`${server.origin}/?data=bench`);
  await page.waitForFunction(() => ['ready', 'error'].includes(document.documentElement.dataset.state), null, { timeout: 120000 });
  const m = await page.evaluate(() => Object.fromEntries(performance.getEntriesByType('measure')
    .filter((e) => e.name.startsWith('modelpulse:')).map((e) => [e.name.slice(11), e.duration])));
  const trace = JSON.parse((await browser.stopTracing()).toString());
  await browser.close();
  const ev = trace.traceEvents;
  const names = new Map();
  for (const e of ev) if (e.ph === 'M' && e.name === 'thread_name') names.set(`${e.pid}:${e.tid}`, e.args.name);
  const thread = (e) => names.get(`${e.pid}:${e.tid}`) || '';
  const calls = ev.filter((e) => e.ph === 'X' && e.name === 'FunctionCall' && thread(e).startsWith('DedicatedWorker'));
  const load = calls.reduce((a, b) => ((b.dur || 0) > (a?.dur || 0) ? b : a), null);
  const topTier = ev.filter((e) => e.ph === 'X' && e.name === 'wasm.TopTierCompilation').reduce((s, e) => s + (e.tdur || 0), 0);
  const r = { decode: m.decode, total: m.total, loadWall: load.dur / 1000, loadCpu: load.tdur / 1000, topTierCpu: topTier / 1000 };
  rows.push(r);
  console.log(`run ${i + 1}: ` + Object.entries(r).map(([k, v]) => `${k} ${(v ?? NaN).toFixed(0)}`).join(', ') + ' ms');
}
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor((s.length - 1) / 2)]; };
console.log('median: ' + Object.keys(rows[0]).map((k) => `${k} ${median(rows.map((r) => r[k])).toFixed(0)}`).join(', ') + ' ms');
await server.close();
