// Chart colours come from CSS custom properties so the app's light/dark themes
// restyle canvases (which cannot inherit CSS) without chart code knowing the theme.
//
// Variables read (all optional, inherited like any custom property):
//   --chart-bg, --chart-fg, --chart-muted, --chart-grid, --chart-axis,
//   --chart-tooltip-bg, --chart-tooltip-fg, --chart-selection,
//   --chart-palette: comma-separated colours, or --chart-palette-1 .. --chart-palette-12
//   --chart-ramp: comma-separated colours for continuous scales (parallel coordinates)

/** Distinguishable on both light and dark backgrounds (Tableau-10 derived). */
export const DEFAULT_PALETTE = [
  '#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f',
  '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac',
];

/** Perceptually ordered (viridis-like) so colour encodes value monotonically. */
export const DEFAULT_RAMP = ['#440154', '#3b528b', '#21908d', '#5dc963', '#fde725'];

function prefersDark() {
  return typeof matchMedia === 'function' && matchMedia('(prefers-color-scheme: dark)').matches;
}

function splitList(s) {
  // Commas inside rgb()/hsl() must not split a colour.
  const out = [];
  let depth = 0;
  let cur = '';
  for (const ch of s) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      if (cur.trim()) out.push(cur.trim());
      cur = '';
    } else cur += ch;
  }
  if (cur.trim()) out.push(cur.trim());
  return out;
}

/** Resolve the chart theme for an element (custom properties cascade to it). */
export function readTheme(el) {
  const cs = getComputedStyle(el || document.documentElement);
  const v = (name) => cs.getPropertyValue(name).trim();
  // The app theme (data-theme) may differ from the OS scheme, so derive unset colours
  // from the configured background's lightness whenever one is set.
  const bgVar = v('--chart-bg');
  const bgRgb = parseColor(bgVar);
  const dark = bgRgb ? 0.2126 * bgRgb[0] + 0.7152 * bgRgb[1] + 0.0722 * bgRgb[2] < 128 : prefersDark();
  const fg = v('--chart-fg') || (dark ? '#d8dde3' : '#2b3036');
  let palette = [];
  const list = v('--chart-palette');
  if (list) palette = splitList(list);
  if (!palette.length) {
    for (let i = 1; i <= 12; i++) {
      const c = v(`--chart-palette-${i}`);
      if (!c) break;
      palette.push(c);
    }
  }
  if (!palette.length) palette = DEFAULT_PALETTE;
  const rampList = v('--chart-ramp');
  const ramp = rampList ? splitList(rampList) : DEFAULT_RAMP;
  return {
    bg: bgVar || (dark ? '#16191d' : '#ffffff'),
    fg,
    muted: v('--chart-muted') || (dark ? '#8a939c' : '#6b737b'),
    grid: v('--chart-grid') || (dark ? 'rgba(255,255,255,0.09)' : 'rgba(0,0,0,0.08)'),
    axis: v('--chart-axis') || (dark ? 'rgba(255,255,255,0.35)' : 'rgba(0,0,0,0.35)'),
    tooltipBg: v('--chart-tooltip-bg') || (dark ? 'rgba(30,34,39,0.96)' : 'rgba(255,255,255,0.97)'),
    tooltipFg: v('--chart-tooltip-fg') || fg,
    selection: v('--chart-selection') || (dark ? 'rgba(120,170,255,0.18)' : 'rgba(60,120,220,0.15)'),
    palette,
    ramp: ramp.map(parseColor).filter(Boolean).length >= 2 ? ramp : DEFAULT_RAMP,
    font: cs.fontFamily || 'system-ui, sans-serif',
  };
}

export function seriesColor(theme, i) {
  const p = theme.palette;
  return p[((i % p.length) + p.length) % p.length];
}

/** Parse #rgb, #rrggbb, rgb()/rgba() into [r,g,b,a]; null for anything else (named colours). */
export function parseColor(c) {
  if (typeof c !== 'string') return null;
  const s = c.trim();
  let m = /^#([0-9a-f]{3})$/i.exec(s);
  if (m) return [...m[1]].map((h) => parseInt(h + h, 16)).concat(1);
  m = /^#([0-9a-f]{6})([0-9a-f]{2})?$/i.exec(s);
  if (m) {
    const n = parseInt(m[1], 16);
    return [(n >> 16) & 255, (n >> 8) & 255, n & 255, m[2] ? parseInt(m[2], 16) / 255 : 1];
  }
  m = /^rgba?\(([^)]+)\)$/i.exec(s);
  if (m) {
    const parts = m[1].split(/[\s,/]+/).filter(Boolean).map(parseFloat);
    if (parts.length >= 3 && parts.slice(0, 3).every(Number.isFinite)) {
      return [parts[0], parts[1], parts[2], parts.length > 3 ? parts[3] : 1];
    }
  }
  return null;
}

/** Interpolate along the theme ramp; t in [0,1]. */
export function rampColor(theme, t) {
  const stops = theme.ramp.map(parseColor).filter(Boolean);
  if (!Number.isFinite(t)) t = 0;
  t = Math.min(1, Math.max(0, t));
  const f = t * (stops.length - 1);
  const i = Math.min(stops.length - 2, Math.floor(f));
  const u = f - i;
  const a = stops[i];
  const b = stops[i + 1];
  const mix = (k) => Math.round(a[k] + (b[k] - a[k]) * u);
  return `rgb(${mix(0)},${mix(1)},${mix(2)})`;
}

/**
 * Re-render charts when the app toggles its theme (class/attribute on <html> or <body>)
 * or the OS scheme changes. Returns an unsubscribe function.
 */
export function onThemeChange(cb) {
  const targets = [document.documentElement, document.body].filter(Boolean);
  const mo = new MutationObserver(() => cb());
  for (const t of targets) mo.observe(t, { attributes: true, attributeFilter: ['class', 'style', 'data-theme'] });
  const mq = typeof matchMedia === 'function' ? matchMedia('(prefers-color-scheme: dark)') : null;
  mq?.addEventListener?.('change', cb);
  return () => {
    mo.disconnect();
    mq?.removeEventListener?.('change', cb);
  };
}
