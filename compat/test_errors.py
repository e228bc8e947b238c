"""Error cases: the client branches on error_code, so the code (and HTTP status) must be exact."""

import mlflow
import pytest
from mlflow.entities import Metric, Param
from mlflow.exceptions import MlflowException

MISSING_RUN = "0123456789abcdef0123456789abcdef"


def expect_error(code, status, fn, *args, **kwargs):
    with pytest.raises(MlflowException) as err:
        fn(*args, **kwargs)
    assert err.value.error_code == code, str(err.value)
    assert err.value.get_http_status_code() == status, str(err.value)
    return err.value


def test_missing_run(client):
    e = expect_error("RESOURCE_DOES_NOT_EXIST", 404, client.get_run, MISSING_RUN)
    assert MISSING_RUN in str(e)
    expect_error("RESOURCE_DOES_NOT_EXIST", 404, client.log_metric, MISSING_RUN, "m", 1.0)
    expect_error("RESOURCE_DOES_NOT_EXIST", 404, client.log_param, MISSING_RUN, "p", "v")
    expect_error("RESOURCE_DOES_NOT_EXIST", 404, client.set_tag, MISSING_RUN, "t", "v")
    expect_error("RESOURCE_DOES_NOT_EXIST", 404, client.delete_run, MISSING_RUN)


def test_missing_experiment(client):
    expect_error("RESOURCE_DOES_NOT_EXIST", 404, client.get_experiment, "987654321")
    expect_error("RESOURCE_DOES_NOT_EXIST", 404, client.delete_experiment, "987654321")
    expect_error("RESOURCE_DOES_NOT_EXIST", 404, client.create_run, "987654321")
    assert client.get_experiment_by_name("no-such-experiment-anywhere") is None


def test_duplicate_experiment(client, unique):
    name = unique("dup")
    client.create_experiment(name)
    e = expect_error("RESOURCE_ALREADY_EXISTS", 400, client.create_experiment, name)
    assert name in str(e)


def test_rename_to_existing_name(client, unique):
    a, b = unique("a"), unique("b")
    client.create_experiment(a)
    b_id = client.create_experiment(b)
    with pytest.raises(MlflowException) as err:
        client.rename_experiment(b_id, a)
    # The official server leaks its SQL IntegrityError as BAD_REQUEST here; the more precise
    # RESOURCE_ALREADY_EXISTS is equally a 400 and the client does not branch on either.
    assert err.value.error_code in ("BAD_REQUEST", "RESOURCE_ALREADY_EXISTS"), str(err.value)
    assert err.value.get_http_status_code() == 400
    assert client.get_experiment(b_id).name == b


def test_param_change_is_rejected(client, experiment_id):
    run_id = client.create_run(experiment_id).info.run_id
    client.log_param(run_id, "lr", "0.1")
    e = expect_error("INVALID_PARAMETER_VALUE", 400, client.log_param, run_id, "lr", "0.2")
    assert "Changing param values is not allowed" in str(e)
    e = expect_error(
        "INVALID_PARAMETER_VALUE", 400, client.log_batch, run_id, params=[Param("lr", "0.3")]
    )
    assert "Changing param values is not allowed" in str(e)
    assert client.get_run(run_id).data.params["lr"] == "0.1"


def test_duplicate_param_keys_in_one_batch(client, experiment_id):
    run_id = client.create_run(experiment_id).info.run_id
    expect_error(
        "INVALID_PARAMETER_VALUE", 400, client.log_batch, run_id,
        params=[Param("k", "1"), Param("k", "1")],
    )


@pytest.mark.parametrize("key", ["../escape", "/abs", "a//b", "bad\u0000", "semi;colon", "x" * 251])
def test_invalid_keys(client, experiment_id, key):
    run_id = client.create_run(experiment_id).info.run_id
    expect_error("INVALID_PARAMETER_VALUE", 400, client.log_metric, run_id, key, 1.0)
    expect_error("INVALID_PARAMETER_VALUE", 400, client.log_param, run_id, key, "v")
    expect_error("INVALID_PARAMETER_VALUE", 400, client.set_tag, run_id, key, "v")
    expect_error(
        "INVALID_PARAMETER_VALUE", 400, client.log_batch, run_id, metrics=[Metric(key, 1.0, 0, 0)]
    )
    data = client.get_run(run_id).data
    assert not data.metrics and not data.params


def test_invalid_experiment_names(client):
    expect_error("INVALID_PARAMETER_VALUE", 400, client.create_experiment, "x" * 501)


def test_create_run_in_deleted_experiment(client, unique):
    exp_id = client.create_experiment(unique("gone"))
    client.delete_experiment(exp_id)
    expect_error("INVALID_PARAMETER_VALUE", 400, client.create_run, exp_id)


def test_writes_to_deleted_run(client, experiment_id):
    run_id = client.create_run(experiment_id).info.run_id
    client.delete_run(run_id)
    expect_error("INVALID_PARAMETER_VALUE", 400, client.log_param, run_id, "p", "v")
    expect_error("INVALID_PARAMETER_VALUE", 400, client.set_tag, run_id, "t", "v")
    expect_error(
        "INVALID_PARAMETER_VALUE", 400, client.log_batch, run_id, metrics=[Metric("m", 1.0, 0, 0)]
    )


def test_fluent_errors_surface_as_mlflow_exceptions(experiment_id):
    mlflow.set_experiment(experiment_id=experiment_id)
    with mlflow.start_run():
        mlflow.log_param("p", 1)
        with pytest.raises(MlflowException) as err:
            mlflow.log_param("p", 2)
        assert err.value.error_code == "INVALID_PARAMETER_VALUE"
