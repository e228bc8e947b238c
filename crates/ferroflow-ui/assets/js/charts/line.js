// Line chart for metric histories: many series, step/time x axis, EMA smoothing,
// log y, drag-to-zoom on x. Built for large histories: series are stored as
// Float64Array columns sorted by x, visible ranges are found by binary search, and
// when a series has more than 2 points per pixel column it is reduced to
// first/min/max/last per column before stroking (one path per series).

import { createSurface, frameThrottle, localPos, capturePointer, escapeHtml } from './core.js';
import { toColumns, minMaxBuckets, emaSmooth, lowerBound, upperBound } from './downsample.js';
import {
  niceTicks, niceStep, logTicks, timeTicks, formatTick, formatLogTick, formatValue, formatDateTime,
} from './ticks.js';
import { seriesColor } from './theme.js';

const log10 = (y) => {
  const out = new Float64Array(y.length);
  for (let i = 0; i < y.length; i++) out[i] = y[i] > 0 ? Math.log10(y[i]) : NaN;
  return out;
};

/**
 * lineChart(container, opts) -> { update(opts), destroy(), setXRange(range|null), getXRange() }
 *
 * opts:
 *   series: [{ name, color?, points: [{x, y}] | {x: Float64Array, y: Float64Array} }]
 *   xLabel, yLabel: axis titles
 *   xType: 'linear' (default) | 'time' (x in epoch milliseconds, calendar ticks)
 *   logY: boolean; non-positive values become gaps
 *   smoothing: 0..0.99, TensorBoard EMA; the raw line stays visible, faint
 *   height: plot height in CSS px (default 280)
 *   legend: boolean (default true)
 *   xRange: {min, max} | null, externally driven zoom (e.g. synced across charts)
 *   onZoom(range | null): called after a user drag-zoom or double-click reset
 *   xFormat / yFormat: optional (value) => string for tooltips
 */
export function lineChart(container, opts = {}) {
  let o = { xType: 'linear', smoothing: 0, legend: true, ...opts };
  let series = [];
  let view = o.xRange ? { ...o.xRange } : null;
  const hidden = new Set();
  const columnCache = new WeakMap();
  let L = null; // layout of the last draw: plot rect + domains
  let drag = null;

  const surf = createSurface(container, {
    height: o.height ?? 280,
    legend: true,
    onResize: () => draw(),
    onTheme: () => {
      renderLegend();
      draw();
    },
  });
  const { overlay } = surf;

  function columns(s) {
    const src = s.points ?? s;
    if (src && typeof src === 'object') {
      const hit = columnCache.get(src);
      if (hit) return hit;
      const c = toColumns(src);
      columnCache.set(src, c);
      return c;
    }
    return toColumns([]);
  }

  function normalize() {
    const w = Math.min(0.99, Math.max(0, Number(o.smoothing) || 0));
    series = (o.series || []).map((s, i) => {
      const { x, y } = columns(s);
      const sy = w > 0 ? emaSmooth(y, w) : null;
      return {
        name: s.name ?? `series ${i + 1}`,
        color: s.color,
        index: i,
        x,
        y,
        sy,
        ty: o.logY ? log10(y) : y,
        tsy: sy ? (o.logY ? log10(sy) : sy) : null,
      };
    });
  }

  const colorOf = (s) => s.color || seriesColor(surf.theme, s.index);
  const visible = () => series.filter((s) => !hidden.has(s.name) && s.x.length);

  function renderLegend() {
    const el = surf.legendEl;
    el.style.display = o.legend === false || !series.length ? 'none' : '';
    el.innerHTML = '';
    for (const s of series) {
      const item = document.createElement('span');
      item.className = 'ff-chart-legend-item' + (hidden.has(s.name) ? ' off' : '');
      item.title = `${s.name} (click to toggle)`;
      const sw = document.createElement('span');
      sw.className = 'ff-chart-swatch';
      sw.style.background = colorOf(s);
      item.append(sw, document.createTextNode(s.name));
      item.addEventListener('click', () => {
        if (hidden.has(s.name)) hidden.delete(s.name);
        else hidden.add(s.name);
        item.classList.toggle('off');
        draw();
      });
      el.appendChild(item);
    }
  }

  function fullXDomain(vs) {
    let min = Infinity;
    let max = -Infinity;
    for (const s of vs) {
      if (s.x[0] < min) min = s.x[0];
      if (s.x[s.x.length - 1] > max) max = s.x[s.x.length - 1];
    }
    return { min, max };
  }

  function yDomain(vs, xMin, xMax) {
    let min = Infinity;
    let max = -Infinity;
    for (const s of vs) {
      const i0 = lowerBound(s.x, xMin);
      const i1 = upperBound(s.x, xMax);
      const ty = s.ty;
      for (let i = i0; i < i1; i++) {
        const v = ty[i];
        if (v < min) min = v; // NaN comparisons are false, so gaps are skipped
        if (v > max) max = v;
      }
    }
    // Infinity values are gaps, not extents.
    if (!Number.isFinite(min) || !Number.isFinite(max)) {
      min = Infinity;
      max = -Infinity;
      for (const s of vs) {
        const i0 = lowerBound(s.x, xMin);
        const i1 = upperBound(s.x, xMax);
        for (let i = i0; i < i1; i++) {
          const v = s.ty[i];
          if (!Number.isFinite(v)) continue;
          if (v < min) min = v;
          if (v > max) max = v;
        }
      }
    }
    return { min, max };
  }

  // Canvas pixels are opaque to tests and tools: record on the chart element what the last
  // draw plotted (visible series, their sample counts and x extents) and how many draws ran.
  let draws = 0;
  function exposeDrawn(vs) {
    surf.root.dataset.series = JSON.stringify(
      vs.map((s) => ({ name: s.name, points: s.x.length, xMin: s.x[0], xMax: s.x[s.x.length - 1] })),
    );
    surf.root.dataset.draws = String(++draws);
  }

  function draw() {
    const ctx = surf.ctx;
    const th = surf.theme;
    surf.begin(ctx);
    surf.begin(surf.octx);
    surf.hideTooltip();
    const W = surf.width;
    const H = surf.height;
    const vs = visible();
    const full = fullXDomain(vs);
    let xMin = view ? view.min : full.min;
    let xMax = view ? view.max : full.max;
    if (!Number.isFinite(xMin) || !Number.isFinite(xMax)) {
      L = null;
      ctx.fillStyle = th.muted;
      ctx.textAlign = 'center';
      ctx.textBaseline = 'middle';
      ctx.fillText(series.length ? 'No data' : 'No series', W / 2, H / 2);
      exposeDrawn(vs);
      return;
    }
    if (xMin === xMax) {
      const d = o.xType === 'time' ? 1000 : Math.abs(xMin) * 0.05 || 1;
      xMin -= d;
      xMax += d;
    }
    let { min: yMin, max: yMax } = yDomain(vs, xMin, xMax);
    if (!Number.isFinite(yMin)) {
      yMin = 0;
      yMax = 1;
    }
    if (yMin === yMax) {
      const d = o.logY ? 0.5 : Math.abs(yMin) * 0.1 || 1;
      yMin -= d;
      yMax += d;
    } else {
      const pad = (yMax - yMin) * 0.05;
      yMin -= pad;
      yMax += pad;
    }

    // Y ticks first: their label width decides the left margin.
    ctx.font = `11px ${th.font}`;
    const top = 8;
    const bottom = H - (o.xLabel ? 34 : 20);
    const yMaxTicks = Math.max(2, Math.floor((bottom - top) / 36));
    let yt;
    if (o.logY) {
      yt = logTicks(10 ** yMin, 10 ** yMax, yMaxTicks).map((v) => ({ pos: Math.log10(v), label: formatLogTick(v) }));
    } else {
      const step = niceStep(yMax - yMin, yMaxTicks);
      yt = niceTicks(yMin, yMax, yMaxTicks).map((v) => ({ pos: v, label: formatTick(v, step) }));
    }
    let labelW = 0;
    for (const t of yt) labelW = Math.max(labelW, ctx.measureText(t.label).width);
    const left = Math.ceil(labelW) + 10 + (o.yLabel ? 16 : 0);
    const right = W - 14;
    const pw = Math.max(1, right - left);
    const ph = Math.max(1, bottom - top);
    const sx = (v) => left + ((v - xMin) / (xMax - xMin)) * pw;
    const sy = (v) => bottom - ((v - yMin) / (yMax - yMin)) * ph;
    L = { left, right, top, bottom, pw, ph, xMin, xMax, yMin, yMax, sx, sy, vs };

    let xt;
    if (o.xType === 'time') {
      xt = timeTicks(xMin, xMax, Math.max(2, Math.floor(pw / 110))).map((t) => ({ pos: t.value, label: t.label }));
    } else {
      const n = Math.max(2, Math.floor(pw / 80));
      const step = niceStep(xMax - xMin, n);
      xt = niceTicks(xMin, xMax, n).map((v) => ({ pos: v, label: formatTick(v, step) }));
    }

    if (th.bg && th.bg !== 'transparent') {
      ctx.fillStyle = th.bg;
      ctx.fillRect(0, 0, W, H);
    }
    // Grid
    ctx.strokeStyle = th.grid;
    ctx.lineWidth = 1;
    ctx.beginPath();
    for (const t of yt) {
      const y = Math.round(sy(t.pos)) + 0.5;
      ctx.moveTo(left, y);
      ctx.lineTo(right, y);
    }
    for (const t of xt) {
      const x = Math.round(sx(t.pos)) + 0.5;
      ctx.moveTo(x, top);
      ctx.lineTo(x, bottom);
    }
    ctx.stroke();
    ctx.strokeStyle = th.axis;
    ctx.beginPath();
    ctx.moveTo(left + 0.5, top);
    ctx.lineTo(left + 0.5, bottom + 0.5);
    ctx.lineTo(right, bottom + 0.5);
    ctx.stroke();
    // Labels
    ctx.fillStyle = th.muted;
    ctx.textAlign = 'right';
    ctx.textBaseline = 'middle';
    for (const t of yt) ctx.fillText(t.label, left - 6, sy(t.pos));
    ctx.textAlign = 'center';
    ctx.textBaseline = 'top';
    let lastEnd = -Infinity;
    for (const t of xt) {
      const x = sx(t.pos);
      const w = ctx.measureText(t.label).width;
      if (x - w / 2 < lastEnd + 6) continue; // avoid overlapping labels
      ctx.fillText(t.label, Math.min(Math.max(x, w / 2), W - w / 2), bottom + 5);
      lastEnd = x + w / 2;
    }
    ctx.fillStyle = th.fg;
    if (o.xLabel) {
      ctx.textBaseline = 'bottom';
      ctx.fillText(o.xLabel, left + pw / 2, H - 2);
    }
    if (o.yLabel) {
      ctx.save();
      ctx.translate(10, top + ph / 2);
      ctx.rotate(-Math.PI / 2);
      ctx.textBaseline = 'middle';
      ctx.textAlign = 'center';
      ctx.fillText(o.yLabel, 0, 0);
      ctx.restore();
    }

    // Series
    ctx.save();
    ctx.beginPath();
    ctx.rect(left, top - 2, pw, ph + 4);
    ctx.clip();
    ctx.lineJoin = 'round';
    ctx.lineCap = 'round';
    const buckets = Math.round(pw * Math.min(2, surf.dpr));
    for (const s of vs) {
      const color = colorOf(s);
      if (s.tsy) {
        strokeSeries(ctx, s.x, s.ty, color, 0.25, 1, buckets);
        strokeSeries(ctx, s.x, s.tsy, color, 1, 1.75, buckets);
      } else {
        strokeSeries(ctx, s.x, s.ty, color, 1, 1.5, buckets);
      }
    }
    ctx.restore();
    exposeDrawn(vs);
  }

  function strokeSeries(ctx, x, ty, color, alpha, width, buckets) {
    const { xMin, xMax, sx, sy } = L;
    const n = x.length;
    const i0 = Math.max(0, lowerBound(x, xMin) - 1);
    const i1 = Math.min(n, upperBound(x, xMax) + 1);
    let px = x;
    let py = ty;
    let j0 = i0;
    let j1 = i1;
    if (i1 - i0 > 2 * buckets) {
      const d = minMaxBuckets(x.subarray(i0, i1), ty.subarray(i0, i1), buckets, { xMin, xMax });
      px = d.x;
      py = d.y;
      j0 = 0;
      j1 = px.length;
    }
    ctx.globalAlpha = alpha;
    ctx.strokeStyle = color;
    ctx.fillStyle = color;
    ctx.lineWidth = width;
    ctx.beginPath();
    let seg = 0;
    let lx = 0;
    let ly = 0;
    const dots = [];
    for (let j = j0; j < j1; j++) {
      const v = py[j];
      if (!Number.isFinite(v)) {
        if (seg === 1) dots.push(lx, ly);
        seg = 0;
        continue;
      }
      lx = sx(px[j]);
      ly = sy(v);
      if (seg === 0) ctx.moveTo(lx, ly);
      else ctx.lineTo(lx, ly);
      seg++;
    }
    if (seg === 1) dots.push(lx, ly);
    ctx.stroke();
    // Isolated samples (single logged value, or between gaps) would be invisible as lines.
    for (let k = 0; k < dots.length; k += 2) {
      ctx.beginPath();
      ctx.arc(dots[k], dots[k + 1], width + 1.5, 0, Math.PI * 2);
      ctx.fill();
    }
    ctx.globalAlpha = 1;
  }

  /** Nearest finite sample of a series to x value `xv` (binary search, short scan past gaps). */
  function nearest(s, xv) {
    const n = s.x.length;
    if (!n) return -1;
    const i = lowerBound(s.x, xv);
    let best = -1;
    let bestD = Infinity;
    for (let k = 0; k < 64; k++) {
      for (const j of [i - 1 - k, i + k]) {
        if (j < 0 || j >= n || !Number.isFinite(s.ty[j])) continue;
        const d = Math.abs(s.x[j] - xv);
        if (d < bestD) {
          bestD = d;
          best = j;
        }
      }
      if (best >= 0) break;
    }
    return best;
  }

  const fmtX = (v) => (o.xFormat ? o.xFormat(v) : o.xType === 'time' ? formatDateTime(v) : formatValue(v));
  // Rows repeat x only when series disagree; time of day keeps those columns short.
  const fmtRowX = (v) => (o.xFormat || o.xType !== 'time' ? fmtX(v) : formatDateTime(v).slice(11));
  const fmtY = (v) => (o.yFormat ? o.yFormat(v) : formatValue(v));

  const paintOverlay = frameThrottle((mx, my) => {
    const octx = surf.octx;
    surf.begin(octx);
    if (!L) return;
    const th = surf.theme;
    if (drag) {
      const a = Math.min(drag.x0, drag.x1);
      const b = Math.max(drag.x0, drag.x1);
      octx.fillStyle = th.selection;
      octx.fillRect(a, L.top, b - a, L.ph);
      octx.strokeStyle = th.axis;
      octx.strokeRect(a + 0.5, L.top + 0.5, b - a, L.ph);
      surf.hideTooltip();
      return;
    }
    if (mx === null || mx < L.left || mx > L.right || my < L.top - 4 || my > L.bottom + 4) {
      surf.hideTooltip();
      return;
    }
    const xv = L.xMin + ((mx - L.left) / L.pw) * (L.xMax - L.xMin);
    const rows = [];
    for (const s of L.vs) {
      const j = nearest(s, xv);
      if (j < 0) continue;
      rows.push({ s, j });
    }
    if (!rows.length) {
      surf.hideTooltip();
      return;
    }
    // Snap the crosshair to the sample closest to the pointer, as readers compare at that x.
    let snap = rows[0];
    for (const r of rows) if (Math.abs(r.s.x[r.j] - xv) < Math.abs(snap.s.x[snap.j] - xv)) snap = r;
    const cx = Math.round(L.sx(snap.s.x[snap.j])) + 0.5;
    octx.strokeStyle = th.axis;
    octx.lineWidth = 1;
    octx.setLineDash([3, 3]);
    octx.beginPath();
    octx.moveTo(cx, L.top);
    octx.lineTo(cx, L.bottom);
    octx.stroke();
    octx.setLineDash([]);
    for (const { s, j } of rows) {
      const yv = s.tsy ? s.tsy[j] : s.ty[j];
      if (!Number.isFinite(yv)) continue;
      const px = L.sx(s.x[j]);
      const py = L.sy(yv);
      if (px < L.left - 1 || px > L.right + 1) continue;
      octx.beginPath();
      octx.arc(px, py, 3.5, 0, Math.PI * 2);
      octx.fillStyle = colorOf(s);
      octx.fill();
      octx.strokeStyle = th.bg || '#fff';
      octx.lineWidth = 1.5;
      octx.stroke();
    }
    const smooth = rows.some((r) => r.s.sy);
    const sameX = rows.every((r) => r.s.x[r.j] === snap.s.x[snap.j]);
    let html = `<div class="hdr">${escapeHtml(o.xLabel || 'x')}: ${escapeHtml(fmtX(snap.s.x[snap.j]))}</div><table>`;
    const MAX_ROWS = 15;
    if (smooth) html += `<tr style="opacity:.65"><td></td><td></td><td class="num">smoothed</td><td class="num">raw</td>${sameX ? '' : '<td></td>'}</tr>`;
    for (const { s, j } of rows.slice(0, MAX_ROWS)) {
      html += `<tr><td><span class="ff-chart-swatch" style="display:inline-block;background:${escapeHtml(colorOf(s))}"></span></td>`;
      html += `<td class="name">${escapeHtml(s.name)}</td>`;
      if (smooth) html += `<td class="num">${s.sy ? escapeHtml(fmtY(s.sy[j])) : ''}</td>`;
      html += `<td class="num" style="${smooth ? 'opacity:.65' : ''}">${escapeHtml(fmtY(s.y[j]))}</td>`;
      if (!sameX) html += `<td class="num" style="opacity:.65">@ ${escapeHtml(fmtRowX(s.x[j]))}</td>`;
      html += '</tr>';
    }
    html += '</table>';
    if (rows.length > MAX_ROWS) html += `<div style="opacity:.65">… ${rows.length - MAX_ROWS} more</div>`;
    surf.showTooltip(html, mx, my);
  });

  const onMove = (ev) => {
    const p = localPos(ev, overlay);
    if (drag) drag.x1 = Math.min(L.right, Math.max(L.left, p.x));
    paintOverlay(p.x, p.y);
  };
  const onDown = (ev) => {
    if (ev.button !== 0 || !L) return;
    const p = localPos(ev, overlay);
    if (p.x < L.left || p.x > L.right || p.y < L.top || p.y > L.bottom) return;
    drag = { x0: p.x, x1: p.x };
    capturePointer(overlay, ev);
    ev.preventDefault();
  };
  const onUp = (ev) => {
    if (!drag) return;
    const d = drag;
    drag = null;
    capturePointer(overlay, ev, false);
    if (Math.abs(d.x1 - d.x0) >= 5 && L) {
      const inv = (px) => L.xMin + ((px - L.left) / L.pw) * (L.xMax - L.xMin);
      view = { min: inv(Math.min(d.x0, d.x1)), max: inv(Math.max(d.x0, d.x1)) };
      draw();
      o.onZoom?.({ ...view });
    } else {
      const p = localPos(ev, overlay);
      paintOverlay(p.x, p.y);
    }
  };
  const onLeave = () => {
    if (!drag) paintOverlay(null, null);
  };
  const onDbl = () => {
    if (!view) return;
    view = null;
    draw();
    o.onZoom?.(null);
  };
  overlay.addEventListener('pointermove', onMove);
  overlay.addEventListener('pointerdown', onDown);
  overlay.addEventListener('pointerup', onUp);
  overlay.addEventListener('pointercancel', onUp);
  overlay.addEventListener('pointerleave', onLeave);
  overlay.addEventListener('dblclick', onDbl);

  normalize();
  renderLegend();
  draw();

  return {
    /** Merge new options; series/smoothing/logY changes recompute, everything redraws. */
    update(next = {}) {
      o = { ...o, ...next };
      if ('xRange' in next) view = next.xRange ? { ...next.xRange } : null;
      if (next.height !== undefined) {
        surf.setHeight(next.height);
        surf.measure();
      }
      if ('series' in next || 'smoothing' in next || 'logY' in next) normalize();
      renderLegend();
      draw();
    },
    setXRange(range) {
      view = range ? { ...range } : null;
      draw();
    },
    getXRange() {
      return view ? { ...view } : null;
    },
    destroy() {
      paintOverlay.cancel();
      surf.destroy();
    },
  };
}
