// Compare page: the runs picked in a runs table (`#/compare?runs=a,b&experiments=1`), side by
// side. A line chart of any metric across the runs (server-downsampled, so million-point
// histories stay cheap, and zooming refetches the zoomed range at full resolution), a scatter
// of a param against a metric, parallel coordinates over params and a metric, and a table of
// params/metrics/tags whose differing rows are marked.
import { api, runs as runsApi } from '../api.js';
import { h, mount, fmtNum, errorBox, pool, tagMap } from '../dom.js';
import { setQuery } from '../router.js';
import { lineChart } from '../charts/line.js';
import { scatterChart } from '../charts/scatter.js';
import { parallelCoordinates } from '../charts/parallel.js';
import { DEFAULT_PALETTE } from '../charts/theme.js';

const MAX_RUNS = 100; // the downsampled endpoint's limit per request
const X_LABEL = { step: 'step', time: 'wall time', relative: 'seconds since start' };

/** Downsampled histories of one metric: `{run_id: [{step, timestamp, value}]}` plus totals. */
export async function fetchDownsampled(runIds, key, { buckets, axis = 'step', min, max, signal } = {}) {
  const r = await api.get('metrics/get-history-downsampled', {
    run_id: runIds, metric_key: key, buckets: Math.max(1, Math.min(5000, Math.round(buckets || 1000))),
    x_axis: axis, x_min: min, x_max: max,
  }, { signal });
  const out = new Map();
  for (const s of r.series || []) out.set(s.run_id, s);
  return out;
}

const num = (v) => (typeof v === 'number' ? v : Number(v === 'Infinity' ? Infinity : v === '-Infinity' ? -Infinity : v));

export async function render(root, { query }) {
  const ids = [...new Set((query.get('runs') || '').split(',').map((s) => s.trim()).filter(Boolean))].slice(0, MAX_RUNS);
  const expIds = (query.get('experiments') || '').split(',').filter(Boolean);
  const back = expIds.length ? `#/experiments/${expIds.join(',')}` : '#/experiments';
  const crumbs = h('div', { class: 'crumbs' }, h('a', { href: '#/experiments' }, 'Experiments'), ' / ', h('a', { href: back, testid: 'compare-back' }, 'Runs'), ' / ');
  if (!ids.length) {
    mount(root, crumbs, h('div', { class: 'empty', testid: 'compare-empty' }, 'No runs selected. Pick runs in a runs table and press Compare.'));
    return undefined;
  }
  mount(root, crumbs, h('div', { class: 'loading' }, 'Loading runs…'));
  const got = await pool(ids, 6, (id) => runsApi.get(id));
  const failed = got.filter((r) => !r.ok);
  const runs = got.filter((r) => r.ok).map((r) => r.value);
  if (!runs.length) { mount(root, crumbs, errorBox(failed[0].error)); return undefined; }

  const color = (i) => DEFAULT_PALETTE[i % DEFAULT_PALETTE.length];
  const nameOf = (r) => r.info.run_name || r.info.run_id.slice(0, 8);
  const metricKeys = [...new Set(runs.flatMap((r) => (r.data?.metrics || []).map((m) => m.key)))].sort();
  const paramKeys = [...new Set(runs.flatMap((r) => (r.data?.params || []).map((p) => p.key)))].sort();
  const latest = runs.map((r) => new Map((r.data?.metrics || []).map((m) => [m.key, num(m.value)])));
  const params = runs.map((r) => new Map((r.data?.params || []).map((p) => [p.key, p.value])));
  const cleanups = [];

  const pick = (wanted, list) => (wanted && list.includes(wanted) ? wanted : list[0] || '');
  const state = {
    metric: pick(query.get('metric'), metricKeys),
    x: ['step', 'time', 'relative'].includes(query.get('x')) ? query.get('x') : 'step',
    smoothing: Math.min(0.99, Math.max(0, Number(query.get('smooth')) || 0)),
    logY: query.get('logy') === '1',
    sx: pick(query.get('sx'), paramKeys),
    sy: pick(query.get('sy'), metricKeys),
    diffOnly: query.get('diff') === '1',
  };

  const options = (list, sel) => list.map((k) => h('option', { value: k, selected: k === sel }, k));
  const legend = h('div', { class: 'toolbar', testid: 'compare-runs' }, runs.map((r, i) => h('a', { class: 'chip', href: `#/runs/${r.info.run_id}`, testid: 'compare-run', style: { borderLeft: `4px solid ${color(i)}` } }, nameOf(r))));

  // ---- line chart -------------------------------------------------------------------------
  const metricSel = h('select', { testid: 'compare-metric', 'aria-label': 'Metric' }, options(metricKeys, state.metric));
  const xSel = h('select', { testid: 'compare-x-axis', 'aria-label': 'X axis' }, [['step', 'Step'], ['time', 'Wall time'], ['relative', 'Relative time']].map(([v, l]) => h('option', { value: v, selected: v === state.x }, l)));
  const smooth = h('input', { type: 'range', min: 0, max: 0.99, step: 0.01, value: state.smoothing, testid: 'compare-smoothing', 'aria-label': 'Smoothing' });
  const logBox = h('input', { type: 'checkbox', checked: state.logY, testid: 'compare-log-y' });
  const lineInfo = h('span', { class: 'hint', testid: 'compare-line-info' });
  const lineBox = h('div', { class: 'panel', testid: 'compare-line-chart' });
  let line = null;
  let lineSeq = 0;
  let abort = null;

  const startOf = (r) => Number(r.info.start_time) || 0;
  /** Chart x of a point for the current axis. */
  const xOf = (r) => (state.x === 'step' ? (p) => Number(p.step) : state.x === 'time' ? (p) => Number(p.timestamp) : (p) => (Number(p.timestamp) - startOf(r)) / 1000);

  /** Fetch the metric for every run (optionally only `range`, in chart x units) and draw. */
  async function loadLine(range) {
    const seq = ++lineSeq;
    if (abort) abort.abort();
    abort = new AbortController();
    const signal = abort.signal;
    lineBox.dataset.state = 'loading';
    if (!state.metric) { mount(lineBox, h('div', { class: 'empty' }, 'These runs logged no metrics.')); return; }
    const t0 = performance.now();
    const buckets = Math.max(100, Math.round((lineBox.clientWidth || 1000) * Math.min(2, window.devicePixelRatio || 1)));
    let data;
    try {
      const runIds = runs.map((r) => r.info.run_id);
      if (state.x === 'relative' && range) {
        // Relative time differs per run: one request per run with its own timestamp window.
        data = new Map();
        const res = await pool(runs, 6, (r) => fetchDownsampled([r.info.run_id], state.metric, {
          buckets, axis: 'timestamp', signal,
          min: Math.floor(startOf(r) + range.min * 1000), max: Math.ceil(startOf(r) + range.max * 1000),
        }));
        for (const x of res) { if (!x.ok) throw x.error; for (const [k, v] of x.value) data.set(k, v); }
      } else {
        data = await fetchDownsampled(runIds, state.metric, {
          buckets, axis: state.x === 'step' ? 'step' : 'timestamp', signal,
          min: range ? Math.floor(range.min) : undefined, max: range ? Math.ceil(range.max) : undefined,
        });
      }
    } catch (e) {
      if (e.name === 'AbortError') return;
      mount(lineBox, errorBox(e));
      return;
    }
    if (seq !== lineSeq) return;
    const t1 = performance.now();
    let shown = 0;
    let total = 0;
    const series = runs.map((r, i) => {
      const s = data.get(r.info.run_id) || { points: [], total_points: 0 };
      const fx = xOf(r);
      shown += s.points.length;
      total += Number(s.total_points) || 0;
      return { name: nameOf(r), color: color(i), points: s.points.map((p) => ({ x: fx(p), y: num(p.value) })) };
    });
    const opts = {
      series, xLabel: X_LABEL[state.x], yLabel: state.metric, xType: state.x === 'time' ? 'time' : 'linear',
      logY: state.logY, smoothing: state.smoothing, height: 340, xRange: range || null,
      // A zoom asks the server for the zoomed range, so detail appears instead of a stretched sample.
      onZoom: (r) => loadLine(r),
    };
    if (!line) { lineBox.replaceChildren(); line = lineChart(lineBox, opts); } else line.update(opts);
    const t2 = performance.now();
    Object.assign(lineBox.dataset, { state: 'ready', points: String(shown), total: String(total), fetchMs: (t1 - t0).toFixed(1), drawMs: (t2 - t1).toFixed(1), zoomed: range ? '1' : '' });
    lineInfo.textContent = `${shown.toLocaleString()} of ${total.toLocaleString()} points${range ? ' (zoomed: drag to zoom further, double-click to reset)' : ' (drag to zoom)'}`;
  }
  metricSel.addEventListener('change', () => { state.metric = metricSel.value; setQuery({ metric: state.metric }); loadLine(null); });
  xSel.addEventListener('change', () => { state.x = xSel.value; setQuery({ x: state.x === 'step' ? '' : state.x }); loadLine(null); });
  logBox.addEventListener('change', () => { state.logY = logBox.checked; setQuery({ logy: state.logY ? '1' : '' }); line?.update({ logY: state.logY }); });
  smooth.addEventListener('input', () => { state.smoothing = Number(smooth.value); setQuery({ smooth: state.smoothing || '' }); line?.update({ smoothing: state.smoothing }); });
  cleanups.push(() => { if (abort) abort.abort(); line?.destroy(); });

  // ---- scatter: param vs metric ---------------------------------------------------------
  const sxSel = h('select', { testid: 'compare-scatter-x', 'aria-label': 'Scatter x (parameter)' }, options(paramKeys, state.sx));
  const sySel = h('select', { testid: 'compare-scatter-y', 'aria-label': 'Scatter y (metric)' }, options(metricKeys, state.sy));
  const scatterBox = h('div', { testid: 'compare-scatter' });
  let scatter = null;
  const scatterOpts = () => ({
    points: runs.map((r, i) => ({ x: params[i].get(state.sx) ?? null, y: latest[i].get(state.sy) ?? null, label: nameOf(r), color: color(i) })),
    xLabel: state.sx ? `param ${state.sx}` : '', yLabel: state.sy ? `metric ${state.sy}` : '', height: 300,
    onPointClick: (_p, i) => { location.hash = `#/runs/${runs[i].info.run_id}`; },
  });
  function drawScatter() {
    if (!paramKeys.length || !metricKeys.length) { mount(scatterBox, h('div', { class: 'empty' }, 'Needs at least one parameter and one metric.')); return; }
    if (!scatter) scatter = scatterChart(scatterBox, scatterOpts()); else scatter.update(scatterOpts());
  }
  sxSel.addEventListener('change', () => { state.sx = sxSel.value; setQuery({ sx: state.sx }); drawScatter(); });
  sySel.addEventListener('change', () => { state.sy = sySel.value; setQuery({ sy: state.sy }); drawScatter(); drawParallel(); });
  cleanups.push(() => scatter?.destroy());

  // ---- parallel coordinates: params that vary, then the scatter's metric -----------------
  const parallelBox = h('div', { testid: 'compare-parallel' });
  let parallel = null;
  const varying = paramKeys.filter((k) => new Set(params.map((p) => p.get(k) ?? '')).size > 1);
  function drawParallel() {
    const keys = (varying.length ? varying : paramKeys).slice(0, 10);
    if (!keys.length || !state.sy) { mount(parallelBox, h('div', { class: 'empty' }, 'Needs parameters and a metric.')); return; }
    const opts = {
      dimensions: [...keys.map((k) => ({ name: k, values: params.map((p) => p.get(k) ?? null) })), { name: state.sy, values: latest.map((m) => m.get(state.sy) ?? null) }],
      labels: runs.map(nameOf), height: 320,
    };
    if (!parallel) parallel = parallelCoordinates(parallelBox, opts); else parallel.update(opts);
  }
  cleanups.push(() => parallel?.destroy());

  // ---- compare table ----------------------------------------------------------------------
  const diffBox = h('input', { type: 'checkbox', checked: state.diffOnly, testid: 'compare-diff-only' });
  const tableBox = h('div', { style: { overflowX: 'auto' } });
  function drawTable() {
    const tags = runs.map((r) => tagMap(r.data?.tags));
    const tagKeys = [...new Set(tags.flatMap((t) => [...t.keys()]))].filter((k) => k !== 'mlflow.runName' && k !== 'mlflow.log-model.history').sort();
    const section = (title, keys, get, fmt) => {
      const rows = keys.map((k) => {
        const vals = runs.map((_, i) => get(i, k));
        const distinct = new Set(vals.map((v) => (v === undefined ? '\u0000' : String(v))));
        const diff = distinct.size > 1;
        if (state.diffOnly && !diff) return null;
        return h('tr', { class: diff ? 'diff' : null, testid: 'compare-row', dataset: { key: k, section: title.toLowerCase(), diff: diff ? 'true' : 'false' } },
          h('th', { class: 'mono wrap-any', scope: 'row' }, k),
          vals.map((v) => h('td', { class: 'wrap-any' + (typeof v === 'number' ? ' num' : '') }, v === undefined ? h('span', { class: 'hint' }, '—') : fmt(v))));
      }).filter(Boolean);
      if (!rows.length) return null;
      return [h('tr', { class: 'section' }, h('th', { colspan: runs.length + 1 }, `${title} (${rows.length})`)), rows];
    };
    mount(tableBox, h('table', { class: 'simple compare-table', testid: 'compare-table' },
      h('thead', null, h('tr', null, h('th', null, 'Run'), runs.map((r, i) => h('th', { style: { borderTop: `3px solid ${color(i)}` } }, h('a', { href: `#/runs/${r.info.run_id}` }, nameOf(r)))))),
      h('tbody', null,
        section('Parameters', paramKeys, (i, k) => params[i].get(k), (v) => v),
        section('Metrics', metricKeys, (i, k) => latest[i].get(k), fmtNum),
        section('Tags', tagKeys, (i, k) => tags[i].get(k), (v) => v))));
  }
  diffBox.addEventListener('change', () => { state.diffOnly = diffBox.checked; setQuery({ diff: state.diffOnly ? '1' : '' }); drawTable(); });

  const style = h('style', null, `
.compare-table tr.diff td, .compare-table tr.diff th { background: color-mix(in srgb, #edc948 18%, transparent); }
.compare-table tr.section th { text-align: left; padding-top: 12px; font-weight: 600; }
.compare-table th[scope=row] { font-weight: normal; min-width: 160px; }`);
  mount(root, style, crumbs,
    h('div', { class: 'page-head' }, h('h1', { testid: 'compare-title' }, `Comparing ${runs.length} run${runs.length === 1 ? '' : 's'}`)),
    failed.length ? h('div', { class: 'error-box' }, `${failed.length} run(s) could not be loaded: ${failed.map((f) => f.error.message).join('; ')}`) : null,
    legend,
    h('h2', null, 'Metric history'),
    h('div', { class: 'toolbar' }, h('label', { class: 'check' }, 'Metric ', metricSel), h('label', { class: 'check' }, 'X axis ', xSel), h('label', { class: 'check' }, 'Smoothing ', smooth), h('label', { class: 'check' }, logBox, 'Log scale'), lineInfo),
    lineBox,
    h('div', { class: 'grid2', style: { marginTop: '14px' } },
      h('div', { class: 'panel' }, h('h3', { style: { marginTop: 0 } }, 'Parameter vs metric'), h('div', { class: 'toolbar' }, h('label', { class: 'check' }, 'x ', sxSel), h('label', { class: 'check' }, 'y ', sySel)), scatterBox),
      h('div', { class: 'panel' }, h('h3', { style: { marginTop: 0 } }, 'Parallel coordinates'), h('div', { class: 'hint' }, 'Parameters that differ between the runs, then the metric chosen for the scatter. Drag on an axis to filter.'), parallelBox)),
    h('div', { class: 'page-head', style: { marginTop: '14px' } }, h('h2', { style: { margin: 0 } }, 'Parameters, metrics and tags'), h('span', { class: 'spacer' }), h('label', { class: 'check' }, diffBox, 'Only differences')),
    tableBox);
  drawTable();
  drawScatter();
  drawParallel();
  await loadLine(null);
  return () => { while (cleanups.length) cleanups.pop()(); };
}
