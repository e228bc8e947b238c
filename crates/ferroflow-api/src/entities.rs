//! Wire twins of the tracking entities (reference §2), with conversions from and to core types.
//!
//! Empty repeated fields and unset optional fields are omitted, as protobuf JSON does.

use crate::ApiError;
use crate::de::{F64, I64, wire_enum};
use crate::decode::{missing, required};
use ferroflow_core as core;
use serde::{Deserialize, Serialize};

wire_enum!(
    /// MLflow's `ViewType`.
    ViewType { ActiveOnly = 1 => "ACTIVE_ONLY", DeletedOnly = 2 => "DELETED_ONLY", All = 3 => "ALL" }
);

impl From<ViewType> for core::ViewType {
    fn from(v: ViewType) -> Self {
        match v {
            ViewType::ActiveOnly => Self::ActiveOnly,
            ViewType::DeletedOnly => Self::DeletedOnly,
            ViewType::All => Self::All,
        }
    }
}

wire_enum!(
    /// MLflow's `RunStatus`.
    RunStatus {
        Running = 1 => "RUNNING",
        Scheduled = 2 => "SCHEDULED",
        Finished = 3 => "FINISHED",
        Failed = 4 => "FAILED",
        Killed = 5 => "KILLED",
    }
);

impl From<RunStatus> for core::RunStatus {
    fn from(v: RunStatus) -> Self {
        match v {
            RunStatus::Running => Self::Running,
            RunStatus::Scheduled => Self::Scheduled,
            RunStatus::Finished => Self::Finished,
            RunStatus::Failed => Self::Failed,
            RunStatus::Killed => Self::Killed,
        }
    }
}

impl From<core::RunStatus> for RunStatus {
    fn from(v: core::RunStatus) -> Self {
        match v {
            core::RunStatus::Running => Self::Running,
            core::RunStatus::Scheduled => Self::Scheduled,
            core::RunStatus::Finished => Self::Finished,
            core::RunStatus::Failed => Self::Failed,
            core::RunStatus::Killed => Self::Killed,
        }
    }
}

/// `ExperimentTag`, `RunTag`, `Param`: a key and a value. In requests both may be absent on the
/// wire; [`KeyValue::into_core`] applies the required-field rule.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct KeyValue {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
}

impl KeyValue {
    /// `path` names the field in error messages, e.g. `tags[2]`.
    pub fn into_core(self, path: &str) -> Result<core::Tag, ApiError> {
        let key = required(&self.key, &format!("{path}.key"))?.to_owned();
        Ok(core::Tag {
            key,
            value: self.value.unwrap_or_default(),
        })
    }
}

impl From<&core::Tag> for KeyValue {
    fn from(t: &core::Tag) -> Self {
        Self {
            key: Some(t.key.clone()),
            value: Some(t.value.clone()),
        }
    }
}

/// Converts a list of tags/params with MLflow's indexed paths in error messages.
pub fn tags_into_core(list: Vec<KeyValue>, field: &str) -> Result<Vec<core::Tag>, ApiError> {
    list.into_iter()
        .enumerate()
        .map(|(i, kv)| kv.into_core(&format!("{field}[{i}]")))
        .collect()
}

fn tags_to_wire(tags: &[core::Tag]) -> Vec<KeyValue> {
    tags.iter().map(KeyValue::from).collect()
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Experiment {
    pub experiment_id: String,
    pub name: String,
    pub artifact_location: String,
    pub lifecycle_stage: &'static str,
    pub last_update_time: i64,
    pub creation_time: i64,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<KeyValue>,
    /// MLflow 3 reports the workspace; without workspaces it is always `default`.
    pub workspace: &'static str,
}

impl From<&core::Experiment> for Experiment {
    fn from(e: &core::Experiment) -> Self {
        Self {
            experiment_id: e.experiment_id.to_string(),
            name: e.name.clone(),
            artifact_location: e.artifact_location.clone(),
            lifecycle_stage: e.lifecycle_stage.as_str(),
            last_update_time: e.last_update_time,
            creation_time: e.creation_time,
            tags: tags_to_wire(&e.tags),
            workspace: "default",
        }
    }
}

/// A metric as sent in requests (LogMetric fields, LogBatch items) and returned in responses.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Metric {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<F64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<I64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step: Option<I64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dataset_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dataset_digest: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run_id: Option<String>,
}

impl Metric {
    /// `path` prefixes field names in error messages (`metrics[0]` in a batch, empty for
    /// LogMetric whose fields are top-level).
    pub fn into_core(self, path: &str) -> Result<core::Metric, ApiError> {
        let name = |f: &str| {
            if path.is_empty() {
                f.to_owned()
            } else {
                format!("{path}.{f}")
            }
        };
        let key = required(&self.key, &name("key"))?.to_owned();
        let value = self.value.ok_or_else(|| missing(&name("value")))?.0;
        let timestamp = self.timestamp.ok_or_else(|| missing(&name("timestamp")))?.0;
        Ok(core::Metric {
            key,
            value,
            timestamp,
            step: self.step.map_or(0, |s| s.0),
            model_id: self.model_id.filter(|s| !s.is_empty()),
            dataset_name: self.dataset_name.filter(|s| !s.is_empty()),
            dataset_digest: self.dataset_digest.filter(|s| !s.is_empty()),
            // The request's own run id governs where the point goes.
            run_id: None,
        })
    }

    /// A point as the official server returns it in a run's data and a metric history: its
    /// run-metric tables have no dataset or model columns, so those never show there (they do
    /// in a logged model's metrics, see [`Metric::from_core`]).
    pub fn of_run(m: &core::Metric) -> Self {
        Self {
            key: Some(m.key.clone()),
            value: Some(F64(m.value)),
            timestamp: Some(I64(m.timestamp)),
            step: Some(I64(m.step)),
            ..Self::default()
        }
    }

    pub fn from_core(m: &core::Metric, run_id: Option<&str>) -> Self {
        Self {
            key: Some(m.key.clone()),
            value: Some(F64(m.value)),
            timestamp: Some(I64(m.timestamp)),
            step: Some(I64(m.step)),
            dataset_name: m.dataset_name.clone(),
            dataset_digest: m.dataset_digest.clone(),
            model_id: m.model_id.clone(),
            run_id: run_id.map(str::to_owned).or_else(|| m.run_id.clone()),
        }
    }
}

/// `MetricWithRunId` of the bulk history endpoints.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct MetricWithRunId {
    pub key: String,
    pub value: F64,
    pub timestamp: i64,
    pub step: i64,
    pub run_id: String,
}

impl From<&core::MetricWithRunId> for MetricWithRunId {
    fn from(m: &core::MetricWithRunId) -> Self {
        Self {
            key: m.metric.key.clone(),
            value: F64(m.metric.value),
            timestamp: m.metric.timestamp,
            step: m.metric.step,
            run_id: m.run_id.to_string(),
        }
    }
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct RunInfo {
    pub run_id: String,
    /// Deprecated duplicate of `run_id` that older clients still read.
    pub run_uuid: String,
    pub run_name: String,
    pub experiment_id: String,
    pub user_id: String,
    pub status: RunStatus,
    pub start_time: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end_time: Option<i64>,
    pub artifact_uri: String,
    pub lifecycle_stage: &'static str,
}

impl From<&core::RunInfo> for RunInfo {
    fn from(i: &core::RunInfo) -> Self {
        Self {
            run_id: i.run_id.to_string(),
            run_uuid: i.run_id.to_string(),
            run_name: i.run_name.clone(),
            experiment_id: i.experiment_id.to_string(),
            user_id: i.user_id.clone(),
            status: i.status.into(),
            start_time: i.start_time,
            end_time: i.end_time,
            artifact_uri: i.artifact_uri.clone(),
            lifecycle_stage: i.lifecycle_stage.as_str(),
        }
    }
}

#[derive(Debug, Clone, Serialize, PartialEq, Default)]
pub struct RunData {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub metrics: Vec<Metric>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub params: Vec<KeyValue>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<KeyValue>,
}

/// A dataset as sent in LogInputs and returned in run inputs.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Dataset {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub digest: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schema: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct DatasetInput {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<KeyValue>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dataset: Option<Dataset>,
}

impl DatasetInput {
    /// Every field may be left out: the official server decodes the proto, whose absent
    /// strings are empty, so `{"dataset": {"name": "d", "digest": "x"}}` (or even `{}`) is
    /// stored with empty strings. Its "cannot be None" checks never fire over REST.
    pub fn into_core(self) -> core::DatasetInput {
        let d = self.dataset.unwrap_or_default();
        core::DatasetInput {
            tags: self
                .tags
                .into_iter()
                .map(|t| core::Tag {
                    key: t.key.unwrap_or_default(),
                    value: t.value.unwrap_or_default(),
                })
                .collect(),
            dataset: core::Dataset {
                name: d.name.unwrap_or_default(),
                digest: d.digest.unwrap_or_default(),
                source_type: d.source_type.unwrap_or_default(),
                source: d.source.unwrap_or_default(),
                schema: d.schema,
                profile: d.profile,
            },
        }
    }
}

impl From<&core::DatasetInput> for DatasetInput {
    fn from(d: &core::DatasetInput) -> Self {
        Self {
            tags: tags_to_wire(&d.tags),
            dataset: Some(Dataset {
                name: Some(d.dataset.name.clone()),
                digest: Some(d.dataset.digest.clone()),
                source_type: Some(d.dataset.source_type.clone()),
                source: Some(d.dataset.source.clone()),
                schema: d.dataset.schema.clone(),
                profile: d.dataset.profile.clone(),
            }),
        }
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct ModelInput {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model_id: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct ModelOutput {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step: Option<I64>,
}

impl ModelOutput {
    pub fn into_core(self, path: &str) -> Result<core::ModelOutput, ApiError> {
        let model_id = required(&self.model_id, &format!("{path}.model_id"))?.to_owned();
        let step = self.step.ok_or_else(|| missing(&format!("{path}.step")))?.0;
        Ok(core::ModelOutput { model_id, step })
    }
}

#[derive(Debug, Clone, Serialize, PartialEq, Default)]
pub struct RunInputs {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub dataset_inputs: Vec<DatasetInput>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub model_inputs: Vec<ModelInput>,
}

#[derive(Debug, Clone, Serialize, PartialEq, Default)]
pub struct RunOutputs {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub model_outputs: Vec<ModelOutput>,
}

impl RunOutputs {
    fn is_empty(&self) -> bool {
        self.model_outputs.is_empty()
    }
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Run {
    pub info: RunInfo,
    pub data: RunData,
    pub inputs: RunInputs,
    #[serde(skip_serializing_if = "RunOutputs::is_empty")]
    pub outputs: RunOutputs,
}

impl From<&core::Run> for Run {
    fn from(r: &core::Run) -> Self {
        Self {
            info: RunInfo::from(&r.info),
            data: RunData {
                metrics: r.data.metrics.iter().map(Metric::of_run).collect(),
                params: tags_to_wire(&r.data.params),
                tags: tags_to_wire(&r.data.tags),
            },
            inputs: RunInputs {
                dataset_inputs: r
                    .inputs
                    .dataset_inputs
                    .iter()
                    .map(DatasetInput::from)
                    .collect(),
                model_inputs: r
                    .inputs
                    .model_inputs
                    .iter()
                    .map(|id| ModelInput {
                        model_id: Some(id.clone()),
                    })
                    .collect(),
            },
            outputs: RunOutputs {
                model_outputs: r
                    .outputs
                    .model_outputs
                    .iter()
                    .map(|o| ModelOutput {
                        model_id: Some(o.model_id.clone()),
                        step: Some(I64(o.step)),
                    })
                    .collect(),
            },
        }
    }
}
