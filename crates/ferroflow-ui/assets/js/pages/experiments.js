// Experiments list: server-side search (plain text = name ILIKE, or the MLflow filter
// language), create / rename / delete / restore, tags, and opening one or several
// experiments' runs together.
import { experiments, VIEW_TYPES } from '../api.js';
import { h, mount, timeEl, dialog, confirmDialog, toast, errorBox, debounce, quoteStr, pool } from '../dom.js';
import { setQuery, navigate } from '../router.js';
import { VTable } from '../components/vtable.js';
import { tagEditor, tagChips } from '../components/tags.js';

/** A bare word searches names; anything that looks like a filter is sent as one. */
export function toFilter(text) {
  const t = text.trim();
  if (!t) return '';
  if (/(=|<|>|\blike\b|\bilike\b|\bin\s*\(|\bis\s+(not\s+)?null\b)/i.test(t)) return t;
  return `name ILIKE ${quoteStr(`%${t}%`)}`;
}

export async function render(root, { query }) {
  root.className = 'fill';
  const state = { q: query.get('q') || '', view: query.get('view') || 'ACTIVE_ONLY', order: query.get('order') || 'creation_time DESC' };
  let list = [];
  let token = null;
  let loading = false;
  let gen = 0;

  const searchInput = h('input', { type: 'search', class: 'grow', value: state.q, placeholder: "Search experiments by name, or a filter like tags.team = 'nlp'", 'data-search': '', testid: 'experiment-search', 'aria-label': 'Search experiments' });
  const err = h('div', { class: 'search-error', testid: 'experiment-search-error' });
  const viewSel = h('select', { testid: 'experiment-view', 'aria-label': 'Lifecycle' }, VIEW_TYPES.map((v) => h('option', { value: v, selected: v === state.view }, { ACTIVE_ONLY: 'Active', DELETED_ONLY: 'Deleted', ALL: 'All' }[v])));
  const countEl = h('span', { testid: 'experiment-count' });
  const openBtn = h('button', { class: 'btn', disabled: true, testid: 'open-selected', onclick: () => navigate(`/experiments/${[...table.selected].join(',')}`) }, 'Open runs of selected');
  const delBtn = h('button', { class: 'btn danger', disabled: true, testid: 'delete-selected', onclick: () => bulk(state.view === 'DELETED_ONLY' ? 'restore' : 'delete') }, 'Delete');

  const actions = (e) => h('span', { class: 'row-actions' },
    h('button', { class: 'linkbtn', testid: 'experiment-rename', onclick: (ev) => { ev.stopPropagation(); rename(e); } }, 'Rename'),
    h('button', { class: 'linkbtn', testid: 'experiment-tags', onclick: (ev) => { ev.stopPropagation(); editTags(e); } }, 'Tags'),
    e.lifecycle_stage === 'deleted'
      ? h('button', { class: 'linkbtn', testid: 'experiment-restore', onclick: (ev) => { ev.stopPropagation(); restore(e); } }, 'Restore')
      : h('button', { class: 'linkbtn danger', testid: 'experiment-delete', onclick: (ev) => { ev.stopPropagation(); remove(e); } }, 'Delete'));

  const sortable = (id, title, width, render, key) => ({ id, title, width, render, sortKey: key });
  const table = new VTable({
    testid: 'experiments-table',
    rowHeight: 36,
    selectable: true,
    rowKey: (e) => e.experiment_id,
    rowClass: (e) => (e.lifecycle_stage === 'deleted' ? 'deleted' : ''),
    onOpen: (e) => navigate(`/experiments/${e.experiment_id}`),
    onNeedMore: () => load(false),
    onSelectionChange: (sel) => {
      openBtn.disabled = sel.size === 0;
      delBtn.disabled = sel.size === 0;
      delBtn.textContent = state.view === 'DELETED_ONLY' ? `Restore (${sel.size})` : `Delete (${sel.size})`;
    },
    onSort: (c) => {
      const [k, dir] = state.order.split(' ');
      state.order = `${c.sortKey} ${k === c.sortKey && dir === 'DESC' ? 'ASC' : 'DESC'}`;
      setQuery({ order: state.order === 'creation_time DESC' ? '' : state.order });
      load(true);
    },
    columns: [
      sortable('name', 'Name', 360, (e) => h('a', { href: `#/experiments/${e.experiment_id}`, testid: 'experiment-link', title: e.name }, e.name), 'name'),
      sortable('id', 'ID', 90, (e) => e.experiment_id, 'experiment_id'),
      sortable('created', 'Created', 130, (e) => timeEl(e.creation_time), 'creation_time'),
      sortable('updated', 'Last modified', 130, (e) => timeEl(e.last_update_time), 'last_update_time'),
      { id: 'tags', title: 'Tags', width: 340, render: (e) => tagChips(e.tags, 3) },
      { id: 'actions', title: '', width: 190, render: actions },
    ],
  });
  const syncSort = () => { const [k, d] = state.order.split(' '); table.setSort({ key: k, asc: d === 'ASC' }); };
  syncSort();

  async function load(reset) {
    if (reset) { gen++; list = []; token = null; table.selected.clear(); table.setRows([]); table.setEmptyText('Loading…'); syncSort(); }
    else if (loading || !token) return;
    const my = gen;
    loading = true;
    try {
      const r = await experiments.search({ filter: toFilter(state.q) || undefined, view_type: state.view, order_by: [state.order], page_token: token || undefined });
      if (my !== gen) return;
      err.textContent = '';
      searchInput.classList.remove('error');
      list = list.concat(r.experiments || []);
      token = r.next_page_token || null;
      table.setEmptyText(state.q ? 'No experiment matches.' : 'No experiments yet.');
      table.setRows(list);
      countEl.textContent = `${list.length}${token ? '+' : ''} experiment${list.length === 1 ? '' : 's'}`;
    } catch (e) {
      if (my !== gen) return;
      err.textContent = `${e.code || 'ERROR'}: ${e.message}`;
      searchInput.classList.add('error');
      table.setEmptyText('');
      table.setRows([]);
    } finally {
      if (my === gen) loading = false;
    }
  }

  async function create() {
    const r = await dialog({
      title: 'Create experiment', submitLabel: 'Create', testid: 'create-experiment-dialog',
      fields: [{ name: 'name', label: 'Name', required: true }, { name: 'artifact_location', label: 'Artifact location (optional)', placeholder: 'default: served by this server' }],
      submit: (v) => experiments.create(v.name.trim(), v.artifact_location.trim()),
    });
    if (r) { toast(`Created experiment ${r.experiment_id}`, 'ok'); navigate(`/experiments/${r.experiment_id}`); }
  }
  async function rename(e) {
    const r = await dialog({ title: 'Rename experiment', testid: 'rename-experiment-dialog', fields: [{ name: 'name', label: 'New name', value: e.name, required: true }], submit: (v) => experiments.rename(e.experiment_id, v.name.trim()) });
    if (r) load(true);
  }
  async function remove(e) {
    if (await confirmDialog('Delete experiment', `Delete "${e.name}" and hide its runs? It can be restored from the Deleted view.`, 'Delete', () => experiments.delete(e.experiment_id))) load(true);
  }
  async function restore(e) {
    try { await experiments.restore(e.experiment_id); toast('Restored', 'ok', 2000); load(true); } catch (ex) { toast(`${ex.code}: ${ex.message}`, 'error'); }
  }
  async function bulk(kind) {
    const ids = [...table.selected];
    if (kind === 'delete' && !(await confirmDialog('Delete experiments', `Delete ${ids.length} experiment(s)?`))) return;
    const res = await pool(ids, 6, (id) => (kind === 'delete' ? experiments.delete(id) : experiments.restore(id)));
    const bad = res.filter((r) => !r.ok);
    if (bad.length) toast(`${bad.length} failed: ${bad[0].error.code}: ${bad[0].error.message}`, 'error');
    else toast(`${kind === 'delete' ? 'Deleted' : 'Restored'} ${ids.length}`, 'ok', 2000);
    load(true);
  }
  function editTags(e) {
    const box = h('div');
    const dlg = h('dialog', { testid: 'experiment-tags-dialog', style: { width: '640px' } }, h('h3', null, `Tags of ${e.name}`), box,
      h('div', { class: 'actions' }, h('button', { class: 'btn', testid: 'dialog-close', onclick: () => dlg.close() }, 'Close')));
    const refresh = async () => {
      try {
        const fresh = await experiments.get(e.experiment_id);
        mount(box, tagEditor({ tags: fresh.tags, onSet: (k, v) => experiments.setTag(e.experiment_id, k, v), onDelete: (k) => experiments.deleteTag(e.experiment_id, k), onChange: refresh }));
      } catch (ex) { mount(box, errorBox(ex)); }
    };
    dlg.addEventListener('close', () => { dlg.remove(); load(true); });
    document.body.append(dlg);
    dlg.showModal();
    refresh();
  }

  const onInput = debounce(() => { state.q = searchInput.value; setQuery({ q: state.q }); load(true); }, 250);
  searchInput.addEventListener('input', onInput);
  viewSel.addEventListener('change', () => { state.view = viewSel.value; setQuery({ view: state.view === 'ACTIVE_ONLY' ? '' : state.view }); load(true); });

  mount(root,
    h('div', { class: 'page-head' }, h('h1', null, 'Experiments'), countEl, h('span', { class: 'spacer' }),
      h('button', { class: 'btn primary', testid: 'create-experiment', onclick: create }, '+ New experiment')),
    h('div', { class: 'toolbar' }, searchInput, viewSel, openBtn, delBtn),
    err,
    table.el);
  await load(true);
  return () => table.destroy();
}
