import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inferAxis, makeScale } from './core.js';

test('inferAxis: MLflow param strings that all parse are numeric', () => {
  const a = inferAxis(['0.1', '1e-3', '', null, '10']);
  assert.equal(a.type, 'numeric');
  assert.equal(a.min, 0.001);
  assert.equal(a.max, 10);
  assert.ok(Number.isNaN(a.values[2]) && Number.isNaN(a.values[3]));
});

test('inferAxis: any non-numeric string makes the axis categorical, naturally sorted', () => {
  const a = inferAxis(['sgd', 'adam', '10', 'adam', 'layer2', 'layer10']);
  assert.equal(a.type, 'category');
  assert.deepEqual(a.categories, ['10', 'adam', 'layer2', 'layer10', 'sgd']);
  assert.deepEqual(a.values, [4, 1, 0, 1, 2, 3]);
});

test('inferAxis: log axis extent ignores non-positive values', () => {
  const a = inferAxis([-1, 0, 0.01, 100], { log: true });
  assert.equal(a.min, 0.01);
  assert.equal(a.max, 100);
  const s = makeScale(a, 0, 100, { pad: 0 });
  assert.ok(Number.isNaN(s.pos(0)));
  assert.equal(s.pos(0.01), 0);
  assert.equal(s.pos(100), 100);
  assert.equal(s.pos(1), 50);
});

test('makeScale: categories sit at band centres, inverted vertical ranges work', () => {
  const a = inferAxis(['b', 'a', 'c']);
  const s = makeScale(a, 300, 0);
  assert.equal(s.pos(0), 250);
  assert.equal(s.pos(2), 50);
  assert.deepEqual(s.ticks.map((t) => t.label), ['a', 'b', 'c']);
  const n = makeScale(inferAxis([0, 10]), 0, 100, { pad: 0, maxTicks: 5 });
  assert.deepEqual(n.ticks.map((t) => t.px), [0, 20, 40, 60, 80, 100]);
});
