//! Page tokens. Opaque to the client, which only hands them back; we use the official
//! server's `{"offset": N}` for searches (so tokens survive a switch between servers) and a
//! keyset cursor for metric histories, which stays cheap on long histories.

use crate::ApiError;
use crate::de::{F64, I64};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde::{Deserialize, Serialize};

/// The token for the page starting at `offset`.
pub fn encode_offset(offset: u64) -> String {
    STANDARD.encode(format!("{{\"offset\": {offset}}}"))
}

/// The offset a token points at; `None`/empty is the first page.
pub fn decode_offset(token: Option<&str>) -> Result<u64, ApiError> {
    let Some(token) = token.filter(|t| !t.is_empty()) else {
        return Ok(0);
    };
    let bytes = STANDARD
        .decode(token)
        .map_err(|_| ApiError::invalid("Invalid page token, could not base64-decode"))?;
    let text = String::from_utf8_lossy(&bytes);
    let value: serde_json::Value = serde_json::from_slice(&bytes)
        .map_err(|_| ApiError::invalid(format!("Invalid page token, decoded value={text}")))?;
    value
        .get("offset")
        .and_then(serde_json::Value::as_u64)
        .ok_or_else(|| ApiError::invalid(format!("Invalid page token, parsed value={value}")))
}

#[derive(Serialize, Deserialize)]
struct Cursor {
    step: I64Ser,
    timestamp: I64Ser,
    value: F64,
}

/// Plain i64 on the way out, lenient on the way in.
#[derive(Serialize, Deserialize)]
#[serde(untagged)]
enum I64Ser {
    Out(i64),
    #[serde(skip_serializing)]
    In(I64),
}

impl I64Ser {
    fn get(&self) -> i64 {
        match self {
            Self::Out(v) => *v,
            Self::In(v) => v.0,
        }
    }
}

/// The last point of a metric-history page, in the history's (step, timestamp, value) order.
/// A transport-side twin of the store's cursor: this crate does not depend on the store.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HistoryPosition {
    pub step: i64,
    pub timestamp: i64,
    pub value: f64,
}

/// The token for the metric-history page after `cursor`.
pub fn encode_history_cursor(cursor: &HistoryPosition) -> String {
    let c = Cursor {
        step: I64Ser::Out(cursor.step),
        timestamp: I64Ser::Out(cursor.timestamp),
        value: F64(cursor.value),
    };
    STANDARD.encode(serde_json::to_vec(&c).unwrap_or_default())
}

/// The position a metric-history token points after; `None`/empty is the start.
pub fn decode_history_cursor(token: Option<&str>) -> Result<Option<HistoryPosition>, ApiError> {
    let Some(token) = token.filter(|t| !t.is_empty()) else {
        return Ok(None);
    };
    let bytes = STANDARD
        .decode(token)
        .map_err(|_| ApiError::invalid("Invalid page token, could not base64-decode"))?;
    let c: Cursor = serde_json::from_slice(&bytes).map_err(|_| {
        ApiError::invalid(format!(
            "Invalid page token, decoded value={}",
            String::from_utf8_lossy(&bytes)
        ))
    })?;
    Ok(Some(HistoryPosition {
        step: c.step.get(),
        timestamp: c.timestamp.get(),
        value: c.value.0,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_round_trip_and_match_mlflow() {
        assert_eq!(encode_offset(1), "eyJvZmZzZXQiOiAxfQ==");
        assert_eq!(decode_offset(Some(&encode_offset(42))).unwrap(), 42);
        assert_eq!(decode_offset(None).unwrap(), 0);
        assert_eq!(decode_offset(Some("")).unwrap(), 0);
    }

    #[test]
    fn bad_tokens_are_400() {
        let e = decode_offset(Some("garbage!")).unwrap_err();
        assert_eq!(e.message, "Invalid page token, could not base64-decode");
        assert_eq!(e.http_status(), 400);
        let e = decode_offset(Some(&STANDARD.encode("nope"))).unwrap_err();
        assert!(e.message.starts_with("Invalid page token, decoded value="));
        let e = decode_offset(Some(&STANDARD.encode("{\"x\":1}"))).unwrap_err();
        assert!(e.message.starts_with("Invalid page token, parsed value="));
        assert!(decode_history_cursor(Some(&encode_offset(3))).is_err());
    }

    #[test]
    fn history_cursor_round_trip_with_nan() {
        let c = HistoryPosition {
            step: 7,
            timestamp: -3,
            value: f64::NAN,
        };
        let back = decode_history_cursor(Some(&encode_history_cursor(&c)))
            .unwrap()
            .unwrap();
        assert_eq!((back.step, back.timestamp), (7, -3));
        assert!(back.value.is_nan());
    }
}
