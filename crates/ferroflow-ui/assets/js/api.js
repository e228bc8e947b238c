// Thin client for the MLflow REST API under /ajax-api (the UI twin of /api). Every failure
// becomes an ApiError carrying MLflow's error_code and message so pages can show them as-is.
// URLs are relative to the page, so the UI also works behind a path prefix.

export class ApiError extends Error {
  /** @param {number} status @param {string} code @param {string} message */
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

const BASE = 'ajax-api/2.0/mlflow/';
export const ARTIFACTS_BASE = 'ajax-api/2.0/mlflow-artifacts/artifacts';

const STATUS_CODES = { 400: 'BAD_REQUEST', 401: 'UNAUTHENTICATED', 403: 'PERMISSION_DENIED', 404: 'ENDPOINT_NOT_FOUND', 429: 'REQUEST_LIMIT_EXCEEDED', 500: 'INTERNAL_ERROR', 501: 'NOT_IMPLEMENTED', 503: 'TEMPORARILY_UNAVAILABLE' };

/** Query string with repeated keys for arrays (MLflow's GET convention). */
export function qs(params) {
  const u = new URLSearchParams();
  for (const [k, v] of Object.entries(params || {})) {
    if (v === undefined || v === null || v === '') continue;
    if (Array.isArray(v)) v.forEach((x) => u.append(k, String(x)));
    else u.append(k, String(v));
  }
  const s = u.toString();
  return s ? `?${s}` : '';
}

async function request(method, path, { params, body, signal } = {}) {
  const url = (path.startsWith('ajax-api/') ? path : BASE + path) + qs(params);
  let res;
  try {
    res = await fetch(url, {
      method,
      signal,
      headers: body !== undefined ? { 'Content-Type': 'application/json' } : undefined,
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
  } catch (e) {
    if (e.name === 'AbortError') throw e;
    throw new ApiError(0, 'NETWORK_ERROR', `Cannot reach the server: ${e.message}`);
  }
  const text = await res.text();
  let json = null;
  if (text) {
    try { json = JSON.parse(text); } catch { /* not JSON */ }
  }
  if (!res.ok) {
    if (json && json.error_code) throw new ApiError(res.status, json.error_code, json.message || '');
    throw new ApiError(res.status, STATUS_CODES[res.status] || `HTTP_${res.status}`, text.slice(0, 500) || res.statusText);
  }
  return json || {};
}

export const api = {
  get: (path, params, opts) => request('GET', path, { ...opts, params }),
  post: (path, body, opts) => request('POST', path, { ...opts, body: body || {} }),
  patch: (path, body, opts) => request('PATCH', path, { ...opts, body: body || {} }),
  del: (path, body, opts) => request('DELETE', path, { ...opts, body: body || {} }),
};

// ---- Tracking ------------------------------------------------------------------------------

export const VIEW_TYPES = ['ACTIVE_ONLY', 'DELETED_ONLY', 'ALL'];

export const experiments = {
  search: (b, o) => api.post('experiments/search', { max_results: 1000, ...b }, o),
  get: (id) => api.get('experiments/get', { experiment_id: id }).then((r) => r.experiment),
  create: (name, artifact_location, tags) => api.post('experiments/create', { name, artifact_location: artifact_location || undefined, tags }),
  rename: (id, new_name) => api.post('experiments/update', { experiment_id: id, new_name }),
  delete: (id) => api.post('experiments/delete', { experiment_id: id }),
  restore: (id) => api.post('experiments/restore', { experiment_id: id }),
  setTag: (id, key, value) => api.post('experiments/set-experiment-tag', { experiment_id: id, key, value }),
  deleteTag: (id, key) => api.post('experiments/delete-experiment-tag', { experiment_id: id, key }),
};

export const runs = {
  search: (b, o) => api.post('runs/search', { max_results: 1000, run_view_type: 'ACTIVE_ONLY', ...b }, o),
  get: (id, o) => api.get('runs/get', { run_id: id }, o).then((r) => r.run),
  delete: (id) => api.post('runs/delete', { run_id: id }),
  restore: (id) => api.post('runs/restore', { run_id: id }),
  setTag: (id, key, value) => api.post('runs/set-tag', { run_id: id, key, value }),
  deleteTag: (id, key) => api.post('runs/delete-tag', { run_id: id, key }),
  /** Sampled history (server picks ≤ max_results points per run): cheap even for huge metrics. */
  historySampled: (runIds, key, max = 500, o) => api.get('metrics/get-history-bulk-interval', { run_ids: runIds, metric_key: key, max_results: max }, o).then((r) => r.metrics || []),
  /** Full history of one metric, following page tokens. */
  async history(runId, key, o) {
    const out = [];
    let page_token;
    do {
      const r = await api.get('metrics/get-history', { run_id: runId, metric_key: key, max_results: 25000, page_token }, o);
      out.push(...(r.metrics || []));
      page_token = r.next_page_token;
    } while (page_token);
    return out;
  },
};

export const loggedModels = {
  get: (id) => api.get(`logged-models/${encodeURIComponent(id)}`).then((r) => r.model),
  search: (b) => api.post('logged-models/search', b),
};

// ---- Model registry (reference §4: several verbs are PATCH/DELETE with JSON bodies) -------

/** The 3.x client hides prompts (registered models tagged as prompts); so does the UI. */
const NOT_PROMPT = "tags.`mlflow.prompt.is_prompt` != 'true'";
const withoutPrompts = (f) => (f && f.trim() ? `${f} AND ${NOT_PROMPT}` : NOT_PROMPT);

export const registry = {
  searchModels: (filter, page_token, order_by) => api.get('registered-models/search', { filter: withoutPrompts(filter), max_results: 100, page_token, order_by }),
  getModel: (name) => api.get('registered-models/get', { name }).then((r) => r.registered_model),
  createModel: (name, description) => api.post('registered-models/create', { name, description: description || undefined }),
  renameModel: (name, new_name) => api.post('registered-models/rename', { name, new_name }),
  updateModel: (name, description) => api.patch('registered-models/update', { name, description }),
  deleteModel: (name) => api.del('registered-models/delete', { name }),
  setModelTag: (name, key, value) => api.post('registered-models/set-tag', { name, key, value }),
  deleteModelTag: (name, key) => api.del('registered-models/delete-tag', { name, key }),
  setAlias: (name, alias, version) => api.post('registered-models/alias', { name, alias, version: String(version) }),
  deleteAlias: (name, alias) => api.del('registered-models/alias', { name, alias }),
  searchVersions: (filter, page_token, order_by = ['version_number DESC']) => api.get('model-versions/search', { filter: withoutPrompts(filter), max_results: 1000, page_token, order_by }),
  getVersion: (name, version) => api.get('model-versions/get', { name, version }).then((r) => r.model_version),
  updateVersion: (name, version, description) => api.patch('model-versions/update', { name, version, description }),
  deleteVersion: (name, version) => api.del('model-versions/delete', { name, version }),
  transition: (name, version, stage, archive_existing_versions) => api.post('model-versions/transition-stage', { name, version, stage, archive_existing_versions }),
  setVersionTag: (name, version, key, value) => api.post('model-versions/set-tag', { name, version, key, value }),
  deleteVersionTag: (name, version, key) => api.del('model-versions/delete-tag', { name, version, key }),
  downloadUri: (name, version) => api.get('model-versions/get-download-uri', { name, version }).then((r) => r.artifact_uri),
};

// ---- Artifacts (proxy, reference §8.2) ----------------------------------------------------

/**
 * Proxy-relative root of an artifact URI, or null when the artifacts are not served by this
 * server (e.g. a run logged straight to S3 or a local folder).
 * `mlflow-artifacts:/1/abc/artifacts` and `mlflow-artifacts://host/1/abc/artifacts` → `1/abc/artifacts`.
 */
export function proxyRoot(uri) {
  if (!uri) return null;
  const m = /^mlflow-artifacts:(?:\/\/[^/]*)?\/*(.*)$/.exec(uri);
  return m ? m[1].replace(/\/+$/, '') : null;
}

const encPath = (p) => p.split('/').map(encodeURIComponent).join('/');

export const artifacts = {
  list: (path) => api.get(ARTIFACTS_BASE, { path }).then((r) => r.files || []),
  url: (path) => `${ARTIFACTS_BASE}/${encPath(path)}`,
  async fetch(path, o) {
    const res = await fetch(artifacts.url(path), o);
    if (!res.ok) {
      let code = `HTTP_${res.status}`, message = res.statusText;
      try { const j = await res.json(); code = j.error_code || code; message = j.message || message; } catch { /* raw body */ }
      throw new ApiError(res.status, code, message);
    }
    return res;
  },
};
