//! Requests and responses of the tracking endpoints (reference §3.1–3.4), one struct per
//! protobuf message. Request fields are all optional on the wire; each request's accessor
//! methods apply the proto-level "required" rule with MLflow's message.

use crate::ApiError;
use crate::de::{F64, I64, OneOrMany};
use crate::decode::{missing, required};
use crate::entities::{
    DatasetInput, Experiment, KeyValue, Metric, MetricWithRunId, ModelInput, ModelOutput, Run,
    RunInfo, RunStatus, ViewType,
};
use serde::{Deserialize, Serialize};

/// The version of MLflow whose protocol this crate speaks; `/version` reports it.
pub const MLFLOW_COMPAT_VERSION: &str = "3.17.2";

/// An empty JSON object, the answer of every write RPC.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct Empty {}

/// Reads `run_id`, falling back to the deprecated `run_uuid` the client also sends.
fn run_id_or_uuid<'a>(
    run_id: &'a Option<String>,
    run_uuid: &'a Option<String>,
) -> Result<&'a str, ApiError> {
    match (run_id.as_deref(), run_uuid.as_deref()) {
        (Some(id), _) if !id.is_empty() => Ok(id),
        (_, Some(id)) if !id.is_empty() => Ok(id),
        _ => Err(missing("run_id")),
    }
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

// ------------------------------------------------------------------------------- experiments

request!(CreateExperiment { name: Option<String>, artifact_location: Option<String>, tags: Vec<KeyValue> });
impl CreateExperiment {
    pub fn name(&self) -> Result<&str, ApiError> {
        required(&self.name, "name")
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct CreateExperimentResponse {
    pub experiment_id: String,
}

request!(GetExperiment { experiment_id: Option<String> });
request!(DeleteExperiment { experiment_id: Option<String> });
request!(RestoreExperiment { experiment_id: Option<String> });

/// Shared accessor of the requests whose only required field is `experiment_id`.
pub trait HasExperimentId {
    fn raw_experiment_id(&self) -> &Option<String>;
    fn experiment_id(&self) -> Result<&str, ApiError> {
        required(self.raw_experiment_id(), "experiment_id")
    }
}
macro_rules! has_experiment_id {
    ($($t:ty),*) => {$(
        impl HasExperimentId for $t {
            fn raw_experiment_id(&self) -> &Option<String> { &self.experiment_id }
        }
    )*};
}

#[derive(Debug, Clone, Serialize)]
pub struct ExperimentResponse {
    pub experiment: Experiment,
}

request!(GetExperimentByName { experiment_name: Option<String> });
impl GetExperimentByName {
    pub fn experiment_name(&self) -> Result<&str, ApiError> {
        required(&self.experiment_name, "experiment_name")
    }
}

request!(SearchExperiments {
    max_results: Option<I64>,
    page_token: Option<String>,
    filter: Option<String>,
    order_by: OneOrMany<String>,
    view_type: Option<ViewType>,
});

#[derive(Debug, Clone, Serialize)]
pub struct SearchExperimentsResponse {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub experiments: Vec<Experiment>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_page_token: Option<String>,
}

request!(UpdateExperiment { experiment_id: Option<String>, new_name: Option<String> });
impl UpdateExperiment {
    pub fn new_name(&self) -> Result<&str, ApiError> {
        required(&self.new_name, "new_name")
    }
}

request!(SetExperimentTag { experiment_id: Option<String>, key: Option<String>, value: Option<String> });
impl SetExperimentTag {
    pub fn key(&self) -> Result<&str, ApiError> {
        required(&self.key, "key")
    }
}

request!(DeleteExperimentTag { experiment_id: Option<String>, key: Option<String> });
impl DeleteExperimentTag {
    pub fn key(&self) -> Result<&str, ApiError> {
        required(&self.key, "key")
    }
}

has_experiment_id!(
    GetExperiment,
    DeleteExperiment,
    RestoreExperiment,
    UpdateExperiment,
    SetExperimentTag,
    DeleteExperimentTag
);

// -------------------------------------------------------------------------------------- runs

request!(CreateRun {
    experiment_id: Option<String>,
    user_id: Option<String>,
    run_name: Option<String>,
    start_time: Option<I64>,
    tags: Vec<KeyValue>,
});

#[derive(Debug, Clone, Serialize)]
pub struct RunResponse {
    pub run: Run,
}

request!(GetRun { run_id: Option<String>, run_uuid: Option<String> });
impl GetRun {
    pub fn run_id(&self) -> Result<&str, ApiError> {
        run_id_or_uuid(&self.run_id, &self.run_uuid)
    }
}

request!(UpdateRun {
    run_id: Option<String>,
    run_uuid: Option<String>,
    status: Option<RunStatus>,
    end_time: Option<I64>,
    run_name: Option<String>,
});
impl UpdateRun {
    pub fn run_id(&self) -> Result<&str, ApiError> {
        run_id_or_uuid(&self.run_id, &self.run_uuid)
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct UpdateRunResponse {
    pub run_info: RunInfo,
}

request!(DeleteRun { run_id: Option<String> });
request!(RestoreRun { run_id: Option<String> });
impl DeleteRun {
    pub fn run_id(&self) -> Result<&str, ApiError> {
        required(&self.run_id, "run_id")
    }
}
impl RestoreRun {
    pub fn run_id(&self) -> Result<&str, ApiError> {
        required(&self.run_id, "run_id")
    }
}

request!(SearchRuns {
    experiment_ids: OneOrMany<String>,
    filter: Option<String>,
    run_view_type: Option<ViewType>,
    max_results: Option<I64>,
    order_by: OneOrMany<String>,
    page_token: Option<String>,
});

#[derive(Debug, Clone, Serialize)]
pub struct SearchRunsResponse {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub runs: Vec<Run>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_page_token: Option<String>,
}

// -------------------------------------------------------------------- metrics, params, tags

/// LogMetric: the metric's fields sit at the top level beside `run_id`. They are spelled out
/// (decoded through [`LogMetricFields`]) rather than flattened, because a flattened field
/// loses its name in decode errors, which MLflow's type-error message needs.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(from = "LogMetricFields")]
pub struct LogMetric {
    pub run_id: Option<String>,
    pub run_uuid: Option<String>,
    pub metric: Metric,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
struct LogMetricFields {
    run_id: Option<String>,
    run_uuid: Option<String>,
    key: Option<String>,
    value: Option<F64>,
    timestamp: Option<I64>,
    step: Option<I64>,
    dataset_name: Option<String>,
    dataset_digest: Option<String>,
    model_id: Option<String>,
}

impl From<LogMetricFields> for LogMetric {
    fn from(f: LogMetricFields) -> Self {
        Self {
            run_id: f.run_id,
            run_uuid: f.run_uuid,
            metric: Metric {
                key: f.key,
                value: f.value,
                timestamp: f.timestamp,
                step: f.step,
                dataset_name: f.dataset_name,
                dataset_digest: f.dataset_digest,
                model_id: f.model_id,
                run_id: None,
            },
        }
    }
}
impl LogMetric {
    pub fn run_id(&self) -> Result<&str, ApiError> {
        run_id_or_uuid(&self.run_id, &self.run_uuid)
    }
}

request!(LogParam { run_id: Option<String>, run_uuid: Option<String>, key: Option<String>, value: Option<String> });
request!(SetTag { run_id: Option<String>, run_uuid: Option<String>, key: Option<String>, value: Option<String> });
macro_rules! key_value_request {
    ($($t:ty),*) => {$(
        impl $t {
            pub fn run_id(&self) -> Result<&str, ApiError> {
                run_id_or_uuid(&self.run_id, &self.run_uuid)
            }
            /// An absent value is the empty string, as the official server decodes the proto
            /// (its schema does not require `value`).
            pub fn tag(&self) -> Result<ferroflow_core::Tag, ApiError> {
                let key = required(&self.key, "key")?;
                Ok(ferroflow_core::Tag::new(key, self.value.as_deref().unwrap_or("")))
            }
        }
    )*};
}
key_value_request!(LogParam, SetTag);

request!(DeleteTag { run_id: Option<String>, key: Option<String> });
impl DeleteTag {
    pub fn run_id(&self) -> Result<&str, ApiError> {
        required(&self.run_id, "run_id")
    }
    pub fn key(&self) -> Result<&str, ApiError> {
        required(&self.key, "key")
    }
}

request!(LogBatch { run_id: Option<String>, metrics: Vec<Metric>, params: Vec<KeyValue>, tags: Vec<KeyValue> });
impl LogBatch {
    pub fn run_id(&self) -> Result<&str, ApiError> {
        required(&self.run_id, "run_id")
    }
}

request!(LogInputs { run_id: Option<String>, datasets: Vec<DatasetInput>, models: Vec<ModelInput> });
impl LogInputs {
    pub fn run_id(&self) -> Result<&str, ApiError> {
        required(&self.run_id, "run_id")
    }
}

request!(LogOutputs { run_id: Option<String>, models: Option<Vec<ModelOutput>> });
impl LogOutputs {
    pub fn run_id(&self) -> Result<&str, ApiError> {
        required(&self.run_id, "run_id")
    }
}

request!(GetMetricHistory {
    run_id: Option<String>,
    run_uuid: Option<String>,
    metric_key: Option<String>,
    page_token: Option<String>,
    max_results: Option<I64>,
});
impl GetMetricHistory {
    pub fn run_id(&self) -> Result<&str, ApiError> {
        run_id_or_uuid(&self.run_id, &self.run_uuid)
    }
    pub fn metric_key(&self) -> Result<&str, ApiError> {
        required(&self.metric_key, "metric_key")
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct MetricsResponse {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub metrics: Vec<Metric>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_page_token: Option<String>,
}

request!(GetMetricHistoryBulkInterval {
    run_ids: OneOrMany<String>,
    metric_key: Option<String>,
    start_step: Option<I64>,
    end_step: Option<I64>,
    max_results: Option<I64>,
});
impl GetMetricHistoryBulkInterval {
    pub fn metric_key(&self) -> Result<&str, ApiError> {
        required(&self.metric_key, "metric_key")
    }
}

request!(
    /// The UI-only bulk read, outside the proto: repeated `run_id`.
    GetMetricHistoryBulk { run_id: OneOrMany<String>, metric_key: Option<String>, max_results: Option<I64> });
impl GetMetricHistoryBulk {
    pub fn metric_key(&self) -> Result<&str, ApiError> {
        self.metric_key.as_deref().ok_or_else(|| {
            ApiError::invalid("GetMetricHistoryBulk request must specify a metric_key.")
        })
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct MetricsWithRunIdResponse {
    /// The UI-only bulk endpoint always sends the list, even when empty.
    pub metrics: Vec<MetricWithRunId>,
}

#[derive(Debug, Clone, Serialize)]
pub struct BulkIntervalResponse {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub metrics: Vec<MetricWithRunId>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::{from_json_body, from_query};
    use serde_json::json;

    #[test]
    fn get_run_prefers_run_id_then_run_uuid() {
        let r: GetRun = from_query("run_uuid=abc").unwrap();
        assert_eq!(r.run_id().unwrap(), "abc");
        let r: GetRun = from_query("run_uuid=abc&run_id=def").unwrap();
        assert_eq!(r.run_id().unwrap(), "def");
        let e = from_query::<GetRun>("").unwrap().run_id().unwrap_err();
        assert!(
            e.message
                .starts_with("Missing value for required parameter 'run_id'")
        );
    }

    #[test]
    fn log_metric_flattened_fields() {
        let r: LogMetric = from_json_body(
            br#"{"run_id":"r","key":"k","value":"NaN","timestamp":"5","step":2,"model_id":"m-1"}"#,
        )
        .unwrap();
        let m = r.metric.into_core("").unwrap();
        assert!(m.value.is_nan());
        assert_eq!((m.timestamp, m.step), (5, 2));
        assert_eq!(m.model_id.as_deref(), Some("m-1"));
        let r: LogMetric = from_json_body(br#"{"run_id":"r","key":"k","value":1}"#).unwrap();
        let e = r.metric.into_core("").unwrap_err();
        assert!(e.message.contains("'timestamp'"));
        // Type errors name the field as MLflow does.
        let e = from_json_body::<LogMetric>(br#"{"run_id":"r","key":5,"value":1}"#).unwrap_err();
        assert!(
            e.message.starts_with(
                "Invalid value 5 for parameter 'key' supplied:  Hint: Value was of type 'int'."
            ),
            "{}",
            e.message
        );
        let e = from_json_body::<LogMetric>(br#"{"key":"k","value":"abc"}"#).unwrap_err();
        assert!(
            e.message.starts_with("Invalid value \"abc\" for parameter 'value' supplied:  Hint: Value was of type 'str'."),
            "{}",
            e.message
        );
    }

    #[test]
    fn log_batch_paths_in_messages() {
        let r: LogBatch = from_json_body(br#"{"run_id":"r","metrics":[{"key":"a","value":1,"timestamp":1},{"value":1,"timestamp":1}]}"#).unwrap();
        let mut it = r.metrics.into_iter();
        assert!(it.next().unwrap().into_core("metrics[0]").is_ok());
        let e = it.next().unwrap().into_core("metrics[1]").unwrap_err();
        assert!(e.message.contains("'metrics[1].key'"), "{}", e.message);
    }

    #[test]
    fn enums_and_repeated_fields_from_queries() {
        let r: SearchRuns =
            from_query("experiment_ids=1&run_view_type=ALL&max_results=5&order_by=a").unwrap();
        assert_eq!(r.experiment_ids.0, vec!["1"]);
        assert_eq!(r.run_view_type, Some(ViewType::All));
        assert_eq!(r.max_results, Some(I64(5)));
        let r: SearchExperiments = from_json_body(br#"{"view_type":3,"max_results":"7"}"#).unwrap();
        assert_eq!(r.view_type, Some(ViewType::All));
        let r: UpdateRun = from_json_body(br#"{"run_id":"x","status":3,"end_time":"9"}"#).unwrap();
        assert_eq!(r.status, Some(RunStatus::Finished));
        assert!(from_json_body::<UpdateRun>(br#"{"status":"DONE"}"#).is_err());
    }

    #[test]
    fn responses_serialize_like_mlflow() {
        let m = Metric::from_core(
            &ferroflow_core::Metric::new("k", f64::INFINITY, 1, 0),
            Some("r"),
        );
        let v = serde_json::to_value(MetricsResponse {
            metrics: vec![m],
            next_page_token: None,
        })
        .unwrap();
        assert_eq!(
            v,
            json!({"metrics":[{"key":"k","value":"Infinity","timestamp":1,"step":0,"run_id":"r"}]})
        );
        let v = serde_json::to_value(SearchRunsResponse {
            runs: vec![],
            next_page_token: None,
        })
        .unwrap();
        assert_eq!(v, json!({}));
    }
}
