"""Behaviour aligned with `mlflow server` 3.17.2 (issue 8, section 3), as raw requests.

Every expectation here was first measured against the official server; the suite passes against
both (`COMPAT_SERVER=mlflow scripts/run-compat.sh compat/test_alignment.py`). Where ferroflow
is deliberately stricter (unknown source schemes) the test only covers what both refuse.
"""

import json
import uuid

import pytest
import requests

API = "/api/2.0/mlflow"
DOCS = "See the API docs for more information about request parameters."


@pytest.fixture(scope="module")
def http(server):
    s = requests.Session()
    s.base = server.url
    yield s
    s.close()


def call(http, method, path, body=None, params=None):
    r = http.request(method, http.base + API + path, json=body, params=params, timeout=30)
    return r.status_code, r.json()


def ok(http, method, path, body=None, params=None):
    status, body_ = call(http, method, path, body, params)
    assert status == 200, body_
    return body_


def error(http, method, path, body=None, params=None, status=400, code="INVALID_PARAMETER_VALUE"):
    got, body_ = call(http, method, path, body, params)
    assert got == status, body_
    assert body_["error_code"] == code, body_
    return body_["message"]


def name(prefix):
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


@pytest.fixture
def run(http):
    exp = ok(http, "POST", "/experiments/create", {"name": name("align")})["experiment_id"]
    info = ok(http, "POST", "/runs/create", {"experiment_id": exp, "start_time": 1})["run"]["info"]
    return exp, info["run_id"], info["artifact_uri"]


@pytest.fixture
def model(http):
    n = name("align-m")
    ok(http, "POST", "/registered-models/create", {"name": n})
    return n


def create_version(http, model, **fields):
    return call(http, "POST", "/model-versions/create", {"name": model, **fields})


def not_identified(source, id_name="run_id"):
    return (
        f"Invalid model version source: '{source}'. The {id_name} request parameter must "
        "identify the resource that contains the source."
    )


# ------------------------------------------------------------------ model-version sources


@pytest.mark.parametrize(
    "source", ["s3://bucket/path/model", "gs://bucket/model", "wasbs://c@a.blob.core.windows.net/p"]
)
def test_object_store_source_needs_no_run(http, model, source):
    status, body = create_version(http, model, source=source)
    assert status == 200, body
    assert body["model_version"]["source"] == source
    assert body["model_version"].get("run_id", "") == ""


def test_runs_source_needs_its_own_run_id(http, model, run):
    _, run_id, _ = run
    source = f"runs:/{run_id}/model"
    status, body = create_version(http, model, source=source, run_id=run_id)
    assert status == 200, body
    assert body["model_version"]["run_id"] == run_id
    for extra in ({}, {"run_id": uuid.uuid4().hex}):
        status, body = create_version(http, model, source=source, **extra)
        assert (status, body["error_code"]) == (400, "INVALID_PARAMETER_VALUE"), body
        assert body["message"] == not_identified(source)


def test_proxied_source_needs_the_run_that_contains_it(http, model, run):
    _, run_id, artifact_uri = run
    inside = f"{artifact_uri}/model"
    status, body = create_version(http, model, source=inside)
    assert (status, body["message"]) == (400, not_identified(inside)), body
    status, body = create_version(http, model, source="mlflow-artifacts:/1/abc/artifacts/m")
    assert status == 400, body
    status, body = create_version(http, model, source=inside, run_id=run_id)
    assert status == 200, body
    assert body["model_version"]["run_id"] == run_id


@pytest.mark.parametrize("source", ["/tmp/model", "file:///tmp/model", "/etc/passwd"])
@pytest.mark.parametrize("with_run", [False, True])
def test_local_paths_are_refused(http, model, run, source, with_run):
    extra = {"run_id": run[1]} if with_run else {}
    message = error(http, "POST", "/model-versions/create", {"name": model, "source": source, **extra})
    # Once the run is found, MLflow names the resolved path instead of the URI given.
    shown = source.removeprefix("file://") if with_run else source
    assert message.startswith(f"Invalid model version source: '{shown}'. To use a local path")


def test_traversal_and_host_addressed_sources_are_refused(http, model, run):
    _, run_id, artifact_uri = run
    for source in (f"{artifact_uri}/../../../etc", "s3://bucket/a/../../b"):
        message = error(
            http, "POST", "/model-versions/create",
            {"name": model, "source": source, "run_id": run_id},
        )
        assert "without relative path references" in message, message
    for scheme in ("http", "https", "ftp", "hdfs"):
        message = error(
            http, "POST", "/model-versions/create",
            {"name": model, "source": f"{scheme}://example.com/x", "run_id": run_id},
        )
        assert message.startswith(f"'source' cannot use the '{scheme}' scheme"), message


def test_version_of_unknown_model_is_not_found(http, run):
    missing = name("nope")
    for extra in ({"source": "s3://bucket/path"},
                  {"source": f"runs:/{run[1]}/model", "run_id": run[1]}):
        message = error(
            http, "POST", "/model-versions/create", {"name": missing, **extra},
            status=404, code="RESOURCE_DOES_NOT_EXIST",
        )
        assert message == f"Registered Model with name={missing} not found"


# ---------------------------------------------------------------------- logged models


def logged_model(http, exp, run_id):
    body = {"experiment_id": exp, "name": "lm", "source_run_id": run_id}
    return ok(http, "POST", "/logged-models", body)["model"]["info"]


def test_version_from_model_id_tags_the_logged_model(http, model, run):
    exp, run_id, _ = run
    info = logged_model(http, exp, run_id)
    model_id = info["model_id"]
    versions = []
    for source in (f"models:/{model_id}", info["artifact_uri"]):
        status, body = create_version(http, model, source=source, model_id=model_id)
        assert status == 200, body
        # Without a run_id the lineage is the logged model's source run.
        assert body["model_version"]["run_id"] == run_id
        versions.append(int(body["model_version"]["version"]))
    tags = ok(http, "GET", f"/logged-models/{model_id}")["model"]["info"]["tags"]
    value = {t["key"]: t["value"] for t in tags}["mlflow.modelVersions"]
    assert json.loads(value) == [{"name": model, "version": v} for v in versions]
    assert value == json.dumps([{"name": model, "version": v} for v in versions])
    # The version's files are the logged model's.
    uri = ok(http, "GET", "/model-versions/get-download-uri",
             params={"name": model, "version": str(versions[1])})["artifact_uri"]
    assert uri == info["artifact_uri"]


def test_logged_model_sources_need_their_model_id(http, model, run):
    exp, run_id, _ = run
    model_id = logged_model(http, exp, run_id)["model_id"]
    source = f"models:/{model_id}"
    for extra in ({}, {"run_id": run_id}, {"model_id": "m-" + uuid.uuid4().hex}):
        status, body = create_version(http, model, source=source, **extra)
        assert (status, body.get("message")) == (400, not_identified(source, "model_id")), body
    status, body = create_version(http, model, source=f"runs:/{run_id}/m", run_id=run_id,
                                  model_id=model_id)
    assert (status, body.get("message")) == (
        400, not_identified(f"runs:/{run_id}/m", "model_id")), body
    # An object-store source may name a logged model; an unknown one is a missing resource.
    status, body = create_version(http, model, source="s3://b/x", model_id=model_id)
    assert status == 200 and body["model_version"]["run_id"] == run_id, body
    missing = "m-" + uuid.uuid4().hex
    message = error(http, "POST", "/model-versions/create",
                    {"name": model, "source": "s3://b/x", "model_id": missing},
                    status=404, code="RESOURCE_DOES_NOT_EXIST")
    assert message == f"Logged model with ID '{missing}' not found."


def test_finalize_needs_model_id_in_the_body(http, run):
    exp, run_id, _ = run
    model_id = logged_model(http, exp, run_id)["model_id"]
    message = error(http, "PATCH", f"/logged-models/{model_id}", {"status": "LOGGED_MODEL_READY"})
    assert message == f"Missing value for required parameter 'model_id'. {DOCS}"
    body = ok(http, "PATCH", f"/logged-models/{model_id}",
              {"model_id": model_id, "status": "LOGGED_MODEL_READY"})
    assert body["model"]["info"]["status"] == "LOGGED_MODEL_READY"


def test_dataset_fields_stay_on_logged_model_metrics_only(http, run):
    exp, run_id, _ = run
    model_id = logged_model(http, exp, run_id)["model_id"]
    point = {"value": 0.5, "timestamp": 1000, "step": 0, "model_id": model_id,
             "dataset_name": "ds", "dataset_digest": "dg"}
    ok(http, "POST", "/runs/log-batch", {"run_id": run_id, "metrics": [{"key": "acc", **point}]})
    ok(http, "POST", "/runs/log-metric", {"run_id": run_id, "key": "acc2", **point})
    metrics = ok(http, "GET", f"/logged-models/{model_id}")["model"]["data"]["metrics"]
    assert [(m["key"], m["dataset_name"], m["dataset_digest"], m["model_id"]) for m in metrics] == [
        ("acc", "ds", "dg", model_id), ("acc2", "ds", "dg", model_id)
    ]
    plain = {"value": 0.5, "timestamp": 1000, "step": 0}
    for key in ("acc", "acc2"):
        history = ok(http, "GET", "/metrics/get-history", params={"run_id": run_id, "metric_key": key})
        assert history["metrics"] == [{"key": key, **plain}]
    data = ok(http, "GET", "/runs/get", params={"run_id": run_id})["run"]["data"]
    assert data["metrics"] == [{"key": "acc", **plain}, {"key": "acc2", **plain}]


# ------------------------------------------------------------------------- wire details


@pytest.mark.parametrize(
    "path,body,param,shown,pytype",
    [
        ("/experiments/create", {"name": 123}, "name", "123", "int"),
        ("/experiments/create", {"name": True}, "name", "true", "bool"),
        ("/experiments/create", {"name": [1]}, "name", "[1]", "list"),
        ("/registered-models/create", {"name": 123}, "name", "123", "int"),
        ("/runs/create", {"start_time": "abc"}, "start_time", '"abc"', "str"),
        ("/runs/search", {"experiment_ids": "1"}, "experiment_ids", '"1"', "str"),
        ("/runs/search", {"experiment_ids": 5}, "experiment_ids", "5", "int"),
    ],
)
def test_json_type_errors_are_worded_as_mlflow(http, path, body, param, shown, pytype):
    message = error(http, "POST", path, body)
    assert message == (
        f"Invalid value {shown} for parameter '{param}' supplied:  "
        f"Hint: Value was of type '{pytype}'. {DOCS}"
    )


def test_log_metric_type_errors_name_the_field(http, run):
    run_id = run[1]
    for body, param, shown, pytype in (
        ({"key": "k", "value": "abc", "timestamp": 1}, "value", '"abc"', "str"),
        ({"key": 5, "value": 1, "timestamp": 1}, "key", "5", "int"),
    ):
        message = error(http, "POST", "/runs/log-metric", {"run_id": run_id, **body})
        assert message == (
            f"Invalid value {shown} for parameter '{param}' supplied:  "
            f"Hint: Value was of type '{pytype}'. {DOCS}"
        )


def test_relative_artifact_location_is_made_absolute(http, server):
    cwd = str(server.store_dir)
    for given, want in (
        ("relative/dir", f"{cwd}/relative/dir"),
        ("./x/../y", f"{cwd}/x/../y"),
        ("file:relative", f"file://{cwd}/relative"),
        ("s3://bucket/exp", "s3://bucket/exp"),
    ):
        exp = ok(http, "POST", "/experiments/create",
                 {"name": name("rel"), "artifact_location": given})["experiment_id"]
        got = ok(http, "GET", "/experiments/get", params={"experiment_id": exp})
        assert got["experiment"]["artifact_location"] == want, given


def test_run_without_start_time_starts_at_zero(http, run):
    exp = run[0]
    info = ok(http, "POST", "/runs/create", {"experiment_id": exp})["run"]["info"]
    assert info["start_time"] == 0


def test_params_and_tags_without_value_are_empty(http, run):
    run_id = run[1]
    ok(http, "POST", "/runs/log-parameter", {"run_id": run_id, "key": "p"})
    ok(http, "POST", "/runs/set-tag", {"run_id": run_id, "key": "t"})
    ok(http, "POST", "/runs/log-batch",
       {"run_id": run_id, "params": [{"key": "bp"}], "tags": [{"key": "bt"}]})
    data = ok(http, "GET", "/runs/get", params={"run_id": run_id})["run"]["data"]
    assert {p["key"]: p["value"] for p in data["params"]} == {"p": "", "bp": ""}
    tags = {t["key"]: t["value"] for t in data["tags"]}
    assert tags["t"] == "" and tags["bt"] == ""


def test_minimal_datasets_are_stored_with_empty_fields(http, run):
    run_id = run[1]
    for dataset in ({"name": "d", "digest": "x"}, {"name": "d3"}, {}):
        ok(http, "POST", "/runs/log-inputs", {"run_id": run_id, "datasets": [{"dataset": dataset}]})
    inputs = ok(http, "GET", "/runs/get", params={"run_id": run_id})["run"]["inputs"]
    got = [i["dataset"] for i in inputs["dataset_inputs"]]
    empty = {"name": "", "digest": "", "source_type": "", "source": ""}
    assert got == [
        {**empty, "name": "d", "digest": "x"},
        {**empty, "name": "d3"},
        empty,
    ]


def test_history_of_unknown_run_is_empty(http):
    for run_id in (uuid.uuid4().hex, "abc"):
        assert ok(http, "GET", "/metrics/get-history",
                  params={"run_id": run_id, "metric_key": "x"}) == {}


def test_lists_in_the_official_order(http, run):
    run_id = run[1]
    points = [("b", 1, 30, 2), ("a", 2, 10, 1), ("c", 3, 20, 0),
              ("a", 0, 5, 3), ("a", 7, 1, 1), ("a", 4, 50, 0)]
    ok(http, "POST", "/runs/log-batch", {"run_id": run_id, "metrics": [
        {"key": k, "value": v, "timestamp": t, "step": s} for k, v, t, s in points
    ]})
    ok(http, "POST", "/runs/log-batch", {
        "run_id": run_id,
        "params": [{"key": "z", "value": "1"}, {"key": "a", "value": "2"}],
        "tags": [{"key": "zz", "value": "1"}, {"key": "aa", "value": "2"}],
    })
    data = ok(http, "GET", "/runs/get", params={"run_id": run_id})["run"]["data"]
    # A run's metrics, params and tags in the order their keys were first logged.
    assert [(m["key"], m["step"]) for m in data["metrics"]] == [("b", 2), ("a", 3), ("c", 0)]
    assert [p["key"] for p in data["params"]] == ["z", "a"]
    assert [t["key"] for t in data["tags"]] == ["mlflow.runName", "zz", "aa"]
    # A history by (timestamp, step, value).
    history = ok(http, "GET", "/metrics/get-history", params={"run_id": run_id, "metric_key": "a"})
    assert [(m["timestamp"], m["step"]) for m in history["metrics"]] == [
        (1, 1), (5, 3), (10, 1), (50, 0)
    ]
