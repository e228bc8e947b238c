// One registered model: description, tags, aliases, versions (stage, aliases, source run).
import { registry } from '../api.js';
import { h, mount, timeEl, dialog, confirmDialog, toast, errorBox, badge, quoteStr } from '../dom.js';
import { navigate } from '../router.js';
import { tagEditor } from '../components/tags.js';

export async function render(root, { params }) {
  const name = params.name;
  const enc = encodeURIComponent(name);

  async function draw() {
    let m;
    let versions = [];
    try {
      [m, versions] = await Promise.all([
        registry.getModel(name),
        (async () => {
          const out = [];
          let token;
          do {
            const r = await registry.searchVersions(`name = ${quoteStr(name)}`, token);
            out.push(...(r.model_versions || []));
            token = r.next_page_token;
          } while (token);
          return out;
        })(),
      ]);
    } catch (e) {
      mount(root, h('div', { class: 'crumbs' }, h('a', { href: '#/models' }, 'Models')), errorBox(e));
      return;
    }
    versions.sort((a, b) => Number(b.version) - Number(a.version));
    const aliasesOf = new Map();
    for (const a of m.aliases || []) {
      if (!aliasesOf.has(String(a.version))) aliasesOf.set(String(a.version), []);
      aliasesOf.get(String(a.version)).push(a.alias);
    }
    const act = async (fn, msg) => { try { await fn(); if (msg) toast(msg, 'ok', 2000); draw(); } catch (e) { toast(`${e.code}: ${e.message}`, 'error'); } };

    const editDesc = async () => {
      const r = await dialog({ title: 'Edit description', testid: 'model-description-dialog', fields: [{ name: 'd', label: 'Description', value: m.description || '', multiline: true }], submit: (v) => registry.updateModel(name, v.d) });
      if (r) draw();
    };
    const rename = async () => {
      const r = await dialog({ title: 'Rename model', testid: 'rename-model-dialog', fields: [{ name: 'n', label: 'New name', value: name, required: true }], submit: (v) => registry.renameModel(name, v.n.trim()) });
      if (r) navigate(`/models/${encodeURIComponent(r.registered_model?.name || '')}`);
    };
    const del = async () => {
      if (await confirmDialog('Delete model', `Delete "${name}" and all ${versions.length} version(s)? This cannot be undone.`, 'Delete', () => registry.deleteModel(name))) navigate('/models');
    };
    const addAlias = async () => {
      const r = await dialog({
        title: 'Set alias', testid: 'alias-dialog',
        fields: [{ name: 'alias', label: 'Alias', required: true, placeholder: 'champion' }, { name: 'version', label: 'Version', options: versions.map((v) => String(v.version)), value: versions[0] ? String(versions[0].version) : '' }],
        submit: (v) => registry.setAlias(name, v.alias.trim(), v.version),
      });
      if (r) draw();
    };

    mount(root,
      h('div', { class: 'crumbs' }, h('a', { href: '#/models' }, 'Models'), ' / '),
      h('div', { class: 'page-head' }, h('h1', { testid: 'model-name' }, m.name), h('span', { class: 'spacer' }),
        h('button', { class: 'btn', testid: 'model-rename', onclick: rename }, 'Rename'),
        h('button', { class: 'btn danger', testid: 'model-delete', onclick: del }, 'Delete')),
      h('div', { class: 'grid2' },
        h('div', { class: 'panel' },
          h('dl', { class: 'kv', testid: 'model-meta' },
            h('dt', null, 'Created'), h('dd', null, timeEl(m.creation_timestamp)),
            h('dt', null, 'Last modified'), h('dd', null, timeEl(m.last_updated_timestamp)),
            m.user_id ? [h('dt', null, 'Owner'), h('dd', null, m.user_id)] : null,
            h('dt', null, 'Versions'), h('dd', null, String(versions.length))),
          h('div', { style: { display: 'flex', alignItems: 'center', marginTop: '12px' } }, h('h3', { style: { margin: 0, flex: 1 } }, 'Description'), h('button', { class: 'btn small', testid: 'model-edit-description', onclick: editDesc }, 'Edit')),
          h('div', { class: 'desc', testid: 'model-description', style: { marginTop: '6px' } }, m.description || h('span', { class: 'hint' }, 'No description.'))),
        h('div', { class: 'panel' },
          h('div', { style: { display: 'flex', alignItems: 'center' } }, h('h3', { style: { margin: 0, flex: 1 } }, 'Aliases'), h('button', { class: 'btn small', testid: 'model-add-alias', onclick: addAlias, disabled: !versions.length }, '+ Set alias')),
          h('div', { testid: 'model-aliases', style: { margin: '8px 0' } }, (m.aliases || []).length ? (m.aliases || []).map((a) => h('span', { class: 'chip', testid: 'alias-chip' },
            h('a', { href: `#/models/${enc}/versions/${a.version}` }, `@${a.alias} → v${a.version}`),
            h('button', { title: 'Remove alias', 'aria-label': `Remove alias ${a.alias}`, testid: 'alias-remove', onclick: () => act(() => registry.deleteAlias(name, a.alias), 'Alias removed') }, '×'))) : h('span', { class: 'hint' }, 'No aliases.')),
          h('h3', null, 'Tags'),
          tagEditor({ tags: m.tags, testid: 'model-tags', systemPrefix: '', onSet: (k, v) => registry.setModelTag(name, k, v), onDelete: (k) => registry.deleteModelTag(name, k), onChange: draw }))),
      h('h2', null, 'Versions'),
      versions.length ? h('div', { class: 'panel', style: { padding: 0, overflow: 'auto' } }, h('table', { class: 'simple', testid: 'versions-table' },
        h('thead', null, h('tr', null, ['Version', 'Registered', 'Stage', 'Aliases', 'Status', 'Source run', 'Description'].map((x) => h('th', null, x)))),
        h('tbody', null, versions.map((v) => h('tr', { testid: 'version-row', dataset: { version: String(v.version) } },
          h('td', null, h('a', { href: `#/models/${enc}/versions/${v.version}`, testid: 'version-link' }, `Version ${v.version}`)),
          h('td', null, timeEl(v.creation_timestamp)),
          h('td', null, badge(v.current_stage || 'None')),
          h('td', null, (aliasesOf.get(String(v.version)) || v.aliases || []).map((a) => h('span', { class: 'chip' }, `@${a}`))),
          h('td', null, badge(v.status || '')),
          h('td', null, v.run_id ? h('a', { href: `#/runs/${v.run_id}`, class: 'mono', testid: 'version-run-link' }, v.run_id.slice(0, 12)) : h('span', { class: 'hint' }, '—')),
          h('td', { class: 'muted' }, v.description || '')))))) : h('div', { class: 'empty', testid: 'versions-empty' }, 'No versions yet. Register one with mlflow.register_model or log_model(registered_model_name=…).'));
  }
  await draw();
  return undefined;
}
