//! Typed view of the schema JSON strings stored in an MLmodel `signature`.
//!
//! MLflow keeps `inputs`, `outputs` and `params` as JSON *strings* inside the YAML so the
//! file stays compact. [`crate::ModelSignature`] keeps those strings verbatim (a round trip
//! must not reformat them); the types here are what the scoring server needs to enforce
//! them. Parsing follows `mlflow.types.schema` (`Schema.from_json`, `ParamSchema.from_json`)
//! and rejects what it rejects, so a model MLflow refuses to load is refused here too.

use std::fmt;

use serde_json::{Map, Value};

use crate::MlModelError;

/// MLflow's scalar column types (`mlflow.types.DataType`), spelled as in the JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DataType {
    Boolean,
    /// 32-bit signed.
    Integer,
    /// 64-bit signed.
    Long,
    /// 32-bit float.
    Float,
    /// 64-bit float.
    Double,
    String,
    Binary,
    Datetime,
}

impl DataType {
    pub const ALL: [DataType; 8] = [
        Self::Boolean,
        Self::Integer,
        Self::Long,
        Self::Float,
        Self::Double,
        Self::String,
        Self::Binary,
        Self::Datetime,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Self::Boolean => "boolean",
            Self::Integer => "integer",
            Self::Long => "long",
            Self::Float => "float",
            Self::Double => "double",
            Self::String => "string",
            Self::Binary => "binary",
            Self::Datetime => "datetime",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.name() == name)
    }
}

impl fmt::Display for DataType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The type of a column, an object property, an array item or a map value.
#[derive(Debug, Clone, PartialEq)]
pub enum ColType {
    Scalar(DataType),
    /// `{"type": "array", "items": {...}}`
    Array(Box<ColType>),
    /// `{"type": "object", "properties": {name: {...}}}`; MLflow sorts properties by name.
    Object(Vec<Property>),
    /// `{"type": "map", "values": {...}}`; keys are always strings.
    Map(Box<ColType>),
    /// `{"type": "any"}`
    Any,
    /// `{"type": "sparkml_vector"}`: an array of doubles from Spark ML.
    SparkMlVector,
}

/// One field of an [`ColType::Object`].
#[derive(Debug, Clone, PartialEq)]
pub struct Property {
    pub name: String,
    pub ty: ColType,
    pub required: bool,
}

/// A column of a column-based schema.
#[derive(Debug, Clone, PartialEq)]
pub struct ColSpec {
    pub name: Option<String>,
    pub ty: ColType,
    pub required: bool,
}

/// A named or unnamed numpy tensor of a tensor-based schema.
#[derive(Debug, Clone, PartialEq)]
pub struct TensorSpec {
    pub name: Option<String>,
    /// A numpy dtype name as MLflow writes it (`float32`, `int64`, `str`, `object`, ...).
    pub dtype: String,
    /// `-1` marks a variable-size dimension.
    pub shape: Vec<i64>,
}

/// A signature's `inputs` or `outputs`: all columns or all tensors, never mixed.
#[derive(Debug, Clone, PartialEq)]
pub enum Schema {
    Columns(Vec<ColSpec>),
    Tensors(Vec<TensorSpec>),
}

/// The type of an inference parameter: a scalar or an object (binary is not allowed).
#[derive(Debug, Clone, PartialEq)]
pub enum ParamType {
    Scalar(DataType),
    Object(Vec<Property>),
}

/// One inference parameter (`params` in `/invocations` requests).
#[derive(Debug, Clone, PartialEq)]
pub struct ParamSpec {
    pub name: String,
    pub ty: ParamType,
    /// Kept as JSON: MLflow writes the default with `json.dumps`.
    pub default: Value,
    /// `None` for a scalar, `Some([-1])` for a 1-D list.
    pub shape: Option<Vec<i64>>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ParamSchema(pub Vec<ParamSpec>);

fn err(msg: impl Into<String>) -> MlModelError {
    MlModelError::Schema(msg.into())
}

fn parse_json(json: &str) -> Result<Value, MlModelError> {
    serde_json::from_str(json).map_err(|e| err(format!("not valid JSON: {e}")))
}

fn as_object<'a>(v: &'a Value, what: &str) -> Result<&'a Map<String, Value>, MlModelError> {
    v.as_object()
        .ok_or_else(|| err(format!("expected {what} to be a JSON object, got {v}")))
}

fn type_name<'a>(obj: &'a Map<String, Value>, what: &str) -> Result<&'a str, MlModelError> {
    match obj.get("type") {
        Some(Value::String(s)) => Ok(s),
        Some(other) => Err(err(format!(
            "expected `type` of {what} to be a string, got {other}"
        ))),
        None => Err(err(format!("missing key `type` in {what}"))),
    }
}

/// `required` defaults to true; MLflow writes it for every column and property.
fn required_flag(obj: &Map<String, Value>, what: &str) -> Result<bool, MlModelError> {
    match obj.get("required") {
        None | Some(Value::Null) => Ok(true),
        Some(Value::Bool(b)) => Ok(*b),
        Some(other) => Err(err(format!(
            "expected `required` of {what} to be a boolean, got {other}"
        ))),
    }
}

fn shape(v: &Value, what: &str) -> Result<Vec<i64>, MlModelError> {
    let items = v.as_array().ok_or_else(|| {
        err(format!(
            "expected the shape of {what} to be a list, got {v}"
        ))
    })?;
    items
        .iter()
        .map(|d| {
            d.as_i64().ok_or_else(|| {
                err(format!(
                    "expected the shape of {what} to hold integers, got {d}"
                ))
            })
        })
        .collect()
}

impl ColType {
    /// Parses a type object (`{"type": ..., "items"|"properties"|"values": ...}`).
    fn from_json(obj: &Map<String, Value>, what: &str) -> Result<Self, MlModelError> {
        let ty = type_name(obj, what)?;
        match ty {
            "array" => {
                let items = obj
                    .get("items")
                    .ok_or_else(|| err(format!("missing key `items` in array {what}")))?;
                let items = as_object(items, "array items")?;
                Ok(Self::Array(Box::new(Self::from_json(items, "array items")?)))
            }
            "object" => {
                let props = obj
                    .get("properties")
                    .ok_or_else(|| err(format!("missing key `properties` in object {what}")))?;
                Ok(Self::Object(properties(props)?))
            }
            "map" => {
                let values = obj
                    .get("values")
                    .ok_or_else(|| err(format!("missing key `values` in map {what}")))?;
                let values = as_object(values, "map values")?;
                Ok(Self::Map(Box::new(Self::from_json(values, "map values")?)))
            }
            "any" => Ok(Self::Any),
            "sparkml_vector" => Ok(Self::SparkMlVector),
            other => DataType::from_name(other).map(Self::Scalar).ok_or_else(|| {
                err(format!(
                    "unsupported type '{other}' in {what}, expected one of {:?} or array, object, map, any",
                    DataType::ALL.map(DataType::name)
                ))
            }),
        }
    }
}

fn properties(v: &Value) -> Result<Vec<Property>, MlModelError> {
    let obj = v
        .as_object()
        .ok_or_else(|| err("expected object properties to be a JSON object"))?;
    if obj.is_empty() {
        return Err(err("an object type needs at least one property"));
    }
    let mut props = obj
        .iter()
        .map(|(name, spec)| {
            let what = format!("property `{name}`");
            let spec = as_object(spec, &what)?;
            Ok(Property {
                name: name.clone(),
                ty: ColType::from_json(spec, &what)?,
                required: required_flag(spec, &what)?,
            })
        })
        .collect::<Result<Vec<_>, MlModelError>>()?;
    props.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(props)
}

fn optional_name(obj: &Map<String, Value>, what: &str) -> Result<Option<String>, MlModelError> {
    match obj.get("name") {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(other) => Err(err(format!(
            "expected the name of {what} to be a string, got {other}"
        ))),
    }
}

impl Schema {
    /// Parses the JSON string of a signature's `inputs` or `outputs`.
    pub fn from_json(json: &str) -> Result<Self, MlModelError> {
        Self::from_value(&parse_json(json)?)
    }

    pub fn from_value(v: &Value) -> Result<Self, MlModelError> {
        let items = v
            .as_array()
            .ok_or_else(|| err(format!("a schema must be a JSON list, got {v}")))?;
        if items.is_empty() {
            return Err(err("a schema must not be empty"));
        }
        let mut cols = Vec::new();
        let mut tensors = Vec::new();
        for (i, item) in items.iter().enumerate() {
            let what = format!("schema entry {i}");
            let obj = as_object(item, &what)?;
            if type_name(obj, &what)? == "tensor" {
                let spec = obj
                    .get("tensor-spec")
                    .ok_or_else(|| err(format!("missing key `tensor-spec` in {what}")))?;
                let spec = as_object(spec, &what)?;
                let dtype = match spec.get("dtype") {
                    Some(Value::String(s)) if !s.is_empty() => s.clone(),
                    _ => return Err(err(format!("missing or invalid `dtype` in {what}"))),
                };
                let dims = spec
                    .get("shape")
                    .ok_or_else(|| err(format!("missing key `shape` in {what}")))?;
                tensors.push(TensorSpec {
                    name: optional_name(obj, &what)?,
                    dtype,
                    shape: shape(dims, &what)?,
                });
            } else {
                cols.push(ColSpec {
                    name: optional_name(obj, &what)?,
                    ty: ColType::from_json(obj, &what)?,
                    required: required_flag(obj, &what)?,
                });
            }
        }
        let schema = match (cols.is_empty(), tensors.is_empty()) {
            (false, true) => Self::Columns(cols),
            (true, false) => Self::Tensors(tensors),
            _ => return Err(err("a schema cannot mix column and tensor specs")),
        };
        schema.check_names()?;
        Ok(schema)
    }

    /// MLflow's naming rules: all named or all unnamed; several tensors need names;
    /// unnamed columns cannot be optional.
    fn check_names(&self) -> Result<(), MlModelError> {
        let names = self.names();
        let named = names.iter().filter(|n| n.is_some()).count();
        if named != 0 && named != names.len() {
            return Err(err("a schema cannot mix named and unnamed inputs"));
        }
        match self {
            Self::Tensors(t) if t.len() > 1 && named == 0 => Err(err(
                "several unnamed tensor specs are not supported; name each tensor",
            )),
            Self::Columns(c) if named == 0 && c.iter().any(|c| !c.required) => {
                Err(err("unnamed optional inputs are not supported"))
            }
            _ => Ok(()),
        }
    }

    pub fn is_tensor_spec(&self) -> bool {
        matches!(self, Self::Tensors(_))
    }

    pub fn len(&self) -> usize {
        match self {
            Self::Columns(c) => c.len(),
            Self::Tensors(t) => t.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn names(&self) -> Vec<Option<&str>> {
        match self {
            Self::Columns(c) => c.iter().map(|c| c.name.as_deref()).collect(),
            Self::Tensors(t) => t.iter().map(|t| t.name.as_deref()).collect(),
        }
    }

    pub fn has_input_names(&self) -> bool {
        self.names().first().is_some_and(Option::is_some)
    }
}

impl ParamSchema {
    /// Parses the JSON string of a signature's `params`.
    pub fn from_json(json: &str) -> Result<Self, MlModelError> {
        let v = parse_json(json)?;
        let items = v
            .as_array()
            .ok_or_else(|| err(format!("a param schema must be a JSON list, got {v}")))?;
        let mut params = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            let what = format!("param spec {i}");
            let obj = as_object(item, &what)?;
            let name = match obj.get("name") {
                Some(Value::String(s)) => s.clone(),
                // MLflow applies str() to the name.
                Some(Value::Number(n)) => n.to_string(),
                _ => return Err(err(format!("missing or invalid `name` in {what}"))),
            };
            let what = format!("param `{name}`");
            let ty = match obj.get("type").or_else(|| obj.get("dtype")) {
                Some(Value::String(t)) if t == "object" => ParamType::Object(properties(
                    obj.get("properties")
                        .ok_or_else(|| err(format!("missing key `properties` in {what}")))?,
                )?),
                Some(Value::String(t)) => match DataType::from_name(t) {
                    Some(DataType::Binary) => {
                        return Err(err(format!("binary type is not supported for {what}")));
                    }
                    Some(dt) => ParamType::Scalar(dt),
                    None => return Err(err(format!("unsupported type '{t}' in {what}"))),
                },
                _ => return Err(err(format!("missing or invalid `type` in {what}"))),
            };
            let default = obj
                .get("default")
                .cloned()
                .ok_or_else(|| err(format!("missing key `default` in {what}")))?;
            let shape = match obj.get("shape") {
                None | Some(Value::Null) => None,
                Some(s) => Some(shape(s, &what)?),
            };
            params.push(ParamSpec {
                name,
                ty,
                default,
                shape,
            });
        }
        Ok(Self(params))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn schema_err(json: &str) -> String {
        Schema::from_json(json).unwrap_err().to_string()
    }

    #[test]
    fn rejects_what_mlflow_rejects() {
        assert!(schema_err("[]").contains("empty"));
        assert!(schema_err("{}").contains("list"));
        assert!(schema_err("not json").contains("JSON"));
        assert!(schema_err(r#"[{"type": "decimal"}]"#).contains("unsupported type 'decimal'"));
        assert!(schema_err(r#"[{"name": "a"}]"#).contains("`type`"));
        assert!(
            schema_err(r#"[{"type": "long", "name": "a"}, {"type": "long"}]"#).contains("named")
        );
        assert!(
            schema_err(r#"[{"type": "tensor", "tensor-spec": {"dtype": "int8", "shape": [1]}}, {"type": "long"}]"#)
                .contains("mix")
        );
        assert!(schema_err(r#"[{"type": "long", "required": false}]"#).contains("optional"));
        assert!(schema_err(r#"[{"type": "array"}]"#).contains("items"));
        assert!(schema_err(r#"[{"type": "object", "properties": {}}]"#).contains("at least one"));
        assert!(
            schema_err(r#"[{"type": "tensor", "tensor-spec": {"dtype": "int8", "shape": ["x"]}}]"#)
                .contains("integers")
        );
        let two_unnamed = r#"[{"type": "tensor", "tensor-spec": {"dtype": "int8", "shape": [1]}},
                              {"type": "tensor", "tensor-spec": {"dtype": "int8", "shape": [1]}}]"#;
        assert!(schema_err(two_unnamed).contains("unnamed tensor"));
        let binary = r#"[{"name": "p", "type": "binary", "default": "", "shape": null}]"#;
        assert!(
            ParamSchema::from_json(binary)
                .unwrap_err()
                .to_string()
                .contains("binary")
        );
        let no_default = r#"[{"name": "p", "type": "long"}]"#;
        assert!(
            ParamSchema::from_json(no_default)
                .unwrap_err()
                .to_string()
                .contains("default")
        );
    }

    #[test]
    fn accepts_legacy_and_nested_forms() {
        // MLflow 2.x wrote columns without `required`; they default to required.
        let s = Schema::from_json(r#"[{"name": "x", "type": "double"}]"#).unwrap();
        assert_eq!(
            s,
            Schema::Columns(vec![ColSpec {
                name: Some("x".into()),
                ty: ColType::Scalar(DataType::Double),
                required: true
            }])
        );
        assert!(s.has_input_names());
        let nested = r#"[{"type": "map", "values": {"type": "object", "properties":
            {"z": {"type": "any"}, "a": {"type": "sparkml_vector", "required": false}}}}]"#;
        let Schema::Columns(cols) = Schema::from_json(nested).unwrap() else {
            panic!("columns expected");
        };
        let ColType::Map(inner) = &cols[0].ty else {
            panic!("map expected");
        };
        // Properties come back sorted by name, as MLflow's Object sorts them.
        assert_eq!(
            **inner,
            ColType::Object(vec![
                Property {
                    name: "a".into(),
                    ty: ColType::SparkMlVector,
                    required: false
                },
                Property {
                    name: "z".into(),
                    ty: ColType::Any,
                    required: true
                },
            ])
        );
        // Params may spell the type as `dtype`.
        let p =
            ParamSchema::from_json(r#"[{"name": "k", "dtype": "long", "default": 1}]"#).unwrap();
        assert_eq!(p.0[0].ty, ParamType::Scalar(DataType::Long));
    }
}
