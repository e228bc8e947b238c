//! Wire types of the UI's chart reads (not part of MLflow's protocol; served under both
//! `/api/2.0/mlflow` and `/ajax-api/2.0/mlflow` like every other tracking route).

use crate::de::{F64, I64, OneOrMany};
use serde::{Deserialize, Serialize};

/// `GET /metrics/get-history-downsampled?run_id=…&run_id=…&metric_key=…&buckets=…&x_axis=…`
/// `[&x_min=…&x_max=…]`. Validation (and its messages) belongs to the service.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct GetMetricHistoryDownsampled {
    #[serde(default)]
    pub run_id: OneOrMany<String>,
    #[serde(default)]
    pub metric_key: Option<String>,
    #[serde(default)]
    pub buckets: Option<I64>,
    #[serde(default)]
    pub x_axis: Option<String>,
    #[serde(default)]
    pub x_min: Option<I64>,
    #[serde(default)]
    pub x_max: Option<I64>,
}

/// One stored point; `value` follows the metric JSON (`"NaN"`, `"Infinity"`, `"-Infinity"`).
#[derive(Debug, Clone, Serialize)]
pub struct DownsampledPoint {
    pub step: I64,
    pub timestamp: I64,
    pub value: F64,
}

#[derive(Debug, Clone, Serialize)]
pub struct DownsampledSeries {
    pub run_id: String,
    /// Points of the history inside the requested range, before reduction.
    pub total_points: I64,
    /// Always present (possibly empty) so the UI can tell "no data" from a missing run.
    pub points: Vec<DownsampledPoint>,
}

#[derive(Debug, Clone, Serialize)]
pub struct GetMetricHistoryDownsampledResponse {
    pub metric_key: String,
    pub x_axis: String,
    pub buckets: I64,
    pub series: Vec<DownsampledSeries>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::from_query;
    use serde_json::json;

    #[test]
    fn decodes_repeated_run_ids_and_numbers() {
        let r: GetMetricHistoryDownsampled = from_query(
            "run_id=a&run_id=b&metric_key=loss&buckets=640&x_axis=timestamp&x_min=-5&x_max=9",
        )
        .unwrap();
        assert_eq!(r.run_id.0, vec!["a", "b"]);
        assert_eq!(r.buckets, Some(I64(640)));
        assert_eq!((r.x_min, r.x_max), (Some(I64(-5)), Some(I64(9))));
        let one: GetMetricHistoryDownsampled = from_query("run_id=a&metric_key=m").unwrap();
        assert_eq!(one.run_id.0, vec!["a"]);
        assert!(from_query::<GetMetricHistoryDownsampled>("buckets=abc").is_err());
    }

    #[test]
    fn non_finite_values_use_the_metric_spelling() {
        let p = DownsampledPoint {
            step: I64(1),
            timestamp: I64(2),
            value: F64(f64::NAN),
        };
        assert_eq!(
            serde_json::to_value(p).unwrap(),
            json!({"step": 1, "timestamp": 2, "value": "NaN"})
        );
    }
}
