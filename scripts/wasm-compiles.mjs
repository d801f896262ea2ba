// Which wasm functions V8 compiles with its optimising tier (TurboFan) during a page load, and
// how long each took (not a test): `node scripts/wasm-compiles.mjs DIST DATA_DIR [NAMED.wasm …] [TOP]`.
// Loads DIST on DATA_DIR (?data=) in headless Chromium (fresh profile) with
// `--js-flags=--trace-wasm-compilation-times`, reads V8's lines from the browser's stdout and prints
// the summed compile time, then the TOP (default 25) largest compiles: time, module, function index,
// body size in bytes. Function names come from NAMED wasm files (the same build optimised with
// `wasm-opt -g`: the cargo build's wasm through `wasm-bindgen` and then `wasm-opt` with the flags in
// index.html plus -g): a function is named when one of them has a function of that index and body size. See docs/page.md, "The worker's wasm and V8's tiers".
import { chromium } from 'playwright-core';
import fs from 'node:fs';
import path from 'node:path';
import { startServer } from '../tests/e2e/server.mjs';

const args = process.argv.slice(2);
const [dist, data] = args;
const named = args.slice(2).filter((a) => a.endsWith('.wasm'));
const top = Number(args.slice(2).find((a) => /^\d+$/.test(a)) || 25);

/** Function index → [body size, name] of a wasm file with a name section. */
function functions(file) {
  const buf = fs.readFileSync(file);
  const imports = WebAssembly.Module.imports(new WebAssembly.Module(buf)).filter((i) => i.kind === 'function').length;
  let p = 8;
  const leb = () => { let r = 0, s = 0, b; do { b = buf[p++]; r += (b & 0x7f) * 2 ** s; s += 7; } while (b & 0x80); return r; };
  const sizes = new Map(), names = new Map();
  while (p < buf.length) {
    const id = buf[p++], size = leb(), end = p + size;
    if (id === 10) { const n = leb(); for (let i = 0; i < n; i++) { const sz = leb(); sizes.set(imports + i, sz); p += sz; } }
    if (id === 0) {
      const nl = leb(); const section = buf.subarray(p, p + nl).toString(); p += nl;
      while (section === 'name' && p < end) {
        const sub = buf[p++], ssz = leb(), send = p + ssz;
        if (sub === 1) { const n = leb(); for (let i = 0; i < n; i++) { const fi = leb(), len = leb(); names.set(fi, buf.subarray(p, p + len).toString()); p += len; } }
        p = send;
      }
    }
    p = end;
  }
  return { sizes, names };
}
const tables = named.map(functions);
const nameOf = (index, body) => {
  for (const t of tables) if (t.sizes.get(index) === body) return (t.names.get(index) || '').replace(/::h[0-9a-f]{16}$/, '');
  return '';
};

const server = await startServer({ '/': path.resolve(dist), '/bench': path.resolve(data) });
const compiles = [];
const re = /Compiled function (0x[0-9a-f]+)#(\d+) using TurboFan, took (\d+) μs.*bodysize (\d+)/;
// A browser server, so its process's stdout (where V8 prints) can be read.
const browserServer = await chromium.launchServer({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
    '--no-first-run', '--disable-sync', '--js-flags=--trace-wasm-compilation-times'],
});
let pending = '';
browserServer.process().stdout.on('data', (chunk) => {
  const lines = (pending + chunk.toString()).split('\n');
  pending = lines.pop();
  for (const line of lines) {
    const m = re.exec(line);
    if (m) compiles.push({ module: m[1], index: Number(m[2]), us: Number(m[3]), body: Number(m[4]) });
  }
});
const browser = await chromium.connect(browserServer.wsEndpoint());
const page = await (await browser.newContext({ viewport: { width: 1400, height: 1000 } })).newPage();
await page.goto(`${server.origin}/?data=bench`);
await page.waitForFunction(() => ['ready', 'error'].includes(document.documentElement.dataset.state), null, { timeout: 120000 });
await page.waitForTimeout(500);
await browser.close();
await browserServer.close();
await server.close();
const sum = compiles.reduce((s, c) => s + c.us, 0) / 1000;
console.log(`${compiles.length} TurboFan compiles, ${sum.toFixed(0)} ms summed (wall time of each compile job)`);
for (const c of compiles.sort((a, b) => b.us - a.us).slice(0, top)) {
  console.log(`${(c.us / 1000).toFixed(1).padStart(7)} ms  ${c.module.slice(-6)}#${c.index}  ${String(c.body).padStart(6)} B  ${nameOf(c.index, c.body)}`);
}
