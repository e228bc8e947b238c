//! Search grammars of the model registry (registered models, model versions) and of MLflow 3
//! logged models.
//!
//! The clause syntax is the one all MLflow searches share (see `parser.rs`); what differs is how
//! identifiers, values and comparators are judged, and in which order. The official server checks
//! registry filters in two passes — first every clause's identifier and value (the shared search
//! utilities), then every clause's comparator (the SQL store) — so a filter with several mistakes
//! reports the first of the first pass. Logged models go through a separate, looser parser in the
//! official tracking store; its quirks (single quotes stripped, double quotes kept, numbers
//! allowed in `IN` lists) are reproduced so that results match.
//!
//! Where the official server fails with an internal error (a Python exception or a database
//! binding error) on bad input, these parsers report `INVALID_PARAMETER_VALUE` instead, with a
//! message in the same style.

use super::ast::*;
use super::lexer::{TokenKind, tokenize};
use super::parser::{
    ClauseListing, RawClause, RawOp, RawValue, decode_python_literals, list_value,
    parse_raw_filter_with, parse_raw_order_by, quoted_string, split_ident, strip_quotes,
    trim_backticks,
};
use crate::error::{Error, Result};
use crate::registry::{python_int, python_repr, registry_tag_keys};

const STRING_CMPS: &[Comparator] = &[
    Comparator::Eq,
    Comparator::Ne,
    Comparator::Like,
    Comparator::ILike,
    Comparator::In,
    Comparator::NotIn,
];
const NUMERIC_CMPS: &[Comparator] = &[
    Comparator::Lt,
    Comparator::Le,
    Comparator::Gt,
    Comparator::Ge,
    Comparator::Eq,
    Comparator::Ne,
];
const TAG_CMPS: &[Comparator] = &[
    Comparator::Eq,
    Comparator::Ne,
    Comparator::Like,
    Comparator::ILike,
];

fn allowed(op: &RawOp, set: &[Comparator]) -> Option<Comparator> {
    op.comparator().filter(|c| set.contains(c))
}

fn is_list_op(c: Comparator) -> bool {
    matches!(c, Comparator::In | Comparator::NotIn)
}

/// A list only makes sense with `IN`/`NOT IN` (the official store hands anything else to the
/// database driver, which fails).
fn check_list_pairing(op: Comparator, value: &Value) -> Result<()> {
    if matches!(value, Value::List(_)) != is_list_op(op) {
        return Err(Error::invalid(format!(
            "Invalid comparison: a list of values can only be used with IN or NOT IN, and IN or \
             NOT IN only with a list (got {})",
            op.as_str()
        )));
    }
    Ok(())
}

/// The registry's identifier rule: bare key or `attribute.` for attributes, `tag.`/`tags.` for
/// tags. Attribute keys are checked before their quotes are removed, as MLflow does, so a quoted
/// attribute name is unknown.
fn registry_identifier(ident: &str, valid: &[&str], valid_msg: &str) -> Result<(bool, String)> {
    let (prefix, key) = split_ident(ident);
    let is_tag = match prefix {
        None | Some("attribute") => false,
        Some("tag" | "tags") => true,
        Some(other) => {
            return Err(Error::invalid(format!(
                "Invalid entity type '{other}'. Valid entity types are ('attribute', 'tag', \
                 'tags')"
            )));
        }
    };
    if !is_tag && !valid.contains(&key) {
        return Err(Error::invalid(format!(
            "Invalid attribute key '{key}' specified. Valid keys are '{valid_msg}'"
        )));
    }
    Ok((is_tag, trim_backticks(strip_quotes(key)).to_string()))
}

/// MLflow reports `IS NULL` on registry searches by crashing; this is the nearest real message.
fn reject_is_null(raw: &RawClause) -> Result<()> {
    if matches!(raw.op, RawOp::IsNull | RawOp::IsNotNull) {
        return Err(Error::invalid(
            "Invalid comparison clause. Expected 3 tokens found 2",
        ));
    }
    Ok(())
}

fn tag_value(raw: &RawValue) -> Result<Value> {
    match raw {
        RawValue::Text { raw } => Ok(Value::String(quoted_string(raw)?)),
        v => Err(Error::invalid(format!(
            "Expected a quoted string value for tag (e.g. 'my-value'). Got value {}",
            v.raw()
        ))),
    }
}

fn not_a_string_value(v: &RawValue) -> Error {
    Error::invalid(format!(
        "Expected a quoted string value or a list of quoted string values for attributes. Got \
         value {}",
        v.raw()
    ))
}

fn list_not_supported(keys: &str) -> Error {
    Error::invalid(format!(
        "Only {keys} attributes support comparison with a list of quoted string values."
    ))
}

fn tag_comparator(op: &RawOp) -> Result<Comparator> {
    allowed(op, TAG_CMPS)
        .ok_or_else(|| Error::invalid(format!("Invalid comparator for tag: {}", op.text())))
}

// ---------------------------------------------------------------------------------------------
// Registered models
// ---------------------------------------------------------------------------------------------

/// Parses a `search_registered_models` filter. An empty or blank filter matches everything.
///
/// Prompts: see [`registered_model_filter_selects_prompts`].
pub fn parse_registered_model_filter(s: &str) -> Result<RegisteredModelFilter> {
    let raws = parse_raw_filter_with(s, ClauseListing::Bare)?;
    let mut pending = Vec::with_capacity(raws.len());
    for raw in &raws {
        reject_is_null(raw)?;
        let (is_tag, key) = registry_identifier(&raw.ident, &["name"], "{'name'}")?;
        let (key, value) = if is_tag {
            (RegisteredModelKey::Tag(key), tag_value(&raw.value)?)
        } else {
            let value = match &raw.value {
                RawValue::Text { raw } => Value::String(quoted_string(raw)?),
                RawValue::List { items, .. } => list_value(items)?,
                v => return Err(not_a_string_value(v)),
            };
            (RegisteredModelKey::Name, value)
        };
        pending.push((key, &raw.op, value));
    }
    pending
        .into_iter()
        .map(|(key, op, value)| {
            let op = match key {
                RegisteredModelKey::Tag(_) => tag_comparator(op)?,
                RegisteredModelKey::Name => allowed(op, STRING_CMPS).ok_or_else(|| {
                    Error::invalid(format!("Invalid comparator for attribute: {}", op.text()))
                })?,
            };
            check_list_pairing(op, &value)?;
            Ok(Clause { key, op, value })
        })
        .collect()
}

/// Parses one `search_registered_models` order-by element, e.g. `name DESC`.
pub fn parse_registered_model_order_by(s: &str) -> Result<OrderBy<RegisteredModelOrderKey>> {
    let (ident, ascending) = parse_raw_order_by(s)?;
    let key = match ident.trim() {
        "name" => RegisteredModelOrderKey::Name,
        "timestamp" | "last_updated_timestamp" => RegisteredModelOrderKey::LastUpdatedTimestamp,
        other => {
            return Err(Error::invalid(format!(
                "Invalid order by key '{other}' specified. Valid keys are '{{'name', 'timestamp'}}'"
            )));
        }
    };
    Ok(OrderBy { key, ascending })
}

/// Parses a whole `search_registered_models` order-by list and returns the complete ordering the
/// official store applies: the given keys (no field twice) followed by `name ASC` unless name
/// was given.
pub fn parse_registered_model_order_by_list<S: AsRef<str>>(
    list: &[S],
) -> Result<Vec<OrderBy<RegisteredModelOrderKey>>> {
    let mut out: Vec<OrderBy<RegisteredModelOrderKey>> = Vec::with_capacity(list.len() + 1);
    for s in list {
        let ob = parse_registered_model_order_by(s.as_ref())?;
        if out.iter().any(|o| o.key == ob.key) {
            return Err(duplicate_fields(list));
        }
        out.push(ob);
    }
    if !out.iter().any(|o| o.key == RegisteredModelOrderKey::Name) {
        out.push(OrderBy {
            key: RegisteredModelOrderKey::Name,
            ascending: true,
        });
    }
    Ok(out)
}

/// MLflow raises this one as an internal error (HTTP 500); it is the caller's mistake, so here
/// it is an invalid parameter.
fn duplicate_fields<S: AsRef<str>>(list: &[S]) -> Error {
    let items: Vec<String> = list.iter().map(|s| python_repr(s.as_ref())).collect();
    Error::invalid(format!(
        "`order_by` contains duplicate fields: [{}]",
        items.join(", ")
    ))
}

/// Whether a registered-model filter asks for prompts. Searches return only ordinary models
/// (those without `mlflow.prompt.is_prompt = 'true'`) unless the *first* clause on that tag is
/// `= 'true'` or `!= 'false'` (values case-insensitive). When this is false the official store
/// also drops the filter's clauses on that tag, since excluding prompts already covers them.
pub fn registered_model_filter_selects_prompts(filter: &[Clause<RegisteredModelKey>]) -> bool {
    selects_prompts(filter.iter().filter_map(|c| match &c.key {
        RegisteredModelKey::Tag(k) => Some((k.as_str(), c)),
        RegisteredModelKey::Name => None,
    }))
}

/// [`registered_model_filter_selects_prompts`] for model-version filters.
pub fn model_version_filter_selects_prompts(filter: &[Clause<ModelVersionKey>]) -> bool {
    selects_prompts(filter.iter().filter_map(|c| match &c.key {
        ModelVersionKey::Tag(k) => Some((k.as_str(), c)),
        ModelVersionKey::Attribute(_) => None,
    }))
}

fn selects_prompts<'a, K: 'a>(mut tags: impl Iterator<Item = (&'a str, &'a Clause<K>)>) -> bool {
    let Some((_, c)) = tags.find(|(k, _)| *k == registry_tag_keys::IS_PROMPT) else {
        return false;
    };
    match (&c.op, &c.value) {
        (Comparator::Eq, Value::String(v)) => v.to_lowercase() == "true",
        (Comparator::Ne, Value::String(v)) => v.to_lowercase() == "false",
        _ => false,
    }
}

// ---------------------------------------------------------------------------------------------
// Model versions
// ---------------------------------------------------------------------------------------------

const MV_FILTER_KEYS: &[&str] = &["name", "version_number", "run_id", "source_path"];
const MV_FILTER_KEYS_MSG: &str = "{'name', 'version_number', 'source_path', 'run_id'}";
const MV_ORDER_KEYS_MSG: &str =
    "{'name', 'version_number', 'creation_timestamp', 'last_updated_timestamp'}";

fn mv_attribute(key: &str) -> ModelVersionAttribute {
    match key {
        "version_number" => ModelVersionAttribute::VersionNumber,
        "run_id" => ModelVersionAttribute::RunId,
        "source_path" => ModelVersionAttribute::SourcePath,
        _ => ModelVersionAttribute::Name,
    }
}

/// A model-version value after the first pass; `version_number` is only checked in the second.
enum MvValue {
    Ready(Value),
    Number {
        value: f64,
        integer: bool,
        raw: String,
    },
}

impl MvValue {
    /// Numbers only reach string attributes in error paths; keep their text.
    fn into_value(self) -> Value {
        match self {
            MvValue::Ready(v) => v,
            MvValue::Number { raw, .. } => Value::String(raw),
        }
    }
}

/// Parses a `search_model_versions` filter. An empty or blank filter matches everything.
/// `version_number` values are integers (also when written as a quoted string, as MLflow
/// allows) and arrive as [`Value::Number`].
pub fn parse_model_version_filter(s: &str) -> Result<ModelVersionFilter> {
    let raws = parse_raw_filter_with(s, ClauseListing::Bare)?;
    let mut pending = Vec::with_capacity(raws.len());
    for raw in &raws {
        reject_is_null(raw)?;
        let (is_tag, key) = registry_identifier(&raw.ident, MV_FILTER_KEYS, MV_FILTER_KEYS_MSG)?;
        if is_tag {
            let value = tag_value(&raw.value)?;
            pending.push((ModelVersionKey::Tag(key), &raw.op, MvValue::Ready(value)));
            continue;
        }
        let attr = mv_attribute(&key);
        let value = match &raw.value {
            RawValue::Text { raw } => MvValue::Ready(Value::String(quoted_string(raw)?)),
            RawValue::List { items, .. } => {
                if !matches!(
                    attr,
                    ModelVersionAttribute::Name | ModelVersionAttribute::RunId
                ) {
                    return Err(list_not_supported("['name', 'run_id']"));
                }
                MvValue::Ready(list_value(items)?)
            }
            RawValue::Number {
                value,
                integer,
                raw,
            } => {
                if attr != ModelVersionAttribute::VersionNumber {
                    return Err(Error::invalid(
                        "Only the '{'version_number', 'creation_timestamp', \
                         'last_updated_timestamp'}' attributes support comparison with numeric \
                         values.",
                    ));
                }
                MvValue::Number {
                    value: *value,
                    integer: *integer,
                    raw: raw.clone(),
                }
            }
            v => return Err(not_a_string_value(v)),
        };
        pending.push((ModelVersionKey::Attribute(attr), &raw.op, value));
    }
    pending
        .into_iter()
        .map(|(key, op, value)| model_version_clause(key, op, value))
        .collect()
}

fn model_version_clause(
    key: ModelVersionKey,
    op: &RawOp,
    value: MvValue,
) -> Result<Clause<ModelVersionKey>> {
    let attr = match &key {
        ModelVersionKey::Tag(_) => {
            let op = tag_comparator(op)?;
            return Ok(Clause {
                key,
                op,
                value: value.into_value(),
            });
        }
        ModelVersionKey::Attribute(a) => *a,
    };
    if attr == ModelVersionAttribute::VersionNumber {
        let op = allowed(op, NUMERIC_CMPS).ok_or_else(|| {
            Error::invalid(format!(
                "Invalid comparator for attribute version_number: {}",
                op.text()
            ))
        })?;
        let bad = |shown: String| {
            Error::invalid(format!(
                "Invalid value for numeric attribute 'version_number': {shown}"
            ))
        };
        let n = match value {
            MvValue::Number {
                value,
                integer: false,
                ..
            } => return Err(bad(python_float_repr(value))),
            MvValue::Number { raw, .. } => python_int(&raw).ok_or_else(|| bad(raw.clone()))?,
            MvValue::Ready(Value::String(s)) => {
                python_int(&s).ok_or_else(|| bad(python_repr(&s)))?
            }
            MvValue::Ready(_) => return Err(bad("None".into())),
        };
        // Versions are far below 2^53, so the conversion is exact for every real version.
        return Ok(Clause {
            key,
            op,
            value: Value::Number(n as f64),
        });
    }
    let list_ok = matches!(
        attr,
        ModelVersionAttribute::Name | ModelVersionAttribute::RunId
    );
    let op = allowed(op, STRING_CMPS)
        .filter(|c| list_ok || !is_list_op(*c))
        .ok_or_else(|| {
            Error::invalid(format!("Invalid comparator for attribute: {}", op.text()))
        })?;
    let value = value.into_value();
    check_list_pairing(op, &value)?;
    Ok(Clause { key, op, value })
}

/// Parses one `search_model_versions` order-by element, e.g. `version_number DESC`.
///
/// As in MLflow, a `tag.` prefix is accepted and ignored when the key is an orderable attribute
/// (`tags.name` orders by name).
pub fn parse_model_version_order_by(s: &str) -> Result<OrderBy<ModelVersionOrderKey>> {
    let (ident, ascending) = parse_raw_order_by(s)?;
    let (prefix, key) = split_ident(ident.trim());
    let is_tag = match prefix {
        None | Some("attribute") => false,
        Some("tag" | "tags") => true,
        Some(other) => {
            return Err(Error::invalid(format!(
                "Invalid entity type '{other}'. Valid entity types are ('attribute', 'tag', \
                 'tags')"
            )));
        }
    };
    let key = trim_backticks(strip_quotes(key));
    let key = match key {
        "name" => ModelVersionOrderKey::Name,
        "version_number" => ModelVersionOrderKey::VersionNumber,
        "creation_timestamp" => ModelVersionOrderKey::CreationTimestamp,
        "last_updated_timestamp" => ModelVersionOrderKey::LastUpdatedTimestamp,
        other if is_tag => {
            return Err(Error::invalid(format!(
                "Invalid order by key '{other}' specified. Valid keys are {MV_ORDER_KEYS_MSG}"
            )));
        }
        other => {
            return Err(Error::invalid(format!(
                "Invalid attribute key '{other}' specified. Valid keys are '{MV_ORDER_KEYS_MSG}'"
            )));
        }
    };
    Ok(OrderBy { key, ascending })
}

/// Parses a whole `search_model_versions` order-by list and returns the complete ordering the
/// official store applies: an empty list means `last_updated_timestamp DESC, name ASC,
/// version_number DESC`; otherwise the given keys (no field twice), then `name ASC` and
/// `version_number DESC` unless given.
pub fn parse_model_version_order_by_list<S: AsRef<str>>(
    list: &[S],
) -> Result<Vec<OrderBy<ModelVersionOrderKey>>> {
    use ModelVersionOrderKey as K;
    if list.is_empty() {
        return Ok(vec![
            OrderBy {
                key: K::LastUpdatedTimestamp,
                ascending: false,
            },
            OrderBy {
                key: K::Name,
                ascending: true,
            },
            OrderBy {
                key: K::VersionNumber,
                ascending: false,
            },
        ]);
    }
    let mut out: Vec<OrderBy<K>> = Vec::with_capacity(list.len() + 2);
    for s in list {
        let ob = parse_model_version_order_by(s.as_ref())?;
        if out.iter().any(|o| o.key == ob.key) {
            return Err(duplicate_fields(list));
        }
        out.push(ob);
    }
    for (key, ascending) in [(K::Name, true), (K::VersionNumber, false)] {
        if !out.iter().any(|o| o.key == key) {
            out.push(OrderBy { key, ascending });
        }
    }
    Ok(out)
}

// ---------------------------------------------------------------------------------------------
// Logged models
// ---------------------------------------------------------------------------------------------

const LM_ENTITY_TYPES: &str = "['attributes', 'metrics', 'params', 'tags']";
const LM_NUMERIC_OPS: &str = "('<', '<=', '>', '>=', '=', '!=')";
const LM_STRING_OPS: &str = "('=', '!=', 'LIKE', 'ILIKE', 'IN', 'NOT IN')";

#[derive(Clone, Copy, PartialEq, Eq)]
enum LmEntity {
    Attribute,
    Metric,
    Param,
    Tag,
}

impl LmEntity {
    fn name(self) -> &'static str {
        match self {
            Self::Attribute => "attributes",
            Self::Metric => "metrics",
            Self::Param => "params",
            Self::Tag => "tags",
        }
    }
}

/// The official store's short names for the timestamp columns.
fn lm_alias(key: &str) -> &str {
    match key {
        "creation_time" | "creation_timestamp" => "creation_timestamp_ms",
        "last_updated_timestamp" => "last_updated_timestamp_ms",
        other => other,
    }
}

fn lm_attribute(key: &str) -> Option<LoggedModelAttribute> {
    use LoggedModelAttribute as A;
    Some(match lm_alias(key) {
        "model_id" => A::ModelId,
        "experiment_id" => A::ExperimentId,
        "name" => A::Name,
        "artifact_location" => A::ArtifactLocation,
        "creation_timestamp_ms" => A::CreationTimestamp,
        "last_updated_timestamp_ms" => A::LastUpdatedTimestamp,
        "status" => A::Status,
        "lifecycle_stage" => A::LifecycleStage,
        "model_type" => A::ModelType,
        "source_run_id" => A::SourceRunId,
        "status_message" => A::StatusMessage,
        _ => return None,
    })
}

/// `entity.key` when the prefix is lower-case ASCII letters (MLflow's `^([a-z]+)\.(.+)$`),
/// otherwise the whole identifier is an attribute name.
fn lm_identifier(ident: &str) -> Result<(LmEntity, String)> {
    if let Some((prefix, rest)) = ident.split_once('.')
        && !prefix.is_empty()
        && prefix.bytes().all(|b| b.is_ascii_lowercase())
        && !rest.is_empty()
    {
        let entity = match prefix {
            "attributes" => LmEntity::Attribute,
            "metrics" => LmEntity::Metric,
            "params" => LmEntity::Param,
            "tags" => LmEntity::Tag,
            other => {
                return Err(Error::invalid(format!(
                    "Invalid entity type: '{other}'. Expected one of {LM_ENTITY_TYPES}."
                )));
            }
        };
        return Ok((entity, rest.trim_matches('`').to_string()));
    }
    Ok((
        LmEntity::Attribute,
        lm_alias(ident).trim_matches('`').to_string(),
    ))
}

/// Python's `float()` on a bare word: `nan`, `inf`, `infinity` (any case) and digit groups
/// separated by single underscores.
fn python_float_word(s: &str) -> Option<f64> {
    let lower = s.to_ascii_lowercase();
    if matches!(lower.as_str(), "nan" | "inf" | "infinity") {
        return lower.parse().ok();
    }
    let b = s.as_bytes();
    let underscores_ok = b.iter().enumerate().all(|(i, &c)| {
        c != b'_'
            || (i > 0 && i + 1 < b.len() && b[i - 1].is_ascii_digit() && b[i + 1].is_ascii_digit())
    });
    if !underscores_ok
        || !s
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '_' | '.' | 'e' | 'E' | '+' | '-'))
    {
        return None;
    }
    s.replace('_', "").parse().ok()
}

/// The members of an `IN` list as the official store reads them (a Python literal): strings,
/// and numbers, which it compares as their text. An empty list is allowed and matches nothing.
fn lm_list(raw: &str) -> Option<Vec<String>> {
    let toks = tokenize(raw).ok()?;
    let inner = toks.get(1..toks.len().checked_sub(1)?)?;
    let mut items = Vec::new();
    let mut i = 0;
    while i < inner.len() {
        let mut item: Option<String> = None;
        while let Some(t) = inner.get(i) {
            let text = t.text(raw);
            let piece = match &t.kind {
                TokenKind::Str => decode_python_literals(text)?,
                TokenKind::Ident if text.starts_with('"') => decode_python_literals(text)?,
                TokenKind::Number { .. } if item.is_none() => {
                    i += 1;
                    item = Some(text.to_string());
                    break;
                }
                _ => break,
            };
            item.get_or_insert_with(String::new).push_str(&piece);
            i += 1;
        }
        items.push(item?);
        if i < inner.len() {
            if inner[i].kind != TokenKind::Comma {
                return None;
            }
            i += 1;
        }
    }
    Some(items)
}

/// Parses the `filter` of a `search_logged_models` request. An empty or blank filter matches
/// everything.
///
/// Following the official store: entity prefixes are `attributes.`, `metrics.`, `params.`,
/// `tags.` (plural only); backticks around keys are dropped; metrics and the timestamps take
/// `< <= > >= = !=` and a number, everything else `= != LIKE ILIKE IN NOT IN` and text. A
/// scalar's surrounding single quotes are stripped and anything else is kept verbatim (so
/// `name = "x"` looks for a name with double quotes in it, and `name = x` for `x`).
pub fn parse_logged_model_filter(s: &str) -> Result<LoggedModelFilter> {
    let raws = parse_raw_filter_with(s, ClauseListing::Bare).map_err(|e| {
        // Re-word the shared syntax errors the way the logged-model parser words them.
        if e.message
            .starts_with("Search filter contained multiple expression")
        {
            Error::invalid(format!(
                "Invalid filter string: {}. Expected a single SQL expression.",
                python_repr(s)
            ))
        } else if e.message.starts_with("Invalid clause(s)") {
            Error::invalid(format!(
                "Invalid filter string: {}. Expected a list of comparisons separated by 'AND' \
                 (e.g. 'metrics.loss > 0.1 AND params.lr = 0.01').",
                python_repr(s)
            ))
        } else {
            e
        }
    })?;
    let mut parsed = Vec::with_capacity(raws.len());
    for raw in &raws {
        if matches!(raw.op, RawOp::IsNull | RawOp::IsNotNull) {
            return Err(Error::invalid(format!(
                "Invalid comparison: {}{}. Expected a comparison with 3 tokens.",
                raw.ident,
                raw.op.text()
            )));
        }
        let (entity, key) = lm_identifier(&raw.ident)?;
        let numeric = entity == LmEntity::Metric
            || (entity == LmEntity::Attribute
                && lm_attribute(&key).is_some_and(LoggedModelAttribute::is_numeric));
        let shown = format!("{}.{key}", entity.name());
        let (ops, ops_msg) = if numeric {
            (NUMERIC_CMPS, LM_NUMERIC_OPS)
        } else {
            (STRING_CMPS, LM_STRING_OPS)
        };
        let op = allowed(&raw.op, ops).ok_or_else(|| {
            Error::invalid(format!(
                "Invalid comparison operator for {shown}: {}. Expected one of {ops_msg}.",
                python_repr(raw.op.text())
            ))
        })?;
        let value =
            if numeric {
                let n = match &raw.value {
                    RawValue::Number { value, .. } => Some(*value),
                    RawValue::Text { raw } => python_float_word(raw),
                    _ => None,
                };
                Value::Number(n.ok_or_else(|| {
                    Error::invalid(format!(
                        "Expected numeric value type for {shown}. Found {}",
                        raw.value.raw()
                    ))
                })?)
            } else {
                match &raw.value {
                RawValue::List { raw: text, .. } => Value::List(lm_list(text).ok_or_else(|| {
                    Error::invalid(format!(
                        "Invalid value for {shown}: {text}. Expected a list of string values."
                    ))
                })?),
                v => Value::String(v.raw().trim_matches('\'').to_string()),
            }
            };
        check_list_pairing(op, &value)?;
        parsed.push((entity, key, op, value));
    }
    // The official store resolves attribute names only after every clause has parsed.
    parsed
        .into_iter()
        .map(|(entity, key, op, value)| {
            let key = match entity {
                LmEntity::Metric => LoggedModelKey::Metric(key),
                LmEntity::Param => LoggedModelKey::Param(key),
                LmEntity::Tag => LoggedModelKey::Tag(key),
                LmEntity::Attribute => {
                    LoggedModelKey::Attribute(lm_attribute(&key).ok_or_else(|| {
                        Error::invalid(format!(
                            "Invalid logged model search key '{key}'. Valid attribute keys are \
                             ['name', 'model_id', 'experiment_id', 'model_type', 'status', \
                             'source_run_id', 'status_message', 'artifact_location', \
                             'lifecycle_stage', 'creation_timestamp', 'creation_time', \
                             'last_updated_timestamp']"
                        ))
                    })?)
                }
            };
            Ok(Clause { key, op, value })
        })
        .collect()
}

/// Python's `repr()` of a float, which MLflow's messages embed.
fn python_float_repr(v: f64) -> String {
    if v.is_nan() {
        return "nan".into();
    }
    if v.is_infinite() {
        return if v > 0.0 { "inf" } else { "-inf" }.into();
    }
    if v == 0.0 {
        return if v.is_sign_negative() { "-0.0" } else { "0.0" }.into();
    }
    let sci = format!("{v:e}");
    let Some((mantissa, exp)) = sci.split_once('e') else {
        return format!("{v}");
    };
    let Ok(exp) = exp.parse::<i32>() else {
        return format!("{v}");
    };
    let sign = if v < 0.0 { "-" } else { "" };
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let decpt = exp + 1;
    if !(-3..=16).contains(&decpt) {
        let mut m = digits[..1].to_string();
        if digits.len() > 1 {
            m.push('.');
            m.push_str(&digits[1..]);
        }
        let esign = if exp < 0 { '-' } else { '+' };
        return format!("{sign}{m}e{esign}{:02}", exp.unsigned_abs());
    }
    if decpt <= 0 {
        return format!(
            "{sign}0.{}{digits}",
            "0".repeat(decpt.unsigned_abs() as usize)
        );
    }
    let decpt = decpt as usize;
    if decpt >= digits.len() {
        format!("{sign}{digits}{}.0", "0".repeat(decpt - digits.len()))
    } else {
        format!("{sign}{}.{}", &digits[..decpt], &digits[decpt..])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn float_repr_matches_python() {
        for (v, s) in [
            (1.5, "1.5"),
            (1e5, "100000.0"),
            (1e20, "1e+20"),
            (1e16, "1e+16"),
            (1e15, "1000000000000000.0"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
            (-2.5e-7, "-2.5e-07"),
            (123.456, "123.456"),
            (1.0, "1.0"),
        ] {
            assert_eq!(python_float_repr(v), s, "{v}");
        }
    }

    #[test]
    fn python_float_words() {
        assert_eq!(python_float_word("1_000"), Some(1000.0));
        assert!(python_float_word("NaN").is_some_and(f64::is_nan));
        assert_eq!(python_float_word("Infinity"), Some(f64::INFINITY));
        assert_eq!(python_float_word("1__0"), None);
        assert_eq!(python_float_word("abc"), None);
    }

    #[test]
    fn lm_lists_accept_numbers_and_strings() {
        assert_eq!(
            lm_list("('a', 1, \"b\" 'c')"),
            Some(vec!["a".into(), "1".into(), "bc".into()])
        );
        assert_eq!(lm_list("()"), Some(vec![]));
        assert_eq!(lm_list("('a' 'b', )"), Some(vec!["ab".into()]));
        assert_eq!(lm_list("(a)"), None);
    }
}
