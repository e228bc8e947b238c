//! `/metrics/...` endpoints.

use super::HandlerResult;
use crate::AppState;
use crate::extract::Wire;
use axum::Json;
use axum::extract::State;
use ferroflow_api::entities::{Metric, MetricWithRunId};
use ferroflow_api::token::{self, HistoryPosition};
use ferroflow_api::tracking::{
    BulkIntervalResponse, GetMetricHistory, GetMetricHistoryBulk, GetMetricHistoryBulkInterval,
    MetricsResponse, MetricsWithRunIdResponse,
};
use ferroflow_service::BulkInterval;
use ferroflow_store::HistoryCursor;

pub async fn history(
    State(s): State<AppState>,
    Wire(r): Wire<GetMetricHistory>,
) -> HandlerResult<MetricsResponse> {
    let run_id = r.run_id()?;
    let key = r.metric_key()?;
    let after = token::decode_history_cursor(r.page_token.as_deref())?.map(|p| HistoryCursor {
        step: p.step,
        timestamp: p.timestamp,
        value: p.value,
    });
    let page = s
        .tracking
        .get_metric_history(run_id, key, r.max_results.map(|v| v.0), after)
        .await?;
    Ok(Json(MetricsResponse {
        metrics: page.metrics.iter().map(Metric::of_run).collect(),
        next_page_token: page.next.map(|c| {
            token::encode_history_cursor(&HistoryPosition {
                step: c.step,
                timestamp: c.timestamp,
                value: c.value,
            })
        }),
    }))
}

pub async fn bulk_interval(
    State(s): State<AppState>,
    Wire(r): Wire<GetMetricHistoryBulkInterval>,
) -> HandlerResult<BulkIntervalResponse> {
    let metric_key = r.metric_key()?.to_owned();
    let points = s
        .tracking
        .get_metric_history_bulk_interval(BulkInterval {
            run_ids: r.run_ids.0,
            metric_key,
            start_step: r.start_step.map(|v| v.0),
            end_step: r.end_step.map(|v| v.0),
            max_results: r.max_results.map(|v| v.0),
        })
        .await?;
    Ok(Json(BulkIntervalResponse {
        metrics: points.iter().map(MetricWithRunId::from).collect(),
    }))
}

pub async fn bulk(
    State(s): State<AppState>,
    Wire(r): Wire<GetMetricHistoryBulk>,
) -> HandlerResult<MetricsWithRunIdResponse> {
    let key = r.metric_key()?;
    let points = s
        .tracking
        .get_metric_history_bulk(&r.run_id.0, key, r.max_results.map(|v| v.0))
        .await?;
    Ok(Json(MetricsWithRunIdResponse {
        metrics: points.iter().map(MetricWithRunId::from).collect(),
    }))
}
