//! MLflow's rules as use cases over [`TrackingStore`].
//!
//! Every rule the official server applies between decoding a request and touching storage lives
//! here: validation limits and truncation, run naming, artifact URIs, batch limits, search bounds
//! and the messages the client shows. The service speaks only `ferroflow-core` types and
//! [`ferroflow_core::Error`], so any transport (REST, tests, a future gRPC face) gets the same
//! behaviour.

pub mod charts;
pub mod logged_models;
pub mod registry;
pub mod rules;

pub use logged_models::LoggedModelService;
pub use registry::RegistryService;

use ferroflow_core::search::limits::check_order_by_terms;
use ferroflow_core::search::{
    ExperimentAttribute, ExperimentKey, OrderBy, RunAttribute, RunKey, parse_experiment_filter,
    parse_experiment_order_by, parse_run_filter, parse_run_order_by,
};
use ferroflow_core::validation::{
    MAX_ARTIFACT_LOCATION_LENGTH, MAX_DATASET_DIGEST_LENGTH, MAX_DATASET_NAME_LENGTH,
    MAX_DATASET_PROFILE_LENGTH, MAX_DATASET_SCHEMA_LENGTH, MAX_DATASET_SOURCE_LENGTH,
    MAX_ENTITY_KEY_LENGTH, MAX_EXPERIMENT_NAME_LENGTH, MAX_EXPERIMENT_TAG_VAL_LENGTH,
    MAX_INPUT_TAG_KEY_LENGTH, MAX_INPUT_TAG_VALUE_LENGTH, MAX_PARAM_VAL_LENGTH,
    MAX_RESULTS_BULK_INTERVAL, MAX_RESULTS_GET_METRIC_HISTORY_DEFAULT, MAX_RUNS_BULK_INTERVAL,
    MAX_TAG_VAL_LENGTH, validate_key,
};
use ferroflow_core::{
    DatasetInput, Error, Experiment, ExperimentId, LifecycleStage, Metric, MetricWithRunId,
    ModelOutput, Page, Param, Result, Run, RunId, RunInfo, RunStatus, Tag, ViewType, tag_keys,
};
use ferroflow_store::{
    BulkIntervalQuery, ExperimentQuery, HistoryCursor, HistoryPage, HistoryQuery, NewExperiment,
    NewRun, RunQuery, RunUpdate, StoreError, TrackingStore,
};
use rules::{
    append_to_uri_path, check_length, experiment_not_found, limit_value, parse_experiment_id,
    parse_run_id, run_not_found,
};
use std::sync::Arc;

/// Server-wide settings that change MLflow's behaviour (set once by the CLI).
#[derive(Debug, Clone)]
pub struct TrackingConfig {
    /// Root under which new experiments get `<root>/<experiment_id>`, e.g. `mlflow-artifacts:/`.
    pub default_artifact_root: String,
    /// MLflow's `MLFLOW_TRUNCATE_LONG_VALUES`: truncate over-long param and run-tag values
    /// instead of refusing them.
    pub truncate_long_values: bool,
    /// MLflow's `MLFLOW_ALLOWED_HOST_ADDRESSED_ARTIFACT_SCHEMES`: schemes (lower case) whose
    /// experiment artifact locations may name any host. Empty by default.
    pub allowed_host_addressed_schemes: Vec<String>,
}

impl Default for TrackingConfig {
    fn default() -> Self {
        Self {
            default_artifact_root: "mlflow-artifacts:/".into(),
            truncate_long_values: true,
            allowed_host_addressed_schemes: Vec::new(),
        }
    }
}

/// Input of [`TrackingService::create_run`], as the client may send it (every field optional).
#[derive(Debug, Clone, Default)]
pub struct CreateRun {
    /// Absent means the `Default` experiment.
    pub experiment_id: Option<String>,
    pub user_id: Option<String>,
    pub run_name: Option<String>,
    /// Absent means 0, as MLflow stores the proto default.
    pub start_time: Option<i64>,
    pub tags: Vec<Tag>,
}

/// Input of [`TrackingService::search_experiments`]; the offset comes from the page token.
#[derive(Debug, Clone, Default)]
pub struct SearchExperiments {
    pub filter: Option<String>,
    pub order_by: Vec<String>,
    pub view_type: ViewType,
    pub max_results: Option<i64>,
    pub offset: u64,
}

/// Input of [`TrackingService::search_runs`]; the offset comes from the page token.
#[derive(Debug, Clone, Default)]
pub struct SearchRuns {
    pub experiment_ids: Vec<String>,
    pub filter: Option<String>,
    pub order_by: Vec<String>,
    pub view_type: ViewType,
    /// Absent means MLflow's proto default, 1000.
    pub max_results: Option<i64>,
    pub offset: u64,
}

/// Input of [`TrackingService::log_batch`].
#[derive(Debug, Clone, Default)]
pub struct LogBatch {
    pub metrics: Vec<Metric>,
    pub params: Vec<Param>,
    pub tags: Vec<Tag>,
}

/// Input of [`TrackingService::get_metric_history_bulk_interval`].
#[derive(Debug, Clone, Default)]
pub struct BulkInterval {
    pub run_ids: Vec<String>,
    pub metric_key: String,
    pub start_step: Option<i64>,
    pub end_step: Option<i64>,
    pub max_results: Option<i64>,
}

/// The default page size of SearchRuns when the client omits it (the proto default).
const SEARCH_RUNS_DEFAULT_MAX_RESULTS: i64 = 1000;

/// The tracking use cases. Cheap to share behind an `Arc`.
pub struct TrackingService {
    store: Arc<dyn TrackingStore>,
    config: TrackingConfig,
}

fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// Store errors whose message the store wrote for a human pass through; `Backend` failures are
/// logged and reported as internal errors without leaking driver details.
fn map_store(e: StoreError) -> Error {
    match e {
        StoreError::NotFound(m) => Error::not_found(m),
        StoreError::AlreadyExists(m) => Error::already_exists(m),
        StoreError::Invalid(m) => Error::invalid(m),
        StoreError::Backend(m) => {
            // The text may hold SQL, driver messages or file paths: the log gets it, the
            // client a fixed sentence.
            tracing::error!(error = %m, "tracking store failure");
            Error::internal("Storage backend failure; the server log has the details.")
        }
    }
}

/// For operations addressed to one run: a `NotFound` means the run is missing, and MLflow
/// reports it with its own wording.
fn map_run_store(run_id: &RunId) -> impl Fn(StoreError) -> Error + '_ {
    move |e| match e {
        StoreError::NotFound(_) => run_not_found(run_id.as_str()),
        other => map_store(other),
    }
}

fn map_experiment_store(id: ExperimentId) -> impl Fn(StoreError) -> Error {
    move |e| match e {
        StoreError::NotFound(_) => experiment_not_found(id),
        other => map_store(other),
    }
}

fn validate_experiment_name(name: &str) -> Result<()> {
    if name.trim().is_empty() {
        return Err(Error::invalid(format!("Invalid experiment name: '{name}'")));
    }
    check_length("name", name, MAX_EXPERIMENT_NAME_LENGTH)
}

fn validate_experiment_tag(tag: &Tag) -> Result<()> {
    validate_key("key", &tag.key)?;
    check_length("key", &tag.key, MAX_ENTITY_KEY_LENGTH)?;
    check_length("value", &tag.value, MAX_EXPERIMENT_TAG_VAL_LENGTH)
}

fn validate_metric(m: &Metric) -> Result<()> {
    validate_key("metric", &m.key)?;
    if m.timestamp < 0 {
        return Err(Error::invalid(format!(
            "Invalid value {} for parameter 'timestamp' supplied: metric '{}' (value={}). \
             Timestamp must be a nonnegative long (64-bit integer) ",
            m.timestamp, m.key, m.value
        )));
    }
    Ok(())
}

impl TrackingService {
    pub fn new(store: Arc<dyn TrackingStore>, config: TrackingConfig) -> Self {
        Self { store, config }
    }

    pub fn config(&self) -> &TrackingConfig {
        &self.config
    }

    /// Makes sure the `Default` experiment exists; MLflow clients assume id `0` is always there.
    pub async fn init(&self) -> Result<()> {
        self.store
            .ensure_default_experiment(&self.config.default_artifact_root, now_ms())
            .await
            .map_err(map_store)
    }

    fn param(&self, p: Param) -> Result<Param> {
        validate_key("param", &p.key)?;
        let value = limit_value(
            "value",
            p.value,
            MAX_PARAM_VAL_LENGTH,
            self.config.truncate_long_values,
        )?;
        Ok(Param { key: p.key, value })
    }

    fn run_tag(&self, t: Tag) -> Result<Tag> {
        validate_key("tag", &t.key)?;
        let value = limit_value(
            "value",
            t.value,
            MAX_TAG_VAL_LENGTH,
            self.config.truncate_long_values,
        )?;
        Ok(Tag { key: t.key, value })
    }

    // ----------------------------------------------------------------------------- experiments

    pub async fn create_experiment(
        &self,
        name: &str,
        artifact_location: Option<&str>,
        tags: Vec<Tag>,
    ) -> Result<ExperimentId> {
        validate_experiment_name(name)?;
        let artifact_location = artifact_location.filter(|s| !s.is_empty());
        if let Some(loc) = artifact_location {
            rules::validate_artifact_location(
                loc,
                &self.config.default_artifact_root,
                &self.config.allowed_host_addressed_schemes,
            )?;
        }
        // MLflow resolves a relative local location against the server's working directory,
        // then checks the length of the result.
        let artifact_location = artifact_location.map(|loc| {
            let cwd = std::env::current_dir().unwrap_or_else(|_| "/".into());
            rules::resolve_artifact_location(loc, &cwd.to_string_lossy())
        });
        if let Some(loc) = &artifact_location
            && loc.chars().count() > MAX_ARTIFACT_LOCATION_LENGTH
        {
            return Err(Error::invalid(format!(
                "Invalid artifact path length. The length of the artifact path cannot be greater \
                 than {MAX_ARTIFACT_LOCATION_LENGTH} characters. To configure this limit, please \
                 set the MLFLOW_ARTIFACT_LOCATION_MAX_LENGTH environment variable."
            )));
        }
        for t in &tags {
            validate_experiment_tag(t)?;
        }
        let new = NewExperiment {
            name: name.to_owned(),
            artifact_location,
            default_artifact_root: self.config.default_artifact_root.clone(),
            tags,
            creation_time: now_ms(),
        };
        self.store
            .create_experiment(new)
            .await
            .map_err(|e| match e {
                StoreError::AlreadyExists(_) => {
                    Error::already_exists(format!("Experiment(name={name}) already exists."))
                }
                other => map_store(other),
            })
    }

    pub async fn get_experiment(&self, experiment_id: &str) -> Result<Experiment> {
        let id = parse_experiment_id(experiment_id)?;
        self.experiment(id).await
    }

    async fn experiment(&self, id: ExperimentId) -> Result<Experiment> {
        self.store
            .get_experiment(id)
            .await
            .map_err(map_experiment_store(id))
    }

    /// Also returns deleted experiments: the client decides what to do with them.
    pub async fn get_experiment_by_name(&self, name: &str) -> Result<Experiment> {
        self.store
            .get_experiment_by_name(name)
            .await
            .map_err(map_store)?
            .ok_or_else(|| {
                Error::not_found(format!("Could not find experiment with name '{name}'"))
            })
    }

    /// Default order (applied by the store after the explicit keys): `creation_time DESC`,
    /// then `experiment_id`.
    pub async fn search_experiments(&self, req: SearchExperiments) -> Result<Page<Experiment>> {
        let max_results = rules::validate_search_max_results(req.max_results, false)?;
        let filter = match req.filter.as_deref().map(str::trim) {
            Some(f) if !f.is_empty() => rules::parse_filter(f, parse_experiment_filter).await?,
            _ => Vec::new(),
        };
        check_order_by_terms(req.order_by.len())?;
        let mut order_by = Vec::with_capacity(req.order_by.len() + 2);
        for o in &req.order_by {
            let parsed = parse_experiment_order_by(o)?;
            if matches!(parsed.key, ExperimentKey::Tag(_)) {
                return Err(Error::invalid(format!("Invalid order_by entity: {o}")));
            }
            order_by.push(parsed);
        }
        let order_by = with_tie_breakers(order_by, &experiment_default_order());
        let query = ExperimentQuery {
            filter,
            order_by,
            view_type: req.view_type,
            max_results,
            offset: req.offset,
        };
        self.store
            .search_experiments(query)
            .await
            .map_err(map_store)
    }

    pub async fn rename_experiment(&self, experiment_id: &str, new_name: &str) -> Result<()> {
        let id = parse_experiment_id(experiment_id)?;
        validate_experiment_name(new_name)?;
        let exp = self.experiment(id).await?;
        if exp.lifecycle_stage != LifecycleStage::Active {
            // MLflow says INVALID_STATE (a 500); a 4xx keeps the client from retrying.
            return Err(Error::invalid("Cannot rename a non-active experiment."));
        }
        self.store
            .rename_experiment(id, new_name, now_ms())
            .await
            .map_err(|e| match e {
                StoreError::AlreadyExists(_) => {
                    Error::already_exists(format!("Experiment(name={new_name}) already exists."))
                }
                other => map_experiment_store(id)(other),
            })
    }

    pub async fn delete_experiment(&self, experiment_id: &str) -> Result<()> {
        self.set_experiment_stage(experiment_id, LifecycleStage::Deleted)
            .await
    }

    pub async fn restore_experiment(&self, experiment_id: &str) -> Result<()> {
        self.set_experiment_stage(experiment_id, LifecycleStage::Active)
            .await
    }

    /// MLflow only deletes active experiments and only restores deleted ones; the other case
    /// is reported as the experiment not existing.
    async fn set_experiment_stage(&self, experiment_id: &str, to: LifecycleStage) -> Result<()> {
        let id = parse_experiment_id(experiment_id)?;
        let exp = self.experiment(id).await?;
        if exp.lifecycle_stage == to {
            return Err(experiment_not_found(id));
        }
        self.store
            .set_experiment_lifecycle(id, to, now_ms())
            .await
            .map_err(map_experiment_store(id))
    }

    async fn active_experiment(&self, id: ExperimentId) -> Result<Experiment> {
        let exp = self.experiment(id).await?;
        if exp.lifecycle_stage != LifecycleStage::Active {
            return Err(Error::invalid(format!(
                "The experiment {id} must be in the 'active' state. Current state is {}.",
                exp.lifecycle_stage.as_str()
            )));
        }
        Ok(exp)
    }

    pub async fn set_experiment_tag(
        &self,
        experiment_id: &str,
        key: &str,
        value: &str,
    ) -> Result<()> {
        let id = parse_experiment_id(experiment_id)?;
        let tag = Tag::new(key, value);
        validate_experiment_tag(&tag)?;
        self.active_experiment(id).await?;
        self.store
            .set_experiment_tag(id, tag)
            .await
            .map_err(map_experiment_store(id))
    }

    pub async fn delete_experiment_tag(&self, experiment_id: &str, key: &str) -> Result<()> {
        let id = parse_experiment_id(experiment_id)?;
        self.active_experiment(id).await?;
        self.store
            .delete_experiment_tag(id, key)
            .await
            .map_err(|e| match e {
                StoreError::NotFound(_) => Error::not_found(format!(
                    "No tag with name: {key} in experiment with id {id}"
                )),
                other => map_store(other),
            })
    }

    // ------------------------------------------------------------------------------------ runs

    /// Applies MLflow's naming rule: `run_name` and the `mlflow.runName` tag must agree; either
    /// one names the run; with neither, a random name is generated and recorded as the tag.
    pub async fn create_run(&self, req: CreateRun) -> Result<Run> {
        let experiment_id = match req.experiment_id.as_deref().filter(|s| !s.is_empty()) {
            Some(raw) => parse_experiment_id(raw)?,
            None => ferroflow_core::DEFAULT_EXPERIMENT_ID,
        };
        let mut tags = req
            .tags
            .into_iter()
            .map(|t| self.run_tag(t))
            .collect::<Result<Vec<_>>>()?;
        let exp = self.active_experiment(experiment_id).await?;

        let run_name_arg = req.run_name.filter(|s| !s.is_empty());
        let tag_name = tags
            .iter()
            .rev()
            .find(|t| t.key == tag_keys::RUN_NAME)
            .map(|t| t.value.clone());
        if let (Some(arg), Some(tag)) = (&run_name_arg, &tag_name)
            && arg != tag
        {
            return Err(Error::invalid(format!(
                "Both 'run_name' argument and 'mlflow.runName' tag are specified, but with \
                 different values (run_name='{arg}', mlflow.runName='{tag}')."
            )));
        }
        let run_name = run_name_arg
            .or_else(|| tag_name.clone())
            .unwrap_or_else(rules::generate_run_name);
        if tag_name.is_none() {
            tags.push(Tag::new(tag_keys::RUN_NAME, run_name.clone()));
        }

        let run_id = RunId::from_trusted(uuid::Uuid::new_v4().simple().to_string());
        let artifact_uri =
            append_to_uri_path(&exp.artifact_location, &[run_id.as_str(), "artifacts"]);
        let new = NewRun {
            run_id,
            experiment_id,
            run_name,
            user_id: req.user_id.unwrap_or_default(),
            // MLflow stores the proto default: a run created without start_time starts at 0.
            start_time: req.start_time.unwrap_or(0),
            tags,
            artifact_uri,
        };
        self.store.create_run(new).await.map_err(map_store)
    }

    pub async fn get_run(&self, run_id: &str) -> Result<Run> {
        let id = parse_run_id(run_id)?;
        self.store.get_run(&id).await.map_err(map_run_store(&id))
    }

    /// Only the fields given change; a new `run_name` also rewrites the `mlflow.runName` tag.
    pub async fn update_run(
        &self,
        run_id: &str,
        status: Option<RunStatus>,
        end_time: Option<i64>,
        run_name: Option<String>,
    ) -> Result<RunInfo> {
        let id = parse_run_id(run_id)?;
        let run_name = match run_name {
            Some(n) if !n.is_empty() => Some(self.run_tag(Tag::new(tag_keys::RUN_NAME, n))?.value),
            _ => None,
        };
        let update = RunUpdate {
            status,
            end_time,
            run_name,
        };
        self.store
            .update_run_info(&id, update)
            .await
            .map_err(map_run_store(&id))
    }

    pub async fn delete_run(&self, run_id: &str) -> Result<()> {
        let id = parse_run_id(run_id)?;
        self.store
            .set_run_lifecycle(&id, LifecycleStage::Deleted)
            .await
            .map_err(map_run_store(&id))
    }

    pub async fn restore_run(&self, run_id: &str) -> Result<()> {
        let id = parse_run_id(run_id)?;
        self.store
            .set_run_lifecycle(&id, LifecycleStage::Active)
            .await
            .map_err(map_run_store(&id))
    }

    /// Default order (applied by the store after the explicit keys): `start_time DESC`, then
    /// `run_id`.
    pub async fn search_runs(&self, req: SearchRuns) -> Result<Page<Run>> {
        let max_results = rules::validate_search_max_results(
            Some(req.max_results.unwrap_or(SEARCH_RUNS_DEFAULT_MAX_RESULTS)),
            true,
        )?;
        let experiment_ids = req
            .experiment_ids
            .iter()
            .map(|s| parse_experiment_id(s))
            .collect::<Result<Vec<_>>>()?;
        let filter = match req.filter.as_deref().map(str::trim) {
            Some(f) if !f.is_empty() => rules::parse_filter(f, parse_run_filter).await?,
            _ => Vec::new(),
        };
        check_order_by_terms(req.order_by.len())?;
        let order_by = req
            .order_by
            .iter()
            .map(|o| parse_run_order_by(o))
            .collect::<Result<Vec<_>>>()?;
        if experiment_ids.is_empty() {
            return Ok(Page::empty());
        }
        let order_by = with_tie_breakers(order_by, &run_default_order());
        let query = RunQuery {
            experiment_ids,
            filter,
            order_by,
            view_type: req.view_type,
            max_results,
            offset: req.offset,
        };
        self.store.search_runs(query).await.map_err(map_store)
    }

    pub async fn log_metric(&self, run_id: &str, metric: Metric) -> Result<()> {
        self.log_batch(
            run_id,
            LogBatch {
                metrics: vec![metric],
                ..LogBatch::default()
            },
        )
        .await
    }

    pub async fn log_param(&self, run_id: &str, param: Param) -> Result<()> {
        self.log_batch(
            run_id,
            LogBatch {
                params: vec![param],
                ..LogBatch::default()
            },
        )
        .await
    }

    /// Setting `mlflow.runName` renames the run, as in MLflow, so the run name and the tag never
    /// disagree.
    pub async fn set_tag(&self, run_id: &str, tag: Tag) -> Result<()> {
        if tag.key == tag_keys::RUN_NAME {
            let id = parse_run_id(run_id)?;
            let tag = self.run_tag(tag)?;
            let update = RunUpdate {
                run_name: Some(tag.value),
                ..RunUpdate::default()
            };
            return self
                .store
                .update_run_info(&id, update)
                .await
                .map(|_| ())
                .map_err(map_run_store(&id));
        }
        self.log_batch(
            run_id,
            LogBatch {
                tags: vec![tag],
                ..LogBatch::default()
            },
        )
        .await
    }

    pub async fn delete_tag(&self, run_id: &str, key: &str) -> Result<()> {
        let id = parse_run_id(run_id)?;
        match self.store.delete_run_tag(&id, key).await {
            Ok(()) => Ok(()),
            Err(StoreError::NotFound(_)) => {
                // Tell "no such run" from "no such tag" the way MLflow words them.
                self.store.get_run(&id).await.map_err(map_run_store(&id))?;
                Err(Error::not_found(format!(
                    "No tag with name: {key} in run with id {id}"
                )))
            }
            Err(e) => Err(map_store(e)),
        }
    }

    pub async fn log_batch(&self, run_id: &str, batch: LogBatch) -> Result<()> {
        let id = parse_run_id(run_id)?;
        rules::validate_batch_limits(batch.metrics.len(), batch.params.len(), batch.tags.len())?;
        for m in &batch.metrics {
            validate_metric(m)?;
        }
        let params = batch
            .params
            .into_iter()
            .map(|p| self.param(p))
            .collect::<Result<Vec<_>>>()?;
        rules::validate_param_keys_unique(params.iter().map(|p| p.key.as_str()))?;
        let tags = batch
            .tags
            .into_iter()
            .map(|t| self.run_tag(t))
            .collect::<Result<Vec<_>>>()?;
        if batch.metrics.is_empty() && params.is_empty() && tags.is_empty() {
            // Nothing to write, but the run must still exist and be active, as in MLflow.
            let run = self.store.get_run(&id).await.map_err(map_run_store(&id))?;
            return check_run_active(&run.info);
        }
        self.store
            .log_batch(&id, batch.metrics, params, tags)
            .await
            .map_err(map_run_store(&id))
    }

    pub async fn log_inputs(
        &self,
        run_id: &str,
        datasets: Vec<DatasetInput>,
        model_ids: Vec<String>,
    ) -> Result<()> {
        let id = parse_run_id(run_id)?;
        for d in &datasets {
            validate_dataset_input(d)?;
        }
        self.store
            .log_inputs(&id, datasets, model_ids)
            .await
            .map_err(map_run_store(&id))
    }

    pub async fn log_outputs(&self, run_id: &str, models: Vec<ModelOutput>) -> Result<()> {
        let id = parse_run_id(run_id)?;
        self.store
            .log_outputs(&id, models)
            .await
            .map_err(map_run_store(&id))
    }

    // --------------------------------------------------------------------------------- metrics

    /// One page of a metric's history in MLflow's (timestamp, step, value) order. Without `max_results`
    /// MLflow returns the whole history; we page at the client's usual 25000 instead and hand
    /// back a cursor, which the client follows.
    pub async fn get_metric_history(
        &self,
        run_id: &str,
        metric_key: &str,
        max_results: Option<i64>,
        after: Option<HistoryCursor>,
    ) -> Result<HistoryPage> {
        if let Some(n) = max_results
            && n <= 0
        {
            return Err(Error::invalid(format!(
                "Invalid value {n} for parameter 'max_results' supplied. It must be a positive integer."
            )));
        }
        // MLflow answers the history of a run that does not exist (even one whose id could
        // never exist) with an empty list.
        let Ok(id) = RunId::parse(run_id) else {
            return Ok(HistoryPage {
                metrics: Vec::new(),
                next: None,
            });
        };
        let query = HistoryQuery {
            run_id: id.clone(),
            key: metric_key.to_owned(),
            max_results: max_results.unwrap_or(MAX_RESULTS_GET_METRIC_HISTORY_DEFAULT) as u64,
            after,
        };
        self.store
            .get_metric_history(query)
            .await
            .map_err(map_run_store(&id))
    }

    /// Downsampled histories of several runs, for the UI's charts.
    pub async fn get_metric_history_bulk_interval(
        &self,
        req: BulkInterval,
    ) -> Result<Vec<MetricWithRunId>> {
        if req.run_ids.is_empty() {
            return Err(Error::invalid(
                "Missing value for required parameter 'run_ids'. See the API docs for more \
                 information about request parameters.",
            ));
        }
        if req.run_ids.len() > MAX_RUNS_BULK_INTERVAL {
            return Err(Error::invalid(format!(
                "GetMetricHistoryBulkInterval request must specify at most \
                 {MAX_RUNS_BULK_INTERVAL} run_ids. Received {} run_ids.",
                req.run_ids.len()
            )));
        }
        let max_results = req.max_results.unwrap_or(MAX_RESULTS_BULK_INTERVAL);
        if !(1..=MAX_RESULTS_BULK_INTERVAL).contains(&max_results) {
            return Err(Error::invalid(format!(
                "max_results must be between 1 and {MAX_RESULTS_BULK_INTERVAL}."
            )));
        }
        let steps = match (req.start_step, req.end_step) {
            (Some(s), Some(e)) if s > e => {
                return Err(Error::invalid(format!(
                    "end_step must be greater than start_step. Found start_step={s} and end_step={e}."
                )));
            }
            (Some(s), Some(e)) => Some((s, e)),
            (None, None) => None,
            _ => {
                return Err(Error::invalid(
                    "If either start step or end step are specified, both must be specified.",
                ));
            }
        };
        let run_ids = req
            .run_ids
            .iter()
            .map(|r| parse_run_id(r))
            .collect::<Result<Vec<_>>>()?;
        let query = BulkIntervalQuery {
            run_ids,
            key: req.metric_key,
            steps,
            max_results: max_results as u64,
        };
        self.store
            .get_metric_history_bulk_interval(query)
            .await
            .map_err(map_store)
    }

    /// The UI's older bulk read: up to `max_results` (capped at 25000) points over all runs, runs
    /// in id order, each run's points in (timestamp, step, value) order.
    pub async fn get_metric_history_bulk(
        &self,
        run_ids: &[String],
        metric_key: &str,
        max_results: Option<i64>,
    ) -> Result<Vec<MetricWithRunId>> {
        const MAX_HISTORY_RESULTS: i64 = 25_000;
        if run_ids.is_empty() {
            return Err(Error::invalid(
                "GetMetricHistoryBulk request must specify at least one run_id.",
            ));
        }
        if run_ids.len() > MAX_RUNS_BULK_INTERVAL {
            return Err(Error::invalid(format!(
                "GetMetricHistoryBulk request cannot specify more than {MAX_RUNS_BULK_INTERVAL} \
                 run_ids. Received {} run_ids.",
                run_ids.len()
            )));
        }
        let limit = max_results
            .unwrap_or(MAX_HISTORY_RESULTS)
            .clamp(0, MAX_HISTORY_RESULTS) as usize;
        let mut sorted: Vec<&String> = run_ids.iter().collect();
        sorted.sort();
        sorted.dedup();
        let mut out = Vec::new();
        for raw in sorted {
            if out.len() >= limit {
                break;
            }
            let id = parse_run_id(raw)?;
            let mut points = Vec::new();
            let mut after = None;
            loop {
                let page = self
                    .store
                    .get_metric_history(HistoryQuery {
                        run_id: id.clone(),
                        key: metric_key.to_owned(),
                        max_results: (limit - points.len()).max(1) as u64,
                        after,
                    })
                    .await
                    .map_err(map_run_store(&id))?;
                points.extend(page.metrics);
                match page.next {
                    Some(c) if points.len() < limit => after = Some(c),
                    _ => break,
                }
            }
            points.sort_by(|a, b| {
                (a.timestamp, a.step)
                    .cmp(&(b.timestamp, b.step))
                    .then(a.value.total_cmp(&b.value))
            });
            out.extend(points.into_iter().map(|metric| MetricWithRunId {
                run_id: id.clone(),
                metric,
            }));
        }
        out.truncate(limit);
        Ok(out)
    }
}

fn check_run_active(info: &RunInfo) -> Result<()> {
    if info.lifecycle_stage != LifecycleStage::Active {
        return Err(Error::invalid(format!(
            "The run {} must be in the 'active' state. Current state is {}.",
            info.run_id,
            info.lifecycle_stage.as_str()
        )));
    }
    Ok(())
}

fn validate_dataset_input(d: &DatasetInput) -> Result<()> {
    let ds = &d.dataset;
    let limits = [
        ("name", ds.name.as_str(), MAX_DATASET_NAME_LENGTH),
        ("digest", ds.digest.as_str(), MAX_DATASET_DIGEST_LENGTH),
        ("source", ds.source.as_str(), MAX_DATASET_SOURCE_LENGTH),
        (
            "schema",
            ds.schema.as_deref().unwrap_or(""),
            MAX_DATASET_SCHEMA_LENGTH,
        ),
        (
            "profile",
            ds.profile.as_deref().unwrap_or(""),
            MAX_DATASET_PROFILE_LENGTH,
        ),
    ];
    for (what, value, limit) in limits {
        if value.chars().count() > limit {
            return Err(Error::invalid(format!(
                "Dataset {what} exceeds the maximum length of {limit}"
            )));
        }
    }
    for t in &d.tags {
        if t.key.chars().count() > MAX_INPUT_TAG_KEY_LENGTH {
            return Err(Error::invalid(format!(
                "InputTag key exceeds the maximum length of {MAX_INPUT_TAG_KEY_LENGTH}"
            )));
        }
        if t.value.chars().count() > MAX_INPUT_TAG_VALUE_LENGTH {
            return Err(Error::invalid(format!(
                "InputTag value exceeds the maximum length of {MAX_INPUT_TAG_VALUE_LENGTH}"
            )));
        }
    }
    Ok(())
}

/// Appends MLflow's implicit tie-breakers to an explicit order: the caller's keys come first,
/// then the default keys not already named, so pages are stable.
fn with_tie_breakers<K: PartialEq + Clone>(
    mut order: Vec<OrderBy<K>>,
    defaults: &[OrderBy<K>],
) -> Vec<OrderBy<K>> {
    for d in defaults {
        if !order.iter().any(|o| o.key == d.key) {
            order.push(d.clone());
        }
    }
    order
}

fn experiment_default_order() -> [OrderBy<ExperimentKey>; 2] {
    [
        OrderBy {
            key: ExperimentKey::Attribute(ExperimentAttribute::CreationTime),
            ascending: false,
        },
        OrderBy {
            key: ExperimentKey::Attribute(ExperimentAttribute::ExperimentId),
            ascending: true,
        },
    ]
}

fn run_default_order() -> [OrderBy<RunKey>; 2] {
    [
        OrderBy {
            key: RunKey::Attribute(RunAttribute::StartTime),
            ascending: false,
        },
        OrderBy {
            key: RunKey::Attribute(RunAttribute::RunId),
            ascending: true,
        },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tie_breakers_follow_explicit_keys() {
        let explicit = vec![OrderBy {
            key: RunKey::Metric("rmse".into()),
            ascending: false,
        }];
        let order = with_tie_breakers(explicit, &run_default_order());
        assert_eq!(order.len(), 3);
        assert_eq!(order[0].key, RunKey::Metric("rmse".into()));
        assert_eq!(order[1].key, RunKey::Attribute(RunAttribute::StartTime));
        assert!(!order[1].ascending);
        assert_eq!(order[2].key, RunKey::Attribute(RunAttribute::RunId));

        // An explicit start_time ASC is kept, not overridden by the default DESC.
        let explicit = vec![OrderBy {
            key: RunKey::Attribute(RunAttribute::StartTime),
            ascending: true,
        }];
        let order = with_tie_breakers(explicit, &run_default_order());
        assert_eq!(order.len(), 2);
        assert!(order[0].ascending);
    }

    #[test]
    fn experiment_default_is_newest_first() {
        let order = with_tie_breakers(Vec::new(), &experiment_default_order());
        assert_eq!(
            order[0].key,
            ExperimentKey::Attribute(ExperimentAttribute::CreationTime)
        );
        assert!(!order[0].ascending);
        assert_eq!(
            order[1].key,
            ExperimentKey::Attribute(ExperimentAttribute::ExperimentId)
        );
    }

    #[test]
    fn metric_timestamps_must_be_non_negative() {
        let m = Metric::new("loss", 1.0, -1, 0);
        assert!(
            validate_metric(&m)
                .unwrap_err()
                .message
                .contains("Timestamp must be a nonnegative")
        );
        assert!(validate_metric(&Metric::new("loss", f64::NAN, 0, -5)).is_ok());
        assert!(validate_metric(&Metric::new("bad$key", 1.0, 0, 0)).is_err());
    }

    #[test]
    fn experiment_names() {
        assert!(validate_experiment_name("").is_err());
        assert!(validate_experiment_name("   ").is_err());
        assert!(validate_experiment_name(&"n".repeat(500)).is_ok());
        assert!(validate_experiment_name(&"n".repeat(501)).is_err());
    }

    #[test]
    fn dataset_limits() {
        let d = DatasetInput {
            tags: vec![Tag::new("mlflow.data.context", "training")],
            dataset: ferroflow_core::Dataset {
                name: "d".into(),
                digest: "x".repeat(37),
                source_type: "local".into(),
                source: "{}".into(),
                schema: None,
                profile: None,
            },
        };
        assert!(
            validate_dataset_input(&d)
                .unwrap_err()
                .message
                .contains("digest")
        );
    }
}
