// The pages of issue 14 in headless Chromium, one step per line on stdout (BrowserRegressionPagesTest):
//   node regression-pages.mjs <commit page URL> <known key> <issue id> <issue URL> <compare page URL> <failing key>
//        [<branch page URL>]
// 1. on the commit page, <known key>'s row carries the "known: <issue id>" badge linking to <issue URL> and no
// "new" badge, and the failure counts split new from known; 2. the compare page lists <failing key> under
// "Still failing" and its summary counts what the section lists; 3. with a branch page URL, the page announces
// its Atom feed in its head and shows a "feed" link to the same URL, which the page's own fetch gets as
// application/atom+xml that the browser's XML parser reads as an Atom feed; 4. no script error, failed request or
// CSP violation; prints OK.
import { checkPage } from './checked-page.mjs';

const [commitUrl, knownKey, issueId, issueUrl, compareUrl, failingKey, branchUrl] = process.argv.slice(2);
if (!failingKey) {
  console.error('usage: node regression-pages.mjs <commit url> <known key> <issue id> <issue url> <compare url> <failing key>');
  process.exit(2);
}
await checkPage(async (page) => {
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

  if (branchUrl) {
    await open(branchUrl);
    const announced = await page.locator('head link[rel="alternate"][type="application/atom+xml"]').getAttribute('href');
    const link = page.locator('#feed-link');
    await link.waitFor({ state: 'visible' });
    if ((await link.textContent()).trim() !== 'feed') { throw new Error(`feed link says "${await link.textContent()}"`); }
    if (await link.getAttribute('href') !== announced) {
      throw new Error(`feed link ${await link.getAttribute('href')} is not the announced ${announced}`);
    }
    const feed = await page.evaluate(async (href) => {
      const r = await fetch(href);
      const doc = new DOMParser().parseFromString(await r.text(), 'application/xml');
      return { status: r.status, type: r.headers.get('content-type'), ns: doc.documentElement.namespaceURI,
        root: doc.documentElement.localName, errors: doc.getElementsByTagName('parsererror').length };
    }, announced);
    if (feed.status !== 200 || feed.type !== 'application/atom+xml; charset=utf-8' || feed.errors !== 0
        || feed.root !== 'feed' || feed.ns !== 'http://www.w3.org/2005/Atom') {
      throw new Error('the feed is not Atom: ' + JSON.stringify(feed));
    }
    console.log('step: feed linked');
  }
});
