"""The reference script of the wire-protocol notes (section 9): params, metrics, an artifact,
an sklearn model logged and registered, then loaded back through both URI forms."""

import mlflow
import mlflow.sklearn
import numpy as np
from sklearn.linear_model import ElasticNet


def test_reference_script_end_to_end(client, unique, tmp_path):
    exp_name, model_name = unique("ref"), unique("model")
    x = np.arange(20, dtype=float).reshape(10, 2)
    y = x[:, 0] * 0.5 + x[:, 1]
    clf = ElasticNet(alpha=0.5, l1_ratio=0.1).fit(x, y)
    plot = tmp_path / "plot.txt"
    plot.write_text("not really a plot")

    mlflow.set_experiment(exp_name)
    with mlflow.start_run(run_name="r") as run:
        mlflow.log_params({"alpha": 0.5, "l1_ratio": 0.1})
        mlflow.log_metrics({"rmse": 0.7, "r2": 0.3})
        mlflow.log_artifact(str(plot), artifact_path="plots")
        info = mlflow.sklearn.log_model(clf, name="model", registered_model_name=model_name)

    run_id = run.info.run_id
    got = client.get_run(run_id)
    assert got.info.status == "FINISHED"
    assert got.data.params == {"alpha": "0.5", "l1_ratio": "0.1"}
    assert got.data.metrics == {"rmse": 0.7, "r2": 0.3}
    assert [a.path for a in client.list_artifacts(run_id, "plots")] == ["plots/plot.txt"]

    # MLflow 3: the model is a LoggedModel with its own artifact location, linked to the run.
    assert info.model_id.startswith("m-")
    logged = client.get_logged_model(info.model_id)
    assert logged.status == "READY" or str(logged.status).endswith("READY")
    assert logged.source_run_id == run_id
    assert logged.artifact_location.startswith("mlflow-artifacts:/")
    assert {m.key for m in logged.metrics or []} >= {"rmse", "r2"}

    (version,) = client.search_model_versions(f"name = '{model_name}'")
    assert version.version == "1"
    assert version.run_id == run_id

    expected = clf.predict(x)
    for uri in (f"models:/{model_name}/1", f"runs:/{run_id}/model", f"models:/{info.model_id}"):
        loaded = mlflow.pyfunc.load_model(uri)
        assert np.allclose(loaded.predict(x), expected), uri

    # Registering again under the same name is tolerated by the client and makes version 2.
    mlflow.register_model(f"models:/{info.model_id}", model_name)
    versions = sorted(v.version for v in client.search_model_versions(f"name = '{model_name}'"))
    assert versions == ["1", "2"]
