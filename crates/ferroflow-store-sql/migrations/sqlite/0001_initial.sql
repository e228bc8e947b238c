-- Ferroflow tracking schema, SQLite flavour. Forward-only: never edit a released migration,
-- add a new file instead. Types are the portable spellings (BIGINT/TEXT/DOUBLE) so the
-- PostgreSQL and MySQL folders can mirror this file line by line.

CREATE TABLE experiments (
    experiment_id     BIGINT  NOT NULL PRIMARY KEY,
    name              TEXT    NOT NULL,
    artifact_location TEXT    NOT NULL,
    lifecycle_stage   TEXT    NOT NULL,
    creation_time     BIGINT  NOT NULL,
    last_update_time  BIGINT  NOT NULL,
    CONSTRAINT experiments_name_unique UNIQUE (name)
);
CREATE INDEX experiments_stage_ctime ON experiments (lifecycle_stage, creation_time);

CREATE TABLE experiment_tags (
    experiment_id BIGINT NOT NULL REFERENCES experiments (experiment_id),
    key           TEXT   NOT NULL,
    value         TEXT   NOT NULL,
    PRIMARY KEY (experiment_id, key)
);

CREATE TABLE runs (
    run_uuid        TEXT   NOT NULL PRIMARY KEY,
    name            TEXT   NOT NULL,
    experiment_id   BIGINT NOT NULL REFERENCES experiments (experiment_id),
    user_id         TEXT   NOT NULL,
    status          TEXT   NOT NULL,
    start_time      BIGINT NOT NULL,
    end_time        BIGINT,
    artifact_uri    TEXT   NOT NULL,
    lifecycle_stage TEXT   NOT NULL
);
-- Serves the default search: experiment + stage filter, newest first.
CREATE INDEX runs_experiment_stage_start ON runs (experiment_id, lifecycle_stage, start_time DESC, run_uuid);

CREATE TABLE params (
    run_uuid TEXT NOT NULL REFERENCES runs (run_uuid),
    key      TEXT NOT NULL,
    value    TEXT NOT NULL,
    PRIMARY KEY (run_uuid, key)
);
CREATE INDEX params_key_value ON params (key, value);

CREATE TABLE tags (
    run_uuid TEXT NOT NULL REFERENCES runs (run_uuid),
    key      TEXT NOT NULL,
    value    TEXT NOT NULL,
    PRIMARY KEY (run_uuid, key)
);
CREATE INDEX tags_key_value ON tags (key, value);

-- Append-only history. NaN is stored as value 0 with is_nan = 1 because SQLite turns a NaN
-- REAL into NULL; the primary key is the (run, key, step, timestamp, value) range-read order.
CREATE TABLE metrics (
    run_uuid       TEXT    NOT NULL REFERENCES runs (run_uuid),
    key            TEXT    NOT NULL,
    step           BIGINT  NOT NULL,
    timestamp      BIGINT  NOT NULL,
    value          DOUBLE  NOT NULL,
    is_nan         INTEGER NOT NULL,
    model_id       TEXT,
    dataset_name   TEXT,
    dataset_digest TEXT,
    PRIMARY KEY (run_uuid, key, step, timestamp, value, is_nan)
) WITHOUT ROWID;

-- One row per (run, key): the point that sorts last by (step, timestamp, value, is_nan).
-- Maintained in the same transaction as the history inserts.
CREATE TABLE latest_metrics (
    run_uuid       TEXT    NOT NULL REFERENCES runs (run_uuid),
    key            TEXT    NOT NULL,
    step           BIGINT  NOT NULL,
    timestamp      BIGINT  NOT NULL,
    value          DOUBLE  NOT NULL,
    is_nan         INTEGER NOT NULL,
    model_id       TEXT,
    dataset_name   TEXT,
    dataset_digest TEXT,
    PRIMARY KEY (run_uuid, key)
);
CREATE INDEX latest_metrics_key_value ON latest_metrics (key, value);

-- Datasets are shared by the runs of one experiment, de-duplicated by (name, digest).
CREATE TABLE datasets (
    dataset_uuid   TEXT   NOT NULL PRIMARY KEY,
    experiment_id  BIGINT NOT NULL REFERENCES experiments (experiment_id),
    name           TEXT   NOT NULL,
    digest         TEXT   NOT NULL,
    source_type    TEXT   NOT NULL,
    source         TEXT   NOT NULL,
    schema         TEXT,
    profile        TEXT,
    CONSTRAINT datasets_experiment_name_digest UNIQUE (experiment_id, name, digest)
);

CREATE TABLE run_dataset_inputs (
    run_uuid     TEXT   NOT NULL REFERENCES runs (run_uuid),
    dataset_uuid TEXT   NOT NULL REFERENCES datasets (dataset_uuid),
    seq          BIGINT NOT NULL,
    PRIMARY KEY (run_uuid, dataset_uuid)
);
CREATE INDEX run_dataset_inputs_dataset ON run_dataset_inputs (dataset_uuid);

CREATE TABLE input_tags (
    run_uuid     TEXT NOT NULL,
    dataset_uuid TEXT NOT NULL,
    key          TEXT NOT NULL,
    value        TEXT NOT NULL,
    PRIMARY KEY (run_uuid, dataset_uuid, key),
    FOREIGN KEY (run_uuid, dataset_uuid) REFERENCES run_dataset_inputs (run_uuid, dataset_uuid)
);

CREATE TABLE run_model_inputs (
    run_uuid TEXT NOT NULL REFERENCES runs (run_uuid),
    model_id TEXT NOT NULL,
    PRIMARY KEY (run_uuid, model_id)
);

CREATE TABLE run_model_outputs (
    run_uuid TEXT   NOT NULL REFERENCES runs (run_uuid),
    model_id TEXT   NOT NULL,
    step     BIGINT NOT NULL,
    PRIMARY KEY (run_uuid, model_id, step)
);
