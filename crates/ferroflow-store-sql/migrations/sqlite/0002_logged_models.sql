-- MLflow 3 logged models. Forward-only, like every migration. The status is the protobuf
-- number (as MLflow's SQL store keeps it), so `status = '2'` filters behave the same.

CREATE TABLE logged_models (
    model_id                  TEXT    NOT NULL PRIMARY KEY,
    experiment_id             BIGINT  NOT NULL REFERENCES experiments (experiment_id),
    name                      TEXT    NOT NULL,
    artifact_uri              TEXT    NOT NULL,
    creation_timestamp_ms     BIGINT  NOT NULL,
    last_updated_timestamp_ms BIGINT  NOT NULL,
    status                    INTEGER NOT NULL,
    lifecycle_stage           TEXT    NOT NULL,
    model_type                TEXT,
    source_run_id             TEXT,
    status_message            TEXT
);
-- Serves the default search order (newest first) within experiments.
CREATE INDEX logged_models_experiment_stage_ctime
    ON logged_models (experiment_id, lifecycle_stage, creation_timestamp_ms DESC, model_id);
-- `runs:/<run>/<name>` resolution searches by name within an experiment.
CREATE INDEX logged_models_experiment_name ON logged_models (experiment_id, name);

CREATE TABLE logged_model_tags (
    model_id TEXT NOT NULL REFERENCES logged_models (model_id),
    key      TEXT NOT NULL,
    value    TEXT NOT NULL,
    PRIMARY KEY (model_id, key)
);

CREATE TABLE logged_model_params (
    model_id TEXT NOT NULL REFERENCES logged_models (model_id),
    key      TEXT NOT NULL,
    value    TEXT NOT NULL,
    PRIMARY KEY (model_id, key)
);

-- Points that runs logged with a `model_id`. No foreign key to logged_models: a log-batch
-- naming an unknown model must not fail the run's own metrics, as in MLflow. NaN is stored as
-- value 0 with is_nan = 1, like the run metric tables.
CREATE TABLE logged_model_metrics (
    model_id       TEXT    NOT NULL,
    key            TEXT    NOT NULL,
    timestamp      BIGINT  NOT NULL,
    step           BIGINT  NOT NULL,
    run_uuid       TEXT    NOT NULL REFERENCES runs (run_uuid),
    value          DOUBLE  NOT NULL,
    is_nan         INTEGER NOT NULL,
    experiment_id  BIGINT  NOT NULL,
    dataset_name   TEXT,
    dataset_digest TEXT,
    PRIMARY KEY (model_id, key, timestamp, step, run_uuid)
);
