// DOM helpers, formatting and small dialogs shared by every page. No framework: `h()` builds
// real nodes, so text is never parsed as HTML (artifact and tag values are untrusted).

/**
 * Build an element. Props: `class`, `style` (object), `dataset`, `on<event>` handlers,
 * `testid` (→ data-testid), boolean attributes, anything else → setAttribute.
 * @param {string} tag @param {Record<string, any>|null} [props] @param {...any} children
 * @returns {HTMLElement}
 */
export function h(tag, props, ...children) {
  const el = document.createElement(tag);
  if (props) {
    for (const [k, v] of Object.entries(props)) {
      if (v === undefined || v === null || v === false) continue;
      if (k === 'class') el.className = v;
      else if (k === 'style' && typeof v === 'object') Object.assign(el.style, v);
      else if (k === 'testid') el.setAttribute('data-testid', v);
      else if (k === 'dataset') Object.assign(el.dataset, v);
      else if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2).toLowerCase(), v);
      else if (k === 'value' || k === 'checked' || k === 'selected' || k === 'indeterminate') el[k] = v;
      else el.setAttribute(k, v === true ? '' : String(v));
    }
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : String(c));
  }
}

/** Replace all children of `el`. */
export function mount(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

const pad = (n) => String(n).padStart(2, '0');

/** Local date-time `YYYY-MM-DD HH:MM:SS`; empty for missing/zero timestamps. */
export function fmtTime(ms) {
  const n = Number(ms);
  if (!n) return '';
  const d = new Date(n);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** "5 min ago" style; the absolute time goes in the title attribute. */
export function relTime(ms) {
  const n = Number(ms);
  if (!n) return '';
  const s = Math.round((Date.now() - n) / 1000);
  if (s < 0) return fmtTime(n);
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ago`;
  if (s < 86400 * 30) return `${Math.floor(s / 86400)} d ago`;
  return fmtTime(n).slice(0, 10);
}

/** Human duration: `850ms`, `12.3s`, `4m 05s`, `2h 03m`, `3d 4h`. */
export function fmtDuration(ms) {
  if (ms === null || ms === undefined || Number.isNaN(ms) || ms < 0) return '';
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${pad(Math.floor(s % 60))}s`;
  const hr = Math.floor(m / 60);
  if (hr < 48) return `${hr}h ${pad(m % 60)}m`;
  return `${Math.floor(hr / 24)}d ${hr % 24}h`;
}

/** Run duration; running runs count up to now. */
export function runDuration(info) {
  const start = Number(info.start_time);
  if (!start) return null;
  const end = Number(info.end_time) || (info.status === 'RUNNING' ? Date.now() : 0);
  return end ? end - start : null;
}

/** Metric values: keep integers exact, show up to 6 significant digits otherwise. */
export function fmtNum(v) {
  if (v === null || v === undefined || v === '') return '';
  if (typeof v === 'string') return v; // "NaN", "Infinity" as sent by the server
  if (!Number.isFinite(v)) return String(v);
  if (Number.isInteger(v) && Math.abs(v) < 1e15) return String(v);
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-4 || a >= 1e9)) return v.toExponential(4);
  return String(Number(v.toPrecision(6)));
}

export function fmtBytes(n) {
  if (n === undefined || n === null || n === '') return '';
  n = Number(n);
  if (n < 1024) return `${n} B`;
  const u = ['KB', 'MB', 'GB', 'TB'];
  let i = -1;
  do { n /= 1024; i++; } while (n >= 1024 && i < u.length - 1);
  return `${n.toFixed(n < 10 ? 1 : 0)} ${u[i]}`;
}

export function badge(text, extraClass = '') {
  return h('span', { class: `badge ${text} ${extraClass}`.trim(), testid: 'badge' }, text);
}

/** Time cell with relative text and absolute tooltip. */
export function timeEl(ms) {
  return h('span', { title: fmtTime(ms) }, relTime(ms));
}

/** Tags as an array of {key, value}; tolerant of absent arrays in MLflow JSON. */
export function tagMap(tags) {
  const m = new Map();
  for (const t of tags || []) m.set(t.key, t.value);
  return m;
}

/** Quote an identifier for the MLflow filter language when it is not a plain word. */
export function quoteKey(key) {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(key) ? key : '`' + key.replace(/`/g, '') + '`';
}

/** Quote a string literal for the MLflow filter language. */
export function quoteStr(s) {
  return `'${String(s).replace(/'/g, "\\'")}'`;
}

export function toast(message, kind = 'info', ms = 5000) {
  const box = document.getElementById('toasts');
  const t = h('div', { class: `toast ${kind}`, role: kind === 'error' ? 'alert' : 'status', testid: `toast-${kind}` }, message);
  box.append(t);
  setTimeout(() => t.remove(), ms);
}

/** Error panel showing MLflow's error_code and message. */
export function errorBox(err) {
  return h('div', { class: 'error-box', testid: 'error-box' },
    err && err.code ? [h('code', null, err.code), ': '] : null,
    (err && err.message) || String(err));
}

/**
 * Modal form dialog. Resolves to the field values, or null when cancelled.
 * `submit(values)` may throw (e.g. an ApiError): the message is shown and the dialog stays open.
 * @param {{title: string, fields?: Array<{name: string, label: string, value?: string,
 *   placeholder?: string, multiline?: boolean, required?: boolean, type?: string,
 *   options?: string[]}>, message?: any, submitLabel?: string, danger?: boolean,
 *   submit?: (v: Record<string,string>) => Promise<any>, testid?: string}} opts
 */
export function dialog(opts) {
  return new Promise((resolve) => {
    const inputs = {};
    const err = h('div', { class: 'err', testid: 'dialog-error' });
    const fields = (opts.fields || []).map((f) => {
      let input;
      if (f.options) {
        input = h('select', { name: f.name, testid: `dialog-field-${f.name}` },
          f.options.map((o) => h('option', { value: o, selected: o === f.value }, o)));
      } else if (f.multiline) {
        input = h('textarea', { name: f.name, rows: 6, placeholder: f.placeholder || '', testid: `dialog-field-${f.name}` });
        input.value = f.value || '';
      } else if (f.type === 'checkbox') {
        input = h('input', { type: 'checkbox', name: f.name, checked: !!f.value, testid: `dialog-field-${f.name}` });
        inputs[f.name] = input;
        return h('label', { class: 'check field', style: { flexDirection: 'row' } }, input, f.label);
      } else {
        input = h('input', { type: 'text', name: f.name, value: f.value || '', placeholder: f.placeholder || '', testid: `dialog-field-${f.name}` });
      }
      inputs[f.name] = input;
      return h('label', { class: 'field' }, h('span', null, f.label), input);
    });
    const submitBtn = h('button', { type: 'submit', class: opts.danger ? 'btn primary danger' : 'btn primary', testid: 'dialog-submit' }, opts.submitLabel || 'Save');
    const cancelBtn = h('button', { type: 'button', class: 'btn', testid: 'dialog-cancel', onclick: () => { dlg.close(); } }, 'Cancel');
    const form = h('form', { method: 'dialog' },
      h('h3', null, opts.title),
      opts.message ? h('p', null, opts.message) : null,
      fields, err,
      h('div', { class: 'actions' }, cancelBtn, submitBtn));
    const dlg = h('dialog', { testid: opts.testid || 'dialog' }, form);
    let result = null;
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      const values = {};
      for (const [k, el] of Object.entries(inputs)) values[k] = el.type === 'checkbox' ? el.checked : el.value;
      for (const f of opts.fields || []) {
        if (f.required && !String(values[f.name]).trim()) { err.textContent = `${f.label} is required.`; return; }
      }
      submitBtn.disabled = true;
      try {
        result = opts.submit ? await opts.submit(values) ?? values : values;
        dlg.close();
      } catch (ex) {
        err.textContent = ex && ex.code ? `${ex.code}: ${ex.message}` : String(ex && ex.message || ex);
      } finally {
        submitBtn.disabled = false;
      }
    });
    dlg.addEventListener('close', () => { dlg.remove(); resolve(result); });
    document.body.append(dlg);
    dlg.showModal();
    const first = Object.values(inputs)[0];
    if (first) { first.focus(); if (first.select) first.select(); } else submitBtn.focus();
  });
}

export function confirmDialog(title, message, submitLabel = 'Delete', submit) {
  return dialog({ title, message, submitLabel, danger: true, submit, testid: 'confirm-dialog' }).then((v) => v !== null);
}

/** Run async tasks with bounded concurrency; resolves to settled results in order. */
export async function pool(items, limit, fn) {
  const out = new Array(items.length);
  let i = 0;
  async function worker() {
    while (i < items.length) {
      const k = i++;
      try { out[k] = { ok: true, value: await fn(items[k], k) }; } catch (e) { out[k] = { ok: false, error: e }; }
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/** Debounce for search-as-you-type inputs. */
export function debounce(fn, ms) {
  let t;
  return (...a) => { clearTimeout(t); t = setTimeout(() => fn(...a), ms); };
}
