//! Model packaging for ferroflow: the MLflow `MLmodel` descriptor and model signatures.
//!
//! The scoring server (`mlflow models serve` protocol) will build on this crate; for now it
//! reads and writes `MLmodel` files so that MLflow's Python client reads back exactly what
//! it wrote (checked against `yaml.safe_load`, see `tests/python/`).

mod error;
mod load;
mod mlmodel;
mod pyyaml;
pub mod schema;
mod value;

pub use error::MlModelError;
pub use mlmodel::{
    MLMODEL_FILE_NAME, MlModel, ModelSignature, PYFUNC_FLAVOR, PyFuncEnv, PyFuncFlavor,
    SavedInputExampleInfo,
};
pub use schema::{
    ColSpec, ColType, DataType, ParamSchema, ParamSpec, ParamType, Property, Schema, TensorSpec,
};
pub use value::{YamlMap, YamlValue};
