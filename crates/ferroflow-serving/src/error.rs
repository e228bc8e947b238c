//! Errors of this crate. They describe *which* key of a model file is wrong so a user can
//! fix the file; the serving layer maps them onto MLflow's error codes.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum MlModelError {
    /// The text is not YAML, or not a YAML mapping at the top level.
    #[error("invalid MLmodel YAML: {0}")]
    Yaml(String),
    /// A known key holds a value of the wrong type (e.g. `flavors: [a]`).
    #[error("invalid MLmodel field `{field}`: expected {expected}, found {found}")]
    Field {
        field: String,
        expected: &'static str,
        found: &'static str,
    },
    /// A signature or schema JSON string does not follow MLflow's schema format.
    #[error("invalid model schema: {0}")]
    Schema(String),
    #[error("could not find an \"MLmodel\" configuration file at \"{}\"", path.display())]
    NotFound { path: PathBuf },
    #[error("I/O error on \"{}\": {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

impl MlModelError {
    pub(crate) fn field(
        field: impl Into<String>,
        expected: &'static str,
        found: &crate::YamlValue,
    ) -> Self {
        Self::Field {
            field: field.into(),
            expected,
            found: found.kind(),
        }
    }
}
