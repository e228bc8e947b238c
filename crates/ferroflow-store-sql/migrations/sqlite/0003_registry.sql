-- Model registry. Names cascade on rename (ON UPDATE CASCADE) so versions, tags and aliases
-- follow their model; deletes cascade the same way. `last_version` keeps version numbers from
-- being reused after a version is deleted.

CREATE TABLE registered_models (
    name              TEXT   NOT NULL PRIMARY KEY,
    creation_time     BIGINT NOT NULL,
    last_updated_time BIGINT NOT NULL,
    description       TEXT,
    user_id           TEXT,
    last_version      BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX registered_models_updated ON registered_models (last_updated_time, name);

CREATE TABLE registered_model_tags (
    name  TEXT NOT NULL REFERENCES registered_models (name) ON UPDATE CASCADE ON DELETE CASCADE,
    key   TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (name, key)
);
CREATE INDEX registered_model_tags_key_value ON registered_model_tags (key, value);

CREATE TABLE model_versions (
    name              TEXT   NOT NULL REFERENCES registered_models (name) ON UPDATE CASCADE ON DELETE CASCADE,
    version           BIGINT NOT NULL,
    creation_time     BIGINT NOT NULL,
    last_updated_time BIGINT NOT NULL,
    description       TEXT,
    user_id           TEXT,
    current_stage     TEXT   NOT NULL,
    source            TEXT   NOT NULL,
    storage_location  TEXT   NOT NULL,
    run_id            TEXT,
    run_link          TEXT,
    status            TEXT   NOT NULL,
    status_message    TEXT,
    model_id          TEXT,
    PRIMARY KEY (name, version)
);
CREATE INDEX model_versions_stage ON model_versions (name, current_stage, version);
CREATE INDEX model_versions_updated ON model_versions (last_updated_time);
CREATE INDEX model_versions_run ON model_versions (run_id);

CREATE TABLE model_version_tags (
    name    TEXT   NOT NULL,
    version BIGINT NOT NULL,
    key     TEXT   NOT NULL,
    value   TEXT   NOT NULL,
    PRIMARY KEY (name, version, key),
    FOREIGN KEY (name, version) REFERENCES model_versions (name, version) ON UPDATE CASCADE ON DELETE CASCADE
);

CREATE TABLE registered_model_aliases (
    name    TEXT   NOT NULL,
    alias   TEXT   NOT NULL,
    version BIGINT NOT NULL,
    PRIMARY KEY (name, alias),
    FOREIGN KEY (name, version) REFERENCES model_versions (name, version) ON UPDATE CASCADE ON DELETE CASCADE
);
