// Model registry pages: the models list, a model with versions and aliases, one version.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, openPage, go, assertClean, texts, eventually, manifest } from '../lib.mjs';

let browser;
let page;
before(async () => { browser = await launch(); page = await openPage(browser); });
after(async () => { await browser?.close(); });

const M = manifest.model;

test('models list shows the registered model, its latest version and alias', async () => {
  await go(page, '/models');
  const row = page.locator(`[data-testid="model-row"][data-name="${M.name}"]`);
  await row.waitFor();
  assert.equal(await page.getByTestId('model-row').count(), 1);
  const cells = await row.locator('td').allTextContents();
  assert.equal(cells[0].trim(), M.name);
  assert.match(cells[1], new RegExp(`^Version ${M.latest_version}\\b`));
  assert.equal(cells[2].trim(), `@${M.alias} → v${M.alias_version}`);
  assert.match(cells[4], /owner: e2e/);
  assert.equal(cells[5].trim(), M.description);
  assert.equal((await page.getByTestId('model-count').textContent()).trim(), '1 model');

  await page.getByTestId('model-search').fill('no-such-model');
  await eventually(async () => assert.equal(await page.getByTestId('models-empty').count(), 1));
  await page.getByTestId('model-search').fill(M.name);
  await eventually(async () => assert.equal(await page.getByTestId('model-row').count(), 1));
  await page.getByTestId('model-link').click();
  await page.waitForURL(new RegExp(`#/models/${M.name}$`));
  assertClean(page);
});

test('model page lists versions with their runs and aliases', async () => {
  await go(page, `/models/${M.name}`);
  assert.equal((await page.getByTestId('model-name').textContent()).trim(), M.name);
  assert.equal((await page.getByTestId('model-description').textContent()).trim(), M.description);
  assert.deepEqual(await texts(page.getByTestId('model-aliases').getByTestId('alias-chip').locator('a')), [`@${M.alias} → v${M.alias_version}`]);
  const versions = await page.getByTestId('version-row').evaluateAll((rows) => rows.map((r) => r.dataset.version));
  assert.deepEqual(versions, [M.latest_version, M.alias_version]);
  const aliased = page.locator(`[data-testid="version-row"][data-version="${M.alias_version}"]`);
  assert.equal((await aliased.locator('td').nth(3).textContent()).trim(), `@${M.alias}`);
  assert.equal(await aliased.getByTestId('version-run-link').getAttribute('href'), `#/runs/${M.run_id}`);
  const latest = page.locator(`[data-testid="version-row"][data-version="${M.latest_version}"]`);
  assert.equal(await latest.getByTestId('version-run-link').getAttribute('href'), `#/runs/${manifest.runs.tuned.id}`);
  assert.equal((await latest.locator('td').nth(3).textContent()).trim(), '');
  assert.equal((await page.getByTestId('model-tags').locator('[data-testid="tag-row"][data-key="owner"] td').nth(1).textContent()).trim(), 'e2e');
  assertClean(page);
});

test('version page shows stage, alias, source run and logged model', async () => {
  await go(page, `/models/${M.name}`);
  await page.locator(`[data-testid="version-row"][data-version="${M.alias_version}"]`).getByTestId('version-link').click();
  await page.waitForURL(new RegExp(`#/models/${M.name}/versions/${M.alias_version}$`));
  assert.equal((await page.getByTestId('version-title').textContent()).trim(), `${M.name} — version ${M.alias_version}`);
  assert.equal((await page.getByTestId('version-stage').textContent()).trim(), 'None');
  assert.deepEqual((await texts(page.getByTestId('version-aliases').getByTestId('alias-chip'))).map((t) => t.replace(/×$/, '')), [`@${M.alias}`]);
  assert.equal((await page.getByTestId('version-run-link').textContent()).trim(), M.run_id);
  await eventually(async () => assert.match(await page.getByTestId('version-logged-model').textContent(), /^model \(m-[0-9a-f]+\)$/));
  await page.getByTestId('version-run-link').click();
  await eventually(async () => assert.equal((await page.getByTestId('run-name').textContent()).trim(), 'best'));
  assertClean(page);
});
