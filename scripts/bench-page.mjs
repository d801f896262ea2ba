// Page benchmark: `node scripts/bench-page.mjs DIST DATA_DIR RUNS` (see scripts/bench-page.sh).
// Each run launches headless Chromium with a fresh profile, opens the page on DATA_DIR (?data=),
// waits for `ready` and reads the page's User Timing measures; then times filter changes (control
// event → charts redrawn, the page's `modelpulse:filter` measure). Prints medians.
import { chromium } from 'playwright-core';
import path from 'node:path';
import { startServer } from '../tests/e2e/server.mjs';

const [dist, data, runsArg] = process.argv.slice(2);
const runs = Number(runsArg || 5);
const server = await startServer({ '/': path.resolve(dist), '/bench': path.resolve(data) });
const url = `${server.origin}/?data=bench`;
const phases = ['fetch', 'decode', 'aggregate', 'render', 'total'];
const results = Object.fromEntries([...phases, 'filter', 'filterAll'].map((p) => [p, []]));
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s.length ? s[Math.floor((s.length - 1) / 2)] : NaN; };

for (let i = 0; i < runs; i++) {
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--no-first-run', '--disable-sync'],
  });
  const page = await (await browser.newContext({ viewport: { width: 1400, height: 1000 } })).newPage();
  await page.goto(url);
  await page.waitForFunction(() => ['ready', 'error'].includes(document.documentElement.dataset.state), null, { timeout: 120000 });
  const state = await page.evaluate(() => document.documentElement.dataset.state);
  if (state !== 'ready') throw new Error(`page state ${state}: ${await page.textContent('#errors')}`);
  const m = await page.evaluate(() => Object.fromEntries(performance.getEntriesByType('measure')
    .filter((e) => e.name.startsWith('modelpulse:')).map((e) => [e.name.slice(11), e.duration])));
  const rows = await page.evaluate(() => window.__modelpulse.rowsLoaded);
  for (const p of phases) results[p].push(m[p]);
  // Filter changes: toggle a provider off and on, switch range presets.
  const filters = [], alls = [];
  const change = async (act) => {
    const n = await page.evaluate(() => window.__modelpulse.draws);
    await act();
    await page.waitForFunction((k) => window.__modelpulse.draws > k && window.__modelpulse.timings.filter !== undefined, n);
    filters.push(await page.evaluate(() => performance.getEntriesByName('modelpulse:filter').at(-1).duration));
    alls.push(await page.evaluate(() => performance.getEntriesByName('modelpulse:filter-all').at(-1).duration));
  };
  const first = await page.$eval('input[name=provider]', (e) => e.value);
  for (let k = 0; k < 2; k++) {
    await change(() => page.click(`input[name=provider][value="${first}"]`));
    await change(() => page.click(`input[name=provider][value="${first}"]`));
  }
  for (const r of ['30', '7', '90', 'all']) await change(() => page.selectOption('#range', r));
  results.filter.push(...filters);
  results.filterAll.push(...alls);
  console.log(`run ${i + 1}: ${rows} rows; ` + phases.map((p) => `${p} ${m[p].toFixed(1)} ms`).join(', ')
    + `; filter changes: charts in view redrawn ${filters.map((f) => f.toFixed(1)).join(', ')} ms, all charts ${alls.map((f) => f.toFixed(1)).join(', ')} ms`);
  await browser.close();
}
console.log('median: ' + [...phases, 'filter', 'filterAll'].map((p) => `${p} ${median(results[p]).toFixed(1)} ms`).join(', '));
await server.close();
