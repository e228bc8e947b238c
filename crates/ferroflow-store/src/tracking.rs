use crate::StoreResult;
use async_trait::async_trait;
use ferroflow_core::search::{ExperimentFilter, ExperimentKey, OrderBy, RunFilter, RunKey};
use ferroflow_core::{
    DatasetInput, Experiment, ExperimentId, LifecycleStage, Metric, MetricWithRunId, ModelOutput,
    Page, Param, Run, RunId, RunInfo, RunStatus, Tag, ViewType,
};

/// Input of [`TrackingStore::create_experiment`].
#[derive(Debug, Clone)]
pub struct NewExperiment {
    pub name: String,
    /// Where the experiment's artifacts live. `None` means "under `default_artifact_root`, in a
    /// folder named after the id the store assigns", which only the store can know atomically.
    pub artifact_location: Option<String>,
    pub default_artifact_root: String,
    pub tags: Vec<Tag>,
    pub creation_time: i64,
}

/// Input of [`TrackingStore::create_run`]. The service has already applied MLflow's rules (run
/// name chosen, `mlflow.runName` tag present, experiment active).
#[derive(Debug, Clone)]
pub struct NewRun {
    pub run_id: RunId,
    pub experiment_id: ExperimentId,
    pub run_name: String,
    pub user_id: String,
    pub start_time: i64,
    pub tags: Vec<Tag>,
    /// The run's artifact URI, usually `<experiment artifact_location>/<run_id>/artifacts`.
    pub artifact_uri: String,
}

/// The fields of [`TrackingStore::update_run_info`]; `None` leaves a field unchanged.
#[derive(Debug, Clone, Default)]
pub struct RunUpdate {
    pub status: Option<RunStatus>,
    pub end_time: Option<i64>,
    /// Also updates the `mlflow.runName` tag, in the same transaction.
    pub run_name: Option<String>,
}

/// A run search, already parsed and validated.
#[derive(Debug, Clone)]
pub struct RunQuery {
    pub experiment_ids: Vec<ExperimentId>,
    pub filter: RunFilter,
    pub order_by: Vec<OrderBy<RunKey>>,
    pub view_type: ViewType,
    pub max_results: u64,
    pub offset: u64,
}

/// An experiment search, already parsed and validated.
#[derive(Debug, Clone)]
pub struct ExperimentQuery {
    pub filter: ExperimentFilter,
    pub order_by: Vec<OrderBy<ExperimentKey>>,
    pub view_type: ViewType,
    pub max_results: u64,
    pub offset: u64,
}

/// A page request over one metric's history, ordered by (timestamp, step, value) as in MLflow;
/// an unknown run has an empty history.
#[derive(Debug, Clone)]
pub struct HistoryQuery {
    pub run_id: RunId,
    pub key: String,
    pub max_results: u64,
    /// Opaque position returned by the previous page (`None` = from the start).
    pub after: Option<HistoryCursor>,
}

/// Keyset position inside one metric history: the last point of the previous page.
#[derive(Debug, Clone, PartialEq)]
pub struct HistoryCursor {
    pub step: i64,
    pub timestamp: i64,
    pub value: f64,
}

#[derive(Debug, Clone)]
pub struct HistoryPage {
    pub metrics: Vec<Metric>,
    pub next: Option<HistoryCursor>,
}

/// A downsampled read of several runs' histories of one metric.
#[derive(Debug, Clone)]
pub struct BulkIntervalQuery {
    pub run_ids: Vec<RunId>,
    pub key: String,
    /// Inclusive step range; `None` means the whole history.
    pub steps: Option<(i64, i64)>,
    /// Points per run at most.
    pub max_results: u64,
}

/// The metric field a downsampled read spreads its buckets along.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DownsampleAxis {
    Step,
    Timestamp,
}

/// A chart read of several runs' histories of one metric, reduced to a few points per pixel
/// column so that a million-point history costs the browser a few thousand points.
#[derive(Debug, Clone)]
pub struct DownsampleQuery {
    pub run_ids: Vec<RunId>,
    pub key: String,
    pub axis: DownsampleAxis,
    /// Buckets (pixel columns) per run; at least 1.
    pub buckets: u32,
    /// Inclusive range on `axis` (a zoomed chart); `None` = the whole history.
    pub x_range: Option<(i64, i64)>,
}

/// One stored point of a history, returned as it was logged (never an average).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DownsamplePoint {
    pub step: i64,
    pub timestamp: i64,
    pub value: f64,
}

/// The reduced history of one run.
#[derive(Debug, Clone, PartialEq)]
pub struct DownsampledSeries {
    pub run_id: RunId,
    /// Points of the history inside the range, before reduction.
    pub total_points: u64,
    /// In (step, timestamp, value) order, without duplicates.
    pub points: Vec<DownsamplePoint>,
}

/// Everything about runs and experiments that MLflow's tracking API persists.
///
/// Contract shared by all implementations (checked by [`crate::conformance`]):
/// * every method is atomic: it either applies completely or not at all;
/// * a write that returned `Ok` is durable (survives the process being killed);
/// * writes to a run whose lifecycle stage is `deleted` fail with [`crate::StoreError::Invalid`],
///   except `set_run_lifecycle` and `get_*`;
/// * concurrent callers never see a "database is locked" error.
#[async_trait]
pub trait TrackingStore: Send + Sync + 'static {
    /// Creates the `Default` experiment (id 0) if missing. Idempotent; called at start-up.
    async fn ensure_default_experiment(
        &self,
        default_artifact_root: &str,
        now: i64,
    ) -> StoreResult<()>;

    /// Fails with `AlreadyExists` when an experiment (active or deleted) has the name.
    async fn create_experiment(&self, new: NewExperiment) -> StoreResult<ExperimentId>;
    async fn get_experiment(&self, id: ExperimentId) -> StoreResult<Experiment>;
    /// Returns deleted experiments too; `Ok(None)` when no experiment has the name.
    async fn get_experiment_by_name(&self, name: &str) -> StoreResult<Option<Experiment>>;
    async fn search_experiments(&self, query: ExperimentQuery) -> StoreResult<Page<Experiment>>;
    async fn rename_experiment(
        &self,
        id: ExperimentId,
        new_name: &str,
        now: i64,
    ) -> StoreResult<()>;
    /// Soft delete / restore. Deleting an experiment also marks its runs deleted, restoring it
    /// restores them, as MLflow does.
    async fn set_experiment_lifecycle(
        &self,
        id: ExperimentId,
        stage: LifecycleStage,
        now: i64,
    ) -> StoreResult<()>;
    async fn set_experiment_tag(&self, id: ExperimentId, tag: Tag) -> StoreResult<()>;
    /// `NotFound` when the tag does not exist.
    async fn delete_experiment_tag(&self, id: ExperimentId, key: &str) -> StoreResult<()>;

    async fn create_run(&self, new: NewRun) -> StoreResult<Run>;
    async fn get_run(&self, run_id: &RunId) -> StoreResult<Run>;
    async fn update_run_info(&self, run_id: &RunId, update: RunUpdate) -> StoreResult<RunInfo>;
    async fn set_run_lifecycle(&self, run_id: &RunId, stage: LifecycleStage) -> StoreResult<()>;
    /// Appends metrics (exact duplicates are ignored), inserts params (same value again is a
    /// no-op, a different value fails with `Invalid` whose message starts "Changing param values
    /// is not allowed") and upserts tags — all in one transaction, keeping the latest-metric view
    /// in step with the history.
    async fn log_batch(
        &self,
        run_id: &RunId,
        metrics: Vec<Metric>,
        params: Vec<Param>,
        tags: Vec<Tag>,
    ) -> StoreResult<()>;
    /// `NotFound` when the tag does not exist.
    async fn delete_run_tag(&self, run_id: &RunId, key: &str) -> StoreResult<()>;
    /// Records dataset inputs (datasets are de-duplicated per experiment by name and digest)
    /// and logged-model inputs.
    async fn log_inputs(
        &self,
        run_id: &RunId,
        datasets: Vec<DatasetInput>,
        model_ids: Vec<String>,
    ) -> StoreResult<()>;
    async fn log_outputs(&self, run_id: &RunId, models: Vec<ModelOutput>) -> StoreResult<()>;

    async fn get_metric_history(&self, query: HistoryQuery) -> StoreResult<HistoryPage>;
    /// At most `max_results` points per run, sampled evenly by position over the history in the
    /// step range, always including the run's last point in that range; ordered by run (in the
    /// order given) then step.
    async fn get_metric_history_bulk_interval(
        &self,
        query: BulkIntervalQuery,
    ) -> StoreResult<Vec<MetricWithRunId>>;
    /// Per-bucket extremes of several runs' histories of one metric (M4 reduction), so a chart
    /// draws the same picture from a few thousand points as from the full history.
    ///
    /// Contract (checked by [`crate::conformance_downsample`]):
    /// * one series per distinct run, in the order given; an unknown run fails with `NotFound`;
    ///   a run without the metric (or without points in range) has an empty series;
    /// * only points inside `x_range` count (on `axis`), and `total_points` counts them;
    /// * the points' steps are split into at most `buckets` contiguous ranges of (nearly) equal
    ///   width — for `Step` the range is `x_range` or the run's step extent, for `Timestamp` the
    ///   step extent of the points in range, which is a time bucketing whenever timestamps grow
    ///   with steps, as clients log them;
    /// * each non-empty bucket contributes its first and last point (in (step, timestamp,
    ///   value) order), a point with its least and one with its greatest non-NaN value, and a
    ///   NaN point when it holds one, so spikes and gaps survive; at most 5 points per bucket;
    /// * every returned point is a stored point, unchanged (NaN and ±Inf included).
    async fn get_metric_history_downsampled(
        &self,
        query: DownsampleQuery,
    ) -> StoreResult<Vec<DownsampledSeries>>;
    async fn search_runs(&self, query: RunQuery) -> StoreResult<Page<Run>>;
}
