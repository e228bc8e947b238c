// Runs table of one or more experiments. State lives in the URL query (filter, order, view,
// columns, grouping) so a view is a shareable link. Rows come from runs/search in server pages
// of 1000 fetched as the user scrolls; the table is virtualized, so 100k runs stay smooth.
import { experiments, runs as runsApi, VIEW_TYPES } from '../api.js';
import { h, mount, timeEl, fmtDuration, runDuration, fmtNum, badge, toast, errorBox, confirmDialog, pool, quoteKey, tagMap } from '../dom.js';
import { setQuery, navigate } from '../router.js';
import { VTable } from '../components/vtable.js';

const PAGE = 1000;
const PARENT = 'mlflow.parentRunId';
const DEFAULT_ORDER = 'attributes.start_time DESC';
const LIVE_MS = 10000;

/** Column spec in the URL: `m:loss,p:alpha,t:team` (keys URI-encoded inside the list). */
function parseCols(s) {
  if (s === null) return null;
  return s.split(',').filter(Boolean).map((c) => ({ kind: c[0], key: decodeURIComponent(c.slice(2)) })).filter((c) => 'mpt'.includes(c.kind));
}
const colsToString = (cols) => cols.map((c) => `${c.kind}:${encodeURIComponent(c.key)}`).join(',');
const ENTITY = { m: 'metrics', p: 'params', t: 'tags' };
const GROUP = { m: 'metric', p: 'param', t: 'tag' };

export async function render(root, { params, query }) {
  root.className = 'fill';
  const expIds = params.ids.split(',').map((s) => s.trim()).filter(Boolean);
  const state = {
    filter: query.get('filter') || '',
    order: query.get('order') || DEFAULT_ORDER,
    view: query.get('view') || 'ACTIVE_ONLY',
    cols: parseCols(query.get('cols')),
    group: query.get('group') !== '0',
  };

  let exps;
  try {
    exps = await Promise.all(expIds.map((id) => experiments.get(id)));
  } catch (e) {
    mount(root, errorBox(e));
    return undefined;
  }
  const expName = new Map(exps.map((e) => [e.experiment_id, e.name]));

  /** @type {any[]} */ let loaded = [];
  let token = null;
  let loading = false;
  let gen = 0;
  const expanded = new Set();
  const keys = { m: new Set(), p: new Set(), t: new Set() };

  // ---- header & toolbar -------------------------------------------------------------------
  const title = exps.length === 1 ? exps[0].name : `${exps.length} experiments`;
  const note = exps.length === 1 ? tagMap(exps[0].tags).get('mlflow.note.content') : null;
  const searchInput = h('input', { type: 'search', class: 'grow mono', value: state.filter, 'data-search': '', testid: 'run-search', 'aria-label': 'Filter runs', placeholder: "metrics.rmse < 1 and params.alpha = '0.5' and tags.team = 'nlp'" });
  const err = h('div', { class: 'search-error', testid: 'run-search-error' });
  const viewSel = h('select', { testid: 'run-view', 'aria-label': 'Lifecycle' }, VIEW_TYPES.map((v) => h('option', { value: v, selected: v === state.view }, { ACTIVE_ONLY: 'Active', DELETED_ONLY: 'Deleted', ALL: 'All' }[v])));
  const groupBox = h('input', { type: 'checkbox', checked: state.group, testid: 'group-nested' });
  const countEl = h('span', { class: 'muted', testid: 'run-count' });
  const selEl = h('span', { class: 'muted', testid: 'selection-count' });
  const deleteBtn = h('button', { class: 'btn danger small', disabled: true, testid: 'bulk-delete', onclick: () => bulk('delete') }, 'Delete');
  const restoreBtn = h('button', { class: 'btn small', disabled: true, testid: 'bulk-restore', onclick: () => bulk('restore') }, 'Restore');
  const compareBtn = h('button', { class: 'btn small', disabled: true, testid: 'compare-selected', onclick: () => navigate('/compare', { runs: [...table.selected].join(','), experiments: expIds.join(',') }) }, 'Compare');
  const liveBox = h('input', { type: 'checkbox', checked: true, testid: 'live-refresh' });
  const colsBtn = h('button', { class: 'btn', testid: 'columns-button', 'aria-haspopup': 'true' }, 'Columns ▾');
  const colsMenu = h('div', { class: 'dropdown-menu', hidden: true, testid: 'columns-menu' });
  const colsWrap = h('div', { class: 'dropdown' }, colsBtn, colsMenu);

  // ---- columns ----------------------------------------------------------------------------
  const nameCell = (r) => {
    const id = r.run.info.run_id;
    const kids = r.kids;
    return h('span', { style: { display: 'flex', alignItems: 'center', minWidth: 0, paddingLeft: `${r.depth * 18}px` } },
      state.group ? (kids ? h('button', { class: 'toggle', testid: 'expand-toggle', 'aria-label': expanded.has(id) ? 'Collapse' : 'Expand', onclick: (e) => { e.stopPropagation(); if (expanded.has(id)) expanded.delete(id); else expanded.add(id); refreshRows(); } }, expanded.has(id) ? '▼' : '▶') : h('span', { style: { width: '18px', flex: 'none' } })) : null,
      h('a', { href: `#/runs/${id}`, testid: 'run-link', title: r.run.info.run_name || id, style: { overflow: 'hidden', textOverflow: 'ellipsis' } }, r.run.info.run_name || id),
      kids ? h('span', { class: 'kids' }, `(${kids})`) : null);
  };
  const fixed = [
    { id: 'name', title: 'Run name', width: 260, render: nameCell, sortKey: 'attributes.run_name', className: 'name-cell' },
    { id: 'created', title: 'Created', width: 120, render: (r) => timeEl(r.run.info.start_time), sortKey: 'attributes.start_time' },
    { id: 'duration', title: 'Duration', width: 90, className: 'num', render: (r) => fmtDuration(runDuration(r.run.info)) },
    { id: 'status', title: 'Status', width: 100, render: (r) => badge(r.run.info.status), sortKey: 'attributes.status' },
    { id: 'user', title: 'User', width: 110, render: (r) => r.run.info.user_id || '', sortKey: 'attributes.user_id' },
    { id: 'source', title: 'Source', width: 140, render: (r) => (r.tags.get('mlflow.source.name') || '').split('/').pop() },
  ];
  if (exps.length > 1) fixed.splice(1, 0, { id: 'experiment', title: 'Experiment', width: 150, render: (r) => expName.get(r.run.info.experiment_id) || r.run.info.experiment_id });

  const chosenCols = () => state.cols || defaultCols();
  function defaultCols() {
    const m = [...keys.m].sort().slice(0, 8).map((key) => ({ kind: 'm', key }));
    const p = [...keys.p].sort().slice(0, 8).map((key) => ({ kind: 'p', key }));
    return [...m, ...p];
  }
  function columns() {
    const dyn = chosenCols().map((c) => ({
      id: `${c.kind}-${c.key}`,
      title: c.key,
      group: GROUP[c.kind],
      width: c.kind === 'm' ? 110 : 130,
      className: c.kind === 'm' ? 'num' : '',
      sortKey: `${ENTITY[c.kind]}.${quoteKey(c.key)}`,
      render: c.kind === 'm' ? (r) => { const v = r.metrics.get(c.key); return v === undefined ? '' : fmtNum(v); }
        : c.kind === 'p' ? (r) => r.params.get(c.key) ?? '' : (r) => r.tags.get(c.key) ?? '',
    }));
    return [...fixed, ...dyn];
  }
  const sortSpec = () => {
    const m = /^(.*?)(?:\s+(ASC|DESC))?$/i.exec(state.order.trim());
    return { key: m[1], asc: (m[2] || 'ASC').toUpperCase() === 'ASC' };
  };

  const table = new VTable({
    testid: 'runs-table',
    selectable: true,
    columns: fixed,
    sort: sortSpec(),
    rowKey: (r) => r.run.info.run_id,
    rowClass: (r) => [r.depth ? 'child' : '', r.run.info.lifecycle_stage === 'deleted' ? 'deleted' : ''].join(' '),
    onOpen: (r) => navigate(`/runs/${r.run.info.run_id}`),
    onNeedMore: () => load(false),
    onSort: (c) => {
      const cur = sortSpec();
      state.order = `${c.sortKey} ${cur.key === c.sortKey && !cur.asc ? 'ASC' : 'DESC'}`;
      setQuery({ order: state.order === DEFAULT_ORDER ? '' : state.order });
      load(true);
    },
    onSelectionChange: (sel) => {
      selEl.textContent = sel.size ? `${sel.size} selected` : '';
      deleteBtn.disabled = !sel.size || state.view === 'DELETED_ONLY';
      restoreBtn.disabled = !sel.size || state.view === 'ACTIVE_ONLY';
      compareBtn.disabled = sel.size < 1;
    },
  });

  // ---- rows -------------------------------------------------------------------------------
  /** Wrap runs once with lookup maps so cell rendering is O(1) per cell. */
  const wrap = (run) => ({
    run,
    depth: 0,
    kids: 0,
    metrics: new Map((run.data?.metrics || []).map((m) => [m.key, m.value])),
    params: new Map((run.data?.params || []).map((p) => [p.key, p.value])),
    tags: tagMap(run.data?.tags),
  });

  /** Nested runs go under their parent when the parent is loaded; orphans stay top level. */
  function displayRows() {
    if (!state.group) return loaded.map((r) => Object.assign(r, { depth: 0, kids: 0 }));
    const byId = new Map(loaded.map((r) => [r.run.info.run_id, r]));
    const children = new Map();
    const roots = [];
    for (const r of loaded) {
      const p = r.tags.get(PARENT);
      if (p && byId.has(p) && p !== r.run.info.run_id) {
        if (!children.has(p)) children.set(p, []);
        children.get(p).push(r);
      } else roots.push(r);
    }
    const out = [];
    const seen = new Set();
    const walk = (r, depth) => {
      const id = r.run.info.run_id;
      if (seen.has(id)) return; // defends against parent cycles in tags
      seen.add(id);
      const kids = children.get(id) || [];
      r.depth = depth;
      r.kids = kids.length;
      out.push(r);
      if (kids.length && expanded.has(id)) for (const k of kids) walk(k, depth + 1);
    };
    for (const r of roots) walk(r, 0);
    return out;
  }
  function refreshRows() { table.setRows(displayRows()); }

  function noteKeys(batch) {
    let grew = false;
    for (const r of batch) {
      for (const k of r.metrics.keys()) if (!keys.m.has(k)) { keys.m.add(k); grew = true; }
      for (const k of r.params.keys()) if (!keys.p.has(k)) { keys.p.add(k); grew = true; }
      for (const k of r.tags.keys()) if (!keys.t.has(k)) { keys.t.add(k); grew = true; }
    }
    return grew;
  }

  const searchBody = () => ({ experiment_ids: expIds, filter: state.filter, run_view_type: state.view, order_by: [state.order], max_results: PAGE });

  async function load(reset) {
    if (reset) {
      gen++; loaded = []; token = null; table.selected.clear();
      table.setSort(sortSpec()); table.setRows([]); table.setEmptyText('Loading…');
      table.el.scrollTop = 0;
    } else if (loading || !token) return;
    const my = gen;
    loading = true;
    countEl.textContent = loaded.length ? `${loaded.length} runs, loading more…` : 'Loading…';
    try {
      const r = await runsApi.search({ ...searchBody(), page_token: token || undefined });
      if (my !== gen) return;
      err.textContent = '';
      searchInput.classList.remove('error');
      const batch = (r.runs || []).map(wrap);
      loaded = loaded.concat(batch);
      token = r.next_page_token || null;
      if (noteKeys(batch) || reset) table.setColumns(columns());
      table.setEmptyText(state.filter ? 'No run matches the filter.' : 'No runs in this view.');
      refreshRows();
      countEl.textContent = `${loaded.length}${token ? '+' : ''} run${loaded.length === 1 ? '' : 's'}`;
      table.opts.onSelectionChange(table.selected);
    } catch (e) {
      if (my !== gen) return;
      err.textContent = `${e.code || 'ERROR'}: ${e.message}`;
      searchInput.classList.add('error');
      countEl.textContent = '';
      table.setEmptyText('');
      table.setRows([]);
    } finally {
      if (my === gen) loading = false;
    }
  }

  /** Live refresh: re-read the loaded window while something runs, keeping scroll and selection. */
  async function live() {
    if (!liveBox.checked || loading || document.hidden || !loaded.length || loaded.length > PAGE) return;
    if (!loaded.some((r) => r.run.info.status === 'RUNNING' || r.run.info.status === 'SCHEDULED')) return;
    const my = gen;
    try {
      const r = await runsApi.search(searchBody());
      if (my !== gen || loading) return;
      loaded = (r.runs || []).map(wrap);
      token = r.next_page_token || null;
      if (noteKeys(loaded)) table.setColumns(columns());
      refreshRows();
    } catch { /* next tick retries; errors show on explicit searches */ }
  }
  const timer = setInterval(live, LIVE_MS);

  async function bulk(kind) {
    const ids = [...table.selected];
    if (kind === 'delete' && !(await confirmDialog('Delete runs', `Delete ${ids.length} run(s)? They can be restored from the Deleted view.`))) return;
    const res = await pool(ids, 8, (id) => (kind === 'delete' ? runsApi.delete(id) : runsApi.restore(id)));
    const bad = res.filter((r) => !r.ok);
    if (bad.length) toast(`${bad.length} of ${ids.length} failed. ${bad[0].error.code}: ${bad[0].error.message}`, 'error');
    else toast(`${kind === 'delete' ? 'Deleted' : 'Restored'} ${ids.length} run(s)`, 'ok', 2500);
    load(true);
  }

  // ---- column picker ----------------------------------------------------------------------
  function renderColsMenu() {
    const chosen = new Set(chosenCols().map((c) => `${c.kind}:${c.key}`));
    const filterIn = h('input', { type: 'search', placeholder: 'Find a column', testid: 'columns-filter', style: { width: '100%' } });
    const groups = h('div');
    const draw = () => {
      const f = filterIn.value.toLowerCase();
      const section = (kind, label) => {
        const list = [...keys[kind]].sort().filter((k) => k.toLowerCase().includes(f) && (kind !== 't' || !k.startsWith('mlflow.') || f));
        if (!list.length) return null;
        return [h('h4', null, label), list.map((k) => h('label', { title: k }, h('input', { type: 'checkbox', checked: chosen.has(`${kind}:${k}`), testid: `column-option-${kind}-${k}`, onchange: (e) => {
          if (e.target.checked) chosen.add(`${kind}:${k}`); else chosen.delete(`${kind}:${k}`);
          const order = ['m', 'p', 't'];
          state.cols = [...chosen].map((s) => ({ kind: s[0], key: s.slice(2) })).sort((a, b) => order.indexOf(a.kind) - order.indexOf(b.kind) || a.key.localeCompare(b.key));
          setQuery({ cols: colsToString(state.cols) || ',' });
          table.setColumns(columns());
        } }), k))];
      };
      mount(groups, section('m', 'Metrics'), section('p', 'Parameters'), section('t', 'Tags'),
        keys.m.size + keys.p.size + keys.t.size === 0 ? h('div', { class: 'hint' }, 'No keys in the loaded runs.') : null);
    };
    filterIn.addEventListener('input', draw);
    draw();
    mount(colsMenu, filterIn, groups, h('div', { class: 'toolbar', style: { marginTop: '8px' } },
      h('button', { class: 'btn small', testid: 'columns-reset', onclick: () => { state.cols = null; setQuery({ cols: '' }); table.setColumns(columns()); renderColsMenu(); } }, 'Reset to default')));
    return filterIn;
  }
  colsBtn.addEventListener('click', () => {
    colsMenu.hidden = !colsMenu.hidden;
    if (!colsMenu.hidden) renderColsMenu().focus();
  });
  const closeMenu = (e) => { if (!colsWrap.contains(e.target)) colsMenu.hidden = true; };
  const escMenu = (e) => { if (e.key === 'Escape') colsMenu.hidden = true; };
  document.addEventListener('mousedown', closeMenu);
  document.addEventListener('keydown', escMenu);

  // ---- events -----------------------------------------------------------------------------
  const runSearch = () => { state.filter = searchInput.value.trim(); setQuery({ filter: state.filter }); load(true); };
  searchInput.addEventListener('keydown', (e) => { if (e.key === 'Enter') runSearch(); });
  searchInput.addEventListener('search', () => { if (!searchInput.value) runSearch(); });
  viewSel.addEventListener('change', () => { state.view = viewSel.value; setQuery({ view: state.view === 'ACTIVE_ONLY' ? '' : state.view }); load(true); });
  groupBox.addEventListener('change', () => { state.group = groupBox.checked; setQuery({ group: state.group ? '' : '0' }); refreshRows(); });

  mount(root,
    h('div', { class: 'crumbs' }, h('a', { href: '#/experiments' }, 'Experiments'), ' / '),
    h('div', { class: 'page-head' },
      h('h1', { testid: 'experiment-title' }, title),
      h('span', { class: 'sub' }, exps.length === 1 ? `ID ${exps[0].experiment_id}` : exps.map((e) => e.name).join(', ')),
      exps.some((e) => e.lifecycle_stage === 'deleted') ? badge('deleted') : null,
      h('span', { class: 'spacer' }),
      exps.length === 1 ? h('span', { class: 'hint mono', title: 'Artifact location' }, exps[0].artifact_location) : null),
    note ? h('div', { class: 'desc hint', style: { marginBottom: '8px' } }, note) : null,
    h('div', { class: 'toolbar' }, searchInput,
      h('button', { class: 'btn', testid: 'run-search-button', onclick: runSearch }, 'Search'),
      viewSel, colsWrap,
      h('label', { class: 'check', title: 'Show child runs under their parent' }, groupBox, 'Group nested'),
      h('button', { class: 'btn', testid: 'refresh', title: 'Reload', onclick: () => load(true) }, '↻')),
    err,
    table.el,
    h('div', { class: 'vt-foot' }, countEl, selEl, compareBtn, deleteBtn, restoreBtn, h('span', { class: 'spacer' }),
      h('label', { class: 'check', title: `Reload every ${LIVE_MS / 1000}s while runs are running` }, liveBox, 'Live'),
      h('span', { class: 'hint' }, 'j/k move · x select · Enter open · / search')));
  await load(true);
  return () => {
    gen++;
    clearInterval(timer);
    table.destroy();
    document.removeEventListener('mousedown', closeMenu);
    document.removeEventListener('keydown', escMenu);
  };
}
