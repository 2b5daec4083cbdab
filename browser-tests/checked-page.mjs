// What the browser scripts share: headless Chromium as CI runs it, and a page whose every script error, failed
// request (HTTP >= 400, CSP violations included) and console error is noted, so a check fails on any of them.
import { chromium } from 'playwright-core';

export const TIMEOUT = Number(process.env.BROWSER_TEST_TIMEOUT_MS || 60000);

/** The system's Chromium (never a downloaded one). */
export function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    // No sandbox: CI runs as root. No background networking: the CI machine has no route out.
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
}

/**
 * Runs check(page, browser) on a new page of a fresh browser, then prints OK when it ended with no problem
 * noted; else prints the error and the problems on stderr and sets exit status 1.
 */
export async function checkPage(check) {
  const browser = await launch();
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
    await check(page, browser);
    if (problems.length > 0) { throw new Error(problems.join('\n')); }
    console.log('OK');
  } catch (e) {
    console.error(e.stack || String(e));
    if (problems.length > 0) { console.error(problems.join('\n')); }
    process.exitCode = 1;
  } finally {
    await browser.close();
  }
}
