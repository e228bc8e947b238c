// Runs table: data in cells, the filter box (valid and invalid filters), sorting, the column
// picker and nested runs grouped under their parent.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, openPage, go, assertClean, runNames, eventually, manifest } from '../lib.mjs';

let browser;
let page;
before(async () => { browser = await launch(); page = await openPage(browser); });
after(async () => { await browser?.close(); });

const EXP = manifest.experiments['e2e-alpha'];
const alphaRuns = Object.entries(manifest.runs).filter(([n]) => n !== 'beta-only');
const roots = alphaRuns.filter(([, r]) => !r.parent).map(([n]) => n);
const idOf = (name) => manifest.runs[name].id;
const sorted = (xs) => [...xs].sort();
/** The query part of the hash route, where the runs page keeps its state. */
const hashQuery = (p) => new URLSearchParams(new URL(p.url()).hash.split('?')[1] || '');

async function openRuns(query = '') {
  await go(page, `/experiments/${EXP}${query}`);
  await eventually(async () => assert.match(await page.getByTestId('run-count').textContent(), /^\d+\+? runs?$/));
}

/** Text of the cell under the header `col-<id>` in the row of `runId`. */
async function cell(runId, colId) {
  return page.getByTestId('runs-table').evaluate((table, [key, col]) => {
    const head = [...table.querySelector('[data-testid="vt-head"]').children];
    const idx = head.findIndex((c) => c.dataset.testid === col);
    if (idx < 0) throw new Error(`no column ${col}`);
    const row = table.querySelector(`[data-testid="vt-row"][data-key="${key}"]`);
    if (!row) throw new Error(`no row ${key}`);
    return row.children[idx].textContent.trim();
  }, [runId, `col-${colId}`]);
}

test('shows every seeded run with its params and metrics', async () => {
  await openRuns();
  assert.equal((await page.getByTestId('run-count').textContent()).trim(), `${alphaRuns.length} runs`);
  // Grouped by default: children hide under their (collapsed) parent.
  assert.deepEqual(sorted(await runNames(page)), sorted(roots));
  for (const name of roots) {
    const r = manifest.runs[name];
    assert.equal(await cell(r.id, 'p-lr'), r.params.lr, `${name} lr`);
    assert.equal(await cell(r.id, 'p-optimizer'), r.params.optimizer, `${name} optimizer`);
    assert.equal(Number(await cell(r.id, 'm-acc')), r.acc, `${name} acc`);
    assert.equal(await cell(r.id, 'status'), 'FINISHED');
  }
  // The default order is newest first.
  assert.deepEqual(await runNames(page), ['sweep', 'best', 'tuned', 'baseline']);
  assertClean(page);
});

test('the filter box keeps exactly the matching runs', async () => {
  await openRuns();
  const search = page.getByTestId('run-search');
  await search.fill('metrics.acc > 0.9');
  await search.press('Enter');
  const expected = alphaRuns.filter(([, r]) => r.acc > 0.9).map(([n]) => n);
  assert.equal(expected.length, 3, 'seed has three runs above 0.9');
  await eventually(async () => assert.deepEqual(sorted(await runNames(page)), sorted(expected)));
  assert.equal((await page.getByTestId('run-count').textContent()).trim(), `${expected.length} runs`);
  assert.equal(hashQuery(page).get('filter'), 'metrics.acc > 0.9', 'the filter is kept in the link');
  assert.equal((await page.getByTestId('run-search-error').textContent()).trim(), '');

  await search.fill("params.optimizer = 'adam' and metrics.acc < 0.9");
  await search.press('Enter');
  // Both match, and the child still groups under its parent because the parent matched too.
  await eventually(async () => assert.deepEqual(await runNames(page), ['sweep']));
  assert.equal((await page.getByTestId('run-count').textContent()).trim(), '2 runs');
  const parentRow = page.locator(`[data-testid="vt-row"][data-key="${idOf('sweep')}"]`);
  assert.match(await parentRow.textContent(), /\(1\)/);
  await parentRow.getByTestId('expand-toggle').click();
  await eventually(async () => assert.deepEqual(await runNames(page), ['sweep', 'sweep-child-2']));
  assertClean(page);
});

test('an invalid filter shows the server error inline and no rows', async () => {
  await openRuns();
  page.expectedErrors.push(/status of 400/);
  const search = page.getByTestId('run-search');
  await search.fill('metrics.acc >>> 1');
  await search.press('Enter');
  const err = page.getByTestId('run-search-error');
  await eventually(async () => assert.match(await err.textContent(), /^INVALID_PARAMETER_VALUE: \S/));
  assert.ok(await search.evaluate((el) => el.classList.contains('error')));
  assert.equal(await page.getByTestId('runs-table').getByTestId('vt-row').count(), 0);
  // Fixing the filter clears the error.
  await search.fill('metrics.acc > 0.95');
  await search.press('Enter');
  await eventually(async () => assert.deepEqual(await runNames(page), ['best']));
  assert.equal((await err.textContent()).trim(), '');
  assertClean(page);
});

test('clicking a header sorts by that column, toggling the direction', async () => {
  await openRuns();
  const header = page.getByTestId('col-name');
  await header.click();
  await eventually(async () => assert.deepEqual(await runNames(page), sorted(roots).reverse()));
  assert.equal(await header.getAttribute('aria-sort'), 'descending');
  await page.getByTestId('col-name').click();
  await eventually(async () => assert.deepEqual(await runNames(page), sorted(roots)));
  assert.equal(await page.getByTestId('col-name').getAttribute('aria-sort'), 'ascending');
  // Sorting by a metric goes through the server too.
  await page.getByTestId('col-m-acc').click();
  const byAcc = roots.map((n) => [n, manifest.runs[n].acc]).sort((a, b) => b[1] - a[1]).map(([n]) => n);
  await eventually(async () => assert.deepEqual(await runNames(page), byAcc));
  assert.match(hashQuery(page).get('order'), /^metrics\.`?acc`? DESC$/);
  assertClean(page);
});

test('the column picker hides and adds columns', async () => {
  await openRuns();
  assert.equal(await page.getByTestId('col-m-acc').count(), 1);
  assert.equal(await page.getByTestId('col-t-team').count(), 0);
  await page.getByTestId('columns-button').click();
  await page.getByTestId('column-option-m-acc').uncheck();
  await page.getByTestId('column-option-t-team').check();
  await eventually(async () => assert.equal(await page.getByTestId('col-m-acc').count(), 0));
  assert.equal(await page.getByTestId('col-t-team').count(), 1);
  assert.equal(await cell(idOf('best'), 't-team'), 'vision');
  assert.match(hashQuery(page).get('cols'), /(^|,)t:team(,|$)/);
  // The chosen columns are part of the link: reloading keeps them.
  await page.reload();
  await eventually(async () => assert.equal(await page.getByTestId('col-t-team').count(), 1));
  assert.equal(await page.getByTestId('col-m-acc').count(), 0);
  assertClean(page);
});

test('nested runs expand under their parent and flatten on demand', async () => {
  await openRuns();
  const parentRow = page.locator(`[data-testid="vt-row"][data-key="${idOf('sweep')}"]`);
  assert.match(await parentRow.textContent(), /\(2\)/);
  await parentRow.getByTestId('expand-toggle').click();
  await eventually(async () => assert.deepEqual(await runNames(page), ['sweep', 'sweep-child-2', 'sweep-child-1', 'best', 'tuned', 'baseline']));
  for (const child of ['sweep-child-1', 'sweep-child-2']) {
    const row = page.locator(`[data-testid="vt-row"][data-key="${idOf(child)}"]`);
    assert.ok(await row.evaluate((el) => el.classList.contains('child')), `${child} is indented as a child`);
    assert.equal(await cell(idOf(child), 'p-lr'), manifest.runs[child].params.lr);
  }
  await parentRow.getByTestId('expand-toggle').click();
  await eventually(async () => assert.deepEqual(sorted(await runNames(page)), sorted(roots)));
  await page.getByTestId('group-nested').uncheck();
  await eventually(async () => assert.deepEqual(sorted(await runNames(page)), sorted(alphaRuns.map(([n]) => n))));
  assertClean(page);
});

test('a run name links to its run page', async () => {
  await openRuns();
  await page.locator(`[data-testid="vt-row"][data-key="${idOf('tuned')}"]`).getByTestId('run-link').click();
  await page.waitForURL(new RegExp(`#/runs/${idOf('tuned')}`));
  assert.equal((await page.getByTestId('run-name').textContent()).trim(), 'tuned');
  assertClean(page);
});
