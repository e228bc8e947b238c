"""Dataset inputs: mlflow.data.from_pandas + log_input, read back through get_run and search."""

import json

import mlflow
import mlflow.data
import pandas as pd


def test_log_input_pandas_dataset(client, experiment_id):
    df = pd.DataFrame({"x": [1.0, 2.0, 3.0], "y": [0, 1, 0], "name": ["a", "b", "c"]})
    ds = mlflow.data.from_pandas(df, source="https://example.invalid/data/train.csv", name="train-set", targets="y")
    mlflow.set_experiment(experiment_id=experiment_id)
    with mlflow.start_run() as run:
        mlflow.log_input(ds, context="training", tags={"split": "train"})
        # Re-logging the same dataset to the same run is a no-op on the official server: the
        # first input (and its tags) wins, no second input appears.
        mlflow.log_input(ds, context="eval")

    got = client.get_run(run.info.run_id)
    (di,) = got.inputs.dataset_inputs
    d = di.dataset
    assert d.name == "train-set"
    assert d.digest == ds.digest
    assert d.source_type == ds.source._get_source_type() == "http"
    assert json.loads(d.source) == ds.source.to_dict()
    schema = json.loads(d.schema)
    assert [c["name"] for c in schema["mlflow_colspec"]] == ["x", "y", "name"]
    assert json.loads(d.profile) == ds.profile
    tags = {t.key: t.value for t in di.tags}
    assert tags == {"mlflow.data.context": "training", "split": "train"}


def test_same_dataset_in_two_runs(client, experiment_id):
    df = pd.DataFrame({"x": [1.0]})
    ds = mlflow.data.from_pandas(df, source="https://example.invalid/one.csv", name="shared")
    mlflow.set_experiment(experiment_id=experiment_id)
    runs = []
    for ctx in ("training", "eval"):
        with mlflow.start_run() as run:
            mlflow.log_input(ds, context=ctx)
        runs.append(run.info.run_id)
    for run_id, ctx in zip(runs, ("training", "eval")):
        (di,) = client.get_run(run_id).inputs.dataset_inputs
        assert di.dataset.digest == ds.digest
        assert {t.key: t.value for t in di.tags}["mlflow.data.context"] == ctx


def test_dataset_round_trips_into_a_dataset_source(client, experiment_id):
    df = pd.DataFrame({"a": range(10)})
    ds = mlflow.data.from_pandas(df, source="https://example.invalid/data/a.csv", name="ten")
    mlflow.set_experiment(experiment_id=experiment_id)
    with mlflow.start_run() as run:
        mlflow.log_input(ds, context="training")
    (di,) = client.get_run(run.info.run_id).inputs.dataset_inputs
    source = mlflow.data.get_source(di)
    assert source.to_dict() == ds.source.to_dict()


def test_search_runs_by_dataset(client, experiment_id):
    df = pd.DataFrame({"v": [1, 2]})
    train = mlflow.data.from_pandas(df, source="https://example.invalid/t.csv", name="ds-train")
    other = mlflow.data.from_pandas(df.assign(w=3), source="https://example.invalid/o.csv", name="ds-other")
    mlflow.set_experiment(experiment_id=experiment_id)
    with mlflow.start_run() as a:
        mlflow.log_input(train, context="training")
    with mlflow.start_run() as b:
        mlflow.log_input(other, context="eval")
    with mlflow.start_run() as c:
        pass

    def ids(f):
        return {r.info.run_id for r in client.search_runs([experiment_id], filter_string=f)}

    assert ids("dataset.name = 'ds-train'") == {a.info.run_id}
    assert ids("datasets.context = 'eval'") == {b.info.run_id}
    assert ids("dataset.name IN ('ds-train', 'ds-other')") == {a.info.run_id, b.info.run_id}
    assert ids(f"dataset.digest = '{other.digest}'") == {b.info.run_id}
    assert ids("dataset.name LIKE 'ds-%'") == {a.info.run_id, b.info.run_id}
    assert c.info.run_id in ids("")
