"""Start/stop the servers under test and measure their memory from /proc."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import threading
import time
from pathlib import Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _children_map() -> dict[int, list[int]]:
    kids: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as f:
                stat = f.read()
        except OSError:
            continue
        # The command name may contain spaces and parentheses: fields start after the last ')'.
        ppid = int(stat[stat.rindex(b")") + 2 :].split()[1])
        kids.setdefault(ppid, []).append(int(entry))
    return kids


def process_tree(root: int) -> list[int]:
    kids = _children_map()
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo.extend(kids.get(pid, []))
    return out


def _status_kib(pid: int, field: str) -> int:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def _pss_kib(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def tree_memory(root: int) -> dict:
    """RSS summed over the process tree (what the issue asks for; double-counts pages shared
    between mlflow's forked workers) and PSS (shared pages split fairly) for honesty."""
    pids = process_tree(root)
    return {
        "rss_kib": sum(_status_kib(p, "VmRSS") for p in pids),
        "pss_kib": sum(_pss_kib(p) for p in pids),
        "processes": len(pids),
    }


class RssSampler:
    """Samples the tree's RSS every `interval` seconds in a thread; keeps the peak."""

    def __init__(self, root: int, interval: float = 0.05):
        self.root, self.interval = root, interval
        self.peak_rss_kib = 0
        self.peak_pss_kib = 0
        self._stop = threading.Event()
        self._t = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            m = tree_memory(self.root)
            self.peak_rss_kib = max(self.peak_rss_kib, m["rss_kib"])
            self.peak_pss_kib = max(self.peak_pss_kib, m["pss_kib"])
            self._stop.wait(self.interval)

    def __enter__(self):
        self._t.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._t.join()
        m = tree_memory(self.root)  # one last sample so short workloads still register
        self.peak_rss_kib = max(self.peak_rss_kib, m["rss_kib"])
        self.peak_pss_kib = max(self.peak_pss_kib, m["pss_kib"])


def _probe(port: int, path: str) -> int | None:
    """One request on a fresh connection; status code, or None if nothing answers yet."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=2) as s:
            s.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n".encode())
            data = s.recv(64)
        if not data.startswith(b"HTTP/1."):
            return None
        return int(data.split(b" ", 2)[1])
    except (OSError, ValueError, IndexError):
        return None


class Server:
    """A server process started in its own session so the whole tree can be signalled."""

    def __init__(self, label: str, argv_for_port, workdir: Path):
        self.label = label
        self.argv_for_port = argv_for_port
        self.workdir = workdir
        self.proc: subprocess.Popen | None = None
        self.port = 0
        self.ready_s = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 180.0) -> float:
        """Start on a free port with a fresh store; returns seconds from spawn to the first 200."""
        if self.workdir.exists():
            shutil.rmtree(self.workdir)
        self.workdir.mkdir(parents=True)
        self.port = free_port()
        argv = self.argv_for_port(self.port, self.workdir)
        log = open(self.workdir / "server.log", "wb")
        t0 = time.perf_counter()
        self.proc = subprocess.Popen(
            argv, cwd=self.workdir, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        path = "/health"
        while True:
            status = _probe(self.port, path)
            if status == 200:
                self.ready_s = time.perf_counter() - t0
                return self.ready_s
            if status == 404 and path == "/health":
                # A server without /health: fall back to a real API read.
                path = "/api/2.0/mlflow/experiments/get?experiment_id=0"
                continue
            if self.proc.poll() is not None:
                raise RuntimeError(
                    f"{self.label} exited with {self.proc.returncode} before answering; "
                    f"log: {self.workdir / 'server.log'}\n{self.log_tail()}"
                )
            if time.perf_counter() - t0 > timeout:
                self.stop()
                raise RuntimeError(f"{self.label} did not answer within {timeout}s")
            time.sleep(0.002)

    def log_tail(self, n: int = 3000) -> str:
        try:
            return (self.workdir / "server.log").read_bytes()[-n:].decode(errors="replace")
        except OSError:
            return ""

    def memory(self) -> dict:
        return tree_memory(self.proc.pid)

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def stop(self) -> None:
        if self.proc is None:
            return
        pgid = self.proc.pid  # start_new_session: the server leads its own process group
        try:
            os.killpg(pgid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            pass
        try:  # stragglers (mlflow's workers / job runners) get SIGKILL
            os.killpg(pgid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass
        self.proc = None
