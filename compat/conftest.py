"""Fixtures for the compatibility suite: one real server per session, driven by the official
`mlflow` client. COMPAT_SERVER=ferroflow (default) or COMPAT_SERVER=mlflow selects the server.
"""

from __future__ import annotations

import os

# The client must fail fast: with its default policy a 5xx is retried with exponential backoff
# for minutes, which would hide a server bug behind a hung test. Set before mlflow is imported.
os.environ["MLFLOW_HTTP_REQUEST_MAX_RETRIES"] = "0"
os.environ["MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR"] = "0"
os.environ["MLFLOW_HTTP_REQUEST_BACKOFF_JITTER"] = "0"
os.environ.setdefault("MLFLOW_HTTP_REQUEST_TIMEOUT", "120")
os.environ["MLFLOW_DISABLE_TELEMETRY"] = "true"
os.environ["DO_NOT_TRACK"] = "true"
os.environ["MLFLOW_SUPPRESS_PRINTING_URL_TO_STDOUT"] = "true"
os.environ.setdefault("MPLBACKEND", "Agg")

import uuid  # noqa: E402

import mlflow  # noqa: E402
import pytest  # noqa: E402
from mlflow import MlflowClient  # noqa: E402

from serverctl import REPORT_LINES, ServerProcess, ferroflow_binary, server_kind  # noqa: E402

def pytest_report_header(config):
    return f"compat server: {server_kind()}"


def pytest_sessionstart(session):
    # One loud failure up front instead of every test erroring on the same missing binary.
    # Never a skip: a suite that silently skips would report green without testing anything.
    if server_kind() == "ferroflow":
        binary = ferroflow_binary()
        if not (binary.is_file() and os.access(binary, os.X_OK)):
            pytest.exit(
                f"FAIL: ferroflow binary not found or not executable at {binary}. Build it with "
                "`cargo build --release -p ferroflow-cli`, set FERROFLOW_BIN, or run against the "
                "official server with COMPAT_SERVER=mlflow.",
                returncode=1,
            )


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if REPORT_LINES:
        terminalreporter.section("compat measurements")
        for line in REPORT_LINES:
            terminalreporter.write_line(line)


@pytest.fixture(scope="session")
def server():
    srv = ServerProcess()
    try:
        srv.start()
    except Exception:
        srv.cleanup()
        raise
    previous = os.environ.get("MLFLOW_TRACKING_URI")
    os.environ["MLFLOW_TRACKING_URI"] = srv.url
    mlflow.set_tracking_uri(srv.url)
    yield srv
    srv.cleanup()
    if previous is None:
        os.environ.pop("MLFLOW_TRACKING_URI", None)
    else:
        os.environ["MLFLOW_TRACKING_URI"] = previous


@pytest.fixture(scope="session")
def tracking_uri(server) -> str:
    return server.url


@pytest.fixture(scope="session")
def client(server) -> MlflowClient:
    return MlflowClient(tracking_uri=server.url)


@pytest.fixture
def spawn_server():
    """Factory for a dedicated server (crash tests, memory measurement) that must not disturb
    the shared session server. Everything it starts is stopped and removed afterwards."""
    started: list[ServerProcess] = []

    def _spawn(**kwargs) -> ServerProcess:
        srv = ServerProcess(**kwargs)
        started.append(srv)
        return srv.start()

    yield _spawn
    for srv in started:
        srv.cleanup()


@pytest.fixture(autouse=True)
def _no_leaked_active_run(server):
    """The fluent API keeps a process-global run stack; a failing test must not leave a run
    active for the next one."""
    yield
    while mlflow.active_run() is not None:
        mlflow.end_run()


@pytest.fixture
def unique():
    def _unique(prefix: str = "compat") -> str:
        return f"{prefix}-{uuid.uuid4().hex[:12]}"

    return _unique


@pytest.fixture
def experiment_id(client, unique) -> str:
    return client.create_experiment(unique("exp"))
