// Shared by the browser suites (tests/e2e, tests/ranges, tests/refresh): Debian's Chromium driven
// by playwright-core with the flags this machine needs (no background networking: the network is
// closed), and a page opener that records console errors and uncaught exceptions.
import { chromium } from 'playwright-core';

export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--no-first-run', '--disable-sync'];

/** Starts /usr/bin/chromium headless with a fresh profile. */
export function launchChromium() {
  return chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
}

/** Resolves when the dashboard at `page` has settled: `data-state` is `ready` or `error`. */
export function waitSettled(page, timeout = 60000) {
  return page.waitForFunction(() => ['ready', 'error'].includes(document.documentElement.dataset.state), null, { timeout });
}

/**
 * Opens `url` in a new context (1400x1000, downloads allowed) and waits with `settle(page)`
 * (default: `waitSettled`). Returns the context, the page, the log of console errors and page
 * errors, and `close()`.
 */
export async function openPage(browser, url, { settle = (p) => waitSettled(p) } = {}) {
  const ctx = await browser.newContext({ acceptDownloads: true, viewport: { width: 1400, height: 1000 } });
  const page = await ctx.newPage();
  const log = { consoleErrors: [], pageErrors: [] };
  page.on('console', (m) => { if (m.type() === 'error') log.consoleErrors.push(m.text()); });
  page.on('pageerror', (e) => log.pageErrors.push(String(e)));
  await page.goto(url);
  await settle(page);
  return { ctx, page, log, close: () => ctx.close() };
}

/**
 * Runs `tests` ({name, fn} in order; with `only`, those whose name contains it), printing
 * `ok   name (ms)` or `FAIL name` with the first lines of the stack. Returns {passed, failed};
 * the caller prints the closing `N passed, M failed` after its own clean-up.
 */
export async function runTests(tests, { only } = {}) {
  let passed = 0, failed = 0;
  for (const t of tests) {
    if (only && !t.name.includes(only)) continue;
    const t0 = Date.now();
    try {
      await t.fn();
      passed++;
      console.log(`ok   ${t.name} (${Date.now() - t0} ms)`);
    } catch (e) {
      failed++;
      console.log(`FAIL ${t.name}\n     ${String(e && e.stack || e).split('\n').slice(0, 6).join('\n     ')}`);
    }
  }
  return { passed, failed };
}
