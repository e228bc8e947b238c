//! The `MLmodel` file: the YAML descriptor at the root of every MLflow model directory.
//!
//! Reading and writing must be loss-free, because MLflow's own tools (and any flavor we do
//! not know) read the file after us. Three rules make that hold:
//! - every key we do not model lands in an `extra` map and is written back unchanged;
//! - a known key that was written as an explicit `null` is written as `null` again
//!   (MLflow always writes `model_id: null` and `prompts: null`, older files do not);
//! - strings PyYAML would read as something else (`on`, `012`, timestamps) are quoted.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use crate::schema::{ParamSchema, Schema};
use crate::{MlModelError, YamlMap, YamlValue};

/// File name of the model descriptor inside a model directory.
pub const MLMODEL_FILE_NAME: &str = "MLmodel";

/// The flavor every servable MLflow model carries.
pub const PYFUNC_FLAVOR: &str = "python_function";

/// Keys of a YAML mapping that held an explicit `null`. Only known (typed) keys are
/// tracked; unknown keys keep their nulls inside `extra`.
type Nulls = BTreeSet<&'static str>;

/// Takes the known keys out of a mapping one by one, type-checking each; whatever is left
/// over becomes the `extra` map.
struct Reader {
    map: YamlMap,
    context: &'static str,
    nulls: Nulls,
}

impl Reader {
    fn new(map: YamlMap, context: &'static str) -> Self {
        Self {
            map,
            context,
            nulls: Nulls::new(),
        }
    }

    fn field_name(&self, key: &str) -> String {
        if self.context.is_empty() {
            key.to_owned()
        } else {
            format!("{}.{key}", self.context)
        }
    }

    /// The non-null value of `key`, removed from the map.
    fn take(&mut self, key: &'static str) -> Option<YamlValue> {
        match self.map.remove(key)? {
            YamlValue::Null => {
                self.nulls.insert(key);
                None
            }
            v => Some(v),
        }
    }

    fn string(&mut self, key: &'static str) -> Result<Option<String>, MlModelError> {
        match self.take(key) {
            None => Ok(None),
            Some(YamlValue::String(s)) => Ok(Some(s)),
            Some(v) => Err(MlModelError::field(self.field_name(key), "a string", &v)),
        }
    }

    fn bool(&mut self, key: &'static str) -> Result<Option<bool>, MlModelError> {
        match self.take(key) {
            None => Ok(None),
            Some(YamlValue::Bool(b)) => Ok(Some(b)),
            Some(v) => Err(MlModelError::field(self.field_name(key), "a boolean", &v)),
        }
    }

    fn u64(&mut self, key: &'static str) -> Result<Option<u64>, MlModelError> {
        match self.take(key) {
            None => Ok(None),
            Some(YamlValue::Int(i)) if u64::try_from(i).is_ok() => Ok(u64::try_from(i).ok()),
            Some(v) => Err(MlModelError::field(
                self.field_name(key),
                "a non-negative integer",
                &v,
            )),
        }
    }

    fn map(&mut self, key: &'static str) -> Result<Option<YamlMap>, MlModelError> {
        match self.take(key) {
            None => Ok(None),
            Some(YamlValue::Map(m)) => Ok(Some(m)),
            Some(v) => Err(MlModelError::field(self.field_name(key), "a mapping", &v)),
        }
    }

    fn string_list(&mut self, key: &'static str) -> Result<Option<Vec<String>>, MlModelError> {
        match self.take(key) {
            None => Ok(None),
            Some(YamlValue::Seq(items)) => items
                .into_iter()
                .map(|item| match item {
                    YamlValue::String(s) => Ok(s),
                    other => Err(MlModelError::field(
                        self.field_name(key),
                        "a list of strings",
                        &other,
                    )),
                })
                .collect::<Result<Vec<_>, _>>()
                .map(Some),
            Some(v) => Err(MlModelError::field(
                self.field_name(key),
                "a list of strings",
                &v,
            )),
        }
    }

    fn finish(self) -> (YamlMap, Nulls) {
        (self.map, self.nulls)
    }
}

/// Builds a mapping from typed fields, re-emitting the explicit nulls that were read.
struct Writer<'a> {
    map: YamlMap,
    nulls: &'a Nulls,
}

impl<'a> Writer<'a> {
    fn new(nulls: &'a Nulls) -> Self {
        Self {
            map: YamlMap::new(),
            nulls,
        }
    }

    fn opt(&mut self, key: &'static str, value: Option<impl Into<YamlValue>>) {
        match value {
            Some(v) => {
                self.map.insert(key, v);
            }
            None if self.nulls.contains(key) => {
                self.map.insert(key, YamlValue::Null);
            }
            None => {}
        }
    }

    /// Appends the unknown keys; a typed field of the same name wins (it was set on purpose).
    fn finish(mut self, extra: &YamlMap) -> YamlMap {
        for (k, v) in extra.iter() {
            if self.map.get_value(k).is_none() {
                self.map.insert(k.clone(), v.clone());
            }
        }
        self.map
    }
}

/// `signature:` — schema JSON strings, kept verbatim so a round trip does not reformat them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ModelSignature {
    pub inputs: Option<String>,
    pub outputs: Option<String>,
    pub params: Option<String>,
    pub extra: YamlMap,
    nulls: Nulls,
}

impl ModelSignature {
    /// A signature as MLflow writes it: all three keys present, absent ones as `null`.
    pub fn new(inputs: Option<String>, outputs: Option<String>, params: Option<String>) -> Self {
        Self {
            inputs,
            outputs,
            params,
            extra: YamlMap::new(),
            nulls: ["inputs", "outputs", "params"].into_iter().collect(),
        }
    }

    pub fn input_schema(&self) -> Result<Option<Schema>, MlModelError> {
        self.inputs.as_deref().map(Schema::from_json).transpose()
    }

    pub fn output_schema(&self) -> Result<Option<Schema>, MlModelError> {
        self.outputs.as_deref().map(Schema::from_json).transpose()
    }

    pub fn param_schema(&self) -> Result<Option<ParamSchema>, MlModelError> {
        self.params
            .as_deref()
            .map(ParamSchema::from_json)
            .transpose()
    }

    fn from_map(map: YamlMap) -> Result<Self, MlModelError> {
        let mut r = Reader::new(map, "signature");
        let inputs = r.string("inputs")?;
        let outputs = r.string("outputs")?;
        let params = r.string("params")?;
        let (extra, nulls) = r.finish();
        Ok(Self {
            inputs,
            outputs,
            params,
            extra,
            nulls,
        })
    }

    fn to_map(&self) -> YamlMap {
        let mut w = Writer::new(&self.nulls);
        w.opt("inputs", self.inputs.clone());
        w.opt("outputs", self.outputs.clone());
        w.opt("params", self.params.clone());
        w.finish(&self.extra)
    }
}

/// `saved_input_example_info:` — where the input example lives and how it is encoded.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SavedInputExampleInfo {
    /// Relative path of the example file, normally `input_example.json`.
    pub artifact_path: Option<String>,
    /// `type`: `dataframe`, `ndarray`, `json_object`, `sparse_matrix_csc`, `sparse_matrix_csr`.
    pub example_type: Option<String>,
    /// `split` for dataframes.
    pub pandas_orient: Option<String>,
    /// A ready `/invocations` payload, normally `serving_input_example.json`.
    pub serving_input_path: Option<String>,
    pub extra: YamlMap,
    nulls: Nulls,
}

impl SavedInputExampleInfo {
    fn from_map(map: YamlMap) -> Result<Self, MlModelError> {
        let mut r = Reader::new(map, "saved_input_example_info");
        let artifact_path = r.string("artifact_path")?;
        let example_type = r.string("type")?;
        let pandas_orient = r.string("pandas_orient")?;
        let serving_input_path = r.string("serving_input_path")?;
        let (extra, nulls) = r.finish();
        Ok(Self {
            artifact_path,
            example_type,
            pandas_orient,
            serving_input_path,
            extra,
            nulls,
        })
    }

    fn to_map(&self) -> YamlMap {
        let mut w = Writer::new(&self.nulls);
        w.opt("artifact_path", self.artifact_path.clone());
        w.opt("type", self.example_type.clone());
        w.opt("pandas_orient", self.pandas_orient.clone());
        w.opt("serving_input_path", self.serving_input_path.clone());
        w.finish(&self.extra)
    }
}

/// `env` of the `python_function` flavor: a single conda file (MLflow < 2) or one file
/// per environment manager.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PyFuncEnv<'a> {
    Path(&'a str),
    Managers {
        conda: Option<&'a str>,
        virtualenv: Option<&'a str>,
    },
}

/// Read-only view of the `python_function` flavor block.
#[derive(Debug, Clone, Copy)]
pub struct PyFuncFlavor<'a> {
    config: &'a YamlMap,
}

impl<'a> PyFuncFlavor<'a> {
    fn str(&self, key: &str) -> Option<&'a str> {
        self.config.get(key).and_then(YamlValue::as_str)
    }

    /// The Python module whose `_load_pyfunc` loads the model; required to serve it.
    pub fn loader_module(&self) -> Option<&'a str> {
        self.str("loader_module")
    }

    /// Model file written by built-in flavors (e.g. `model.skops`).
    pub fn model_path(&self) -> Option<&'a str> {
        self.str("model_path")
    }

    /// Data path handed to the loader (custom pyfunc models and older flavors).
    pub fn data(&self) -> Option<&'a str> {
        self.str("data")
    }

    /// `code` directory added to `sys.path` before loading.
    pub fn code(&self) -> Option<&'a str> {
        self.str("code")
    }

    pub fn env(&self) -> Option<PyFuncEnv<'a>> {
        match self.config.get("env")? {
            YamlValue::String(s) => Some(PyFuncEnv::Path(s)),
            YamlValue::Map(m) => Some(PyFuncEnv::Managers {
                conda: m.get("conda").and_then(YamlValue::as_str),
                virtualenv: m.get("virtualenv").and_then(YamlValue::as_str),
            }),
            _ => None,
        }
    }

    pub fn python_version(&self) -> Option<&'a str> {
        self.str("python_version")
    }

    /// Name of the method to call for predictions (default `predict`).
    pub fn predict_fn(&self) -> Option<&'a str> {
        self.str("predict_fn")
    }

    /// Model configuration passed to the loader (`config`).
    pub fn config(&self) -> Option<&'a YamlValue> {
        self.config.get("config")
    }

    pub fn streamable(&self) -> Option<bool> {
        self.config.get("streamable").and_then(YamlValue::as_bool)
    }

    /// The whole block, including keys without an accessor.
    pub fn raw(&self) -> &'a YamlMap {
        self.config
    }
}

/// An `MLmodel` descriptor.
#[derive(Debug, Clone, PartialEq)]
pub struct MlModel {
    /// 3.x: artifact URI of the logged model; 2.x: run-relative path. Omitted for `save_model`.
    pub artifact_path: Option<String>,
    /// Flavor name → flavor configuration. Sorted by name, as PyYAML writes it.
    pub flavors: BTreeMap<String, YamlValue>,
    pub model_uuid: Option<String>,
    pub model_id: Option<String>,
    pub run_id: Option<String>,
    /// Naive UTC `YYYY-MM-DD HH:MM:SS[.ffffff]`, kept as text exactly as written.
    pub utc_time_created: Option<String>,
    pub mlflow_version: Option<String>,
    pub model_size_bytes: Option<u64>,
    pub signature: Option<ModelSignature>,
    pub is_signature_from_type_hint: Option<bool>,
    pub type_hint_from_example: Option<bool>,
    pub saved_input_example_info: Option<SavedInputExampleInfo>,
    pub metadata: Option<YamlMap>,
    pub prompts: Option<Vec<String>>,
    /// Every other top-level key (`resources`, `auth_policy`, `env_vars`, future keys...).
    pub extra: YamlMap,
    nulls: Nulls,
}

impl Default for MlModel {
    /// An empty descriptor that writes like a fresh MLflow `Model()`, minus generated
    /// values: `flavors: {}`, `model_id: null`, `prompts: null`.
    fn default() -> Self {
        Self {
            artifact_path: None,
            flavors: BTreeMap::new(),
            model_uuid: None,
            model_id: None,
            run_id: None,
            utc_time_created: None,
            mlflow_version: None,
            model_size_bytes: None,
            signature: None,
            is_signature_from_type_hint: None,
            type_hint_from_example: None,
            saved_input_example_info: None,
            metadata: None,
            prompts: None,
            extra: YamlMap::new(),
            nulls: ["model_id", "prompts"].into_iter().collect(),
        }
    }
}

impl MlModel {
    /// Parses MLmodel YAML. PyYAML's YAML 1.1 reading is applied to plain scalars
    /// (`yes` is a boolean, `012` is octal), so values mean what they mean to MLflow.
    pub fn from_yaml_str(yaml: &str) -> Result<Self, MlModelError> {
        match YamlValue::from_yaml_str(yaml)? {
            YamlValue::Map(map) => Self::from_map(map),
            other => Err(MlModelError::Yaml(format!(
                "the document must be a mapping, found {}",
                other.kind()
            ))),
        }
    }

    fn from_map(map: YamlMap) -> Result<Self, MlModelError> {
        let mut r = Reader::new(map, "");
        let flavors = match r.take("flavors") {
            None => BTreeMap::new(),
            Some(YamlValue::Map(m)) => m
                .into_iter()
                .map(|(name, config)| match name {
                    YamlValue::String(name) => Ok((name, config)),
                    other => Err(MlModelError::field(
                        "flavors",
                        "string flavor names",
                        &other,
                    )),
                })
                .collect::<Result<_, _>>()?,
            Some(v) => return Err(MlModelError::field("flavors", "a mapping", &v)),
        };
        let model = Self {
            artifact_path: r.string("artifact_path")?,
            flavors,
            model_uuid: r.string("model_uuid")?,
            model_id: r.string("model_id")?,
            run_id: r.string("run_id")?,
            utc_time_created: r.string("utc_time_created")?,
            mlflow_version: r.string("mlflow_version")?,
            model_size_bytes: r.u64("model_size_bytes")?,
            signature: r
                .map("signature")?
                .map(ModelSignature::from_map)
                .transpose()?,
            is_signature_from_type_hint: r.bool("is_signature_from_type_hint")?,
            type_hint_from_example: r.bool("type_hint_from_example")?,
            saved_input_example_info: r
                .map("saved_input_example_info")?
                .map(SavedInputExampleInfo::from_map)
                .transpose()?,
            metadata: r.map("metadata")?,
            prompts: r.string_list("prompts")?,
            extra: YamlMap::new(),
            nulls: Nulls::new(),
        };
        let (extra, nulls) = r.finish();
        Ok(Self {
            extra,
            nulls,
            ..model
        })
    }

    /// The document as a YAML tree, top-level keys sorted like MLflow's `yaml.safe_dump`.
    pub fn to_yaml_value(&self) -> YamlValue {
        let mut w = Writer::new(&self.nulls);
        w.opt("artifact_path", self.artifact_path.clone());
        let flavors: YamlMap = self
            .flavors
            .iter()
            .map(|(k, v)| (YamlValue::from(k.as_str()), v.clone()))
            .collect();
        w.opt("flavors", Some(flavors));
        w.opt("model_uuid", self.model_uuid.clone());
        w.opt("model_id", self.model_id.clone());
        w.opt("run_id", self.run_id.clone());
        w.opt("utc_time_created", self.utc_time_created.clone());
        w.opt("mlflow_version", self.mlflow_version.clone());
        w.opt("model_size_bytes", self.model_size_bytes);
        w.opt(
            "signature",
            self.signature.as_ref().map(ModelSignature::to_map),
        );
        w.opt(
            "is_signature_from_type_hint",
            self.is_signature_from_type_hint,
        );
        w.opt("type_hint_from_example", self.type_hint_from_example);
        w.opt(
            "saved_input_example_info",
            self.saved_input_example_info
                .as_ref()
                .map(SavedInputExampleInfo::to_map),
        );
        w.opt("metadata", self.metadata.clone());
        w.opt(
            "prompts",
            self.prompts
                .as_ref()
                .map(|p| YamlValue::Seq(p.iter().map(|s| YamlValue::from(s.as_str())).collect())),
        );
        let mut map = w.finish(&self.extra);
        map.sort_string_keys();
        YamlValue::Map(map)
    }

    /// Writes block-style YAML that `yaml.safe_load` reads back to the same data.
    pub fn to_yaml_string(&self) -> Result<String, MlModelError> {
        let mut options = serde_saphyr::SerializerOptions::default();
        // Block scalars (`|`, `>`) are valid YAML, but quoted scalars are what PyYAML
        // itself writes and leave no room for indentation or folding surprises.
        options.prefer_block_scalars = false;
        serde_saphyr::to_string_with_options(&self.to_yaml_value(), options)
            .map_err(|e| MlModelError::Yaml(e.to_string()))
    }

    /// Loads `<dir>/MLmodel`; `path` may also name the MLmodel file itself, like MLflow's
    /// `Model.load`.
    pub fn load(path: impl AsRef<Path>) -> Result<Self, MlModelError> {
        let path = path.as_ref();
        let file = if path.is_dir() {
            path.join(MLMODEL_FILE_NAME)
        } else {
            path.to_path_buf()
        };
        let text = std::fs::read_to_string(&file).map_err(|source| {
            if source.kind() == std::io::ErrorKind::NotFound {
                MlModelError::NotFound { path: file.clone() }
            } else {
                MlModelError::Io {
                    path: file.clone(),
                    source,
                }
            }
        })?;
        Self::from_yaml_str(&text)
    }

    /// Writes `<dir>/MLmodel`, creating `dir` if needed.
    pub fn save(&self, dir: impl AsRef<Path>) -> Result<(), MlModelError> {
        let dir = dir.as_ref();
        let io = |path: &Path| {
            let path = path.to_path_buf();
            move |source| MlModelError::Io { path, source }
        };
        std::fs::create_dir_all(dir).map_err(io(dir))?;
        let file = dir.join(MLMODEL_FILE_NAME);
        let text = self.to_yaml_string()?;
        std::fs::write(&file, text).map_err(io(&file))
    }

    pub fn flavor(&self, name: &str) -> Option<&YamlValue> {
        self.flavors.get(name)
    }

    /// Adds or replaces a flavor block, like MLflow's `Model.add_flavor`.
    pub fn add_flavor(&mut self, name: impl Into<String>, config: YamlMap) -> &mut Self {
        self.flavors.insert(name.into(), YamlValue::Map(config));
        self
    }

    /// The `python_function` flavor, if present and a mapping. Without it the model
    /// cannot be served by `mlflow models serve`.
    pub fn python_function(&self) -> Option<PyFuncFlavor<'_>> {
        self.flavors
            .get(PYFUNC_FLAVOR)
            .and_then(YamlValue::as_map)
            .map(|config| PyFuncFlavor { config })
    }

    /// Marks a known top-level key to be written as `null` while its field is `None`
    /// (MLflow writes `model_id: null` and `prompts: null` for fresh models), or stops that.
    pub fn set_write_null(&mut self, key: &str, write_null: bool) -> Result<(), MlModelError> {
        let known = KNOWN_KEYS
            .iter()
            .copied()
            .find(|k| *k == key)
            .ok_or_else(|| MlModelError::Field {
                field: key.to_owned(),
                expected: "a known MLmodel key",
                found: "an unknown key",
            })?;
        if write_null {
            self.nulls.insert(known);
        } else {
            self.nulls.remove(known);
        }
        Ok(())
    }
}

const KNOWN_KEYS: [&str; 13] = [
    "artifact_path",
    "model_uuid",
    "model_id",
    "run_id",
    "utc_time_created",
    "mlflow_version",
    "model_size_bytes",
    "signature",
    "is_signature_from_type_hint",
    "type_hint_from_example",
    "saved_input_example_info",
    "metadata",
    "prompts",
];
