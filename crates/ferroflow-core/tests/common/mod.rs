//! Helpers the search-grammar tests share: short constructors for expected clauses, the
//! renderers the round-trip properties use, and the check of a refused input.

// Every test binary compiles this module but uses only part of it.
#![allow(dead_code)]

use ferroflow_core::ErrorKind;
use ferroflow_core::search::{Clause, Comparator, Value};
use proptest::prelude::*;

pub fn clause<K>(key: K, op: Comparator, value: Value) -> Clause<K> {
    Clause { key, op, value }
}
pub fn s(v: &str) -> Value {
    Value::String(v.to_string())
}
pub fn n(v: f64) -> Value {
    Value::Number(v)
}
pub fn list(v: &[&str]) -> Value {
    Value::List(v.iter().map(|x| x.to_string()).collect())
}

/// Asserts that `r` failed with INVALID_PARAMETER_VALUE and a message containing `fragment`;
/// `input` names the case in failure messages.
#[track_caller]
pub fn assert_rejected<T: std::fmt::Debug>(
    r: ferroflow_core::Result<T>,
    input: &str,
    fragment: &str,
) {
    let e = r.expect_err(input);
    assert_eq!(e.kind, ErrorKind::InvalidParameterValue, "{input}");
    assert!(
        e.message.contains(fragment),
        "{input}: got {:?}, want {fragment:?}",
        e.message
    );
}

/// Asserts that every error a parser gave for `input` is a non-empty INVALID_PARAMETER_VALUE.
#[track_caller]
pub fn assert_all_invalid(input: &str, errors: impl IntoIterator<Item = ferroflow_core::Error>) {
    for err in errors {
        assert_eq!(
            err.kind,
            ErrorKind::InvalidParameterValue,
            "{input:?}: {err}"
        );
        assert!(!err.message.is_empty());
    }
}

pub fn pick<T: Clone + std::fmt::Debug + 'static>(v: &'static [T]) -> impl Strategy<Value = T> {
    prop::sample::select(v)
}

/// Renders a value; `style` varies the quoting so every accepted spelling is exercised.
pub fn render_value(v: &Value, style: u8) -> String {
    let q = if style.is_multiple_of(2) { '\'' } else { '"' };
    match v {
        Value::Number(f) => format!("{f}"),
        Value::String(s) => format!("{q}{s}{q}"),
        Value::List(items) => {
            let inner: Vec<String> = items.iter().map(|s| format!("{q}{s}{q}")).collect();
            format!("({})", inner.join(", "))
        }
        Value::None => String::new(),
    }
}

/// Renders a comparator, in lower case for some styles: keywords are case-insensitive.
pub fn render_op(op: Comparator, style: u8) -> String {
    let s = op.as_str();
    if style.is_multiple_of(3) {
        s.to_ascii_lowercase()
    } else {
        s.to_string()
    }
}

/// The spellings of `AND` between clauses.
pub fn joiner(style: u8) -> &'static str {
    [" AND ", " and ", "  And\t", " "][style as usize % 4]
}
