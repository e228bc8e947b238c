// Experiments list: seeded experiments with their ids and tags, name search, navigation.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, openPage, go, assertClean, texts, eventually, manifest } from '../lib.mjs';

let browser;
let page;
before(async () => { browser = await launch(); page = await openPage(browser); });
after(async () => { await browser?.close(); });

const names = () => texts(page.getByTestId('experiments-table').getByTestId('experiment-link'));

test('lists the seeded experiments with their ids and tags', async () => {
  await go(page, '/experiments');
  await eventually(async () => assert.ok((await names()).includes('e2e-alpha')));
  const shown = await names();
  for (const [name, id] of Object.entries(manifest.experiments)) {
    assert.ok(shown.includes(name), `${name} listed (got ${shown})`);
    const row = page.getByTestId('vt-row').filter({ has: page.getByText(name, { exact: true }) });
    assert.equal(await row.getAttribute('data-key'), id);
    // The ID column (second cell after the selection checkbox) shows the server's id.
    assert.equal((await row.locator(':scope > div').nth(2).textContent()).trim(), id);
  }
  const alphaRow = page.locator(`[data-testid="vt-row"][data-key="${manifest.experiments['e2e-alpha']}"]`);
  assert.match(await alphaRow.textContent(), /team: vision/);
  // The Default experiment plus the two seeded ones.
  assert.match(await page.getByTestId('experiment-count').textContent(), /^3 experiments$/);
  assertClean(page);
});

test('the search box narrows the list to matching names', async () => {
  await go(page, '/experiments');
  await eventually(async () => assert.ok((await names()).length >= 3));
  await page.getByTestId('experiment-search').fill('beta');
  await eventually(async () => assert.deepEqual(await names(), ['e2e-beta']));
  assert.match(page.url(), /q=beta/);
  // A filter expression goes to the server as a filter, not a name search.
  await page.getByTestId('experiment-search').fill("tags.team = 'vision'");
  await eventually(async () => assert.deepEqual(await names(), ['e2e-alpha']));
  assertClean(page);
});

test('opening an experiment shows its runs', async () => {
  await go(page, '/experiments');
  await page.getByTestId('experiment-link').filter({ hasText: 'e2e-alpha' }).click();
  await page.waitForURL(new RegExp(`#/experiments/${manifest.experiments['e2e-alpha']}$`));
  assert.equal((await page.getByTestId('experiment-title').textContent()).trim(), 'e2e-alpha');
  assertClean(page);
});
