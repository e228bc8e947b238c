//! Lenient field codecs for MLflow's JSON: the official client and server write int64 as
//! numbers or strings, doubles as numbers or `"NaN"`/`"Infinity"`, enums as names or numbers and
//! (in query strings) booleans as `True`/`true`, and a single query parameter where a repeated
//! field is expected.

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};
use std::fmt;

/// An int64 that accepts a JSON number (integral) or a decimal string.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct I64(pub i64);

impl<'de> Deserialize<'de> for I64 {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = I64;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an integer or a decimal string")
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<I64, E> {
                Ok(I64(v))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<I64, E> {
                i64::try_from(v)
                    .map(I64)
                    .map_err(|_| E::custom(format!("{v} is out of range")))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<I64, E> {
                if v.fract() == 0.0 && v.abs() < 9.2e18 {
                    Ok(I64(v as i64))
                } else {
                    Err(E::custom(format!("{v} is not an integer")))
                }
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<I64, E> {
                v.trim()
                    .parse::<i64>()
                    .map(I64)
                    .map_err(|_| E::custom(format!("'{v}' is not an integer")))
            }
        }
        d.deserialize_any(V)
    }
}

impl Serialize for I64 {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_i64(self.0)
    }
}

/// A double that accepts a JSON number, a numeric string, or the protobuf JSON spellings
/// `"NaN"`, `"Infinity"`, `"-Infinity"`; non-finite values are written back as those strings.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct F64(pub f64);

impl Serialize for F64 {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let v = self.0;
        if v.is_nan() {
            s.serialize_str("NaN")
        } else if v == f64::INFINITY {
            s.serialize_str("Infinity")
        } else if v == f64::NEG_INFINITY {
            s.serialize_str("-Infinity")
        } else {
            s.serialize_f64(v)
        }
    }
}

impl<'de> Deserialize<'de> for F64 {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = F64;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a number, \"NaN\", \"Infinity\" or \"-Infinity\"")
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<F64, E> {
                Ok(F64(v as f64))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<F64, E> {
                Ok(F64(v as f64))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<F64, E> {
                Ok(F64(v))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<F64, E> {
                match v.trim() {
                    "NaN" | "nan" => Ok(F64(f64::NAN)),
                    "Infinity" | "inf" => Ok(F64(f64::INFINITY)),
                    "-Infinity" | "-inf" => Ok(F64(f64::NEG_INFINITY)),
                    t => t
                        .parse::<f64>()
                        .ok()
                        .filter(|x| x.is_finite())
                        .map(F64)
                        .ok_or_else(|| E::custom(format!("'{v}' is not a valid double"))),
                }
            }
        }
        d.deserialize_any(V)
    }
}

/// A boolean that also accepts `"true"`/`"false"` in any case (Python sends `True`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bool(pub bool);

impl<'de> Deserialize<'de> for Bool {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Bool;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a boolean")
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Bool, E> {
                Ok(Bool(v))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Bool, E> {
                match v.to_ascii_lowercase().as_str() {
                    "true" => Ok(Bool(true)),
                    "false" => Ok(Bool(false)),
                    _ => Err(E::custom(format!(
                        "Invalid boolean value: {v}, must be 'true' or 'false'."
                    ))),
                }
            }
        }
        d.deserialize_any(V)
    }
}

/// A repeated field that also accepts one bare value, as a query string with a single
/// occurrence of the key decodes to. In a JSON body a repeated field must be a list, as on the
/// official server (its schema check refuses `"experiment_ids": "1"`); [`strict_repeated`]
/// switches that on for the duration of one decode.
#[derive(Debug, Clone, PartialEq)]
pub struct OneOrMany<T>(pub Vec<T>);

impl<T> Default for OneOrMany<T> {
    fn default() -> Self {
        Self(Vec::new())
    }
}

thread_local! {
    static STRICT_REPEATED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Runs one (synchronous) decode in which [`OneOrMany`] refuses a bare value. Decoding never
/// yields, so a thread-local flag scoped to the call cannot leak into another request.
pub(crate) fn strict_repeated<R>(f: impl FnOnce() -> R) -> R {
    struct Reset(bool);
    impl Drop for Reset {
        fn drop(&mut self) {
            STRICT_REPEATED.with(|c| c.set(self.0));
        }
    }
    let _reset = Reset(STRICT_REPEATED.with(|c| c.replace(true)));
    f()
}

/// The prefix by which the decoder recognises a type error (see `decode::type_error`).
pub(crate) const INVALID_TYPE: &str = "invalid type";

impl<'de, T: serde::de::DeserializeOwned> Deserialize<'de> for OneOrMany<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let item = |v: serde_json::Value| serde_json::from_value::<T>(v).map_err(de::Error::custom);
        match serde_json::Value::deserialize(d)? {
            serde_json::Value::Null => Ok(Self(Vec::new())),
            serde_json::Value::Array(items) => items
                .into_iter()
                .map(item)
                .collect::<Result<_, _>>()
                .map(Self),
            _ if STRICT_REPEATED.with(std::cell::Cell::get) => Err(de::Error::custom(format!(
                "{INVALID_TYPE}: expected a list"
            ))),
            one => Ok(Self(vec![item(one)?])),
        }
    }
}

/// Declares a protobuf enum that decodes from its name, its number, or the number as a string.
macro_rules! wire_enum {
    ($(#[$m:meta])* $name:ident { $($variant:ident = $num:literal => $text:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum $name { $($variant),+ }

        impl $name {
            pub fn as_str(self) -> &'static str {
                match self { $(Self::$variant => $text),+ }
            }
            pub fn from_number(n: i64) -> Option<Self> {
                match n { $($num => Some(Self::$variant),)+ _ => None }
            }
            pub fn from_name(s: &str) -> Option<Self> {
                match s { $($text => Some(Self::$variant),)+ _ => None }
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                struct V;
                impl serde::de::Visitor<'_> for V {
                    type Value = $name;
                    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                        f.write_str(concat!("a ", stringify!($name), " name or number"))
                    }
                    fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<$name, E> {
                        $name::from_number(v).ok_or_else(|| E::custom(format!(
                            concat!("{} is not a valid ", stringify!($name)), v)))
                    }
                    fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<$name, E> {
                        self.visit_i64(v as i64)
                    }
                    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<$name, E> {
                        if let Some(x) = $name::from_name(v) {
                            return Ok(x);
                        }
                        match v.trim().parse::<i64>() {
                            Ok(n) => self.visit_i64(n),
                            Err(_) => Err(E::custom(format!(
                                concat!("'{}' is not a valid ", stringify!($name)), v))),
                        }
                    }
                }
                d.deserialize_any(V)
            }
        }
    };
}
pub(crate) use wire_enum;

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn int64_number_or_string() {
        assert_eq!(serde_json::from_value::<I64>(json!(5)).unwrap(), I64(5));
        assert_eq!(serde_json::from_value::<I64>(json!("-7")).unwrap(), I64(-7));
        assert_eq!(serde_json::from_value::<I64>(json!(3.0)).unwrap(), I64(3));
        assert!(serde_json::from_value::<I64>(json!("x")).is_err());
        assert!(serde_json::from_value::<I64>(json!(1.5)).is_err());
        assert!(serde_json::from_value::<I64>(json!(true)).is_err());
    }

    #[test]
    fn doubles_round_trip_non_finite_as_strings() {
        for (input, check) in [
            (json!("NaN"), f64::NAN),
            (json!("Infinity"), f64::INFINITY),
            (json!("-Infinity"), f64::NEG_INFINITY),
            (json!(0.5), 0.5),
            (json!(2), 2.0),
            (json!("1.25"), 1.25),
        ] {
            let v = serde_json::from_value::<F64>(input.clone()).unwrap().0;
            assert!(v == check || (v.is_nan() && check.is_nan()), "{input}");
            let back = serde_json::to_value(F64(v)).unwrap();
            if v.is_finite() {
                assert_eq!(back.as_f64().unwrap(), v);
            } else {
                assert!(back.is_string(), "{back}");
            }
        }
        assert_eq!(serde_json::to_value(F64(f64::NAN)).unwrap(), json!("NaN"));
        assert_eq!(
            serde_json::to_value(F64(f64::NEG_INFINITY)).unwrap(),
            json!("-Infinity")
        );
        assert!(serde_json::from_value::<F64>(json!("abc")).is_err());
    }

    #[test]
    fn bools_in_python_spelling() {
        for (v, b) in [
            (json!(true), true),
            (json!("True"), true),
            (json!("false"), false),
        ] {
            assert_eq!(serde_json::from_value::<Bool>(v).unwrap(), Bool(b));
        }
        assert!(serde_json::from_value::<Bool>(json!("yes")).is_err());
    }

    #[test]
    fn one_or_many() {
        let one: OneOrMany<String> = serde_json::from_value(json!("a")).unwrap();
        assert_eq!(one.0, vec!["a"]);
        let many: OneOrMany<String> = serde_json::from_value(json!(["a", "b"])).unwrap();
        assert_eq!(many.0, vec!["a", "b"]);
    }

    wire_enum!(Demo { A = 1 => "A", B = 2 => "B" });

    #[test]
    fn enums_by_name_or_number() {
        assert_eq!(serde_json::from_value::<Demo>(json!("B")).unwrap(), Demo::B);
        assert_eq!(serde_json::from_value::<Demo>(json!(1)).unwrap(), Demo::A);
        assert_eq!(serde_json::from_value::<Demo>(json!("2")).unwrap(), Demo::B);
        assert!(serde_json::from_value::<Demo>(json!("C")).is_err());
        assert!(serde_json::from_value::<Demo>(json!(9)).is_err());
        assert_eq!(serde_json::to_value(Demo::A).unwrap(), json!("A"));
    }
}
