// Client-side downsampling for when the server returned full-resolution history.
// Pure functions over column arrays (x, y) with x ascending; non-finite y values are
// gaps and are preserved as NaN markers so a line breaks where the data breaks.

/**
 * Normalise [{x, y}] or {x, y} (arrays or typed arrays) into Float64Array columns.
 * Points with a non-finite x cannot be placed and are dropped; the result is sorted
 * by x (stable) because every consumer relies on binary search over x.
 */
export function toColumns(points) {
  let xs;
  let ys;
  if (Array.isArray(points)) {
    const n = points.length;
    xs = new Float64Array(n);
    ys = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const p = points[i];
      xs[i] = p == null ? NaN : Number(p.x);
      ys[i] = p == null ? NaN : toNumber(p.y);
    }
  } else if (points && points.x && points.y) {
    const n = Math.min(points.x.length, points.y.length);
    xs = points.x instanceof Float64Array && points.x.length === n ? points.x : Float64Array.from(points.x.slice(0, n), Number);
    ys = points.y instanceof Float64Array && points.y.length === n ? points.y : Float64Array.from(points.y.slice(0, n), toNumber);
  } else {
    return { x: new Float64Array(0), y: new Float64Array(0) };
  }
  let n = xs.length;
  let finiteX = true;
  let sorted = true;
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(xs[i])) finiteX = false;
    else if (i > 0 && xs[i] < xs[i - 1]) sorted = false;
  }
  if (finiteX && sorted) return { x: xs, y: ys };
  const idx = [];
  for (let i = 0; i < n; i++) if (Number.isFinite(xs[i])) idx.push(i);
  if (!sorted) idx.sort((a, b) => xs[a] - xs[b] || a - b);
  n = idx.length;
  const ox = new Float64Array(n);
  const oy = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    ox[i] = xs[idx[i]];
    oy[i] = ys[idx[i]];
  }
  return { x: ox, y: oy };
}

/** MLflow serialises NaN/Infinity as strings in JSON; accept both forms. */
function toNumber(v) {
  if (typeof v === 'number') return v;
  if (v == null) return NaN;
  if (v === 'Infinity' || v === 'inf') return Infinity;
  if (v === '-Infinity' || v === '-inf') return -Infinity;
  return Number(v);
}

/** Index of the first element >= v in ascending `arr` within [lo, hi). */
export function lowerBound(arr, v, lo = 0, hi = arr.length) {
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (arr[mid] < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Index of the first element > v in ascending `arr` within [lo, hi). */
export function upperBound(arr, v, lo = 0, hi = arr.length) {
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (arr[mid] <= v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function lttbFinite(x, y, lo, hi, threshold, ox, oy) {
  const n = hi - lo;
  if (threshold >= n) {
    for (let i = lo; i < hi; i++) {
      ox.push(x[i]);
      oy.push(y[i]);
    }
    return;
  }
  if (threshold < 3) {
    ox.push(x[lo], x[hi - 1]);
    oy.push(y[lo], y[hi - 1]);
    return;
  }
  const every = (n - 2) / (threshold - 2);
  let a = lo;
  ox.push(x[a]);
  oy.push(y[a]);
  for (let i = 0; i < threshold - 2; i++) {
    // Average of the next bucket is the third triangle vertex.
    let avgStart = lo + Math.floor((i + 1) * every) + 1;
    let avgEnd = Math.min(lo + Math.floor((i + 2) * every) + 1, hi);
    if (avgStart >= avgEnd) avgStart = avgEnd - 1;
    let ax = 0;
    let ay = 0;
    for (let j = avgStart; j < avgEnd; j++) {
      ax += x[j];
      ay += y[j];
    }
    const cnt = avgEnd - avgStart;
    ax /= cnt;
    ay /= cnt;
    const start = lo + Math.floor(i * every) + 1;
    const end = lo + Math.floor((i + 1) * every) + 1;
    const px = x[a];
    const py = y[a];
    let best = -1;
    let bestIdx = start;
    for (let j = start; j < end; j++) {
      const area = Math.abs((px - ax) * (y[j] - py) - (px - x[j]) * (ay - py));
      if (area > best) {
        best = area;
        bestIdx = j;
      }
    }
    ox.push(x[bestIdx]);
    oy.push(y[bestIdx]);
    a = bestIdx;
  }
  ox.push(x[hi - 1]);
  oy.push(y[hi - 1]);
}

/**
 * Largest-Triangle-Three-Buckets: keeps the visually salient points, returning
 * about `threshold` points. Runs of finite values are downsampled independently
 * (budget split by length) with one NaN marker between runs, so gaps survive.
 */
export function lttb(x, y, threshold) {
  const n = Math.min(x.length, y.length);
  const runs = [];
  let finite = 0;
  for (let i = 0; i < n; ) {
    if (!Number.isFinite(y[i])) {
      i++;
      continue;
    }
    let j = i;
    while (j < n && Number.isFinite(y[j])) j++;
    runs.push([i, j]);
    finite += j - i;
    i = j;
  }
  if (threshold >= n) return { x: Float64Array.from(x.subarray ? x.subarray(0, n) : x.slice(0, n)), y: Float64Array.from(y.subarray ? y.subarray(0, n) : y.slice(0, n)) };
  const ox = [];
  const oy = [];
  for (let r = 0; r < runs.length; r++) {
    const [lo, hi] = runs[r];
    if (r > 0) {
      // Marker at the first non-finite sample after the previous run.
      ox.push(x[runs[r - 1][1]]);
      oy.push(NaN);
    }
    const budget = Math.max(3, Math.round((threshold * (hi - lo)) / Math.max(1, finite)));
    lttbFinite(x, y, lo, hi, budget, ox, oy);
  }
  return { x: Float64Array.from(ox), y: Float64Array.from(oy) };
}

/**
 * Min/max per x bucket (M4: first, min, max, last of each bucket, in index order).
 * Drawing those with lines reproduces the full-resolution picture exactly at one
 * bucket per pixel column, unlike LTTB which may drop single-sample spikes.
 * Buckets split [xMin, xMax] evenly (defaults: data extent). The nearest sample
 * outside the range on each side is kept so lines run to the plot edges.
 */
export function minMaxBuckets(x, y, buckets, { xMin, xMax } = {}) {
  const n = Math.min(x.length, y.length);
  if (n === 0) return { x: new Float64Array(0), y: new Float64Array(0) };
  if (xMin === undefined) xMin = x[0];
  if (xMax === undefined) xMax = x[n - 1];
  buckets = Math.max(1, Math.floor(buckets));
  const ox = [];
  const oy = [];
  let lo = lowerBound(x, xMin, 0, n);
  let hi = upperBound(x, xMax, 0, n);
  if (lo > 0) {
    ox.push(x[lo - 1]);
    oy.push(y[lo - 1]);
  }
  const span = xMax - xMin;
  const scale = span > 0 ? buckets / span : 0;
  let cur = -1;
  let iFirst = -1;
  let iMin = -1;
  let iMax = -1;
  let iLast = -1;
  let inGap = false;
  const flush = () => {
    if (iFirst < 0) return;
    // Emit the 4 extremes in index order, deduplicated.
    const idx = [iFirst, iMin, iMax, iLast].sort((a, b) => a - b);
    let prev = -1;
    for (const k of idx) {
      if (k !== prev) {
        ox.push(x[k]);
        oy.push(y[k]);
      }
      prev = k;
    }
    iFirst = iMin = iMax = iLast = -1;
  };
  for (let i = lo; i < hi; i++) {
    const yi = y[i];
    if (!Number.isFinite(yi)) {
      if (!inGap) {
        flush();
        ox.push(x[i]);
        oy.push(NaN);
        inGap = true;
      }
      continue;
    }
    inGap = false;
    let b = Math.floor((x[i] - xMin) * scale);
    if (b >= buckets) b = buckets - 1;
    if (b !== cur) {
      flush();
      cur = b;
    }
    if (iFirst < 0) {
      iFirst = iMin = iMax = i;
    } else {
      if (yi < y[iMin]) iMin = i;
      if (yi > y[iMax]) iMax = i;
    }
    iLast = i;
  }
  flush();
  if (hi < n) {
    ox.push(x[hi]);
    oy.push(y[hi]);
  }
  return { x: Float64Array.from(ox), y: Float64Array.from(oy) };
}

/**
 * TensorBoard-style exponential moving average, debiased so the start of the curve
 * is not pulled towards zero. Non-finite values pass through untouched and do not
 * poison the average; a constant series stays constant.
 */
export function emaSmooth(y, weight) {
  const n = y.length;
  const out = new Float64Array(n);
  if (!(weight > 0)) {
    out.set(y);
    return out;
  }
  weight = Math.min(weight, 0.999);
  let last = 0;
  let count = 0;
  for (let i = 0; i < n; i++) {
    const v = y[i];
    if (!Number.isFinite(v)) {
      out[i] = v;
      continue;
    }
    last = last * weight + (1 - weight) * v;
    count++;
    const debias = 1 - weight ** count;
    out[i] = last / debias;
  }
  return out;
}
