//! `/experiments/...` endpoints.

use super::HandlerResult;
use crate::AppState;
use crate::extract::Wire;
use axum::Json;
use axum::extract::State;
use ferroflow_api::entities::{Experiment, ViewType, tags_into_core};
use ferroflow_api::token;
use ferroflow_api::tracking::{
    CreateExperiment, CreateExperimentResponse, DeleteExperiment, DeleteExperimentTag, Empty,
    ExperimentResponse, GetExperiment, GetExperimentByName, HasExperimentId, RestoreExperiment,
    SearchExperiments, SearchExperimentsResponse, SetExperimentTag, UpdateExperiment,
};
use ferroflow_service::SearchExperiments as Search;

pub async fn create(
    State(s): State<AppState>,
    Wire(r): Wire<CreateExperiment>,
) -> HandlerResult<CreateExperimentResponse> {
    let name = r.name()?;
    let tags = tags_into_core(r.tags.clone(), "tags")?;
    let id = s
        .tracking
        .create_experiment(name, r.artifact_location.as_deref(), tags)
        .await?;
    Ok(Json(CreateExperimentResponse {
        experiment_id: id.to_string(),
    }))
}

pub async fn get(
    State(s): State<AppState>,
    Wire(r): Wire<GetExperiment>,
) -> HandlerResult<ExperimentResponse> {
    let e = s.tracking.get_experiment(r.experiment_id()?).await?;
    Ok(Json(ExperimentResponse {
        experiment: Experiment::from(&e),
    }))
}

pub async fn get_by_name(
    State(s): State<AppState>,
    Wire(r): Wire<GetExperimentByName>,
) -> HandlerResult<ExperimentResponse> {
    let e = s
        .tracking
        .get_experiment_by_name(r.experiment_name()?)
        .await?;
    Ok(Json(ExperimentResponse {
        experiment: Experiment::from(&e),
    }))
}

pub async fn search(
    State(s): State<AppState>,
    Wire(r): Wire<SearchExperiments>,
) -> HandlerResult<SearchExperimentsResponse> {
    let offset = token::decode_offset(r.page_token.as_deref())?;
    let page = s
        .tracking
        .search_experiments(Search {
            filter: r.filter,
            order_by: r.order_by.0,
            view_type: r.view_type.unwrap_or(ViewType::ActiveOnly).into(),
            max_results: r.max_results.map(|v| v.0),
            offset,
        })
        .await?;
    Ok(Json(SearchExperimentsResponse {
        experiments: page.items.iter().map(Experiment::from).collect(),
        next_page_token: page.next_offset.map(token::encode_offset),
    }))
}

pub async fn update(
    State(s): State<AppState>,
    Wire(r): Wire<UpdateExperiment>,
) -> HandlerResult<Empty> {
    s.tracking
        .rename_experiment(r.experiment_id()?, r.new_name()?)
        .await?;
    Ok(Json(Empty {}))
}

pub async fn delete(
    State(s): State<AppState>,
    Wire(r): Wire<DeleteExperiment>,
) -> HandlerResult<Empty> {
    s.tracking.delete_experiment(r.experiment_id()?).await?;
    Ok(Json(Empty {}))
}

pub async fn restore(
    State(s): State<AppState>,
    Wire(r): Wire<RestoreExperiment>,
) -> HandlerResult<Empty> {
    s.tracking.restore_experiment(r.experiment_id()?).await?;
    Ok(Json(Empty {}))
}

pub async fn set_tag(
    State(s): State<AppState>,
    Wire(r): Wire<SetExperimentTag>,
) -> HandlerResult<Empty> {
    let value = r.value.as_deref().unwrap_or("");
    s.tracking
        .set_experiment_tag(r.experiment_id()?, r.key()?, value)
        .await?;
    Ok(Json(Empty {}))
}

pub async fn delete_tag(
    State(s): State<AppState>,
    Wire(r): Wire<DeleteExperimentTag>,
) -> HandlerResult<Empty> {
    s.tracking
        .delete_experiment_tag(r.experiment_id()?, r.key()?)
        .await?;
    Ok(Json(Empty {}))
}
