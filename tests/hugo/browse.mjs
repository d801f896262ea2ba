// Browser checks of the Hugo example site (run by tests/hugo/run.sh):
//   node tests/hugo/browse.mjs <base URL> <site data/charts dir>
// Prints "ok - …" / "not ok - …" lines and "# browse done" at the end.
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(join(process.cwd(), 'package.json'));
const { chromium } = require('playwright-core');

const [base, chartsDir] = process.argv.slice(2);
mkdirSync('test-artifacts', { recursive: true });
let failures = 0;
function check(name, cond, detail) {
  if (cond) console.log(`ok - ${name}`);
  else {
    failures++;
    console.log(`not ok - ${name}${detail === undefined ? '' : `: ${typeof detail === 'string' ? detail : JSON.stringify(detail)}`}`);
  }
}
const isPlotly = (u) => /\/plotly-basic\.min(\.[0-9a-f]+)?\.js$/.test(u);
const readJson = (lang, file) => JSON.parse(readFileSync(join(chartsDir, lang, file), 'utf8'));

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
    '--disable-component-update', '--no-first-run', '--disable-sync'],
});

/** Opens `path` in a fresh context; returns the page and what it logged and fetched. */
async function open(path, options = {}) {
  const context = await browser.newContext(options);
  const page = await context.newPage();
  const log = { errors: [], requests: [], dialogs: 0 };
  page.on('console', (m) => { if (m.type() === 'error') log.errors.push(m.text()); });
  page.on('pageerror', (e) => log.errors.push(String(e)));
  page.on('request', (r) => log.requests.push(r.url()));
  page.on('response', (r) => { if (r.status() >= 400) log.errors.push(`HTTP ${r.status()} ${r.url()}`); });
  page.on('dialog', (d) => { log.dialogs++; d.dismiss(); });
  const response = await page.goto(base + path, { waitUntil: 'load' });
  await page.waitForFunction(
    () => [...document.querySelectorAll('figure[data-modelpulse-chart]')]
      .every((f) => f.dataset.state === 'ready' || f.dataset.state === 'error'),
    null, { timeout: 30000 },
  ).catch(() => {});
  return { context, page, log, status: response.status() };
}

/** What each chart on the page shows: id, caption, state, traces drawn and in the embedded JSON. */
function charts(page) {
  return page.$$eval('figure[data-modelpulse-chart]', (figs) => figs.map((f) => {
    const gd = f.querySelector('.modelpulse-chart__plot');
    const embedded = f.querySelector('script.modelpulse-chart__figure');
    return {
      id: f.dataset.modelpulseChart,
      caption: f.querySelector('figcaption')?.textContent.trim(),
      labelledBy: gd?.getAttribute('aria-labelledby'),
      state: f.dataset.state,
      svg: f.querySelectorAll('.main-svg').length,
      drawnTraces: gd?._fullData?.length ?? -1,
      svgTraces: f.querySelectorAll('.cartesianlayer .trace').length,
      jsonTraces: embedded ? JSON.parse(embedded.textContent).data.length : -1,
      width: gd?.getBoundingClientRect().width ?? 0,
      fontColor: gd?._fullLayout?.font?.color,
      // plotly.js's own schema check of the exported figure (attributes unknown to 4.1, bad values).
      invalid: embedded ? (window.Plotly.validate(JSON.parse(embedded.textContent).data,
        JSON.parse(embedded.textContent).layout) || []).map((e) => e.msg) : [],
    };
  }));
}

const titles = { en: readJson('en', 'charts.json'), id: readJson('id', 'charts.json') };
const titleOf = (lang, id) => titles[lang].find((c) => c.id === id)?.title;

for (const [lang, path] of [['en', '/posts/dashboard-walkthrough/'], ['id', '/id/posts/dashboard-walkthrough/']]) {
  const { context, page, log, status } = await open(path, { viewport: { width: 900, height: 900 } });
  check(`${lang}: page served (${path})`, status === 200, status);
  const cs = await charts(page);
  check(`${lang}: at least two charts embedded`, cs.length >= 2, cs.length);
  for (const c of cs) {
    const expected = readJson(lang, `${c.id}.json`).data.length;
    check(`${lang}/${c.id}: drawn (state ready, .main-svg present)`, c.state === 'ready' && c.svg > 0, c);
    check(`${lang}/${c.id}: trace count as in the exported JSON (${expected})`,
      c.jsonTraces === expected && c.drawnTraces === expected && c.svgTraces === expected, c);
    check(`${lang}/${c.id}: figure passes Plotly.validate`, c.invalid.length === 0, c.invalid);
    check(`${lang}/${c.id}: caption is the ${lang} title and labels the plot`,
      c.caption === titleOf(lang, c.id) && c.labelledBy, c);
    check(`${lang}/${c.id}: fills the column width`, c.width > 600, c.width);
  }
  if (lang === 'id') {
    check('id: Indonesian titles differ from English', cs.every((c) => c.caption !== titleOf('en', c.id)), cs.map((c) => c.caption));
    check('id: html lang is Indonesian', (await page.getAttribute('html', 'lang')).startsWith('id'));
    const modebar = await page.$$eval('.modebar-btn', (bs) => bs.map((b) => b.getAttribute('data-title')));
    check('id: Plotly mode bar in Indonesian (figure carries the id locale)', modebar.includes('Perbesar area'), modebar.slice(0, 6));
  } else {
    const modebar = await page.$$eval('.modebar-btn', (bs) => bs.map((b) => b.getAttribute('data-title')));
    check('en: no "Share chart" (Plotly Cloud) button', modebar.length > 0 && !modebar.some((t) => /share/i.test(t)), modebar);
  }
  const plotly = log.requests.filter((u) => isPlotly(u));
  check(`${lang}: plotly.js fetched exactly once, from the site itself`,
    plotly.length === 1 && plotly[0].startsWith(base), plotly);
  check(`${lang}: chart script fetched once`, log.requests.filter((u) => /\/modelpulse\/charts(\.[0-9a-f]+)?\.js$/.test(u)).length === 1);
  check(`${lang}: no request leaves the site`, log.requests.every((u) => u.startsWith(base) || u.startsWith('data:')),
    log.requests.filter((u) => !u.startsWith(base)));
  check(`${lang}: no console errors`, log.errors.length === 0, log.errors);
  await page.screenshot({ path: `test-artifacts/hugo-${lang}.png`, fullPage: true });
  // Language switcher leads to the other translation.
  const other = await page.$eval('.lang-switch a', (a) => a.getAttribute('href'));
  check(`${lang}: language switcher links the other translation`,
    other === (lang === 'en' ? '/id/posts/dashboard-walkthrough/' : '/posts/dashboard-walkthrough/'), other);
  await context.close();
}

// Dark mode: the chart text follows prefers-color-scheme.
{
  const { context, page, log } = await open('/posts/dashboard-walkthrough/', { colorScheme: 'dark' });
  const cs = await charts(page);
  check('dark: charts drawn with light text', cs.length > 0 && cs.every((c) => c.state === 'ready' && c.fontColor === '#e0e0e0'), cs.map((c) => c.fontColor));
  check('dark: no console errors', log.errors.length === 0, log.errors);
  await page.screenshot({ path: 'test-artifacts/hugo-dark.png', fullPage: true });
  await context.close();
}

// Without JavaScript, each chart is a table of its data (the <noscript> fallback).
{
  const { context, page, log } = await open('/id/posts/dashboard-walkthrough/', { javaScriptEnabled: false });
  const tables = await page.$$eval('figure[data-modelpulse-chart]', (figs) => figs.map((f) => {
    const t = f.querySelector('table');
    return t && { id: f.dataset.modelpulseChart, caption: t.querySelector('caption')?.textContent,
      cols: t.querySelectorAll('thead th').length, rows: t.querySelectorAll('tbody tr').length,
      first: t.querySelector('tbody td')?.textContent };
  }));
  check('noscript: every chart shows a table', tables.length >= 2 && tables.every(Boolean), tables);
  for (const t of tables.filter(Boolean)) {
    const fig = readJson('id', `${t.id}.json`);
    const dates = new Set(fig.data.flatMap((tr) => tr.x));
    check(`noscript ${t.id}: one row per date, one column per series, Indonesian caption`,
      t.rows === dates.size && t.cols === fig.data.length + 1 && t.caption === fig.layout.title.text, t);
  }
  check('noscript: numbers in Indonesian format', tables.some((t) => t && /^\d+,\d+%$/.test(t.first)), tables.map((t) => t && t.first));
  check('noscript: no script requests', !log.requests.some((u) => u.endsWith('.js')), log.requests);
  await context.close();
}

// A page without charts loads neither plotly.js nor the chart script.
{
  const { context, log } = await open('/');
  check('home (no chart): plotly.js not loaded', !log.requests.some((u) => u.includes('plotly')), log.requests);
  await context.close();
}

// src=: the figure is fetched when viewed; plotly.js still loads once for both charts.
{
  const { context, page, log } = await open('/posts/fetched/');
  const cs = await charts(page);
  const expected = readJson('en', 'token-usage.json');
  const fetched = cs.find((c) => c.id === '/charts/token-usage.json');
  check('src: fetched chart drawn with the trace count of its JSON',
    fetched && fetched.state === 'ready' && fetched.drawnTraces === expected.data.length && fetched.svg > 0, cs);
  check('src: caption is the figure title', fetched && fetched.caption === expected.layout.title.text, fetched);
  check('src: figure JSON fetched once', log.requests.filter((u) => u.endsWith('/charts/token-usage.json')).length === 1);
  check('src: embedded chart beside it drawn too', cs.length === 2 && cs.every((c) => c.state === 'ready'), cs);
  check('src: embedded figure passes Plotly.validate', cs.every((c) => c.invalid.length === 0), cs.map((c) => c.invalid));
  const fetchedInvalid = await page.evaluate((f) => (window.Plotly.validate(f.data, f.layout) || []).map((e) => e.msg), expected);
  check('src: fetched figure passes Plotly.validate', fetchedInvalid.length === 0, fetchedInvalid);
  check('src: plotly.js fetched exactly once', log.requests.filter((u) => isPlotly(u)).length === 1);
  const height = await page.$eval('figure.wide .modelpulse-chart__plot', (e) => e.getBoundingClientRect().height);
  check('src: height and class parameters applied', Math.round(height) === 300, height);
  check('src: no console errors', log.errors.length === 0, log.errors);
  await context.close();
}

// Markup in a provider name is shown as text, never as HTML.
{
  const { context, page, log } = await open('/posts/escaping/');
  const cs = await charts(page);
  check('escaping: chart drawn', cs.length === 1 && cs[0].state === 'ready', cs);
  const imgs = await page.$$eval('figure img', (els) => els.length);
  const legend = await page.$$eval('figure .legendtext', (els) => els.map((e) => e.textContent));
  check('escaping: no <img> element created', imgs === 0, imgs);
  check('escaping: the name is shown literally in the legend', legend.includes('<img src=x onerror=alert(1)>'), legend);
  const noscript = await page.$eval('figure noscript', (n) => n.textContent);
  check('escaping: the noscript table escapes it', noscript.includes('&lt;img src=x onerror=alert(1)&gt;') && !noscript.includes('<img'), noscript.slice(0, 400));
  check('escaping: no dialog opened, no console errors', log.dialogs === 0 && log.errors.length === 0, log);
  await context.close();
}

await browser.close();
console.log(`# browse done (${failures} failed)`);
