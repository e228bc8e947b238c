//! Wire types of the MLflow 3 logged-model endpoints (reference §3.5) and their page token.

use crate::ApiError;
use crate::de::{Bool, I64, OneOrMany, wire_enum};
use crate::decode::required;
use crate::entities::{KeyValue, Metric, tags_into_core};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use ferroflow_core as core;
use ferroflow_core::registry::LoggedModelStatus as CoreStatus;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

wire_enum!(
    /// MLflow's `LoggedModelStatus`.
    LoggedModelStatus {
        Unspecified = 0 => "LOGGED_MODEL_STATUS_UNSPECIFIED",
        Pending = 1 => "LOGGED_MODEL_PENDING",
        Ready = 2 => "LOGGED_MODEL_READY",
        UploadFailed = 3 => "LOGGED_MODEL_UPLOAD_FAILED",
    }
);

impl From<LoggedModelStatus> for CoreStatus {
    fn from(s: LoggedModelStatus) -> Self {
        match s {
            LoggedModelStatus::Unspecified => Self::Unspecified,
            LoggedModelStatus::Pending => Self::Pending,
            LoggedModelStatus::Ready => Self::Ready,
            LoggedModelStatus::UploadFailed => Self::UploadFailed,
        }
    }
}

impl From<CoreStatus> for LoggedModelStatus {
    fn from(s: CoreStatus) -> Self {
        match s {
            CoreStatus::Unspecified => Self::Unspecified,
            CoreStatus::Pending => Self::Pending,
            CoreStatus::Ready => Self::Ready,
            CoreStatus::UploadFailed => Self::UploadFailed,
        }
    }
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct LoggedModelInfo {
    pub model_id: String,
    pub experiment_id: String,
    pub name: String,
    pub creation_timestamp_ms: i64,
    pub last_updated_timestamp_ms: i64,
    pub artifact_uri: String,
    pub status: LoggedModelStatus,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub creator_id: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub model_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_run_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status_message: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<KeyValue>,
}

#[derive(Debug, Clone, Serialize, PartialEq, Default)]
pub struct LoggedModelData {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub params: Vec<KeyValue>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub metrics: Vec<Metric>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct LoggedModel {
    pub info: LoggedModelInfo,
    pub data: LoggedModelData,
}

impl From<&core::registry::LoggedModel> for LoggedModel {
    fn from(m: &core::registry::LoggedModel) -> Self {
        Self {
            info: LoggedModelInfo {
                model_id: m.model_id.clone(),
                experiment_id: m.experiment_id.to_string(),
                name: m.name.clone(),
                creation_timestamp_ms: m.creation_timestamp_ms,
                last_updated_timestamp_ms: m.last_updated_timestamp_ms,
                artifact_uri: m.artifact_uri.clone(),
                status: m.status.into(),
                creator_id: m.creator_id,
                model_type: m.model_type.clone(),
                source_run_id: m.source_run_id.clone(),
                status_message: m.status_message.clone(),
                tags: m.tags.iter().map(KeyValue::from).collect(),
            },
            data: LoggedModelData {
                params: m.params.iter().map(KeyValue::from).collect(),
                metrics: m
                    .metrics
                    .iter()
                    .map(|x| Metric::from_core(x, None))
                    .collect(),
            },
        }
    }
}

/// The `{"model": …}` answer of create, get and finalize.
#[derive(Debug, Clone, Serialize)]
pub struct LoggedModelResponse {
    pub model: LoggedModel,
}

impl From<&core::registry::LoggedModel> for LoggedModelResponse {
    fn from(m: &core::registry::LoggedModel) -> Self {
        Self {
            model: LoggedModel::from(m),
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct CreateLoggedModel {
    #[serde(default)]
    pub experiment_id: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub model_type: Option<String>,
    #[serde(default)]
    pub source_run_id: Option<String>,
    #[serde(default)]
    pub params: Vec<KeyValue>,
    #[serde(default)]
    pub tags: Vec<KeyValue>,
}

impl CreateLoggedModel {
    pub fn experiment_id(&self) -> Result<&str, ApiError> {
        required(&self.experiment_id, "experiment_id")
    }
    pub fn params(&self) -> Result<Vec<core::Param>, ApiError> {
        tags_into_core(self.params.clone(), "params")
    }
    pub fn tags(&self) -> Result<Vec<core::Tag>, ApiError> {
        tags_into_core(self.tags.clone(), "tags")
    }
}

/// GetLoggedModel's query string.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct GetLoggedModel {
    #[serde(default)]
    pub allow_deleted: Option<Bool>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct FinalizeLoggedModel {
    #[serde(default)]
    pub model_id: Option<String>,
    #[serde(default)]
    pub status: Option<LoggedModelStatus>,
}

impl FinalizeLoggedModel {
    /// The body must name the model too (MLflow's schema requires `model_id` and acts on the
    /// body's id). Deliberately stricter: a body naming another model than the URL is refused
    /// rather than finalizing that other model, so the URL is always the resource acted on.
    pub fn model_id<'a>(&'a self, path_id: &str) -> Result<&'a str, ApiError> {
        let id = crate::decode::required(&self.model_id, "model_id")?;
        if id != path_id {
            return Err(ApiError::invalid(format!(
                "The model_id '{id}' in the request body does not match the model_id \
                 '{path_id}' in the URL."
            )));
        }
        Ok(id)
    }

    pub fn status(&self) -> Result<CoreStatus, ApiError> {
        self.status
            .map(Into::into)
            .ok_or_else(|| crate::decode::missing("status"))
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct SetLoggedModelTags {
    #[serde(default)]
    pub model_id: Option<String>,
    #[serde(default)]
    pub tags: Vec<KeyValue>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct LogLoggedModelParams {
    #[serde(default)]
    pub model_id: Option<String>,
    #[serde(default)]
    pub params: Vec<KeyValue>,
}

/// DeleteLoggedModel and DeleteLoggedModelTag: the path names the target; a body is optional.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct DeleteLoggedModel {
    #[serde(default)]
    pub model_id: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
pub struct DatasetFilter {
    #[serde(default)]
    pub dataset_name: Option<String>,
    #[serde(default)]
    pub dataset_digest: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct OrderBy {
    #[serde(default)]
    pub field_name: Option<String>,
    /// Proto default: true.
    #[serde(default)]
    pub ascending: Option<Bool>,
    #[serde(default)]
    pub dataset_name: Option<String>,
    #[serde(default)]
    pub dataset_digest: Option<String>,
}

impl OrderBy {
    /// The element in the shape the official server keeps it (and puts in page tokens).
    pub fn normalized(&self, index: usize) -> Result<NormalizedOrderBy, ApiError> {
        let field_name = required(&self.field_name, &format!("order_by[{index}].field_name"))?;
        Ok(NormalizedOrderBy {
            field_name: field_name.to_owned(),
            ascending: self.ascending.is_none_or(|b| b.0),
            dataset_name: self.dataset_name.clone().filter(|s| !s.is_empty()),
            dataset_digest: self.dataset_digest.clone().filter(|s| !s.is_empty()),
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NormalizedOrderBy {
    pub field_name: String,
    pub ascending: bool,
    pub dataset_name: Option<String>,
    pub dataset_digest: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct SearchLoggedModels {
    #[serde(default)]
    pub experiment_ids: OneOrMany<String>,
    #[serde(default)]
    pub filter: Option<String>,
    #[serde(default)]
    pub datasets: Vec<DatasetFilter>,
    #[serde(default)]
    pub max_results: Option<I64>,
    #[serde(default)]
    pub order_by: Vec<OrderBy>,
    #[serde(default)]
    pub page_token: Option<String>,
}

impl SearchLoggedModels {
    /// The filter as the official server sees it: empty means none.
    pub fn filter(&self) -> Option<&str> {
        self.filter.as_deref().filter(|f| !f.is_empty())
    }
    pub fn order_by(&self) -> Result<Vec<NormalizedOrderBy>, ApiError> {
        self.order_by
            .iter()
            .enumerate()
            .map(|(i, o)| o.normalized(i))
            .collect()
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct SearchLoggedModelsResponse {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub models: Vec<LoggedModel>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_page_token: Option<String>,
}

/// ListLoggedModelArtifacts' query string.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ListLoggedModelArtifacts {
    #[serde(default)]
    pub artifact_directory_path: Option<String>,
    #[serde(default)]
    pub page_token: Option<String>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct FileInfo {
    pub path: String,
    pub is_dir: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file_size: Option<u64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ListLoggedModelArtifactsResponse {
    pub root_uri: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub files: Vec<FileInfo>,
}

// ------------------------------------------------------------------------------- page token

/// The official server's SearchLoggedModels token: base64 of
/// `{"experiment_ids", "filter_string", "order_by", "offset"}`. A token is only valid for the
/// query that produced it, so a client cannot splice pages of different searches.
pub fn encode_page_token(
    experiment_ids: &[String],
    filter: Option<&str>,
    order_by: &[NormalizedOrderBy],
    offset: u64,
) -> String {
    let v = json!({
        "experiment_ids": experiment_ids,
        "filter_string": filter,
        "order_by": if order_by.is_empty() { Value::Null } else { json!(order_by) },
        "offset": offset,
    });
    STANDARD.encode(v.to_string())
}

fn py_list(items: &[String]) -> String {
    let inner: Vec<String> = items.iter().map(|s| format!("'{s}'")).collect();
    format!("[{}]", inner.join(", "))
}

/// The offset a token points at, after checking it was issued for this very query.
pub fn decode_page_token(
    token: Option<&str>,
    experiment_ids: &[String],
    filter: Option<&str>,
    order_by: &[NormalizedOrderBy],
) -> Result<u64, ApiError> {
    let Some(token) = token.filter(|t| !t.is_empty()) else {
        return Ok(0);
    };
    let bad = || ApiError::invalid(format!("Invalid page token: {token}."));
    let bytes = STANDARD.decode(token).map_err(|_| bad())?;
    let v: Value = serde_json::from_slice(&bytes).map_err(|_| bad())?;
    let token_ids: Vec<String> = v
        .get("experiment_ids")
        .and_then(|x| serde_json::from_value(x.clone()).ok())
        .unwrap_or_default();
    if token_ids != experiment_ids {
        return Err(ApiError::invalid(format!(
            "Experiment IDs in the page token do not match the requested experiment IDs. \
             Expected: {}. Found: {}",
            py_list(experiment_ids),
            py_list(&token_ids)
        )));
    }
    let token_filter = v
        .get("filter_string")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty());
    if token_filter != filter {
        return Err(ApiError::invalid(format!(
            "Filter string in the page token does not match the requested filter string. \
             Expected: {}. Found: {}",
            filter.unwrap_or("None"),
            token_filter.unwrap_or("None")
        )));
    }
    let token_order: Vec<NormalizedOrderBy> = match v.get("order_by") {
        None | Some(Value::Null) => Vec::new(),
        Some(x) => serde_json::from_value(x.clone()).map_err(|_| bad())?,
    };
    if token_order != order_by {
        return Err(ApiError::invalid(
            "Order by in the page token does not match the requested order by.",
        ));
    }
    match v.get("offset") {
        None | Some(Value::Null) => Ok(0),
        Some(x) => x.as_u64().ok_or_else(bad),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_round_trip_and_must_match_the_query() {
        let ids = vec!["1".to_string()];
        let ob = vec![NormalizedOrderBy {
            field_name: "metrics.acc".into(),
            ascending: false,
            dataset_name: None,
            dataset_digest: None,
        }];
        let t = encode_page_token(&ids, Some("name = 'a'"), &ob, 50);
        assert_eq!(
            decode_page_token(Some(&t), &ids, Some("name = 'a'"), &ob).unwrap(),
            50
        );
        let e = decode_page_token(Some(&t), &["2".into()], Some("name = 'a'"), &ob).unwrap_err();
        assert_eq!(
            e.message,
            "Experiment IDs in the page token do not match the requested experiment IDs. \
             Expected: ['2']. Found: ['1']"
        );
        assert!(decode_page_token(Some(&t), &ids, None, &ob).is_err());
        assert!(decode_page_token(Some(&t), &ids, Some("name = 'a'"), &[]).is_err());
        assert_eq!(
            decode_page_token(Some("!!"), &ids, None, &[])
                .unwrap_err()
                .http_status(),
            400
        );
        assert_eq!(decode_page_token(None, &ids, None, &[]).unwrap(), 0);
        // A token written by the official server (Python json.dumps spacing) is accepted.
        let py = STANDARD.encode(
            r#"{"experiment_ids": ["1"], "filter_string": null, "order_by": null, "offset": 3}"#,
        );
        assert_eq!(decode_page_token(Some(&py), &ids, None, &[]).unwrap(), 3);
    }

    #[test]
    fn status_by_name_or_number() {
        let f: FinalizeLoggedModel =
            serde_json::from_str(r#"{"model_id":"m","status":"LOGGED_MODEL_READY"}"#).unwrap();
        assert_eq!(f.status().unwrap(), CoreStatus::Ready);
        let f: FinalizeLoggedModel = serde_json::from_str(r#"{"status":3}"#).unwrap();
        assert_eq!(f.status().unwrap(), CoreStatus::UploadFailed);
        let f: FinalizeLoggedModel = serde_json::from_str("{}").unwrap();
        assert!(f.status().is_err());
        assert_eq!(
            f.model_id("m").unwrap_err().message,
            "Missing value for required parameter 'model_id'. See the API docs for more \
             information about request parameters."
        );
        let f: FinalizeLoggedModel = serde_json::from_str(r#"{"model_id":"m"}"#).unwrap();
        assert_eq!(f.model_id("m").unwrap(), "m");
        assert!(f.model_id("other").is_err());
    }

    #[test]
    fn model_json_shape() {
        let mut m = core::registry::LoggedModel {
            model_id: "m-1".into(),
            experiment_id: 1,
            name: "model".into(),
            artifact_uri: "mlflow-artifacts:/1/models/m-1/artifacts".into(),
            ..Default::default()
        };
        let mut metric = core::Metric::new("rmse", f64::NAN, 5, 0);
        metric.model_id = Some("m-1".into());
        m.metrics.push(metric);
        m.tags.push(core::Tag::new("k", "v"));
        let v = serde_json::to_value(LoggedModelResponse::from(&m)).unwrap();
        assert_eq!(v["model"]["info"]["status"], "LOGGED_MODEL_PENDING");
        assert_eq!(v["model"]["info"]["experiment_id"], "1");
        assert_eq!(v["model"]["info"]["tags"][0]["key"], "k");
        assert_eq!(v["model"]["data"]["metrics"][0]["value"], "NaN");
        assert_eq!(v["model"]["data"]["metrics"][0]["model_id"], "m-1");
        assert!(v["model"]["data"].get("params").is_none());
        assert!(v["model"]["info"].get("model_type").is_none());
    }
}
