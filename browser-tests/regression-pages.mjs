// The pages of issue 14 in headless Chromium, one step per line on stdout (BrowserRegressionPagesTest):
//   node regression-pages.mjs <commit page URL> <known key> <issue id> <issue URL> <compare page URL> <failing key>
// 1. on the commit page, <known key>'s row carries the "known: <issue id>" badge linking to <issue URL> and no
// "new" badge, and the failure counts split new from known; 2. the compare page lists <failing key> under
// "Still failing" and its summary counts what the section lists; 3. no script error, failed request or CSP violation; prints OK.
import { chromium } from 'playwright-core';

const [commitUrl, knownKey, issueId, issueUrl, compareUrl, failingKey] = process.argv.slice(2);
if (!failingKey) {
  console.error('usage: node regression-pages.mjs <commit url> <known key> <issue id> <issue url> <compare url> <failing key>');
  process.exit(2);
}
const TIMEOUT = Number(process.env.BROWSER_TEST_TIMEOUT_MS || 60000);

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync'],
});
const problems = [];
try {
  const page = await browser.newPage();
  page.setDefaultTimeout(TIMEOUT);
  page.on('pageerror', (e) => problems.push('script error: ' + e.message));
  page.on('response', (r) => {
    if (r.status() >= 400) { problems.push(`HTTP ${r.status()} for ${r.url()}`); }
  });
  page.on('console', (m) => {
    if (m.type() === 'error') { problems.push('console error: ' + m.text()); }
  });
  const open = async (url) => {
    const response = await page.goto(url);
    if (!response || response.status() !== 200) {
      throw new Error(`GET ${url}: ${response ? response.status() : 'no response'}`);
    }
  };

  await open(commitUrl);
  const row = page.locator(`table.results tbody tr[data-key="${knownKey}"]`);
  await row.waitFor({ state: 'visible' });
  const badge = row.locator('a.badge-known');
  await badge.waitFor({ state: 'visible' });
  const text = (await badge.textContent()).trim();
  if (text !== `known: ${issueId}`) { throw new Error(`badge says "${text}"`); }
  if (await badge.getAttribute('href') !== issueUrl) {
    throw new Error(`badge links to ${await badge.getAttribute('href')}, not ${issueUrl}`);
  }
  if (await row.locator('.badge-failing').count() > 0) { throw new Error('a known failure still shows "new"'); }
  const counts = (await page.locator('#failure-counts').textContent()).trim();
  if (!/ 1 known$/.test(counts)) { throw new Error(`failure counts say "${counts}"`); }
  console.log('step: known badge shown');

  await open(compareUrl);
  const summary = (await page.locator('#compare-summary').textContent()).trim();
  const rows = page.locator('table[data-section="still-failing"] tbody tr');
  await page.locator(`table[data-section="still-failing"] tr[data-key="${failingKey}"]`).waitFor({ state: 'visible' });
  if (!summary.includes(` ${await rows.count()} still failing`)) {
    throw new Error(`compare summary says "${summary}", the page lists ${await rows.count()} still failing`);
  }
  console.log('step: compare shown');

  if (problems.length > 0) { throw new Error(problems.join('\n')); }
  console.log('OK');
} catch (e) {
  console.error(e.stack || String(e));
  if (problems.length > 0) { console.error(problems.join('\n')); }
  process.exitCode = 1;
} finally {
  await browser.close();
}
