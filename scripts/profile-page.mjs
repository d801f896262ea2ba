// Chart-drawing profile (not a test): `node scripts/profile-page.mjs DIST DATA_DIR [OUT_DIR]`.
// Loads the page on DATA_DIR (?data=) in headless Chromium (fresh profile) with a Chrome trace
// running, then makes filter changes (provider off, provider on, range 30 days) under a second
// trace. For the window of each `modelpulse:render` / `modelpulse:filter-all` measure it prints
// the main thread's time by trace event (self time: Layout, UpdateLayoutTree, Paint, GC, …) and
// the JS functions with the most self time (from the sampling profiler in the trace), and writes
// the raw traces to OUT_DIR (open them in chrome://tracing or DevTools' Performance panel).
// Wall times on a loaded machine mostly measure waiting for a core; compare the CPU times.
import { chromium } from 'playwright-core';
import { settle } from './chromium.mjs';
import fs from 'node:fs';
import path from 'node:path';
import { startServer } from '../tests/e2e/server.mjs';

const [dist, data, outArg] = process.argv.slice(2);
const out = path.resolve(outArg || 'test-artifacts/profile');
fs.mkdirSync(out, { recursive: true });
const server = await startServer({ '/': path.resolve(dist), '/bench': path.resolve(data) });
const CATEGORIES = ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'v8', 'v8.execute',
  'disabled-by-default-v8.cpu_profiler', 'blink.user_timing', 'loading', 'toplevel',
  // CATEGORIES="v8.wasm,disabled-by-default-v8.wasm.detailed" adds trace categories (e.g. wasm compilation).
  ...(process.env.CATEGORIES || '').split(',').filter(Boolean)];

const summary = [];
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
    '--disable-component-update', '--no-first-run', '--disable-sync'],
});
const page = await (await browser.newContext({ viewport: { width: 1400, height: 1000 } })).newPage();
await settle(); // the browser's own start-up work done first (scripts/chromium.mjs)
// INIT=file.js: a script run in the page before its own (for experiments, e.g. a changed figure).
if (process.env.INIT) await page.addInitScript({ path: process.env.INIT });

async function traced(name, act) {
  await browser.startTracing(page, { categories: CATEGORIES });
  await act();
  const buf = await browser.stopTracing();
  fs.writeFileSync(path.join(out, `${name}.json`), buf);
  return JSON.parse(buf.toString()).traceEvents;
}

/** Main-thread (CrRendererMain of the page) self times by event name within [t0, t1] (µs). */
function analyse(label, events, measure) {
  const mains = events.filter((e) => e.name === 'thread_name' && e.args?.name === 'CrRendererMain');
  // The renderer that has our user timing marks.
  const um = events.filter((e) => e.cat?.includes('blink.user_timing') && e.name === measure);
  if (!um.length) { console.log(`${label}: no ${measure} in trace`); return; }
  const last = um.filter((e) => e.ph === 'b' || e.ph === 'X' || e.ph === 'B').at(-1) || um[0];
  const end = um.filter((e) => e.ph === 'e' && e.id2?.local === last.id2?.local && e.id === last.id).at(-1)
    || um.filter((e) => e.ph === 'e').at(-1);
  const pid = last.pid;
  const main = mains.find((m) => m.pid === pid);
  const tid = main?.tid;
  const t0 = last.ts, t1 = end ? end.ts : last.ts + (last.dur || 0);
  const evs = events.filter((e) => e.pid === pid && e.tid === tid && e.ph === 'X' && e.ts + (e.dur || 0) >= t0 && e.ts <= t1)
    .sort((a, b) => a.ts - b.ts || b.dur - a.dur);
  // Self time per name with a stack of open events; wall time (dur) and the main thread's CPU
  // time (tdur: on a loaded machine the wall time mostly measures waiting for a core).
  const self = new Map(), selfCpu = new Map();
  const stack = [];
  const longTasks = [];
  let cpu = 0;
  for (const e of evs) {
    while (stack.length && stack.at(-1).ts + stack.at(-1).dur <= e.ts) stack.pop();
    const parent = stack.at(-1);
    if (parent) { parent._child = (parent._child || 0) + e.dur; parent._childCpu = (parent._childCpu || 0) + (e.tdur || 0); }
    else { cpu += e.tdur || 0; if (e.name === 'RunTask') longTasks.push(e.dur); }
    stack.push(e);
  }
  for (const e of evs) {
    const k = e.name === 'FunctionCall' || e.name === 'v8.callFunction' ? 'JS (FunctionCall)' : e.name;
    self.set(k, (self.get(k) || 0) + e.dur - (e._child || 0));
    selfCpu.set(k, (selfCpu.get(k) || 0) + (e.tdur || 0) - (e._childCpu || 0));
  }
  const ms = (x) => (x / 1000).toFixed(1);
  console.log(`\n== ${label}: ${measure} ${ms(t1 - t0)} ms wall, main thread CPU ${ms(cpu)} ms; tasks ≥ 5 ms (wall): ${longTasks.filter((d) => d >= 5000).map(ms).join(', ')}`);
  for (const [k, v] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 14)) if (v > 500) console.log(`  ${k.padEnd(32)} ${ms(v).padStart(8)} ms wall ${ms(selfCpu.get(k)).padStart(8)} ms CPU (self)`);
  summary.push(`${label} ${ms(t1 - t0)} wall / ${ms(cpu)} CPU`);
  // CPU profile samples (ProfileChunk events) → self time per function within the window.
  const nodes = new Map();
  let tsCursor = null;
  const samples = [];
  // The main thread's profile: its `Profile` event is on the main thread, its chunks (same id)
  // on the profiler's thread; a worker has a profile of its own.
  const profileId = events.find((e) => e.name === 'Profile' && e.pid === pid && e.tid === tid)?.id;
  for (const e of events.filter((e) => e.pid === pid && e.id === profileId && (e.name === 'Profile' || e.name === 'ProfileChunk'))) {
    if (e.name === 'Profile') { tsCursor = e.args.data.startTime; continue; }
    const d = e.args.data;
    for (const n of d.cpuProfile?.nodes || []) nodes.set(n.id, n);
    const ss = d.cpuProfile?.samples || [];
    const deltas = d.timeDeltas || [];
    for (let i = 0; i < ss.length; i++) { tsCursor += deltas[i]; samples.push([tsCursor, ss[i]]); }
  }
  const fnSelf = new Map();
  for (let i = 0; i + 1 < samples.length; i++) {
    const [ts, id] = samples[i];
    if (ts < t0 || ts > t1) continue;
    const n = nodes.get(id);
    const f = n?.callFrame || {};
    const k = `${f.functionName || '(anon)'} ${path.basename(f.url || '')}:${f.lineNumber ?? ''}`;
    fnSelf.set(k, (fnSelf.get(k) || 0) + (samples[i + 1][0] - ts));
  }
  console.log('  JS self time by function (sampled):');
  for (const [k, v] of [...fnSelf].sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log(`    ${ms(v).padStart(7)} ms  ${k}`);
}

const ev1 = await traced('first-draw', async () => {
  await page.goto(`${server.origin}/?data=bench`);
  await page.waitForFunction(() => ['ready', 'error'].includes(document.documentElement.dataset.state), null, { timeout: 120000 });
});
analyse('first draw', ev1, 'modelpulse:render');
const first = await page.$eval('input[name=provider]', (e) => e.value);
const change = async (act) => {
  const n = await page.evaluate(() => window.__modelpulse.draws);
  await act();
  await page.waitForFunction((k) => window.__modelpulse.draws > k, n);
  await page.waitForTimeout(300);
};
for (const [name, act] of [
  ['provider-off', () => page.click(`input[name=provider][value="${first}"]`)],
  ['provider-on', () => page.click(`input[name=provider][value="${first}"]`)],
  ['range-30', () => page.selectOption('#range', '30')],
]) {
  const ev = await traced(name, () => change(act));
  analyse(name, ev, 'modelpulse:filter-all');
}
console.log(`\nsummary (ms): ${summary.join('; ')}`);
await browser.close();
await server.close();
