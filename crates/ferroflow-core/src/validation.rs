//! MLflow's validation limits and name rules, enforced by the service layer before any write.

use crate::error::{Error, Result};

pub const MAX_ENTITY_KEY_LENGTH: usize = 250;
pub const MAX_PARAM_VAL_LENGTH: usize = 6000;
pub const MAX_TAG_VAL_LENGTH: usize = 8000;
pub const MAX_EXPERIMENT_NAME_LENGTH: usize = 500;
pub const MAX_EXPERIMENT_TAG_VAL_LENGTH: usize = 20000;
pub const MAX_ARTIFACT_LOCATION_LENGTH: usize = 2048;
pub const MAX_METRICS_PER_BATCH: usize = 1000;
pub const MAX_PARAMS_TAGS_PER_BATCH: usize = 100;
pub const MAX_ENTITIES_PER_BATCH: usize = 1000;
pub const MAX_BATCH_REQUEST_BYTES: usize = 1_000_000;
pub const MAX_DATASET_NAME_LENGTH: usize = 500;
pub const MAX_DATASET_DIGEST_LENGTH: usize = 36;
pub const MAX_DATASET_SOURCE_LENGTH: usize = 65535;
pub const MAX_DATASET_SCHEMA_LENGTH: usize = 1_048_575;
pub const MAX_DATASET_PROFILE_LENGTH: usize = 16_777_215;
pub const MAX_INPUT_TAG_KEY_LENGTH: usize = 255;
pub const MAX_INPUT_TAG_VALUE_LENGTH: usize = 500;
pub const SEARCH_MAX_RESULTS_THRESHOLD: i64 = 50_000;
pub const MAX_RESULTS_GET_METRIC_HISTORY_DEFAULT: i64 = 25_000;
pub const MAX_RUNS_BULK_INTERVAL: usize = 100;
pub const MAX_RESULTS_BULK_INTERVAL: i64 = 2500;

/// Checks a metric, param or tag key: at most 250 characters of `[A-Za-z0-9_\-. /:]`, and stable
/// under POSIX path normalisation, because MLflow's file store once used keys as file names and
/// clients still rely on the same rule.
pub fn validate_key(kind: &str, key: &str) -> Result<()> {
    if key.is_empty() {
        return Err(Error::invalid(format!(
            "Missing value for required parameter '{kind}'."
        )));
    }
    if key.chars().count() > MAX_ENTITY_KEY_LENGTH {
        return Err(Error::invalid(format!(
            "{} name '{key}' had length {}, which exceeded length limit of {MAX_ENTITY_KEY_LENGTH}",
            capitalize(kind),
            key.chars().count()
        )));
    }
    let allowed = |c: char| c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | ' ' | '/' | ':');
    if !key.chars().all(allowed) {
        return Err(Error::invalid(format!(
            "Invalid {kind} name: '{key}'. Names may only contain alphanumerics, underscores (_), \
             dashes (-), periods (.), spaces ( ), colon(:) and slashes (/)."
        )));
    }
    if !is_path_normalised(key) {
        return Err(Error::invalid(format!(
            "Invalid {kind} name: '{key}'. Names cannot contain path segments that change under \
             path normalization (such as leading '/', '..', './' or '//')."
        )));
    }
    Ok(())
}

/// True when POSIX `normpath` would leave `p` unchanged.
fn is_path_normalised(p: &str) -> bool {
    if p.starts_with('/') || p.ends_with('/') {
        return false;
    }
    p.split('/')
        .all(|seg| !seg.is_empty() && seg != "." && seg != "..")
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// Truncates `value` to `limit` characters (not bytes), as MLflow does by default with
/// `MLFLOW_TRUNCATE_LONG_VALUES`.
pub fn truncate_chars(value: &str, limit: usize) -> &str {
    match value.char_indices().nth(limit) {
        Some((idx, _)) => &value[..idx],
        None => value,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys() {
        for ok in ["a", "metric 1", "a/b", "x.y-z_1", "train:loss"] {
            assert!(validate_key("metric", ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "/a",
            "a/",
            "a//b",
            "a/../b",
            "./a",
            "a$b",
            &"k".repeat(251),
        ] {
            assert!(validate_key("metric", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn truncation_counts_characters() {
        assert_eq!(truncate_chars("héllo", 2), "hé");
        assert_eq!(truncate_chars("ab", 5), "ab");
    }
}
