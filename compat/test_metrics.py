"""Metric history: exact round trips, paging past the client's 25000-point page, NaN/inf."""

import math
import sys

import mlflow
from mlflow.entities import Metric

# The official server stores +/-inf as +/-DBL_MAX; the client therefore reads that back.
# Accepting a true infinity too keeps the test about sign and magnitude, not storage trivia.
FLOAT_MAX = sys.float_info.max


def test_history_round_trip_exact(client, experiment_id):
    run_id = client.create_run(experiment_id).info.run_id
    points = [(0, 0.1, 1_600_000_000_123), (1, -2.5, 1_600_000_000_456), (2, 1e-300, 1_600_000_000_789),
              (3, 123456789.125, 1_600_000_001_000), (10, 0.0, 1_600_000_002_000)]
    for step, value, ts in points:
        client.log_metric(run_id, "precise", value, timestamp=ts, step=step)
    hist = client.get_metric_history(run_id, "precise")
    got = sorted((m.step, m.value, m.timestamp) for m in hist)
    assert got == sorted(points)
    assert all(m.key == "precise" for m in hist)


def test_multiple_values_per_step_are_all_kept(client, experiment_id):
    run_id = client.create_run(experiment_id).info.run_id
    client.log_batch(run_id, metrics=[Metric("m", float(v), 1000 + v, 0) for v in range(3)])
    client.log_metric(run_id, "m", 7.0, timestamp=5000, step=0)
    assert sorted(m.value for m in client.get_metric_history(run_id, "m")) == [0.0, 1.0, 2.0, 7.0]


def test_history_of_unknown_key_is_empty(client, experiment_id):
    run_id = client.create_run(experiment_id).info.run_id
    assert client.get_metric_history(run_id, "never-logged") == []


def test_history_pages_beyond_25000_points(client, experiment_id):
    """The client asks for 25000 points per page and follows next_page_token; a server that
    ignores paging or truncates silently loses points here."""
    n = 30_007
    run_id = client.create_run(experiment_id).info.run_id
    metrics = [Metric("long", float(i) * 0.5, 1_700_000_000_000 + i, i) for i in range(n)]
    client.log_batch(run_id, metrics=metrics)
    hist = client.get_metric_history(run_id, "long")
    assert len(hist) == n
    steps = sorted(m.step for m in hist)
    assert steps == list(range(n))
    by_step = {m.step: m for m in hist}
    for i in (0, 1, 24_999, 25_000, 25_001, n - 1):
        assert by_step[i].value == i * 0.5
        assert by_step[i].timestamp == 1_700_000_000_000 + i
    assert client.get_run(run_id).data.metrics["long"] == (n - 1) * 0.5


def test_nan_and_infinite_metrics(client, experiment_id):
    mlflow.set_experiment(experiment_id=experiment_id)
    with mlflow.start_run() as run:
        mlflow.log_metric("nan", float("nan"))
        mlflow.log_metric("pinf", float("inf"))
        mlflow.log_metric("ninf", float("-inf"))
        mlflow.log_metrics({"batch_nan": float("nan"), "batch_inf": float("inf")}, step=3)
    run_id = run.info.run_id
    data = client.get_run(run_id).data.metrics
    assert math.isnan(data["nan"]) and math.isnan(data["batch_nan"])
    for key, sign in (("pinf", 1), ("ninf", -1), ("batch_inf", 1)):
        value = data[key]
        assert value == sign * math.inf or value == sign * FLOAT_MAX, (key, value)
        (hist,) = client.get_metric_history(run_id, key)
        assert hist.value == sign * math.inf or hist.value == sign * FLOAT_MAX, (key, hist.value)
    (nan_hist,) = client.get_metric_history(run_id, "nan")
    assert math.isnan(nan_hist.value)
    assert client.get_metric_history(run_id, "batch_nan")[0].step == 3

    # NaN/inf metrics participate in search like any other metric.
    found = client.search_runs([experiment_id], filter_string="metrics.pinf > 1e300")
    assert [r.info.run_id for r in found] == [run_id]


def test_int_and_bool_like_values(client, experiment_id):
    run_id = client.create_run(experiment_id).info.run_id
    client.log_metric(run_id, "int", 42, step=0)
    client.log_metric(run_id, "big", 2**53, step=0)
    client.log_metric(run_id, "neg_step", 1.0, step=-5)
    data = client.get_run(run_id).data.metrics
    assert data["int"] == 42.0
    assert data["big"] == float(2**53)
    assert client.get_metric_history(run_id, "neg_step")[0].step == -5
