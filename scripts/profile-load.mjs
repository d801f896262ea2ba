// Load profile (not a test): `node scripts/profile-load.mjs DIST DATA_DIR [TOP]`.
// Loads the page on DATA_DIR (?data=) in headless Chromium (fresh profile) with V8's sampling
// profiler in a Chrome trace, and prints for the window navigation → charts drawn
// (`modelpulse:total`) each thread's CPU time (the thread time of its outermost trace events) and, for the
// page's main thread and the data worker, the functions with the most self time (sampled). Give
// it a dist whose wasm files keep their name section (`wasm-opt -g`) to see Rust function names.
import { launchPage } from './chromium.mjs';
import path from 'node:path';
import { startServer } from '../tests/e2e/server.mjs';

const [dist, data, topArg] = process.argv.slice(2);
const top = Number(topArg || 25);
const server = await startServer({ '/': path.resolve(dist), '/bench': path.resolve(data) });
const { browser, page } = await launchPage();
// SAMPLES=0: no sampling profiler (with it, navigation → charts took ~1.2 s instead of ~0.87 s
// here; without it the CPU by thread is closer to an unobserved load, and no functions are listed).
const sampling = process.env.SAMPLES !== '0';
await browser.startTracing(page, { categories: ['toplevel', 'v8', 'v8.execute', 'devtools.timeline', 'blink.user_timing',
  ...(sampling ? ['disabled-by-default-v8.cpu_profiler'] : [])] });
await page.goto(`${server.origin}/?data=bench`);
await page.waitForFunction(() => ['ready', 'error'].includes(document.documentElement.dataset.state), null, { timeout: 120000 });
const total = await page.evaluate(() => performance.getEntriesByName('modelpulse:total')[0]?.duration);
// WINDOW=<mark or measure>,<mark or measure>: sample only between the two (ms from navigation;
// a measure counts from its end, or its start with `@start`), e.g.
// WINDOW=modelpulse:ui-start,modelpulse:config or WINDOW=modelpulse:render@start,modelpulse:render.
const window = process.env.WINDOW ? await page.evaluate((names) => names.map((n) => {
  const [name, at] = n.split('@');
  const e = performance.getEntriesByName(name).at(-1);
  return e ? e.startTime + (e.entryType === 'measure' && at !== 'start' ? e.duration : 0) : NaN;
}), process.env.WINDOW.split(',')) : null;
const trace = JSON.parse((await browser.stopTracing()).toString());
await browser.close();
await server.close();

const ev = trace.traceEvents;
const tname = new Map(), pname = new Map();
for (const e of ev) {
  if (e.ph === 'M' && e.name === 'thread_name') tname.set(`${e.pid}:${e.tid}`, e.args.name);
  if (e.ph === 'M' && e.name === 'process_name') pname.set(e.pid, e.args.name);
}
const nav = ev.find((e) => e.name === 'navigationStart');
const t0 = nav.ts + (window ? window[0] * 1000 : 0), t1 = nav.ts + (window ? window[1] : total) * 1000;
const ms = (us) => (us / 1000).toFixed(1);
// A thread's CPU: the thread time of its outermost events (any category; nested ones are inside);
// an event that overlaps the window counts whole.
const cpu = new Map();
const byThread = new Map();
for (const e of ev) {
  if (e.ph !== 'X' || e.tdur == null || e.ts + (e.dur || 0) < t0 || e.ts > t1) continue;
  const k = `${pname.get(e.pid) || e.pid} / ${tname.get(`${e.pid}:${e.tid}`) || e.tid}`;
  if (!byThread.has(k)) byThread.set(k, []);
  byThread.get(k).push(e);
}
for (const [k, list] of byThread) {
  list.sort((a, b) => a.ts - b.ts || (b.dur || 0) - (a.dur || 0));
  let end = -Infinity, sum = 0;
  for (const e of list) if (e.ts >= end) { sum += e.tdur; end = e.ts + (e.dur || 0); }
  cpu.set(k, sum);
}
console.log(`navigation → charts ${total.toFixed(0)} ms; CPU by thread in ${window ? `${window[0].toFixed(0)}–${window[1].toFixed(0)} ms` : 'that window'}:`);
for (const [k, v] of [...cpu].sort((a, b) => b[1] - a[1]).slice(0, 10)) console.log(`  ${ms(v).padStart(7)} ms  ${k}`);

// Each isolate's profile: a `Profile` event (on its thread) and `ProfileChunk`s with the same id.
for (const prof of ev.filter((e) => e.name === 'Profile')) {
  const who = tname.get(`${prof.pid}:${prof.tid}`) || '';
  if (!/CrRendererMain|DedicatedWorker/.test(who)) continue;
  const nodes = new Map(), samples = [];
  let ts = prof.args.data.startTime;
  for (const c of ev.filter((e) => e.name === 'ProfileChunk' && e.id === prof.id && e.pid === prof.pid)) {
    const d = c.args.data;
    for (const n of d.cpuProfile?.nodes || []) nodes.set(n.id, n);
    const ss = d.cpuProfile?.samples || [], dt = d.timeDeltas || [];
    for (let i = 0; i < ss.length; i++) { ts += dt[i]; samples.push([ts, ss[i]]); }
  }
  const self = new Map();
  let sum = 0;
  for (let i = 0; i + 1 < samples.length; i++) {
    const [s, id] = samples[i];
    if (s < t0 || s > t1) continue;
    const f = nodes.get(id)?.callFrame || {};
    if (f.functionName === '(idle)' || f.functionName === '(program)') continue;
    const k = `${f.functionName || '(anonymous)'} ${path.basename(f.url || '')}`;
    const d = Math.min(samples[i + 1][0] - s, 5000);
    self.set(k, (self.get(k) || 0) + d);
    sum += d;
  }
  if (!sum) continue;
  console.log(`\n${who}: ${ms(sum)} ms sampled (not idle); self time by function:`);
  for (const [k, v] of [...self].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`  ${ms(v).padStart(7)} ms  ${k.slice(0, 150)}`);
}
