"""Model registry end to end with the official client: sklearn models registered through
log_model, loaded back through models:/ URIs, stages, aliases, renames, tags, searches, deletes,
error codes, and refusal of sources outside the artifact stores."""

import mlflow
import numpy as np
import pytest
from mlflow.exceptions import MlflowException
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression


def expect_error(code, fn, *args, **kwargs):
    with pytest.raises(MlflowException) as e:
        fn(*args, **kwargs)
    assert e.value.error_code == code, str(e.value)
    return e.value


@pytest.fixture(scope="module")
def iris():
    X, y = load_iris(return_X_y=True)
    return X, y


@pytest.fixture(scope="module")
def registered(server, iris):
    """A model `m` with two versions logged from two runs, and the in-memory classifiers."""
    import uuid

    X, y = iris
    name = f"reg-{uuid.uuid4().hex[:10]}"
    mlflow.set_experiment(f"exp-{name}")
    clfs, runs = [], []
    for c in (1.0, 0.01):
        clf = LogisticRegression(C=c, max_iter=500).fit(X, y)
        with mlflow.start_run() as run:
            info = mlflow.sklearn.log_model(clf, name="model", registered_model_name=name)
        clfs.append(clf)
        runs.append((run.info.run_id, info.model_id))
    return name, clfs, runs


def test_log_model_creates_increasing_versions(client, registered):
    name, _, runs = registered
    for i, (run_id, model_id) in enumerate(runs, start=1):
        mv = client.get_model_version(name, str(i))
        assert mv.version == str(i)
        assert mv.status == "READY"
        assert mv.current_stage == "None"
        assert mv.run_id == run_id, "server fills run_id from the logged model"
        uri = client.get_model_version_download_uri(name, str(i))
        assert uri == mlflow.get_logged_model(model_id).artifact_location


def test_load_registered_version(registered, iris):
    name, clfs, _ = registered
    X, _ = iris
    expected = clfs[0].predict(X)
    sk = mlflow.sklearn.load_model(f"models:/{name}/1")
    assert np.array_equal(sk.predict(X), expected)
    py = mlflow.pyfunc.load_model(f"models:/{name}/1")
    assert np.array_equal(np.asarray(py.predict(X)), expected)
    # Version 2 is the other classifier, not a copy of version 1.
    assert np.array_equal(
        mlflow.sklearn.load_model(f"models:/{name}/2").predict(X), clfs[1].predict(X)
    )


def test_stages_archiving_and_latest_versions(client, registered):
    name, _, _ = registered
    client.transition_model_version_stage(name, "1", "production")
    mv = client.transition_model_version_stage(
        name, "2", "Production", archive_existing_versions=True
    )
    assert mv.current_stage == "Production"
    assert client.get_model_version(name, "1").current_stage == "Archived"
    latest = {v.current_stage: v.version for v in client.get_latest_versions(name)}
    assert latest == {"Production": "2", "Archived": "1"}
    prod = client.get_latest_versions(name, stages=["production"])
    assert [v.version for v in prod] == ["2"]
    expect_error(
        "INVALID_PARAMETER_VALUE", client.transition_model_version_stage, name, "1", "Bogus"
    )
    # Back to a clean state for the other tests.
    client.transition_model_version_stage(name, "1", "None")
    client.transition_model_version_stage(name, "2", "None")


def test_aliases(client, registered, iris):
    name, clfs, _ = registered
    X, _ = iris
    client.set_registered_model_alias(name, "champion", "1")
    mv = client.get_model_version_by_alias(name, "champion")
    assert mv.version == "1" and "champion" in mv.aliases
    assert client.get_registered_model(name).aliases == {"champion": "1"}
    loaded = mlflow.sklearn.load_model(f"models:/{name}@champion")
    assert np.array_equal(loaded.predict(X), clfs[0].predict(X))
    client.set_registered_model_alias(name, "champion", "2")
    assert client.get_model_version_by_alias(name, "champion").version == "2"
    client.delete_registered_model_alias(name, "champion")
    expect_error("INVALID_PARAMETER_VALUE", client.get_model_version_by_alias, name, "champion")
    expect_error("INVALID_PARAMETER_VALUE", client.set_registered_model_alias, name, "latest", "1")


def test_tags_and_descriptions(client, registered):
    name, _, _ = registered
    client.set_registered_model_tag(name, "team", "ml")
    client.set_model_version_tag(name, "1", "validated", "yes")
    client.update_registered_model(name, description="iris classifier")
    client.update_model_version(name, "1", description="first")
    rm = client.get_registered_model(name)
    assert rm.tags["team"] == "ml"
    assert rm.description == "iris classifier"
    mv = client.get_model_version(name, "1")
    assert mv.tags == {"validated": "yes"}
    assert mv.description == "first"
    client.delete_registered_model_tag(name, "team")
    client.delete_model_version_tag(name, "1", "validated")
    assert "team" not in client.get_registered_model(name).tags
    assert client.get_model_version(name, "1").tags == {}


def test_search(client, unique):
    prefix = unique("search")
    for i in range(3):
        client.create_registered_model(f"{prefix}-{i}", tags={"idx": str(i)})
    found = client.search_registered_models(filter_string=f"name LIKE '{prefix}-%'")
    assert sorted(m.name for m in found) == [f"{prefix}-{i}" for i in range(3)]
    tagged = client.search_registered_models(
        filter_string=f"name LIKE '{prefix}-%' AND tags.idx = '1'"
    )
    assert [m.name for m in tagged] == [f"{prefix}-1"]
    desc = client.search_registered_models(
        filter_string=f"name LIKE '{prefix}-%'", order_by=["name DESC"], max_results=2
    )
    assert [m.name for m in desc] == [f"{prefix}-2", f"{prefix}-1"]
    assert desc.token
    rest = client.search_registered_models(
        filter_string=f"name LIKE '{prefix}-%'",
        order_by=["name DESC"],
        max_results=2,
        page_token=desc.token,
    )
    assert [m.name for m in rest] == [f"{prefix}-0"]
    expect_error(
        "INVALID_PARAMETER_VALUE", client.search_registered_models, filter_string="foo.bar = 'x'"
    )


def test_search_model_versions(client, registered):
    name, _, runs = registered
    versions = client.search_model_versions(f"name = '{name}'", order_by=["version_number ASC"])
    assert [v.version for v in versions] == ["1", "2"]
    newer = client.search_model_versions(f"name = '{name}' AND version_number > 1")
    assert [v.version for v in newer] == ["2"]
    by_run = client.search_model_versions(f"run_id = '{runs[0][0]}'")
    assert [(v.name, v.version) for v in by_run] == [(name, "1")]


def test_missing_resources(client, unique, registered):
    name, _, _ = registered
    expect_error("RESOURCE_DOES_NOT_EXIST", client.get_registered_model, unique("nope"))
    expect_error("RESOURCE_DOES_NOT_EXIST", client.get_model_version, name, "999")
    expect_error("RESOURCE_ALREADY_EXISTS", client.create_registered_model, name)
    expect_error("INVALID_PARAMETER_VALUE", client.create_registered_model, "bad/name")
    expect_error("RESOURCE_DOES_NOT_EXIST", client.delete_registered_model, unique("nope"))


def test_rename_and_deletes(client, unique, registered, iris):
    _, clfs, runs = registered
    X, _ = iris
    old = unique("old")
    client.create_registered_model(old)
    for _, model_id in runs:
        client.create_model_version(old, f"models:/{model_id}", model_id=model_id)
    client.set_registered_model_alias(old, "best", "2")
    new = unique("new")
    client.rename_registered_model(old, new)
    assert client.get_registered_model(new).name == new
    expect_error("RESOURCE_DOES_NOT_EXIST", client.get_registered_model, old)
    mv = client.get_model_version(new, "2")
    assert mv.name == new and mv.aliases == ["best"]
    loaded = mlflow.sklearn.load_model(f"models:/{new}@best")
    assert np.array_equal(loaded.predict(X), clfs[1].predict(X))

    client.delete_model_version(new, "2")
    expect_error("RESOURCE_DOES_NOT_EXIST", client.get_model_version, new, "2")
    again = client.create_model_version(new, f"models:/{runs[0][1]}", model_id=runs[0][1])
    assert again.version == "3", "deleted version numbers are not reused"
    client.delete_registered_model(new)
    expect_error("RESOURCE_DOES_NOT_EXIST", client.get_registered_model, new)
    expect_error("RESOURCE_DOES_NOT_EXIST", client.get_model_version, new, "1")


@pytest.mark.parametrize(
    "source",
    [
        "/etc",
        "file:///etc/passwd",
        "mlflow-artifacts:/../../../etc/passwd",
        "mlflow-artifacts:/0/%2e%2e/%2e%2e/%2e%2e/etc",
    ],
)
def test_source_outside_artifact_stores_is_refused(client, unique, source):
    name = unique("evil")
    client.create_registered_model(name)
    expect_error("INVALID_PARAMETER_VALUE", client.create_model_version, name, source)
    assert client.search_model_versions(f"name = '{name}'") == []


def test_traversal_out_of_a_run_is_refused(client, registered):
    name, _, runs = registered
    run = mlflow.get_run(runs[0][0])
    source = f"{run.info.artifact_uri}/../../../../etc"
    expect_error(
        "INVALID_PARAMETER_VALUE", client.create_model_version, name, source, run_id=runs[0][0]
    )
