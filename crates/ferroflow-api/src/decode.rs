//! Turning a request (JSON body or query string) into one of the request structs, with
//! MLflow's error messages.
//!
//! Both transports go through a `serde_json::Value` first, so the same lenient field codecs
//! serve POST bodies and GET query strings, and the proto-level checks (a field spelled both in
//! snake_case and lowerCamel, lowerCamel accepted as an alias) are done once, generically.

use crate::ApiError;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

/// Decodes a JSON request body. Like the official server, an empty body is `{}` and a body that
/// is a JSON string holding an object (old clients double-encode) is decoded twice.
pub fn from_json_body<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    let value = parse_body(body)?;
    crate::de::strict_repeated(|| from_value(value))
}

/// The body as a JSON object, without decoding it into a request type.
pub fn parse_body(body: &[u8]) -> Result<Value, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Value::Object(Map::new()));
    }
    let mut value: Value = serde_json::from_slice(body)
        .map_err(|e| ApiError::invalid(format!("Malformed JSON request body: {e}")))?;
    if let Value::String(s) = &value {
        value = serde_json::from_str(s)
            .map_err(|e| ApiError::invalid(format!("Malformed JSON request body: {e}")))?;
    }
    if !value.is_object() {
        return Err(ApiError::invalid(
            "Malformed JSON request body: expected a JSON object",
        ));
    }
    Ok(value)
}

/// Decodes a URL query string: a key given once becomes a string, a repeated key an array of
/// strings; the lenient codecs then read numbers, booleans and enums out of the text.
pub fn from_query<T: DeserializeOwned>(query: &str) -> Result<T, ApiError> {
    from_value(query_to_value(query))
}

pub fn query_to_value(query: &str) -> Value {
    let mut map = Map::new();
    for (k, v) in form_urlencoded::parse(query.as_bytes()) {
        let v = Value::String(v.into_owned());
        match map.get_mut(k.as_ref()) {
            None => {
                map.insert(k.into_owned(), v);
            }
            Some(Value::Array(items)) => items.push(v),
            Some(existing) => {
                let first = existing.take();
                *existing = Value::Array(vec![first, v]);
            }
        }
    }
    Value::Object(map)
}

/// Decodes an already-parsed JSON value after the proto-level key checks.
pub fn from_value<T: DeserializeOwned>(mut value: Value) -> Result<T, ApiError> {
    normalize_keys(&mut value)?;
    serde_path_to_error::deserialize(&value).map_err(|e| {
        let (path, inner) = (e.path().clone(), e.into_inner());
        type_error(&value, &path, &inner.to_string()).unwrap_or_else(|| {
            ApiError::invalid(format!(
                "Invalid request: {inner}. See the API docs for more information about request \
                 parameters."
            ))
        })
    })
}

/// MLflow's message for a field of the wrong JSON type (`"name": 123`), which its schema check
/// words as `Invalid value 123 for parameter 'name' supplied:  Hint: Value was of type 'int'.`
/// with the value as Python's `json.dumps(sort_keys=True)` prints it. `None` for other errors
/// (missing fields, unknown enum names), which keep serde's wording.
fn type_error(root: &Value, path: &serde_path_to_error::Path, error: &str) -> Option<ApiError> {
    let is_type_error = error.starts_with(crate::de::INVALID_TYPE)
        || error.ends_with("is not a valid double")
        || error.ends_with("is not an integer")
        || error.ends_with("is out of range");
    if !is_type_error {
        return None;
    }
    let mut value = root;
    let mut name = String::new();
    for segment in path {
        match segment {
            serde_path_to_error::Segment::Map { key } => {
                value = value.get(key)?;
                if !name.is_empty() {
                    name.push('.');
                }
                name.push_str(key);
            }
            serde_path_to_error::Segment::Seq { index } => {
                value = value.get(index)?;
                name.push_str(&format!("[{index}]"));
            }
            _ => return None,
        }
    }
    if name.is_empty() {
        return None;
    }
    Some(ApiError::invalid(format!(
        "Invalid value {} for parameter '{name}' supplied:  Hint: Value was of type '{}'. See the \
         API docs for more information about request parameters.",
        python_json(value),
        python_type(value)
    )))
}

/// `type(value).__name__` of the value Python's `json.loads` would make.
fn python_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "NoneType",
        Value::Bool(_) => "bool",
        Value::Number(n) if n.is_f64() => "float",
        Value::Number(_) => "int",
        Value::String(_) => "str",
        Value::Array(_) => "list",
        Value::Object(_) => "dict",
    }
}

/// `json.dumps(value, sort_keys=True, separators=(",", ":"))`: compact, keys sorted (serde_json's
/// map is ordered), non-ASCII escaped as `\uXXXX` like Python's default `ensure_ascii`.
fn python_json(value: &Value) -> String {
    let compact = value.to_string();
    let mut out = String::with_capacity(compact.len());
    for c in compact.chars() {
        if c.is_ascii() {
            out.push(c);
        } else {
            let mut buf = [0u16; 2];
            for unit in c.encode_utf16(&mut buf) {
                out.push_str(&format!("\\u{unit:04x}"));
            }
        }
    }
    out
}

/// `snake_case` → `lowerCamel`, the proto3 JSON name of a field.
fn camel(snake: &str) -> String {
    let mut out = String::with_capacity(snake.len());
    let mut upper = false;
    for c in snake.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// `lowerCamel` → `snake_case`.
fn snake(camel: &str) -> String {
    let mut out = String::with_capacity(camel.len() + 4);
    for c in camel.chars() {
        if c.is_ascii_uppercase() {
            out.push('_');
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// Rejects objects that spell one field both ways (the official server refuses them because
/// which one wins would be arbitrary) and renames lowerCamel keys to snake_case, recursively.
/// No request of the tracking API carries a map with caller-chosen keys, so every object key
/// is a field name.
fn normalize_keys(value: &mut Value) -> Result<(), ApiError> {
    match value {
        Value::Object(map) => {
            let keys: Vec<String> = map.keys().cloned().collect();
            for k in &keys {
                if k.contains('_') {
                    let c = camel(k);
                    if c != *k && map.contains_key(&c) {
                        return Err(ApiError::invalid(format!(
                            "Request specifies both '{k}' and '{c}'; provide only one of them."
                        )));
                    }
                }
            }
            for k in keys {
                if k.chars().any(|c| c.is_ascii_uppercase()) {
                    let s = snake(&k);
                    if !map.contains_key(&s)
                        && let Some(v) = map.remove(&k)
                    {
                        map.insert(s, v);
                    }
                }
            }
            for v in map.values_mut() {
                normalize_keys(v)?;
            }
            Ok(())
        }
        Value::Array(items) => items.iter_mut().try_for_each(normalize_keys),
        _ => Ok(()),
    }
}

/// MLflow's message for an absent (or empty) required field.
pub fn missing(name: &str) -> ApiError {
    ApiError::invalid(format!(
        "Missing value for required parameter '{name}'. See the API docs for more information \
         about request parameters."
    ))
}

/// A required string field: absent and empty are both "missing", as in MLflow.
pub fn required<'a>(value: &'a Option<String>, name: &str) -> Result<&'a str, ApiError> {
    match value.as_deref() {
        Some(s) if !s.is_empty() => Ok(s),
        _ => Err(missing(name)),
    }
}

/// A required non-string field.
pub fn required_value<T: Copy>(value: Option<T>, name: &str) -> Result<T, ApiError> {
    value.ok_or_else(|| missing(name))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorCode;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    struct Req {
        run_id: Option<String>,
        #[serde(default)]
        order_by: crate::de::OneOrMany<String>,
        max_results: Option<crate::de::I64>,
        flag: Option<crate::de::Bool>,
    }

    #[test]
    fn query_strings_decode_into_the_same_structs() {
        let r: Req =
            from_query("run_id=abc&order_by=a&order_by=b+DESC&max_results=10&flag=True").unwrap();
        assert_eq!(r.run_id.as_deref(), Some("abc"));
        assert_eq!(r.order_by.0, vec!["a", "b DESC"]);
        assert_eq!(r.max_results.unwrap().0, 10);
        assert!(r.flag.unwrap().0);
        let r: Req = from_query("order_by=x&unknown=1").unwrap();
        assert_eq!(r.order_by.0, vec!["x"]);
    }

    #[test]
    fn camel_case_aliases_and_conflicts() {
        let r: Req = from_json_body(br#"{"runId":"x","maxResults":"5"}"#).unwrap();
        assert_eq!(r.run_id.as_deref(), Some("x"));
        assert_eq!(r.max_results.unwrap().0, 5);
        let e = from_json_body::<Req>(br#"{"run_id":"x","runId":"y"}"#).unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidParameterValue);
        assert_eq!(
            e.message,
            "Request specifies both 'run_id' and 'runId'; provide only one of them."
        );
        // Nested objects are checked too.
        let e = from_value::<Value>(
            serde_json::json!({"metrics":[{"dataset_name":"a","datasetName":"b"}]}),
        )
        .unwrap_err();
        assert!(e.message.contains("dataset_name"));
    }

    #[test]
    fn bodies() {
        let r: Req = from_json_body(b"").unwrap();
        assert!(r.run_id.is_none());
        let r: Req = from_json_body(br#""{\"run_id\":\"d\"}""#).unwrap();
        assert_eq!(r.run_id.as_deref(), Some("d"));
        assert_eq!(
            from_json_body::<Req>(b"{bad").unwrap_err().code,
            ErrorCode::InvalidParameterValue
        );
        assert!(from_json_body::<Req>(b"[1]").is_err());
        let e = from_json_body::<Req>(br#"{"run_id": 5}"#).unwrap_err();
        assert_eq!(e.http_status(), 400);
        assert!(from_json_body::<Req>(br#"{"flag": "maybe"}"#).is_err());
    }

    #[test]
    fn type_errors_are_worded_as_mlflow_words_them() {
        let msg = |body: &[u8]| from_json_body::<Req>(body).unwrap_err().message;
        let tail = "See the API docs for more information about request parameters.";
        assert_eq!(
            msg(br#"{"run_id": 123}"#),
            format!(
                "Invalid value 123 for parameter 'run_id' supplied:  Hint: Value was of type 'int'. {tail}"
            )
        );
        assert_eq!(
            msg(br#"{"run_id": [1, {"b": 1, "a": "\u00e9"}]}"#),
            format!(
                "Invalid value [1,{{\"a\":\"\\u00e9\",\"b\":1}}] for parameter 'run_id' supplied:  Hint: Value was of type 'list'. {tail}"
            )
        );
        assert_eq!(
            msg(br#"{"max_results": "abc"}"#),
            format!(
                "Invalid value \"abc\" for parameter 'max_results' supplied:  Hint: Value was of type 'str'. {tail}"
            )
        );
        // A repeated field must be a list in a JSON body; a query string may give it once.
        assert_eq!(
            msg(br#"{"order_by": "a"}"#),
            format!(
                "Invalid value \"a\" for parameter 'order_by' supplied:  Hint: Value was of type 'str'. {tail}"
            )
        );
        assert_eq!(
            from_query::<Req>("order_by=a").unwrap().order_by.0,
            vec!["a"]
        );
        let r: Req = from_json_body(br#"{"order_by": ["a"]}"#).unwrap();
        assert_eq!(r.order_by.0, vec!["a"]);
    }

    #[test]
    fn required_fields() {
        assert_eq!(
            required(&Some(String::new()), "name").unwrap_err().message,
            "Missing value for required parameter 'name'. See the API docs for more information about request parameters."
        );
        assert_eq!(required(&Some("a".into()), "name").unwrap(), "a");
    }
}
