// The benchmarks' browser: Debian's headless Chromium with the flags the tests use, plus
// CHROME_ARGS (space-separated, e.g. "--js-flags=--wasm-tiering-budget=1000000000") for
// experiments; a fresh profile per launch, and a page of 1400×1000.
import { chromium } from 'playwright-core';

/** Launches Chromium; returns `{ browser, page }`. */
export async function launchPage() {
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--no-first-run', '--disable-sync',
      ...(process.env.CHROME_ARGS || '').split(' ').filter(Boolean)],
  });
  const page = await (await browser.newContext({ viewport: { width: 1400, height: 1000 } })).newPage();
  return { browser, page };
}
