//! Chart reads for the web UI: metric histories reduced on the server to what a chart of a
//! given pixel width can show, so huge histories never reach the browser whole.

use crate::rules::parse_run_id;
use crate::{TrackingService, map_store};
use ferroflow_core::{Error, Result};
use ferroflow_store::{DownsampleAxis, DownsampleQuery, DownsampledSeries};

/// Runs per request, as for MLflow's bulk-interval read (the same UI use).
pub const MAX_RUNS_DOWNSAMPLED: usize = 100;
/// Buckets when the client does not say: about one per pixel of a wide chart.
pub const DEFAULT_BUCKETS: i64 = 1000;
/// Beyond a 5K screen, more buckets only cost bandwidth.
pub const MAX_BUCKETS: i64 = 5000;

/// Input of [`TrackingService::get_metric_history_downsampled`], as the client may send it.
#[derive(Debug, Clone, Default)]
pub struct Downsampled {
    pub run_ids: Vec<String>,
    pub metric_key: Option<String>,
    pub buckets: Option<i64>,
    /// `step` (default) or `timestamp`.
    pub x_axis: Option<String>,
    pub x_min: Option<i64>,
    pub x_max: Option<i64>,
}

impl TrackingService {
    /// Per-run first/last/min/max points per bucket of one metric (see
    /// [`ferroflow_store::TrackingStore::get_metric_history_downsampled`]), with the axis that
    /// was applied (the request may leave it to the default).
    pub async fn get_metric_history_downsampled(
        &self,
        req: Downsampled,
    ) -> Result<(Vec<DownsampledSeries>, DownsampleAxis)> {
        if req.run_ids.is_empty() {
            return Err(Error::invalid(
                "Missing value for required parameter 'run_id'. See the API docs for more \
                 information about request parameters.",
            ));
        }
        if req.run_ids.len() > MAX_RUNS_DOWNSAMPLED {
            return Err(Error::invalid(format!(
                "GetMetricHistoryDownsampled request must specify at most \
                 {MAX_RUNS_DOWNSAMPLED} run_ids. Received {} run_ids.",
                req.run_ids.len()
            )));
        }
        let key = match req.metric_key.as_deref() {
            Some(k) if !k.is_empty() => k.to_owned(),
            _ => {
                return Err(Error::invalid(
                    "Missing value for required parameter 'metric_key'. See the API docs for \
                     more information about request parameters.",
                ));
            }
        };
        let buckets = req.buckets.unwrap_or(DEFAULT_BUCKETS);
        if !(1..=MAX_BUCKETS).contains(&buckets) {
            return Err(Error::invalid(format!(
                "buckets must be between 1 and {MAX_BUCKETS}. Received {buckets}."
            )));
        }
        let axis = match req.x_axis.as_deref().unwrap_or("step") {
            "step" | "" => DownsampleAxis::Step,
            "timestamp" => DownsampleAxis::Timestamp,
            other => {
                return Err(Error::invalid(format!(
                    "Invalid x_axis '{other}'. Must be one of: step, timestamp."
                )));
            }
        };
        let x_range = match (req.x_min, req.x_max) {
            (None, None) => None,
            (lo, hi) => {
                let (lo, hi) = (lo.unwrap_or(i64::MIN), hi.unwrap_or(i64::MAX));
                if lo > hi {
                    return Err(Error::invalid(format!(
                        "x_max must not be less than x_min. Found x_min={lo} and x_max={hi}."
                    )));
                }
                Some((lo, hi))
            }
        };
        let run_ids = req
            .run_ids
            .iter()
            .map(|r| parse_run_id(r))
            .collect::<Result<Vec<_>>>()?;
        self.store
            .get_metric_history_downsampled(DownsampleQuery {
                run_ids,
                key,
                axis,
                buckets: u32::try_from(buckets).unwrap_or(u32::MAX),
                x_range,
            })
            .await
            .map(|series| (series, axis))
            .map_err(map_store)
    }
}
