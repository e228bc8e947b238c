"""Raw HTTP checks of wire details the official client relies on implicitly."""

import json
import uuid

import pytest
import requests
from packaging.version import Version

from serverctl import server_kind

API = "/api/2.0/mlflow"
ART = "/api/2.0/mlflow-artifacts/artifacts"


@pytest.fixture(scope="module")
def http(server):
    s = requests.Session()
    s.base = server.url
    yield s
    s.close()


def get(http, path, **kw):
    return http.get(http.base + path, timeout=30, **kw)


def post(http, path, body):
    return http.post(http.base + path, json=body, timeout=30)


def assert_mlflow_error(resp, status, code):
    assert resp.status_code == status, (resp.status_code, resp.text[:500])
    body = resp.json()
    assert body["error_code"] == code, body
    assert isinstance(body["message"], str) and body["message"]


def test_health(http):
    r = get(http, "/health")
    assert r.status_code == 200
    assert r.text == "OK"


def test_version(http):
    r = get(http, "/version")
    assert r.status_code == 200
    # The client parses this as a PEP 440 version and needs >= 3.4 to attempt span logging.
    assert Version(r.text.strip()) >= Version("3.4")
    if server_kind() == "mlflow":
        assert r.text.strip() == "3.17.2"


def test_server_info(http):
    r = get(http, "/api/3.0/mlflow/server-info")
    assert r.status_code == 200
    info = r.json()
    assert isinstance(info, dict)
    # The artifact repository reads exactly these to decide between plain PUT/GET and
    # multipart/presigned transfers; the proxy tests depend on the plain path. (3.17.2 does
    # not send artifact_serving_enabled yet, so it is not required.)
    assert info.get("artifact_serving_enabled", True) is True
    assert info.get("artifacts_presigned_only", False) is False
    assert info.get("multipart_uploads_enabled", False) is False
    assert info.get("multipart_downloads_enabled", False) is False
    assert get(http, "/ajax-api/3.0/mlflow/server-info").json() == info


def test_startup_line_names_the_url(server):
    if server.kind != "ferroflow":
        pytest.skip("the startup line format is a ferroflow promise, not MLflow's")
    assert f"http://127.0.0.1:{server.port}" in server.startup_output()


def test_ajax_api_twin(http):
    a = get(http, f"{API}/experiments/get", params={"experiment_id": "0"})
    b = get(http, "/ajax-api/2.0/mlflow/experiments/get", params={"experiment_id": "0"})
    assert a.status_code == b.status_code == 200
    assert a.json() == b.json()
    assert a.json()["experiment"]["name"] == "Default"
    r = http.post(
        http.base + "/ajax-api/2.0/mlflow/experiments/search",
        json={"max_results": 5, "filter": "name = 'Default'"},
        timeout=30,
    )
    assert r.status_code == 200
    assert [e["experiment_id"] for e in r.json()["experiments"]] == ["0"]


def test_not_found_is_json_with_exact_code(http):
    assert_mlflow_error(
        get(http, f"{API}/runs/get", params={"run_id": "0123456789abcdef0123456789abcdef"}),
        404, "RESOURCE_DOES_NOT_EXIST",
    )
    assert_mlflow_error(
        get(http, f"{API}/experiments/get-by-name", params={"experiment_name": f"absent-{uuid.uuid4().hex}"}),
        404, "RESOURCE_DOES_NOT_EXIST",
    )


def test_unknown_route_is_404(http):
    assert get(http, f"{API}/no-such-endpoint").status_code == 404


def test_bad_inputs_are_4xx_not_5xx(http):
    r = get(http, f"{API}/experiments/get", params={"experiment_id": "not-a-number"})
    assert r.status_code == 400, r.text[:300]
    assert_mlflow_error(post(http, f"{API}/experiments/create", {"name": ""}), 400, "INVALID_PARAMETER_VALUE")
    r = http.post(
        http.base + f"{API}/experiments/create",
        data=b"{not json",
        headers={"Content-Type": "application/json"},
        timeout=30,
    )
    assert 400 <= r.status_code < 500, r.text[:300]


def test_get_query_parameters_and_json_numbers(http):
    """GET requests carry their message as query parameters; int64 fields come back as numbers
    or numeric strings (the client accepts both)."""
    name = f"wire-{uuid.uuid4().hex[:10]}"
    exp_id = post(http, f"{API}/experiments/create", {"name": name}).json()["experiment_id"]
    run = post(http, f"{API}/runs/create", {"experiment_id": exp_id, "start_time": 1234}).json()["run"]
    run_id = run["info"]["run_id"]
    assert run["info"]["status"] == "RUNNING"
    assert int(run["info"]["start_time"]) == 1234
    r = post(
        http,
        f"{API}/runs/log-batch",
        {"run_id": run_id, "metrics": [
            {"key": "m", "value": "NaN", "timestamp": 5, "step": 1},
            {"key": "m", "value": 2.5, "timestamp": 6, "step": 2},
        ]},
    )
    assert r.status_code == 200, r.text
    assert r.json() == {}
    h = get(http, f"{API}/metrics/get-history",
            params={"run_id": run_id, "run_uuid": run_id, "metric_key": "m", "max_results": 25000})
    assert h.status_code == 200
    points = sorted(h.json()["metrics"], key=lambda m: int(m["step"]))
    assert points[0]["value"] == "NaN"
    assert points[1]["value"] == 2.5 and int(points[1]["timestamp"]) == 6
    bad = get(http, f"{API}/metrics/get-history",
              params={"run_id": run_id, "metric_key": "m", "max_results": 0})
    assert_mlflow_error(bad, 400, "INVALID_PARAMETER_VALUE")


def test_artifact_proxy_upload_list_download_delete(http):
    base = f"compat-raw/{uuid.uuid4().hex}"
    body = b"line1\nline2\n" * 100
    r = http.put(f"{http.base}{ART}/{base}/dir/file.txt", data=body, timeout=30)
    assert r.status_code == 200, r.text
    r = http.put(f"{http.base}{ART}/{base}/top.bin", data=b"\x00\x01", timeout=30)
    assert r.status_code == 200
    r = http.put(f"{http.base}{ART}/{base}/empty/zero.txt", data=b"", timeout=30)
    assert r.status_code == 200
    # Zero is the proto default, so the official server leaves file_size out for empty files.
    r = get(http, ART, params={"path": f"{base}/empty"})
    assert r.json() == {"files": [{"path": "zero.txt", "is_dir": False}]}
    assert http.delete(f"{http.base}{ART}/{base}/empty", timeout=30).status_code == 200

    r = get(http, ART, params={"path": base})
    assert r.status_code == 200
    files = sorted(r.json()["files"], key=lambda f: f["path"])
    assert files == [
        {"path": "dir", "is_dir": True},
        {"path": "top.bin", "is_dir": False, "file_size": 2},
    ]
    r = get(http, ART, params={"path": f"{base}/dir"})
    assert r.json() == {"files": [{"path": "file.txt", "is_dir": False, "file_size": len(body)}]}
    # Empty/missing directory listings are an empty object, not an error.
    r = get(http, ART, params={"path": f"{base}/nothing-here"})
    assert r.status_code == 200 and r.json() == {}

    r = get(http, f"{ART}/{base}/dir/file.txt")
    assert r.status_code == 200
    assert r.content == body
    assert "attachment" in r.headers.get("Content-Disposition", "")

    assert_mlflow_error(get(http, f"{ART}/{base}/missing.txt"), 404, "RESOURCE_DOES_NOT_EXIST")

    r = http.delete(f"{http.base}{ART}/{base}/dir", timeout=30)
    assert r.status_code == 200
    r = get(http, ART, params={"path": base})
    assert r.json()["files"] == [{"path": "top.bin", "is_dir": False, "file_size": 2}]

    # The ajax twin serves the same bytes.
    r = get(http, f"/ajax-api/2.0/mlflow-artifacts/artifacts/{base}/top.bin")
    assert r.status_code == 200 and r.content == b"\x00\x01"


@pytest.mark.parametrize(
    "path",
    [
        "%2E%2E/%2E%2E/etc/passwd",
        "a/%2E%2E/%2E%2E/%2E%2E/etc/passwd",
        "..%2F..%2Fetc%2Fpasswd",
    ],
)
def test_artifact_path_traversal_rejected(http, path):
    # Sent pre-encoded so neither requests nor urllib3 normalise the dot segments away.
    url = f"{http.base}{ART}/{path}"
    req = requests.Request("GET", url).prepare()
    req.url = url
    r = http.send(req, timeout=30)
    assert r.status_code == 400, (r.status_code, r.text[:300])
    put = requests.Request("PUT", url, data=b"x").prepare()
    put.url = url
    r = http.send(put, timeout=30)
    assert r.status_code == 400, (r.status_code, r.text[:300])


def test_artifact_list_traversal_rejected(http):
    r = get(http, ART, params={"path": "../../etc"})
    assert r.status_code == 400, (r.status_code, r.text[:300])
    r = get(http, ART, params={"path": "/etc"})
    assert r.status_code == 400, (r.status_code, r.text[:300])


def test_error_body_shape(http):
    r = post(http, f"{API}/runs/log-parameter", {"run_id": "0123456789abcdef0123456789abcdef", "key": "k", "value": "v"})
    assert_mlflow_error(r, 404, "RESOURCE_DOES_NOT_EXIST")
    assert r.headers["Content-Type"].startswith("application/json")
    json.dumps(r.json())
