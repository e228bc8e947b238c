//! Requests and responses of the model registry endpoints (reference §4), with the wire twins of
//! `RegisteredModel` and `ModelVersion`. Versions are strings on the wire and integers inside.

use crate::ApiError;
use crate::de::{Bool, I64, OneOrMany};
use crate::decode::required;
use crate::entities::KeyValue;
use ferroflow_core::registry as core;
use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize};
use std::fmt;

/// A string field the client may also send as a JSON number (model versions).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Text(pub String);

impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Text;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string or a number")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Text, E> {
                Ok(Text(v.to_owned()))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Text, E> {
                Ok(Text(v.to_string()))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Text, E> {
                Ok(Text(v.to_string()))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Text, E> {
                Ok(Text(v.to_string()))
            }
        }
        d.deserialize_any(V)
    }
}

fn required_text<'a>(value: &'a Option<Text>, name: &str) -> Result<&'a str, ApiError> {
    let s = value.as_ref().map(|t| t.0.clone());
    required(&s, name)?;
    Ok(value.as_ref().map(|t| t.0.as_str()).unwrap_or_default())
}

macro_rules! request {
    ($(#[$m:meta])* $name:ident { $($field:ident : $ty:ty),* $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Default, Deserialize)]
        pub struct $name {
            $(#[serde(default)] pub $field: $ty,)*
        }
    };
}

/// Accessors shared by requests, with MLflow's "missing required parameter" message.
macro_rules! accessors {
    ($t:ty { $($field:ident),* }) => {
        impl $t {
            $(pub fn $field(&self) -> Result<&str, ApiError> {
                required(&self.$field, stringify!($field))
            })*
        }
    };
}

macro_rules! version_accessor {
    ($($t:ty),*) => {$(
        impl $t {
            pub fn version(&self) -> Result<&str, ApiError> {
                required_text(&self.version, "version")
            }
        }
    )*};
}

// ------------------------------------------------------------------------------- entities

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct RegisteredModelAlias {
    pub alias: String,
    pub version: String,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ModelVersion {
    pub name: String,
    pub version: String,
    pub creation_timestamp: i64,
    pub last_updated_timestamp: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    pub current_stage: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub source: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub run_id: Option<String>,
    pub status: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status_message: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<KeyValue>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub run_link: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
}

impl From<&core::ModelVersion> for ModelVersion {
    fn from(v: &core::ModelVersion) -> Self {
        Self {
            name: v.name.clone(),
            version: v.version.to_string(),
            creation_timestamp: v.creation_timestamp,
            last_updated_timestamp: v.last_updated_timestamp,
            user_id: v.user_id.clone(),
            current_stage: v.current_stage.as_str().to_owned(),
            description: v.description.clone(),
            source: v.source.clone(),
            run_id: v.run_id.clone(),
            status: v.status.as_str().to_owned(),
            status_message: v.status_message.clone(),
            tags: v.tags.iter().map(KeyValue::from).collect(),
            run_link: v.run_link.clone(),
            aliases: v.aliases.clone(),
        }
    }
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct RegisteredModel {
    pub name: String,
    pub creation_timestamp: i64,
    pub last_updated_timestamp: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub latest_versions: Vec<ModelVersion>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<KeyValue>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<RegisteredModelAlias>,
}

impl From<&core::RegisteredModel> for RegisteredModel {
    fn from(m: &core::RegisteredModel) -> Self {
        Self {
            name: m.name.clone(),
            creation_timestamp: m.creation_timestamp,
            last_updated_timestamp: m.last_updated_timestamp,
            user_id: m.user_id.clone(),
            description: m.description.clone(),
            latest_versions: m.latest_versions.iter().map(ModelVersion::from).collect(),
            tags: m.tags.iter().map(KeyValue::from).collect(),
            aliases: m
                .aliases
                .iter()
                .map(|a| RegisteredModelAlias {
                    alias: a.alias.clone(),
                    version: a.version.to_string(),
                })
                .collect(),
        }
    }
}

// ------------------------------------------------------------------------ registered models

request!(CreateRegisteredModel { name: Option<String>, tags: Vec<KeyValue>, description: Option<String> });
accessors!(CreateRegisteredModel { name });

request!(GetRegisteredModel { name: Option<String> });
accessors!(GetRegisteredModel { name });

request!(RenameRegisteredModel { name: Option<String>, new_name: Option<String> });
accessors!(RenameRegisteredModel { name });

request!(UpdateRegisteredModel { name: Option<String>, description: Option<String> });
accessors!(UpdateRegisteredModel { name });

request!(DeleteRegisteredModel { name: Option<String> });
accessors!(DeleteRegisteredModel { name });

request!(SearchRegisteredModels {
    filter: Option<String>,
    max_results: Option<I64>,
    order_by: OneOrMany<String>,
    page_token: Option<String>,
});

request!(GetLatestVersions { name: Option<String>, stages: OneOrMany<String> });
accessors!(GetLatestVersions { name });

request!(SetRegisteredModelTag { name: Option<String>, key: Option<String>, value: Option<String> });
accessors!(SetRegisteredModelTag { name, key });

request!(DeleteRegisteredModelTag { name: Option<String>, key: Option<String> });
accessors!(DeleteRegisteredModelTag { name, key });

request!(SetRegisteredModelAlias { name: Option<String>, alias: Option<String>, version: Option<Text> });
accessors!(SetRegisteredModelAlias { name, alias });

request!(DeleteRegisteredModelAlias { name: Option<String>, alias: Option<String> });
accessors!(DeleteRegisteredModelAlias { name, alias });

request!(GetModelVersionByAlias { name: Option<String>, alias: Option<String> });
accessors!(GetModelVersionByAlias { name, alias });

#[derive(Debug, Clone, Serialize)]
pub struct RegisteredModelResponse {
    pub registered_model: RegisteredModel,
}

#[derive(Debug, Clone, Serialize)]
pub struct SearchRegisteredModelsResponse {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub registered_models: Vec<RegisteredModel>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_page_token: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ModelVersionsResponse {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub model_versions: Vec<ModelVersion>,
}

// --------------------------------------------------------------------------- model versions

request!(CreateModelVersion {
    name: Option<String>,
    source: Option<String>,
    run_id: Option<String>,
    tags: Vec<KeyValue>,
    run_link: Option<String>,
    description: Option<String>,
    model_id: Option<String>,
});
accessors!(CreateModelVersion { name, source });

request!(GetModelVersion { name: Option<String>, version: Option<Text> });
accessors!(GetModelVersion { name });

request!(UpdateModelVersion { name: Option<String>, version: Option<Text>, description: Option<String> });
accessors!(UpdateModelVersion { name });

request!(DeleteModelVersion { name: Option<String>, version: Option<Text> });
accessors!(DeleteModelVersion { name });

request!(TransitionModelVersionStage {
    name: Option<String>,
    version: Option<Text>,
    stage: Option<String>,
    archive_existing_versions: Option<Bool>,
});
accessors!(TransitionModelVersionStage { name, stage });

request!(GetModelVersionDownloadUri { name: Option<String>, version: Option<Text> });
accessors!(GetModelVersionDownloadUri { name });

request!(SearchModelVersions {
    filter: Option<String>,
    max_results: Option<I64>,
    order_by: OneOrMany<String>,
    page_token: Option<String>,
});

request!(SetModelVersionTag { name: Option<String>, version: Option<Text>, key: Option<String>, value: Option<String> });
accessors!(SetModelVersionTag { name, key });

request!(DeleteModelVersionTag { name: Option<String>, version: Option<Text>, key: Option<String> });
accessors!(DeleteModelVersionTag { name, key });

version_accessor!(
    SetRegisteredModelAlias,
    GetModelVersion,
    UpdateModelVersion,
    DeleteModelVersion,
    TransitionModelVersionStage,
    GetModelVersionDownloadUri,
    SetModelVersionTag,
    DeleteModelVersionTag
);

#[derive(Debug, Clone, Serialize)]
pub struct ModelVersionResponse {
    pub model_version: ModelVersion,
}

#[derive(Debug, Clone, Serialize)]
pub struct SearchModelVersionsResponse {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub model_versions: Vec<ModelVersion>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_page_token: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct DownloadUriResponse {
    pub artifact_uri: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::{from_json_body, from_query};

    #[test]
    fn version_accepts_string_or_number() {
        let r: GetModelVersion = from_query("name=m&version=3").unwrap();
        assert_eq!(r.version().unwrap(), "3");
        let r: GetModelVersion = from_json_body(br#"{"name":"m","version":4}"#).unwrap();
        assert_eq!(r.version().unwrap(), "4");
        let r: GetModelVersion = from_json_body(br#"{"name":"m"}"#).unwrap();
        assert_eq!(
            r.version().unwrap_err().code.as_str(),
            "INVALID_PARAMETER_VALUE"
        );
    }

    #[test]
    fn model_version_wire_shape() {
        let v = core::ModelVersion {
            name: "m".into(),
            version: 2,
            current_stage: core::Stage::Production,
            source: "s".into(),
            aliases: vec!["champion".into()],
            ..Default::default()
        };
        let j = serde_json::to_value(ModelVersion::from(&v)).unwrap();
        assert_eq!(j["version"], "2");
        assert_eq!(j["current_stage"], "Production");
        assert_eq!(j["status"], "READY");
        assert_eq!(j["aliases"][0], "champion");
        assert!(j.get("description").is_none());
    }

    #[test]
    fn transition_reads_python_booleans_from_json() {
        let r: TransitionModelVersionStage = from_json_body(
            br#"{"name":"m","version":"1","stage":"production","archive_existing_versions":true}"#,
        )
        .unwrap();
        assert_eq!(r.archive_existing_versions, Some(Bool(true)));
        assert_eq!(r.stage().unwrap(), "production");
    }
}
