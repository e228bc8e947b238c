//! PyYAML's implicit scalar resolution (YAML 1.1), used to decide which strings must be quoted.
//!
//! MLflow reads MLmodel files with `yaml.safe_load`. A plain scalar `on`, `0755`, `1:20` or
//! `2024-01-01` comes back from PyYAML as a bool, an octal int, a base-60 int or a date, so a
//! string with such a spelling has to be written quoted. The checks below mirror the
//! resolver patterns of PyYAML 6 (`yaml/resolver.py`), including its quirks: `1e5` is a
//! *string* (floats need a dot), `+.inf` is a float but `+.nan` is not.

use crate::YamlValue;

/// What PyYAML makes of a plain (unquoted, untagged) scalar.
#[derive(Debug, PartialEq)]
pub(crate) enum Plain {
    Str,
    Value(YamlValue),
    /// Resolved to a tag `safe_load` cannot construct (`=`, a stray `<<`, `!!int` overflow).
    Unconstructible(&'static str),
}

/// True when PyYAML would resolve `s`, written as a plain scalar, to anything but `str`.
pub(crate) fn resolves_to_non_string(s: &str) -> bool {
    resolve(s) != Plain::Str
}

/// Implicit resolution, in PyYAML's resolver order (bool, float, int, merge, null,
/// timestamp, value).
pub(crate) fn resolve(s: &str) -> Plain {
    let tag = if is_bool(s) {
        "bool"
    } else if is_float(s) {
        "float"
    } else if is_int(s) {
        "int"
    } else if s == "<<" {
        return Plain::Unconstructible("a merge key outside a mapping key");
    } else if is_null(s) {
        "null"
    } else if is_timestamp(s) {
        "timestamp"
    } else if s == "=" {
        return Plain::Unconstructible("the YAML 1.1 value key `=` is not supported");
    } else {
        return Plain::Str;
    };
    match construct(tag, s) {
        Some(v) => Plain::Value(v),
        None => Plain::Unconstructible("the value is out of range"),
    }
}

/// Builds the value for a core-schema tag (`!!int`, `!!float`, ...) the way PyYAML's
/// `SafeConstructor` does; `None` where PyYAML would raise.
pub(crate) fn construct(tag: &str, s: &str) -> Option<YamlValue> {
    match tag {
        "str" => Some(YamlValue::String(s.to_owned())),
        "null" => Some(YamlValue::Null),
        "bool" => match s.to_ascii_lowercase().as_str() {
            "yes" | "true" | "on" => Some(YamlValue::Bool(true)),
            "no" | "false" | "off" => Some(YamlValue::Bool(false)),
            _ => None,
        },
        "int" => construct_int(s).map(YamlValue::Int),
        "float" => construct_float(s).map(YamlValue::Float),
        "timestamp" => is_timestamp(s).then(|| YamlValue::Timestamp(s.to_owned())),
        _ => None,
    }
}

fn split_sign(s: &str) -> (bool, &str) {
    match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    }
}

fn construct_int(s: &str) -> Option<i128> {
    let cleaned = s.replace('_', "");
    let (negative, body) = split_sign(&cleaned);
    let magnitude = if body == "0" {
        0
    } else if let Some(bits) = body.strip_prefix("0b") {
        i128::from_str_radix(bits, 2).ok()?
    } else if let Some(hex) = body.strip_prefix("0x") {
        i128::from_str_radix(hex, 16).ok()?
    } else if body.starts_with('0') {
        i128::from_str_radix(body, 8).ok()?
    } else if body.contains(':') {
        body.split(':').try_fold(0_i128, |acc, part| {
            acc.checked_mul(60)?.checked_add(part.parse::<i128>().ok()?)
        })?
    } else {
        body.parse::<i128>().ok()?
    };
    Some(if negative { -magnitude } else { magnitude })
}

fn construct_float(s: &str) -> Option<f64> {
    let cleaned = s.replace('_', "").to_ascii_lowercase();
    let (negative, body) = split_sign(&cleaned);
    let magnitude = if body == ".inf" {
        f64::INFINITY
    } else if body == ".nan" {
        f64::NAN
    } else if body.contains(':') {
        body.split(':').try_fold(0.0_f64, |acc, part| {
            Some(acc * 60.0 + parse_python_float(part)?)
        })?
    } else {
        parse_python_float(body)?
    };
    Some(if negative { -magnitude } else { magnitude })
}

/// Python's `float()` accepts `1.`, `.5` and `1.e+5`; Rust's parser wants digits around
/// the dot, so they are filled in.
fn parse_python_float(s: &str) -> Option<f64> {
    let (mantissa, exponent) = match s.find('e') {
        Some(i) => s.split_at(i),
        None => (s, ""),
    };
    let mut m = mantissa.to_owned();
    if m.starts_with('.') {
        m.insert(0, '0');
    }
    if m.ends_with('.') {
        m.push('0');
    }
    format!("{m}{exponent}").parse().ok()
}

fn is_null(s: &str) -> bool {
    matches!(s, "" | "~" | "null" | "Null" | "NULL")
}

fn is_bool(s: &str) -> bool {
    matches!(
        s,
        "yes"
            | "Yes"
            | "YES"
            | "no"
            | "No"
            | "NO"
            | "true"
            | "True"
            | "TRUE"
            | "false"
            | "False"
            | "FALSE"
            | "on"
            | "On"
            | "ON"
            | "off"
            | "Off"
            | "OFF"
    )
}

/// A byte cursor; each method consumes a production and reports whether it matched.
struct Cur<'a> {
    b: &'a [u8],
    i: usize,
}

impl<'a> Cur<'a> {
    fn new(s: &'a str) -> Self {
        Self {
            b: s.as_bytes(),
            i: 0,
        }
    }

    fn done(&self) -> bool {
        self.i == self.b.len()
    }

    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    fn eat(&mut self, c: u8) -> bool {
        if self.peek() == Some(c) {
            self.i += 1;
            true
        } else {
            false
        }
    }

    fn eat_if(&mut self, f: impl Fn(u8) -> bool) -> bool {
        match self.peek() {
            Some(c) if f(c) => {
                self.i += 1;
                true
            }
            _ => false,
        }
    }

    fn eat_sign(&mut self) {
        let _ = self.eat(b'+') || self.eat(b'-');
    }

    /// Consumes a run of bytes satisfying `f`; returns its length.
    fn run(&mut self, f: impl Fn(u8) -> bool) -> usize {
        let start = self.i;
        while self.eat_if(&f) {}
        self.i - start
    }

    fn rest(&self) -> &'a [u8] {
        &self.b[self.i..]
    }

    /// `(:[0-5]?[0-9])+` followed by something that is not a digit.
    fn sexagesimal_tail(&mut self) -> bool {
        let mut parts = 0;
        while self.eat(b':') {
            let start = self.i;
            let n = self.run(|c| c.is_ascii_digit());
            let ok = n == 1 || (n == 2 && self.b[start] <= b'5');
            if !ok {
                return false;
            }
            parts += 1;
        }
        parts > 0
    }
}

fn digit_or_underscore(c: u8) -> bool {
    c.is_ascii_digit() || c == b'_'
}

fn is_int(s: &str) -> bool {
    let mut c = Cur::new(s);
    c.eat_sign();
    let body = c.rest();
    if let Some(bits) = body.strip_prefix(b"0b") {
        return !bits.is_empty() && bits.iter().all(|&b| matches!(b, b'0' | b'1' | b'_'));
    }
    if let Some(hex) = body.strip_prefix(b"0x") {
        return !hex.is_empty() && hex.iter().all(|&b| b.is_ascii_hexdigit() || b == b'_');
    }
    if let Some(oct) = body.strip_prefix(b"0") {
        // `0` alone is decimal zero; `0[0-7_]+` is octal.
        return oct.iter().all(|&b| matches!(b, b'0'..=b'7' | b'_'));
    }
    if !c.eat_if(|b| (b'1'..=b'9').contains(&b)) {
        return false;
    }
    c.run(digit_or_underscore);
    if c.done() {
        return true;
    }
    c.sexagesimal_tail() && c.done()
}

fn exponent_then_end(c: &mut Cur<'_>) -> bool {
    if c.done() {
        return true;
    }
    c.eat_if(|b| b == b'e' || b == b'E')
        && (c.eat(b'+') || c.eat(b'-'))
        && c.run(|b| b.is_ascii_digit()) > 0
        && c.done()
}

fn is_float(s: &str) -> bool {
    if matches!(s, ".nan" | ".NaN" | ".NAN") {
        return true;
    }
    let mut c = Cur::new(s);
    c.eat_sign();
    if matches!(c.rest(), b".inf" | b".Inf" | b".INF") {
        return true;
    }
    let signed = c.i > 0;
    if c.peek() == Some(b'.') {
        // `\.[0-9][0-9_]*` takes no sign.
        c.i += 1;
        return !signed && c.eat_if(|b| b.is_ascii_digit()) && {
            c.run(digit_or_underscore);
            exponent_then_end(&mut c)
        };
    }
    if !c.eat_if(|b| b.is_ascii_digit()) {
        return false;
    }
    c.run(digit_or_underscore);
    if c.eat(b'.') {
        c.run(digit_or_underscore);
        return exponent_then_end(&mut c);
    }
    // Base 60: `[0-9][0-9_]*(:[0-5]?[0-9])+\.[0-9_]*`.
    c.sexagesimal_tail() && c.eat(b'.') && {
        c.run(digit_or_underscore);
        c.done()
    }
}

fn is_timestamp(s: &str) -> bool {
    let mut c = Cur::new(s);
    let digits = |c: &mut Cur<'_>, min: usize, max: usize| {
        let n = c.run(|b| b.is_ascii_digit());
        (min..=max).contains(&n)
    };
    if !digits(&mut c, 4, 4) || !c.eat(b'-') {
        return false;
    }
    let month_start = c.i;
    if !digits(&mut c, 1, 2) || !c.eat(b'-') || !digits(&mut c, 1, 2) {
        return false;
    }
    if c.done() {
        // The date-only form needs two-digit month and day.
        return s.len() == 10 && c.i - month_start == 5;
    }
    if !(c.eat(b'T') || c.eat(b't') || c.run(|b| b == b' ' || b == b'\t') > 0) {
        return false;
    }
    if !digits(&mut c, 1, 2)
        || !c.eat(b':')
        || !digits(&mut c, 2, 2)
        || !c.eat(b':')
        || !digits(&mut c, 2, 2)
    {
        return false;
    }
    if c.eat(b'.') {
        c.run(|b| b.is_ascii_digit());
    }
    let spaces = c.run(|b| b == b' ' || b == b'\t');
    if c.done() {
        // Trailing blanks without a zone are not part of the pattern.
        return spaces == 0;
    }
    if c.eat(b'Z') {
        return c.done();
    }
    if !(c.eat(b'+') || c.eat(b'-')) || !digits(&mut c, 1, 2) {
        return false;
    }
    if c.eat(b':') && !digits(&mut c, 2, 2) {
        return false;
    }
    c.done()
}

#[cfg(test)]
mod tests {
    use super::{Plain, resolve, resolves_to_non_string as r};
    use crate::YamlValue;

    fn value(s: &str) -> YamlValue {
        match resolve(s) {
            Plain::Value(v) => v,
            other => panic!("{s:?}: {other:?}"),
        }
    }

    #[test]
    fn constructs_values_like_safe_load() {
        assert_eq!(value("0755"), YamlValue::Int(0o755));
        assert_eq!(value("-0x1F"), YamlValue::Int(-31));
        assert_eq!(value("0b1_01"), YamlValue::Int(5));
        assert_eq!(value("1_000"), YamlValue::Int(1000));
        assert_eq!(
            value("190:20:30"),
            YamlValue::Int(190 * 3600 + 20 * 60 + 30)
        );
        assert_eq!(value("0"), YamlValue::Int(0));
        assert_eq!(value("1."), YamlValue::Float(1.0));
        assert_eq!(value(".5"), YamlValue::Float(0.5));
        assert_eq!(value("-1.e+2"), YamlValue::Float(-100.0));
        assert_eq!(value("1.0e-05"), YamlValue::Float(1e-5));
        assert_eq!(value("1:30.5"), YamlValue::Float(90.5));
        assert_eq!(value("-.INF"), YamlValue::Float(f64::NEG_INFINITY));
        assert!(matches!(value(".NaN"), YamlValue::Float(f) if f.is_nan()));
        assert_eq!(value("On"), YamlValue::Bool(true));
        assert_eq!(value("NO"), YamlValue::Bool(false));
        assert_eq!(value("~"), YamlValue::Null);
        assert_eq!(value(""), YamlValue::Null);
        assert_eq!(
            value("2024-01-02"),
            YamlValue::Timestamp("2024-01-02".into())
        );
        assert!(matches!(resolve("="), Plain::Unconstructible(_)));
        assert!(matches!(
            resolve("99999999999999999999999999999999999999999"),
            Plain::Unconstructible(_)
        ));
        assert_eq!(resolve("1e5"), Plain::Str);
    }

    #[test]
    fn yaml11_spellings_are_not_strings() {
        for s in [
            "",
            "~",
            "null",
            "NULL",
            "yes",
            "No",
            "on",
            "OFF",
            "true",
            "0",
            "-0",
            "012",
            "0_7",
            "0b101",
            "-0x1F",
            "1_000",
            "1__",
            "190:20:30",
            "1:20",
            "1.",
            "-1.5",
            "1.0e+05",
            ".5",
            ".5e-3",
            "+.inf",
            "-.Inf",
            ".nan",
            "1:20.5",
            "2026-11-23",
            "2026-1-2 3:04:05",
            "2026-11-23 18:12:15.536535",
            "2026-11-23T18:12:15Z",
            "2001-12-14 21:59:43.10 -5",
            "<<",
            "=",
        ] {
            assert!(r(s), "{s:?} should resolve to a non-string");
        }
    }

    #[test]
    fn ordinary_strings_stay_plain() {
        for s in [
            "3.11.7",
            "1.9.1",
            "1e5",
            "1E+5",
            "+.nan",
            "-.nan",
            "y",
            "n",
            "0o17",
            "08",
            "09",
            "0x",
            "0b",
            "1:60",
            "1:123",
            "2026-1-2",
            "2026-11-23x",
            "abc",
            "model.skops",
            "mlflow.sklearn",
            "nan",
            "inf",
            "-",
            ".",
            "+",
            "_1",
            "1.2.3",
            "Yes!",
            "12:",
        ] {
            assert!(!r(s), "{s:?} should stay a string");
        }
    }
}
