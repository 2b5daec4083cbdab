// Drives the dashboard's live status page (/ci?status, static/status.js) in headless Chromium, one step per
// line on stdout so the JUnit test (BrowserStatusPageTest) can act between steps:
//   node status-page.mjs <status page URL> <host>
// 1. the page loads with <host>'s slots idle and subscribes to the event stream: READY;
// 2. a batch starts: its slot turns busy and a job row appears, without a reload: BUSY <test file>;
// 3. the next batch (another test file) takes the slot: the slot's line and lease change: CHANGED <test file>;
// 4. the last batch ends: the slot is idle again and the job row is gone: IDLE;
// 5. no script error, failed request or CSP violation happened: OK.
import { checkPage } from './checked-page.mjs';

const [url, host] = process.argv.slice(2);
if (!url || !host) {
  console.error('usage: node status-page.mjs <url> <host>');
  process.exit(2);
}
await checkPage(async (page) => {
  const slot = page.locator(`#hosts li.slot[data-slot="${host}:0"]`);
  // What the page shows for the slot: its state, its lease, its line, and the job rows.
  const shown = () => page.evaluate(([name]) => {
    const li = document.querySelector(`#hosts li.slot[data-slot="${name}"]`);
    return li && {
      busy: li.classList.contains('slot-busy'), lease: li.dataset.lease || '', line: li.textContent,
      jobs: document.querySelectorAll('#jobs tr').length, summary: document.getElementById('summary').textContent,
    };
  }, [`${host}:0`]);
  const testOf = (line) => (line.match(/ (\S+\.ktest) /) || [])[1];

  const response = await page.goto(url);
  if (!response || response.status() !== 200) {
    throw new Error(`GET ${url}: ${response ? response.status() : 'no response'}`);
  }
  await slot.waitFor({ state: 'attached' });
  await page.locator('#live-status[data-live="open"]').waitFor({ state: 'attached' });
  const idle = await shown();
  if (idle.busy || idle.lease || idle.jobs !== 0) { throw new Error('the slot is not idle at first: ' + JSON.stringify(idle)); }
  console.log('READY');

  await page.waitForFunction(([name]) => {
    const li = document.querySelector(`#hosts li.slot[data-slot="${name}"]`);
    return li && li.classList.contains('slot-busy') && li.dataset.lease
      && document.querySelectorAll('#jobs tr').length === 1;
  }, [`${host}:0`]);
  const first = await shown();
  if (!/ 1 running /.test(first.summary)) { throw new Error('summary while busy: ' + first.summary); }
  console.log('BUSY ' + testOf(first.line));

  await page.waitForFunction(([name, lease]) => {
    const li = document.querySelector(`#hosts li.slot[data-slot="${name}"]`);
    return li && li.classList.contains('slot-busy') && li.dataset.lease && li.dataset.lease !== lease;
  }, [`${host}:0`, first.lease]);
  const second = await shown();
  if (testOf(second.line) === testOf(first.line)) { throw new Error('the slot line did not change: ' + second.line); }
  console.log('CHANGED ' + testOf(second.line));

  await page.waitForFunction(([name]) => {
    const li = document.querySelector(`#hosts li.slot[data-slot="${name}"]`);
    return li && !li.classList.contains('slot-busy') && !li.dataset.lease
      && document.querySelectorAll('#jobs tr').length === 0;
  }, [`${host}:0`]);
  const after = await shown();
  if (!/ 0 running /.test(after.summary)) { throw new Error('summary when idle: ' + after.summary); }
  console.log('IDLE');
});
