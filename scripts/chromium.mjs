// The benchmarks' browser: Debian's headless Chromium with the flags the tests use, plus
// CHROME_ARGS (space-separated, e.g. "--js-flags=--wasm-tiering-budget=1000000000") for
// experiments; a fresh profile per launch, and a page of 1400×1000.
//
// A freshly launched Chromium is not idle: in its first ~0.5 s it loads its own UI — here the
// omnibox popup's WebUI (chrome://omnibox-popup.top-chrome) in a renderer of its own, ~0.55–0.6 s of
// CPU on every launch (measured from /proc) — so a page opened at once shares the two cores with
// that. A visitor's browser did this when it started, not when they opened our page, so
// `launchPage` waits for the browser to settle ([`settle`]) before handing out the page.
import { chromium } from 'playwright-core';
import fs from 'node:fs';

/** Launches Chromium and waits until it is idle (`SETTLE=0` skips the wait); returns
 *  `{ browser, page, settledMs }`. */
export async function launchPage() {
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--no-first-run', '--disable-sync',
      ...(process.env.CHROME_ARGS || '').split(' ').filter(Boolean)],
  });
  const page = await (await browser.newContext({ viewport: { width: 1400, height: 1000 } })).newPage();
  const settledMs = process.env.SETTLE === '0' ? 0 : await settle();
  return { browser, page, settledMs };
}

/** CPU time (ms) used so far by the processes this one started and theirs (Linux `/proc`);
 *  `null` where there is no `/proc`. */
function childrenCpuMs() {
  let dirs;
  try { dirs = fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d)); } catch { return null; }
  const parent = new Map(), cpu = new Map();
  for (const d of dirs) {
    try {
      const s = fs.readFileSync(`/proc/${d}/stat`, 'utf8');
      // After "pid (comm) ": state ppid … utime(11) stime(12), in clock ticks (100 per second).
      const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
      parent.set(Number(d), Number(f[1]));
      cpu.set(Number(d), (Number(f[11]) + Number(f[12])) * 10);
    } catch { /* the process ended meanwhile */ }
  }
  let sum = 0;
  for (const [pid, ms] of cpu) {
    let p = parent.get(pid);
    while (p && p !== process.pid && p > 1) p = parent.get(p);
    if (p === process.pid) sum += ms;
  }
  return sum;
}

/** Waits until the browser's processes used under 10 ms of CPU in 200 ms (at most 5 s); returns
 *  the time waited. Without `/proc`, waits 1.5 s. */
export async function settle() {
  const t0 = Date.now();
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
  let last = childrenCpuMs();
  if (last === null) { await sleep(1500); return Date.now() - t0; }
  while (Date.now() - t0 < 5000) {
    await sleep(200);
    const now = childrenCpuMs();
    if (now - last < 10) break;
    last = now;
  }
  return Date.now() - t0;
}
