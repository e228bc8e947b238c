// Axis tick generation and number/time formatting. Pure functions (no DOM) so they
// are unit-tested under Node.

/** Largest of 1/2/5 x 10^k such that span/step <= maxTicks. */
export function niceStep(span, maxTicks = 6) {
  if (!(span > 0) || !Number.isFinite(span)) return 1;
  const raw = span / Math.max(1, maxTicks);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const norm = raw / mag;
  // Small epsilon so exact boundaries (e.g. raw == 2) do not jump to the next step.
  const mult = norm <= 1 + 1e-9 ? 1 : norm <= 2 + 1e-9 ? 2 : norm <= 5 + 1e-9 ? 5 : 10;
  return mult * mag;
}

/** Decimal places that make every multiple of `step` print exactly. */
export function stepDecimals(step) {
  if (!(step > 0) || !Number.isFinite(step)) return 0;
  return Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
}

/**
 * Ticks at multiples of a 1/2/5 step inside [min, max] (inclusive). A degenerate
 * range is widened so a flat metric still gets a labelled axis.
 */
export function niceTicks(min, max, maxTicks = 6) {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return [];
  if (min > max) [min, max] = [max, min];
  if (min === max) {
    const d = Math.abs(min) * 0.1 || 1;
    min -= d;
    max += d;
  }
  const step = niceStep(max - min, maxTicks);
  const dec = stepDecimals(step);
  const first = Math.ceil(min / step - 1e-9);
  const last = Math.floor(max / step + 1e-9);
  const out = [];
  for (let k = first; k <= last && out.length < 1000; k++) {
    let v = Number((k * step).toFixed(Math.min(20, dec)));
    if (Object.is(v, -0)) v = 0;
    out.push(v);
  }
  return out;
}

/**
 * Ticks for a log axis over [min, max] (both > 0): powers of ten, thinned when there
 * are many decades, enriched with 2x/5x when there are few, and falling back to
 * linear ticks when the range is inside a single decade.
 */
export function logTicks(min, max, maxTicks = 6) {
  if (!(min > 0) || !(max > 0) || !Number.isFinite(min) || !Number.isFinite(max)) return [];
  if (min > max) [min, max] = [max, min];
  const e0 = Math.floor(Math.log10(min) + 1e-12);
  const e1 = Math.ceil(Math.log10(max) - 1e-12);
  const decades = e1 - e0;
  const inRange = (v) => v >= min * (1 - 1e-12) && v <= max * (1 + 1e-12);
  const pow = (e) => Number((10 ** e).toPrecision(12));
  let out = [];
  if (decades > maxTicks) {
    const every = Math.ceil(decades / maxTicks);
    for (let e = Math.ceil(e0 / every) * every; e <= e1; e += every) if (inRange(pow(e))) out.push(pow(e));
  } else {
    const mults = decades <= 1 ? [1, 2, 5] : decades <= 2 ? [1, 2, 5] : decades <= maxTicks / 2 ? [1, 3] : [1];
    for (let e = e0; e <= e1; e++) {
      for (const m of mults) {
        const v = Number((m * 10 ** e).toPrecision(12));
        if (inRange(v)) out.push(v);
      }
    }
  }
  if (out.length < 2) out = niceTicks(min, max, Math.min(maxTicks, 5)).filter((v) => v > 0);
  return out;
}

/** Tick label: fixed decimals matching the step, exponent form for extreme magnitudes. */
export function formatTick(v, step) {
  if (!Number.isFinite(v)) return String(v);
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e6 || a < 1e-4) return formatExp(v);
  const dec = step ? stepDecimals(step) : 0;
  return v.toFixed(Math.min(dec, 10));
}

function formatExp(v) {
  const [m, e] = v.toExponential(2).split('e');
  const mm = String(Number(m));
  return `${mm}e${Number(e)}`;
}

/** Human value for tooltips: up to 6 significant digits, no float noise. */
export function formatValue(v) {
  if (typeof v !== 'number') return String(v);
  if (!Number.isFinite(v)) return Number.isNaN(v) ? 'NaN' : v > 0 ? 'Infinity' : '-Infinity';
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e9 || a < 1e-5) return v.toExponential(4).replace(/\.?0+e/, 'e');
  return String(Number(v.toPrecision(6)));
}

/** Log-axis label: plain numbers in the readable range, 1e-7 style outside. */
export function formatLogTick(v) {
  if (v >= 1e-3 && v < 1e6) return String(Number(v.toPrecision(6)));
  const e = Math.log10(v);
  if (Math.abs(e - Math.round(e)) < 1e-9) return `1e${Math.round(e)}`;
  return formatExp(v);
}

const SEC = 1000;
const MIN = 60 * SEC;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
/** Candidate intervals for time axes, smallest first. */
const TIME_STEPS = [
  ['second', 1], ['second', 2], ['second', 5], ['second', 10], ['second', 15], ['second', 30],
  ['minute', 1], ['minute', 2], ['minute', 5], ['minute', 10], ['minute', 15], ['minute', 30],
  ['hour', 1], ['hour', 2], ['hour', 3], ['hour', 6], ['hour', 12],
  ['day', 1], ['day', 2], ['day', 7],
  ['month', 1], ['month', 3], ['month', 6],
];
const UNIT_MS = { second: SEC, minute: MIN, hour: HOUR, day: DAY, month: 30 * DAY };
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function dateParts(utc) {
  return utc
    ? {
        Y: (d) => d.getUTCFullYear(), M: (d) => d.getUTCMonth(), D: (d) => d.getUTCDate(),
        h: (d) => d.getUTCHours(), m: (d) => d.getUTCMinutes(), s: (d) => d.getUTCSeconds(),
        ms: (d) => d.getUTCMilliseconds(),
        make: (Y, M, D, h = 0, m = 0, s = 0) => Date.UTC(Y, M, D, h, m, s),
      }
    : {
        Y: (d) => d.getFullYear(), M: (d) => d.getMonth(), D: (d) => d.getDate(),
        h: (d) => d.getHours(), m: (d) => d.getMinutes(), s: (d) => d.getSeconds(),
        ms: (d) => d.getMilliseconds(),
        make: (Y, M, D, h = 0, m = 0, s = 0) => new Date(Y, M, D, h, m, s).getTime(),
      };
}

const pad2 = (n) => String(n).padStart(2, '0');

/**
 * Ticks for a wall-clock axis (epoch milliseconds) aligned to calendar boundaries
 * (whole minutes, local midnights, month starts). Returns [{value, label}].
 * `utc` makes the result independent of the machine's time zone (tests).
 */
export function timeTicks(min, max, maxTicks = 6, { utc = false } = {}) {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return [];
  if (min > max) [min, max] = [max, min];
  if (min === max) {
    min -= SEC;
    max += SEC;
  }
  const P = dateParts(utc);
  const span = max - min;
  const fmtTime = (t, withSec, withMs) => {
    const d = new Date(t);
    let s = `${pad2(P.h(d))}:${pad2(P.m(d))}`;
    if (withSec) s += `:${pad2(P.s(d))}`;
    if (withMs) s += `.${String(P.ms(d)).padStart(3, '0')}`;
    return s;
  };
  const fmtDay = (t) => {
    const d = new Date(t);
    return `${MONTHS[P.M(d)]} ${P.D(d)}`;
  };

  // Sub-second spans: plain 1/2/5 steps over milliseconds.
  if (span / SEC < maxTicks / 2) {
    const step = niceStep(span, maxTicks);
    return niceTicks(min, max, maxTicks).map((v) => ({ value: v, label: fmtTime(v, true, step < SEC) }));
  }
  let choice = TIME_STEPS.find(([u, k]) => span / (UNIT_MS[u] * k) <= maxTicks);
  const out = [];
  if (!choice) {
    // Multi-year spans: nice steps over years.
    const y0 = new Date(min);
    const y1 = new Date(max);
    const ys = niceTicks(P.Y(y0), P.Y(y1), maxTicks).filter(Number.isInteger);
    for (const y of ys) {
      const t = P.make(y, 0, 1);
      if (t >= min && t <= max) out.push({ value: t, label: String(y) });
    }
    return out;
  }
  const [unit, k] = choice;
  const d0 = new Date(min);
  let t;
  if (unit === 'second') t = P.make(P.Y(d0), P.M(d0), P.D(d0), P.h(d0), P.m(d0), Math.floor(P.s(d0) / k) * k);
  else if (unit === 'minute') t = P.make(P.Y(d0), P.M(d0), P.D(d0), P.h(d0), Math.floor(P.m(d0) / k) * k);
  else if (unit === 'hour') t = P.make(P.Y(d0), P.M(d0), P.D(d0), Math.floor(P.h(d0) / k) * k);
  else if (unit === 'day') t = P.make(P.Y(d0), P.M(d0), P.D(d0));
  else t = P.make(P.Y(d0), Math.floor(P.M(d0) / k) * k, 1);
  let guard = 0;
  while (t <= max && guard++ < 1000) {
    if (t >= min) {
      const d = new Date(t);
      let label;
      if (unit === 'second') label = fmtTime(t, true);
      else if (unit === 'minute' || unit === 'hour') label = P.h(d) === 0 && P.m(d) === 0 ? fmtDay(t) : fmtTime(t);
      else if (unit === 'day') label = fmtDay(t);
      else label = P.M(d) === 0 ? String(P.Y(d)) : `${MONTHS[P.M(d)]} ${P.Y(d)}`;
      out.push({ value: t, label });
    }
    const d = new Date(t);
    // Calendar arithmetic for day/month steps keeps ticks on midnights across DST changes.
    if (unit === 'day') t = P.make(P.Y(d), P.M(d), P.D(d) + k);
    else if (unit === 'month') t = P.make(P.Y(d), P.M(d) + k, 1);
    else if (unit === 'hour') t = P.make(P.Y(d), P.M(d), P.D(d), P.h(d) + k);
    else t += UNIT_MS[unit] * k;
  }
  return out;
}

/** Full timestamp for tooltips. */
export function formatDateTime(t, { utc = false } = {}) {
  if (!Number.isFinite(t)) return String(t);
  const P = dateParts(utc);
  const d = new Date(t);
  return `${P.Y(d)}-${pad2(P.M(d) + 1)}-${pad2(P.D(d))} ${pad2(P.h(d))}:${pad2(P.m(d))}:${pad2(P.s(d))}`;
}
