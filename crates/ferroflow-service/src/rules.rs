//! MLflow's request rules that are not plain limits: id parsing, max_results bounds, batch
//! sizes, long-value truncation, run names and artifact URIs.
//!
//! They live here rather than in `ferroflow-core::validation` because they encode how the
//! official server *reacts* (messages, truncation policy) rather than what the data model is.

use ferroflow_core::validation::{
    self, MAX_ENTITIES_PER_BATCH, MAX_METRICS_PER_BATCH, MAX_PARAMS_TAGS_PER_BATCH,
    SEARCH_MAX_RESULTS_THRESHOLD,
};
use ferroflow_core::{Error, ExperimentId, Result, RunId};
use rand::Rng;

/// Experiment ids are integers in the SQL schema; MLflow refuses anything else with this
/// message before touching the database.
pub fn parse_experiment_id(raw: &str) -> Result<ExperimentId> {
    raw.trim().parse::<i64>().map_err(|_| {
        Error::invalid(format!(
            "Invalid experiment ID '{raw}'. Experiment ID must be a valid integer."
        ))
    })
}

/// Run ids are checked against MLflow's pattern so that odd input never reaches a query. The
/// official server answers such ids exactly like unknown ones (404 "not found"), so do we.
pub fn parse_run_id(raw: &str) -> Result<RunId> {
    RunId::parse(raw).map_err(|_| run_not_found(raw))
}

/// MLflow's message for a missing run.
pub fn run_not_found(raw: &str) -> Error {
    Error::not_found(format!("Run with id={raw} not found"))
}

/// MLflow's message for a missing experiment.
pub fn experiment_not_found(id: ExperimentId) -> Error {
    Error::not_found(format!("No Experiment with id={id} exists"))
}

/// The bounds of `max_results` on searches: 1..=50000. `allow_null` mirrors MLflow, whose
/// run search accepts an absent value while experiment search does not.
pub fn validate_search_max_results(max_results: Option<i64>, allow_null: bool) -> Result<u64> {
    let value = match max_results {
        Some(v) => v,
        None if allow_null => return Ok(SEARCH_MAX_RESULTS_THRESHOLD as u64),
        // The proto default of an unset int64 is 0, which is what MLflow reports.
        None => 0,
    };
    if value < 1 {
        return Err(Error::invalid(format!(
            "Invalid value {value} for parameter 'max_results' supplied. It must be a positive integer"
        )));
    }
    if value > SEARCH_MAX_RESULTS_THRESHOLD {
        return Err(Error::invalid(format!(
            "Invalid value {value} for parameter 'max_results' supplied. It must be at most \
             {SEARCH_MAX_RESULTS_THRESHOLD}"
        )));
    }
    Ok(value as u64)
}

fn batch_limit(entity: &str, limit: usize, len: usize) -> Result<()> {
    if len > limit {
        return Err(Error::invalid(format!(
            "A batch logging request can contain at most {limit} {entity}. Got {len} {entity}. \
             Please split up {entity} across multiple requests and try again."
        )));
    }
    Ok(())
}

/// The per-kind and total entity limits of one LogBatch request, checked in MLflow's order so
/// the first violated limit is the one reported.
pub fn validate_batch_limits(metrics: usize, params: usize, tags: usize) -> Result<()> {
    batch_limit("metrics", MAX_METRICS_PER_BATCH, metrics)?;
    batch_limit("params", MAX_PARAMS_TAGS_PER_BATCH, params)?;
    batch_limit("tags", MAX_PARAMS_TAGS_PER_BATCH, tags)?;
    batch_limit(
        "metrics, params, and tags",
        MAX_ENTITIES_PER_BATCH,
        metrics + params + tags,
    )
}

/// MLflow refuses a batch that names a param twice, even with equal values, because the
/// store could not tell which one the caller meant.
pub fn validate_param_keys_unique<'a>(keys: impl IntoIterator<Item = &'a str>) -> Result<()> {
    let mut seen: Vec<&str> = Vec::new();
    let mut dupes: Vec<&str> = Vec::new();
    for k in keys {
        if seen.contains(&k) {
            dupes.push(k);
        } else {
            seen.push(k);
        }
    }
    if dupes.is_empty() {
        return Ok(());
    }
    let list = dupes
        .iter()
        .map(|k| format!("'{k}'"))
        .collect::<Vec<_>>()
        .join(", ");
    Err(Error::invalid(format!(
        "Duplicate parameter keys have been submitted: [{list}]. Please ensure the request \
         contains only one param value per param key."
    )))
}

/// Applies a value length limit: truncates (MLflow's default, `MLFLOW_TRUNCATE_LONG_VALUES`)
/// or refuses with MLflow's "exceeds the maximum length" message.
pub fn limit_value(what: &str, value: String, limit: usize, truncate: bool) -> Result<String> {
    if value.chars().count() <= limit {
        return Ok(value);
    }
    if truncate {
        return Ok(validation::truncate_chars(&value, limit).to_owned());
    }
    Err(exceeds_max_length(what, limit))
}

/// A length limit that MLflow never truncates (experiment tags, names).
pub fn check_length(what: &str, value: &str, limit: usize) -> Result<()> {
    if value.chars().count() > limit {
        return Err(exceeds_max_length(what, limit));
    }
    Ok(())
}

fn exceeds_max_length(what: &str, limit: usize) -> Error {
    Error::invalid(format!(
        "'{what}' exceeds the maximum length of {limit} characters"
    ))
}

/// Joins URI path segments the way MLflow's `append_to_uri_path` does: exactly one `/` between
/// parts, whatever trailing slash the base has (`mlflow-artifacts:/` + `1` = `mlflow-artifacts:/1`).
pub fn append_to_uri_path(base: &str, parts: &[&str]) -> String {
    let mut out = base.to_owned();
    for part in parts {
        let part = part.trim_start_matches('/');
        if !out.ends_with('/') {
            out.push('/');
        }
        out.push_str(part);
    }
    out
}

const ADJECTIVES: &[&str] = &[
    "amber", "bold", "brave", "bright", "calm", "clever", "cosmic", "crisp", "daring", "deft",
    "eager", "fancy", "fearless", "gentle", "glad", "golden", "grand", "happy", "humble", "jolly",
    "keen", "kind", "lively", "lucky", "merry", "mighty", "nimble", "noble", "polite", "proud",
    "quick", "quiet", "rare", "rustic", "shiny", "silent", "sleek", "smart", "stellar", "sunny",
    "swift", "tidy", "vivid", "warm", "wise", "witty", "zesty",
];

const NOUNS: &[&str] = &[
    "ant", "bass", "bear", "bird", "cat", "colt", "crab", "crow", "deer", "dove", "duck", "eel",
    "elk", "finch", "fox", "frog", "goat", "hare", "hawk", "horse", "jay", "koi", "lamb", "lark",
    "lion", "lynx", "mole", "moth", "mouse", "newt", "owl", "panda", "pig", "pony", "ram", "seal",
    "shrew", "skink", "slug", "snail", "squid", "stag", "swan", "toad", "trout", "wasp", "wolf",
    "wren", "yak",
];

/// MLflow's `resolve_uri_if_local` for an experiment's artifact location: a relative local
/// path (bare, or `file:` without a remote host) is made absolute against `cwd` the way
/// `pathlib.Path.cwd().joinpath(path).as_posix()` does it — `.` segments and repeated or
/// trailing slashes go, `..` stays — and a `file:` URI stays one (`file:///abs/path`). Other
/// URIs and absolute paths are returned unchanged.
pub fn resolve_artifact_location(location: &str, cwd: &str) -> String {
    let (scheme, rest) = match location.split_once(':') {
        Some((s, rest))
            if s.len() > 1
                && s.starts_with(|c: char| c.is_ascii_alphabetic())
                && s.chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.')) =>
        {
            (s.to_ascii_lowercase(), rest)
        }
        _ => (String::new(), location),
    };
    let (path, suffix) = match scheme.as_str() {
        "" => (location, ""),
        "file" => {
            let (before, suffix) = match rest.find(['?', '#']) {
                Some(i) => rest.split_at(i),
                None => (rest, ""),
            };
            if before.starts_with("//") {
                // `file://host/...` names a host, and `file:///abs` is absolute either way.
                return location.to_owned();
            }
            (before, suffix)
        }
        _ => return location.to_owned(),
    };
    let path = percent_decode(path);
    if path.starts_with('/') {
        return location.to_owned();
    }
    let joined: Vec<&str> = cwd
        .split('/')
        .chain(path.split('/'))
        .filter(|seg| !seg.is_empty() && *seg != ".")
        .collect();
    let absolute = format!("/{}", joined.join("/"));
    if scheme.is_empty() {
        absolute
    } else {
        format!("file://{absolute}{suffix}")
    }
}

/// `urllib.parse.unquote`: `%XX` escapes decoded, invalid ones kept as they are.
fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(b) = s
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A random run name like MLflow's (`adjective-noun-NNN`, at most 20 characters), used when the
/// client gives neither `run_name` nor an `mlflow.runName` tag.
pub fn generate_run_name() -> String {
    let mut rng = rand::rng();
    loop {
        let adj = ADJECTIVES[rng.random_range(0..ADJECTIVES.len())];
        let noun = NOUNS[rng.random_range(0..NOUNS.len())];
        let n: u32 = rng.random_range(0..1000);
        let name = format!("{adj}-{noun}-{n}");
        if name.len() <= 20 {
            return name;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_artifact_locations_resolve_like_mlflow() {
        let cwd = "/srv/mlflow";
        for (given, want) in [
            ("relative/dir", "/srv/mlflow/relative/dir"),
            ("./x/../y", "/srv/mlflow/x/../y"),
            ("a//b/./c/", "/srv/mlflow/a/b/c"),
            ("file:relative", "file:///srv/mlflow/relative"),
            ("file:rel%20dir", "file:///srv/mlflow/rel dir"),
            ("/abs/path", "/abs/path"),
            ("file:///abs", "file:///abs"),
            ("file://host/x", "file://host/x"),
            ("s3://bucket/x", "s3://bucket/x"),
            ("mlflow-artifacts:/x", "mlflow-artifacts:/x"),
        ] {
            assert_eq!(resolve_artifact_location(given, cwd), want, "{given}");
        }
    }

    #[test]
    fn experiment_ids_must_be_integers() {
        assert_eq!(parse_experiment_id("12").unwrap(), 12);
        let e = parse_experiment_id("abc").unwrap_err();
        assert_eq!(
            e.message,
            "Invalid experiment ID 'abc'. Experiment ID must be a valid integer."
        );
    }

    #[test]
    fn max_results_bounds() {
        assert!(validate_search_max_results(None, false).is_err());
        assert_eq!(validate_search_max_results(None, true).unwrap(), 50_000);
        assert_eq!(
            validate_search_max_results(Some(0), false)
                .unwrap_err()
                .message,
            "Invalid value 0 for parameter 'max_results' supplied. It must be a positive integer"
        );
        assert!(
            validate_search_max_results(Some(50_001), true)
                .unwrap_err()
                .message
                .contains("at most 50000")
        );
        assert_eq!(
            validate_search_max_results(Some(50_000), false).unwrap(),
            50_000
        );
    }

    #[test]
    fn batch_limits_report_first_violation() {
        assert!(validate_batch_limits(1000, 0, 0).is_ok());
        let e = validate_batch_limits(1001, 0, 0).unwrap_err();
        assert!(e.message.starts_with(
            "A batch logging request can contain at most 1000 metrics. Got 1001 metrics."
        ));
        let e = validate_batch_limits(0, 101, 0).unwrap_err();
        assert!(e.message.contains("at most 100 params"));
        let e = validate_batch_limits(0, 0, 101).unwrap_err();
        assert!(e.message.contains("at most 100 tags"));
        let e = validate_batch_limits(900, 100, 100).unwrap_err();
        assert!(
            e.message
                .contains("at most 1000 metrics, params, and tags. Got 1100")
        );
    }

    #[test]
    fn duplicate_param_keys() {
        assert!(validate_param_keys_unique(["a", "b"]).is_ok());
        let e = validate_param_keys_unique(["a", "b", "a"]).unwrap_err();
        assert!(
            e.message
                .starts_with("Duplicate parameter keys have been submitted: ['a'].")
        );
    }

    #[test]
    fn long_values() {
        let v = "x".repeat(7000);
        assert_eq!(
            limit_value("value", v.clone(), 6000, true).unwrap().len(),
            6000
        );
        let e = limit_value("value", v, 6000, false).unwrap_err();
        assert_eq!(
            e.message,
            "'value' exceeds the maximum length of 6000 characters"
        );
        assert_eq!(
            limit_value("value", "short".into(), 6000, false).unwrap(),
            "short"
        );
    }

    #[test]
    fn uri_joining() {
        assert_eq!(
            append_to_uri_path("mlflow-artifacts:/", &["1"]),
            "mlflow-artifacts:/1"
        );
        assert_eq!(
            append_to_uri_path("mlflow-artifacts:/1", &["abc", "artifacts"]),
            "mlflow-artifacts:/1/abc/artifacts"
        );
        assert_eq!(
            append_to_uri_path("s3://b/p/", &["r", "artifacts"]),
            "s3://b/p/r/artifacts"
        );
    }

    #[test]
    fn run_names_look_like_mlflow() {
        for _ in 0..200 {
            let name = generate_run_name();
            assert!(name.len() <= 20, "{name}");
            let parts: Vec<_> = name.split('-').collect();
            assert_eq!(parts.len(), 3, "{name}");
            assert!(parts[2].parse::<u32>().unwrap() < 1000);
        }
    }
}
