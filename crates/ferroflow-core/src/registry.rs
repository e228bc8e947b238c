//! The model registry (registered models, model versions, aliases) and MLflow 3 logged models.
//!
//! Besides the entities this module holds the registry's name rules and the `models:/` /
//! `runs:/` URI grammar. Error messages follow the official server word for word where the
//! official client or users may read them, because tests and scripts match on them.

use std::fmt;
use std::str::FromStr;

use crate::entities::{ExperimentId, Metric, Param, Tag};
use crate::error::{Error, Result};

pub const MAX_MODEL_REGISTRY_TAG_KEY_LENGTH: usize = 250;
pub const MAX_MODEL_REGISTRY_TAG_VALUE_LENGTH: usize = 100_000;
pub const MAX_REGISTERED_MODEL_ALIAS_LENGTH: usize = 255;
/// Server-side cap on `max_results` for SearchRegisteredModels.
pub const SEARCH_REGISTERED_MODEL_MAX_RESULTS_THRESHOLD: i64 = 1000;
/// Proto default of SearchRegisteredModels' `max_results`.
pub const SEARCH_REGISTERED_MODEL_MAX_RESULTS_DEFAULT: i64 = 100;
/// Server-side cap (and proto default) of SearchModelVersions' `max_results`.
pub const SEARCH_MODEL_VERSION_MAX_RESULTS_THRESHOLD: i64 = 200_000;
/// Proto default of SearchLoggedModels' `max_results`.
pub const SEARCH_LOGGED_MODEL_MAX_RESULTS_DEFAULT: i64 = 50;

/// Tag keys with a meaning to the registry.
pub mod registry_tag_keys {
    /// Marks a registered model (and its versions) as a prompt. Searches hide prompts unless the
    /// filter asks for them, and a model *without* the tag counts as `'false'`.
    pub const IS_PROMPT: &str = "mlflow.prompt.is_prompt";
    /// Prompt text on a prompt's versions; gets a friendlier length error than other tags.
    pub const PROMPT_TEXT: &str = "mlflow.prompt.text";
    /// On a logged model: JSON list of the model versions registered from it.
    pub const MODEL_VERSIONS: &str = "mlflow.modelVersions";
}

// ---------------------------------------------------------------------------------------------
// Enums
// ---------------------------------------------------------------------------------------------

/// The legacy deployment stage of a model version. Input is case-insensitive; output always
/// uses the canonical spelling because the client compares stage strings exactly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, PartialOrd, Ord)]
pub enum Stage {
    #[default]
    None,
    Staging,
    Production,
    Archived,
}

impl Stage {
    pub const ALL: [Stage; 4] = [Self::None, Self::Staging, Self::Production, Self::Archived];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::None => "None",
            Self::Staging => "Staging",
            Self::Production => "Production",
            Self::Archived => "Archived",
        }
    }

    /// Case-insensitive, with the official server's message for anything else.
    pub fn parse(s: &str) -> Result<Self> {
        Self::ALL
            .into_iter()
            .find(|st| st.as_str().to_lowercase() == s.to_lowercase())
            .ok_or_else(|| {
                Error::invalid(format!(
                    "Invalid Model Version stage: {s}. Value must be one of None, Staging, \
                     Production, Archived."
                ))
            })
    }
}

impl fmt::Display for Stage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Stage {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        Self::parse(s)
    }
}

/// Registration progress of a model version. Ferroflow registers synchronously, so versions it
/// creates are `Ready` at once (the client polls until they are).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum ModelVersionStatus {
    PendingRegistration,
    FailedRegistration,
    #[default]
    Ready,
}

impl ModelVersionStatus {
    pub const ALL: [ModelVersionStatus; 3] = [
        Self::PendingRegistration,
        Self::FailedRegistration,
        Self::Ready,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::PendingRegistration => "PENDING_REGISTRATION",
            Self::FailedRegistration => "FAILED_REGISTRATION",
            Self::Ready => "READY",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == s)
    }
    /// The protobuf enum number.
    pub fn number(self) -> i32 {
        match self {
            Self::PendingRegistration => 1,
            Self::FailedRegistration => 2,
            Self::Ready => 3,
        }
    }
    pub fn from_number(n: i64) -> Option<Self> {
        Self::ALL.into_iter().find(|v| i64::from(v.number()) == n)
    }
}

impl fmt::Display for ModelVersionStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Upload state of a logged model: created `Pending`, finalized `Ready` or `UploadFailed`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum LoggedModelStatus {
    Unspecified,
    #[default]
    Pending,
    Ready,
    UploadFailed,
}

impl LoggedModelStatus {
    pub const ALL: [LoggedModelStatus; 4] = [
        Self::Unspecified,
        Self::Pending,
        Self::Ready,
        Self::UploadFailed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Unspecified => "LOGGED_MODEL_STATUS_UNSPECIFIED",
            Self::Pending => "LOGGED_MODEL_PENDING",
            Self::Ready => "LOGGED_MODEL_READY",
            Self::UploadFailed => "LOGGED_MODEL_UPLOAD_FAILED",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == s)
    }
    /// The protobuf enum number, which is also what the official SQL store persists.
    pub fn number(self) -> i32 {
        match self {
            Self::Unspecified => 0,
            Self::Pending => 1,
            Self::Ready => 2,
            Self::UploadFailed => 3,
        }
    }
    pub fn from_number(n: i64) -> Option<Self> {
        Self::ALL.into_iter().find(|v| i64::from(v.number()) == n)
    }
    /// Whether the upload has ended one way or the other.
    pub fn is_finalized(self) -> bool {
        matches!(self, Self::Ready | Self::UploadFailed)
    }
}

impl fmt::Display for LoggedModelStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

// ---------------------------------------------------------------------------------------------
// Entities
// ---------------------------------------------------------------------------------------------

/// An alias pointing at one version of a registered model.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RegisteredModelAlias {
    pub alias: String,
    pub version: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RegisteredModel {
    pub name: String,
    pub creation_timestamp: i64,
    pub last_updated_timestamp: i64,
    pub user_id: Option<String>,
    pub description: Option<String>,
    /// The newest version in each stage that has one.
    pub latest_versions: Vec<ModelVersion>,
    pub tags: Vec<Tag>,
    pub aliases: Vec<RegisteredModelAlias>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ModelVersion {
    pub name: String,
    /// A string on the wire, an integer everywhere else (ordering is numeric).
    pub version: i64,
    pub creation_timestamp: i64,
    pub last_updated_timestamp: i64,
    pub user_id: Option<String>,
    pub current_stage: Stage,
    pub description: Option<String>,
    pub source: String,
    pub run_id: Option<String>,
    pub status: ModelVersionStatus,
    pub status_message: Option<String>,
    pub tags: Vec<Tag>,
    pub run_link: Option<String>,
    pub aliases: Vec<String>,
    /// The logged model this version was registered from (MLflow 3).
    pub model_id: Option<String>,
}

/// A `(registered model, version)` pair a logged model was registered as.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct LoggedModelRegistration {
    pub name: String,
    pub version: i64,
}

/// An MLflow 3 logged model: a model with its own id and artifact location, optionally produced
/// by a run, that registry versions can point at.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct LoggedModel {
    /// `m-` followed by 32 hex digits when made by the server.
    pub model_id: String,
    pub experiment_id: ExperimentId,
    pub name: String,
    pub creation_timestamp_ms: i64,
    pub last_updated_timestamp_ms: i64,
    pub artifact_uri: String,
    pub status: LoggedModelStatus,
    pub creator_id: Option<i64>,
    pub model_type: Option<String>,
    pub source_run_id: Option<String>,
    pub status_message: Option<String>,
    pub tags: Vec<Tag>,
    pub params: Vec<Param>,
    pub metrics: Vec<Metric>,
    pub registrations: Vec<LoggedModelRegistration>,
}

// ---------------------------------------------------------------------------------------------
// Validation
// ---------------------------------------------------------------------------------------------

/// Checks a registered model name: non-blank, no `/` or `:` (they would make `models:/` URIs
/// ambiguous), and unchanged by path normalisation (names become paths in some stores).
pub fn validate_registered_model_name(name: &str) -> Result<()> {
    validate_model_name_as("name", name)
}

/// The same rule for the target of a rename, which reports a missing value as `new_name`.
pub fn validate_new_registered_model_name(new_name: &str) -> Result<()> {
    if new_name.trim().is_empty() {
        return Err(missing_value("new_name"));
    }
    validate_model_name_as("name", new_name)
}

fn validate_model_name_as(path: &str, name: &str) -> Result<()> {
    if name.trim().is_empty() {
        return Err(missing_value(path));
    }
    if name.contains(['/', ':']) {
        return Err(Error::invalid(format!(
            "Invalid model name '{name}'. Names cannot contain '/' or ':'."
        )));
    }
    if path_not_unique(name) {
        return Err(Error::invalid(invalid_value(
            path,
            name,
            &bad_path_message(name),
        )));
    }
    Ok(())
}

/// Parses a version as the official server does (Python `int()`), for requests that carry it
/// as a string.
pub fn parse_model_version(version: &str) -> Result<i64> {
    python_int(version).ok_or_else(|| {
        Error::invalid(format!(
            "Parameter 'version' must be an integer, got '{version}'."
        ))
    })
}

/// Checks an alias name's shape. Lookups use only this; setting an alias also needs
/// [`validate_alias_not_reserved`].
pub fn validate_alias_name(alias: &str) -> Result<()> {
    if alias.is_empty() {
        return Err(Error::invalid(
            "Registered model alias name cannot be empty.",
        ));
    }
    let body = python_dollar(alias);
    if !body.chars().all(|c| is_word_char(c) || c == '-') {
        return Err(Error::invalid(format!(
            "Invalid alias name: '{alias}'. Names may only contain alphanumerics, underscores \
             (_), and dashes (-)."
        )));
    }
    check_length(
        "Registered model alias name",
        MAX_REGISTERED_MODEL_ALIAS_LENGTH,
        alias,
    )
}

/// `latest` and `v<digits>` would be ambiguous in `models:/name@alias` URIs.
pub fn validate_alias_not_reserved(alias: &str) -> Result<()> {
    if alias.to_lowercase() == "latest" {
        return Err(Error::invalid(
            "'latest' alias name (case insensitive) is reserved.",
        ));
    }
    let body = python_dollar(alias);
    if let Some(digits) = body.strip_prefix(['v', 'V'])
        && !digits.is_empty()
        && digits.chars().all(char::is_numeric)
    {
        return Err(Error::invalid(format!(
            "Version alias name '{alias}' is reserved."
        )));
    }
    Ok(())
}

/// Both alias checks, as SetRegisteredModelAlias applies them.
pub fn validate_alias_for_set(alias: &str) -> Result<()> {
    validate_alias_name(alias)?;
    validate_alias_not_reserved(alias)
}

/// Checks a logged model name. `None` is fine: the server then makes up a name.
pub fn validate_logged_model_name(name: Option<&str>) -> Result<()> {
    let Some(name) = name else { return Ok(()) };
    const BAD: [char; 6] = ['/', ':', '.', '%', '"', '\''];
    if name.is_empty() || name.contains(BAD) {
        return Err(Error::invalid(format!(
            "Invalid model name ({}) provided. Model name must be a non-empty string and cannot \
             contain the following characters: ('/', ':', '.', '%', '\"', \"'\")",
            python_repr(name)
        )));
    }
    Ok(())
}

/// Checks a registered model tag.
pub fn validate_registered_model_tag(key: &str, value: &str) -> Result<()> {
    validate_registry_tag_key(key)?;
    check_length("value", MAX_MODEL_REGISTRY_TAG_VALUE_LENGTH, value)
}

/// Checks a model version tag; prompt text gets its own message because prompts are edited by
/// people who do not know it is stored as a tag.
pub fn validate_model_version_tag(key: &str, value: &str) -> Result<()> {
    validate_registry_tag_key(key)?;
    if key == registry_tag_keys::PROMPT_TEXT
        && value.chars().count() > MAX_MODEL_REGISTRY_TAG_VALUE_LENGTH
    {
        return Err(Error::invalid(format!(
            "Prompt text exceeds max length of {MAX_MODEL_REGISTRY_TAG_VALUE_LENGTH} characters."
        )));
    }
    check_length("value", MAX_MODEL_REGISTRY_TAG_VALUE_LENGTH, value)
}

fn validate_registry_tag_key(key: &str) -> Result<()> {
    let body = python_dollar(key);
    if !body
        .chars()
        .all(|c| is_word_char(c) || matches!(c, '/' | '.' | '-' | ' ' | ':'))
    {
        return Err(Error::invalid(invalid_value(
            "key",
            key,
            "Names may only contain alphanumerics, underscores (_), dashes (-), periods (.), \
             spaces ( ), colon(:) and slashes (/).",
        )));
    }
    if path_not_unique(key) {
        return Err(Error::invalid(invalid_value(
            "key",
            key,
            &bad_path_message(key),
        )));
    }
    check_length("key", MAX_MODEL_REGISTRY_TAG_KEY_LENGTH, key)
}

fn check_length(what: &str, limit: usize, value: &str) -> Result<()> {
    if value.chars().count() > limit {
        return Err(Error::invalid(format!(
            "'{what}' exceeds the maximum length of {limit} characters"
        )));
    }
    Ok(())
}

fn missing_value(path: &str) -> Error {
    Error::invalid(format!("Missing value for required parameter '{path}'."))
}

fn invalid_value(path: &str, value: &str, message: &str) -> String {
    format!(
        "Invalid value {} for parameter '{path}' supplied: {message}",
        json_string(value)
    )
}

fn bad_path_message(name: &str) -> String {
    format!(
        "Names may be treated as files in certain cases, and must not resolve to other names \
         when treated as such. This name would resolve to {}",
        python_repr(&posix_normpath(name))
    )
}

/// Python's `\w`: Unicode letters, digits and the underscore.
fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// The part of `s` that a Python `^...$` pattern must match: `$` also matches before one
/// trailing newline, so the official server accepts that newline.
fn python_dollar(s: &str) -> &str {
    s.strip_suffix('\n').unwrap_or(s)
}

fn path_not_unique(name: &str) -> bool {
    let norm = posix_normpath(name);
    norm != name || norm == "." || norm.starts_with("..") || norm.starts_with('/')
}

/// Python's `posixpath.normpath`.
fn posix_normpath(path: &str) -> String {
    if path.is_empty() {
        return ".".into();
    }
    let initial = if path.starts_with("//") && !path.starts_with("///") {
        2
    } else if path.starts_with('/') {
        1
    } else {
        0
    };
    let mut comps: Vec<&str> = Vec::new();
    for comp in path.split('/') {
        if comp.is_empty() || comp == "." {
            continue;
        }
        if comp != ".." || (initial == 0 && comps.is_empty()) || comps.last() == Some(&"..") {
            comps.push(comp);
        } else if !comps.is_empty() {
            comps.pop();
        }
    }
    let out = format!("{}{}", "/".repeat(initial), comps.join("/"));
    if out.is_empty() { ".".into() } else { out }
}

/// Python's `repr()` of a string, which the official messages embed.
pub(crate) fn python_repr(s: &str) -> String {
    let quote = if s.contains('\'') && !s.contains('"') {
        '"'
    } else {
        '\''
    };
    let mut out = String::with_capacity(s.len() + 2);
    out.push(quote);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if (c as u32) < 0x20 || (0x7f..=0xa0).contains(&(c as u32)) => {
                out.push_str(&format!("\\x{:02x}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push(quote);
    out
}

/// `json.dumps(s)` with Python's defaults (non-ASCII escaped).
fn json_string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\x08' => out.push_str("\\b"),
            '\x0c' => out.push_str("\\f"),
            c if c.is_ascii() && !c.is_ascii_control() => out.push(c),
            c => {
                let mut buf = [0u16; 2];
                for unit in c.encode_utf16(&mut buf) {
                    out.push_str(&format!("\\u{unit:04x}"));
                }
            }
        }
    }
    out.push('"');
    out
}

/// Python's `int(str)` for base-10 text: surrounding whitespace, a sign, and single
/// underscores between digits are allowed. `None` on anything else or on i64 overflow.
pub(crate) fn python_int(s: &str) -> Option<i64> {
    let t = s.trim();
    let (neg, digits) = match t.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, t.strip_prefix('+').unwrap_or(t)),
    };
    if digits.is_empty()
        || digits.starts_with('_')
        || digits.ends_with('_')
        || digits.contains("__")
        || !digits.chars().all(|c| c.is_ascii_digit() || c == '_')
    {
        return None;
    }
    let clean: String = digits.chars().filter(|&c| c != '_').collect();
    let n: i64 = clean.parse().ok()?;
    Some(if neg { -n } else { n })
}

// ---------------------------------------------------------------------------------------------
// Model URIs
// ---------------------------------------------------------------------------------------------

/// A `models:/` or `runs:/` URI, the two forms that name a model rather than a storage path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ModelUri {
    /// `models:/<model_id>`: a logged model (any single segment without `@`).
    LoggedModel { model_id: String },
    /// `models:/<name>/<version>`.
    Version { name: String, version: i64 },
    /// `models:/<name>/<stage>`: the newest version in that stage.
    Stage { name: String, stage: Stage },
    /// `models:/<name>/latest` (any case): the newest version of all.
    Latest { name: String },
    /// `models:/<name>@<alias>`.
    Alias { name: String, alias: String },
    /// `runs:/<run_id>[/<artifact path>]`.
    Run {
        run_id: String,
        artifact_path: Option<String>,
    },
}

impl ModelUri {
    /// Parses a model URI with the client's grammar. The error messages are the client's, so a
    /// server that resolves such URIs answers as the client would have complained.
    pub fn parse(uri: &str) -> Result<Self> {
        let (scheme, path) = split_uri(uri);
        match scheme.as_deref() {
            Some("models") => parse_models_path(uri, path),
            Some("runs") => parse_runs_path(uri, path),
            _ => Err(improper_models_uri(uri)),
        }
    }

    /// The registered model name, for the forms that have one.
    pub fn registered_model_name(&self) -> Option<&str> {
        match self {
            Self::Version { name, .. }
            | Self::Stage { name, .. }
            | Self::Latest { name }
            | Self::Alias { name, .. } => Some(name),
            Self::LoggedModel { .. } | Self::Run { .. } => None,
        }
    }
}

impl fmt::Display for ModelUri {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::LoggedModel { model_id } => write!(f, "models:/{model_id}"),
            Self::Version { name, version } => write!(f, "models:/{name}/{version}"),
            Self::Stage { name, stage } => write!(f, "models:/{name}/{stage}"),
            Self::Latest { name } => write!(f, "models:/{name}/latest"),
            Self::Alias { name, alias } => write!(f, "models:/{name}@{alias}"),
            Self::Run {
                run_id,
                artifact_path: Some(p),
            } => write!(f, "runs:/{run_id}/{p}"),
            Self::Run {
                run_id,
                artifact_path: None,
            } => write!(f, "runs:/{run_id}"),
        }
    }
}

impl FromStr for ModelUri {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        Self::parse(s)
    }
}

/// Scheme (lower-cased) and path the way `urllib.parse.urlparse` splits them: an optional
/// `//authority` is dropped (it names a Databricks profile, irrelevant here), and so is a
/// `?query`.
fn split_uri(uri: &str) -> (Option<String>, &str) {
    let Some((scheme, rest)) = uri.split_once(':') else {
        return (None, uri);
    };
    let valid_scheme = scheme
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    if !valid_scheme {
        return (None, uri);
    }
    let mut path = rest;
    if let Some(after) = path.strip_prefix("//") {
        path = after.find('/').map_or("", |i| &after[i..]);
    }
    if let Some(i) = path.find('?') {
        path = &path[..i];
    }
    (Some(scheme.to_ascii_lowercase()), path)
}

fn improper_models_uri(uri: &str) -> Error {
    Error::invalid(format!(
        "Not a proper models:/ URI: {uri}. Models URIs must be of the form 'models:/name/suffix' \
         or 'models:/name@alias' where suffix is a version, stage, or the string 'latest' and \
         where alias is a registered model alias. Only one of suffix or alias can be defined at \
         a time."
    ))
}

fn parse_models_path(uri: &str, path: &str) -> Result<ModelUri> {
    let err = || improper_models_uri(uri);
    if !path.starts_with('/') || path.len() <= 1 {
        return Err(err());
    }
    let parts: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    if parts.len() > 2 || parts[0].trim().is_empty() {
        return Err(err());
    }
    if let [name, suffix] = parts[..] {
        let name = name.to_string();
        if suffix.trim().is_empty() {
            return Err(err());
        }
        if suffix.chars().all(|c| c.is_ascii_digit()) {
            let version = suffix.parse().map_err(|_| err())?;
            return Ok(ModelUri::Version { name, version });
        }
        if suffix.eq_ignore_ascii_case("latest") {
            return Ok(ModelUri::Latest { name });
        }
        return Ok(ModelUri::Stage {
            name,
            stage: Stage::parse(suffix)?,
        });
    }
    let only = parts[0];
    if path.contains('@') {
        return match only.rsplit_once('@') {
            Some((name, alias)) if !alias.trim().is_empty() => Ok(ModelUri::Alias {
                name: name.to_string(),
                alias: alias.to_string(),
            }),
            _ => Err(err()),
        };
    }
    Ok(ModelUri::LoggedModel {
        model_id: only.to_string(),
    })
}

fn parse_runs_path(uri: &str, path: &str) -> Result<ModelUri> {
    let err = || {
        Error::invalid(format!(
            "Not a proper runs:/ URI: {uri}. Runs URIs must be of the form \
             'runs:/<run_id>/run-relative/path/to/artifact'"
        ))
    };
    let Some(path) = path.strip_prefix('/').filter(|p| !p.is_empty()) else {
        return Err(err());
    };
    let (run_id, artifact_path) = match path.split_once('/') {
        Some((id, rest)) => (id, Some(rest).filter(|p| !p.is_empty())),
        None => (path, None),
    };
    if run_id.is_empty() {
        return Err(err());
    }
    Ok(ModelUri::Run {
        run_id: run_id.to_string(),
        artifact_path: artifact_path.map(str::to_string),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normpath_matches_python() {
        for (p, n) in [
            ("", "."),
            ("a/b", "a/b"),
            ("a//b", "a/b"),
            ("a/./b/", "a/b"),
            ("a/../b", "b"),
            ("../a", "../a"),
            ("/a/..", "/"),
            ("//a", "//a"),
            ("///a", "/a"),
            ("a/../..", ".."),
        ] {
            assert_eq!(posix_normpath(p), n, "{p}");
        }
    }

    #[test]
    fn python_repr_picks_quotes_like_python() {
        assert_eq!(python_repr("a"), "'a'");
        assert_eq!(python_repr("it's"), "\"it's\"");
        assert_eq!(python_repr("a'\"b"), "'a\\'\"b'");
        assert_eq!(python_repr("a\\b\n"), "'a\\\\b\\n'");
    }

    #[test]
    fn json_string_escapes_non_ascii() {
        assert_eq!(json_string("a/é\"😀"), "\"a/\\u00e9\\\"\\ud83d\\ude00\"");
    }

    #[test]
    fn python_int_rules() {
        assert_eq!(python_int(" 12 "), Some(12));
        assert_eq!(python_int("+1_0"), Some(10));
        assert_eq!(python_int("-3"), Some(-3));
        for bad in ["", "1.0", "1__0", "_1", "abc", "99999999999999999999"] {
            assert_eq!(python_int(bad), None, "{bad}");
        }
    }
}
