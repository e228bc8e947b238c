// Run page: overview, metrics (latest values + one chart per metric), params, editable tags,
// dataset inputs, logged models and the artifact browser. A running run refreshes itself.
import { runs as runsApi, experiments, loggedModels, proxyRoot } from '../api.js';
import { h, mount, fmtTime, timeEl, fmtDuration, runDuration, fmtNum, badge, toast, errorBox, dialog, confirmDialog, tagMap, quoteStr, pool } from '../dom.js';
import { setQuery } from '../router.js';
import { tagEditor } from '../components/tags.js';
import { artifactBrowser } from '../components/artifacts.js';
import { lineChart } from '../charts/line.js';
import { fetchDownsampled } from './compare.js';

const TABS = ['overview', 'metrics', 'params', 'tags', 'datasets', 'models', 'artifacts'];
const LIVE_MS = 5000;

export async function render(root, { params, query }) {
  const runId = params.runId;
  let tab = TABS.includes(query.get('tab')) ? query.get('tab') : 'overview';
  let run;
  try {
    run = await runsApi.get(runId);
  } catch (e) {
    mount(root, h('div', { class: 'crumbs' }, h('a', { href: '#/experiments' }, 'Experiments')), errorBox(e));
    return undefined;
  }
  const exp = await experiments.get(run.info.experiment_id).catch(() => null);
  const head = h('div');
  const tabsEl = h('div', { class: 'tabs', role: 'tablist', testid: 'run-tabs' });
  const body = h('div', { testid: `run-tab-body` });
  const cleanups = [];
  const charts = { x: query.get('x') || 'step', logY: query.get('logy') === '1', smoothing: Number(query.get('smooth') || 0) };

  function drawHead() {
    const i = run.info;
    mount(head,
      h('div', { class: 'crumbs' }, h('a', { href: '#/experiments' }, 'Experiments'), ' / ',
        h('a', { href: `#/experiments/${i.experiment_id}`, testid: 'run-experiment-link' }, exp ? exp.name : i.experiment_id), ' / '),
      h('div', { class: 'page-head' },
        h('h1', { testid: 'run-name' }, i.run_name || i.run_id),
        badge(i.status),
        i.lifecycle_stage === 'deleted' ? badge('deleted') : null,
        h('span', { class: 'sub mono' }, i.run_id),
        h('span', { class: 'spacer' }),
        h('button', { class: 'btn', testid: 'run-rename', onclick: rename }, 'Rename'),
        i.lifecycle_stage === 'deleted'
          ? h('button', { class: 'btn', testid: 'run-restore', onclick: () => act(() => runsApi.restore(runId), 'Restored') }, 'Restore')
          : h('button', { class: 'btn danger', testid: 'run-delete', onclick: del }, 'Delete')));
  }
  function counts() {
    const d = run.data || {};
    return {
      metrics: (d.metrics || []).length, params: (d.params || []).length, tags: (d.tags || []).length,
      datasets: (run.inputs?.dataset_inputs || []).length,
      models: modelIds().length,
    };
  }
  function drawTabs() {
    const c = counts();
    mount(tabsEl, TABS.map((t) => h('button', {
      role: 'tab', 'aria-selected': String(t === tab), testid: `tab-${t}`,
      onclick: () => { tab = t; setQuery({ tab: t === 'overview' ? '' : t }); drawTabs(); drawBody(); },
    }, t[0].toUpperCase() + t.slice(1), c[t] !== undefined ? h('span', { class: 'count' }, c[t]) : null)));
  }
  function drawBody() {
    while (cleanups.length) cleanups.pop()();
    body.replaceChildren();
    ({ overview, metrics, params: paramsTab, tags: tagsTab, datasets, models, artifacts })[tab]();
  }
  async function reload() {
    try { run = await runsApi.get(runId); drawHead(); drawTabs(); drawBody(); } catch (e) { toast(`${e.code}: ${e.message}`, 'error'); }
  }
  async function act(fn, msg) {
    try { await fn(); toast(msg, 'ok', 2000); await reload(); } catch (e) { toast(`${e.code}: ${e.message}`, 'error'); }
  }
  async function rename() {
    const r = await dialog({ title: 'Rename run', testid: 'rename-run-dialog', fields: [{ name: 'name', label: 'Run name', value: run.info.run_name, required: true }], submit: (v) => runsApi.setTag(runId, 'mlflow.runName', v.name.trim()) });
    if (r) reload();
  }
  async function del() {
    if (await confirmDialog('Delete run', 'Delete this run? It can be restored later.', 'Delete', () => runsApi.delete(runId))) reload();
  }

  // ---- tabs -------------------------------------------------------------------------------
  function overview() {
    const i = run.info;
    const t = tagMap(run.data?.tags);
    const parent = t.get('mlflow.parentRunId');
    const commit = t.get('mlflow.source.git.commit');
    const noteText = t.get('mlflow.note.content') || '';
    const children = h('dd', { testid: 'child-runs' }, h('span', { class: 'hint' }, '…'));
    runsApi.search({ experiment_ids: [i.experiment_id], filter: `tags.\`mlflow.parentRunId\` = ${quoteStr(runId)}`, max_results: 100 })
      .then((r) => mount(children, (r.runs || []).length ? (r.runs || []).map((c) => [h('a', { href: `#/runs/${c.info.run_id}` }, c.info.run_name || c.info.run_id), ' ']) : h('span', { class: 'hint' }, 'none'), r.next_page_token ? '…' : null))
      .catch((e) => mount(children, errorBox(e)));
    const kv = (k, v, id) => [h('dt', null, k), v instanceof Node && v.tagName === 'DD' ? v : h('dd', { testid: id ? `overview-${id}` : null }, v ?? '')];
    const d = run.data || {};
    const small = (title, rows, testid) => h('div', { class: 'panel' }, h('h3', { style: { marginTop: 0 } }, title),
      rows.length ? h('table', { class: 'simple', testid }, h('tbody', null, rows.slice(0, 12).map(([k, v]) => h('tr', null, h('td', { class: 'mono wrap-any' }, k), h('td', { class: 'num wrap-any' }, v)))))
        : h('div', { class: 'hint' }, 'None'),
      rows.length > 12 ? h('div', { class: 'hint' }, `${rows.length - 12} more in the tab`) : null);
    mount(body,
      h('div', { class: 'grid2' },
        h('div', { class: 'panel' },
          h('dl', { class: 'kv', testid: 'run-overview' },
            kv('Run ID', h('span', { class: 'mono' }, i.run_id), 'run-id'),
            kv('Experiment', h('a', { href: `#/experiments/${i.experiment_id}` }, exp ? `${exp.name} (${i.experiment_id})` : i.experiment_id)),
            kv('Status', badge(i.status), 'status'),
            kv('Started', fmtTime(i.start_time), 'start'),
            kv('Ended', i.end_time ? fmtTime(i.end_time) : (i.status === 'RUNNING' ? 'still running' : ''), 'end'),
            kv('Duration', fmtDuration(runDuration(i)), 'duration'),
            kv('User', i.user_id, 'user'),
            kv('Source', [t.get('mlflow.source.name') || '', t.get('mlflow.source.type') ? h('span', { class: 'hint' }, ` (${t.get('mlflow.source.type')})`) : null], 'source'),
            commit ? kv('Git commit', h('span', { class: 'mono' }, commit)) : null,
            t.get('mlflow.project.entryPoint') ? kv('Entry point', t.get('mlflow.project.entryPoint')) : null,
            kv('Parent run', parent ? h('a', { href: `#/runs/${parent}`, testid: 'parent-link' }, parent) : h('span', { class: 'hint' }, 'none'), 'parent'),
            kv('Child runs', children),
            kv('Lifecycle', i.lifecycle_stage),
            kv('Artifact URI', h('span', { class: 'mono' }, i.artifact_uri)))),
        h('div', { class: 'panel' },
          h('div', { style: { display: 'flex', alignItems: 'center' } }, h('h3', { style: { margin: 0, flex: 1 } }, 'Description'),
            h('button', { class: 'btn small', testid: 'edit-description', onclick: async () => {
              const r = await dialog({ title: 'Edit description', fields: [{ name: 'v', label: 'Description (stored in tag mlflow.note.content)', value: noteText, multiline: true }], submit: (v) => runsApi.setTag(runId, 'mlflow.note.content', v.v) });
              if (r) reload();
            } }, 'Edit')),
          h('div', { class: 'desc', testid: 'run-description', style: { marginTop: '8px' } }, noteText || h('span', { class: 'hint' }, 'No description.')))),
      h('div', { class: 'grid2', style: { marginTop: '14px' } },
        small('Metrics (latest)', (d.metrics || []).map((m) => [m.key, fmtNum(m.value)]), 'overview-metrics'),
        small('Parameters', (d.params || []).map((p) => [p.key, p.value]), 'overview-params')));
  }

  function metrics() {
    const list = [...(run.data?.metrics || [])].sort((a, b) => a.key.localeCompare(b.key));
    if (!list.length) { mount(body, h('div', { class: 'empty' }, 'No metrics logged.')); return; }
    const xSel = h('select', { testid: 'metrics-x-axis', 'aria-label': 'X axis' }, [['step', 'Step'], ['time', 'Wall time'], ['relative', 'Relative time']].map(([v, l]) => h('option', { value: v, selected: charts.x === v }, l)));
    const logBox = h('input', { type: 'checkbox', checked: charts.logY, testid: 'metrics-log-y' });
    const smooth = h('input', { type: 'range', min: 0, max: 0.99, step: 0.01, value: charts.smoothing, testid: 'metrics-smoothing', 'aria-label': 'Smoothing' });
    const filterIn = h('input', { type: 'search', placeholder: 'Filter metrics', 'data-search': '', testid: 'metrics-filter' });
    const grid = h('div', { class: 'metric-charts', testid: 'metric-charts' });
    const instances = new Map();
    const data = new Map();
    const series = (m) => {
      const pts = data.get(m.key) || [];
      const start = Number(run.info.start_time) || (pts[0] ? Number(pts[0].timestamp) : 0);
      const x = charts.x === 'step' ? (p) => Number(p.step) : charts.x === 'time' ? (p) => Number(p.timestamp) : (p) => (Number(p.timestamp) - start) / 1000;
      return [{ name: m.key, points: pts.map((p) => ({ x: x(p), y: typeof p.value === 'number' ? p.value : Number(p.value) })) }];
    };
    const chartOpts = (m) => ({
      series: series(m), xLabel: { step: 'step', time: 'wall time', relative: 'seconds since start' }[charts.x], yLabel: m.key,
      xType: charts.x === 'time' ? 'time' : 'linear', logY: charts.logY, smoothing: charts.smoothing, height: 200, legend: false,
    });
    const redrawAll = () => { for (const [key, c] of instances) c.update(chartOpts(list.find((m) => m.key === key))); };
    const io = new IntersectionObserver((entries) => {
      for (const e of entries) {
        if (!e.isIntersecting) continue;
        io.unobserve(e.target);
        const m = list.find((x) => x.key === e.target.dataset.key);
        const plot = e.target.querySelector('.plot');
        // Server-side min/max per pixel column: a 1M-point metric arrives as a few thousand points.
        const t0 = performance.now();
        const buckets = Math.max(100, Math.round((plot.clientWidth || 600) * Math.min(2, window.devicePixelRatio || 1)));
        fetchDownsampled([runId], m.key, { buckets }).then((res) => {
          const s = res.get(runId) || { points: [], total_points: 0 };
          data.set(m.key, s.points);
          const t1 = performance.now();
          plot.replaceChildren();
          instances.set(m.key, lineChart(plot, chartOpts(m)));
          const t2 = performance.now();
          Object.assign(e.target.dataset, { points: String(s.points.length), total: String(s.total_points), fetchMs: (t1 - t0).toFixed(1), drawMs: (t2 - t1).toFixed(1), loadMs: (t2 - t0).toFixed(1) });
          console.debug(`metric chart ${m.key}: ${s.points.length}/${s.total_points} points, fetch ${(t1 - t0).toFixed(1)} ms, draw ${(t2 - t1).toFixed(1)} ms`);
        }).catch((err) => mount(plot, errorBox(err)));
      }
    }, { rootMargin: '200px' });
    cleanups.push(() => { io.disconnect(); for (const c of instances.values()) c.destroy(); });
    const cards = list.map((m) => {
      const card = h('div', { class: 'metric-chart', testid: 'metric-chart', dataset: { key: m.key } },
        h('div', { class: 'title' }, h('span', { class: 'mono' }, m.key), h('span', { class: 'hint' }, `${fmtNum(m.value)} @ step ${m.step ?? 0}`)),
        h('div', { class: 'plot', style: { height: 'auto', minHeight: '200px' } }, h('div', { class: 'hint' }, 'Loading…')));
      io.observe(card);
      return card;
    });
    grid.append(...cards);
    const table = h('table', { class: 'simple', testid: 'metrics-table' },
      h('thead', null, h('tr', null, h('th', null, 'Metric'), h('th', null, 'Latest value'), h('th', null, 'Step'), h('th', null, 'Logged'))),
      h('tbody', null, list.map((m) => h('tr', { dataset: { key: m.key } }, h('td', { class: 'mono' }, m.key), h('td', { class: 'num' }, fmtNum(m.value)), h('td', { class: 'num' }, m.step ?? 0), h('td', null, timeEl(m.timestamp))))));
    const applyFilter = () => {
      const f = filterIn.value.toLowerCase();
      for (const c of cards) c.hidden = !c.dataset.key.toLowerCase().includes(f);
      for (const r of table.tBodies[0].rows) r.hidden = !r.dataset.key.toLowerCase().includes(f);
    };
    filterIn.addEventListener('input', applyFilter);
    xSel.addEventListener('change', () => { charts.x = xSel.value; setQuery({ x: charts.x === 'step' ? '' : charts.x }); redrawAll(); });
    logBox.addEventListener('change', () => { charts.logY = logBox.checked; setQuery({ logy: charts.logY ? '1' : '' }); redrawAll(); });
    smooth.addEventListener('input', () => { charts.smoothing = Number(smooth.value); setQuery({ smooth: charts.smoothing || '' }); redrawAll(); });
    mount(body,
      h('div', { class: 'toolbar' }, filterIn, h('label', { class: 'check' }, 'X axis ', xSel), h('label', { class: 'check' }, logBox, 'Log scale'), h('label', { class: 'check' }, 'Smoothing ', smooth)),
      h('details', { open: list.length <= 30 }, h('summary', { class: 'muted', style: { marginBottom: '8px' } }, `Latest values (${list.length})`), table),
      h('h2', null, 'Charts'), grid);
  }

  function paramsTab() {
    const list = [...(run.data?.params || [])].sort((a, b) => a.key.localeCompare(b.key));
    if (!list.length) { mount(body, h('div', { class: 'empty' }, 'No parameters logged.')); return; }
    const filterIn = h('input', { type: 'search', placeholder: 'Filter parameters', 'data-search': '', testid: 'params-filter' });
    const rows = list.map((p) => h('tr', { dataset: { key: p.key } }, h('td', { class: 'mono wrap-any' }, p.key), h('td', { class: 'wrap-any', style: { whiteSpace: 'pre-wrap' } }, p.value)));
    filterIn.addEventListener('input', () => { const f = filterIn.value.toLowerCase(); for (const r of rows) r.hidden = !(r.dataset.key.toLowerCase().includes(f) || r.cells[1].textContent.toLowerCase().includes(f)); });
    mount(body, h('div', { class: 'toolbar' }, filterIn),
      h('table', { class: 'simple', testid: 'params-table' }, h('thead', null, h('tr', null, h('th', { style: { width: '35%' } }, 'Parameter'), h('th', null, 'Value'))), h('tbody', null, rows)));
  }

  function tagsTab() {
    mount(body, tagEditor({ tags: run.data?.tags, testid: 'run-tags', onSet: (k, v) => runsApi.setTag(runId, k, v), onDelete: (k) => runsApi.deleteTag(runId, k), onChange: reload }));
  }

  function datasets() {
    const list = run.inputs?.dataset_inputs || [];
    if (!list.length) { mount(body, h('div', { class: 'empty' }, 'No dataset inputs logged.')); return; }
    const pretty = (s) => { try { return JSON.stringify(JSON.parse(s), null, 2); } catch { return s; } };
    mount(body, h('div', { testid: 'datasets' }, list.map((di) => {
      const d = di.dataset || {};
      const ctx = tagMap(di.tags).get('mlflow.data.context');
      return h('div', { class: 'panel', style: { marginBottom: '12px' }, testid: 'dataset' },
        h('div', { class: 'page-head', style: { marginBottom: '6px' } }, h('h3', { style: { margin: 0 } }, d.name), ctx ? h('span', { class: 'chip' }, ctx) : null, h('span', { class: 'hint mono' }, d.digest)),
        h('dl', { class: 'kv' }, h('dt', null, 'Source type'), h('dd', null, d.source_type || ''), h('dt', null, 'Source'), h('dd', null, h('pre', null, pretty(d.source || '')))),
        d.schema ? h('details', null, h('summary', null, 'Schema'), h('pre', null, pretty(d.schema))) : null,
        d.profile ? h('details', null, h('summary', null, 'Profile'), h('pre', null, pretty(d.profile))) : null,
        (di.tags || []).filter((t) => t.key !== 'mlflow.data.context').map((t) => h('span', { class: 'chip' }, `${t.key}: ${t.value}`)));
    })));
  }

  function modelIds() {
    const out = new Map();
    for (const m of run.outputs?.model_outputs || []) out.set(m.model_id, { id: m.model_id, dir: 'output', step: m.step });
    for (const m of run.inputs?.model_inputs || []) if (!out.has(m.model_id)) out.set(m.model_id, { id: m.model_id, dir: 'input' });
    return [...out.values()];
  }

  function models() {
    const ids = modelIds();
    let legacy = [];
    try { legacy = JSON.parse(tagMap(run.data?.tags).get('mlflow.log-model.history') || '[]'); } catch { /* malformed tag */ }
    if (!ids.length && !legacy.length) { mount(body, h('div', { class: 'empty' }, 'No logged models linked to this run.')); return; }
    const box = h('div', { testid: 'logged-models' }, h('div', { class: 'hint' }, 'Loading…'));
    const browse = h('div');
    mount(body, box, browse);
    pool(ids, 6, (m) => loggedModels.get(m.id)).then((res) => {
      mount(box, h('table', { class: 'simple' },
        h('thead', null, h('tr', null, ['Model', 'ID', 'Link', 'Status', 'Type', 'Created', 'Registered as', ''].map((x) => h('th', null, x)))),
        h('tbody', null, res.map((r, k) => {
          const ref = ids[k];
          if (!r.ok) return h('tr', { testid: 'logged-model' }, h('td', null, ''), h('td', { class: 'mono' }, ref.id), h('td', null, ref.dir), h('td', { colspan: 5 }, `${r.error.code}: ${r.error.message}`));
          const info = r.value.info || {};
          // Older servers only record registrations in the mlflow.modelVersions tag.
          let regs = info.registrations || [];
          if (!regs.length) {
            try { regs = JSON.parse(tagMap(info.tags).get('mlflow.modelVersions') || '[]'); } catch { regs = []; }
            const seen = new Set();
            regs = regs.filter((g) => { const k = `${g.name}/${g.version}`; if (seen.has(k)) return false; seen.add(k); return true; });
          }
          const root = proxyRoot(info.artifact_uri);
          return h('tr', { testid: 'logged-model' },
            h('td', null, info.name), h('td', { class: 'mono' }, info.model_id),
            h('td', null, ref.dir === 'output' ? `output @ step ${ref.step ?? 0}` : 'input'),
            h('td', null, badge(String(info.status || '').replace('LOGGED_MODEL_', ''))), h('td', null, info.model_type || ''),
            h('td', null, timeEl(info.creation_timestamp_ms)),
            h('td', null, regs.map((g) => [h('a', { href: `#/models/${encodeURIComponent(g.name)}/versions/${g.version}` }, `${g.name} v${g.version}`), ' '])),
            h('td', null, root ? h('button', { class: 'linkbtn', testid: 'browse-model-artifacts', onclick: () => mount(browse, h('h2', null, `Artifacts of ${info.name}`), artifactBrowser({ root })) }, 'Artifacts') : null));
        }))));
    });
    if (legacy.length) {
      body.append(h('h2', null, 'Model history (mlflow.log-model.history)'), h('table', { class: 'simple' },
        h('thead', null, h('tr', null, h('th', null, 'Artifact path'), h('th', null, 'Flavors'), h('th', null, 'Logged'))),
        h('tbody', null, legacy.map((m) => h('tr', null, h('td', { class: 'mono' }, m.artifact_path || ''), h('td', null, Object.keys(m.flavors || {}).join(', ')), h('td', null, m.utc_time_created || ''))))));
    }
  }

  function artifacts() {
    const rootPath = proxyRoot(run.info.artifact_uri);
    if (rootPath === null) {
      mount(body, h('div', { class: 'empty', testid: 'artifacts-not-proxied' }, `Artifacts of this run live at ${run.info.artifact_uri}, which this server does not serve.`));
      return;
    }
    mount(body, artifactBrowser({ root: rootPath, initialPath: query.get('path') || undefined, onSelect: (p) => setQuery({ path: p }) }));
  }

  // ---- live refresh -----------------------------------------------------------------------
  const timer = setInterval(async () => {
    if (document.hidden || run.info.status !== 'RUNNING' || !['overview', 'metrics', 'params'].includes(tab)) return;
    if (document.querySelector('dialog[open]')) return;
    try {
      const fresh = await runsApi.get(runId);
      const changed = JSON.stringify(fresh.data) !== JSON.stringify(run.data) || fresh.info.status !== run.info.status;
      run = fresh;
      drawHead();
      drawTabs();
      if (changed) drawBody();
    } catch { /* transient: try again next tick */ }
  }, LIVE_MS);

  mount(root, head, tabsEl, body);
  drawHead();
  drawTabs();
  drawBody();
  return () => { clearInterval(timer); while (cleanups.length) cleanups.pop()(); };
}
