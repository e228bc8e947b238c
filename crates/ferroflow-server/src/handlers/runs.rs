//! `/runs/...` endpoints.

use super::HandlerResult;
use crate::AppState;
use crate::extract::Wire;
use axum::Json;
use axum::extract::State;
use ferroflow_api::ApiError;
use ferroflow_api::entities::{Run, RunInfo, ViewType, tags_into_core};
use ferroflow_api::token;
use ferroflow_api::tracking::{
    CreateRun, DeleteRun, DeleteTag, Empty, GetRun, LogBatch, LogInputs, LogMetric, LogOutputs,
    LogParam, RestoreRun, RunResponse, SearchRuns, SearchRunsResponse, SetTag, UpdateRun,
    UpdateRunResponse,
};
use ferroflow_service as svc;

pub async fn create(
    State(s): State<AppState>,
    Wire(r): Wire<CreateRun>,
) -> HandlerResult<RunResponse> {
    let run = s
        .tracking
        .create_run(svc::CreateRun {
            experiment_id: r.experiment_id,
            user_id: r.user_id,
            run_name: r.run_name,
            start_time: r.start_time.map(|v| v.0),
            tags: tags_into_core(r.tags, "tags")?,
        })
        .await?;
    Ok(Json(RunResponse {
        run: Run::from(&run),
    }))
}

pub async fn get(State(s): State<AppState>, Wire(r): Wire<GetRun>) -> HandlerResult<RunResponse> {
    let run = s.tracking.get_run(r.run_id()?).await?;
    Ok(Json(RunResponse {
        run: Run::from(&run),
    }))
}

pub async fn update(
    State(s): State<AppState>,
    Wire(r): Wire<UpdateRun>,
) -> HandlerResult<UpdateRunResponse> {
    let info = s
        .tracking
        .update_run(
            r.run_id()?,
            r.status.map(Into::into),
            r.end_time.map(|v| v.0),
            r.run_name.clone(),
        )
        .await?;
    Ok(Json(UpdateRunResponse {
        run_info: RunInfo::from(&info),
    }))
}

pub async fn delete(State(s): State<AppState>, Wire(r): Wire<DeleteRun>) -> HandlerResult<Empty> {
    s.tracking.delete_run(r.run_id()?).await?;
    Ok(Json(Empty {}))
}

pub async fn restore(State(s): State<AppState>, Wire(r): Wire<RestoreRun>) -> HandlerResult<Empty> {
    s.tracking.restore_run(r.run_id()?).await?;
    Ok(Json(Empty {}))
}

pub async fn search(
    State(s): State<AppState>,
    Wire(r): Wire<SearchRuns>,
) -> HandlerResult<SearchRunsResponse> {
    let offset = token::decode_offset(r.page_token.as_deref())?;
    let page = s
        .tracking
        .search_runs(svc::SearchRuns {
            experiment_ids: r.experiment_ids.0,
            filter: r.filter,
            order_by: r.order_by.0,
            view_type: r.run_view_type.unwrap_or(ViewType::ActiveOnly).into(),
            max_results: r.max_results.map(|v| v.0),
            offset,
        })
        .await?;
    Ok(Json(SearchRunsResponse {
        runs: page.items.iter().map(Run::from).collect(),
        next_page_token: page.next_offset.map(token::encode_offset),
    }))
}

pub async fn log_metric(
    State(s): State<AppState>,
    Wire(r): Wire<LogMetric>,
) -> HandlerResult<Empty> {
    let run_id = r.run_id()?.to_owned();
    s.tracking
        .log_metric(&run_id, r.metric.into_core("")?)
        .await?;
    Ok(Json(Empty {}))
}

pub async fn log_param(State(s): State<AppState>, Wire(r): Wire<LogParam>) -> HandlerResult<Empty> {
    s.tracking.log_param(r.run_id()?, r.tag()?).await?;
    Ok(Json(Empty {}))
}

pub async fn set_tag(State(s): State<AppState>, Wire(r): Wire<SetTag>) -> HandlerResult<Empty> {
    s.tracking.set_tag(r.run_id()?, r.tag()?).await?;
    Ok(Json(Empty {}))
}

pub async fn delete_tag(
    State(s): State<AppState>,
    Wire(r): Wire<DeleteTag>,
) -> HandlerResult<Empty> {
    s.tracking.delete_tag(r.run_id()?, r.key()?).await?;
    Ok(Json(Empty {}))
}

pub async fn log_batch(State(s): State<AppState>, Wire(r): Wire<LogBatch>) -> HandlerResult<Empty> {
    let run_id = r.run_id()?.to_owned();
    let metrics = r
        .metrics
        .into_iter()
        .enumerate()
        .map(|(i, m)| m.into_core(&format!("metrics[{i}]")))
        .collect::<Result<Vec<_>, ApiError>>()?;
    let batch = svc::LogBatch {
        metrics,
        params: tags_into_core(r.params, "params")?,
        tags: tags_into_core(r.tags, "tags")?,
    };
    s.tracking.log_batch(&run_id, batch).await?;
    Ok(Json(Empty {}))
}

pub async fn log_inputs(
    State(s): State<AppState>,
    Wire(r): Wire<LogInputs>,
) -> HandlerResult<Empty> {
    let run_id = r.run_id()?.to_owned();
    let datasets = r.datasets.into_iter().map(|d| d.into_core()).collect();
    let models = r
        .models
        .into_iter()
        .filter_map(|m| m.model_id)
        .filter(|m| !m.is_empty())
        .collect();
    s.tracking.log_inputs(&run_id, datasets, models).await?;
    Ok(Json(Empty {}))
}

pub async fn log_outputs(
    State(s): State<AppState>,
    Wire(r): Wire<LogOutputs>,
) -> HandlerResult<Empty> {
    let run_id = r.run_id()?.to_owned();
    let models = r
        .models
        .ok_or_else(|| ferroflow_api::decode::missing("models"))?;
    let models = models
        .into_iter()
        .enumerate()
        .map(|(i, m)| m.into_core(&format!("models[{i}]")))
        .collect::<Result<Vec<_>, ApiError>>()?;
    s.tracking.log_outputs(&run_id, models).await?;
    Ok(Json(Empty {}))
}
