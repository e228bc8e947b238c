"""Seed a live server with the data the UI end-to-end tests look for, through the official
`mlflow` client only (so the UI is tested on exactly what real users' code produces).

Usage: seed.py <tracking-uri> <manifest.json>

The manifest records what was written (ids, names, values, image size); the browser tests
assert the UI shows those values instead of repeating literals that could drift apart.
"""

from __future__ import annotations

import os

# Fail fast: the client's default retry policy would turn a server bug into minutes of waiting.
os.environ["MLFLOW_HTTP_REQUEST_MAX_RETRIES"] = "0"
os.environ["MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR"] = "0"
os.environ["MLFLOW_HTTP_REQUEST_BACKOFF_JITTER"] = "0"
os.environ.setdefault("MLFLOW_HTTP_REQUEST_TIMEOUT", "120")
os.environ["MLFLOW_DISABLE_TELEMETRY"] = "true"
os.environ["DO_NOT_TRACK"] = "true"
os.environ["MLFLOW_SUPPRESS_PRINTING_URL_TO_STDOUT"] = "true"
os.environ["MPLBACKEND"] = "Agg"

import json  # noqa: E402
import struct  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import matplotlib  # noqa: E402

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import mlflow  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from mlflow import MlflowClient  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402

ALPHA = "e2e-alpha"
BETA = "e2e-beta"
MODEL = "m"
ALIAS = "champion"
LOSS_STEPS = 50
REQS = ["scikit-learn", "skops"]


def png_size(path: Path) -> tuple[int, int]:
    """Width and height from the PNG IHDR chunk: the size the browser must decode."""
    head = path.read_bytes()[:24]
    if head[:8] != b"\x89PNG\r\n\x1a\n":
        raise RuntimeError(f"{path} is not a PNG")
    return struct.unpack(">II", head[16:24])


def main() -> None:
    uri, manifest_path = sys.argv[1], Path(sys.argv[2])
    mlflow.set_tracking_uri(uri)
    client = MlflowClient(uri)

    alpha_id = client.create_experiment(ALPHA, tags={"team": "vision"})
    beta_id = client.create_experiment(BETA, tags={"team": "nlp"})
    mlflow.set_experiment(experiment_id=alpha_id)

    # Distinct accuracies so `metrics.acc > 0.9` has one exact answer; a nested child above the
    # threshold whose parent is below it checks that filtering does not hide orphaned children.
    plain = [
        ("baseline", {"lr": "0.1", "optimizer": "sgd"}, 0.81),
        ("tuned", {"lr": "0.01", "optimizer": "adam"}, 0.93),
        ("best", {"lr": "0.003", "optimizer": "adamw"}, 0.97),
    ]
    runs: dict[str, dict] = {}
    for name, params, acc in plain:
        with mlflow.start_run(run_name=name) as r:
            mlflow.log_params(params)
            mlflow.log_metric("acc", acc)
            mlflow.set_tag("team", "vision")
            runs[name] = {"id": r.info.run_id, "params": params, "acc": acc, "parent": None}
        time.sleep(0.02)  # distinct start times keep the default order deterministic

    with mlflow.start_run(run_name="sweep") as parent:
        mlflow.log_params({"lr": "search", "optimizer": "adam"})
        mlflow.log_metric("acc", 0.88)
        runs["sweep"] = {"id": parent.info.run_id, "params": {"lr": "search", "optimizer": "adam"}, "acc": 0.88, "parent": None}
        for child, lr, acc in [("sweep-child-1", "0.02", 0.91), ("sweep-child-2", "0.2", 0.79)]:
            with mlflow.start_run(run_name=child, nested=True) as c:
                mlflow.log_params({"lr": lr, "optimizer": "adam"})
                mlflow.log_metric("acc", acc)
                runs[child] = {"id": c.info.run_id, "params": {"lr": lr, "optimizer": "adam"}, "acc": acc, "parent": parent.info.run_id}

    # The richest run: a loss curve, a PNG, a dataset input and the registered model.
    best = runs["best"]["id"]
    loss = [round(1.0 / (s + 1), 6) for s in range(LOSS_STEPS)]
    with mlflow.start_run(run_id=best):
        client.log_batch(
            best,
            metrics=[mlflow.entities.Metric("loss", v, int(time.time() * 1000), s) for s, v in enumerate(loss)],
        )
        mlflow.set_tag("mlflow.note.content", "The best run of the e2e seed.")

        fig, ax = plt.subplots(figsize=(4, 3))
        ax.plot(range(LOSS_STEPS), loss)
        ax.set_title("loss")
        with tempfile.TemporaryDirectory() as tmp:
            png = Path(tmp) / "loss.png"
            fig.savefig(png, dpi=50)
            plt.close(fig)
            width, height = png_size(png)
            mlflow.log_artifact(str(png), artifact_path="plots")
        mlflow.log_text("seeded by e2e/seed.py\n", "notes.txt")

        df = pd.DataFrame({"x1": np.arange(20, dtype=float), "x2": np.arange(20, dtype=float) ** 2, "y": [0.0, 1.0] * 10})
        dataset = mlflow.data.from_pandas(df, name="e2e-train", targets="y")
        mlflow.log_input(dataset, context="training")

        model = LogisticRegression(max_iter=200).fit(df[["x1", "x2"]], df["y"])
        # Explicit requirements skip the client's slow dependency inference (a subprocess import).
        info = mlflow.sklearn.log_model(model, name="model", registered_model_name=MODEL,
                                        input_example=df[["x1", "x2"]].head(2), pip_requirements=REQS)
    version = str(info.registered_model_version)
    client.set_registered_model_alias(MODEL, ALIAS, version)
    client.update_registered_model(MODEL, description="Seeded logistic regression.")
    client.set_registered_model_tag(MODEL, "owner", "e2e")

    # A second version from another run, so the model page must list more than one row and the
    # alias must stay on the older one.
    with mlflow.start_run(run_id=runs["tuned"]["id"]):
        info2 = mlflow.sklearn.log_model(model, name="model", registered_model_name=MODEL, pip_requirements=REQS)
    version2 = str(info2.registered_model_version)

    with mlflow.start_run(experiment_id=beta_id, run_name="beta-only") as b:
        mlflow.log_param("vocab", "32000")
        runs["beta-only"] = {"id": b.info.run_id, "params": {"vocab": "32000"}, "acc": None, "parent": None}

    manifest = {
        "tracking_uri": uri,
        "experiments": {ALPHA: alpha_id, BETA: beta_id},
        "runs": runs,
        "loss": {"steps": LOSS_STEPS, "first": loss[0], "last": loss[-1]},
        "image": {"path": "plots/loss.png", "width": width, "height": height},
        "dataset": {"name": dataset.name, "digest": dataset.digest, "context": "training"},
        "model": {"name": MODEL, "alias": ALIAS, "alias_version": version, "latest_version": version2,
                  "run_id": best, "description": "Seeded logistic regression."},
    }
    manifest_path.write_text(json.dumps(manifest, indent=2))
    print(f"seeded {len(runs)} runs in 2 experiments; model {MODEL} v{version} @{ALIAS}, v{version2}")


if __name__ == "__main__":
    main()
