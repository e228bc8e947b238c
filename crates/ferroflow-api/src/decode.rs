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
    from_value(parse_body(body)?)
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
    serde_json::from_value(value).map_err(|e| {
        ApiError::invalid(format!(
            "Invalid request: {e}. See the API docs for more information about request parameters."
        ))
    })
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
    fn required_fields() {
        assert_eq!(
            required(&Some(String::new()), "name").unwrap_err().message,
            "Missing value for required parameter 'name'. See the API docs for more information about request parameters."
        );
        assert_eq!(required(&Some("a".into()), "name").unwrap(), "a");
    }
}
