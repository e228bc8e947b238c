"""Experiment lifecycle through the official client: create, reuse, rename, tag, delete,
restore and search."""

import mlflow
import pytest
from mlflow.entities import ViewType
from mlflow.exceptions import MlflowException


def test_default_experiment_exists(client):
    exp = client.get_experiment("0")
    assert exp.name == "Default"
    assert exp.lifecycle_stage == "active"


def test_set_experiment_creates_then_reuses(client, unique):
    name = unique("setexp")
    assert client.get_experiment_by_name(name) is None
    first = mlflow.set_experiment(name)
    assert first.name == name
    assert first.lifecycle_stage == "active"
    # Artifacts must be proxied, so the location uses the mlflow-artifacts scheme.
    assert first.artifact_location == f"mlflow-artifacts:/{first.experiment_id}"
    again = mlflow.set_experiment(name)
    assert again.experiment_id == first.experiment_id
    by_id = mlflow.set_experiment(experiment_id=first.experiment_id)
    assert by_id.name == name
    fetched = client.get_experiment_by_name(name)
    assert fetched.experiment_id == first.experiment_id
    assert fetched.creation_time > 0
    assert fetched.last_update_time >= fetched.creation_time


def test_create_experiment_with_tags(client, unique):
    name = unique("tagged")
    exp_id = client.create_experiment(name, tags={"team": "ml", "priority": "1"})
    exp = client.get_experiment(exp_id)
    assert exp.tags["team"] == "ml"
    assert exp.tags["priority"] == "1"


def test_rename_and_experiment_tags(client, unique):
    old, new = unique("old"), unique("new")
    exp_id = client.create_experiment(old)
    client.rename_experiment(exp_id, new)
    assert client.get_experiment(exp_id).name == new
    assert client.get_experiment_by_name(old) is None
    assert client.get_experiment_by_name(new).experiment_id == exp_id

    client.set_experiment_tag(exp_id, "stage", "dev")
    client.set_experiment_tag(exp_id, "stage", "prod")  # upsert
    assert client.get_experiment(exp_id).tags["stage"] == "prod"
    client.delete_experiment_tag(exp_id, "stage")
    assert "stage" not in client.get_experiment(exp_id).tags


def test_delete_and_restore_experiment(client, unique):
    name = unique("del")
    exp_id = client.create_experiment(name)
    run = client.create_run(exp_id)
    client.delete_experiment(exp_id)

    exp = client.get_experiment(exp_id)
    assert exp.lifecycle_stage == "deleted"
    # get-by-name still finds it, and the fluent API refuses to activate it.
    assert client.get_experiment_by_name(name).lifecycle_stage == "deleted"
    with pytest.raises(MlflowException):
        mlflow.set_experiment(name)
    # The name stays reserved while the experiment is soft-deleted.
    with pytest.raises(MlflowException) as err:
        client.create_experiment(name)
    assert err.value.error_code == "RESOURCE_ALREADY_EXISTS"

    active = {e.experiment_id for e in client.search_experiments(filter_string=f"name = '{name}'")}
    assert exp_id not in active
    deleted = client.search_experiments(
        view_type=ViewType.DELETED_ONLY, filter_string=f"name = '{name}'"
    )
    assert [e.experiment_id for e in deleted] == [exp_id]
    # Runs of a deleted experiment are deleted with it.
    assert client.get_run(run.info.run_id).info.lifecycle_stage == "deleted"

    client.restore_experiment(exp_id)
    assert client.get_experiment(exp_id).lifecycle_stage == "active"
    assert client.get_run(run.info.run_id).info.lifecycle_stage == "active"
    assert mlflow.set_experiment(name).experiment_id == exp_id


def test_search_experiments_filter_order_and_pages(client, unique):
    prefix = unique("srch")
    ids = {}
    for i in range(7):
        name = f"{prefix}-{i:02d}"
        tags = {"parity": "even" if i % 2 == 0 else "odd"}
        ids[name] = client.create_experiment(name, tags=tags)

    found = client.search_experiments(
        filter_string=f"name LIKE '{prefix}-%'", order_by=["name DESC"]
    )
    assert [e.name for e in found] == sorted(ids, reverse=True)

    evens = client.search_experiments(
        filter_string=f"name LIKE '{prefix}-%' AND tags.parity = 'even'", order_by=["name ASC"]
    )
    assert [e.name for e in evens] == [f"{prefix}-{i:02d}" for i in (0, 2, 4, 6)]

    ilike = client.search_experiments(filter_string=f"name ILIKE '{prefix.upper()}-0%'")
    assert len(ilike) == 7

    seen, token, pages = [], None, 0
    while True:
        page = client.search_experiments(
            filter_string=f"name LIKE '{prefix}-%'",
            order_by=["name ASC"],
            max_results=3,
            page_token=token,
        )
        pages += 1
        assert len(page) <= 3
        seen.extend(e.name for e in page)
        token = page.token
        if not token:
            break
        assert pages < 10, "pagination does not terminate"
    assert seen == sorted(ids)
    assert pages == 3

    fluent = mlflow.search_experiments(filter_string=f"name LIKE '{prefix}-%'")
    assert {e.experiment_id for e in fluent} == set(ids.values())
