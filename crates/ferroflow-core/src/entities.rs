//! MLflow's tracking entities as plain Rust values.
//!
//! Field names follow MLflow's so that the mapping to the wire (in `ferroflow-api`) is obvious.
//! Timestamps are milliseconds since the Unix epoch, as MLflow stores them.

use crate::error::{Error, Result};
use std::fmt;

/// Experiment ids are integers in every SQL backend; the wire carries them as decimal strings.
pub type ExperimentId = i64;

/// The experiment that must always exist, named `Default`.
pub const DEFAULT_EXPERIMENT_ID: ExperimentId = 0;
pub const DEFAULT_EXPERIMENT_NAME: &str = "Default";

/// Whether an entity is visible or soft-deleted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LifecycleStage {
    Active,
    Deleted,
}

impl LifecycleStage {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Deleted => "deleted",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "active" => Some(Self::Active),
            "deleted" => Some(Self::Deleted),
            _ => None,
        }
    }
}

/// Which lifecycle stages a search includes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ViewType {
    #[default]
    ActiveOnly,
    DeletedOnly,
    All,
}

impl ViewType {
    pub fn includes(self, stage: LifecycleStage) -> bool {
        match self {
            Self::ActiveOnly => stage == LifecycleStage::Active,
            Self::DeletedOnly => stage == LifecycleStage::Deleted,
            Self::All => true,
        }
    }
    /// The stages selected, for building `IN (...)` lists.
    pub fn stages(self) -> &'static [LifecycleStage] {
        match self {
            Self::ActiveOnly => &[LifecycleStage::Active],
            Self::DeletedOnly => &[LifecycleStage::Deleted],
            Self::All => &[LifecycleStage::Active, LifecycleStage::Deleted],
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RunStatus {
    Running,
    Scheduled,
    Finished,
    Failed,
    Killed,
}

impl RunStatus {
    pub const ALL: [RunStatus; 5] = [
        Self::Running,
        Self::Scheduled,
        Self::Finished,
        Self::Failed,
        Self::Killed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Running => "RUNNING",
            Self::Scheduled => "SCHEDULED",
            Self::Finished => "FINISHED",
            Self::Failed => "FAILED",
            Self::Killed => "KILLED",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == s)
    }
    /// The protobuf enum number, accepted on the wire in place of the name.
    pub fn from_number(n: i64) -> Option<Self> {
        match n {
            1 => Some(Self::Running),
            2 => Some(Self::Scheduled),
            3 => Some(Self::Finished),
            4 => Some(Self::Failed),
            5 => Some(Self::Killed),
            _ => None,
        }
    }
    pub fn is_terminated(self) -> bool {
        matches!(self, Self::Finished | Self::Failed | Self::Killed)
    }
}

impl fmt::Display for RunStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A run id: MLflow's server makes 32 lowercase hex digits; clients may only send ids matching
/// `^[a-zA-Z0-9][\w\-]{0,255}$`, which is what [`RunId::parse`] enforces.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RunId(String);

impl RunId {
    pub fn parse(s: &str) -> Result<Self> {
        let mut chars = s.chars();
        let ok = match chars.next() {
            Some(c) if c.is_ascii_alphanumeric() => {
                s.len() <= 256 && chars.all(|c| c.is_alphanumeric() || c == '_' || c == '-')
            }
            _ => false,
        };
        if ok {
            Ok(Self(s.to_owned()))
        } else {
            Err(Error::invalid(format!("Invalid run ID: '{s}'")))
        }
    }
    /// Wraps an id that came from our own storage and is known to be valid.
    pub fn from_trusted(s: String) -> Self {
        Self(s)
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
    pub fn into_string(self) -> String {
        self.0
    }
}

impl fmt::Display for RunId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tag {
    pub key: String,
    pub value: String,
}

impl Tag {
    pub fn new(key: impl Into<String>, value: impl Into<String>) -> Self {
        Self {
            key: key.into(),
            value: value.into(),
        }
    }
}

/// Run parameters share the key/value shape of tags but, unlike tags, are immutable once logged.
pub type Param = Tag;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Experiment {
    pub experiment_id: ExperimentId,
    pub name: String,
    pub artifact_location: String,
    pub lifecycle_stage: LifecycleStage,
    pub creation_time: i64,
    pub last_update_time: i64,
    pub tags: Vec<Tag>,
}

/// One metric observation. `value` may be NaN or infinite: MLflow accepts and returns them.
#[derive(Debug, Clone, PartialEq)]
pub struct Metric {
    pub key: String,
    pub value: f64,
    pub timestamp: i64,
    pub step: i64,
    /// Set when the point is linked to a logged model (MLflow 3).
    pub model_id: Option<String>,
    pub dataset_name: Option<String>,
    pub dataset_digest: Option<String>,
    /// The run that logged the point, where the context does not already say it (a logged
    /// model's metrics come from the run that produced the model).
    pub run_id: Option<String>,
}

impl Metric {
    pub fn new(key: impl Into<String>, value: f64, timestamp: i64, step: i64) -> Self {
        Self {
            key: key.into(),
            value,
            timestamp,
            step,
            model_id: None,
            dataset_name: None,
            dataset_digest: None,
            run_id: None,
        }
    }
}

/// A metric point with the run it belongs to, as the bulk history endpoints return it.
#[derive(Debug, Clone, PartialEq)]
pub struct MetricWithRunId {
    pub run_id: RunId,
    pub metric: Metric,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunInfo {
    pub run_id: RunId,
    pub run_name: String,
    pub experiment_id: ExperimentId,
    pub user_id: String,
    pub status: RunStatus,
    pub start_time: i64,
    pub end_time: Option<i64>,
    pub artifact_uri: String,
    pub lifecycle_stage: LifecycleStage,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct RunData {
    /// The latest value of every metric key (max step, then max timestamp, then max value).
    pub metrics: Vec<Metric>,
    pub params: Vec<Param>,
    pub tags: Vec<Tag>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dataset {
    pub name: String,
    pub digest: String,
    pub source_type: String,
    pub source: String,
    pub schema: Option<String>,
    pub profile: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DatasetInput {
    pub tags: Vec<Tag>,
    pub dataset: Dataset,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RunInputs {
    pub dataset_inputs: Vec<DatasetInput>,
    /// Logged-model ids used as inputs.
    pub model_inputs: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelOutput {
    pub model_id: String,
    pub step: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RunOutputs {
    pub model_outputs: Vec<ModelOutput>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Run {
    pub info: RunInfo,
    pub data: RunData,
    pub inputs: RunInputs,
    pub outputs: RunOutputs,
}

/// An entry of an artifact listing: a path relative to the listed root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileInfo {
    pub path: String,
    pub is_dir: bool,
    /// Absent for directories.
    pub file_size: Option<u64>,
}

/// One page of a search: the items and, when more exist, the offset to continue from.
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_offset: Option<u64>,
}

impl<T> Page<T> {
    pub fn empty() -> Self {
        Self {
            items: Vec::new(),
            next_offset: None,
        }
    }
}

/// Well-known tag keys the client and server agree on.
pub mod tag_keys {
    pub const RUN_NAME: &str = "mlflow.runName";
    pub const USER: &str = "mlflow.user";
    pub const PARENT_RUN_ID: &str = "mlflow.parentRunId";
    pub const SOURCE_NAME: &str = "mlflow.source.name";
    pub const SOURCE_TYPE: &str = "mlflow.source.type";
    pub const DATASET_CONTEXT: &str = "mlflow.data.context";
}
