// Drives the dashboard's commit page in headless Chromium, one step per line on stdout so the JUnit
// test (BrowserCommitPageTest) can follow along and act between steps:
//   node commit-page.mjs <commit page URL> <failed key> <text in its log> <live key> [<passed key> <passed key on page 2>]
// 1. the failed test's row is shown (the default filter is "failures"), 2. clicking it loads its log into the
// log pane, 3. the "Passed" filter swaps in the passes without a reload, 4. scrolling to the pager adds the next
// page's rows, 5. without scripts: the failure is listed, the filter form and the pager are plain GET navigation
// and the log link opens the log, 6. with the filter on "all", prints READY-FOR-LIVE and waits for <live key>'s row
// to turn Passed without a reload (server-sent events), 7. no script error or CSP violation happened; prints OK.
import { checkPage, TIMEOUT } from './checked-page.mjs';

const [url, failedKey, logText, liveKey, passedKey, page2Key] = process.argv.slice(2);
if (!url || !failedKey || !logText || !liveKey) {
  console.error('usage: node commit-page.mjs <url> <failed key> <text in its log> <live key>');
  process.exit(2);
}
await checkPage(async (page, browser) => {
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

  if (passedKey) {
    // A reload would drop this mark.
    await page.evaluate(() => { window.__sameDocument = true; });
    await page.locator('.status-filter input[value="passed"]').check();
    await row(passedKey).waitFor({ state: 'visible' });
    if (await row(failedKey).count() !== 0) { throw new Error('the failure is still listed under "Passed"'); }
    if (!page.url().includes('show=passed')) { throw new Error('the address does not say show=passed: ' + page.url()); }
    const first = await page.locator('table.results tbody tr').count();
    if (first !== 100) { throw new Error(`the first page of passes has ${first} rows, not 100`); }
    if (await row(page2Key).count() !== 0) { throw new Error(page2Key + ' is on the first page'); }
    console.log('step: passes shown');

    await page.locator('.pager').scrollIntoViewIfNeeded();
    await row(page2Key).waitFor({ state: 'attached' });
    const both = await page.locator('table.results tbody tr').count();
    const range = (await page.locator('.pager .range').textContent()).trim();
    const same = await page.evaluate(() => window.__sameDocument);
    if (both !== 121 || range !== 'rows 1–121 of 121' || !same) {
      throw new Error(`after scrolling: ${both} rows, pager "${range}", same document: ${same}`);
    }
    console.log('step: next page added on scroll');

    const plain = await browser.newContext({ javaScriptEnabled: false });
    const bare = await plain.newPage();
    bare.setDefaultTimeout(TIMEOUT);
    await bare.goto(url);
    const bareRow = (key) => bare.locator(`table.results tbody tr[data-key="${key}"]`);
    await bareRow(failedKey).waitFor({ state: 'visible' });
    await bare.locator('.status-filter input[value="passed"]').check();
    await Promise.all([bare.waitForURL(/show=passed/), bare.locator('.status-filter button[type="submit"]').click()]);
    await bareRow(passedKey).waitFor({ state: 'visible' });
    await Promise.all([bare.waitForURL(/page=2/), bare.locator('.pager a.page-next').click()]);
    await bareRow(page2Key).waitFor({ state: 'visible' });
    await bare.goto(url);
    await Promise.all([bare.waitForURL(/log\.br$/), bareRow(failedKey).locator('td a.log').first().click()]);
    if (!(await bare.locator('body').textContent()).includes(logText)) { throw new Error('without scripts, the log link does not show the log'); }
    await plain.close();
    console.log('step: works without scripts');
  }

  await page.locator('.status-filter input[value="all"]').check();
  // Subscribed once the page's EventSource is open.
  await page.locator('#live[data-state="open"]').waitFor({ state: 'attached' });
  console.log('READY-FOR-LIVE');

  await page.waitForFunction(([key]) => {
    const tr = document.querySelector(`table.results tbody tr[data-key="${key}"]`);
    return tr && tr.querySelector('td.status').textContent === 'Passed' && !tr.classList.contains('hidden');
  }, [liveKey]);
  console.log('step: live verdict shown');
});
