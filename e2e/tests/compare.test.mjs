// Compare page (#/compare?runs=...): reached from the runs table, a table lining up the chosen
// runs' params/metrics/tags, and a line chart with one series per run that has the metric.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, openPage, go, assertClean, texts, eventually, manifest } from '../lib.mjs';

let browser;
let page;
before(async () => { browser = await launch(); page = await openPage(browser); });
after(async () => { await browser?.close(); });

const EXP = manifest.experiments['e2e-alpha'];
const picked = ['baseline', 'tuned', 'best'];
const ids = picked.map((n) => manifest.runs[n].id);
const chart = () => page.getByTestId('compare-line-chart');

/** The chart's drawn series once the page reports the chart ready. */
async function drawnSeries() {
  await eventually(async () => assert.equal(await chart().getAttribute('data-state'), 'ready'));
  return JSON.parse(await chart().locator('.ff-chart').getAttribute('data-series'));
}

/** Cells of the compare-table row `key` in `section`, in column (run) order. */
const rowValues = (section, key) => page.locator(`[data-testid="compare-row"][data-section="${section}"][data-key="${key}"] td`)
  .evaluateAll((tds) => tds.map((td) => td.textContent.trim()));

test('selecting runs in the table and pressing Compare opens them side by side', async () => {
  await go(page, `/experiments/${EXP}`);
  for (const id of ids) await page.locator(`[data-testid="vt-row"][data-key="${id}"]`).getByTestId('row-select').check();
  assert.equal((await page.getByTestId('selection-count').textContent()).trim(), `${ids.length} selected`);
  await page.getByTestId('compare-selected').click();
  await page.waitForURL(/#\/compare\?/);
  const q = new URLSearchParams(new URL(page.url()).hash.split('?')[1]);
  assert.deepEqual(q.get('runs').split(',').sort(), [...ids].sort());
  assert.equal((await page.getByTestId('compare-title').textContent()).trim(), `Comparing ${ids.length} runs`);
  assertClean(page);
});

test('the compare table lines up each run\'s params, metrics and tags', async () => {
  await go(page, `/compare?runs=${ids.join(',')}&experiments=${EXP}`);
  const table = page.getByTestId('compare-table');
  await table.waitFor();
  assert.deepEqual(await texts(table.locator('thead th a')), picked);
  assert.deepEqual(await rowValues('parameters', 'lr'), picked.map((n) => manifest.runs[n].params.lr));
  assert.deepEqual(await rowValues('parameters', 'optimizer'), picked.map((n) => manifest.runs[n].params.optimizer));
  assert.deepEqual((await rowValues('metrics', 'acc')).map(Number), picked.map((n) => manifest.runs[n].acc));
  // Only `best` logged loss: the other columns show the missing-value dash.
  assert.deepEqual(await rowValues('metrics', 'loss'), picked.map((n) => (n === 'best' ? String(manifest.loss.last) : '—')));
  assert.deepEqual(await rowValues('tags', 'team'), ['vision', 'vision', 'vision']);
  // "Only differences" hides the rows where every run agrees.
  await page.getByTestId('compare-diff-only').check();
  await eventually(async () => assert.equal(await page.locator('[data-testid="compare-row"][data-key="team"]').count(), 0));
  assert.equal(await page.locator('[data-testid="compare-row"][data-key="lr"]').count(), 1);
  assertClean(page);
});

test('the compare chart draws one series per run that logged the metric', async () => {
  await go(page, `/compare?runs=${ids.join(',')}&experiments=${EXP}`);
  assert.deepEqual(await texts(page.getByTestId('compare-run')), picked);
  // The first metric alphabetically: every picked run logged acc once, at step 0.
  assert.equal(await page.getByTestId('compare-metric').inputValue(), 'acc');
  assert.deepEqual(await drawnSeries(), picked.map((name) => ({ name, points: 1, xMin: 0, xMax: 0 })));
  // Only `best` has a loss history: one series with all of its steps.
  await page.getByTestId('compare-metric').selectOption('loss');
  await eventually(async () => assert.deepEqual(await drawnSeries(),
    [{ name: 'best', points: manifest.loss.steps, xMin: 0, xMax: manifest.loss.steps - 1 }]));
  assert.equal(new URLSearchParams(new URL(page.url()).hash.split('?')[1]).get('metric'), 'loss');
  assertClean(page);
});
