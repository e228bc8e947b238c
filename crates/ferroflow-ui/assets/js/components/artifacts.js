// Artifact browser over the artifact proxy (reference §8.2): a lazily expanded tree on the
// left, a preview on the right. Previews are chosen by extension; HTML renders in a fully
// sandboxed frame (no scripts, no same-origin), everything else is built from text nodes.
import { artifacts as artApi } from '../api.js';
import { h, mount, fmtBytes, errorBox } from '../dom.js';

const PREVIEW_LIMIT = 2 * 1024 * 1024;
const CSV_ROWS = 500;
const IMAGE = /\.(png|jpe?g|gif|svg|webp|bmp|ico)$/i;
const HTML = /\.html?$/i;
const JSON_RE = /\.(json|jsonl|ipynb)$/i;
const YAML = /(\.ya?ml$|(^|\/)MLmodel$|(^|\/)MLproject$)/i;
const CSV = /\.(csv|tsv)$/i;
const TEXT = /\.(txt|log|md|py|sh|cfg|ini|toml|conf|out|err|r|sql|js|ts|java|scala|go|rs|c|h|cpp|xml|properties|requirements|lock|gitignore)$|(^|\/)(requirements\.txt|conda\.yaml|python_env\.yaml|LICENSE|README|Dockerfile|Makefile)$/i;

/**
 * @param {{root: string, title?: string, initialPath?: string, onSelect?: (p: string) => void}} o
 *   root: proxy-relative prefix such as `1/<run_id>/artifacts`.
 */
export function artifactBrowser(o) {
  const tree = h('div', { class: 'tree', testid: 'artifact-tree', role: 'tree' });
  const preview = h('div', { class: 'preview', testid: 'artifact-preview' }, h('div', { class: 'hint' }, 'Select a file to preview it.'));
  const el = h('div', { class: 'artifacts', testid: 'artifact-browser' }, tree, preview);
  let active = null;
  let abort = null;

  /** Open the folders on the way to a deep link's file, then select it. */
  async function expandTo(path) {
    const parts = path.split('/');
    let scope = tree;
    for (let k = 1; k <= parts.length; k++) {
      const sub = parts.slice(0, k).join('/');
      const row = scope.querySelector(`:scope > div > .node[data-path="${CSS.escape(sub)}"]`);
      if (!row) { if (k === parts.length) select(path, null); return; }
      if (k === parts.length || row.dataset.testid === 'artifact-file') { row.click(); return; }
      const kids = row.nextElementSibling;
      if (kids.hidden) row.click();
      await kids.loading;
      scope = kids;
    }
  }

  async function listInto(container, rel, depth) {
    container.replaceChildren(h('div', { class: 'hint' }, 'Loading…'));
    let files;
    try {
      files = await artApi.list(rel ? `${o.root}/${rel}` : o.root);
    } catch (e) {
      mount(container, errorBox(e));
      return;
    }
    files = files.map((f) => ({ ...f, name: f.path.split('/').pop() }))
      .sort((a, b) => Number(b.is_dir) - Number(a.is_dir) || a.name.localeCompare(b.name));
    if (!files.length) { mount(container, h('div', { class: 'hint', testid: 'artifacts-empty' }, depth ? 'Empty folder' : 'No artifacts recorded.')); return; }
    mount(container, files.map((f) => node(f, rel ? `${rel}/${f.name}` : f.name, depth)));
    if (!depth && !active) {
      const first = files.find((f) => !f.is_dir && /MLmodel$|\.(png|txt|json|log|ya?ml)$/i.test(f.name)) || files.find((f) => !f.is_dir);
      const dirOnly = files.length === 1 && files[0].is_dir ? container.querySelector('.node') : null;
      if (o.initialPath) expandTo(o.initialPath);
      else if (first) container.querySelector(`[data-path="${CSS.escape(first.name)}"]`)?.click();
      else if (dirOnly) dirOnly.click();
    }
  }

  function node(f, rel, depth) {
    const kids = h('div', { class: 'children', hidden: true, role: 'group' });
    const caret = h('span', { style: { width: '12px', display: 'inline-block' } }, f.is_dir ? '▸' : '');
    const row = h('div', {
      class: 'node', tabindex: 0, role: 'treeitem', testid: f.is_dir ? 'artifact-dir' : 'artifact-file', dataset: { path: rel },
      'aria-expanded': f.is_dir ? 'false' : null,
      onclick: () => {
        if (f.is_dir) {
          const open = kids.hidden;
          kids.hidden = !open;
          caret.textContent = open ? '▾' : '▸';
          row.setAttribute('aria-expanded', String(open));
          if (open && !kids.dataset.loaded) { kids.dataset.loaded = '1'; kids.loading = listInto(kids, rel, depth + 1); }
        } else select(rel, row, f.file_size);
      },
      onkeydown: (e) => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); row.click(); } },
    }, caret, f.is_dir ? h('b', null, `${f.name}/`) : f.name, f.is_dir ? null : h('span', { class: 'size' }, fmtBytes(f.file_size)));
    return h('div', null, row, kids);
  }

  async function select(rel, row, size) {
    if (active) active.classList.remove('active');
    active = row;
    if (row) row.classList.add('active');
    if (o.onSelect) o.onSelect(rel);
    if (abort) abort.abort();
    abort = new AbortController();
    const full = `${o.root}/${rel}`;
    const head = h('div', { class: 'preview-head' },
      h('span', { class: 'path', testid: 'preview-path' }, rel),
      size !== undefined ? h('span', { class: 'hint' }, fmtBytes(size)) : null,
      h('span', { class: 'spacer' }),
      h('a', { class: 'btn small', href: artApi.url(full), download: rel.split('/').pop(), testid: 'artifact-download' }, '⬇ Download'));
    const body = h('div', { testid: 'preview-body' }, h('div', { class: 'hint' }, 'Loading…'));
    mount(preview, head, body);
    try {
      mount(body, await renderPreview(full, rel, size, abort.signal));
    } catch (e) {
      if (e.name !== 'AbortError') mount(body, errorBox(e));
    }
  }

  listInto(tree, '', 0);
  return el;
}

async function renderPreview(full, rel, size, signal) {
  const name = rel.split('/').pop();
  if (IMAGE.test(name)) {
    const blob = await (await artApi.fetch(full, { signal })).blob();
    const url = URL.createObjectURL(blob.type ? blob : new Blob([blob], { type: 'image/png' }));
    const img = h('img', { src: url, alt: name, testid: 'preview-image' });
    img.addEventListener('load', () => URL.revokeObjectURL(url), { once: true });
    return img;
  }
  const known = HTML.test(name) || JSON_RE.test(name) || YAML.test(name) || CSV.test(name) || TEXT.test(name);
  if (size !== undefined && Number(size) > PREVIEW_LIMIT) return h('div', { class: 'hint' }, `Too large to preview (${fmtBytes(size)}). Use Download.`);
  const res = await artApi.fetch(full, { signal });
  const buf = await res.arrayBuffer();
  if (!known && looksBinary(new Uint8Array(buf, 0, Math.min(buf.byteLength, 4096)))) {
    return h('div', { class: 'hint', testid: 'preview-binary' }, 'Binary file: no preview. Use Download.');
  }
  const text = new TextDecoder().decode(buf);
  if (HTML.test(name)) {
    // sandbox="" : no scripts, no forms, unique origin; srcdoc keeps it off the artifact URL.
    return h('iframe', { sandbox: '', srcdoc: text, title: name, testid: 'preview-html', referrerpolicy: 'no-referrer' });
  }
  if (JSON_RE.test(name)) {
    if (/\.jsonl$/i.test(name)) return h('pre', { testid: 'preview-json' }, text);
    try { return h('pre', { testid: 'preview-json' }, JSON.stringify(JSON.parse(text), null, 2)); } catch { return h('pre', { testid: 'preview-text' }, text); }
  }
  if (YAML.test(name)) return yamlView(text);
  if (CSV.test(name)) return csvTable(text, /\.tsv$/i.test(name) ? '\t' : ',');
  return h('pre', { testid: 'preview-text' }, text);
}

function looksBinary(bytes) {
  let odd = 0;
  for (const b of bytes) {
    if (b === 0) return true;
    if (b < 9 || (b > 13 && b < 32)) odd++;
  }
  return bytes.length > 0 && odd / bytes.length > 0.1;
}

/** YAML with keys tinted; built from text nodes only. */
function yamlView(text) {
  const pre = h('pre', { testid: 'preview-yaml' });
  for (const line of text.split('\n')) {
    const m = /^(\s*-?\s*)([^:#\s][^:#]*?):(\s|$)(.*)$/.exec(line);
    if (m) pre.append(m[1], h('span', { class: 'yaml-key' }, m[2]), ':', m[3], m[4], '\n');
    else pre.append(line, '\n');
  }
  return pre;
}

/** RFC 4180 CSV: quoted fields, doubled quotes, newlines inside quotes. */
export function parseCsv(text, sep = ',', maxRows = Infinity) {
  const rows = [];
  let row = [];
  let field = '';
  let q = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (q) {
      if (c === '"') { if (text[i + 1] === '"') { field += '"'; i++; } else q = false; } else field += c;
    } else if (c === '"' && field === '') q = true;
    else if (c === sep) { row.push(field); field = ''; }
    else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field); field = '';
      rows.push(row); row = [];
      if (rows.length >= maxRows) return rows;
    } else field += c;
  }
  if (field !== '' || row.length) { row.push(field); rows.push(row); }
  return rows;
}

function csvTable(text, sep) {
  const rows = parseCsv(text, sep, CSV_ROWS + 1);
  if (!rows.length) return h('div', { class: 'hint' }, 'Empty file.');
  const [head, ...body] = rows;
  return h('div', { testid: 'preview-csv' },
    h('table', { class: 'simple' },
      h('thead', null, h('tr', null, head.map((c) => h('th', null, c)))),
      h('tbody', null, body.slice(0, CSV_ROWS).map((r) => h('tr', null, r.map((c) => h('td', null, c)))))),
    body.length > CSV_ROWS ? h('div', { class: 'hint' }, `Showing the first ${CSV_ROWS} rows.`) : null);
}
