"""Stress and durability: many concurrent official clients, SIGKILL of the server mid-stream,
and a 1 GiB artifact through the proxy with the server's memory watched."""

from __future__ import annotations

import contextlib
import hashlib
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import mlflow
import pytest
from mlflow import MlflowClient

from serverctl import read_status_kib, report

HELPERS = Path(__file__).resolve().parent / "helpers"
pytestmark = pytest.mark.stress


def helper_env(url: str) -> dict:
    env = dict(os.environ)
    env["MLFLOW_TRACKING_URI"] = url
    env["MLFLOW_HTTP_REQUEST_MAX_RETRIES"] = "0"
    return env


def wait_for(predicate, timeout: float, what: str, procs=()):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        for p in procs:
            if p.poll() not in (None, 0):
                raise AssertionError(f"helper exited with {p.returncode} while waiting for {what}: {p.stderr_text()}")
        time.sleep(0.05)
    raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")


class Helper:
    """A helper script in its own interpreter: a separate official client process."""

    def __init__(self, script: str, args: list[str], url: str, log_dir: Path, name: str):
        self.err_path = log_dir / f"{name}.stderr"
        with open(self.err_path, "wb") as err:
            self.proc = subprocess.Popen(
                [sys.executable, str(HELPERS / script), *map(str, args)],
                env=helper_env(url),
                stdout=subprocess.DEVNULL,
                stderr=err,
            )

    def poll(self):
        return self.proc.poll()

    @property
    def returncode(self):
        return self.proc.returncode

    def stderr_text(self) -> str:
        return self.err_path.read_text(errors="replace")[-3000:]

    def wait(self, timeout: float) -> int:
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            raise AssertionError(f"helper did not finish in {timeout}s: {self.stderr_text()}")

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


# ------------------------------------------------------------------------------------------
# 8 concurrent clients x 10,000 points


N_CLIENTS = 8
N_POINTS = 10_000


def test_concurrent_clients_lose_no_points(server, client, unique, tmp_path):
    exp_id = client.create_experiment(unique("concurrent"))
    run_ids = [client.create_run(exp_id, run_name=f"client-{i}").info.run_id for i in range(N_CLIENTS)]
    go = tmp_path / "go"
    helpers = [
        Helper("batch_logger.py", [rid, N_POINTS, 10, tmp_path / f"ready-{i}", go], server.url, tmp_path, f"logger-{i}")
        for i, rid in enumerate(run_ids)
    ]
    try:
        wait_for(
            lambda: all((tmp_path / f"ready-{i}").exists() for i in range(N_CLIENTS)),
            240, "all clients to import mlflow", helpers,
        )
        started = time.monotonic()
        go.touch()
        for h in helpers:
            code = h.wait(timeout=600)
            assert code == 0, f"client process failed: {h.stderr_text()}"
        elapsed = time.monotonic() - started
    finally:
        for h in helpers:
            h.kill()
    report(
        f"concurrency: {N_CLIENTS} clients x {N_POINTS} points via log_batch in {elapsed:.1f}s "
        f"({N_CLIENTS * N_POINTS / elapsed:.0f} points/s)"
    )

    expected = {(s, s * 0.25, 1_700_000_000_000 + s) for s in range(N_POINTS)}
    for rid in run_ids:
        hist = client.get_metric_history(rid, "stress")
        got = [(m.step, m.value, m.timestamp) for m in hist]
        assert len(got) == N_POINTS, f"run {rid}: {len(got)} of {N_POINTS} points"
        assert set(got) == expected, f"run {rid}: points differ"
        run = client.get_run(rid)
        assert run.data.metrics["stress"] == (N_POINTS - 1) * 0.25
        assert run.info.status == "FINISHED"
    found = client.search_runs([exp_id], filter_string=f"metrics.stress = {(N_POINTS - 1) * 0.25}")
    assert len(found) == N_CLIENTS


# ------------------------------------------------------------------------------------------
# SIGKILL durability


BATCH = 50
N_WRITERS = 2
KILL_CYCLES = 3


def count_lines(path: Path) -> int:
    try:
        with open(path) as f:
            return sum(1 for _ in f)
    except FileNotFoundError:
        return 0


def test_acknowledged_writes_survive_sigkill(spawn_server, unique, tmp_path):
    srv = spawn_server()
    client = MlflowClient(tracking_uri=srv.url)
    exp_id = client.create_experiment(unique("durable"))
    run_ids = [client.create_run(exp_id).info.run_id for _ in range(N_WRITERS)]
    stop = tmp_path / "stop"
    acks = [tmp_path / f"acks-{i}" for i in range(N_WRITERS)]
    fails = [tmp_path / f"fails-{i}" for i in range(N_WRITERS)]
    writers = [
        Helper("ack_writer.py", [rid, BATCH, acks[i], fails[i], stop], srv.url, tmp_path, f"writer-{i}")
        for i, rid in enumerate(run_ids)
    ]
    try:
        for cycle in range(KILL_CYCLES):
            floor = [count_lines(a) for a in acks]
            wait_for(
                lambda: all(count_lines(a) >= f + 20 for a, f in zip(acks, floor)),
                240, f"writers to get 20 more acknowledgements (cycle {cycle})", writers,
            )
            # Kill while the writers are mid-stream: no graceful shutdown, no flush.
            srv.kill()
            time.sleep(0.3)
            srv.start()
        floor = [count_lines(a) for a in acks]
        wait_for(
            lambda: all(count_lines(a) >= f + 20 for a, f in zip(acks, floor)),
            240, "writers to make progress after the last restart", writers,
        )
    finally:
        stop.touch()
        for w in writers:
            with contextlib.suppress(AssertionError):
                w.wait(timeout=60)
            w.kill()

    for i, rid in enumerate(run_ids):
        acked = {int(line) for line in acks[i].read_text().split()}
        failed = {int(line.split()[0]) for line in fails[i].read_text().splitlines() if line.strip()}
        assert failed, "the writer never saw the server down: the kill did not happen mid-stream"
        hist = client.get_metric_history(rid, "durable")
        stored = {}
        for m in hist:
            assert m.value == m.step * 0.5 and m.timestamp == 1_700_000_000_000 + m.step, m
            stored.setdefault(m.step // BATCH, set()).add(m.step)
        lost = sorted(b for b in acked if len(stored.get(b, ())) != BATCH)
        assert not lost, f"run {rid}: acknowledged batches missing or partial after SIGKILL: {lost[:20]}"
        # Nothing that was never sent appears, and an unacknowledged batch is all-or-nothing.
        sent = acked | failed
        assert set(stored) <= sent
        partial = sorted(b for b, steps in stored.items() if len(steps) != BATCH)
        assert not partial, f"run {rid}: partially stored batches: {partial[:20]}"
        # The latest-value view agrees with the history after recovery.
        run = client.get_run(rid)
        max_step = max(m.step for m in hist)
        assert run.data.metrics["durable"] == max_step * 0.5
        assert int(run.data.tags["last_batch"]) >= max(acked)
        report(
            f"sigkill durability: run {i}: {len(acked)} acknowledged batches all present "
            f"after {KILL_CYCLES} kills ({len(failed)} attempts failed while down, "
            f"{len(set(stored) - acked)} unacknowledged batches stored)"
        )


# ------------------------------------------------------------------------------------------
# 1 GiB artifact through the proxy


GIB = 1 << 30
MIB = 1 << 20
RSS_LIMIT_MIB = 100


def make_big_file(path: Path) -> str:
    """A sparse 1 GiB file with random 1 MiB islands, so it is written in well under a second
    but any reordering, truncation or dropped chunk changes its digest."""
    with open(path, "wb") as f:
        f.truncate(GIB)
        for offset in range(0, GIB, 64 * MIB):
            f.seek(offset + (offset // (64 * MIB)) * 4099)
            f.write(os.urandom(MIB))
        f.seek(GIB - 4096)
        f.write(os.urandom(4096))
    return sha256_file(path)


def sha256_file(path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(8 * MIB):
            h.update(chunk)
    return h.hexdigest()


class RssSampler(threading.Thread):
    def __init__(self, srv, interval: float = 0.1):
        super().__init__(daemon=True)
        self.srv, self.interval = srv, interval
        self.peak_kib = 0
        self.samples = 0
        self._halt = threading.Event()

    def current_kib(self) -> int:
        # ferroflow is one process; the official server is a tree of workers, so sum the tree.
        pids = [self.srv.pid] if self.srv.kind == "ferroflow" else self.srv.process_tree()
        return sum(read_status_kib(p, "VmRSS") or 0 for p in pids)

    def run(self):
        while not self._halt.is_set():
            self.peak_kib = max(self.peak_kib, self.current_kib())
            self.samples += 1
            self._halt.wait(self.interval)

    def stop(self):
        self._halt.set()
        self.join()


@contextlib.contextmanager
def tracking_uri(url):
    previous = mlflow.get_tracking_uri()
    mlflow.set_tracking_uri(url)
    try:
        yield
    finally:
        mlflow.set_tracking_uri(previous)


def test_one_gib_artifact_streams_with_bounded_memory(spawn_server, unique, tmp_path):
    srv = spawn_server()
    big = tmp_path / "big.bin"
    dl = tmp_path / "download"
    try:
        t0 = time.monotonic()
        digest = make_big_file(big)
        gen_s = time.monotonic() - t0
        sampler = RssSampler(srv)
        baseline_kib = sampler.current_kib()
        sampler.start()
        try:
            with tracking_uri(srv.url):
                mlflow.set_experiment(unique("big"))
                with mlflow.start_run() as run:
                    t0 = time.monotonic()
                    mlflow.log_artifact(str(big), artifact_path="blobs")
                    up_s = time.monotonic() - t0
                (entry,) = mlflow.artifacts.list_artifacts(artifact_uri=f"{run.info.artifact_uri}/blobs")
                assert (entry.path, entry.is_dir, entry.file_size) == ("blobs/big.bin", False, GIB)
                big.unlink()  # keep peak disk use at ~1 GiB of test data plus the server copy
                t0 = time.monotonic()
                # By artifact URI: the proxy GET alone (runs:/ resolution is covered elsewhere).
                local = mlflow.artifacts.download_artifacts(
                    artifact_uri=f"{run.info.artifact_uri}/blobs/big.bin", dst_path=str(dl)
                )
                down_s = time.monotonic() - t0
        finally:
            sampler.stop()
        assert os.path.getsize(local) == GIB
        assert sha256_file(local) == digest, "downloaded bytes differ from the uploaded file"

        hwm_kib = (read_status_kib(srv.pid, "VmHWM") or 0) if srv.kind == "ferroflow" else 0
        peak_mib = max(sampler.peak_kib, hwm_kib) / 1024
        report(
            f"1 GiB artifact ({srv.kind}): generate {gen_s:.1f}s, upload {up_s:.1f}s, "
            f"download {down_s:.1f}s; server RSS baseline {baseline_kib / 1024:.1f} MiB, "
            f"sampled peak {sampler.peak_kib / 1024:.1f} MiB over {sampler.samples} samples"
            + (f", VmHWM {hwm_kib / 1024:.1f} MiB" if srv.kind == "ferroflow" else " (sum over worker tree)")
        )
        assert sampler.samples >= 5, "RSS sampler did not run during the transfer"
        if srv.kind == "ferroflow":
            assert peak_mib < RSS_LIMIT_MIB, (
                f"ferroflow peak RSS {peak_mib:.1f} MiB >= {RSS_LIMIT_MIB} MiB while moving 1 GiB: "
                "the artifact path buffers instead of streaming"
            )
    finally:
        big.unlink(missing_ok=True)
        if dl.exists():
            for p in sorted(dl.rglob("*"), reverse=True):
                p.unlink() if p.is_file() else p.rmdir()
