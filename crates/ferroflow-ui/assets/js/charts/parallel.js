// Parallel coordinates over run params and a metric. Each row (run) is a polyline
// across one vertical axis per dimension; axes are numeric or categorical (string
// params). Dragging vertically on an axis brushes a range; rows outside any brush
// are greyed out. Lines are batched into one path per colour bucket so thousands
// of runs draw quickly.

import { createSurface, frameThrottle, localPos, capturePointer, escapeHtml, inferAxis, makeScale, fitText } from './core.js';
import { formatValue } from './ticks.js';
import { rampColor, seriesColor } from './theme.js';

const COLOR_BUCKETS = 32;

/**
 * parallelCoordinates(container, opts) -> { update(opts), destroy(), clearBrushes(), selected() }
 *
 * opts:
 *   dimensions: [{ name, values: [], log? }]  (values[i] belongs to row i; null/'' = missing;
 *               log: log-scaled numeric axis, e.g. learning rate)
 *   colorBy: index of the dimension that colours lines (numeric: colour ramp,
 *            categorical: palette); default the last dimension
 *   labels?: [] row labels shown in the tooltip (e.g. run names)
 *   height?: default 320
 *   onBrush?(selectedRowIndices | null)  null when no brush is active
 */
export function parallelCoordinates(container, opts = {}) {
  let o = { ...opts };
  let axes = [];
  let rows = 0;
  let L = null;
  let brushes = new Map(); // dim index -> {a, b} as fractions of axis height (0 = top)
  let drag = null;
  const surf = createSurface(container, { height: o.height ?? 320, onResize: () => draw(), onTheme: () => draw() });
  const { overlay } = surf;

  function build() {
    const dims = o.dimensions || [];
    rows = dims.reduce((m, d) => Math.max(m, d.values?.length || 0), 0);
    axes = dims.map((d) => {
      const vals = Array.from({ length: rows }, (_, i) => d.values?.[i]);
      return { name: d.name, raw: vals, model: inferAxis(vals, { log: !!d.log }) };
    });
    // Brushes refer to axis positions; they are meaningless if the dimensions changed.
    for (const k of [...brushes.keys()]) if (k >= axes.length) brushes.delete(k);
  }

  function colorIndex() {
    const c = o.colorBy ?? axes.length - 1;
    return c >= 0 && c < axes.length ? c : -1;
  }

  function rowColor(i, th) {
    const ci = colorIndex();
    if (ci < 0) return seriesColor(th, 0);
    const m = axes[ci].model;
    const v = m.values[i];
    if (!Number.isFinite(v)) return th.muted;
    if (m.type === 'category') return seriesColor(th, v);
    const t = m.max > m.min ? (v - m.min) / (m.max - m.min) : 0.5;
    return rampColor(th, Math.round(t * (COLOR_BUCKETS - 1)) / (COLOR_BUCKETS - 1));
  }

  function isSelected(i) {
    for (const [k, br] of brushes) {
      const y = L.ys[k][i];
      if (!Number.isFinite(y)) return false;
      const f = (y - L.top) / (L.bottom - L.top);
      if (f < br.a || f > br.b) return false;
    }
    return true;
  }

  function draw() {
    const ctx = surf.ctx;
    const th = surf.theme;
    surf.begin(ctx);
    surf.hideTooltip();
    const W = surf.width;
    const H = surf.height;
    if (th.bg && th.bg !== 'transparent') {
      ctx.fillStyle = th.bg;
      ctx.fillRect(0, 0, W, H);
    }
    if (!axes.length || !rows) {
      L = null;
      ctx.fillStyle = th.muted;
      ctx.textAlign = 'center';
      ctx.textBaseline = 'middle';
      ctx.fillText('No data', W / 2, H / 2);
      return;
    }
    const top = 34;
    const bottom = H - 14;
    const left = 56;
    const right = W - 56;
    const n = axes.length;
    const gap = n > 1 ? (right - left) / (n - 1) : 0;
    const xs = axes.map((_, k) => (n > 1 ? left + k * gap : (left + right) / 2));
    const scales = axes.map((a) => makeScale(a.model, bottom, top, { pad: 0, maxTicks: Math.max(2, Math.floor((bottom - top) / 40)) }));
    const ys = scales.map((s, k) => {
      const out = new Float32Array(rows);
      const vals = axes[k].model.values;
      for (let i = 0; i < rows; i++) out[i] = s.pos(vals[i]);
      return out;
    });
    L = { xs, ys, scales, top, bottom, gap };

    const sel = new Uint8Array(rows);
    let nSel = 0;
    for (let i = 0; i < rows; i++) if ((sel[i] = isSelected(i) ? 1 : 0)) nSel++;
    L.sel = sel;

    const stroke = (filter) => {
      // One path per colour bucket keeps draw calls low for thousands of rows.
      const groups = new Map();
      for (let i = 0; i < rows; i++) {
        if (!filter(i)) continue;
        const c = filter === unselected ? th.muted : rowColor(i, th);
        let g = groups.get(c);
        if (!g) groups.set(c, (g = []));
        g.push(i);
      }
      for (const [c, idx] of groups) {
        ctx.strokeStyle = c;
        ctx.beginPath();
        for (const i of idx) {
          let pen = false;
          for (let k = 0; k < n; k++) {
            const y = ys[k][i];
            if (!Number.isFinite(y)) {
              pen = false; // missing value breaks the line
              continue;
            }
            if (pen) ctx.lineTo(xs[k], y);
            else ctx.moveTo(xs[k], y);
            pen = true;
          }
        }
        ctx.stroke();
      }
    };
    const unselected = (i) => !sel[i];
    ctx.lineWidth = 1;
    ctx.globalAlpha = 0.18;
    stroke(unselected);
    ctx.globalAlpha = rows > 500 ? 0.55 : 0.85;
    ctx.lineWidth = rows > 500 ? 1 : 1.5;
    stroke((i) => sel[i] === 1);
    ctx.globalAlpha = 1;

    // Axes, ticks, names, brushes on top of the lines.
    for (let k = 0; k < n; k++) {
      const x = Math.round(xs[k]) + 0.5;
      ctx.strokeStyle = th.axis;
      ctx.lineWidth = 1;
      ctx.beginPath();
      ctx.moveTo(x, top);
      ctx.lineTo(x, bottom);
      ctx.stroke();
      const br = brushes.get(k);
      if (br) {
        const y0 = top + br.a * (bottom - top);
        const y1 = top + br.b * (bottom - top);
        ctx.fillStyle = th.selection;
        ctx.fillRect(x - 8, y0, 16, y1 - y0);
        ctx.strokeStyle = th.fg;
        ctx.strokeRect(x - 8, y0, 16, y1 - y0);
      }
      ctx.font = `11px ${surf.theme.font}`;
      ctx.textAlign = 'right';
      ctx.textBaseline = 'middle';
      for (const t of scales[k].ticks) {
        ctx.strokeStyle = th.axis;
        ctx.beginPath();
        ctx.moveTo(x - 4, Math.round(t.px) + 0.5);
        ctx.lineTo(x, Math.round(t.px) + 0.5);
        ctx.stroke();
        // Halo keeps tick labels readable over dense lines.
        const label = fitText(ctx, t.label, Math.max(30, Math.min(100, gap - 12)));
        ctx.lineWidth = 3;
        ctx.strokeStyle = th.bg;
        ctx.strokeText(label, x - 6, t.px);
        ctx.lineWidth = 1;
        ctx.fillStyle = th.muted;
        ctx.fillText(label, x - 6, t.px);
      }
      ctx.font = `600 12px ${surf.theme.font}`;
      ctx.textAlign = k === 0 ? 'left' : k === n - 1 && n > 1 ? 'right' : 'center';
      ctx.textBaseline = 'bottom';
      ctx.fillStyle = th.fg;
      const maxW = n > 1 ? Math.max(40, gap - 8) : W - 20;
      const tx = k === 0 ? Math.max(4, x - 20) : k === n - 1 && n > 1 ? Math.min(W - 4, x + 20) : x;
      ctx.fillText(fitText(ctx, axes[k].name + (k === colorIndex() ? ' ●' : ''), maxW), tx, top - 12);
    }
    ctx.font = `11px ${surf.theme.font}`;
    if (brushes.size) {
      ctx.fillStyle = th.muted;
      ctx.textAlign = 'right';
      ctx.textBaseline = 'top';
      ctx.fillText(`${nSel} / ${rows} selected — click an axis to clear its brush`, W - 6, 2);
    }
    return nSel;
  }

  function emitBrush() {
    if (!o.onBrush) return;
    if (!brushes.size || !L) return o.onBrush(null);
    const out = [];
    for (let i = 0; i < rows; i++) if (L.sel[i]) out.push(i);
    o.onBrush(out);
  }

  const redrawDuringDrag = frameThrottle(() => {
    draw();
    paintOverlay.cancel();
  });

  function axisAt(mx, my) {
    if (!L || my < L.top - 6 || my > L.bottom + 6) return -1;
    let best = -1;
    let bd = 14;
    L.xs.forEach((x, k) => {
      const d = Math.abs(x - mx);
      if (d < bd) {
        bd = d;
        best = k;
      }
    });
    return best;
  }

  const paintOverlay = frameThrottle((mx, my) => {
    const octx = surf.octx;
    surf.begin(octx);
    if (!L || mx === null || drag) {
      surf.hideTooltip();
      return;
    }
    overlay.style.cursor = axisAt(mx, my) >= 0 ? 'ns-resize' : 'default';
    const { xs, ys } = L;
    const n = xs.length;
    if (n < 1) return;
    // Interpolate each row's y at the pointer between the two enclosing axes.
    let k = 0;
    while (k < n - 2 && mx > xs[k + 1]) k++;
    const x0 = xs[k];
    const x1 = n > 1 ? xs[k + 1] : xs[k];
    const t = x1 > x0 ? Math.min(1, Math.max(0, (mx - x0) / (x1 - x0))) : 0;
    let best = -1;
    let bd = 6;
    for (let i = 0; i < rows; i++) {
      const a = ys[k][i];
      const b = n > 1 ? ys[k + 1][i] : a;
      if (!Number.isFinite(a) || !Number.isFinite(b)) continue;
      const d = Math.abs(a + (b - a) * t - my);
      // Prefer selected rows when lines overlap.
      if (d < bd || (d === bd && L.sel[i])) {
        bd = d;
        best = i;
      }
    }
    if (best < 0) {
      surf.hideTooltip();
      return;
    }
    const th = surf.theme;
    octx.strokeStyle = rowColor(best, th);
    octx.lineWidth = 3;
    octx.beginPath();
    let pen = false;
    for (let j = 0; j < n; j++) {
      const y = ys[j][best];
      if (!Number.isFinite(y)) {
        pen = false;
        continue;
      }
      if (pen) octx.lineTo(xs[j], y);
      else octx.moveTo(xs[j], y);
      pen = true;
    }
    octx.stroke();
    let html = o.labels?.[best] != null ? `<div class="hdr">${escapeHtml(o.labels[best])}</div>` : '';
    html += '<table>';
    for (const a of axes) {
      const v = a.raw[best];
      const s = v === null || v === undefined || v === '' ? '—' : typeof v === 'number' ? formatValue(v) : String(v);
      html += `<tr><td class="name">${escapeHtml(a.name)}</td><td class="num">${escapeHtml(s)}</td></tr>`;
    }
    html += '</table>';
    surf.showTooltip(html, mx, my);
  });

  overlay.addEventListener('pointerdown', (ev) => {
    if (ev.button !== 0) return;
    const p = localPos(ev, overlay);
    const k = axisAt(p.x, p.y);
    if (k < 0) return;
    const f = Math.min(1, Math.max(0, (p.y - L.top) / (L.bottom - L.top)));
    drag = { k, f0: f, moved: false };
    paintOverlay.cancel();
    surf.begin(surf.octx);
    surf.hideTooltip();
    capturePointer(overlay, ev);
    ev.preventDefault();
  });
  overlay.addEventListener('pointermove', (ev) => {
    const p = localPos(ev, overlay);
    if (drag) {
      const f = Math.min(1, Math.max(0, (p.y - L.top) / (L.bottom - L.top)));
      if (Math.abs(f - drag.f0) * (L.bottom - L.top) >= 3) drag.moved = true;
      if (drag.moved) {
        brushes.set(drag.k, { a: Math.min(f, drag.f0), b: Math.max(f, drag.f0) });
        redrawDuringDrag();
      }
      return;
    }
    paintOverlay(p.x, p.y);
  });
  const end = (ev) => {
    if (!drag) return;
    const d = drag;
    drag = null;
    capturePointer(overlay, ev, false);
    if (!d.moved) brushes.delete(d.k); // a click on an axis clears its brush
    redrawDuringDrag.cancel();
    draw();
    emitBrush();
  };
  overlay.addEventListener('pointerup', end);
  overlay.addEventListener('pointercancel', end);
  overlay.addEventListener('pointerleave', () => paintOverlay(null, null));

  build();
  draw();
  return {
    update(next = {}) {
      o = { ...o, ...next };
      if (next.height !== undefined) {
        surf.setHeight(next.height);
        surf.measure();
      }
      if ('dimensions' in next) brushes = new Map();
      build();
      draw();
    },
    clearBrushes() {
      brushes = new Map();
      draw();
      emitBrush();
    },
    /** Row indices passing all brushes. */
    selected() {
      if (!L) return [];
      const out = [];
      for (let i = 0; i < rows; i++) if (L.sel[i]) out.push(i);
      return out;
    },
    destroy() {
      paintOverlay.cancel();
      redrawDuringDrag.cancel();
      surf.destroy();
    },
  };
}
