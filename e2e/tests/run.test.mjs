// Run page: overview, params, metrics with the chart, tags, datasets, logged models and the
// artifact browser with an image preview, all checked against what the seed logged.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, openPage, go, assertClean, texts, eventually, manifest } from '../lib.mjs';

let browser;
let page;
before(async () => { browser = await launch(); page = await openPage(browser); });
after(async () => { await browser?.close(); });

const EXP = manifest.experiments['e2e-alpha'];
const best = manifest.runs.best;

/** Rows of a two-column key/value table as [[key, value], ...]. */
const pairs = (table) => table.locator('tbody tr:not([hidden])').evaluateAll((rows) => rows.map((r) => [r.cells[0].textContent.trim(), r.cells[1].textContent.trim()]));

async function openTab(name) {
  await page.getByTestId(`tab-${name}`).click();
  assert.equal(await page.getByTestId(`tab-${name}`).getAttribute('aria-selected'), 'true');
}

test('overview shows the run, its params, latest metrics and description', async () => {
  // The link shape the official client prints.
  await go(page, `/experiments/${EXP}/runs/${best.id}`);
  assert.equal((await page.getByTestId('run-name').textContent()).trim(), 'best');
  assert.equal((await page.getByTestId('overview-run-id').textContent()).trim(), best.id);
  assert.equal((await page.getByTestId('overview-status').textContent()).trim(), 'FINISHED');
  assert.equal((await page.getByTestId('run-experiment-link').textContent()).trim(), 'e2e-alpha');
  assert.deepEqual(await pairs(page.getByTestId('overview-params')), Object.entries(best.params).sort());
  const metrics = Object.fromEntries(await pairs(page.getByTestId('overview-metrics')));
  assert.deepEqual(Object.keys(metrics).sort(), ['acc', 'loss']);
  assert.equal(Number(metrics.acc), best.acc);
  assert.equal(Number(metrics.loss), manifest.loss.last);
  assert.equal((await page.getByTestId('run-description').textContent()).trim(), 'The best run of the e2e seed.');
  assert.equal((await page.getByTestId('overview-parent').textContent()).trim(), 'none');
  assertClean(page);
});

test('parent and child runs link to each other', async () => {
  const sweep = manifest.runs.sweep;
  await go(page, `/runs/${sweep.id}`);
  const kids = page.getByTestId('child-runs');
  await eventually(async () => assert.deepEqual((await texts(kids.locator('a'))).sort(), ['sweep-child-1', 'sweep-child-2']));
  await kids.locator('a', { hasText: 'sweep-child-1' }).click();
  await eventually(async () => assert.equal((await page.getByTestId('run-name').textContent()).trim(), 'sweep-child-1'));
  assert.equal((await page.getByTestId('parent-link').textContent()).trim(), sweep.id);
  assertClean(page);
});

test('params tab lists every param and its filter narrows the list', async () => {
  await go(page, `/runs/${best.id}`);
  await openTab('params');
  assert.equal((await page.getByTestId('tab-params').locator('.count').textContent()).trim(), String(Object.keys(best.params).length));
  const table = page.getByTestId('params-table');
  assert.deepEqual(await pairs(table), Object.entries(best.params).sort());
  await page.getByTestId('params-filter').fill('optim');
  assert.deepEqual(await pairs(table), [['optimizer', best.params.optimizer]]);
  assertClean(page);
});

test('metrics tab shows latest values and draws the loss history', async () => {
  await go(page, `/runs/${best.id}?tab=metrics`);
  await page.getByTestId('metrics-table').locator('tbody tr').first().waitFor();
  const rows = await page.getByTestId('metrics-table').locator('tbody tr').evaluateAll((rs) => rs.map((r) => [...r.cells].slice(0, 3).map((c) => c.textContent.trim())));
  assert.deepEqual(rows.map(([k, v, s]) => [k, Number(v), Number(s)]), [['acc', best.acc, 0], ['loss', manifest.loss.last, manifest.loss.steps - 1]]);

  const chart = page.locator('[data-testid="metric-chart"][data-key="loss"] .ff-chart');
  await chart.waitFor();
  await eventually(async () => assert.ok(Number(await chart.getAttribute('data-draws')) >= 1));
  const series = JSON.parse(await chart.getAttribute('data-series'));
  assert.deepEqual(series, [{ name: 'loss', points: manifest.loss.steps, xMin: 0, xMax: manifest.loss.steps - 1 }]);
  // The canvas really has a line on it, not just axes: count pixels in the series colour band.
  const inked = await chart.locator('canvas').first().evaluate((c) => {
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++;
    return n;
  });
  assert.ok(inked > 500, `chart canvas has ink (${inked} px)`);

  const accChart = page.locator('[data-testid="metric-chart"][data-key="acc"] .ff-chart');
  await accChart.waitFor();
  await eventually(async () => assert.deepEqual(JSON.parse(await accChart.getAttribute('data-series')), [{ name: 'acc', points: 1, xMin: 0, xMax: 0 }]));

  await page.getByTestId('metrics-filter').fill('los');
  assert.equal(await page.locator('[data-testid="metric-chart"]:not([hidden])').count(), 1);
  assert.equal(await page.locator('[data-testid="metric-chart"][data-key="loss"]:not([hidden])').count(), 1);
  assertClean(page);
});

test('tags tab shows user and system tags', async () => {
  await go(page, `/runs/${best.id}?tab=tags`);
  const tags = page.getByTestId('run-tags');
  const team = tags.locator('[data-testid="tag-row"][data-key="team"]');
  assert.equal((await team.locator('td').nth(1).textContent()).trim(), 'vision');
  const runName = tags.locator('[data-testid="tag-row"][data-key="mlflow.runName"]');
  assert.equal((await runName.locator('td').nth(1).textContent()).trim(), 'best');
  assertClean(page);
});

test('datasets tab shows the logged dataset input', async () => {
  await go(page, `/runs/${best.id}?tab=datasets`);
  const ds = page.getByTestId('dataset');
  await ds.first().waitFor();
  assert.equal(await ds.count(), 1);
  assert.equal((await ds.locator('h3').textContent()).trim(), manifest.dataset.name);
  assert.match(await ds.textContent(), new RegExp(manifest.dataset.digest));
  assert.equal((await ds.locator('.chip').textContent()).trim(), manifest.dataset.context);
  assertClean(page);
});

test('models tab links the logged model to its registered version', async () => {
  await go(page, `/runs/${best.id}?tab=models`);
  const row = page.getByTestId('logged-model');
  await row.first().waitFor();
  assert.equal(await row.count(), 1);
  const { name, alias_version: v } = manifest.model;
  assert.equal((await row.locator(`a[href="#/models/${name}/versions/${v}"]`).textContent()).trim(), `${name} v${v}`);
  assertClean(page);
});

test('artifacts tab previews text and decodes the PNG', async () => {
  await go(page, `/runs/${best.id}?tab=artifacts`);
  // The first previewable file is selected on its own.
  await eventually(async () => assert.equal((await page.getByTestId('preview-path').textContent()).trim(), 'notes.txt'));
  await eventually(async () => assert.equal((await page.getByTestId('preview-text').textContent()).trim(), 'seeded by e2e/seed.py'));

  const [dir] = manifest.image.path.split('/');
  await page.locator(`[data-testid="artifact-dir"][data-path="${dir}"]`).click();
  await page.locator(`[data-testid="artifact-file"][data-path="${manifest.image.path}"]`).click();
  const img = page.getByTestId('preview-image');
  await img.waitFor();
  await page.waitForFunction((el) => el.complete && el.naturalWidth > 0, await img.elementHandle());
  const size = await img.evaluate((el) => [el.naturalWidth, el.naturalHeight]);
  assert.deepEqual(size, [manifest.image.width, manifest.image.height]);
  assert.equal((await page.getByTestId('preview-path').textContent()).trim(), manifest.image.path);
  // The download link points at the artifact proxy and serves the same bytes' size.
  const href = await page.getByTestId('artifact-download').getAttribute('href');
  const res = await page.request.get(new URL(href, page.url()).href);
  assert.equal(res.status(), 200);
  const body = await res.body();
  assert.equal(body.readUInt32BE(16), manifest.image.width);
  // The deep link selects the same file on reload.
  assert.match(page.url(), /path=plots%2Floss\.png|path=plots\/loss\.png/);
  assertClean(page);
});
