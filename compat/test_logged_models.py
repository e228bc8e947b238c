"""MLflow 3 logged models through the official client: ``log_model`` inside a run (no
registration), both load paths, and the logged-model client API (tags, params, search,
finalize, delete)."""

import mlflow
import mlflow.sklearn
import numpy as np
import pytest
from mlflow.entities import LoggedModelStatus
from mlflow.exceptions import MlflowException
from sklearn.linear_model import ElasticNet


def _model():
    x = np.arange(20, dtype=float).reshape(10, 2)
    y = x[:, 0] * 0.5 + x[:, 1]
    return ElasticNet(alpha=0.5, l1_ratio=0.1).fit(x, y), x


def test_log_model_and_load_back(client, unique):
    clf, x = _model()
    mlflow.set_experiment(unique("lm"))
    with mlflow.start_run(run_name="r") as run:
        mlflow.log_params({"alpha": 0.5, "l1_ratio": 0.1})
        mlflow.log_metrics({"rmse": 0.7, "r2": 0.3})
        info = mlflow.sklearn.log_model(clf, name="model")

    run_id = run.info.run_id
    exp_id = run.info.experiment_id
    assert info.model_id.startswith("m-") and len(info.model_id) == 34
    model = client.get_logged_model(info.model_id)
    assert model.status == LoggedModelStatus.READY
    assert model.source_run_id == run_id
    assert model.name == "model"
    assert model.artifact_location == f"mlflow-artifacts:/{exp_id}/models/{info.model_id}/artifacts"
    assert model.params == {"alpha": "0.5", "l1_ratio": "0.1"}
    metrics = {m.key: m.value for m in model.metrics}
    assert metrics == {"rmse": 0.7, "r2": 0.3}
    assert all(m.model_id == info.model_id for m in model.metrics)

    # The run lists the model as an output; the run's own metrics are not duplicated.
    got = client.get_run(run_id)
    assert [o.model_id for o in got.outputs.model_outputs] == [info.model_id]
    assert got.data.metrics == {"rmse": 0.7, "r2": 0.3}
    assert len(client.get_metric_history(run_id, "rmse")) == 1

    expected = clf.predict(x)
    by_run = mlflow.sklearn.load_model(f"runs:/{run_id}/model")
    np.testing.assert_allclose(by_run.predict(x), expected)
    by_id = mlflow.sklearn.load_model(f"models:/{info.model_id}")
    np.testing.assert_allclose(by_id.predict(x), expected)
    pyfunc = mlflow.pyfunc.load_model(f"models:/{info.model_id}")
    np.testing.assert_allclose(pyfunc.predict(x), expected)

    files = {a.path for a in mlflow.artifacts.list_artifacts(f"models:/{info.model_id}")}
    assert {"MLmodel", "requirements.txt"} <= files


def test_logged_model_client_api(client, experiment_id):
    m = client.create_logged_model(
        experiment_id,
        name="clf",
        model_type="sklearn",
        params={"p": "1"},
        tags={"a.b": "1"},
    )
    assert m.status == LoggedModelStatus.PENDING
    client.set_logged_model_tags(m.model_id, {"team": "x", "a.b": "2"})
    client.delete_logged_model_tag(m.model_id, "team")
    client.log_model_params(m.model_id, {f"k{i}": str(i) for i in range(150)})
    done = client.finalize_logged_model(m.model_id, LoggedModelStatus.FAILED)
    assert done.status == LoggedModelStatus.FAILED
    got = client.get_logged_model(m.model_id)
    assert got.tags == {"a.b": "2"}
    assert len(got.params) == 151 and got.model_type == "sklearn"

    other = client.create_logged_model(experiment_id)  # random name
    assert other.name and other.model_id != m.model_id

    found = client.search_logged_models(experiment_ids=[experiment_id], filter_string="name = 'clf'")
    assert [x.model_id for x in found] == [m.model_id]
    page = client.search_logged_models(experiment_ids=[experiment_id], max_results=1)
    assert len(page) == 1 and page.token
    rest = client.search_logged_models(
        experiment_ids=[experiment_id], max_results=1, page_token=page.token
    )
    assert {page[0].model_id, rest[0].model_id} == {m.model_id, other.model_id}
    ordered = client.search_logged_models(
        experiment_ids=[experiment_id], order_by=[{"field_name": "name", "ascending": True}]
    )
    assert [x.name for x in ordered] == sorted([m.name, other.name])
    assert mlflow.search_logged_models(
        experiment_ids=[experiment_id], filter_string="name = 'nope'", output_format="list"
    ) == []

    client.delete_logged_model(other.model_id)
    with pytest.raises(MlflowException) as e:
        client.get_logged_model(other.model_id)
    assert e.value.error_code == "RESOURCE_DOES_NOT_EXIST"
    remaining = client.search_logged_models(experiment_ids=[experiment_id])
    assert [x.model_id for x in remaining] == [m.model_id]
