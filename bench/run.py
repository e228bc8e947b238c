#!/usr/bin/env python3
"""Side-by-side benchmark: official `mlflow server` vs `ferroflow server`.

    python3 bench/run.py [--quick] [--only W1,W3] [--ferroflow-bin PATH] [--mlflow-venv PATH]

Creates (once) a venv with the pinned official mlflow from bench/requirements.txt, then for each
server in turn: start it on a free loopback port with a fresh SQLite store and artifact folder,
run the workloads, verify every byte/point read back, stop it. Prints a table of figures and
ratios (>1 = Ferroflow better), writes JSON to bench/results/, and charts + a results section into
docs/benchmarks.md (full runs, or any run with --write-docs).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
MLFLOW_VERSION = "3.17.2"
DEFAULT_VENV = Path.home() / ".cache" / "ferroflow" / f"venv-mlflow-{MLFLOW_VERSION}"

SCALES = {
    "quick": {
        "w1_seconds": 3.0,
        "w2_clients": 8,
        "w2_seconds": 4.0,
        "w2_batches": 60,
        "w3_runs": 1000,
        "w3_reps": 10,
        "w4_points": 50_000,
        "w4_reps": 3,
        "w4_bulk_reps": 10,
        "w5_big_mib": 32,
        "w5_small_files": 200,
        "w5_reps": 1,
        "seed_procs": 4,
        "startups": 1,
    },
    "full": {
        "w1_seconds": 15.0,
        "w2_clients": 8,
        "w2_seconds": 15.0,
        "w2_batches": 250,
        "w3_runs": 20_000,
        "w3_reps": 30,
        "w4_points": 200_000,
        "w4_reps": 3,
        "w4_bulk_reps": 20,
        "w5_big_mib": 256,
        "w5_small_files": 1000,
        "w5_reps": 2,
        "seed_procs": 4,
        "startups": 3,
    },
}
ALL = ["W1", "W2", "W3", "W4", "W5", "W6"]


# -- bootstrap ---------------------------------------------------------------------------------


def ensure_venv(venv: Path) -> Path:
    """The venv holds the official server (the baseline) and matplotlib (charts)."""
    py = venv / "bin" / "python"
    if not (venv / "bin" / "mlflow").exists():
        print(f"[bench] creating {venv} from bench/requirements.txt ...", flush=True)
        subprocess.check_call([sys.executable, "-m", "venv", str(venv)])
        subprocess.check_call([str(py), "-m", "pip", "install", "-q", "-r", str(HERE / "requirements.txt")])
    else:
        probe = subprocess.run([str(py), "-c", "import matplotlib"], capture_output=True)
        if probe.returncode != 0:
            subprocess.check_call([str(py), "-m", "pip", "install", "-q", "-r", str(HERE / "requirements.txt")])
    return py


# -- machine facts -----------------------------------------------------------------------------


def machine_facts(venv: Path, ferroflow_bin: str | None) -> dict:
    cpu = "unknown"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_kib = 0
    for line in open("/proc/meminfo"):
        if line.startswith("MemTotal:"):
            mem_kib = int(line.split()[1])
    ff_version = None
    if ferroflow_bin:
        try:
            ff_version = subprocess.run([ferroflow_bin, "--version"], capture_output=True, text=True, timeout=10).stdout.strip()
        except OSError:
            pass
    mlflow_version = subprocess.run(
        [str(venv / "bin" / "python"), "-c", "import mlflow; print(mlflow.__version__)"], capture_output=True, text=True
    ).stdout.strip()
    try:
        rev = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    except OSError:
        rev = ""
    return {
        "date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "nproc": os.cpu_count(),
        "memory_gib": round(mem_kib / 1024 / 1024, 1),
        "cpu_model": cpu,
        "kernel": platform.release(),
        "python": platform.python_version(),
        "mlflow": mlflow_version,
        "ferroflow": ff_version,
        "git_rev": rev,
        "load_avg_at_start": os.getloadavg(),
    }


# -- one server, all workloads -----------------------------------------------------------------


def bench_server(server, only: list[str], scale: dict, startups: int) -> dict:
    import workloads as W
    from servers import RssSampler

    out: dict = {}
    ready = []
    for k in range(startups):
        ready.append(server.start())
        if k < startups - 1:
            server.stop()
    print(f"[bench] {server.label}: ready in {ready[-1] * 1e3:.0f} ms on port {server.port}", flush=True)
    try:
        time.sleep(2.0)  # let worker processes settle before reading idle memory
        idle = server.memory()
        out["W6"] = {
            "ready_ms": sorted(ready)[len(ready) // 2] * 1e3,
            "ready_ms_all": [r * 1e3 for r in ready],
            "idle_rss_kib": idle["rss_kib"],
            "idle_pss_kib": idle["pss_kib"],
            "processes": idle["processes"],
        }
        steps = [
            ("W1", lambda: W.w1(server.port, scale)),
            ("W2", lambda: W.w2(server.port, scale, lambda: RssSampler(server.proc.pid))),
            ("W3", lambda: W.w3(server.port, scale)),
            ("W4", lambda: W.w4(server.port, scale)),
            ("W5", lambda: W.w5(server.port, scale)),
        ]
        for name, fn in steps:
            if name not in only:
                continue
            t0 = time.perf_counter()
            print(f"[bench] {server.label}: {name} ...", end="", flush=True)
            try:
                out[name] = fn()
            except Exception:
                print(" FAILED", flush=True)
                print(f"--- {server.label} log tail ---\n{server.log_tail()}", file=sys.stderr)
                raise
            if not server.alive():
                raise RuntimeError(f"{server.label} died during {name}:\n{server.log_tail()}")
            print(f" {time.perf_counter() - t0:.1f}s (verified)", flush=True)
        if "W2" in out:
            out["W6"]["peak_rss_w2_kib"] = out["W2"]["peak_rss_kib"]
            out["W6"]["peak_pss_w2_kib"] = out["W2"]["peak_pss_kib"]
    finally:
        server.stop()
    return out


# -- table -------------------------------------------------------------------------------------

# (workload, label, path into the result, higher_is_better, target ratio or None)
ROWS = [
    ("W1", "log-metric, 1 client (req/s)", ("W1", "rps"), True, 20),
    ("W2", "log-batch 1000 pts, 8 clients (points/s)", ("W2", "points_per_s"), True, 20),
    *[
        row
        for q, label in [
            ("metric_filter_order", "metric filter + order_by metric"),
            ("param_equality", "param equality"),
            ("tag_like", "tag LIKE"),
            ("status_filter", "status filter"),
            ("page5_of_100", "page 5 of 100"),
        ]
        for row in [
            ("W3", f"search: {label}, p50 (ms)", ("W3", "queries", q, "p50_ms"), False, None),
            ("W3", f"search: {label}, p95 (ms)", ("W3", "queries", q, "p95_ms"), False, 20),
        ]
    ],
    ("W3", "seeding (runs/s, not a target)", ("W3", "seed_runs_per_s"), True, None),
    ("W4", "get-history, all pages (s)", ("W4", "history_all_pages_s"), False, 10),
    ("W4", "get-history-bulk-interval p50 (ms)", ("W4", "bulk_interval_p50_ms"), False, 10),
    ("W5", "upload big file (MiB/s)", ("W5", "big_upload_mib_per_s"), True, 2),
    ("W5", "download big file (MiB/s)", ("W5", "big_download_mib_per_s"), True, 2),
    ("W5", "upload 4 KiB files (files/s)", ("W5", "small_upload_files_per_s"), True, 10),
    ("W5", "download 4 KiB files (files/s)", ("W5", "small_download_files_per_s"), True, 10),
    ("W6", "idle RSS, process tree (MiB)", ("W6", "idle_rss_kib"), False, 50),
    ("W6", "idle PSS, process tree (MiB)", ("W6", "idle_pss_kib"), False, None),
    ("W6", "peak RSS during W2 (MiB)", ("W6", "peak_rss_w2_kib"), False, None),
    ("W6", "start to first 200 (ms)", ("W6", "ready_ms"), False, None),
]


def dig(d, path):
    for p in path:
        if not isinstance(d, dict) or p not in d:
            return None
        d = d[p]
    return d


def fmt(v, kib: bool) -> str:
    if v is None:
        return "–"
    if kib:
        v = v / 1024
    if v >= 1000:
        return f"{v:,.0f}"
    if v >= 10:
        return f"{v:.1f}"
    return f"{v:.2f}"


def table_rows(results: dict) -> list[dict]:
    ml = results["servers"].get("mlflow", {})
    ff = results["servers"].get("ferroflow", {})
    rows = []
    for wl, label, path, higher, target in ROWS:
        a, b = dig(ml, path), dig(ff, path)
        if a is None and b is None:
            continue
        ratio = None
        if a and b:
            ratio = (b / a) if higher else (a / b)
        met = None
        if label.startswith("start to first 200") and b is not None:
            met, target_s = b < 100, "< 100 ms"
        elif target is not None:
            target_s = f"≥ {target}x" if not label.startswith("idle RSS") else "≤ 1/50"
            met = ratio is not None and ratio >= target
        else:
            target_s = ""
        kib = path[-1].endswith("_kib")
        rows.append(
            {
                "workload": wl,
                "label": label,
                "mlflow": fmt(a, kib),
                "ferroflow": fmt(b, kib),
                "ratio": "–" if ratio is None else (f"{ratio:,.1f}x" if ratio >= 10 else f"{ratio:.2f}x"),
                "ratio_value": ratio,
                "target": target_s,
                "met": "" if met is None or not target_s else ("yes" if met else "NO"),
                "raw": (a, b, kib),
            }
        )
    return rows


def markdown_table(rows, ff_label: str) -> str:
    out = [
        f"| | measure | mlflow {MLFLOW_VERSION} | {ff_label} | ratio (>1 = Ferroflow better) | target | met |",
        "|---|---|--:|--:|--:|---|---|",
    ]
    for r in rows:
        out.append(f"| {r['workload']} | {r['label']} | {r['mlflow']} | {r['ferroflow']} | {r['ratio']} | {r['target']} | {r['met']} |")
    return "\n".join(out)


def print_table(rows, ff_label: str) -> None:
    cols = ["", "measure", f"mlflow {MLFLOW_VERSION}", ff_label, "ratio", "target", "met"]
    data = [[r["workload"], r["label"], r["mlflow"], r["ferroflow"], r["ratio"], r["target"], r["met"]] for r in rows]
    widths = [max(len(str(x)) for x in [c] + [d[i] for d in data]) for i, c in enumerate(cols)]
    right = {2, 3, 4}

    def line(vals):
        return "  ".join(str(v).rjust(w) if i in right else str(v).ljust(w) for i, (v, w) in enumerate(zip(vals, widths)))

    print(line(cols))
    print("  ".join("-" * w for w in widths))
    for d in data:
        print(line(d))


def generator_warnings(results: dict) -> list[str]:
    """Flag figures that the load generator, not the server, may have capped."""
    gen = results.get("generator") or {}
    out = []
    for name, srv in results["servers"].items():
        w1, w2 = srv.get("W1"), srv.get("W2")
        if w1 and gen and w1["rps"] > 0.5 * gen["w1_rps"]:
            out.append(f"{name} W1 reached {w1['rps']:,.0f} req/s, over half the generator ceiling ({gen['w1_rps']:,.0f})")
        if w2 and gen and w2["points_per_s"] > 0.5 * gen["w2_points_per_s"]:
            out.append(f"{name} W2 reached {w2['points_per_s']:,.0f} points/s, over half the generator ceiling ({gen['w2_points_per_s']:,.0f})")
        if w2 and w2["seconds"] < 2.0:
            out.append(f"{name} W2 used up its pre-encoded bodies in {w2['seconds']:.2f}s; raise w2_batches for a steadier figure")
    return out


# -- charts + docs -----------------------------------------------------------------------------


def charts(rows, out_dir: Path, ff_label: str) -> list[str]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for wl in ALL:
        rs = [r for r in rows if r["workload"] == wl and r["raw"][0] is not None and r["raw"][1] is not None]
        if not rs:
            continue
        fig, axes = plt.subplots(1, len(rs), figsize=(2.6 * len(rs) + 0.6, 3.4), squeeze=False)
        for ax, r in zip(axes[0], rs):
            a, b, kib = r["raw"]
            vals = [a / 1024, b / 1024] if kib else [a, b]
            bars = ax.bar([f"mlflow {MLFLOW_VERSION}", ff_label.split(" (")[0]], vals, color=["#9aa5b1", "#d9534f"])
            for bar, v in zip(bars, vals):
                ax.annotate(fmt(v, False), (bar.get_x() + bar.get_width() / 2, v), ha="center", va="bottom", fontsize=8)
            if max(vals) / max(min(vals), 1e-12) > 20:
                ax.set_yscale("log")
            ax.set_title(f"{r['label']}\n{r['ratio']} (>1 = Ferroflow better)", fontsize=8)
            ax.tick_params(labelsize=8)
        fig.tight_layout()
        path = out_dir / f"{wl.lower()}.png"
        fig.savefig(path, dpi=110)
        plt.close(fig)
        written.append(path.name)
    return written


BEGIN, END = "<!-- bench:results:begin -->", "<!-- bench:results:end -->"


def write_docs(results: dict, rows, ff_label: str, chart_files: list[str]) -> Path:
    doc = REPO / "docs" / "benchmarks.md"
    m = results["machine"]
    scale = results["scale_name"]
    gen = results.get("generator", {})
    body = [
        BEGIN,
        f"Generated by `python3 bench/run.py{' --quick' if scale == 'quick' else ''}` on {m['date']}"
        f" (git `{m['git_rev'] or '?'}`, scale **{scale}**).",
        "",
        f"Machine: {m['nproc']} CPUs ({m['cpu_model']}), {m['memory_gib']} GiB RAM, Linux {m['kernel']},"
        f" Python {m['python']}; load average at start {', '.join(f'{x:.2f}' for x in m['load_avg_at_start'])}.",
        f"Versions: official mlflow {m['mlflow']} (`mlflow server`, 4 workers, SQLite);"
        f" {m['ferroflow'] or ff_label} (SQLite).",
        "",
        markdown_table(rows, ff_label),
        "",
    ]
    if gen:
        body += [
            "Load generator ceiling against a do-nothing local HTTP server (a lower bound: that server"
            f" is single-threaded Python): W1 loop {gen['w1_rps']:,.0f} req/s"
            f" ({gen['w1_client_cpu_us_per_req']:.0f} µs of generator CPU per request);"
            f" W2 clients {gen['w2_points_per_s']:,.0f} points/s. A server figure close to these"
            " numbers is limited by the generator, not the server.",
            "",
        ]
    for w in results.get("warnings", []):
        body += [f"**Warning:** {w}.", ""]
    for f in chart_files:
        body.append(f"![{f[:-4].upper()}](bench/{f})")
    body.append(END)
    block = "\n".join(body)
    text = doc.read_text() if doc.exists() else f"# Benchmarks\n\n{BEGIN}\n{END}\n"
    if BEGIN in text and END in text:
        pre, rest = text.split(BEGIN, 1)
        post = rest.split(END, 1)[1]
        text = pre + block + post
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    doc.write_text(text)
    return doc


# -- main --------------------------------------------------------------------------------------


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="small scale: a couple of minutes")
    ap.add_argument("--only", default=",".join(ALL), help="comma-separated workloads, e.g. W1,W3")
    ap.add_argument("--ferroflow-bin", default=str(REPO / "target" / "release" / "ferroflow"))
    ap.add_argument("--mlflow-venv", default=str(DEFAULT_VENV))
    ap.add_argument("--servers", default="mlflow,ferroflow", help="which servers to run (default both)")
    ap.add_argument(
        "--standin",
        action="store_true",
        help="harness self-test: a second official server plays the ferroflow column",
    )
    ap.add_argument("--write-docs", action="store_true", help="also update docs/benchmarks.md after a --quick run")
    ap.add_argument("--no-docs", action="store_true", help="never touch docs/")
    args = ap.parse_args()

    venv = Path(args.mlflow_venv).expanduser().resolve()
    py = ensure_venv(venv)
    if Path(sys.prefix).resolve() != venv and os.environ.get("FERROFLOW_BENCH_REEXEC") != "1":
        # Re-run inside the venv so matplotlib is importable; the generator itself is stdlib only.
        os.environ["FERROFLOW_BENCH_REEXEC"] = "1"
        os.execv(str(py), [str(py), str(Path(__file__).resolve()), *sys.argv[1:]])
    sys.path.insert(0, str(HERE))
    import workloads as W
    from servers import Server

    scale_name = "quick" if args.quick else "full"
    scale = SCALES[scale_name]
    only = [w.strip().upper() for w in args.only.split(",") if w.strip()]
    bad = [w for w in only if w not in ALL]
    if bad:
        ap.error(f"unknown workload(s) {bad}; choose from {ALL}")
    which = [s.strip() for s in args.servers.split(",") if s.strip()]

    ff_bin = None if args.standin else str(Path(args.ferroflow_bin).resolve())
    if "ferroflow" in which and ff_bin and not os.access(ff_bin, os.X_OK):
        print(f"error: ferroflow binary {ff_bin} not found (build it: cargo build --release -p ferroflow-cli)", file=sys.stderr)
        return 2
    ff_label = "ferroflow (stand-in: mlflow)" if args.standin else "ferroflow"

    mlflow_bin = str(venv / "bin" / "mlflow")

    def mlflow_argv(port, wd):
        return [mlflow_bin, "server", "--host", "127.0.0.1", "--port", str(port),
                "--backend-store-uri", f"sqlite:///{wd}/mlflow.db", "--artifacts-destination", str(wd / "artifacts")]

    def ferroflow_argv(port, wd):
        return [ff_bin, "server", "--host", "127.0.0.1", "--port", str(port),
                "--backend-store-uri", f"sqlite:///{wd}/ferroflow.db", "--artifacts-destination", str(wd / "artifacts")]

    tmp = Path(tempfile.mkdtemp(prefix="ferroflow-bench-"))
    results = {
        "scale_name": scale_name,
        "scale": scale,
        "only": only,
        "machine": machine_facts(venv, ff_bin),
        "servers": {},
    }
    print(f"[bench] scale={scale_name} workloads={','.join(only)} stores under {tmp}", flush=True)
    t_all = time.perf_counter()
    try:
        if "W1" in only or "W2" in only:
            print("[bench] measuring the load generator's ceiling ...", flush=True)
            bodies = W.w2_bodies(["0" * 32] * scale["w2_clients"], scale["w2_batches"])
            results["generator"] = W.generator_ceiling(sys.executable, scale, bodies)
            g = results["generator"]
            print(
                f"[bench] generator ceiling: W1 {g['w1_rps']:,.0f} req/s "
                f"({g['w1_client_cpu_us_per_req']:.0f} µs CPU/req), W2 {g['w2_points_per_s']:,.0f} points/s",
                flush=True,
            )
        startups = scale["startups"] if "W6" in only else 1
        if "mlflow" in which:
            srv = Server(f"mlflow {MLFLOW_VERSION}", mlflow_argv, tmp / "mlflow")
            results["servers"]["mlflow"] = bench_server(srv, only, scale, startups)
        if "ferroflow" in which:
            argv = mlflow_argv if args.standin else ferroflow_argv
            srv = Server(ff_label, argv, tmp / "ferroflow")
            results["servers"]["ferroflow"] = bench_server(srv, only, scale, startups)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    results["total_seconds"] = time.perf_counter() - t_all

    rows = table_rows(results)
    print()
    print_table(rows, ff_label)
    print(f"\n[bench] total {results['total_seconds']:.0f}s; every workload's data was read back and verified.")
    results["warnings"] = generator_warnings(results)
    for warning in results["warnings"]:
        print(f"[bench] WARNING: {warning}")

    res_dir = HERE / "results"
    res_dir.mkdir(exist_ok=True)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    out = res_dir / f"{stamp}-{scale_name}.json"
    results["table"] = [{k: v for k, v in r.items() if k != "raw"} for r in rows]
    out.write_text(json.dumps(results, indent=2))
    print(f"[bench] results: {out}")
    both = {"mlflow", "ferroflow"} <= set(results["servers"])
    if both and not args.no_docs and (scale_name == "full" or args.write_docs):
        files = charts(rows, REPO / "docs" / "bench", ff_label)
        doc = write_docs(results, rows, ff_label, files)
        print(f"[bench] wrote {doc} and {len(files)} charts under docs/bench/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
