//! The typed result of parsing MLflow's search filters and order-by clauses.
//!
//! The parser (in this module's siblings) checks everything MLflow checks — which comparators go
//! with which entity, which value type each needs — so a store only has to lower a valid tree to
//! its own query language and never re-validates.

/// A comparison operator. Which ones are valid depends on the entity (see the parser).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Comparator {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    /// SQL `LIKE`: `%` any run, `_` one character, case-sensitive.
    Like,
    /// Case-insensitive `LIKE`.
    ILike,
    In,
    NotIn,
    IsNull,
    IsNotNull,
}

impl Comparator {
    /// The operator as MLflow users write it, for error messages.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Eq => "=",
            Self::Ne => "!=",
            Self::Lt => "<",
            Self::Le => "<=",
            Self::Gt => ">",
            Self::Ge => ">=",
            Self::Like => "LIKE",
            Self::ILike => "ILIKE",
            Self::In => "IN",
            Self::NotIn => "NOT IN",
            Self::IsNull => "IS NULL",
            Self::IsNotNull => "IS NOT NULL",
        }
    }
}

/// The right-hand side of a comparison, already checked against the comparator.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Number(f64),
    String(String),
    /// The members of `IN (...)` / `NOT IN (...)`.
    List(Vec<String>),
    /// For `IS NULL` / `IS NOT NULL`.
    None,
}

/// One `key op value` clause; a filter is the conjunction (`AND`) of its clauses.
#[derive(Debug, Clone, PartialEq)]
pub struct Clause<K> {
    pub key: K,
    pub op: Comparator,
    pub value: Value,
}

/// One element of an order-by list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderBy<K> {
    pub key: K,
    pub ascending: bool,
}

/// Run attributes that can be filtered and ordered on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RunAttribute {
    RunId,
    RunName,
    Status,
    UserId,
    ArtifactUri,
    /// Also reachable through the `created`/`Created` alias.
    StartTime,
    EndTime,
}

impl RunAttribute {
    pub fn is_numeric(self) -> bool {
        matches!(self, Self::StartTime | Self::EndTime)
    }
}

/// The fields of a run's dataset inputs that can be filtered on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DatasetField {
    Name,
    Digest,
    /// The input tag `mlflow.data.context`.
    Context,
}

/// What a run filter or order-by refers to.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum RunKey {
    /// Compared with the run's latest value of the metric.
    Metric(String),
    Param(String),
    Tag(String),
    Attribute(RunAttribute),
    /// Matches when any dataset input of the run matches. Only valid in filters.
    Dataset(DatasetField),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ExperimentAttribute {
    Name,
    ExperimentId,
    CreationTime,
    LastUpdateTime,
}

impl ExperimentAttribute {
    pub fn is_numeric(self) -> bool {
        matches!(self, Self::CreationTime | Self::LastUpdateTime)
    }
}

/// What an experiment filter or order-by refers to.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ExperimentKey {
    Attribute(ExperimentAttribute),
    /// Only valid in filters.
    Tag(String),
}

pub type RunFilter = Vec<Clause<RunKey>>;
pub type ExperimentFilter = Vec<Clause<ExperimentKey>>;

/// What a registered-model filter refers to: the name attribute or a tag.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum RegisteredModelKey {
    Name,
    Tag(String),
}

/// What registered models can be ordered by. MLflow accepts `timestamp` and
/// `last_updated_timestamp`, and its SQL store sorts both by the last-updated time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RegisteredModelOrderKey {
    Name,
    LastUpdatedTimestamp,
}

/// Model-version attributes that can be filtered on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ModelVersionAttribute {
    Name,
    /// The version, compared as an integer.
    VersionNumber,
    RunId,
    /// The version's `source` field.
    SourcePath,
}

/// What a model-version filter refers to.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ModelVersionKey {
    Attribute(ModelVersionAttribute),
    Tag(String),
}

/// What model versions can be ordered by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ModelVersionOrderKey {
    Name,
    VersionNumber,
    CreationTimestamp,
    LastUpdatedTimestamp,
}

/// Logged-model columns a filter may name (bare or with the `attributes.` prefix).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LoggedModelAttribute {
    ModelId,
    /// Compared as text with the decimal experiment id.
    ExperimentId,
    Name,
    ArtifactLocation,
    /// Milliseconds; reachable as `creation_timestamp`, `creation_time`, `creation_timestamp_ms`.
    CreationTimestamp,
    /// Milliseconds; reachable as `last_updated_timestamp`, `last_updated_timestamp_ms`.
    LastUpdatedTimestamp,
    /// The official store keeps the status as its protobuf number and compares the filter's
    /// text with that number, so `status = '2'` finds ready models and the enum name finds none.
    Status,
    LifecycleStage,
    ModelType,
    SourceRunId,
    StatusMessage,
}

impl LoggedModelAttribute {
    pub fn is_numeric(self) -> bool {
        matches!(self, Self::CreationTimestamp | Self::LastUpdatedTimestamp)
    }
}

/// What a logged-model filter refers to.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum LoggedModelKey {
    Attribute(LoggedModelAttribute),
    /// Compared with the model's latest value of the metric (optionally on the request's
    /// datasets).
    Metric(String),
    Param(String),
    Tag(String),
}

pub type RegisteredModelFilter = Vec<Clause<RegisteredModelKey>>;
pub type ModelVersionFilter = Vec<Clause<ModelVersionKey>>;
pub type LoggedModelFilter = Vec<Clause<LoggedModelKey>>;
