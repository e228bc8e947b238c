// Scatter plot for "param vs metric": x (and y) may be MLflow param strings, which
// become a numeric axis when every value parses as a number and a categorical axis
// otherwise (with deterministic jitter so runs sharing a value stay distinguishable).

import { createSurface, frameThrottle, localPos, escapeHtml, inferAxis, makeScale, fitText } from './core.js';
import { formatValue } from './ticks.js';
import { seriesColor } from './theme.js';

/** Stable pseudo-random in [-0.5, 0.5) from an index: jitter must not move on redraw. */
function jitter(i) {
  let h = (i + 1) * 2654435761;
  h = (h ^ (h >>> 16)) >>> 0;
  h = Math.imul(h, 2246822507) >>> 0;
  return ((h ^ (h >>> 13)) >>> 0) / 4294967296 - 0.5;
}

/**
 * scatterChart(container, opts) -> { update(opts), destroy() }
 *
 * opts:
 *   points: [{ x, y, label?, color? }]  (x/y numbers or strings)
 *   xLabel, yLabel, logX?, logY?, height? (default 300)
 *   onPointClick?(point, index)
 */
export function scatterChart(container, opts = {}) {
  let o = { ...opts };
  let model = null;
  let L = null;
  let hoverIdx = -1;
  const surf = createSurface(container, { height: o.height ?? 300, onResize: () => draw(), onTheme: () => draw() });
  const { overlay } = surf;

  function build() {
    const pts = o.points || [];
    const xa = inferAxis(pts.map((p) => p?.x), { log: !!o.logX });
    const ya = inferAxis(pts.map((p) => p?.y), { log: !!o.logY });
    model = { pts, xa, ya };
  }

  function draw() {
    const ctx = surf.ctx;
    const th = surf.theme;
    surf.begin(ctx);
    surf.begin(surf.octx);
    surf.hideTooltip();
    const W = surf.width;
    const H = surf.height;
    if (th.bg && th.bg !== 'transparent') {
      ctx.fillStyle = th.bg;
      ctx.fillRect(0, 0, W, H);
    }
    const { pts, xa, ya } = model;
    const top = 10;
    const xCat = xa.type === 'category';
    // Categorical x labels may be long: rotate them when they would collide.
    const bottomRoom = (o.xLabel ? 16 : 0) + (xCat ? 44 : 20);
    const bottom = H - bottomRoom;
    let yScale = makeScale(ya, bottom, top, { maxTicks: Math.max(2, Math.floor((bottom - top) / 36)) });
    let labelW = 0;
    for (const t of yScale.ticks) labelW = Math.max(labelW, Math.min(120, ctx.measureText(t.label).width));
    const left = Math.ceil(labelW) + 10 + (o.yLabel ? 16 : 0);
    const right = W - 14;
    const xScale = makeScale(xa, left, right, { maxTicks: Math.max(2, Math.floor((right - left) / 80)) });

    ctx.strokeStyle = th.grid;
    ctx.lineWidth = 1;
    ctx.beginPath();
    for (const t of yScale.ticks) {
      const y = Math.round(t.px) + 0.5;
      ctx.moveTo(left, y);
      ctx.lineTo(right, y);
    }
    for (const t of xScale.ticks) {
      const x = Math.round(t.px) + 0.5;
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

    ctx.fillStyle = th.muted;
    ctx.textAlign = 'right';
    ctx.textBaseline = 'middle';
    for (const t of yScale.ticks) ctx.fillText(fitText(ctx, t.label, 120), left - 6, t.px);
    const spacing = xScale.ticks.length > 1 ? Math.abs(xScale.ticks[1].px - xScale.ticks[0].px) : right - left;
    const widest = Math.max(0, ...xScale.ticks.map((t) => ctx.measureText(t.label).width));
    if (xCat && widest > spacing - 6) {
      ctx.textAlign = 'right';
      for (const t of xScale.ticks) {
        ctx.save();
        ctx.translate(t.px, bottom + 6);
        ctx.rotate(-Math.PI / 6);
        ctx.fillText(fitText(ctx, t.label, 70), 0, 0);
        ctx.restore();
      }
    } else {
      ctx.textAlign = 'center';
      ctx.textBaseline = 'top';
      for (const t of xScale.ticks) ctx.fillText(fitText(ctx, t.label, Math.max(30, spacing - 4)), t.px, bottom + 5);
    }
    ctx.fillStyle = th.fg;
    ctx.textAlign = 'center';
    if (o.xLabel) {
      ctx.textBaseline = 'bottom';
      ctx.fillText(o.xLabel, left + (right - left) / 2, H - 2);
    }
    if (o.yLabel) {
      ctx.save();
      ctx.translate(10, top + (bottom - top) / 2);
      ctx.rotate(-Math.PI / 2);
      ctx.textBaseline = 'middle';
      ctx.fillText(o.yLabel, 0, 0);
      ctx.restore();
    }

    // Points: pixel coordinates are kept for hit-testing.
    const n = pts.length;
    const px = new Float32Array(n);
    const py = new Float32Array(n);
    const xBand = xCat ? ((right - left) / Math.max(1, xa.categories.length)) * 0.5 : 0;
    const yBand = ya.type === 'category' ? ((bottom - top) / Math.max(1, ya.categories.length)) * 0.5 : 0;
    const base = seriesColor(th, 0);
    ctx.globalAlpha = 0.8;
    let count = 0;
    for (let i = 0; i < n; i++) {
      let X = xScale.pos(xa.values[i]);
      let Y = yScale.pos(ya.values[i]);
      if (Number.isFinite(X) && xBand) X += jitter(i) * xBand;
      if (Number.isFinite(Y) && yBand) Y += jitter(i + 7919) * yBand;
      px[i] = X;
      py[i] = Y;
      if (!Number.isFinite(X) || !Number.isFinite(Y)) continue;
      count++;
      ctx.fillStyle = pts[i]?.color || base;
      ctx.beginPath();
      ctx.arc(X, Y, 3.5, 0, Math.PI * 2);
      ctx.fill();
    }
    ctx.globalAlpha = 1;
    if (!count) {
      ctx.fillStyle = th.muted;
      ctx.textAlign = 'center';
      ctx.textBaseline = 'middle';
      ctx.fillText('No data', left + (right - left) / 2, top + (bottom - top) / 2);
    }
    L = { px, py, left, right, top, bottom };
  }

  const paintOverlay = frameThrottle((mx, my) => {
    const octx = surf.octx;
    surf.begin(octx);
    hoverIdx = -1;
    if (!L || mx === null) {
      surf.hideTooltip();
      overlay.style.cursor = '';
      return;
    }
    let best = -1;
    let bestD = 12 * 12;
    const { px, py } = L;
    for (let i = 0; i < px.length; i++) {
      const dx = px[i] - mx;
      const dy = py[i] - my;
      const d = dx * dx + dy * dy;
      if (d < bestD) {
        bestD = d;
        best = i;
      }
    }
    if (best < 0) {
      surf.hideTooltip();
      overlay.style.cursor = 'default';
      return;
    }
    hoverIdx = best;
    overlay.style.cursor = o.onPointClick ? 'pointer' : 'default';
    const th = surf.theme;
    const p = model.pts[best];
    octx.beginPath();
    octx.arc(px[best], py[best], 6, 0, Math.PI * 2);
    octx.fillStyle = p?.color || seriesColor(th, 0);
    octx.fill();
    octx.lineWidth = 2;
    octx.strokeStyle = th.fg;
    octx.stroke();
    const fmt = (v) => (typeof v === 'number' ? formatValue(v) : String(v ?? ''));
    let html = p?.label != null ? `<div class="hdr">${escapeHtml(p.label)}</div>` : '';
    html += `<table><tr><td>${escapeHtml(o.xLabel || 'x')}</td><td class="num">${escapeHtml(fmt(p?.x))}</td></tr>`;
    html += `<tr><td>${escapeHtml(o.yLabel || 'y')}</td><td class="num">${escapeHtml(fmt(p?.y))}</td></tr></table>`;
    surf.showTooltip(html, px[best], py[best]);
  });

  overlay.addEventListener('pointermove', (ev) => {
    const p = localPos(ev, overlay);
    paintOverlay(p.x, p.y);
  });
  overlay.addEventListener('pointerleave', () => paintOverlay(null, null));
  overlay.addEventListener('click', () => {
    if (hoverIdx >= 0) o.onPointClick?.(model.pts[hoverIdx], hoverIdx);
  });

  build();
  draw();
  return {
    update(next = {}) {
      o = { ...o, ...next };
      if (next.height !== undefined) {
        surf.setHeight(next.height);
        surf.measure();
      }
      build();
      draw();
    },
    destroy() {
      paintOverlay.cancel();
      surf.destroy();
    },
  };
}
