// Drives the dashboard's commit page in headless Chromium, one step per line on stdout so the JUnit
// test (BrowserCommitPageTest) can follow along and act between steps:
//   node commit-page.mjs <commit page URL> <failed key> <text in its log> <live key>
// 1. the failed test's row is shown (the default filter is "failed"), 2. clicking it loads its log into the
// log pane, 3. with the filter on "all", prints READY-FOR-LIVE and waits for <live key>'s row to turn
// Passed without a reload (server-sent events), 4. no script error or CSP violation happened; prints OK.
import { chromium } from 'playwright-core';

const [url, failedKey, logText, liveKey] = process.argv.slice(2);
if (!url || !failedKey || !logText || !liveKey) {
  console.error('usage: node commit-page.mjs <url> <failed key> <text in its log> <live key>');
  process.exit(2);
}
const TIMEOUT = Number(process.env.BROWSER_TEST_TIMEOUT_MS || 60000);

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  // No sandbox: CI runs as root. No background networking: the CI machine has no route out.
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
  const row = (key) => page.locator(`table.results tbody tr[data-key="${key}"]`);

  const response = await page.goto(url);
  if (!response || response.status() !== 200) {
    throw new Error(`GET ${url}: ${response ? response.status() : 'no response'}`);
  }
  // Commit messages are untrusted: markup in one is shown as text, never parsed.
  if (await page.locator('h3 *').count() > 0) { throw new Error('markup from the commit message was rendered'); }
  await row(failedKey).waitFor({ state: 'visible' });
  const shown = (await row(failedKey).locator('td.status').textContent()).trim();
  if (shown !== 'Failed') { throw new Error(`${failedKey} shows "${shown}", not Failed`); }
  console.log('step: failed row shown');

  await row(failedKey).locator('td a.log').first().click();
  await page.waitForFunction(([text]) => document.getElementById('testlog').textContent.includes(text), [logText]);
  if (!page.url().startsWith(url)) { throw new Error('clicking the log navigated away to ' + page.url()); }
  console.log('step: log shown');

  await page.locator('.status-filter input[value="all"]').check();
  // Subscribed once the page's EventSource is open.
  await page.locator('#live[data-state="open"]').waitFor({ state: 'attached' });
  console.log('READY-FOR-LIVE');

  await page.waitForFunction(([key]) => {
    const tr = document.querySelector(`table.results tbody tr[data-key="${key}"]`);
    return tr && tr.querySelector('td.status').textContent === 'Passed' && !tr.classList.contains('hidden');
  }, [liveKey]);
  console.log('step: live verdict shown');
  if (problems.length > 0) { throw new Error(problems.join('\n')); }
  console.log('OK');
} catch (e) {
  console.error(e.stack || String(e));
  if (problems.length > 0) { console.error(problems.join('\n')); }
  process.exitCode = 1;
} finally {
  await browser.close();
}
