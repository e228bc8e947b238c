//! Chart reads of the web UI (`/metrics/get-history-downsampled`).

use super::HandlerResult;
use crate::AppState;
use crate::extract::Wire;
use axum::Json;
use axum::extract::State;
use ferroflow_api::charts::{
    DownsampledPoint, DownsampledSeries, GetMetricHistoryDownsampled,
    GetMetricHistoryDownsampledResponse,
};
use ferroflow_api::de::{F64, I64};
use ferroflow_service::charts::{DEFAULT_BUCKETS, Downsampled};
use ferroflow_store::DownsampleAxis;

pub async fn history_downsampled(
    State(s): State<AppState>,
    Wire(r): Wire<GetMetricHistoryDownsampled>,
) -> HandlerResult<GetMetricHistoryDownsampledResponse> {
    let req = Downsampled {
        run_ids: r.run_id.0,
        metric_key: r.metric_key,
        buckets: r.buckets.map(|v| v.0),
        x_axis: r.x_axis,
        x_min: r.x_min.map(|v| v.0),
        x_max: r.x_max.map(|v| v.0),
    };
    let metric_key = req.metric_key.clone().unwrap_or_default();
    let buckets = req.buckets.unwrap_or(DEFAULT_BUCKETS);
    let (series, axis) = s.tracking.get_metric_history_downsampled(req).await?;
    Ok(Json(GetMetricHistoryDownsampledResponse {
        metric_key,
        x_axis: match axis {
            DownsampleAxis::Step => "step",
            DownsampleAxis::Timestamp => "timestamp",
        }
        .to_owned(),
        buckets: I64(buckets),
        series: series
            .into_iter()
            .map(|x| DownsampledSeries {
                run_id: x.run_id.as_str().to_owned(),
                total_points: I64(i64::try_from(x.total_points).unwrap_or(i64::MAX)),
                points: x
                    .points
                    .into_iter()
                    .map(|p| DownsampledPoint {
                        step: I64(p.step),
                        timestamp: I64(p.timestamp),
                        value: F64(p.value),
                    })
                    .collect(),
            })
            .collect(),
    }))
}
