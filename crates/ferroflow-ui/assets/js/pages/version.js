// One model version: stage transitions, aliases, tags, description, source run and logged model.
import { registry, loggedModels } from '../api.js';
import { h, mount, fmtTime, dialog, confirmDialog, toast, errorBox, badge } from '../dom.js';
import { navigate } from '../router.js';
import { tagEditor } from '../components/tags.js';

const STAGES = ['None', 'Staging', 'Production', 'Archived'];

export async function render(root, { params }) {
  const { name, version } = params;
  const enc = encodeURIComponent(name);

  async function draw() {
    let v;
    let model;
    try {
      [v, model] = await Promise.all([registry.getVersion(name, version), registry.getModel(name).catch(() => null)]);
    } catch (e) {
      mount(root, h('div', { class: 'crumbs' }, h('a', { href: '#/models' }, 'Models'), ' / ', h('a', { href: `#/models/${enc}` }, name)), errorBox(e));
      return;
    }
    const aliases = (model?.aliases || []).filter((a) => String(a.version) === String(v.version)).map((a) => a.alias);
    for (const a of v.aliases || []) if (!aliases.includes(a)) aliases.push(a);
    const modelId = v.model_id || (/^models:\/(m-[0-9a-f]+)/.exec(v.source || '') || [])[1];
    const act = async (fn, msg) => { try { await fn(); if (msg) toast(msg, 'ok', 2000); draw(); } catch (e) { toast(`${e.code}: ${e.message}`, 'error'); } };

    const transition = async () => {
      const r = await dialog({
        title: `Transition version ${v.version}`, testid: 'transition-dialog', submitLabel: 'Transition',
        fields: [
          { name: 'stage', label: 'New stage', options: STAGES, value: v.current_stage === 'Staging' ? 'Production' : 'Staging' },
          { name: 'archive', label: 'Archive other versions currently in that stage', type: 'checkbox', value: false },
        ],
        submit: (x) => registry.transition(name, v.version, x.stage, !!x.archive),
      });
      if (r) { toast('Stage changed', 'ok', 2000); draw(); }
    };
    const addAlias = async () => {
      const r = await dialog({ title: 'Add alias', testid: 'alias-dialog', fields: [{ name: 'alias', label: 'Alias', required: true, placeholder: 'champion' }], submit: (x) => registry.setAlias(name, x.alias.trim(), v.version) });
      if (r) draw();
    };
    const editDesc = async () => {
      const r = await dialog({ title: 'Edit description', testid: 'version-description-dialog', fields: [{ name: 'd', label: 'Description', value: v.description || '', multiline: true }], submit: (x) => registry.updateVersion(name, v.version, x.d) });
      if (r) draw();
    };
    const del = async () => {
      if (await confirmDialog('Delete version', `Delete version ${v.version} of "${name}"? This cannot be undone.`, 'Delete', () => registry.deleteVersion(name, v.version))) navigate(`/models/${enc}`);
    };

    const lm = h('dd', { testid: 'version-logged-model' }, modelId ? h('span', { class: 'mono' }, modelId) : h('span', { class: 'hint' }, '—'));
    if (modelId) {
      loggedModels.get(modelId).then((m) => {
        const i = m.info || {};
        mount(lm, i.source_run_id ? h('a', { href: `#/runs/${i.source_run_id}?tab=models` }, `${i.name} (${modelId})`) : `${i.name} (${modelId})`);
      }).catch(() => { /* keep the bare id: the logged model may be gone */ });
    }

    mount(root,
      h('div', { class: 'crumbs' }, h('a', { href: '#/models' }, 'Models'), ' / ', h('a', { href: `#/models/${enc}`, testid: 'version-model-link' }, name), ' / '),
      h('div', { class: 'page-head' },
        h('h1', { testid: 'version-title' }, `${name} — version ${v.version}`),
        badge(v.current_stage || 'None'), badge(v.status || ''),
        h('span', { class: 'spacer' }),
        h('button', { class: 'btn', testid: 'version-transition', onclick: transition }, 'Change stage'),
        h('button', { class: 'btn danger', testid: 'version-delete', onclick: del }, 'Delete')),
      h('div', { class: 'grid2' },
        h('div', { class: 'panel' },
          h('dl', { class: 'kv', testid: 'version-meta' },
            h('dt', null, 'Registered'), h('dd', null, fmtTime(v.creation_timestamp)),
            h('dt', null, 'Last modified'), h('dd', null, fmtTime(v.last_updated_timestamp)),
            v.user_id ? [h('dt', null, 'Creator'), h('dd', null, v.user_id)] : null,
            h('dt', null, 'Stage'), h('dd', { testid: 'version-stage' }, v.current_stage || 'None'),
            h('dt', null, 'Status'), h('dd', null, v.status || '', v.status_message ? h('span', { class: 'hint' }, ` — ${v.status_message}`) : null),
            h('dt', null, 'Source run'), h('dd', null, v.run_id ? h('a', { href: `#/runs/${v.run_id}`, class: 'mono', testid: 'version-run-link' }, v.run_id) : h('span', { class: 'hint' }, '—')),
            h('dt', null, 'Logged model'), lm,
            h('dt', null, 'Source'), h('dd', { class: 'mono' }, v.source || ''),
            v.run_link ? [h('dt', null, 'Run link'), h('dd', null, v.run_link)] : null),
          h('div', { style: { display: 'flex', alignItems: 'center', marginTop: '12px' } }, h('h3', { style: { margin: 0, flex: 1 } }, 'Description'), h('button', { class: 'btn small', testid: 'version-edit-description', onclick: editDesc }, 'Edit')),
          h('div', { class: 'desc', testid: 'version-description', style: { marginTop: '6px' } }, v.description || h('span', { class: 'hint' }, 'No description.'))),
        h('div', { class: 'panel' },
          h('div', { style: { display: 'flex', alignItems: 'center' } }, h('h3', { style: { margin: 0, flex: 1 } }, 'Aliases'), h('button', { class: 'btn small', testid: 'version-add-alias', onclick: addAlias }, '+ Add alias')),
          h('div', { testid: 'version-aliases', style: { margin: '8px 0' } }, aliases.length ? aliases.map((a) => h('span', { class: 'chip', testid: 'alias-chip' }, `@${a}`,
            h('button', { title: 'Remove alias', 'aria-label': `Remove alias ${a}`, testid: 'alias-remove', onclick: () => act(() => registry.deleteAlias(name, a), 'Alias removed') }, '×'))) : h('span', { class: 'hint' }, 'No aliases.')),
          h('h3', null, 'Tags'),
          tagEditor({ tags: v.tags, testid: 'version-tags', systemPrefix: '', onSet: (k, val) => registry.setVersionTag(name, v.version, k, val), onDelete: (k) => registry.deleteVersionTag(name, v.version, k), onChange: draw }))));
  }
  await draw();
  return undefined;
}
