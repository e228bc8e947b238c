// Shared plumbing for the canvas charts: DPR-aware canvases, resize handling,
// tooltip element and axis drawing. Every chart uses a base canvas (data, redrawn
// only when data/view/size change) plus an overlay canvas (hover, brush, zoom box)
// so pointer movement never repaints thousands of points.

import { readTheme, onThemeChange } from './theme.js';
import { niceTicks, niceStep, logTicks, formatTick, formatLogTick } from './ticks.js';

let stylesInjected = false;

/** Styles live with the components so pages need no extra stylesheet. */
export function injectStyles() {
  if (stylesInjected || typeof document === 'undefined') return;
  stylesInjected = true;
  const style = document.createElement('style');
  style.dataset.ffCharts = '';
  style.textContent = `
.ff-chart { position: relative; width: 100%; min-width: 0; font-size: 12px; color: var(--chart-fg, inherit); }
.ff-chart-plot { position: relative; width: 100%; }
.ff-chart-plot canvas { position: absolute; left: 0; top: 0; display: block; }
.ff-chart-plot canvas.ff-overlay { cursor: crosshair; touch-action: none; }
.ff-chart-legend { display: flex; flex-wrap: wrap; gap: 2px 12px; padding: 0 4px 4px; line-height: 18px; max-height: 58px; overflow-y: auto; }
.ff-chart-legend-item { display: inline-flex; align-items: center; gap: 5px; cursor: pointer; user-select: none; white-space: nowrap; max-width: 260px; overflow: hidden; text-overflow: ellipsis; }
.ff-chart-legend-item.off { opacity: 0.35; }
.ff-chart-swatch { width: 10px; height: 10px; border-radius: 2px; flex: none; }
.ff-chart-tooltip { position: fixed; z-index: 1000; pointer-events: none; padding: 6px 8px; border-radius: 4px;
  box-shadow: 0 2px 8px rgba(0,0,0,0.25); font-size: 12px; line-height: 16px; white-space: nowrap; display: none;
  background: var(--chart-tooltip-bg, rgba(255,255,255,0.97)); color: var(--chart-tooltip-fg, var(--chart-fg, #222));
  border: 1px solid var(--chart-grid, rgba(0,0,0,0.1)); max-width: 420px; overflow: hidden; }
.ff-chart-tooltip table { border-collapse: collapse; }
.ff-chart-tooltip td { padding: 0 4px; }
.ff-chart-tooltip td.num { text-align: right; font-variant-numeric: tabular-nums; }
.ff-chart-tooltip .hdr { font-weight: 600; margin-bottom: 2px; }
.ff-chart-tooltip .name { max-width: 220px; overflow: hidden; text-overflow: ellipsis; }
.ff-chart-empty { position: absolute; inset: 0; display: flex; align-items: center; justify-content: center; opacity: 0.6; pointer-events: none; }
`;
  document.head.appendChild(style);
}

export function escapeHtml(s) {
  return String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
}

/**
 * Create the chart DOM inside `container`: root div (class ff-chart), optional
 * legend, plot area with base + overlay canvases, tooltip. `onResize` is called
 * (coalesced per animation frame) when the plot width changes or the theme flips.
 */
export function createSurface(container, { height = 280, legend = false, onResize, onTheme } = {}) {
  injectStyles();
  const root = document.createElement('div');
  root.className = 'ff-chart';
  let legendEl = null;
  if (legend) {
    legendEl = document.createElement('div');
    legendEl.className = 'ff-chart-legend';
    root.appendChild(legendEl);
  }
  const plot = document.createElement('div');
  plot.className = 'ff-chart-plot';
  plot.style.height = `${height}px`;
  const canvas = document.createElement('canvas');
  const overlay = document.createElement('canvas');
  overlay.className = 'ff-overlay';
  const tooltip = document.createElement('div');
  tooltip.className = 'ff-chart-tooltip';
  plot.append(canvas, overlay);
  root.appendChild(plot);
  container.appendChild(root);
  // The tooltip lives on <body> with fixed positioning so small charts inside
  // overflow-hidden cards can still show a full tooltip.
  document.body.appendChild(tooltip);

  const s = {
    root, plot, legendEl, canvas, overlay, tooltip,
    ctx: canvas.getContext('2d'),
    octx: overlay.getContext('2d'),
    width: 0, height, dpr: 1,
    theme: readTheme(root),
  };

  /** Match backing store to CSS size x devicePixelRatio; returns true if changed. */
  s.measure = () => {
    const w = Math.max(1, Math.floor(plot.clientWidth));
    const h = s.height;
    const dpr = window.devicePixelRatio || 1;
    if (w === s.width && dpr === s.dpr && canvas.height === Math.round(h * dpr)) return false;
    s.width = w;
    s.dpr = dpr;
    for (const c of [canvas, overlay]) {
      c.width = Math.round(w * dpr);
      c.height = Math.round(h * dpr);
      c.style.width = `${w}px`;
      c.style.height = `${h}px`;
    }
    return true;
  };
  s.setHeight = (h) => {
    s.height = h;
    plot.style.height = `${h}px`;
  };
  /** Reset transform and clear; callers draw in CSS pixels. */
  s.begin = (ctx) => {
    ctx.setTransform(s.dpr, 0, 0, s.dpr, 0, 0);
    ctx.clearRect(0, 0, s.width, s.height);
    ctx.font = `11px ${s.theme.font}`;
  };
  s.refreshTheme = () => {
    s.theme = readTheme(root);
  };
  /** Show at plot-local (px, py), flipped/clamped to stay inside the viewport. */
  s.showTooltip = (html, px, py) => {
    tooltip.innerHTML = html;
    tooltip.style.background = s.theme.tooltipBg;
    tooltip.style.color = s.theme.tooltipFg;
    tooltip.style.borderColor = s.theme.grid;
    tooltip.style.fontFamily = s.theme.font;
    tooltip.style.display = 'block';
    const r = plot.getBoundingClientRect();
    const vw = document.documentElement.clientWidth;
    const vh = document.documentElement.clientHeight;
    const cx = r.left + px;
    const cy = r.top + py;
    const tw = tooltip.offsetWidth;
    const th = tooltip.offsetHeight;
    let left = cx + 14;
    if (left + tw > vw - 4) left = cx - tw - 14;
    left = Math.max(4, Math.min(left, vw - tw - 4));
    let top = cy + 14;
    if (top + th > vh - 4) top = cy - th - 10;
    top = Math.max(4, Math.min(top, vh - th - 4));
    tooltip.style.left = `${left}px`;
    tooltip.style.top = `${top}px`;
  };
  s.hideTooltip = () => {
    tooltip.style.display = 'none';
  };

  let raf = 0;
  const ro = new ResizeObserver(() => {
    if (raf) return;
    raf = requestAnimationFrame(() => {
      raf = 0;
      if (s.measure()) onResize?.();
    });
  });
  ro.observe(plot);
  const offTheme = onThemeChange(() => {
    s.refreshTheme();
    onTheme?.();
  });
  // A fixed tooltip would float away from its point when the page scrolls.
  const onScroll = () => s.hideTooltip();
  window.addEventListener('scroll', onScroll, { passive: true, capture: true });
  s.measure();
  s.destroy = () => {
    window.removeEventListener('scroll', onScroll, { capture: true });
    ro.disconnect();
    offTheme();
    if (raf) cancelAnimationFrame(raf);
    tooltip.remove();
    root.remove();
  };
  return s;
}

/** Coalesce pointer-driven overlay repaints to one per animation frame. */
export function frameThrottle(fn) {
  let raf = 0;
  let lastArgs = null;
  const run = () => {
    raf = 0;
    fn(...lastArgs);
  };
  const call = (...args) => {
    lastArgs = args;
    if (!raf) raf = requestAnimationFrame(run);
  };
  call.cancel = () => {
    if (raf) cancelAnimationFrame(raf);
    raf = 0;
  };
  return call;
}

/** Pointer capture keeps drags alive outside the canvas; synthetic events have no capturable id. */
export function capturePointer(el, ev, on = true) {
  try {
    if (on) el.setPointerCapture(ev.pointerId);
    else el.releasePointerCapture(ev.pointerId);
  } catch {
    /* not capturable: dragging still works while the pointer stays over the chart */
  }
}

/** Pointer position in CSS pixels relative to the element. */
export function localPos(ev, el) {
  const r = el.getBoundingClientRect();
  return { x: ev.clientX - r.left, y: ev.clientY - r.top };
}

/** Truncate text with an ellipsis to fit `maxW` pixels. */
export function fitText(ctx, text, maxW) {
  text = String(text);
  if (ctx.measureText(text).width <= maxW) return text;
  let lo = 0;
  let hi = text.length;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (ctx.measureText(text.slice(0, mid) + '…').width <= maxW) lo = mid;
    else hi = mid - 1;
  }
  return text.slice(0, lo) + '…';
}

/**
 * Numeric-or-categorical axis model shared by scatter and parallel coordinates.
 * Strings are numeric when every non-empty one parses as a finite number (MLflow
 * params are strings); otherwise the axis is categorical with naturally sorted levels.
 */
export function inferAxis(values, { log = false } = {}) {
  let numeric = true;
  let any = false;
  for (const v of values) {
    if (v === null || v === undefined || v === '') continue;
    any = true;
    if (typeof v === 'number') {
      if (Number.isNaN(v)) continue;
      continue;
    }
    const t = String(v).trim();
    if (t === '' || !Number.isFinite(Number(t))) {
      numeric = false;
      break;
    }
  }
  if (numeric) {
    const nums = values.map((v) => (v === null || v === undefined || v === '' ? NaN : Number(v)));
    let min = Infinity;
    let max = -Infinity;
    for (const v of nums) {
      if (!Number.isFinite(v) || (log && v <= 0)) continue;
      if (v < min) min = v;
      if (v > max) max = v;
    }
    if (!(min <= max)) {
      min = log ? 1 : 0;
      max = log ? 10 : 1;
    }
    return { type: 'numeric', log, values: nums, min, max, any };
  }
  const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });
  const cats = [...new Set(values.filter((v) => v !== null && v !== undefined && v !== '').map(String))].sort(collator.compare);
  const index = new Map(cats.map((c, i) => [c, i]));
  return {
    type: 'category',
    categories: cats,
    values: values.map((v) => (v === null || v === undefined || v === '' ? NaN : index.get(String(v)))),
    any,
  };
}

/**
 * Map an inferAxis() model onto the pixel range [r0, r1] (r0 may be > r1 for
 * vertical axes). Returns { pos(v) -> px|NaN, ticks: [{px, label}], label(v) }.
 * Categorical values are level indices; log axes drop non-positive values (NaN).
 */
export function makeScale(axis, r0, r1, { maxTicks = 6, pad = 0.05 } = {}) {
  if (axis.type === 'category') {
    const n = axis.categories.length;
    const d0 = -0.5;
    const d1 = Math.max(n, 1) - 0.5;
    const pos = (v) => (Number.isFinite(v) ? r0 + ((v - d0) / (d1 - d0)) * (r1 - r0) : NaN);
    const spacing = Math.abs(r1 - r0) / Math.max(1, n);
    const every = Math.max(1, Math.ceil(16 / Math.max(1e-9, spacing)));
    const ticks = [];
    for (let i = 0; i < n; i += every) ticks.push({ px: pos(i), label: axis.categories[i] });
    return { pos, ticks, label: (v) => (Number.isFinite(v) ? axis.categories[v] : '') };
  }
  if (axis.log) {
    let a = Math.log10(axis.min);
    let b = Math.log10(axis.max);
    if (a === b) {
      a -= 0.5;
      b += 0.5;
    } else {
      const p = (b - a) * pad;
      a -= p;
      b += p;
    }
    const pos = (v) => (v > 0 ? r0 + ((Math.log10(v) - a) / (b - a)) * (r1 - r0) : NaN);
    const ticks = logTicks(10 ** a, 10 ** b, maxTicks).map((v) => ({ px: pos(v), label: formatLogTick(v) }));
    return { pos, ticks, label: (v) => String(v) };
  }
  let a = axis.min;
  let b = axis.max;
  if (a === b) {
    const d = Math.abs(a) * 0.1 || 1;
    a -= d;
    b += d;
  } else {
    const p = (b - a) * pad;
    a -= p;
    b += p;
  }
  const pos = (v) => (Number.isFinite(v) ? r0 + ((v - a) / (b - a)) * (r1 - r0) : NaN);
  const step = niceStep(b - a, maxTicks);
  const ticks = niceTicks(a, b, maxTicks).map((v) => ({ px: pos(v), label: formatTick(v, step) }));
  return { pos, ticks, label: (v) => String(v) };
}
