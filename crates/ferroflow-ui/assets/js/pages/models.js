// Registered models list: name search (or a registry filter), paging, create.
import { registry } from '../api.js';
import { h, mount, timeEl, dialog, toast, debounce, quoteStr, badge } from '../dom.js';
import { setQuery, navigate } from '../router.js';
import { tagChips } from '../components/tags.js';

export function toModelFilter(text) {
  const t = text.trim();
  if (!t) return '';
  if (/(=|<|>|\blike\b|\bilike\b|\bin\s*\()/i.test(t)) return t;
  return `name ILIKE ${quoteStr(`%${t}%`)}`;
}

export async function render(root, { query }) {
  let q = query.get('q') || '';
  let order = query.get('order') || 'name ASC';
  let list = [];
  let token = null;
  let gen = 0;
  const searchInput = h('input', { type: 'search', class: 'grow', value: q, 'data-search': '', testid: 'model-search', 'aria-label': 'Search models', placeholder: "Search models by name, or a filter like tags.team = 'nlp'" });
  const err = h('div', { class: 'search-error', testid: 'model-search-error' });
  const tbody = h('tbody');
  const more = h('button', { class: 'btn', hidden: true, testid: 'models-load-more', onclick: () => load(false) }, 'Load more');
  const countEl = h('span', { class: 'muted', testid: 'model-count' });
  const sortHead = (label, key) => h('th', { style: { cursor: 'pointer' }, testid: `model-sort-${key}`, onclick: () => {
    const [k, d] = order.split(' ');
    order = `${key} ${k === key && d === 'ASC' ? 'DESC' : 'ASC'}`;
    setQuery({ order: order === 'name ASC' ? '' : order });
    load(true);
  } }, label, order.startsWith(`${key} `) ? (order.endsWith('ASC') ? ' ▲' : ' ▼') : '');
  const thead = h('thead');
  const drawHead = () => mount(thead, h('tr', null, sortHead('Name', 'name'), h('th', null, 'Latest version'), h('th', null, 'Aliases'), sortHead('Last modified', 'last_updated_timestamp'), h('th', null, 'Tags'), h('th', null, 'Description')));

  async function load(reset) {
    if (reset) { gen++; list = []; token = null; mount(tbody, h('tr', null, h('td', { colspan: 6, class: 'hint' }, 'Loading…'))); drawHead(); }
    const my = gen;
    try {
      const r = await registry.searchModels(toModelFilter(q), token || undefined, [order]);
      if (my !== gen) return;
      err.textContent = '';
      searchInput.classList.remove('error');
      list = list.concat(r.registered_models || []);
      token = r.next_page_token || null;
      more.hidden = !token;
      countEl.textContent = `${list.length}${token ? '+' : ''} model${list.length === 1 ? '' : 's'}`;
      mount(tbody, list.length ? list.map(row) : h('tr', null, h('td', { colspan: 6, class: 'empty', testid: 'models-empty' }, q ? 'No model matches.' : 'No registered models yet.')));
    } catch (e) {
      if (my !== gen) return;
      err.textContent = `${e.code || 'ERROR'}: ${e.message}`;
      searchInput.classList.add('error');
      tbody.replaceChildren();
    }
  }
  function row(m) {
    const latest = (m.latest_versions || []).reduce((a, v) => (!a || Number(v.version) > Number(a.version) ? v : a), null);
    const href = `#/models/${encodeURIComponent(m.name)}`;
    return h('tr', { testid: 'model-row', dataset: { name: m.name } },
      h('td', null, h('a', { href, testid: 'model-link' }, m.name)),
      h('td', null, latest ? [h('a', { href: `${href}/versions/${latest.version}` }, `Version ${latest.version}`), ' ', latest.current_stage && latest.current_stage !== 'None' ? badge(latest.current_stage) : null] : h('span', { class: 'hint' }, '—')),
      h('td', null, (m.aliases || []).map((a) => h('span', { class: 'chip' }, `@${a.alias} → v${a.version}`))),
      h('td', null, timeEl(m.last_updated_timestamp)),
      h('td', null, tagChips(m.tags, 3)),
      h('td', { class: 'muted', style: { maxWidth: '320px', overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' } }, m.description || ''));
  }
  async function create() {
    const r = await dialog({
      title: 'Register a new model', submitLabel: 'Create', testid: 'create-model-dialog',
      fields: [{ name: 'name', label: 'Name', required: true }, { name: 'description', label: 'Description', multiline: true }],
      submit: (v) => registry.createModel(v.name.trim(), v.description),
    });
    if (r) { toast('Model created', 'ok', 2000); navigate(`/models/${encodeURIComponent(r.registered_model.name)}`); }
  }
  searchInput.addEventListener('input', debounce(() => { q = searchInput.value; setQuery({ q }); load(true); }, 250));
  mount(root,
    h('div', { class: 'page-head' }, h('h1', null, 'Registered models'), countEl, h('span', { class: 'spacer' }),
      h('button', { class: 'btn primary', testid: 'create-model', onclick: create }, '+ New model')),
    h('div', { class: 'toolbar' }, searchInput), err,
    h('div', { class: 'panel', style: { padding: 0, overflow: 'auto' } }, h('table', { class: 'simple', testid: 'models-table' }, thead, tbody)),
    h('div', { style: { marginTop: '10px' } }, more));
  await load(true);
  return undefined;
}
