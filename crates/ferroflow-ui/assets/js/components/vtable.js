// Virtualized table: fixed row height, only the rows in view (plus overscan) exist in the DOM,
// so 100k rows scroll like 100. Rows are absolutely positioned inside a body whose height is
// rows × rowHeight; the header is sticky inside the same scroll box so columns stay aligned
// under horizontal scroll. Data loading is the caller's: `onNeedMore` fires near the end.
import { h } from '../dom.js';

/**
 * @typedef {{id: string, title: string, group?: string, width: number, className?: string,
 *   render: (row: any) => any, sortKey?: string, headerTitle?: string}} Column
 * @typedef {{columns: Column[], rowHeight?: number, rowKey: (row: any) => string,
 *   rowClass?: (row: any) => string, onOpen?: (row: any) => void, onNeedMore?: () => void,
 *   onSort?: (col: Column) => void, sort?: {key: string, asc: boolean}|null,
 *   selectable?: boolean, onSelectionChange?: (sel: Set<string>) => void,
 *   emptyText?: string, testid?: string}} Options
 */
export class VTable {
  /** @param {Options} opts */
  constructor(opts) {
    this.opts = opts;
    this.rowHeight = opts.rowHeight || 32;
    this.rows = [];
    this.columns = opts.columns;
    this.sort = opts.sort || null;
    /** @type {Set<string>} */
    this.selected = new Set();
    this.focus = -1;
    this.anchor = -1;
    this.rendered = new Map();
    this.emptyText = opts.emptyText || 'Nothing to show.';
    this.head = h('div', { class: 'vt-head', role: 'row', testid: 'vt-head' });
    this.body = h('div', { class: 'vt-body', role: 'rowgroup' });
    this.empty = h('div', { class: 'vt-empty', testid: 'vt-empty' });
    this.el = h('div', { class: 'vt', tabindex: 0, role: 'grid', testid: opts.testid || 'vtable' }, this.head, this.body, this.empty);
    let raf = 0;
    this.el.addEventListener('scroll', () => {
      if (!raf) raf = requestAnimationFrame(() => { raf = 0; this.paint(); });
    }, { passive: true });
    this.el.addEventListener('keydown', (e) => this.onKey(e));
    this.resizeObs = new ResizeObserver(() => this.paint());
    this.resizeObs.observe(this.el);
    this.renderHead();
  }

  destroy() { this.resizeObs.disconnect(); }

  get template() {
    const cols = this.columns.map((c) => `${c.width}px`);
    if (this.opts.selectable) cols.unshift('36px');
    return cols.join(' ');
  }

  setColumns(columns) {
    this.columns = columns;
    this.renderHead();
    this.repaint();
  }

  setSort(sort) { this.sort = sort; this.renderHead(); }

  /** Replace the rows (keeps selection of keys that still exist and the scroll position). */
  setRows(rows) {
    this.rows = rows;
    if (this.focus >= rows.length) this.focus = rows.length - 1;
    this.updateSelectAll();
    this.repaint();
  }

  setEmptyText(t) { this.emptyText = t; this.repaint(); }

  renderHead() {
    const cells = [];
    if (this.opts.selectable) {
      this.selectAll = h('input', { type: 'checkbox', 'aria-label': 'Select all', testid: 'select-all', onclick: (e) => {
        e.stopPropagation();
        if (this.selected.size) this.selected.clear();
        else for (const r of this.rows) this.selected.add(this.opts.rowKey(r));
        this.selectionChanged();
      } });
      cells.push(h('div', null, this.selectAll));
    }
    for (const c of this.columns) {
      const active = this.sort && c.sortKey && this.sort.key === c.sortKey;
      cells.push(h('div', {
        class: c.sortKey ? 'sortable' : '',
        title: c.headerTitle || (c.group ? `${c.group}: ${c.title}` : c.title),
        testid: `col-${c.id}`,
        'aria-sort': active ? (this.sort.asc ? 'ascending' : 'descending') : null,
        onclick: c.sortKey && this.opts.onSort ? () => this.opts.onSort(c) : null,
      }, c.group ? h('span', { class: 'grp' }, c.group) : null, c.title, active ? (this.sort.asc ? ' ▲' : ' ▼') : ''));
    }
    this.head.replaceChildren(...cells);
    this.head.style.gridTemplateColumns = this.template;
    this.updateSelectAll();
  }

  updateSelectAll() {
    if (!this.selectAll) return;
    this.selectAll.checked = this.selected.size > 0 && this.selected.size >= this.rows.length;
    this.selectAll.indeterminate = this.selected.size > 0 && this.selected.size < this.rows.length;
  }

  selectionChanged() {
    this.updateSelectAll();
    for (const [i, el] of this.rendered) {
      const row = this.rows[i];
      const on = row !== undefined && this.selected.has(this.opts.rowKey(row));
      el.classList.toggle('selected', on);
      const cb = el.querySelector('input[type=checkbox]');
      if (cb) cb.checked = on;
    }
    if (this.opts.onSelectionChange) this.opts.onSelectionChange(this.selected);
  }

  /** Drop every rendered row (data or columns changed) and draw again. */
  repaint() {
    for (const el of this.rendered.values()) el.remove();
    this.rendered.clear();
    this.paint();
  }

  paint() {
    const rh = this.rowHeight;
    const n = this.rows.length;
    this.body.style.height = `${n * rh}px`;
    this.body.style.width = this.head.scrollWidth ? `${this.head.scrollWidth}px` : '';
    this.empty.textContent = n ? '' : this.emptyText;
    const top = this.el.scrollTop;
    const view = this.el.clientHeight || 600;
    const first = Math.max(0, Math.floor(top / rh) - 10);
    const last = Math.min(n, Math.ceil((top + view) / rh) + 10);
    for (const [i, el] of this.rendered) {
      if (i < first || i >= last) { el.remove(); this.rendered.delete(i); }
    }
    const tpl = this.template;
    const frag = document.createDocumentFragment();
    for (let i = first; i < last; i++) {
      if (this.rendered.has(i)) continue;
      const el = this.renderRow(i, tpl);
      this.rendered.set(i, el);
      frag.append(el);
    }
    this.body.append(frag);
    if (this.opts.onNeedMore && n && last >= n - 40) this.opts.onNeedMore();
  }

  renderRow(i, tpl) {
    const row = this.rows[i];
    const key = this.opts.rowKey(row);
    const sel = this.selected.has(key);
    const cls = ['vt-row', sel ? 'selected' : '', i === this.focus ? 'focused' : '', this.opts.rowClass ? this.opts.rowClass(row) : ''].join(' ');
    const cells = [];
    if (this.opts.selectable) {
      cells.push(h('div', null, h('input', { type: 'checkbox', checked: sel, 'aria-label': 'Select row', testid: 'row-select', onclick: (e) => {
        e.stopPropagation();
        this.toggle(i, e.shiftKey);
      } })));
    }
    for (const c of this.columns) {
      let v;
      try { v = c.render(row); } catch { v = ''; }
      const cell = h('div', { class: c.className || '' });
      if (v instanceof Node) cell.append(v);
      else if (v !== null && v !== undefined) { cell.textContent = String(v); cell.title = String(v); }
      cells.push(cell);
    }
    const el = h('div', { class: cls, role: 'row', testid: 'vt-row', dataset: { key, index: String(i) } }, cells);
    el.style.gridTemplateColumns = tpl;
    el.style.height = `${this.rowHeight}px`;
    el.style.top = `${i * this.rowHeight}px`;
    el.addEventListener('click', () => this.setFocus(i, false));
    el.addEventListener('dblclick', () => this.opts.onOpen && this.opts.onOpen(row));
    return el;
  }

  toggle(i, range) {
    const row = this.rows[i];
    if (row === undefined) return;
    const key = this.opts.rowKey(row);
    const on = !this.selected.has(key);
    if (range && this.anchor >= 0) {
      const [a, b] = this.anchor < i ? [this.anchor, i] : [i, this.anchor];
      for (let k = a; k <= b; k++) {
        const kk = this.opts.rowKey(this.rows[k]);
        if (on) this.selected.add(kk); else this.selected.delete(kk);
      }
    } else if (on) this.selected.add(key);
    else this.selected.delete(key);
    this.anchor = i;
    this.selectionChanged();
  }

  setFocus(i, scroll = true) {
    const prev = this.rendered.get(this.focus);
    if (prev) prev.classList.remove('focused');
    this.focus = Math.max(0, Math.min(this.rows.length - 1, i));
    const cur = this.rendered.get(this.focus);
    if (cur) cur.classList.add('focused');
    if (scroll) {
      const rh = this.rowHeight;
      const head = this.head.offsetHeight;
      const y = this.focus * rh;
      if (y < this.el.scrollTop) this.el.scrollTop = y;
      else if (y + rh + head > this.el.scrollTop + this.el.clientHeight) this.el.scrollTop = y + rh + head - this.el.clientHeight;
      this.paint();
      const again = this.rendered.get(this.focus);
      if (again) again.classList.add('focused');
    }
  }

  onKey(e) {
    if (e.target !== this.el) return;
    const n = this.rows.length;
    if (!n) return;
    const page = Math.max(1, Math.floor(this.el.clientHeight / this.rowHeight) - 1);
    let handled = true;
    if ((this.focus < 0 || !this.rendered.has(this.focus)) && ['j', 'k', 'ArrowDown', 'ArrowUp', 'x', ' ', 'Enter'].includes(e.key)) {
      // First key press after scrolling: start from the top visible row, not from row 0.
      e.preventDefault();
      this.setFocus(Math.min(n - 1, Math.ceil(this.el.scrollTop / this.rowHeight)));
      return;
    }
    switch (e.key) {
      case 'j': case 'ArrowDown': this.setFocus(this.focus + 1); break;
      case 'k': case 'ArrowUp': this.setFocus(this.focus - 1); break;
      case 'PageDown': this.setFocus(this.focus + page); break;
      case 'PageUp': this.setFocus(this.focus - page); break;
      case 'Home': this.setFocus(0); break;
      case 'End': this.setFocus(n - 1); break;
      case 'x': case ' ': if (this.opts.selectable && this.focus >= 0) this.toggle(this.focus, e.shiftKey); break;
      case 'Enter': if (this.focus >= 0 && this.opts.onOpen) this.opts.onOpen(this.rows[this.focus]); break;
      default: handled = false;
    }
    if (handled) e.preventDefault();
  }
}
