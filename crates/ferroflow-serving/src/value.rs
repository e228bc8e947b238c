//! A loss-free YAML value tree for the parts of an MLmodel file we do not model with types.
//!
//! Flavor configurations, `metadata` and unknown keys are owned by whichever MLflow flavor
//! or user wrote them. Keeping them as a structured tree (instead of `serde_json::Value`)
//! preserves what JSON cannot express but PyYAML writes: non-string mapping keys
//! (`{0: cat, 1: dog}` label maps), `.nan`/`.inf`, and integers beyond `i64`.
//! Mappings keep their document order so a read/write cycle does not reshuffle a file.

use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};

/// One YAML node, as PyYAML's `safe_load` would see it.
#[derive(Debug, Clone)]
pub enum YamlValue {
    Null,
    Bool(bool),
    /// Every integer that fits `i128`; PyYAML integers are unbounded, MLflow's never leave `i64`.
    Int(i128),
    Float(f64),
    String(String),
    /// A plain scalar PyYAML reads as `date`/`datetime` (e.g. `2024-01-01`), kept as its
    /// text and written back with an explicit `!!timestamp` tag so it stays a timestamp.
    Timestamp(String),
    Seq(Vec<YamlValue>),
    Map(YamlMap),
}

/// Equality is what a Python reader would observe: NaN equals NaN (a round trip must not
/// report a difference for a value that survived), and `1` differs from `1.0` because
/// PyYAML keeps `int` and `float` apart.
impl PartialEq for YamlValue {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Self::Null, Self::Null) => true,
            (Self::Bool(a), Self::Bool(b)) => a == b,
            (Self::Int(a), Self::Int(b)) => a == b,
            (Self::Float(a), Self::Float(b)) => a == b || (a.is_nan() && b.is_nan()),
            (Self::String(a), Self::String(b)) => a == b,
            (Self::Timestamp(a), Self::Timestamp(b)) => a == b,
            (Self::Seq(a), Self::Seq(b)) => a == b,
            (Self::Map(a), Self::Map(b)) => a == b,
            _ => false,
        }
    }
}

impl YamlValue {
    /// Parses one YAML document into what PyYAML's `safe_load` returns: YAML 1.1 typing of
    /// plain scalars (`yes` is a boolean, `012` octal, `1e5` a string), later duplicate keys
    /// win, `<<` merges. Tags outside the core schema are rejected, as `safe_load` does.
    pub fn from_yaml_str(yaml: &str) -> Result<Self, crate::MlModelError> {
        crate::load::load_str(yaml)
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Self::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Self::Bool(b) => Some(*b),
            _ => None,
        }
    }

    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Self::Int(i) => i64::try_from(*i).ok(),
            _ => None,
        }
    }

    pub fn as_map(&self) -> Option<&YamlMap> {
        match self {
            Self::Map(m) => Some(m),
            _ => None,
        }
    }

    pub fn as_map_mut(&mut self) -> Option<&mut YamlMap> {
        match self {
            Self::Map(m) => Some(m),
            _ => None,
        }
    }

    pub fn as_seq(&self) -> Option<&[YamlValue]> {
        match self {
            Self::Seq(s) => Some(s),
            _ => None,
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(self, Self::Null)
    }

    /// Short type name for error messages ("expected a string, found a mapping").
    pub(crate) fn kind(&self) -> &'static str {
        match self {
            Self::Null => "null",
            Self::Bool(_) => "a boolean",
            Self::Int(_) => "an integer",
            Self::Float(_) => "a float",
            Self::String(_) => "a string",
            Self::Timestamp(_) => "a timestamp",
            Self::Seq(_) => "a sequence",
            Self::Map(_) => "a mapping",
        }
    }
}

impl From<&str> for YamlValue {
    fn from(s: &str) -> Self {
        Self::String(s.to_owned())
    }
}

impl From<String> for YamlValue {
    fn from(s: String) -> Self {
        Self::String(s)
    }
}

impl From<bool> for YamlValue {
    fn from(b: bool) -> Self {
        Self::Bool(b)
    }
}

impl From<i64> for YamlValue {
    fn from(i: i64) -> Self {
        Self::Int(i.into())
    }
}

impl From<u64> for YamlValue {
    fn from(i: u64) -> Self {
        Self::Int(i.into())
    }
}

impl From<f64> for YamlValue {
    fn from(f: f64) -> Self {
        Self::Float(f)
    }
}

impl From<YamlMap> for YamlValue {
    fn from(m: YamlMap) -> Self {
        Self::Map(m)
    }
}

impl<T: Into<YamlValue>> From<Option<T>> for YamlValue {
    fn from(v: Option<T>) -> Self {
        v.map_or(Self::Null, Into::into)
    }
}

/// An insertion-ordered YAML mapping. Keys are full values because PyYAML allows
/// integer, boolean and null keys; lookups by `&str` cover the common case.
/// Mappings in MLmodel files have a handful of entries, so a vector beats hashing.
#[derive(Debug, Clone, Default)]
pub struct YamlMap {
    entries: Vec<(YamlValue, YamlValue)>,
}

/// Order-insensitive, like a Python `dict`: YAML mappings are unordered, and MLflow sorts
/// keys on write anyway, so two files differing only in key order hold the same model.
impl PartialEq for YamlMap {
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len()
            && self
                .entries
                .iter()
                .all(|(k, v)| other.get_value(k).is_some_and(|w| w == v))
    }
}

impl YamlMap {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn get(&self, key: &str) -> Option<&YamlValue> {
        self.entries
            .iter()
            .find(|(k, _)| k.as_str() == Some(key))
            .map(|(_, v)| v)
    }

    pub fn get_mut(&mut self, key: &str) -> Option<&mut YamlValue> {
        self.entries
            .iter_mut()
            .find(|(k, _)| k.as_str() == Some(key))
            .map(|(_, v)| v)
    }

    pub fn get_value(&self, key: &YamlValue) -> Option<&YamlValue> {
        self.entries.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    pub fn contains_key(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    /// Replaces the value in place when the key exists (keeping its position), else appends.
    /// Returns the previous value.
    pub fn insert(
        &mut self,
        key: impl Into<YamlValue>,
        value: impl Into<YamlValue>,
    ) -> Option<YamlValue> {
        let key = key.into();
        let value = value.into();
        if let Some((_, slot)) = self.entries.iter_mut().find(|(k, _)| *k == key) {
            return Some(std::mem::replace(slot, value));
        }
        self.entries.push((key, value));
        None
    }

    pub fn remove(&mut self, key: &str) -> Option<YamlValue> {
        let pos = self
            .entries
            .iter()
            .position(|(k, _)| k.as_str() == Some(key))?;
        Some(self.entries.remove(pos).1)
    }

    pub fn iter(&self) -> impl Iterator<Item = (&YamlValue, &YamlValue)> {
        self.entries.iter().map(|(k, v)| (k, v))
    }

    /// Sorts string keys the way PyYAML's `safe_dump(sort_keys=True)` does (by code point,
    /// which is UTF-8 byte order); non-string keys keep their relative order after them.
    pub(crate) fn sort_string_keys(&mut self) {
        self.entries
            .sort_by(|(a, _), (b, _)| match (a.as_str(), b.as_str()) {
                (Some(a), Some(b)) => a.cmp(b),
                (Some(_), None) => std::cmp::Ordering::Less,
                (None, Some(_)) => std::cmp::Ordering::Greater,
                (None, None) => std::cmp::Ordering::Equal,
            });
    }
}

impl FromIterator<(YamlValue, YamlValue)> for YamlMap {
    fn from_iter<I: IntoIterator<Item = (YamlValue, YamlValue)>>(iter: I) -> Self {
        let mut map = Self::new();
        for (k, v) in iter {
            map.insert(k, v);
        }
        map
    }
}

impl IntoIterator for YamlMap {
    type Item = (YamlValue, YamlValue);
    type IntoIter = std::vec::IntoIter<(YamlValue, YamlValue)>;

    fn into_iter(self) -> Self::IntoIter {
        self.entries.into_iter()
    }
}

impl Serialize for YamlValue {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Null => serializer.serialize_unit(),
            Self::Bool(b) => serializer.serialize_bool(*b),
            Self::Int(i) => match i64::try_from(*i) {
                Ok(small) => serializer.serialize_i64(small),
                Err(_) => serializer.serialize_i128(*i),
            },
            Self::Float(f) => serializer.serialize_f64(*f),
            // The writer quotes by YAML 1.1 rules only in value position; keys are judged by
            // YAML 1.2 rules, so a key `on` would come back from PyYAML as `True`. Quoting
            // every string PyYAML would resolve to something else covers both positions.
            Self::String(s) if crate::pyyaml::resolves_to_non_string(s) => {
                if s.chars().all(|c| c == ' ' || c.is_ascii_graphic()) {
                    serde_saphyr::SingleQuoted(s.as_str()).serialize(serializer)
                } else {
                    serde_saphyr::DoubleQuoted(s.as_str()).serialize(serializer)
                }
            }
            Self::String(s) => serializer.serialize_str(s),
            Self::Timestamp(s) => {
                serde_saphyr::Tagged(s.as_str(), Some("tag:yaml.org,2002:timestamp".to_owned()))
                    .serialize(serializer)
            }
            Self::Seq(items) => {
                let mut seq = serializer.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(item)?;
                }
                seq.end()
            }
            Self::Map(map) => {
                let mut out = serializer.serialize_map(Some(map.len()))?;
                for (k, v) in map.iter() {
                    out.serialize_entry(k, v)?;
                }
                out.end()
            }
        }
    }
}
