// Shared setup for the browser tests: the system Chromium through playwright-core (which never
// downloads a browser), the live server's URL and the seed manifest from scripts/run-e2e.sh.
import { readFileSync } from 'node:fs';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS } from './chromium-args.mjs';

function required(name) {
  const v = process.env[name];
  // A test run without a server would otherwise fail in confusing ways (or worse, pass nothing).
  if (!v) throw new Error(`${name} is not set: run the browser tests through scripts/run-e2e.sh`);
  return v;
}

export const BASE_URL = required('E2E_BASE_URL').replace(/\/$/, '');
export const manifest = JSON.parse(readFileSync(required('E2E_MANIFEST'), 'utf8'));

export async function launch() {
  return chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', args: CHROMIUM_ARGS });
}

/**
 * A fresh page that records uncaught exceptions, console errors and failed API calls, so a test
 * also fails when the UI throws behind a view that happens to look right.
 */
export async function openPage(browser) {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  context.setDefaultTimeout(15000);
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console.error: ${m.text()}`); });
  page.problems = problems;
  page.expectedErrors = [];
  return page;
}

/** Go to a hash route (`/experiments/1`) and wait for the app shell to have loaded it. */
export async function go(page, hash) {
  await page.goto(`${BASE_URL}/#${hash}`);
  await page.waitForFunction(() => !document.querySelector('#app > .loading'));
}

/** No uncaught errors except console noise the test announced (e.g. a deliberately bad filter). */
export function assertClean(page) {
  const unexpected = page.problems.filter((p) => !page.expectedErrors.some((re) => re.test(p)));
  assert.deepEqual(unexpected, [], 'the page logged errors');
}

/** Texts of all matches, trimmed. */
export async function texts(locator) {
  return (await locator.allTextContents()).map((t) => t.trim());
}

/** Run names in the runs table, in display order (rows are virtualized but all fit here). */
export async function runNames(page) {
  return page.getByTestId('runs-table').getByTestId('vt-row')
    .evaluateAll((rows) => rows
      .sort((a, b) => Number(a.dataset.index) - Number(b.dataset.index))
      .map((r) => r.querySelector('[data-testid="run-link"]').textContent.trim()));
}

/** Poll `fn` until it stops throwing (assertions against a UI that is still loading). */
export async function eventually(fn, timeoutMs = 10000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await fn();
    } catch (e) {
      if (Date.now() > deadline) throw e;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}
