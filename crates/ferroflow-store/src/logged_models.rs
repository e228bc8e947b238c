//! Storage of MLflow 3 logged models: the model row, its tags and params, and the metrics that
//! runs log against it.

use crate::StoreResult;
use async_trait::async_trait;
use ferroflow_core::registry::{LoggedModel, LoggedModelStatus};
use ferroflow_core::search::{LoggedModelAttribute, LoggedModelFilter};
use ferroflow_core::{ExperimentId, Page, Param, Tag};

/// Input of [`LoggedModelStore::create_logged_model`]. The service has already chosen the id,
/// the name and the artifact URI (they depend on rules and on the experiment, not on storage).
#[derive(Debug, Clone)]
pub struct NewLoggedModel {
    pub model_id: String,
    pub experiment_id: ExperimentId,
    pub name: String,
    pub artifact_uri: String,
    pub creation_timestamp_ms: i64,
    pub model_type: Option<String>,
    pub source_run_id: Option<String>,
    pub tags: Vec<Tag>,
    pub params: Vec<Param>,
}

/// A dataset scope: metrics logged on datasets named `dataset_name` (and, when given, with that
/// digest).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoggedModelDataset {
    pub dataset_name: String,
    pub dataset_digest: Option<String>,
}

/// What a logged-model search can be ordered by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoggedModelOrderKey {
    Attribute(LoggedModelAttribute),
    /// The model's most recent value of the metric (latest timestamp, then step, then lowest run
    /// id), optionally only among points logged on a dataset.
    Metric {
        key: String,
        dataset_name: Option<String>,
        dataset_digest: Option<String>,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoggedModelOrder {
    pub key: LoggedModelOrderKey,
    pub ascending: bool,
}

/// A logged-model search, already parsed and validated.
#[derive(Debug, Clone)]
pub struct LoggedModelQuery {
    pub experiment_ids: Vec<ExperimentId>,
    /// Metric clauses match when *any* point of the model satisfies them (restricted to
    /// `datasets` when that is non-empty), as in MLflow's SQL store.
    pub filter: LoggedModelFilter,
    /// Non-empty: only models with at least one metric point on one of these datasets.
    pub datasets: Vec<LoggedModelDataset>,
    /// Explicit keys; values missing for a model sort last in either direction. The store then
    /// appends `creation_timestamp DESC` and `model_id ASC` unless they are already present.
    pub order_by: Vec<LoggedModelOrder>,
    pub max_results: u64,
    pub offset: u64,
}

/// Everything about MLflow 3 logged models that the server persists.
///
/// Contract (checked by [`crate::conformance_logged_models`]):
/// * every method is atomic and durable once it returns `Ok`, like [`crate::TrackingStore`];
/// * a missing model is `NotFound("Logged model with ID '<id>' not found.")`: that text reaches
///   the client unchanged;
/// * soft-deleted models are invisible to [`get_logged_model`](Self::get_logged_model) without
///   `allow_deleted` and to searches, but every write still reaches them (as in MLflow);
/// * the metrics of a model are the points runs logged with its `model_id` (see
///   `TrackingStore::log_batch`), returned with `model_id` set, one per (key, timestamp, step,
///   run).
#[async_trait]
pub trait LoggedModelStore: Send + Sync + 'static {
    /// Creates the model with status `Pending`, lifecycle `active` and
    /// `last_updated_timestamp_ms = creation_timestamp_ms`. `NotFound` when the experiment does
    /// not exist, `AlreadyExists` when the id is taken.
    async fn create_logged_model(&self, new: NewLoggedModel) -> StoreResult<LoggedModel>;

    /// The model with its tags, params and metrics. Deleted models are `NotFound` unless
    /// `allow_deleted`. The registry resolves `models:/<model_id>` through this.
    async fn get_logged_model(
        &self,
        model_id: &str,
        allow_deleted: bool,
    ) -> StoreResult<LoggedModel>;

    /// Sets the status and bumps `last_updated_timestamp_ms` to `now`; returns the model.
    async fn finalize_logged_model(
        &self,
        model_id: &str,
        status: LoggedModelStatus,
        now: i64,
    ) -> StoreResult<LoggedModel>;

    /// Upserts tags; within one call the last value of a repeated key wins.
    async fn set_logged_model_tags(&self, model_id: &str, tags: Vec<Tag>) -> StoreResult<()>;

    /// `NotFound` for a missing model (message above) or a missing tag (`No tag with key
    /// '<key>' found for model with ID '<id>'.`).
    async fn delete_logged_model_tag(&self, model_id: &str, key: &str) -> StoreResult<()>;

    /// Adds params. Logging a key again with the same value is a no-op; with a different value
    /// it fails with `Invalid` and nothing of the call is written.
    async fn log_logged_model_params(&self, model_id: &str, params: Vec<Param>) -> StoreResult<()>;

    /// Soft delete: lifecycle `deleted`, `last_updated_timestamp_ms = now`.
    async fn delete_logged_model(&self, model_id: &str, now: i64) -> StoreResult<()>;

    /// Active models of the given experiments matching the query, one page.
    async fn search_logged_models(&self, query: LoggedModelQuery)
    -> StoreResult<Page<LoggedModel>>;
}
