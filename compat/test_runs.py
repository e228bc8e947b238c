"""Run lifecycle and run data (params, metrics, tags) through the fluent API and MlflowClient."""

import time

import mlflow
import pytest
from mlflow.entities import Metric, Param, RunStatus, RunTag, ViewType
from mlflow.exceptions import MlflowException


def test_fluent_run_with_params_metrics_tags(client, unique):
    exp = mlflow.set_experiment(unique("fluent"))
    before = int(time.time() * 1000)
    with mlflow.start_run(run_name="first-run", description="what this run is") as run:
        run_id = run.info.run_id
        assert run.info.status == "RUNNING"
        assert run.info.run_name == "first-run"
        assert run.info.experiment_id == exp.experiment_id
        assert run.info.artifact_uri == f"mlflow-artifacts:/{exp.experiment_id}/{run_id}/artifacts"
        mlflow.log_param("alpha", 0.5)
        mlflow.log_params({"l1_ratio": 0.1, "solver": "saga", "max_iter": 100})
        mlflow.log_metric("loss", 1.0, step=0)
        mlflow.log_metric("loss", 0.5, step=1)
        mlflow.log_metric("loss", 0.25, step=2)
        mlflow.log_metrics({"acc": 0.9, "f1": 0.8}, step=2)
        mlflow.set_tag("owner", "compat")
        mlflow.set_tags({"stage": "test", "unicode": "ünïcødé ✓"})
    after = int(time.time() * 1000)

    got = client.get_run(run_id)
    assert got.info.status == "FINISHED"
    assert got.info.lifecycle_stage == "active"
    assert before <= got.info.start_time <= got.info.end_time <= after
    assert got.data.params == {"alpha": "0.5", "l1_ratio": "0.1", "solver": "saga", "max_iter": "100"}
    assert got.data.metrics == {"loss": 0.25, "acc": 0.9, "f1": 0.8}
    assert got.data.tags["owner"] == "compat"
    assert got.data.tags["stage"] == "test"
    assert got.data.tags["unicode"] == "ünïcødé ✓"
    assert got.data.tags["mlflow.runName"] == "first-run"
    assert got.data.tags["mlflow.note.content"] == "what this run is"
    assert got.data.tags["mlflow.user"]
    assert got.data.tags["mlflow.source.type"] == "LOCAL"


def test_nested_runs(client, unique):
    exp = mlflow.set_experiment(unique("nested"))
    with mlflow.start_run(run_name="parent") as parent:
        with mlflow.start_run(run_name="child-a", nested=True) as child_a:
            mlflow.log_metric("m", 1)
        with mlflow.start_run(run_name="child-b", nested=True) as child_b:
            with mlflow.start_run(run_name="grandchild", nested=True) as grandchild:
                mlflow.log_param("depth", 2)
        assert mlflow.active_run().info.run_id == parent.info.run_id

    pid = parent.info.run_id
    assert client.get_run(child_a.info.run_id).data.tags["mlflow.parentRunId"] == pid
    assert client.get_run(child_b.info.run_id).data.tags["mlflow.parentRunId"] == pid
    assert (
        client.get_run(grandchild.info.run_id).data.tags["mlflow.parentRunId"]
        == child_b.info.run_id
    )
    assert "mlflow.parentRunId" not in client.get_run(pid).data.tags

    children = client.search_runs(
        [exp.experiment_id], filter_string=f"tags.mlflow.parentRunId = '{pid}'"
    )
    assert {r.info.run_name for r in children} == {"child-a", "child-b"}
    for r in (parent, child_a, child_b, grandchild):
        assert client.get_run(r.info.run_id).info.status == "FINISHED"


def test_run_status_transitions(client, experiment_id):
    mlflow.set_experiment(experiment_id=experiment_id)
    with pytest.raises(ZeroDivisionError):
        with mlflow.start_run() as failed:
            1 / 0
    assert client.get_run(failed.info.run_id).info.status == "FAILED"

    run = mlflow.start_run()
    mlflow.end_run(status="KILLED")
    assert client.get_run(run.info.run_id).info.status == "KILLED"

    # Resuming a finished run flips it back to RUNNING.
    with mlflow.start_run(run_id=run.info.run_id) as resumed:
        assert client.get_run(resumed.info.run_id).info.status == "RUNNING"
        mlflow.log_metric("after_resume", 1.0)
    assert client.get_run(run.info.run_id).info.status == "FINISHED"

    created = client.create_run(experiment_id, run_name="manual", tags={"k": "v"})
    assert created.info.status == "RUNNING"
    assert created.info.run_name == "manual"
    assert created.data.tags["k"] == "v"
    client.set_terminated(created.info.run_id, status=RunStatus.to_string(RunStatus.FAILED))
    info = client.get_run(created.info.run_id).info
    assert info.status == "FAILED"
    assert info.end_time is not None and info.end_time >= info.start_time

    client.update_run(created.info.run_id, name="renamed")
    got = client.get_run(created.info.run_id)
    assert got.info.run_name == "renamed"
    assert got.data.tags["mlflow.runName"] == "renamed"


def test_run_name_generated_when_absent(client, experiment_id):
    run = client.create_run(experiment_id)
    assert run.info.run_name
    assert client.get_run(run.info.run_id).data.tags["mlflow.runName"] == run.info.run_name


def test_client_single_item_and_batch_logging(client, experiment_id):
    run_id = client.create_run(experiment_id).info.run_id
    client.log_param(run_id, "p", "v")
    client.log_param(run_id, "p", "v")  # identical value again is a no-op, not an error
    client.log_metric(run_id, "m", 3.5, timestamp=1_700_000_000_000, step=7)
    client.set_tag(run_id, "t", "x")
    client.log_batch(
        run_id,
        metrics=[Metric("b", float(i), 1_700_000_000_000 + i, i) for i in range(5)],
        params=[Param(f"bp{i}", str(i)) for i in range(3)],
        tags=[RunTag("bt", "y")],
    )
    client.delete_tag(run_id, "t")
    data = client.get_run(run_id).data
    assert data.params == {"p": "v", "bp0": "0", "bp1": "1", "bp2": "2"}
    assert data.metrics == {"m": 3.5, "b": 4.0}
    assert "t" not in data.tags and data.tags["bt"] == "y"
    (m,) = client.get_metric_history(run_id, "m")
    assert (m.key, m.value, m.timestamp, m.step) == ("m", 3.5, 1_700_000_000_000, 7)


def test_latest_metric_is_max_step_not_last_logged(client, experiment_id):
    run_id = client.create_run(experiment_id).info.run_id
    client.log_metric(run_id, "m", 1.0, timestamp=1000, step=0)
    client.log_metric(run_id, "m", 3.0, timestamp=1001, step=5)
    client.log_metric(run_id, "m", 2.0, timestamp=1002, step=1)
    assert client.get_run(run_id).data.metrics["m"] == 3.0
    # Same step: the later timestamp wins.
    client.log_metric(run_id, "m", 9.0, timestamp=2000, step=5)
    assert client.get_run(run_id).data.metrics["m"] == 9.0


def test_delete_and_restore_run(client, experiment_id):
    keep = client.create_run(experiment_id).info.run_id
    gone = client.create_run(experiment_id).info.run_id
    client.delete_run(gone)
    assert client.get_run(gone).info.lifecycle_stage == "deleted"

    active = {r.info.run_id for r in client.search_runs([experiment_id])}
    assert active == {keep}
    deleted = {r.info.run_id for r in client.search_runs([experiment_id], run_view_type=ViewType.DELETED_ONLY)}
    assert deleted == {gone}
    everything = {r.info.run_id for r in client.search_runs([experiment_id], run_view_type=ViewType.ALL)}
    assert everything == {keep, gone}

    with pytest.raises(MlflowException) as err:
        client.log_metric(gone, "m", 1.0)
    assert err.value.error_code == "INVALID_PARAMETER_VALUE"

    client.restore_run(gone)
    assert client.get_run(gone).info.lifecycle_stage == "active"
    client.log_metric(gone, "m", 1.0)
    assert client.get_run(gone).data.metrics["m"] == 1.0


def test_long_values_are_truncated_like_the_official_server(client, experiment_id):
    run_id = client.create_run(experiment_id).info.run_id
    client.log_param(run_id, "long", "x" * 7000)
    client.set_tag(run_id, "longtag", "y" * 9000)
    data = client.get_run(run_id).data
    assert data.params["long"] == "x" * 6000
    assert data.tags["longtag"] == "y" * 8000
