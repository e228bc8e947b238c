import { test } from 'node:test';
import assert from 'node:assert/strict';
import { toColumns, lttb, minMaxBuckets, emaSmooth, lowerBound, upperBound } from './downsample.js';

const ramp = (n, f) => {
  const x = new Float64Array(n);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    x[i] = i;
    y[i] = f(i);
  }
  return { x, y };
};

test('toColumns accepts point objects, sorts by x and drops non-finite x', () => {
  const c = toColumns([{ x: 3, y: 30 }, { x: 1, y: 'NaN' }, { x: NaN, y: 5 }, { x: 2, y: 'Infinity' }]);
  assert.deepEqual([...c.x], [1, 2, 3]);
  assert.ok(Number.isNaN(c.y[0]));
  assert.equal(c.y[1], Infinity);
  assert.equal(c.y[2], 30);
});

test('toColumns keeps sorted Float64Array input without copying', () => {
  const x = Float64Array.of(0, 1, 2);
  const y = Float64Array.of(5, 6, 7);
  const c = toColumns({ x, y });
  assert.equal(c.x, x);
  assert.equal(c.y, y);
});

test('binary search bounds', () => {
  const a = Float64Array.of(1, 2, 2, 2, 5);
  assert.equal(lowerBound(a, 2), 1);
  assert.equal(upperBound(a, 2), 4);
  assert.equal(lowerBound(a, 0), 0);
  assert.equal(upperBound(a, 9), 5);
});

test('lttb returns threshold points, keeps endpoints and the spike', () => {
  const { x, y } = ramp(100_000, (i) => Math.sin(i / 1000));
  y[54_321] = 100;
  const d = lttb(x, y, 500);
  assert.equal(d.x.length, 500);
  assert.equal(d.x[0], 0);
  assert.equal(d.x[d.x.length - 1], 99_999);
  assert.ok([...d.y].includes(100), 'spike must survive');
  for (let i = 1; i < d.x.length; i++) assert.ok(d.x[i] > d.x[i - 1], 'x strictly increasing');
});

test('lttb returns input unchanged when under threshold', () => {
  const { x, y } = ramp(10, (i) => i * i);
  const d = lttb(x, y, 50);
  assert.deepEqual([...d.y], [...y]);
});

test('lttb preserves gaps as a NaN marker between finite runs', () => {
  const { x, y } = ramp(10_000, (i) => i);
  for (let i = 4000; i < 4100; i++) y[i] = NaN;
  const d = lttb(x, y, 200);
  const nanIdx = [...d.y].map((v, i) => (Number.isNaN(v) ? i : -1)).filter((i) => i >= 0);
  assert.equal(nanIdx.length, 1);
  assert.equal(d.x[nanIdx[0]], 4000);
  assert.ok(d.x[nanIdx[0] - 1] <= 3999 && d.x[nanIdx[0] + 1] >= 4100);
  assert.ok(d.x.length <= 205 && d.x.length >= 190);
});

test('minMaxBuckets keeps each bucket extremes and bounds output size', () => {
  const { x, y } = ramp(1_000_000, (i) => (i % 2 ? 1 : -1) * (i % 1000));
  const d = minMaxBuckets(x, y, 100);
  assert.ok(d.x.length <= 400, `size ${d.x.length}`);
  let mn = Infinity;
  let mx = -Infinity;
  for (const v of d.y) {
    mn = Math.min(mn, v);
    mx = Math.max(mx, v);
  }
  assert.equal(mn, -998);
  assert.equal(mx, 999);
  for (let i = 1; i < d.x.length; i++) assert.ok(d.x[i] > d.x[i - 1]);
});

test('minMaxBuckets restricts to range but keeps one neighbour on each side', () => {
  const { x, y } = ramp(1000, (i) => i);
  const d = minMaxBuckets(x, y, 10, { xMin: 100, xMax: 199 });
  assert.equal(d.x[0], 99);
  assert.equal(d.x[d.x.length - 1], 200);
  assert.ok(d.x.length <= 42);
});

test('minMaxBuckets marks non-finite runs once', () => {
  const { x, y } = ramp(100, (i) => i);
  y[10] = NaN;
  y[11] = Infinity;
  y[50] = -Infinity;
  const d = minMaxBuckets(x, y, 5);
  assert.equal([...d.y].filter((v) => Number.isNaN(v)).length, 2);
  assert.ok(![...d.y].some((v) => v === Infinity || v === -Infinity));
});

test('emaSmooth is debiased, constant-preserving and skips non-finite', () => {
  const c = emaSmooth(Float64Array.of(5, 5, 5, 5), 0.9);
  for (const v of c) assert.ok(Math.abs(v - 5) < 1e-12);
  const s = emaSmooth(Float64Array.of(0, 10), 0.5);
  assert.equal(s[0], 0);
  // last = 0.5*0 + 0.5*10 = 5 (after 0 -> 0), debias 1 - 0.25 = 0.75
  assert.ok(Math.abs(s[1] - 5 / 0.75) < 1e-12);
  const g = emaSmooth(Float64Array.of(1, NaN, 1), 0.6);
  assert.ok(Number.isNaN(g[1]));
  assert.ok(Math.abs(g[2] - 1) < 1e-12);
  const raw = Float64Array.of(1, 2, 3);
  assert.deepEqual([...emaSmooth(raw, 0)], [1, 2, 3]);
});
