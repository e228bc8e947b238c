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
