//! MLflow 3 logged models as use cases: ids, names and artifact locations are decided here,
//! searches are parsed and bounded here, storage only persists.

use crate::rules::{self, append_to_uri_path, parse_experiment_id};
use crate::{map_experiment_store, map_store, now_ms};
use ferroflow_core::registry::{
    LoggedModel, LoggedModelStatus, SEARCH_LOGGED_MODEL_MAX_RESULTS_DEFAULT,
    validate_logged_model_name,
};
use ferroflow_core::search::{LoggedModelAttribute, parse_logged_model_filter};
use ferroflow_core::{Error, LifecycleStage, Page, Param, Result, Tag};
use ferroflow_store::{
    LoggedModelDataset, LoggedModelOrder, LoggedModelOrderKey, LoggedModelQuery, LoggedModelStore,
    NewLoggedModel, TrackingStore,
};
use std::sync::Arc;

/// Input of [`LoggedModelService::create_logged_model`], as the client may send it.
#[derive(Debug, Clone, Default)]
pub struct CreateLoggedModel {
    pub experiment_id: String,
    /// Absent or empty: a random name is generated, as MLflow does.
    pub name: Option<String>,
    pub model_type: Option<String>,
    pub source_run_id: Option<String>,
    pub params: Vec<Param>,
    pub tags: Vec<Tag>,
}

/// One structured order-by element of SearchLoggedModels.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoggedModelOrderBy {
    /// An attribute (`name`, `creation_time`, …) or `metrics.<key>`.
    pub field_name: String,
    pub ascending: bool,
    pub dataset_name: Option<String>,
    pub dataset_digest: Option<String>,
}

/// Input of [`LoggedModelService::search_logged_models`]; the offset comes from the page token,
/// which the transport checks against the rest of the request.
#[derive(Debug, Clone, Default)]
pub struct SearchLoggedModels {
    pub experiment_ids: Vec<String>,
    pub filter: Option<String>,
    /// `(dataset_name, dataset_digest)`; a missing name is refused.
    pub datasets: Vec<(Option<String>, Option<String>)>,
    pub order_by: Vec<LoggedModelOrderBy>,
    /// Absent or 0: MLflow's default of 50.
    pub max_results: Option<i64>,
    pub offset: u64,
}

/// The logged-model use cases. Cheap to share behind an `Arc`.
pub struct LoggedModelService {
    store: Arc<dyn LoggedModelStore>,
    tracking: Arc<dyn TrackingStore>,
}

/// The attribute an order-by field names, with the official store's aliases. Only real columns
/// of the model are accepted.
fn order_attribute(field: &str) -> Option<LoggedModelAttribute> {
    use LoggedModelAttribute as A;
    Some(match field {
        "model_id" => A::ModelId,
        "experiment_id" => A::ExperimentId,
        "name" => A::Name,
        "artifact_location" => A::ArtifactLocation,
        "creation_timestamp_ms" | "creation_timestamp" | "creation_time" => A::CreationTimestamp,
        "last_updated_timestamp_ms" | "last_updated_timestamp" => A::LastUpdatedTimestamp,
        "status" => A::Status,
        "lifecycle_stage" => A::LifecycleStage,
        "model_type" => A::ModelType,
        "source_run_id" => A::SourceRunId,
        "status_message" => A::StatusMessage,
        _ => return None,
    })
}

fn parse_order_by(ob: &LoggedModelOrderBy) -> Result<LoggedModelOrder> {
    let field = ob.field_name.as_str();
    let key = match field.split_once('.') {
        None => LoggedModelOrderKey::Attribute(
            order_attribute(field)
                .ok_or_else(|| Error::invalid(format!("Invalid order by field name: {field}")))?,
        ),
        Some(("metrics", key)) => LoggedModelOrderKey::Metric {
            key: key.to_owned(),
            dataset_name: ob.dataset_name.clone().filter(|s| !s.is_empty()),
            dataset_digest: ob.dataset_digest.clone().filter(|s| !s.is_empty()),
        },
        Some(_) => {
            return Err(Error::invalid(format!(
                "Invalid order by field name: {field}. Only metrics are supported."
            )));
        }
    };
    Ok(LoggedModelOrder {
        key,
        ascending: ob.ascending,
    })
}

/// Where a logged model's artifacts live inside the server's artifact proxy root, when its
/// artifact URI is a proxied `mlflow-artifacts:` URI: the part after `mlflow-artifacts:/`
/// (an optional `//host` authority is skipped), joined with `sub`. `None` for any other scheme.
pub fn proxied_artifact_path(artifact_uri: &str, sub: Option<&str>) -> Option<String> {
    let rest = artifact_uri.strip_prefix("mlflow-artifacts:")?;
    let rest = match rest.strip_prefix("//") {
        Some(after_host) => after_host.find('/').map_or("", |i| &after_host[i..]),
        None => rest,
    };
    let base = rest.trim_matches('/');
    let sub = sub.map(|s| s.trim_matches('/')).filter(|s| !s.is_empty());
    Some(match sub {
        Some(sub) if base.is_empty() => sub.to_owned(),
        Some(sub) => format!("{base}/{sub}"),
        None => base.to_owned(),
    })
}

impl LoggedModelService {
    pub fn new(store: Arc<dyn LoggedModelStore>, tracking: Arc<dyn TrackingStore>) -> Self {
        Self { store, tracking }
    }

    /// MLflow's id (`m-` + 32 hex), a random name when none is given, status `PENDING`, and
    /// artifacts under `<experiment artifact_location>/models/<model_id>/artifacts`.
    pub async fn create_logged_model(&self, req: CreateLoggedModel) -> Result<LoggedModel> {
        let name = req.name.filter(|n| !n.is_empty());
        validate_logged_model_name(name.as_deref())?;
        let experiment_id = parse_experiment_id(&req.experiment_id)?;
        let exp = self
            .tracking
            .get_experiment(experiment_id)
            .await
            .map_err(map_experiment_store(experiment_id))?;
        if exp.lifecycle_stage != LifecycleStage::Active {
            return Err(Error::invalid(format!(
                "The experiment {experiment_id} must be in the 'active' state. Current state is {}.",
                exp.lifecycle_stage.as_str()
            )));
        }
        let model_id = format!("m-{}", uuid::Uuid::new_v4().simple());
        let artifact_uri =
            append_to_uri_path(&exp.artifact_location, &["models", &model_id, "artifacts"]);
        let new = NewLoggedModel {
            model_id,
            experiment_id,
            name: name.unwrap_or_else(rules::generate_run_name),
            artifact_uri,
            creation_timestamp_ms: now_ms(),
            model_type: req.model_type.filter(|s| !s.is_empty()),
            source_run_id: req.source_run_id.filter(|s| !s.is_empty()),
            tags: req.tags,
            params: req.params,
        };
        self.store
            .create_logged_model(new)
            .await
            .map_err(map_experiment_store(experiment_id))
    }

    pub async fn get_logged_model(
        &self,
        model_id: &str,
        allow_deleted: bool,
    ) -> Result<LoggedModel> {
        self.store
            .get_logged_model(model_id, allow_deleted)
            .await
            .map_err(map_store)
    }

    /// Only the two end states are accepted: a model goes from `PENDING` to `READY` or
    /// `UPLOAD_FAILED`.
    pub async fn finalize_logged_model(
        &self,
        model_id: &str,
        status: LoggedModelStatus,
    ) -> Result<LoggedModel> {
        if !status.is_finalized() {
            return Err(Error::invalid(format!(
                "Invalid value {status} for parameter 'status' supplied. A logged model can only \
                 be finalized as {} or {}.",
                LoggedModelStatus::Ready,
                LoggedModelStatus::UploadFailed
            )));
        }
        self.store
            .finalize_logged_model(model_id, status, now_ms())
            .await
            .map_err(map_store)
    }

    pub async fn set_logged_model_tags(&self, model_id: &str, tags: Vec<Tag>) -> Result<()> {
        self.store
            .set_logged_model_tags(model_id, tags)
            .await
            .map_err(map_store)
    }

    pub async fn delete_logged_model_tag(&self, model_id: &str, key: &str) -> Result<()> {
        self.store
            .delete_logged_model_tag(model_id, key)
            .await
            .map_err(map_store)
    }

    pub async fn log_logged_model_params(&self, model_id: &str, params: Vec<Param>) -> Result<()> {
        rules::validate_param_keys_unique(params.iter().map(|p| p.key.as_str()))?;
        self.store
            .log_logged_model_params(model_id, params)
            .await
            .map_err(map_store)
    }

    pub async fn delete_logged_model(&self, model_id: &str) -> Result<()> {
        self.store
            .delete_logged_model(model_id, now_ms())
            .await
            .map_err(map_store)
    }

    /// Active models only. Default order (after the explicit keys): newest first, then id.
    pub async fn search_logged_models(&self, req: SearchLoggedModels) -> Result<Page<LoggedModel>> {
        if req.experiment_ids.is_empty() {
            return Err(Error::invalid(
                "Missing value for required parameter 'experiment_ids'. See the API docs for \
                 more information about request parameters.",
            ));
        }
        let experiment_ids = req
            .experiment_ids
            .iter()
            .map(|s| parse_experiment_id(s))
            .collect::<Result<Vec<_>>>()?;
        let datasets = req
            .datasets
            .into_iter()
            .map(|(name, digest)| match name.filter(|n| !n.is_empty()) {
                Some(dataset_name) => Ok(LoggedModelDataset {
                    dataset_name,
                    dataset_digest: digest.filter(|d| !d.is_empty()),
                }),
                None => Err(Error::invalid(
                    "`dataset_name` in the `datasets` clause must be specified.",
                )),
            })
            .collect::<Result<Vec<_>>>()?;
        let filter = match req.filter.as_deref() {
            Some(f) if !f.trim().is_empty() => {
                crate::rules::parse_filter(f, parse_logged_model_filter).await?
            }
            _ => Vec::new(),
        };
        ferroflow_core::search::limits::check_order_by_terms(req.order_by.len())?;
        let order_by = req
            .order_by
            .iter()
            .map(parse_order_by)
            .collect::<Result<Vec<_>>>()?;
        let max_results = match req.max_results {
            None | Some(0) => SEARCH_LOGGED_MODEL_MAX_RESULTS_DEFAULT,
            Some(n) if n < 0 => {
                return Err(Error::invalid(format!(
                    "Invalid value {n} for parameter 'max_results' supplied. It must be a \
                     positive integer"
                )));
            }
            Some(n) => n,
        };
        let query = LoggedModelQuery {
            experiment_ids,
            filter,
            datasets,
            order_by,
            max_results: max_results as u64,
            offset: req.offset,
        };
        self.store
            .search_logged_models(query)
            .await
            .map_err(map_store)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proxied_paths() {
        let uri = "mlflow-artifacts:/1/models/m-abc/artifacts";
        assert_eq!(
            proxied_artifact_path(uri, None).as_deref(),
            Some("1/models/m-abc/artifacts")
        );
        assert_eq!(
            proxied_artifact_path(uri, Some("sub/dir/")).as_deref(),
            Some("1/models/m-abc/artifacts/sub/dir")
        );
        assert_eq!(
            proxied_artifact_path("mlflow-artifacts://host:5000/2/x", None).as_deref(),
            Some("2/x")
        );
        assert_eq!(proxied_artifact_path("file:///tmp/x", None), None);
    }

    #[test]
    fn order_by_fields() {
        let ob = |f: &str| LoggedModelOrderBy {
            field_name: f.into(),
            ascending: false,
            dataset_name: Some(String::new()),
            dataset_digest: None,
        };
        assert_eq!(
            parse_order_by(&ob("creation_time")).unwrap().key,
            LoggedModelOrderKey::Attribute(LoggedModelAttribute::CreationTimestamp)
        );
        assert_eq!(
            parse_order_by(&ob("metrics.acc")).unwrap().key,
            LoggedModelOrderKey::Metric {
                key: "acc".into(),
                dataset_name: None,
                dataset_digest: None
            }
        );
        assert_eq!(
            parse_order_by(&ob("nope")).unwrap_err().message,
            "Invalid order by field name: nope"
        );
        assert_eq!(
            parse_order_by(&ob("params.a")).unwrap_err().message,
            "Invalid order by field name: params.a. Only metrics are supported."
        );
    }
}
