"""search_runs: the filter grammar, ordering, pagination and the pandas output of the fluent API."""

import math

import mlflow
import pandas as pd
import pytest
from mlflow import MlflowClient
from mlflow.entities import Metric, Param, RunTag, ViewType
from mlflow.exceptions import MlflowException

N_RUNS = 12


@pytest.fixture(scope="module")
def corpus(server):
    """One experiment with N_RUNS runs whose data varies predictably with the index i."""
    import uuid

    client = MlflowClient(tracking_uri=server.url)
    name = f"search-{uuid.uuid4().hex[:12]}"
    exp_id = client.create_experiment(name)
    runs = {}
    for i in range(N_RUNS):
        run = client.create_run(
            exp_id, run_name=f"run-{i:02d}", start_time=1_700_000_000_000 + i * 1000
        )
        rid = run.info.run_id
        metrics = [Metric("acc", i / 10, 1_700_000_000_000, 0), Metric("loss", 10.0 - i, 1_700_000_000_000, 0)]
        if i % 3 == 0:
            metrics.append(Metric("only_some", float(i), 1_700_000_000_000, 0))
        client.log_batch(
            rid,
            metrics=metrics,
            params=[Param("model", "a" if i % 2 == 0 else "b"), Param("idx", f"{i:02d}")],
            tags=[RunTag("group", ["x", "y", "z"][i % 3]), RunTag("Label", f"Run-{i:02d}")],
        )
        status = "FAILED" if i in (4, 9) else "FINISHED"
        client.set_terminated(rid, status=status, end_time=1_700_000_000_000 + i * 1000 + 500)
        runs[i] = rid
    return {"exp_id": exp_id, "name": name, "runs": runs}


def ids_for(corpus, indices):
    return {corpus["runs"][i] for i in indices}


def search(client, corpus, filter_string="", **kw):
    return client.search_runs([corpus["exp_id"]], filter_string=filter_string, **kw)


@pytest.mark.parametrize(
    "filter_string, expected",
    [
        ("", range(N_RUNS)),
        ("metrics.acc > 0.5", range(6, N_RUNS)),
        ("metrics.acc >= 0.5 AND metrics.loss < 4", range(7, N_RUNS)),
        ("metrics.loss = 10", [0]),
        ("metrics.loss != 10", range(1, N_RUNS)),
        ("metrics.only_some <= 6", [0, 3, 6]),
        ("params.model = 'a'", range(0, N_RUNS, 2)),
        ("params.model != 'a'", range(1, N_RUNS, 2)),
        ("params.idx LIKE '0%'", range(10)),
        ("params.idx LIKE '%1'", [1, 11]),
        ("tags.group = 'y'", [1, 4, 7, 10]),
        ("tags.group != 'y'", [i for i in range(N_RUNS) if i % 3 != 1]),
        ("tags.group IS NOT NULL", range(N_RUNS)),
        ("params.missing IS NULL", range(N_RUNS)),
        ("params.idx IS NULL", []),
        ("tags.`mlflow.runName` = 'run-03'", [3]),
        ('params."idx" = "05"', [5]),
        ("tags.Label LIKE 'run-%'", []),
        ("tags.Label ILIKE 'run-1%'", [10, 11]),
        ("attributes.status = 'FAILED'", [4, 9]),
        ("attributes.status != 'FAILED'", [i for i in range(N_RUNS) if i not in (4, 9)]),
        ("attributes.run_name = 'run-03'", [3]),
        ("attributes.run_name LIKE 'run-0%'", range(10)),
        ("run_name ILIKE 'RUN-1%'", [10, 11]),
        ("attributes.start_time >= 1700000006000", range(6, N_RUNS)),
        ("attributes.end_time < 1700000002000", [0, 1]),
        ("params.model = 'a' AND tags.group = 'x' AND metrics.acc > 0.1", [6]),
        ("params.missing = 'x'", []),
    ],
)
def test_filters(client, corpus, filter_string, expected):
    got = {r.info.run_id for r in search(client, corpus, filter_string)}
    assert got == ids_for(corpus, expected), filter_string


def test_filter_run_id_in(client, corpus):
    wanted = [corpus["runs"][2], corpus["runs"][5]]
    quoted = ", ".join(f"'{r}'" for r in wanted)
    got = search(client, corpus, f"attributes.run_id IN ({quoted})")
    assert {r.info.run_id for r in got} == set(wanted)
    got = search(client, corpus, f"run_id NOT IN ({quoted}) AND params.model = 'a'")
    assert {r.info.run_id for r in got} == ids_for(corpus, [0, 4, 6, 8, 10])


@pytest.mark.parametrize(
    "order_by, expected",
    [
        (["metrics.acc DESC"], list(range(N_RUNS - 1, -1, -1))),
        (["metrics.loss ASC"], list(range(N_RUNS - 1, -1, -1))),
        (["params.idx ASC"], list(range(N_RUNS))),
        (["attributes.start_time ASC"], list(range(N_RUNS))),
        (["start_time DESC"], list(range(N_RUNS - 1, -1, -1))),
        (["attributes.run_name DESC"], list(range(N_RUNS - 1, -1, -1))),
        (["tags.group ASC", "metrics.acc DESC"], [9, 6, 3, 0, 10, 7, 4, 1, 11, 8, 5, 2]),
    ],
)
def test_order_by(client, corpus, order_by, expected):
    got = [r.info.run_id for r in search(client, corpus, order_by=order_by)]
    assert got == [corpus["runs"][i] for i in expected], order_by


def test_default_order_is_start_time_desc(client, corpus):
    got = [r.info.run_id for r in search(client, corpus)]
    assert got == [corpus["runs"][i] for i in range(N_RUNS - 1, -1, -1)]


def test_missing_metric_sorts_last(client, corpus):
    got = [r.info.run_id for r in search(client, corpus, order_by=["metrics.only_some DESC"])]
    assert got[:4] == [corpus["runs"][i] for i in (9, 6, 3, 0)]
    assert set(got[4:]) == ids_for(corpus, [i for i in range(N_RUNS) if i % 3 != 0])


def test_pagination_with_page_tokens(client, corpus):
    seen, token, pages = [], None, 0
    while True:
        page = search(client, corpus, order_by=["params.idx ASC"], max_results=5, page_token=token)
        pages += 1
        assert len(page) == (5 if pages < 3 else N_RUNS - 10)
        seen.extend(r.info.run_id for r in page)
        token = page.token
        if not token:
            break
        assert pages < 10, "pagination does not terminate"
    assert pages == 3
    assert seen == [corpus["runs"][i] for i in range(N_RUNS)]


def test_pagination_with_filter(client, corpus):
    seen, token = [], None
    for _ in range(10):
        page = search(client, corpus, "params.model = 'a'", max_results=4, page_token=token)
        seen.extend(r.info.run_id for r in page)
        token = page.token
        if not token:
            break
    assert sorted(seen) == sorted(ids_for(corpus, range(0, N_RUNS, 2)))
    assert len(seen) == len(set(seen))


def test_fluent_search_runs_dataframe(corpus):
    df = mlflow.search_runs(experiment_ids=[corpus["exp_id"]], order_by=["params.idx ASC"])
    assert isinstance(df, pd.DataFrame)
    assert len(df) == N_RUNS
    for col in [
        "run_id", "experiment_id", "status", "artifact_uri", "start_time", "end_time",
        "metrics.acc", "metrics.loss", "metrics.only_some",
        "params.model", "params.idx", "tags.group", "tags.Label", "tags.mlflow.runName",
    ]:
        assert col in df.columns, col
    assert list(df["run_id"]) == [corpus["runs"][i] for i in range(N_RUNS)]
    assert list(df["metrics.acc"]) == [i / 10 for i in range(N_RUNS)]
    assert list(df["params.model"]) == ["a" if i % 2 == 0 else "b" for i in range(N_RUNS)]
    assert list(df["tags.mlflow.runName"]) == [f"run-{i:02d}" for i in range(N_RUNS)]
    assert list(df["status"]) == ["FAILED" if i in (4, 9) else "FINISHED" for i in range(N_RUNS)]
    only_some = list(df["metrics.only_some"])
    for i, v in enumerate(only_some):
        assert (v == float(i)) if i % 3 == 0 else math.isnan(v)
    assert str(df["start_time"].dtype).startswith("datetime64")


def test_fluent_search_runs_by_name_and_filter(corpus):
    df = mlflow.search_runs(
        experiment_names=[corpus["name"]],
        filter_string="metrics.acc >= 1.0",
    )
    assert set(df["run_id"]) == ids_for(corpus, [10, 11])
    runs = mlflow.search_runs(
        experiment_ids=[corpus["exp_id"]], filter_string="tags.group = 'z'", output_format="list"
    )
    assert {r.info.run_id for r in runs} == ids_for(corpus, [2, 5, 8, 11])


def test_search_across_experiments(client, corpus, experiment_id):
    other = client.create_run(experiment_id)
    client.log_param(other.info.run_id, "model", "a")
    got = client.search_runs([corpus["exp_id"], experiment_id], filter_string="params.model = 'a'")
    assert {r.info.run_id for r in got} == ids_for(corpus, range(0, N_RUNS, 2)) | {other.info.run_id}


def test_search_view_types(client, experiment_id):
    a = client.create_run(experiment_id).info.run_id
    b = client.create_run(experiment_id).info.run_id
    client.delete_run(b)
    assert {r.info.run_id for r in client.search_runs([experiment_id], run_view_type=ViewType.ACTIVE_ONLY)} == {a}
    assert {r.info.run_id for r in client.search_runs([experiment_id], run_view_type=ViewType.DELETED_ONLY)} == {b}
    assert {r.info.run_id for r in client.search_runs([experiment_id], run_view_type=ViewType.ALL)} == {a, b}


def test_search_returns_full_run_data(client, corpus):
    (run,) = search(client, corpus, "attributes.run_name = 'run-06'")
    assert run.data.params == {"model": "a", "idx": "06"}
    assert run.data.metrics == {"acc": 0.6, "loss": 4.0, "only_some": 6.0}
    assert run.data.tags["group"] == "x"


@pytest.mark.parametrize(
    "bad_filter",
    [
        "bogus",
        "metrics.acc >",
        "params.model = 1",
        "attributes.nonexistent = 'x'",
        "tags.group IN ('x', 'z')",
        "metrics.acc LIKE '1%'",
        "foo.bar = 'x'",
        "metrics.acc > 0.5 OR metrics.acc < 0.1",
    ],
)
def test_invalid_filter_is_invalid_parameter_value(client, corpus, bad_filter):
    with pytest.raises(MlflowException) as err:
        search(client, corpus, bad_filter)
    assert err.value.error_code == "INVALID_PARAMETER_VALUE"
    assert err.value.get_http_status_code() == 400


def test_invalid_order_by_is_invalid_parameter_value(client, corpus):
    with pytest.raises(MlflowException) as err:
        search(client, corpus, order_by=["metrics.acc SIDEWAYS"])
    assert err.value.error_code == "INVALID_PARAMETER_VALUE"
