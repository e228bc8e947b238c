// Entry point: routes, theme toggle, global keyboard shortcuts.
import { route, start } from './router.js';
import { h, dialog } from './dom.js';

route('/experiments', () => import('./pages/experiments.js'));
route('/experiments/:ids', () => import('./pages/runs.js'));
route('/runs/:runId', () => import('./pages/run.js'));
// The official client prints run links in this shape ("View run … at: …/#/experiments/1/runs/<id>").
route('/experiments/:expId/runs/:runId', () => import('./pages/run.js'));
route('/compare', () => import('./pages/compare.js'));
route('/models', () => import('./pages/models.js'));
route('/models/:name', () => import('./pages/model.js'));
route('/models/:name/versions/:version', () => import('./pages/version.js'));

const root = document.getElementById('app');

function setTheme(t) {
  document.documentElement.setAttribute('data-theme', t);
  try { localStorage.setItem('ferroflow.theme', t); } catch { /* storage disabled */ }
  // Canvas charts cannot inherit CSS; they listen for this to redraw with the new colours.
  window.dispatchEvent(new CustomEvent('ferroflow:theme', { detail: t }));
}
function toggleTheme() {
  setTheme(document.documentElement.getAttribute('data-theme') === 'dark' ? 'light' : 'dark');
}
document.getElementById('theme-btn').addEventListener('click', toggleTheme);

const SHORTCUTS = [
  ['/', 'Focus the search box'],
  ['g e', 'Go to experiments'],
  ['g m', 'Go to models'],
  ['j / k', 'Next / previous row in a runs table'],
  ['x', 'Select the focused row'],
  ['Enter', 'Open the focused row'],
  ['t', 'Toggle dark / light theme'],
  ['?', 'This help'],
  ['Esc', 'Close a dialog or menu'],
];
function showHelp() {
  dialog({
    title: 'Keyboard shortcuts',
    testid: 'help-dialog',
    submitLabel: 'Close',
    message: h('table', { class: 'simple' }, SHORTCUTS.map(([k, d]) => h('tr', null, h('td', null, k.split(' ').map((x) => [h('span', { class: 'kbd' }, x), ' '])), h('td', null, d)))),
  });
}
document.getElementById('help-btn').addEventListener('click', showHelp);

let pendingG = 0;
document.addEventListener('keydown', (e) => {
  if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey) return;
  const t = /** @type {HTMLElement} */ (e.target);
  if (t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName))) return;
  if (document.querySelector('dialog[open]')) return;
  if (e.key === '/') {
    const s = root.querySelector('[data-search]');
    if (s) { e.preventDefault(); s.focus(); s.select && s.select(); }
  } else if (e.key === 't') toggleTheme();
  else if (e.key === '?') showHelp();
  else if (e.key === 'g') pendingG = Date.now();
  else if (pendingG && Date.now() - pendingG < 1000 && (e.key === 'e' || e.key === 'm')) {
    location.hash = e.key === 'e' ? '#/experiments' : '#/models';
    pendingG = 0;
  }
});

start(root, (path) => {
  const section = path.startsWith('/models') ? 'models' : 'experiments';
  for (const a of document.querySelectorAll('[data-nav]')) a.classList.toggle('active', a.getAttribute('data-nav') === section);
});
