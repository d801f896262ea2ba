// Repeat visits (not a test): `node scripts/bench-repeat.mjs DIST DATA_DIR [RUNS] [VISITS]`.
// Per run, one fresh browser profile opens the page on DATA_DIR (?data=) VISITS times (default
// 3, 3 s apart), as a returning visitor would: the server (tests/ranges/server.mjs) sends ETag and
// Last-Modified and answers conditional requests with 304, so the browser may reuse what it
// cached (files, V8's compiled code). RANGES=0: a server without `Range` support. Prints each
// visit's navigation → charts and its fetch / decode (after the last byte) / render.
import { launchPage } from './chromium.mjs';
import path from 'node:path';
import { startServer } from '../tests/ranges/server.mjs';

const [dist, data, runsArg, visitsArg] = process.argv.slice(2);
const runs = Number(runsArg || 3), visits = Number(visitsArg || 3);
const server = await startServer({ '/': path.resolve(dist), '/bench': path.resolve(data) },
  { ranges: process.env.RANGES !== '0', validators: 'honour' });
console.log(`server: ${process.env.RANGES === '0' ? 'no range support' : 'honours Range requests'}, ETag/Last-Modified honoured`);
const measures = () => Object.fromEntries(performance.getEntriesByType('measure')
  .filter((e) => e.name.startsWith('modelpulse:')).map((e) => [e.name.slice(11), Math.round(e.duration)]));
for (let i = 0; i < runs; i++) {
  const { browser, page } = await launchPage();
  const out = [];
  for (let v = 0; v < visits; v++) {
    await page.goto(`${server.origin}/?data=bench`);
    await page.waitForFunction(() => ['ready', 'error'].includes(document.documentElement.dataset.state), null, { timeout: 120000 });
    const m = await page.evaluate(measures);
    out.push(`visit ${v + 1}: ${m.total} ms (fetch ${m.fetch}, decode ${m.decode}, render ${m.render})`);
    await page.waitForTimeout(3000);
  }
  console.log(`run ${i + 1}: ${out.join('; ')}`);
  await browser.close();
}
await server.close();
