// Recorded UI performance check (a measurement, not a pass/fail test):
//   (cd e2e && npm ci) once, then
//   node e2e/perf.mjs [--runs 100000] [--points 1000000] [--reps 5] [--out docs/ui-performance.md]
// Starts `ferroflow server` (FERROFLOW_BIN, default target/release/ferroflow) on a free port with
// a temporary store, seeds one experiment with N runs and one run with a metric of M points
// straight through the REST API (create-run + log-batch, many in flight), then measures in
// headless Chromium how long after navigation
//   - the runs table of the big experiment shows its first rows, and
//   - the run page's chart of the long metric has drawn,
// and writes the figures with the machine's facts into the output markdown file.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, statSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS } from './chromium-args.mjs';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const argv = process.argv.slice(2);
const opt = (name, dflt) => { const i = argv.indexOf(`--${name}`); return i >= 0 ? argv[i + 1] : dflt; };
const N_RUNS = Number(opt('runs', 100000));
const N_POINTS = Number(opt('points', 1000000));
const REPS = Number(opt('reps', 5));
const OUT = path.resolve(REPO, opt('out', 'docs/ui-performance.md'));
const CONCURRENCY = Number(opt('concurrency', 32));
const BIN = path.resolve(process.env.FERROFLOW_BIN || path.join(REPO, 'target/release/ferroflow'));
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

function die(msg) { console.error(`perf: FAIL: ${msg}`); process.exit(1); }
/** After the server is started: throw, so the catch below stops it and removes the store. */
function fail(msg) { throw new Error(`perf: FAIL: ${msg}`); }
try { statSync(BIN); } catch { die(`no server binary at ${BIN} (cargo build --release -p ferroflow-cli)`); }
try { statSync(CHROMIUM); } catch { die(`no Chromium at ${CHROMIUM}`); }

const freePort = () => new Promise((resolve, reject) => {
  const s = createServer();
  s.on('error', reject);
  s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
});
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// ---- server --------------------------------------------------------------------------------
const store = mkdtempSync(path.join(os.tmpdir(), 'ferroflow-perf-'));
const port = await freePort();
const BASE = `http://127.0.0.1:${port}`;
const server = spawn(BIN, ['server', '--host', '127.0.0.1', '--port', String(port),
  '--backend-store-uri', `sqlite:///${store}/tracking.db`, '--artifacts-destination', `${store}/artifacts`,
  '--default-artifact-root', 'mlflow-artifacts:/', '--serve-artifacts'], { cwd: store, stdio: ['ignore', 'ignore', 'inherit'] });
let browser = null;
async function shutdown(code) {
  if (browser) await browser.close().catch(() => {});
  if (server.exitCode === null) {
    server.kill('SIGTERM');
    await Promise.race([new Promise((r) => server.once('exit', r)), sleep(20000)]);
    if (server.exitCode === null) server.kill('SIGKILL');
  }
  rmSync(store, { recursive: true, force: true });
  process.exit(code);
}
process.on('SIGINT', () => shutdown(130));

// node:http with a keep-alive pool: several times less client CPU per request than fetch(),
// which matters when the seeder shares two cores with the server it is loading.
const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
function post(endpoint, payload) {
  return new Promise((resolve, reject) => {
    const req = http.request(`${BASE}/api/2.0/mlflow/${endpoint}`, {
      method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) },
    }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(payload);
  });
}
async function api(endpoint, body) {
  const payload = JSON.stringify(body);
  for (let attempt = 0; ; attempt++) {
    const { status, text } = await post(endpoint, payload);
    if (status === 200) return text ? JSON.parse(text) : {};
    if (status < 500 || attempt >= 2) throw new Error(`${endpoint}: HTTP ${status} ${text.slice(0, 300)}`);
    await sleep(200);
  }
}

/** Run `fn(i)` for i in [0, n) with `limit` in flight. */
async function pool(n, limit, fn, label) {
  let next = 0;
  let done = 0;
  const t0 = performance.now();
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= n) return;
      await fn(i);
      done++;
      if (label && done % 20000 === 0) console.log(`  ${label}: ${done}/${n} (${Math.round(done / ((performance.now() - t0) / 1000))}/s)`);
    }
  };
  await Promise.all(Array.from({ length: limit }, worker));
  return (performance.now() - t0) / 1000;
}

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };

try {
  for (let i = 0; ; i++) {
    if (server.exitCode !== null) fail(`server exited with ${server.exitCode}`);
    try { if ((await fetch(`${BASE}/health`)).ok) break; } catch { /* not up yet */ }
    if (i > 300) fail('server did not become healthy in 60 s');
    await sleep(200);
  }
  const load0 = os.loadavg();

  // ---- seed ------------------------------------------------------------------------------
  console.log(`seeding ${N_RUNS} runs (${CONCURRENCY} in flight) and one ${N_POINTS}-point metric`);
  const { experiment_id: bigExp } = await api('experiments/create', { name: 'perf-100k' });
  const t0 = Date.now() - N_RUNS;
  const seedRunsS = await pool(N_RUNS, CONCURRENCY, async (i) => {
    const { run } = await api('runs/create', {
      experiment_id: bigExp, run_name: `run-${String(i).padStart(6, '0')}`, start_time: t0 + i,
      tags: [{ key: 'team', value: ['vision', 'nlp', 'speech'][i % 3] }],
    });
    const id = run.info.run_id;
    await api('runs/log-batch', {
      run_id: id,
      params: [{ key: 'lr', value: String(10 ** -(1 + (i % 4))) }, { key: 'depth', value: String(2 + (i % 10)) }, { key: 'optimizer', value: i % 2 ? 'adam' : 'sgd' }],
      metrics: [{ key: 'acc', value: (i % 1000) / 1000, timestamp: t0 + i, step: 0 }, { key: 'loss', value: 1 / (1 + (i % 977)), timestamp: t0 + i, step: 0 }],
    });
  }, 'runs');
  console.log(`  ${N_RUNS} runs in ${seedRunsS.toFixed(1)} s`);

  const { experiment_id: histExp } = await api('experiments/create', { name: 'perf-history' });
  const { run: histRun } = await api('runs/create', { experiment_id: histExp, run_name: 'long-history', start_time: Date.now() });
  const histId = histRun.info.run_id;
  const BATCH = 1000; // MLflow's per-request metric limit
  const tStart = Date.now();
  const seedPointsS = await pool(Math.ceil(N_POINTS / BATCH), 8, async (b) => {
    const metrics = [];
    for (let s = b * BATCH; s < Math.min(N_POINTS, (b + 1) * BATCH); s++) {
      metrics.push({ key: 'loss', value: Math.exp(-s / (N_POINTS / 5)) + 0.05 * Math.sin(s / 50), timestamp: tStart + s, step: s });
    }
    await api('runs/log-batch', { run_id: histId, metrics });
  });
  await api('runs/update', { run_id: histId, status: 'FINISHED', end_time: Date.now() });
  console.log(`  ${N_POINTS} points in ${seedPointsS.toFixed(1)} s`);

  // Sanity: the server holds what the UI will be asked to show.
  const probe = await api('runs/search', { experiment_ids: [bigExp], max_results: 1, order_by: ['attributes.start_time ASC'] });
  if (probe.runs?.[0]?.info?.run_name !== 'run-000000') fail('seeded runs not found by runs/search');

  // ---- measure ---------------------------------------------------------------------------
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  /** Milliseconds from navigation start until `ready()` first holds, timed inside the page. */
  async function measure(hash, ready, check) {
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    const page = await context.newPage();
    const errors = [];
    const requested = new Set();
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('request', (r) => { const u = new URL(r.url()); if (u.pathname.includes('/metrics/')) requested.add(u.pathname.replace(/^.*\/mlflow\//, '')); });
    await page.addInitScript(`(() => {
      const ready = ${ready.toString()};
      const tick = () => { if (window.__ffReady === undefined && ready()) { window.__ffReady = performance.now(); obs.disconnect(); } };
      const obs = new MutationObserver(tick);
      document.addEventListener('DOMContentLoaded', () => obs.observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-draws'] }));
    })();`);
    await page.goto(`${BASE}/#${hash}`);
    await page.waitForFunction(() => window.__ffReady !== undefined, null, { timeout: 120000 });
    const ms = await page.evaluate(() => window.__ffReady);
    const detail = await page.evaluate(check);
    await context.close();
    if (errors.length) fail(`page errors on ${hash}: ${errors.join('; ')}`);
    return { ms, detail, requested: [...requested] };
  }
  const tableReady = () => !!document.querySelector('[data-testid="runs-table"] [data-testid="vt-row"]');
  const tableCheck = () => ({ rows: document.querySelectorAll('[data-testid="runs-table"] [data-testid="vt-row"]').length, count: document.querySelector('[data-testid="run-count"]').textContent });
  const chartReady = () => { const c = document.querySelector('[data-testid="metric-chart"][data-key="loss"] .ff-chart'); return !!(c && Number(c.dataset.draws) >= 1 && c.dataset.series && JSON.parse(c.dataset.series).length); };
  const chartCheck = () => JSON.parse(document.querySelector('[data-testid="metric-chart"][data-key="loss"] .ff-chart').dataset.series);

  const results = { table: [], chart: [] };
  let tableDetail;
  let chartDetail;
  let chartEndpoints = [];
  for (let r = 0; r < REPS; r++) {
    const t = await measure(`/experiments/${bigExp}`, tableReady, tableCheck);
    results.table.push(t.ms);
    tableDetail = t.detail;
    const c = await measure(`/runs/${histId}?tab=metrics`, chartReady, chartCheck);
    results.chart.push(c.ms);
    chartDetail = c.detail;
    chartEndpoints = c.requested;
    console.log(`  rep ${r + 1}: runs table first rows ${t.ms.toFixed(0)} ms, chart drawn ${c.ms.toFixed(0)} ms`);
  }
  if (!/^1000\+ runs$/.test(tableDetail.count)) fail(`runs table count was ${tableDetail.count}`);
  if (chartDetail[0]?.name !== 'loss' || !(chartDetail[0].points > 0)) fail(`chart drew ${JSON.stringify(chartDetail)}`);
  const load1 = os.loadavg();

  // ---- record ----------------------------------------------------------------------------
  const git = (...a) => { try { return execFileSync('git', a, { cwd: REPO, encoding: 'utf8' }).trim(); } catch { return '?'; } };
  const dirty = git('status', '--porcelain', '--untracked-files=no') ? ' (with uncommitted changes)' : '';
  const memInfo = readFileSync('/proc/meminfo', 'utf8');
  const memGiB = (Number(/MemTotal:\s+(\d+)/.exec(memInfo)[1]) / 1048576).toFixed(1);
  const cpus = os.cpus();
  const fmt = (xs) => `${median(xs).toFixed(0)} ms`;
  const range = (xs) => `${Math.min(...xs).toFixed(0)}–${Math.max(...xs).toFixed(0)} ms`;
  const busy = Math.max(load0[0], load1[0]) > cpus.length * 0.75;
  const doc = `# Web UI performance

Recorded by \`node e2e/perf.mjs\` (a measurement, not a timed test: nothing fails on a slow
figure). Re-run it on a quiet machine after UI or search changes and commit the new figures.

## What is measured

The script starts \`ferroflow server\` with a fresh SQLite store, seeds through the REST API
(\`runs/create\` + \`runs/log-batch\`, ${CONCURRENCY} requests in flight; the runs stay RUNNING):

- experiment \`perf-100k\`: **${N_RUNS.toLocaleString('en')} runs**, each with 3 params, 2 metrics and a tag;
- experiment \`perf-history\`: one run whose metric \`loss\` has **${N_POINTS.toLocaleString('en')} points** (steps 0…${N_POINTS - 1}).

Then, in headless Chromium (fresh browser context per measurement, so modules are revalidated
against the server each time), it navigates to the page and records \`performance.now()\` (ms since
navigation start) at the first DOM mutation after which the condition holds:

- **runs table, first rows**: \`#/experiments/<perf-100k>\` until the virtualized table has rows
  (the first server page of 1,000 runs, newest first, is loaded and painted);
- **run page, chart drawn**: \`#/runs/<long-history>?tab=metrics\` until the \`loss\` chart reports a
  completed draw (\`data-draws\` on the chart element). The page does not fetch a million points: it
  asked the server for a sample (${chartEndpoints.map((e) => `\`${e}\``).join(', ') || 'no metrics endpoint seen'}) and drew
  ${chartDetail[0].points.toLocaleString('en')} points, so the figure includes the server reducing ${N_POINTS.toLocaleString('en')} stored rows.

Each figure is the median of ${REPS} navigations, with the fastest and slowest.

## Results

| measurement | median | fastest–slowest |
|---|---|---|
| runs table shows first rows (${N_RUNS.toLocaleString('en')} runs in the experiment) | ${fmt(results.table)} | ${range(results.table)} |
| run page metric chart drawn (${N_POINTS.toLocaleString('en')}-point metric) | ${fmt(results.chart)} | ${range(results.chart)} |

Seeding (for scale, not a UI figure): ${N_RUNS.toLocaleString('en')} runs × 2 requests in ${seedRunsS.toFixed(1)} s
(${Math.round(N_RUNS / seedRunsS).toLocaleString('en')} runs/s); ${N_POINTS.toLocaleString('en')} metric points in ${Math.ceil(N_POINTS / BATCH)} log-batch requests in ${seedPointsS.toFixed(1)} s.
The runs table showed "${tableDetail.count}" with ${tableDetail.rows} rows in the DOM (virtualized).

## Machine

- recorded: ${new Date().toISOString().replace(/\.\d+Z$/, 'Z')}
- CPU: ${cpus[0].model.trim()}, ${cpus.length} logical cores; RAM ${memGiB} GiB
- OS: ${os.type()} ${os.release()} (${os.arch()})
- browser: Chromium ${browser.version()} (headless, \`--disable-gpu\`), driven by playwright-core ${JSON.parse(readFileSync(path.join(REPO, 'e2e/node_modules/playwright-core/package.json'), 'utf8')).version}; Node ${process.version}
- server: \`${path.relative(REPO, BIN) || BIN}\` built ${statSync(BIN).mtime.toISOString().replace(/\.\d+Z$/, 'Z')}, repository at ${git('rev-parse', '--short', 'HEAD')}${dirty}
- load average (1/5/15 min) before seeding: ${load0.map((x) => x.toFixed(2)).join(' / ')}; after measuring: ${load1.map((x) => x.toFixed(2)).join(' / ')}
${busy ? `\n**The machine was busy** during this recording (load average above ${(cpus.length * 0.75).toFixed(1)} on ${cpus.length} cores: other builds and tests were running), so these figures are pessimistic; a quiet machine should do better.\n` : ''}`;
  writeFileSync(OUT, doc);
  console.log(`wrote ${path.relative(REPO, OUT)}`);
  await shutdown(0);
} catch (e) {
  console.error(e);
  await shutdown(1);
}
