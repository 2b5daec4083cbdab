// The commit page as a developer meets it, in headless Chromium (bench/run page starts the dashboard and runs
// this; BENCHMARKS.md says what the figures mean):
//   node page-bench.mjs <commit page URL> <first failed key> <text in its log> [runs]
// Per run, in a new tab of one browser context (so the page and its scripts are in the HTTP cache: warm), all
// timed from the navigation's start (performance.timeOrigin):
//   row   the first failed row is on screen (laid out inside the viewport, seen by a requestAnimationFrame loop;
//         also printed: when it was first laid out anywhere, maybe below the fold);
//   load  the load event starts;
//   log   its log text is on screen, after a click on its log link made as soon as the row showed (in the page's
//         log pane, or as the document navigated to when no script handled the click).
// Then the medians and worst runs against the targets of issue 15 item 5, beside the medians of the same page
// filtered to the failed row alone (test=^key$), run first: what any page costs on this machine at the time.
import { launch } from './checked-page.mjs';

const [url, key, logText, runsArg] = process.argv.slice(2);
if (!url || !key || !logText) {
  console.error('usage: node page-bench.mjs <url> <first failed key> <text in its log> [runs]');
  process.exit(2);
}
const RUNS = Number(runsArg || 10);
const WARMUP = 2;
const TARGETS = { row: 300, load: 1000, log: 1000 };

const browser = await launch();
try {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  // Runs before any of the page's own scripts: notes the first frame in which the row is on screen.
  await context.addInitScript(([k]) => {
    const seen = {};
    window.__pageBench = seen;
    // When the click reaches the page (before any handler of the page's own).
    window.addEventListener('click', () => { if (seen.click === undefined) { seen.click = performance.now(); } }, true);
    const check = () => {
      const tr = document.querySelector('table.results tr[data-key="' + CSS.escape(k) + '"]');
      if (tr) {
        const box = tr.getBoundingClientRect();
        if (box.height > 0 && seen.laidOut === undefined) { seen.laidOut = performance.now(); }
        if (box.height > 0 && box.bottom > 0 && box.top < window.innerHeight) {
          seen.row = performance.now();
          return;
        }
      }
      requestAnimationFrame(check);
    };
    requestAnimationFrame(check);
  }, [key]);

  // The same page with only the failed row (test=^key$): what this machine needs for any page, the floor.
  const floorUrl = url + '&test=' + encodeURIComponent('^' + key.replace(/[^A-Za-z0-9]/g, '\\$&') + '$');
  const floor = [];
  for (let i = 0; i < WARMUP + RUNS; i++) {
    const r = await run(context, floorUrl);
    if (i >= WARMUP) { floor.push(r); }
  }
  const results = [];
  for (let i = 0; i < WARMUP + RUNS; i++) {
    const r = await run(context, url);
    if (i >= WARMUP) {
      results.push(r);
      console.log(`run ${i - WARMUP + 1}: first failed row on screen ${ms(r.row)} (laid out ${ms(r.laidOut)}), load event ${ms(r.load)}, `
        + `log on screen after the click ${ms(r.log)}${r.navigated ? ' (navigated to the log)' : ''}; `
        + `${r.rows} rows in the DOM, ${r.bytes} bytes of HTML`);
    }
  }
  for (const [name, what] of [['row', 'first failed row on screen'], ['laidOut', '  (laid out, maybe below)'],
    ['load', 'load event'], ['log', 'click → log on screen']]) {
    const xs = results.map((r) => r[name]).sort((a, b) => a - b);
    const median = xs[Math.floor((xs.length - 1) / 2)];
    const worst = xs[xs.length - 1];
    const fs = floor.map((r) => r[name]).sort((a, b) => a - b);
    const target = TARGETS[name];
    console.log(`${what.padEnd(28)} median ${ms(median)}  worst ${ms(worst)}  (one-row page: median `
      + `${ms(fs[Math.floor((fs.length - 1) / 2)])})` + (target === undefined ? ''
      : `  (target ≤ ${target} ms: ${median <= target ? 'met' : 'NOT met'} by the median, `
        + `${worst <= target ? 'met' : 'not met'} by the worst of ${xs.length})`));
  }
} finally {
  await browser.close();
}

function ms(x) { return `${Math.round(x)} ms`; }

async function run(context, url) {
  const page = await context.newPage();
  page.setDefaultTimeout(120000);
  try {
    const response = await page.goto(url, { waitUntil: 'commit' });
    if (!response || response.status() !== 200) {
      throw new Error(`GET ${url}: ${response ? response.status() : 'no response'}`);
    }
    const shown = await (await page.waitForFunction(() => window.__pageBench && window.__pageBench.row !== undefined
      && { origin: performance.timeOrigin, row: window.__pageBench.row, laidOut: window.__pageBench.laidOut }, null, { polling: 'raf' })).jsonValue();
    await page.locator(`table.results tr[data-key="${key}"] a.log`).first().click();
    // Survives a navigation: playwright runs the predicate again in the new document.
    const logged = await (await page.waitForFunction(([text]) => {
      const pane = document.getElementById('testlog');
      const inPane = pane !== null && pane.textContent.includes(text);
      const asDocument = pane === null && document.body !== null && document.body.textContent.includes(text);
      return (inPane || asDocument) && { at: performance.timeOrigin + performance.now(), navigated: asDocument };
    }, [logText], { polling: 'raf' })).jsonValue();
    let load;
    let rows;
    let bytes;
    if (logged.navigated) {
      // The commit page is gone; its load event is measured by a run without the click.
      await page.goto(url, { waitUntil: 'load' });
    } else {
      await page.waitForLoadState('load');
    }
    let where;
    ({ load, rows, bytes, where } = await page.evaluate(() => {
      const nav = performance.getEntriesByType('navigation')[0];
      const fcp = performance.getEntriesByName('first-contentful-paint')[0];
      const r = Math.round;
      return { load: nav.loadEventStart, rows: document.querySelectorAll('table.results tbody tr').length,
        bytes: nav.decodedBodySize,
        where: `response ${r(nav.responseStart)}–${r(nav.responseEnd)}, first paint ${fcp ? r(fcp.startTime) : '?'}, `
          + `DOM interactive ${r(nav.domInteractive)}, DOMContentLoaded ${r(nav.domContentLoadedEventStart)}, `
          + `click dispatched ${window.__pageBench && window.__pageBench.click !== undefined ? r(window.__pageBench.click) : '?'}` };
    }));
    if (process.env.PAGE_BENCH_DETAIL) { console.log('  ' + where); }
    return { row: shown.row, laidOut: shown.laidOut, load, log: logged.at - shown.origin, navigated: logged.navigated, rows, bytes };
  } finally {
    await page.close();
  }
}
