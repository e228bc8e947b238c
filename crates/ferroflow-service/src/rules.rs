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

/// Filters longer than this are parsed on the blocking pool: tokenizing a megabyte takes
/// milliseconds that would otherwise stall every request sharing the executor thread.
pub const BLOCKING_FILTER_BYTES: usize = 16 * 1024;

/// Parses a filter with `parse`, off the async executor when it is long.
pub async fn parse_filter<T: Send + 'static>(
    filter: &str,
    parse: fn(&str) -> Result<T>,
) -> Result<T> {
    if filter.len() <= BLOCKING_FILTER_BYTES {
        return parse(filter);
    }
    let owned = filter.to_owned();
    tokio::task::spawn_blocking(move || parse(&owned))
        .await
        .map_err(|e| Error::internal(format!("filter parsing failed: {e}")))?
}

/// Schemes whose artifact repositories connect to the host named in the URI (MLflow's
/// `HOST_ADDRESSED_ARTIFACT_SCHEMES`). An experiment stored with such a location would make
/// every client upload its artifacts to that host.
const HOST_ADDRESSED_SCHEMES: [&str; 10] = [
    "ftp",
    "sftp",
    "hdfs",
    "viewfs",
    "http",
    "https",
    "mlflow-artifacts",
    "r2",
    "b2",
    "abfss",
];

/// Schemes for which Python's `urlparse` splits `;params` off the last path segment.
const SCHEMES_WITH_PARAMS: [&str; 14] = [
    "", "ftp", "hdl", "prospero", "http", "imap", "https", "shttp", "rtsp", "rtspu", "sip", "sips",
    "mms", "sftp",
];

/// Rounds of percent-decoding before a still-changing string is refused (MLflow's `_decode`).
pub const MAX_DECODE_ROUNDS: usize = 10;

/// Percent-decodes `s` until it stops changing, at most [`MAX_DECODE_ROUNDS`] times; `None` when
/// it is still changing after that. Each round is linear, so the whole is bounded.
pub fn decode_until_stable(s: &str, plus_as_space: bool) -> Option<String> {
    let mut cur = s.to_owned();
    for _ in 0..MAX_DECODE_ROUNDS {
        let mut bytes = Vec::with_capacity(cur.len());
        let raw = cur.as_bytes();
        let mut i = 0;
        while i < raw.len() {
            let b = raw[i];
            if b == b'%'
                && i + 2 < raw.len()
                && let (Some(h), Some(l)) = (hex(raw[i + 1]), hex(raw[i + 2]))
            {
                bytes.push(h * 16 + l);
                i += 3;
                continue;
            }
            bytes.push(if plus_as_space && b == b'+' { b' ' } else { b });
            i += 1;
        }
        let next = String::from_utf8_lossy(&bytes).into_owned();
        if next == cur {
            return Some(cur);
        }
        cur = next;
    }
    None
}

fn hex(b: u8) -> Option<u8> {
    (b as char).to_digit(16).and_then(|d| u8::try_from(d).ok())
}

/// A URI split the way Python's `urlparse` splits it, as far as the location rules need.
struct Parts<'a> {
    scheme: String,
    netloc: Option<&'a str>,
    path: &'a str,
    query: &'a str,
    has_fragment: bool,
}

fn split_uri(uri: &str) -> Parts<'_> {
    let (rest, has_fragment) = match uri.split_once('#') {
        Some((r, _)) => (r, true),
        None => (uri, false),
    };
    let scheme_end = rest.find(':').filter(|&i| {
        i > 0
            && rest.as_bytes()[0].is_ascii_alphabetic()
            && rest[..i]
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"+-.".contains(&b))
    });
    let (mut scheme, after) = match scheme_end {
        Some(i) => (rest[..i].to_ascii_lowercase(), &rest[i + 1..]),
        None => (String::new(), rest),
    };
    // Windows drive letters (`C:\x`) are local paths, not schemes (MLflow's `get_uri_scheme`).
    if scheme.len() == 1 {
        scheme.clear();
    }
    let (netloc, after) = match after.strip_prefix("//") {
        Some(a) => {
            let end = a.find(['/', '?']).unwrap_or(a.len());
            (Some(&a[..end]), &a[end..])
        }
        None => (None, after),
    };
    let (path, query) = after.split_once('?').unwrap_or((after, ""));
    Parts {
        scheme,
        netloc,
        path,
        query,
        has_fragment,
    }
}

/// `(family, host, port)` targets a host-addressed URI may connect to; `None` when it names no
/// host, `Err` when its authority is malformed (never trusted).
type Target = (&'static str, String, Option<u16>);

fn host_targets(p: &Parts<'_>) -> Option<std::result::Result<Vec<Target>, ()>> {
    let scheme = HOST_ADDRESSED_SCHEMES
        .iter()
        .find(|s| **s == p.scheme)
        .copied()?;
    let netloc = p.netloc.unwrap_or("");
    if scheme == "mlflow-artifacts" && netloc.is_empty() {
        // `mlflow-artifacts:/path` resolves against this server.
        return None;
    }
    if netloc.contains('\\') || netloc.chars().any(char::is_whitespace) {
        return Some(Err(()));
    }
    let authority = netloc.rsplit_once('@').map_or(netloc, |(_, h)| h);
    let (host, port) = if let Some(v6) = authority.strip_prefix('[') {
        match v6.split_once(']') {
            Some((h, tail)) => (h, tail.strip_prefix(':')),
            None => return Some(Err(())),
        }
    } else {
        match authority.split_once(':') {
            Some((h, port)) => (h, Some(port)),
            None => (authority, None),
        }
    };
    let port = match port {
        None | Some("") => None,
        Some(p) => match p.parse::<u16>() {
            Ok(n) => Some(n),
            Err(_) => return Some(Err(())),
        },
    };
    let family = match scheme {
        "viewfs" => "hdfs",
        "https" | "mlflow-artifacts" => "http",
        s => s,
    };
    let default_ports: &[u16] = match scheme {
        "ftp" => &[21],
        "sftp" => &[22],
        "http" => &[80],
        "mlflow-artifacts" => &[80, 443],
        "https" | "r2" | "b2" | "abfss" => &[443],
        _ => &[],
    };
    let host = host.to_ascii_lowercase();
    let targets = match port {
        Some(n) => vec![(family, host, Some(n))],
        None if default_ports.is_empty() => vec![(family, host, None)],
        None => default_ports
            .iter()
            .map(|&n| (family, host.clone(), Some(n)))
            .collect(),
    };
    Some(Ok(targets))
}

/// MLflow's checks of a client-chosen experiment artifact location
/// (`_validate_storage_location_uri`): no fragments or params, no `..` in the query, no scheme
/// that would make the server or its clients connect to a host other than the one of the
/// server's own default artifact root (unless the operator allowed the scheme), and no
/// `runs:/` URI.
pub fn validate_artifact_location(
    location: &str,
    default_artifact_root: &str,
    allowed_schemes: &[String],
) -> Result<()> {
    const FIELD: &str = "artifact_location";
    let parts = split_uri(location);
    let has_params = SCHEMES_WITH_PARAMS.contains(&parts.scheme.as_str())
        && parts
            .path
            .rsplit('/')
            .next()
            .is_some_and(|seg| seg.contains(';'));
    if parts.has_fragment || has_params {
        return Err(Error::invalid(format!(
            "'{FIELD}' URL can't include fragments or params."
        )));
    }
    match decode_until_stable(parts.query, false) {
        Some(q) if !q.contains("..") => {}
        _ => return Err(Error::invalid("Invalid query string")),
    }
    if let Some(targets) = host_targets(&parts) {
        let trusted = match host_targets(&split_uri(default_artifact_root)) {
            Some(Ok(t)) => t,
            _ => Vec::new(),
        };
        let is_trusted = allowed_schemes
            .iter()
            .any(|a| a.eq_ignore_ascii_case(&parts.scheme))
            || targets.is_ok_and(|t| t.iter().any(|x| trusted.contains(x)));
        if !is_trusted {
            let scheme = &parts.scheme;
            return Err(Error::invalid(format!(
                "'{FIELD}' cannot use the '{scheme}' scheme: the '{scheme}' scheme addresses a \
                 host other than the tracking server's configured artifact storage, so the \
                 server would connect to the host named in the URI. Set the \
                 MLFLOW_ALLOWED_HOST_ADDRESSED_ARTIFACT_SCHEMES environment variable on the \
                 server to allow it."
            )));
        }
    }
    if location.starts_with("runs:") {
        return Err(Error::invalid(format!(
            "Artifact location cannot be a runs:/ URI. Given: '{location}'"
        )));
    }
    Ok(())
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
    #[test]
    fn artifact_locations_naming_other_hosts_are_refused() {
        let root = "mlflow-artifacts:/";
        for bad in [
            "http://evil.example/x",
            "HTTPS://evil.example/x",
            "mlflow-artifacts://evil.example/x",
            "mlflow-artifacts://127.0.0.1:5000/x",
            "ftp://h/x",
            "sftp://h/x",
            "hdfs://h/x",
            "b2://a@h/x",
            "http://evil/x?a=1",
        ] {
            let e = validate_artifact_location(bad, root, &[]).unwrap_err();
            assert!(e.message.contains("cannot use the"), "{bad}: {}", e.message);
        }
        for ok in [
            "mlflow-artifacts:/x",
            "mlflow-artifacts:///x",
            "s3://bucket/x",
            "file:///tmp/x",
            "/tmp/x",
            "C:\\x",
        ] {
            validate_artifact_location(ok, root, &[]).unwrap();
        }
        // The host of the server's own root is trusted, port defaults included.
        validate_artifact_location(
            "https://store.example/a",
            "https://store.example:443/r",
            &[],
        )
        .unwrap();
        assert!(
            validate_artifact_location("http://store.example/a", "https://store.example/r", &[])
                .is_err()
        );
        validate_artifact_location("HTTPS://any.example/x", root, &["https".to_owned()]).unwrap();
        assert_eq!(
            validate_artifact_location("http://e/x#f", root, &[])
                .unwrap_err()
                .message,
            "'artifact_location' URL can't include fragments or params."
        );
        assert!(validate_artifact_location("http://e/x;p", root, &[]).is_err());
        assert_eq!(
            validate_artifact_location("runs:/abc", root, &[])
                .unwrap_err()
                .message,
            "Artifact location cannot be a runs:/ URI. Given: 'runs:/abc'"
        );
        assert_eq!(
            validate_artifact_location("s3://b/x?p=%252e%252e", root, &[])
                .unwrap_err()
                .message,
            "Invalid query string"
        );
    }

    #[test]
    fn decoding_is_bounded() {
        assert_eq!(decode_until_stable("a%2541", false).as_deref(), Some("aA"));
        let deep = format!("%{}41", "25".repeat(50));
        assert_eq!(decode_until_stable(&deep, false), None);
        assert_eq!(decode_until_stable("a+b", true).as_deref(), Some("a b"));
    }
}
