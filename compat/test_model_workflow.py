"""The registry issue's acceptance script, as a user would write it: train a scikit-learn
classifier, log params, metrics, a matplotlib figure and a JSON report, log the model with
`registered_model_name`, then load `models:/m/1` with both flavors.

Beyond "it works", the client must not complain about the server: every warning the client
emits (Python warnings and `mlflow` log records) is collected, and only the ones that are about
the user's own model (signature hints, environment inference) are allowed."""

import json
import logging
import re
import warnings

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import mlflow  # noqa: E402
import numpy as np  # noqa: E402
from sklearn.datasets import load_iris  # noqa: E402
from sklearn.ensemble import RandomForestClassifier  # noqa: E402

# Warnings that come from the client inspecting the user's model or environment, and that the
# official server produces identically. Anything else (HTTP errors, retries, fallbacks to older
# endpoints, unparseable responses) is a server compatibility problem.
CLIENT_LOCAL = re.compile(
    r"signature|input example|input_example|Integer columns|integer column|pip|requirements"
    r"|environment|git|skops|serializ",
    re.IGNORECASE,
)


class _Collect(logging.Handler):
    def __init__(self):
        super().__init__(level=logging.WARNING)
        self.records = []

    def emit(self, record):
        self.records.append(f"{record.name}: {record.getMessage()}")


def test_acceptance_script_without_server_warnings(server, unique, tmp_path):
    name = unique("m")
    handler = _Collect()
    mlflow_logger = logging.getLogger("mlflow")
    mlflow_logger.addHandler(handler)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            X, y = load_iris(return_X_y=True)
            mlflow.set_experiment(unique("workflow"))
            versions = []
            for n_estimators in (10, 20):
                with mlflow.start_run() as run:
                    clf = RandomForestClassifier(n_estimators=n_estimators, random_state=0)
                    clf.fit(X, y)
                    mlflow.log_params({"n_estimators": n_estimators, "random_state": 0})
                    accuracy = float((clf.predict(X) == y).mean())
                    mlflow.log_metric("accuracy", accuracy)
                    fig, ax = plt.subplots()
                    ax.bar(range(4), clf.feature_importances_)
                    mlflow.log_figure(fig, "importances.png")
                    plt.close(fig)
                    mlflow.log_dict({"accuracy": accuracy}, "report.json")
                    info = mlflow.sklearn.log_model(
                        clf, name="model", registered_model_name=name
                    )
                    versions.append((run.info.run_id, info, clf))
    finally:
        mlflow_logger.removeHandler(handler)

    complaints = [str(w.message) for w in caught] + handler.records
    about_server = [c for c in complaints if not CLIENT_LOCAL.search(c)]
    assert not about_server, f"client warnings that are not about the user's model: {about_server}"

    client = mlflow.MlflowClient()
    # Logging the same name again created version 2; each links back to its run and model.
    for number, (run_id, info, _) in enumerate(versions, start=1):
        mv = client.get_model_version(name, str(number))
        assert mv.run_id == run_id
        assert mv.source == f"models:/{info.model_id}"
    artifacts = {a.path for a in client.list_artifacts(versions[0][0])}
    assert {"importances.png", "report.json"} <= artifacts
    report = mlflow.artifacts.load_dict(f"runs:/{versions[0][0]}/report.json")
    assert report["accuracy"] == client.get_run(versions[0][0]).data.metrics["accuracy"]

    expected = versions[0][2].predict(X)
    assert np.array_equal(mlflow.sklearn.load_model(f"models:/{name}/1").predict(X), expected)
    assert np.array_equal(
        np.asarray(mlflow.pyfunc.load_model(f"models:/{name}/1").predict(X)), expected
    )
