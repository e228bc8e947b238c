"""Server started with --no-serve-artifacts: artifact locations point at the shared directory,
the client writes there directly, and the proxy answers 503."""

import requests
from mlflow import MlflowClient

ART = "/api/2.0/mlflow-artifacts/artifacts"


def test_no_serve_artifacts(spawn_server, unique, tmp_path):
    srv = spawn_server(serve_artifacts=False)
    client = MlflowClient(tracking_uri=srv.url)
    exp_id = client.create_experiment(unique("direct"))
    assert client.get_experiment(exp_id).artifact_location == f"{srv.direct_root}/{exp_id}"
    run = client.create_run(exp_id)
    run_id = run.info.run_id
    assert run.info.artifact_uri == f"{srv.direct_root}/{exp_id}/{run_id}/artifacts"

    # The client writes straight to the shared filesystem; the server is not involved.
    src = tmp_path / "note.txt"
    src.write_text("direct")
    client.log_artifact(run_id, str(src), artifact_path="d")
    on_disk = srv.direct_root / exp_id / run_id / "artifacts" / "d" / "note.txt"
    assert on_disk.read_text() == "direct"
    assert [a.path for a in client.list_artifacts(run_id, "d")] == ["d/note.txt"]

    for method, kwargs in (("put", {"data": b"x"}), ("get", {})):
        r = requests.request(method, f"{srv.url}{ART}/{exp_id}/x.txt", timeout=30, **kwargs)
        assert r.status_code == 503, (method, r.status_code, r.text[:200])
    r = requests.get(f"{srv.url}{ART}", params={"path": exp_id}, timeout=30)
    assert r.status_code == 503


def test_sigterm_finishes_in_flight_writes(spawn_server, unique):
    """SIGTERM while clients are logging: the server stops accepting, finishes what it has,
    exits cleanly, and every batch it acknowledged is in the store after a restart."""
    import signal
    import threading
    import time

    srv = spawn_server()
    client = MlflowClient(tracking_uri=srv.url)
    run_id = client.create_run(client.create_experiment(unique("sigterm"))).info.run_id
    acknowledged: list[int] = []
    stop = threading.Event()

    def writer(offset: int) -> None:
        session = requests.Session()
        step = offset
        while not stop.is_set():
            body = {
                "run_id": run_id,
                "metrics": [
                    {"key": "m", "value": float(step), "timestamp": 1, "step": step + i}
                    for i in range(0, 100)
                ],
            }
            try:
                r = session.post(f"{srv.url}/api/2.0/mlflow/runs/log-batch", json=body, timeout=30)
            except requests.RequestException:
                return  # the server has gone away: stop writing
            if r.status_code == 200:
                acknowledged.append(step)
            step += 1_000_000

    threads = [threading.Thread(target=writer, args=(k * 100_000,)) for k in range(4)]
    for t in threads:
        t.start()
    time.sleep(1.5)
    srv.proc.send_signal(signal.SIGTERM)
    code = srv.proc.wait(timeout=30)
    stop.set()
    for t in threads:
        t.join(timeout=30)
    assert acknowledged, "no write was acknowledged before the signal"
    if srv.kind == "ferroflow":
        assert code == 0, f"unclean exit {code}: {srv.startup_output()[-2000:]}"
        assert "shut down cleanly" in srv.startup_output()

    srv.start()
    history = MlflowClient(tracking_uri=srv.url).get_metric_history(run_id, "m")
    steps = {m.step for m in history}
    missing = [s for s in acknowledged if not all(s + i in steps for i in range(100))]
    assert not missing, f"{len(missing)} acknowledged batches lost after SIGTERM"
