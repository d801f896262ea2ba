// Load profile (not a test): `node scripts/profile-load.mjs DIST DATA_DIR [TOP]`.
// Loads the page on DATA_DIR (?data=) in headless Chromium (fresh profile) with V8's sampling
// profiler in a Chrome trace, and prints for the window navigation → charts drawn
// (`modelpulse:total`) each thread's CPU time (the thread time of its outermost trace events) and, for the
// page's main thread and the data worker, the functions with the most self time (sampled); with
// BUCKETS=<ms>, each thread's CPU per time bucket. Give
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

// BUCKETS=<ms>: each thread's CPU per bucket of that many ms from navigation (an event's thread
// time spread evenly over its wall time), to see when the two cores are busy and when idle.
if (process.env.BUCKETS) {
  const size = Number(process.env.BUCKETS), nav0 = nav.ts, n = Math.ceil((t1 - nav0) / 1000 / size);
  const head = Array.from({ length: n }, (_, i) => String(i * size).padStart(5)).join('');
  console.log(`\nCPU (ms) per ${size} ms bucket from navigation (two cores: ${2 * size} ms a bucket at most):\n${''.padEnd(42)}${head}`);
  const sum = new Array(n).fill(0);
  for (const [k, list] of [...byThread].sort((a, b) => cpu.get(b[0]) - cpu.get(a[0])).slice(0, 6)) {
    const b = new Array(n).fill(0);
    let end = -Infinity;
    for (const e of list) {
      if (e.ts < end) continue;
      end = e.ts + (e.dur || 0);
      const s0 = (e.ts - nav0) / 1000, d = (e.dur || 0) / 1000, c = e.tdur / 1000;
      for (let i = Math.max(0, Math.floor(s0 / size)); i < n && i * size <= s0 + d; i++) {
        const overlap = d > 0 ? Math.min((i + 1) * size, s0 + d) - Math.max(i * size, s0) : size;
        if (overlap > 0) b[i] += d > 0 ? (c * overlap) / d : c;
        if (d <= 0) break;
      }
    }
    b.forEach((v, i) => { sum[i] += v; });
    console.log(`${k.slice(0, 40).padEnd(42)}${b.map((v) => String(Math.round(v)).padStart(5)).join('')}`);
  }
  console.log(`${'(these threads)'.padEnd(42)}${sum.map((v) => String(Math.round(v)).padStart(5)).join('')}`);
}

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
