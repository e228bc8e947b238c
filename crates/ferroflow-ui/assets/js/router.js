// Hash router: `#/path/with/:params?query`. Hash routing keeps the server trivial (it only
// serves `/`), and the query part holds page state so every view is a shareable link.
//
// Page modules export `render(root, ctx)`; it may return a cleanup function, called when the
// route changes (stop polling, abort fetches, drop key handlers).

/** @typedef {{params: Record<string,string>, query: URLSearchParams, path: string}} RouteCtx */

const routes = [];
let cleanup = null;
let currentPath = null;
let renderSeq = 0;

/** @param {string} pattern e.g. `/runs/:id` @param {() => Promise<any>} load module loader */
export function route(pattern, load) {
  const keys = [];
  const re = new RegExp('^' + pattern.replace(/:(\w+)/g, (_, k) => { keys.push(k); return '([^/]+)'; }) + '/?$');
  routes.push({ re, keys, load });
}

export function parseHash() {
  const raw = location.hash.replace(/^#/, '') || '/';
  const i = raw.indexOf('?');
  return { path: i < 0 ? raw : raw.slice(0, i), query: new URLSearchParams(i < 0 ? '' : raw.slice(i + 1)) };
}

/** Build a hash link. `query` values that are empty are dropped so links stay short. */
export function link(path, query) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query || {})) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return `#${path}${s ? `?${s}` : ''}`;
}

export function navigate(path, query) {
  location.hash = link(path, query).slice(1);
}

/**
 * Update the current URL's query without re-rendering (replaceState fires no hashchange).
 * Keys with empty values are removed.
 */
export function setQuery(updates) {
  const { path, query } = parseHash();
  for (const [k, v] of Object.entries(updates)) {
    if (v === undefined || v === null || v === '' || v === false) query.delete(k);
    else query.set(k, String(v));
  }
  const s = query.toString();
  history.replaceState(history.state, '', `#${path}${s ? `?${s}` : ''}`);
}

/** @param {HTMLElement} root @param {(path: string) => void} onRoute */
export function start(root, onRoute) {
  const go = async () => {
    const { path, query } = parseHash();
    if (path === '/' || path === '') { location.replace('#/experiments'); return; }
    const seq = ++renderSeq;
    if (cleanup) { try { cleanup(); } catch (e) { console.error(e); } cleanup = null; }
    onRoute(path);
    for (const r of routes) {
      const m = r.re.exec(path);
      if (!m) continue;
      const params = {};
      r.keys.forEach((k, i) => { params[k] = decodeURIComponent(m[i + 1]); });
      let mod;
      try {
        mod = await r.load();
      } catch (e) {
        root.replaceChildren(notFound(`This page is not available in this build (${e.message}).`));
        return;
      }
      if (seq !== renderSeq) return;
      root.className = '';
      root.replaceChildren();
      if (currentPath !== path) root.scrollTop = 0;
      currentPath = path;
      try {
        const c = await mod.render(root, { params, query, path });
        if (seq !== renderSeq) { if (typeof c === 'function') c(); return; }
        cleanup = typeof c === 'function' ? c : null;
      } catch (e) {
        console.error(e);
        const box = document.createElement('div');
        box.className = 'error-box';
        box.dataset.testid = 'error-box';
        box.textContent = e && e.code ? `${e.code}: ${e.message}` : String(e && e.message || e);
        root.replaceChildren(box);
      }
      return;
    }
    root.replaceChildren(notFound(`No page at ${path}.`));
  };
  window.addEventListener('hashchange', go);
  go();
}

function notFound(msg) {
  const d = document.createElement('div');
  d.className = 'empty';
  d.dataset.testid = 'not-found';
  d.textContent = msg;
  return d;
}
