-- Run searches ordered by a metric walk the metric's latest values in order and stop after a
-- page, instead of sorting every run of the experiment. NaN is stored as 0 with is_nan = 1, so
-- is_nan comes before value: real values form one ordered range (scanned forwards or
-- backwards), NaNs another. With the run id in the index, metric filters
-- (`key = ? AND is_nan = 0 AND value > ?`) are answered from the index alone as well, which
-- makes the (key, value) index redundant: writes maintain the same number of indexes.
CREATE INDEX latest_metrics_key_nan_value_run ON latest_metrics (key, is_nan, value, run_uuid);
DROP INDEX latest_metrics_key_value;
