// Editable key/value tag list used by experiments, runs, registered models and versions.
import { h, dialog, confirmDialog, toast } from '../dom.js';

/**
 * @param {{tags: Array<{key: string, value: string}>, onSet: (k: string, v: string) => Promise<any>,
 *   onDelete: (k: string) => Promise<any>, onChange?: () => void, systemPrefix?: string,
 *   testid?: string}} o
 */
export function tagEditor(o) {
  const prefix = o.systemPrefix === undefined ? 'mlflow.' : o.systemPrefix;
  const tags = [...(o.tags || [])].sort((a, b) => a.key.localeCompare(b.key));
  const user = tags.filter((t) => !prefix || !t.key.startsWith(prefix));
  const system = tags.filter((t) => prefix && t.key.startsWith(prefix));
  const changed = () => o.onChange && o.onChange();

  const edit = async (t) => {
    const r = await dialog({
      title: t ? `Edit tag ${t.key}` : 'Add tag',
      testid: 'tag-dialog',
      fields: [
        { name: 'key', label: 'Key', value: t ? t.key : '', required: true },
        { name: 'value', label: 'Value', value: t ? t.value : '', multiline: true },
      ],
      submit: async (v) => {
        await o.onSet(v.key.trim(), v.value);
        if (t && v.key.trim() !== t.key) await o.onDelete(t.key);
      },
    });
    if (r) { toast('Tag saved', 'ok', 2000); changed(); }
  };
  const del = async (t) => {
    if (await confirmDialog('Delete tag', `Delete tag "${t.key}"?`, 'Delete', () => o.onDelete(t.key))) changed();
  };
  const rows = (list, editable) => list.map((t) => h('tr', { testid: 'tag-row', dataset: { key: t.key } },
    h('td', { class: 'mono wrap-any' }, t.key),
    h('td', { class: 'wrap-any', style: { whiteSpace: 'pre-wrap' } }, t.value),
    h('td', { style: { width: '110px' } }, editable ? h('span', { class: 'row-actions' },
      h('button', { class: 'linkbtn', testid: 'tag-edit', onclick: () => edit(t) }, 'Edit'),
      h('button', { class: 'linkbtn danger', testid: 'tag-delete', onclick: () => del(t) }, 'Delete')) : null)));

  return h('div', { testid: o.testid || 'tag-editor' },
    h('div', { class: 'toolbar' }, h('button', { class: 'btn small', testid: 'tag-add', onclick: () => edit(null) }, '+ Add tag')),
    user.length
      ? h('table', { class: 'simple' }, h('thead', null, h('tr', null, h('th', null, 'Key'), h('th', null, 'Value'), h('th', null, ''))), h('tbody', null, rows(user, true)))
      : h('div', { class: 'hint' }, 'No tags.'),
    system.length ? h('details', { style: { marginTop: '12px' } },
      h('summary', { class: 'muted' }, `System tags (${system.length})`),
      h('table', { class: 'simple' }, h('tbody', null, rows(system, true)))) : null);
}

/** Compact read-only chips for table cells. */
export function tagChips(tags, max = 4) {
  const list = (tags || []).filter((t) => !t.key.startsWith('mlflow.'));
  const shown = list.slice(0, max);
  return h('span', null, shown.map((t) => h('span', { class: 'chip', title: `${t.key}: ${t.value}` }, h('b', null, t.key), t.value ? `: ${t.value}` : '')),
    list.length > max ? h('span', { class: 'muted' }, ` +${list.length - max}`) : null);
}
