"""Start, stop and crash a tracking server (ferroflow or the official mlflow) for the compat suite.

Both servers get the same MLflow command line so a test that passes against `mlflow server`
is a statement about MLflow's behaviour, and the same test against `ferroflow server` checks
that we reproduce it.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

REPO_ROOT = Path(__file__).resolve().parent.parent
SERVER_KINDS = ("ferroflow", "mlflow")

# The official server runs schema migrations on a fresh SQLite file and imports a large
# package tree; on a loaded 2-core machine that has been observed to take ~45 s.
DEFAULT_STARTUP_TIMEOUT = float(os.environ.get("COMPAT_STARTUP_TIMEOUT", "240"))


def server_kind() -> str:
    kind = os.environ.get("COMPAT_SERVER", "ferroflow").strip().lower()
    if kind not in SERVER_KINDS:
        raise RuntimeError(f"COMPAT_SERVER must be one of {SERVER_KINDS}, got {kind!r}")
    return kind


def ferroflow_binary() -> Path:
    return Path(os.environ.get("FERROFLOW_BIN", REPO_ROOT / "target" / "release" / "ferroflow"))


def mlflow_executable() -> Path:
    """The `mlflow` console script of the venv running the tests (same pinned version)."""
    venv = os.environ.get("FERROFLOW_VENV")
    candidates = []
    if venv:
        candidates.append(Path(venv) / "bin" / "mlflow")
    candidates.append(Path(sys.executable).parent / "mlflow")
    for c in candidates:
        if c.is_file():
            return c
    raise RuntimeError(f"no mlflow executable found (looked at {[str(c) for c in candidates]})")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _tail(path: Path, limit: int = 6000) -> str:
    try:
        data = path.read_bytes()
    except OSError:
        return "<no output file>"
    return data[-limit:].decode("utf-8", "replace")


class ServerProcess:
    """One server on a fixed store directory. It can be crashed and restarted on the same store
    and port, which is what the durability test needs."""

    def __init__(
        self,
        kind: str | None = None,
        store_dir: Path | None = None,
        workers: int = 2,
        serve_artifacts: bool = True,
        extra_args: list[str] | None = None,
    ):
        self.kind = kind or server_kind()
        self._own_dir = store_dir is None
        self.store_dir = Path(store_dir or tempfile.mkdtemp(prefix=f"compat-{self.kind}-"))
        self.db_path = self.store_dir / "tracking.db"
        self.artifacts_dir = self.store_dir / "artifacts"
        self.artifacts_dir.mkdir(parents=True, exist_ok=True)
        self.workers = workers
        self.serve_artifacts = serve_artifacts
        # Flags both servers accept, appended as given (e.g. `--disable-security-middleware`).
        self.extra_args = list(extra_args or [])
        # Without the proxy, clients write straight to this shared directory.
        self.direct_root = self.store_dir / "direct-artifacts"
        self.port = free_port()
        self.proc: subprocess.Popen | None = None
        self.starts = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def command(self) -> list[str]:
        flags = [
            "server",
            "--host", "127.0.0.1",
            "--port", str(self.port),
            "--backend-store-uri", f"sqlite:///{self.db_path}",
            "--artifacts-destination", str(self.artifacts_dir),
            "--workers", str(self.workers),
        ]
        if self.serve_artifacts:
            flags += ["--default-artifact-root", "mlflow-artifacts:/", "--serve-artifacts"]
        else:
            flags += ["--default-artifact-root", str(self.direct_root), "--no-serve-artifacts"]
        flags += self.extra_args
        if self.kind == "ferroflow":
            binary = ferroflow_binary()
            if not binary.is_file() or not os.access(binary, os.X_OK):
                # Deliberately a hard failure, never a skip: a missing binary must not turn
                # the compatibility suite green.
                raise RuntimeError(
                    f"ferroflow binary not found or not executable at {binary}. "
                    "Build it with `cargo build --release -p ferroflow-cli` or set FERROFLOW_BIN. "
                    "(Set COMPAT_SERVER=mlflow to run the suite against the official server.)"
                )
            return [str(binary), *flags]
        return [str(mlflow_executable()), *flags]

    def start(self, timeout: float = DEFAULT_STARTUP_TIMEOUT) -> "ServerProcess":
        assert self.proc is None or self.proc.poll() is not None, "server already running"
        self.starts += 1
        self.stdout_path = self.store_dir / f"server-{self.starts}.stdout"
        self.stderr_path = self.store_dir / f"server-{self.starts}.stderr"
        env = dict(os.environ)
        env.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")
        env.setdefault("DO_NOT_TRACK", "true")
        env.setdefault("RUST_BACKTRACE", "1")
        env.pop("MLFLOW_TRACKING_URI", None)
        if self.kind == "mlflow":
            # The official server otherwise forks a job runner and ~8 huey consumers (GenAI
            # background jobs) that tracking never uses; they only cost CPU on a 2-core box.
            env.setdefault("MLFLOW_SERVER_ENABLE_JOB_EXECUTION", "false")
        with open(self.stdout_path, "wb") as out, open(self.stderr_path, "wb") as err:
            # A new session so a crash test can SIGKILL the whole server tree (the official
            # server is a launcher plus uvicorn workers) without touching pytest.
            self.proc = subprocess.Popen(
                self.command(),
                cwd=self.store_dir,
                stdout=out,
                stderr=err,
                stdin=subprocess.DEVNULL,
                env=env,
                start_new_session=True,
            )
        self._wait_healthy(timeout)
        return self

    def _wait_healthy(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        last_error = "no attempt"
        while time.monotonic() < deadline:
            code = self.proc.poll()
            if code is not None:
                raise RuntimeError(
                    f"{self.kind} server exited with status {code} before becoming healthy.\n"
                    f"command: {' '.join(self.command())}\n"
                    f"--- stderr ---\n{_tail(self.stderr_path)}\n"
                    f"--- stdout ---\n{_tail(self.stdout_path)}"
                )
            try:
                r = requests.get(f"{self.url}/health", timeout=2)
                if r.status_code == 200:
                    return
                last_error = f"HTTP {r.status_code}: {r.text[:200]}"
            except requests.RequestException as e:
                last_error = repr(e)
            time.sleep(0.2)
        self.kill()
        raise RuntimeError(
            f"{self.kind} server did not answer /health within {timeout:.0f}s "
            f"(last error: {last_error}).\n"
            f"--- stderr ---\n{_tail(self.stderr_path)}\n"
            f"--- stdout ---\n{_tail(self.stdout_path)}"
        )

    def startup_output(self) -> str:
        return _tail(self.stdout_path, 20000) + _tail(self.stderr_path, 20000)

    def process_tree(self) -> list[int]:
        """Pids of the server and all its descendants (the official server forks workers)."""
        if self.proc is None:
            return []
        children: dict[int, list[int]] = {}
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                with open(f"/proc/{entry}/stat") as f:
                    stat = f.read()
            except OSError:
                continue
            # The command name is parenthesised and may contain spaces; ppid follows it.
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            children.setdefault(ppid, []).append(int(entry))
        tree, todo = [], [self.proc.pid]
        while todo:
            pid = todo.pop()
            tree.append(pid)
            todo.extend(children.get(pid, []))
        return tree

    def kill(self) -> None:
        """SIGKILL the whole server process group: no graceful shutdown, no flush."""
        if self.proc is None or self.proc.poll() is not None:
            return
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.proc.wait(timeout=30)

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            return
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.kill()
        # Reap stragglers of the official server's tree that ignored SIGTERM.
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass

    def cleanup(self) -> None:
        self.stop()
        if self._own_dir and os.environ.get("COMPAT_KEEP_STORES") != "1":
            shutil.rmtree(self.store_dir, ignore_errors=True)


# Lines collected by tests (measurements, notes) and printed in the terminal summary by
# conftest, so a CI log shows e.g. the peak RSS without running pytest with -s.
REPORT_LINES: list[str] = []


def report(line: str) -> None:
    REPORT_LINES.append(line)


def read_status_kib(pid: int, field: str) -> int | None:
    """A `/proc/<pid>/status` memory field (VmRSS, VmHWM) in KiB, None if the pid is gone."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None
