-- Run searches filter on params/tags by (key, value) and need only the run id back: with the
-- run id in the index the filter `run_uuid IN (SELECT run_uuid FROM params WHERE key = ? AND
-- value = ?)` is answered from the index alone. They replace the (key, value) indexes, which
-- they make redundant, so writes maintain the same number of indexes.
CREATE INDEX params_key_value_run ON params (key, value, run_uuid);
DROP INDEX params_key_value;
CREATE INDEX tags_key_value_run ON tags (key, value, run_uuid);
DROP INDEX tags_key_value;
