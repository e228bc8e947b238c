import { test } from 'node:test';
import assert from 'node:assert/strict';
import { niceTicks, niceStep, logTicks, timeTicks, formatTick, formatValue, formatLogTick, formatDateTime } from './ticks.js';

test('niceStep picks 1/2/5 multiples', () => {
  assert.equal(niceStep(10, 5), 2);
  assert.equal(niceStep(1, 5), 0.2);
  assert.equal(niceStep(7, 5), 2);
  assert.equal(niceStep(1000, 3), 500);
});

test('niceTicks covers the range with exact decimals', () => {
  assert.deepEqual(niceTicks(0, 1, 5), [0, 0.2, 0.4, 0.6, 0.8, 1]);
  assert.deepEqual(niceTicks(-0.3, 0.3, 6), [-0.3, -0.2, -0.1, 0, 0.1, 0.2, 0.3]);
  assert.deepEqual(niceTicks(0.1, 0.35, 5), [0.1, 0.15, 0.2, 0.25, 0.3, 0.35]);
  const t = niceTicks(3, 997, 6);
  assert.deepEqual(t, [200, 400, 600, 800]);
});

test('niceTicks widens a flat range and rejects non-finite input', () => {
  const t = niceTicks(5, 5, 5);
  assert.ok(t.length >= 2 && t[0] < 5 && t[t.length - 1] > 5);
  assert.deepEqual(niceTicks(NaN, 1), []);
  assert.ok(!niceTicks(-1, 1, 4).some((v) => Object.is(v, -0)));
});

test('logTicks: powers of ten over many decades, thinned to maxTicks', () => {
  assert.deepEqual(logTicks(1e-5, 1e-1, 6), [1e-5, 1e-4, 1e-3, 1e-2, 1e-1]);
  const t = logTicks(1e-12, 1e12, 6);
  assert.ok(t.length <= 7 && t.length >= 4, String(t));
  for (const v of t) assert.ok(Math.abs(Math.log10(v) - Math.round(Math.log10(v))) < 1e-9);
});

test('logTicks: 1/2/5 inside few decades, linear fallback within a decade', () => {
  assert.deepEqual(logTicks(1, 100, 6), [1, 2, 5, 10, 20, 50, 100]);
  const t = logTicks(0.3, 0.8, 5);
  assert.ok(t.length >= 2 && t.every((v) => v >= 0.3 && v <= 0.8), String(t));
  assert.deepEqual(logTicks(0, 10), []);
});

test('formatting', () => {
  assert.equal(formatTick(0.30000000000000004, 0.1), '0.3');
  assert.equal(formatTick(2000000, 1000000), '2e6');
  assert.equal(formatTick(1500, 500), '1500');
  assert.equal(formatValue(0.1 + 0.2), '0.3');
  assert.equal(formatValue(NaN), 'NaN');
  assert.equal(formatValue(-Infinity), '-Infinity');
  assert.equal(formatValue(1.23456789e-7), '1.2346e-7');
  assert.equal(formatLogTick(1e-7), '1e-7');
  assert.equal(formatLogTick(0.01), '0.01');
  assert.equal(formatDateTime(Date.UTC(2025, 0, 2, 3, 4, 5), { utc: true }), '2025-01-02 03:04:05');
});

test('timeTicks aligns to calendar units', () => {
  const t0 = Date.UTC(2025, 2, 14, 9, 37, 12);
  const hours = timeTicks(t0, t0 + 6 * 3600e3, 6, { utc: true });
  assert.deepEqual(hours.map((t) => t.label), ['10:00', '11:00', '12:00', '13:00', '14:00', '15:00']);
  for (const t of hours) assert.equal(t.value % 3600e3, 0);

  const mins = timeTicks(t0, t0 + 10 * 60e3, 6, { utc: true });
  assert.deepEqual(mins.map((t) => t.label), ['09:38', '09:40', '09:42', '09:44', '09:46']);

  const days = timeTicks(Date.UTC(2025, 0, 30, 5), Date.UTC(2025, 1, 3, 5), 6, { utc: true });
  assert.deepEqual(days.map((t) => t.label), ['Jan 31', 'Feb 1', 'Feb 2', 'Feb 3']);

  const secs = timeTicks(t0, t0 + 20e3, 5, { utc: true });
  assert.deepEqual(secs.map((t) => t.label), ['09:37:15', '09:37:20', '09:37:25', '09:37:30']);

  const ms = timeTicks(t0, t0 + 1000, 5, { utc: true });
  assert.ok(ms.length >= 3 && ms[0].label.includes('.'), JSON.stringify(ms));

  const years = timeTicks(Date.UTC(2015, 5), Date.UTC(2025, 5), 6, { utc: true });
  assert.deepEqual(years.map((t) => t.label), ['2016', '2018', '2020', '2022', '2024']);

  const months = timeTicks(Date.UTC(2024, 10, 15), Date.UTC(2025, 3, 15), 6, { utc: true });
  assert.deepEqual(months.map((t) => t.label), ['Dec 2024', '2025', 'Feb 2025', 'Mar 2025', 'Apr 2025']);
});

test('timeTicks labels midnight with the date when stepping hours', () => {
  const t = timeTicks(Date.UTC(2025, 0, 1, 20), Date.UTC(2025, 0, 2, 4), 5, { utc: true });
  assert.ok(t.some((x) => x.label === 'Jan 2'), JSON.stringify(t));
});
