"""The six workloads. Each one writes, times, then reads everything back and raises
`DataMismatch` if the server lost or changed anything: a fast server that loses data fails.

All traffic is raw HTTP on keep-alive connections (see httpc.py) shaped like the official
client's requests; concurrency uses processes, never threads, so the GIL is not the limit.
"""

from __future__ import annotations

import json
import multiprocessing as mp
import os
import random
import re
import resource
import statistics
import time
import traceback
from urllib.parse import urlencode, urlparse

from httpc import Conn

API = "/api/2.0/mlflow"
ARTIFACTS = "/api/2.0/mlflow-artifacts/artifacts"
JSON = "application/json"
TS0 = 1_700_000_000_000  # fixed epoch-millis base so every run is reproducible

_MP = mp.get_context("fork")


class DataMismatch(AssertionError):
    """What the server returned differs from what was written."""


def check(cond: bool, msg: str) -> None:
    if not cond:
        raise DataMismatch(msg)


def cpu_s() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def pct(values, q: float) -> float:
    """Nearest-rank percentile (no interpolation: with few samples, report a real sample)."""
    s = sorted(values)
    k = max(0, min(len(s) - 1, int(round(q / 100.0 * len(s) + 0.5)) - 1))
    return s[k]


# -- small API helpers -------------------------------------------------------------------------


def create_experiment(c: Conn, name: str) -> str:
    return c.post_json(f"{API}/experiments/create", {"name": name})["experiment_id"]


def create_run(c: Conn, exp_id: str, name: str, start_time: int, tags=None) -> dict:
    body = {"experiment_id": exp_id, "run_name": name, "start_time": start_time}
    if tags:
        body["tags"] = [{"key": k, "value": v} for k, v in tags.items()]
    return c.post_json(f"{API}/runs/create", body)["run"]


def metric_history(c: Conn, run_id: str, key: str) -> list[dict]:
    """All pages, exactly as the official client walks them (max_results=25000)."""
    out, token = [], None
    while True:
        params = {"run_uuid": run_id, "run_id": run_id, "metric_key": key, "max_results": 25000}
        if token:
            params["page_token"] = token
        page = c.get_json(f"{API}/metrics/get-history", params)
        out.extend(page.get("metrics", []))
        token = page.get("next_page_token")
        if not token:
            return out


def as_float(v) -> float:
    return float(v)  # NaN/Infinity arrive as strings; finite values as numbers


def verify_history(c: Conn, run_id: str, key: str, expected: dict[int, float], what: str) -> None:
    hist = metric_history(c, run_id, key)
    check(
        len(hist) == len(expected),
        f"{what}: metric {key!r} has {len(hist)} points, wrote {len(expected)}",
    )
    seen = set()
    for m in hist:
        step = int(m.get("step", 0))
        check(step in expected, f"{what}: unexpected step {step} in {key!r}")
        check(step not in seen, f"{what}: step {step} of {key!r} returned twice")
        seen.add(step)
        check(
            as_float(m["value"]) == expected[step],
            f"{what}: {key!r} step {step} = {m['value']!r}, wrote {expected[step]!r}",
        )


def artifact_root(run: dict) -> str:
    """Proxy path prefix of a run: `mlflow-artifacts:/1/<run>/artifacts` -> `1/<run>/artifacts`."""
    uri = run["info"]["artifact_uri"]
    check(uri.startswith("mlflow-artifacts:"), f"run artifact_uri {uri!r} is not proxied")
    return urlparse(uri).path.strip("/")


# -- multiprocess plumbing ---------------------------------------------------------------------


def _proc_main(fn, q, idx, args):
    try:
        q.put((idx, "ok", fn(*args)))
    except BaseException:  # noqa: BLE001 - reported to the parent, which fails loudly
        q.put((idx, "err", traceback.format_exc()))


def run_procs(fn, arg_lists, barrier_parties: int | None = None, on_barrier=None):
    """Run fn(*args) in one forked process per entry; returns results in order. With a barrier,
    children call `barrier.wait()` (passed as their first argument) and so does the parent,
    which runs `on_barrier()` (e.g. starts a sampler) right before releasing them."""
    q = _MP.Queue()
    barrier = _MP.Barrier(barrier_parties) if barrier_parties else None
    procs = []
    for i, args in enumerate(arg_lists):
        full = (barrier, *args) if barrier else tuple(args)
        p = _MP.Process(target=_proc_main, args=(fn, q, i, full), daemon=True)
        p.start()
        procs.append(p)
    if barrier:
        barrier.wait(timeout=600)
        if on_barrier:
            on_barrier()
    results, errors = [None] * len(procs), []
    for _ in procs:
        idx, kind, val = q.get(timeout=3600)
        if kind == "err":
            errors.append(val)
        results[idx] = val
    for p in procs:
        p.join()
    if errors:
        raise RuntimeError("worker process failed:\n" + errors[0])
    return results


# -- generator ceiling -------------------------------------------------------------------------


def seq_log_metric_loop(c: Conn, path: str, run_id: str, seconds: float, step0: int):
    """The W1 inner loop, shared with the ceiling measurement so both cost the same."""
    tmpl = '{"run_id":"%s","run_uuid":"%s","key":"loss","value":%%r,"timestamp":%%d,"step":%%d}' % (
        run_id,
        run_id,
    )
    n = 0
    c0 = cpu_s()
    t0 = time.perf_counter()
    deadline = t0 + seconds
    while True:
        step = step0 + n
        body = (tmpl % (w1_value(step), TS0 + step, step)).encode()
        status, _, data = c.request("POST", path, body, JSON)
        if status != 200:
            raise RuntimeError(f"log-metric -> HTTP {status}: {data[:300]!r}")
        n += 1
        if time.perf_counter() >= deadline:
            break
    wall = time.perf_counter() - t0
    return n, wall, cpu_s() - c0


def w1_value(step: int) -> float:
    return (step % 1000) / 8.0 - 3.0


def generator_ceiling(python: str, scale: dict, w2_bodies) -> dict:
    """Drive the W1 and W2 loops against a do-nothing local server."""
    import subprocess

    from servers import free_port

    port = free_port()
    here = os.path.dirname(os.path.abspath(__file__))
    proc = subprocess.Popen([python, os.path.join(here, "trivial_server.py"), str(port)])
    try:
        for _ in range(500):
            try:
                Conn("127.0.0.1", port).ok("GET", "/")
                break
            except OSError:
                time.sleep(0.01)
        c = Conn("127.0.0.1", port)
        n, wall, cpu = seq_log_metric_loop(c, f"{API}/runs/log-metric", "0" * 32, 2.0, 0)
        bodies = w2_bodies
        res = run_procs(
            _w2_client,
            [(port, "0" * 32, bodies[i], scale["w2_seconds"]) for i in range(len(bodies))],
            len(bodies) + 1,
        )
        t0 = min(r["t0"] for r in res)
        t1 = max(r["t1"] for r in res)
        points = sum(r["points"] for r in res)
        return {
            "w1_rps": n / wall,
            "w1_client_cpu_us_per_req": cpu / n * 1e6,
            "w2_points_per_s": points / (t1 - t0),
            "w2_client_cpu_us_per_batch": sum(r["cpu"] for r in res) / sum(r["requests"] for r in res) * 1e6,
        }
    finally:
        proc.terminate()
        proc.wait()


# -- W1: sequential log-metric -----------------------------------------------------------------


def w1(port: int, scale: dict) -> dict:
    c = Conn("127.0.0.1", port)
    exp = create_experiment(c, "bench-w1")
    run_id = create_run(c, exp, "w1", TS0)["info"]["run_id"]
    path = f"{API}/runs/log-metric"
    warm, _, _ = seq_log_metric_loop(c, path, run_id, 0.3, 0)  # warm-up, counted in verification
    n, wall, cpu = seq_log_metric_loop(c, path, run_id, scale["w1_seconds"], warm)
    total = warm + n
    verify_history(c, run_id, "loss", {s: w1_value(s) for s in range(total)}, "W1")
    return {
        "requests": n,
        "seconds": wall,
        "rps": n / wall,
        "mean_latency_ms": wall / n * 1e3,
        "client_cpu_share": cpu / wall,
        "verified_points": total,
    }


# -- W2: 8 concurrent clients, log-batch of 1000 points ----------------------------------------

W2_KEYS = 10
W2_STEPS_PER_BATCH = 100  # 10 keys x 100 steps = 1000 metrics per request


def w2_value(client: int, key: int, step: int) -> float:
    return ((client * 7919 + key * 104729 + step * 31) % 100000) / 16.0


def w2_bodies(run_ids: list[str], batches: int) -> list[list[bytes]]:
    """Pre-encoded request bodies: JSON encoding 1000 metrics costs the generator ~1 ms, so it
    is done before the clock starts."""
    out = []
    for ci, rid in enumerate(run_ids):
        per = []
        for b in range(batches):
            metrics = []
            for s in range(b * W2_STEPS_PER_BATCH, (b + 1) * W2_STEPS_PER_BATCH):
                for k in range(W2_KEYS):
                    metrics.append(
                        '{"key":"k%d","value":%r,"timestamp":%d,"step":%d}'
                        % (k, w2_value(ci, k, s), TS0 + s, s)
                    )
            per.append(('{"run_id":"%s","metrics":[%s]}' % (rid, ",".join(metrics))).encode())
        out.append(per)
    return out


def _w2_client(barrier, port: int, run_id: str, bodies: list[bytes], seconds: float) -> dict:
    c = Conn("127.0.0.1", port)
    path = f"{API}/runs/log-batch"
    # Warm the connection (and the worker it lands on) before the clock starts.
    c.request("GET", f"{API}/experiments/get?experiment_id=0")
    barrier.wait(timeout=600)
    c0 = cpu_s()
    t0 = time.perf_counter()
    deadline = t0 + seconds
    sent = 0
    for body in bodies:  # until the deadline, or until the pre-encoded bodies run out
        status, _, data = c.request("POST", path, body, JSON)
        if status != 200:
            raise RuntimeError(f"log-batch -> HTTP {status}: {data[:300]!r}")
        sent += 1
        if time.perf_counter() >= deadline:
            break
    t1 = time.perf_counter()
    return {
        "t0": t0,
        "t1": t1,
        "cpu": cpu_s() - c0,
        "requests": sent,
        "points": sent * W2_KEYS * W2_STEPS_PER_BATCH,
    }


def w2(port: int, scale: dict, sampler_factory) -> dict:
    n = scale["w2_clients"]
    c = Conn("127.0.0.1", port)
    exp = create_experiment(c, "bench-w2")
    run_ids = [create_run(c, exp, f"w2-{i}", TS0 + i)["info"]["run_id"] for i in range(n)]
    bodies = w2_bodies(run_ids, scale["w2_batches"])
    sampler = sampler_factory()
    res = run_procs(
        _w2_client,
        [(port, run_ids[i], bodies[i], scale["w2_seconds"]) for i in range(n)],
        n + 1,
        on_barrier=sampler.__enter__,
    )
    sampler.__exit__(None, None, None)
    t0 = min(r["t0"] for r in res)
    t1 = max(r["t1"] for r in res)
    points = sum(r["points"] for r in res)
    for ci, rid in enumerate(run_ids):
        steps = res[ci]["requests"] * W2_STEPS_PER_BATCH
        for k in range(W2_KEYS):
            verify_history(c, rid, f"k{k}", {s: w2_value(ci, k, s) for s in range(steps)}, f"W2 run {ci}")
    return {
        "clients": n,
        "requests": sum(r["requests"] for r in res),
        "exhausted_bodies": all(r["requests"] == len(bodies[0]) for r in res),
        "points": points,
        "seconds": t1 - t0,
        "points_per_s": points / (t1 - t0),
        "requests_per_s": sum(r["requests"] for r in res) / (t1 - t0),
        "client_cpu_share": sum(r["cpu"] for r in res) / (t1 - t0),
        "peak_rss_kib": sampler.peak_rss_kib,
        "peak_pss_kib": sampler.peak_pss_kib,
        "verified_points": points,
    }


# -- W3: search-runs over a large experiment ---------------------------------------------------


def w3_row(i: int, n_runs: int) -> dict:
    rng = random.Random(i)
    return {
        "params": {"p0": f"v{i % 1000}", "p1": f"lr-{i % 7}", "p2": ("adam", "sgd", "rmsprop")[i % 3]},
        "metrics": {
            "m0": rng.random(),
            # m1 is a permutation of (k + 0.5) / n: unique, so ORDER BY m1 has one right answer.
            "m1": (((i * 7919) % n_runs) + 0.5) / n_runs,
            "m2": rng.random(),
            "m3": rng.random() * 100,
            "m4": -rng.random(),
        },
        "tags": {"t0": f"group-{i % 50}", "t1": f"team-{i % 3}", "t2": f"{rng.getrandbits(32):08x}"},
        "finished": i % 4 == 0,
    }


def _w3_seed(port: int, exp_id: str, indices: list[int], n_runs: int) -> int:
    c = Conn("127.0.0.1", port)
    for i in indices:
        row = w3_row(i, n_runs)
        rid = create_run(c, exp_id, f"r{i}", TS0 + i, row["tags"])["info"]["run_id"]
        c.post_json(
            f"{API}/runs/log-batch",
            {
                "run_id": rid,
                "params": [{"key": k, "value": v} for k, v in row["params"].items()],
                "metrics": [
                    {"key": k, "value": v, "timestamp": TS0 + i, "step": 0}
                    for k, v in row["metrics"].items()
                ],
            },
        )
        if row["finished"]:
            c.post_json(
                f"{API}/runs/update",
                {"run_id": rid, "run_uuid": rid, "status": "FINISHED", "end_time": TS0 + i + 1000},
            )
    return len(indices)


def w3_queries(n_runs: int) -> dict:
    """name -> (request body without page token, expected run indices on the timed page, page)."""
    rows = [w3_row(i, n_runs) for i in range(n_runs)]
    newest_first = list(range(n_runs - 1, -1, -1))  # default order: start_time DESC
    by_m1 = sorted((i for i in range(n_runs) if rows[i]["metrics"]["m0"] > 0.5), key=lambda i: -rows[i]["metrics"]["m1"])
    q = {
        "metric_filter_order": (
            {"filter": "metrics.m0 > 0.5", "order_by": ["metrics.m1 DESC"]},
            by_m1[:100],
            1,
        ),
        "param_equality": (
            {"filter": "params.p0 = 'v17'"},
            [i for i in newest_first if rows[i]["params"]["p0"] == "v17"][:100],
            1,
        ),
        "tag_like": (
            {"filter": "tags.t0 LIKE 'group-1%'"},
            [i for i in newest_first if rows[i]["tags"]["t0"].startswith("group-1")][:100],
            1,
        ),
        "status_filter": (
            {"filter": "attributes.status = 'FINISHED'"},
            [i for i in newest_first if rows[i]["finished"]][:100],
            1,
        ),
        "page5_of_100": ({"filter": ""}, newest_first[400:500], 5),
    }
    return q, rows


def _search_body(exp_id: str, spec: dict, token: str | None) -> bytes:
    body = {
        "experiment_ids": [exp_id],
        "filter": spec.get("filter", ""),
        "run_view_type": "ACTIVE_ONLY",
        "max_results": 100,
    }
    if spec.get("order_by"):
        body["order_by"] = spec["order_by"]
    if token:
        body["page_token"] = token
    return json.dumps(body).encode()


def _verify_search_page(name: str, page: dict, expected: list[int], rows, n_runs: int) -> None:
    runs = page.get("runs", [])
    got = []
    for r in runs:
        nm = r["info"].get("run_name", "")
        check(nm.startswith("r"), f"W3 {name}: unexpected run name {nm!r}")
        got.append(int(nm[1:]))
    check(got == expected, f"W3 {name}: got runs {got[:8]}... ({len(got)}), expected {expected[:8]}... ({len(expected)})")
    for r in runs:  # and the data of every returned run is what was written
        i = int(r["info"]["run_name"][1:])
        row = rows[i]
        data = r.get("data", {})
        params = {p["key"]: p["value"] for p in data.get("params", [])}
        metrics = {m["key"]: as_float(m["value"]) for m in data.get("metrics", [])}
        tags = {t["key"]: t["value"] for t in data.get("tags", [])}
        check(params == row["params"], f"W3 {name}: params of r{i} = {params}, wrote {row['params']}")
        check(metrics == row["metrics"], f"W3 {name}: metrics of r{i} = {metrics}, wrote {row['metrics']}")
        for k, v in row["tags"].items():
            check(tags.get(k) == v, f"W3 {name}: tag {k} of r{i} = {tags.get(k)!r}, wrote {v!r}")
        want_status = "FINISHED" if row["finished"] else "RUNNING"
        check(r["info"].get("status") == want_status, f"W3 {name}: status of r{i} = {r['info'].get('status')}")


def w3(port: int, scale: dict) -> dict:
    n_runs = scale["w3_runs"]
    c = Conn("127.0.0.1", port)
    exp = create_experiment(c, "bench-w3")
    procs = scale["seed_procs"]
    t0 = time.perf_counter()
    run_procs(_w3_seed, [(port, exp, list(range(p, n_runs, procs)), n_runs) for p in range(procs)])
    seed_s = time.perf_counter() - t0
    queries, rows = w3_queries(n_runs)
    path = f"{API}/runs/search"
    bodies = {}
    for name, (spec, expected, page_no) in queries.items():
        token = None
        for _ in range(page_no - 1):  # walk to the timed page; tokens are opaque
            page = c.post_json(path, json.loads(_search_body(exp, spec, token)))
            check(len(page.get("runs", [])) == 100, f"W3 {name}: short intermediate page")
            token = page.get("next_page_token")
            check(bool(token), f"W3 {name}: missing next_page_token")
        bodies[name] = _search_body(exp, spec, token)
        page = json.loads(c.ok("POST", path, bodies[name], JSON))  # warm-up, and verify
        _verify_search_page(name, page, expected, rows, n_runs)
    lat = {name: [] for name in queries}
    c0 = cpu_s()
    w0 = time.perf_counter()
    for _ in range(scale["w3_reps"]):
        for name, body in bodies.items():  # interleaved so drift hits every query alike
            t = time.perf_counter()
            c.ok("POST", path, body, JSON)
            lat[name].append(time.perf_counter() - t)
    wall = time.perf_counter() - w0
    out = {
        "runs": n_runs,
        "seed_seconds": seed_s,
        "seed_runs_per_s": n_runs / seed_s,
        "reps": scale["w3_reps"],
        "client_cpu_share": (cpu_s() - c0) / wall,
        "queries": {},
    }
    for name, xs in lat.items():
        out["queries"][name] = {"p50_ms": pct(xs, 50) * 1e3, "p95_ms": pct(xs, 95) * 1e3}
    return out


# -- W4: history of a long metric --------------------------------------------------------------

_TOKEN_RE = re.compile(rb'"next_page_token"\s*:\s*"([^"]*)"')


def w4_value(step: int) -> float:
    return (step % 4096) / 64.0 + step / 1e6


def _w4_seed(port: int, run_id: str, batches: list[int]) -> int:
    c = Conn("127.0.0.1", port)
    for b in batches:
        metrics = [
            {"key": "hist", "value": w4_value(s), "timestamp": TS0 + s, "step": s}
            for s in range(b * 1000, (b + 1) * 1000)
        ]
        c.post_json(f"{API}/runs/log-batch", {"run_id": run_id, "metrics": metrics})
    return len(batches)


def _history_pages(c: Conn, run_id: str) -> list[bytes]:
    """All pages, raw. The token is pulled out with a regex instead of parsing 25k-point JSON,
    so the generator's JSON decoding is not part of the server's time."""
    pages, token = [], None
    base = {"run_uuid": run_id, "run_id": run_id, "metric_key": "hist", "max_results": 25000}
    while True:
        params = dict(base, page_token=token) if token else base
        data = c.ok("GET", f"{API}/metrics/get-history?" + urlencode(params))
        pages.append(data)
        m = _TOKEN_RE.search(data)
        token = m.group(1).decode() if m else None
        if not token:
            return pages


def w4(port: int, scale: dict) -> dict:
    n = scale["w4_points"]
    c = Conn("127.0.0.1", port)
    exp = create_experiment(c, "bench-w4")
    run_id = create_run(c, exp, "w4", TS0)["info"]["run_id"]
    procs = scale["seed_procs"]
    batches = n // 1000
    t0 = time.perf_counter()
    run_procs(_w4_seed, [(port, run_id, list(range(p, batches, procs))) for p in range(procs)])
    seed_s = time.perf_counter() - t0

    # Verify one full read before timing.
    pages = _history_pages(c, run_id)
    seen = {}
    for data in pages:
        for m in json.loads(data).get("metrics", []):
            step = int(m.get("step", 0))
            check(step not in seen, f"W4: step {step} returned twice across pages")
            seen[step] = as_float(m["value"])
    check(len(seen) == n, f"W4: history has {len(seen)} points, wrote {n}")
    for s, v in seen.items():
        check(v == w4_value(s), f"W4: step {s} = {v!r}, wrote {w4_value(s)!r}")

    full = []
    for _ in range(scale["w4_reps"]):
        t = time.perf_counter()
        got = _history_pages(c, run_id)
        full.append(time.perf_counter() - t)
        check(len(got) == len(pages), "W4: page count changed between reads")

    bulk_max = 320
    bulk_path = "/ajax-api/2.0/mlflow/metrics/get-history-bulk-interval?" + urlencode(
        {"run_ids": run_id, "metric_key": "hist", "max_results": bulk_max}
    )
    sample = json.loads(c.ok("GET", bulk_path)).get("metrics", [])
    check(
        bulk_max <= len(sample) <= bulk_max + 1,
        f"W4: bulk-interval returned {len(sample)} points for max_results={bulk_max}",
    )
    for m in sample:
        s = int(m["step"])
        check(0 <= s < n and as_float(m["value"]) == w4_value(s), f"W4: bulk-interval point {m} was never written")
        check(m.get("run_id") == run_id, f"W4: bulk-interval point without our run_id: {m}")
    check(max(int(m["step"]) for m in sample) == n - 1, "W4: bulk-interval sample lacks the final point")
    bulk = []
    for _ in range(scale["w4_bulk_reps"]):
        t = time.perf_counter()
        c.ok("GET", bulk_path)
        bulk.append(time.perf_counter() - t)
    return {
        "points": n,
        "pages": len(pages),
        "seed_seconds": seed_s,
        "history_all_pages_s": statistics.median(full),
        "history_points_per_s": n / statistics.median(full),
        "bulk_interval_p50_ms": pct(bulk, 50) * 1e3,
        "bulk_interval_p95_ms": pct(bulk, 95) * 1e3,
    }


# -- W5: artifact proxy ------------------------------------------------------------------------


def w5(port: int, scale: dict) -> dict:
    c = Conn("127.0.0.1", port)
    exp = create_experiment(c, "bench-w5")
    root = artifact_root(create_run(c, exp, "w5", TS0))
    octet = "application/octet-stream"

    size = scale["w5_big_mib"] * 1024 * 1024
    # randbytes(n) builds one n*8-bit integer, which overflows past 256 MiB: draw it by MiB.
    rng5 = random.Random(5)
    big = b"".join(rng5.randbytes(1 << 20) for _ in range(size >> 20)) + rng5.randbytes(size % (1 << 20))
    big_path = f"{ARTIFACTS}/{root}/big/blob.bin"
    ups, downs = [], []
    for _ in range(scale["w5_reps"]):
        buf = bytearray(size)  # fresh zeroed buffer, so a short read cannot pass as a match
        t = time.perf_counter()
        c.ok("PUT", big_path, big, octet)
        ups.append(time.perf_counter() - t)
        t = time.perf_counter()
        status, headers, body = c.request("GET", big_path, into=buf)
        downs.append(time.perf_counter() - t)
        check(status == 200, f"W5: download of the big file -> HTTP {status}: {body[:200]!r}")
        if body:  # chunked responses come back as bytes instead of filling the buffer
            check(len(body) == size, f"W5: downloaded {len(body)} bytes, uploaded {size}")
            buf[:] = body
        check(buf == big, "W5: the big file came back different from what was uploaded")

    n_small = scale["w5_small_files"]
    rng = random.Random(55)
    files = [rng.randbytes(4096) for _ in range(n_small)]
    small_dir = f"{root}/small"
    t = time.perf_counter()
    for i, data in enumerate(files):
        c.ok("PUT", f"{ARTIFACTS}/{small_dir}/f{i:05d}.bin", data, octet)
    small_up = time.perf_counter() - t
    t = time.perf_counter()
    got = [c.ok("GET", f"{ARTIFACTS}/{small_dir}/f{i:05d}.bin") for i in range(n_small)]
    small_down = time.perf_counter() - t
    for i, data in enumerate(got):
        check(data == files[i], f"W5: small file f{i:05d}.bin came back different")
    listing = c.get_json(ARTIFACTS, {"path": small_dir}).get("files", [])
    names = {f["path"]: f for f in listing}
    check(len(names) == n_small, f"W5: listing shows {len(names)} files, uploaded {n_small}")
    for i in range(n_small):
        f = names.get(f"f{i:05d}.bin")
        check(f is not None and not f.get("is_dir") and int(f.get("file_size", -1)) == 4096, f"W5: listing entry for f{i:05d}.bin is {f}")
    mib = size / (1024 * 1024)
    return {
        "big_mib": scale["w5_big_mib"],
        "big_upload_mib_per_s": mib / statistics.median(ups),
        "big_download_mib_per_s": mib / statistics.median(downs),
        "small_files": n_small,
        "small_upload_files_per_s": n_small / small_up,
        "small_download_files_per_s": n_small / small_down,
    }
