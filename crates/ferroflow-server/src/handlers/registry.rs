//! `/registered-models/...` and `/model-versions/...` endpoints (reference §4).

use super::HandlerResult;
use crate::AppState;
use crate::extract::Wire;
use axum::Json;
use axum::extract::State;
use ferroflow_api::entities::tags_into_core;
use ferroflow_api::registry::{
    CreateModelVersion, CreateRegisteredModel, DeleteModelVersion, DeleteModelVersionTag,
    DeleteRegisteredModel, DeleteRegisteredModelAlias, DeleteRegisteredModelTag,
    DownloadUriResponse, GetLatestVersions, GetModelVersion, GetModelVersionByAlias,
    GetModelVersionDownloadUri, GetRegisteredModel, ModelVersion, ModelVersionResponse,
    ModelVersionsResponse, RegisteredModel, RegisteredModelResponse, RenameRegisteredModel,
    SearchModelVersions, SearchModelVersionsResponse, SearchRegisteredModels,
    SearchRegisteredModelsResponse, SetModelVersionTag, SetRegisteredModelAlias,
    SetRegisteredModelTag, TransitionModelVersionStage, UpdateModelVersion, UpdateRegisteredModel,
};
use ferroflow_api::token;
use ferroflow_api::tracking::Empty;
use ferroflow_service::registry::{CreateModelVersion as Create, SearchRegistry};

fn model(m: &ferroflow_core::registry::RegisteredModel) -> Json<RegisteredModelResponse> {
    Json(RegisteredModelResponse {
        registered_model: RegisteredModel::from(m),
    })
}

fn version(v: &ferroflow_core::registry::ModelVersion) -> Json<ModelVersionResponse> {
    Json(ModelVersionResponse {
        model_version: ModelVersion::from(v),
    })
}

// ------------------------------------------------------------------------ registered models

pub async fn create_model(
    State(s): State<AppState>,
    Wire(r): Wire<CreateRegisteredModel>,
) -> HandlerResult<RegisteredModelResponse> {
    let tags = tags_into_core(r.tags.clone(), "tags")?;
    let m = s
        .registry
        .create_registered_model(r.name()?, tags, r.description.clone())
        .await?;
    Ok(model(&m))
}

pub async fn get_model(
    State(s): State<AppState>,
    Wire(r): Wire<GetRegisteredModel>,
) -> HandlerResult<RegisteredModelResponse> {
    Ok(model(&s.registry.get_registered_model(r.name()?).await?))
}

pub async fn rename_model(
    State(s): State<AppState>,
    Wire(r): Wire<RenameRegisteredModel>,
) -> HandlerResult<RegisteredModelResponse> {
    let new_name = r.new_name.as_deref().unwrap_or("");
    Ok(model(
        &s.registry
            .rename_registered_model(r.name()?, new_name)
            .await?,
    ))
}

pub async fn update_model(
    State(s): State<AppState>,
    Wire(r): Wire<UpdateRegisteredModel>,
) -> HandlerResult<RegisteredModelResponse> {
    Ok(model(
        &s.registry
            .update_registered_model(r.name()?, r.description.clone())
            .await?,
    ))
}

pub async fn delete_model(
    State(s): State<AppState>,
    Wire(r): Wire<DeleteRegisteredModel>,
) -> HandlerResult<Empty> {
    s.registry.delete_registered_model(r.name()?).await?;
    Ok(Json(Empty {}))
}

pub async fn search_models(
    State(s): State<AppState>,
    Wire(r): Wire<SearchRegisteredModels>,
) -> HandlerResult<SearchRegisteredModelsResponse> {
    let offset = token::decode_offset(r.page_token.as_deref())?;
    let page = s
        .registry
        .search_registered_models(SearchRegistry {
            filter: r.filter,
            order_by: r.order_by.0,
            max_results: r.max_results.map(|v| v.0),
            offset,
        })
        .await?;
    Ok(Json(SearchRegisteredModelsResponse {
        registered_models: page.items.iter().map(RegisteredModel::from).collect(),
        next_page_token: page.next_offset.map(token::encode_offset),
    }))
}

pub async fn latest_versions(
    State(s): State<AppState>,
    Wire(r): Wire<GetLatestVersions>,
) -> HandlerResult<ModelVersionsResponse> {
    let versions = s
        .registry
        .get_latest_versions(r.name()?, &r.stages.0)
        .await?;
    Ok(Json(ModelVersionsResponse {
        model_versions: versions.iter().map(ModelVersion::from).collect(),
    }))
}

pub async fn set_model_tag(
    State(s): State<AppState>,
    Wire(r): Wire<SetRegisteredModelTag>,
) -> HandlerResult<Empty> {
    let value = r.value.as_deref().unwrap_or("");
    s.registry
        .set_registered_model_tag(r.name()?, r.key()?, value)
        .await?;
    Ok(Json(Empty {}))
}

pub async fn delete_model_tag(
    State(s): State<AppState>,
    Wire(r): Wire<DeleteRegisteredModelTag>,
) -> HandlerResult<Empty> {
    s.registry
        .delete_registered_model_tag(r.name()?, r.key()?)
        .await?;
    Ok(Json(Empty {}))
}

// -------------------------------------------------------------------------------- aliases

pub async fn set_alias(
    State(s): State<AppState>,
    Wire(r): Wire<SetRegisteredModelAlias>,
) -> HandlerResult<Empty> {
    s.registry
        .set_registered_model_alias(r.name()?, r.alias()?, r.version()?)
        .await?;
    Ok(Json(Empty {}))
}

pub async fn delete_alias(
    State(s): State<AppState>,
    Wire(r): Wire<DeleteRegisteredModelAlias>,
) -> HandlerResult<Empty> {
    s.registry
        .delete_registered_model_alias(r.name()?, r.alias()?)
        .await?;
    Ok(Json(Empty {}))
}

pub async fn get_by_alias(
    State(s): State<AppState>,
    Wire(r): Wire<GetModelVersionByAlias>,
) -> HandlerResult<ModelVersionResponse> {
    Ok(version(
        &s.registry
            .get_model_version_by_alias(r.name()?, r.alias()?)
            .await?,
    ))
}

// ------------------------------------------------------------------------- model versions

pub async fn create_version(
    State(s): State<AppState>,
    Wire(r): Wire<CreateModelVersion>,
) -> HandlerResult<ModelVersionResponse> {
    let tags = tags_into_core(r.tags.clone(), "tags")?;
    let v = s
        .registry
        .create_model_version(Create {
            name: r.name()?.to_owned(),
            source: r.source()?.to_owned(),
            run_id: r.run_id.clone(),
            model_id: r.model_id.clone(),
            run_link: r.run_link.clone(),
            description: r.description.clone(),
            tags,
        })
        .await?;
    Ok(version(&v))
}

pub async fn get_version(
    State(s): State<AppState>,
    Wire(r): Wire<GetModelVersion>,
) -> HandlerResult<ModelVersionResponse> {
    Ok(version(
        &s.registry
            .get_model_version(r.name()?, r.version()?)
            .await?,
    ))
}

pub async fn update_version(
    State(s): State<AppState>,
    Wire(r): Wire<UpdateModelVersion>,
) -> HandlerResult<ModelVersionResponse> {
    Ok(version(
        &s.registry
            .update_model_version(r.name()?, r.version()?, r.description.clone())
            .await?,
    ))
}

pub async fn delete_version(
    State(s): State<AppState>,
    Wire(r): Wire<DeleteModelVersion>,
) -> HandlerResult<Empty> {
    s.registry
        .delete_model_version(r.name()?, r.version()?)
        .await?;
    Ok(Json(Empty {}))
}

pub async fn transition_stage(
    State(s): State<AppState>,
    Wire(r): Wire<TransitionModelVersionStage>,
) -> HandlerResult<ModelVersionResponse> {
    let archive = r.archive_existing_versions.is_some_and(|b| b.0);
    Ok(version(
        &s.registry
            .transition_model_version_stage(r.name()?, r.version()?, r.stage()?, archive)
            .await?,
    ))
}

pub async fn download_uri(
    State(s): State<AppState>,
    Wire(r): Wire<GetModelVersionDownloadUri>,
) -> HandlerResult<DownloadUriResponse> {
    let artifact_uri = s
        .registry
        .get_model_version_download_uri(r.name()?, r.version()?)
        .await?;
    Ok(Json(DownloadUriResponse { artifact_uri }))
}

pub async fn search_versions(
    State(s): State<AppState>,
    Wire(r): Wire<SearchModelVersions>,
) -> HandlerResult<SearchModelVersionsResponse> {
    let offset = token::decode_offset(r.page_token.as_deref())?;
    let page = s
        .registry
        .search_model_versions(SearchRegistry {
            filter: r.filter,
            order_by: r.order_by.0,
            max_results: r.max_results.map(|v| v.0),
            offset,
        })
        .await?;
    Ok(Json(SearchModelVersionsResponse {
        model_versions: page.items.iter().map(ModelVersion::from).collect(),
        next_page_token: page.next_offset.map(token::encode_offset),
    }))
}

pub async fn set_version_tag(
    State(s): State<AppState>,
    Wire(r): Wire<SetModelVersionTag>,
) -> HandlerResult<Empty> {
    let value = r.value.as_deref().unwrap_or("");
    s.registry
        .set_model_version_tag(r.name()?, r.version()?, r.key()?, value)
        .await?;
    Ok(Json(Empty {}))
}

pub async fn delete_version_tag(
    State(s): State<AppState>,
    Wire(r): Wire<DeleteModelVersionTag>,
) -> HandlerResult<Empty> {
    s.registry
        .delete_model_version_tag(r.name()?, r.version()?, r.key()?)
        .await?;
    Ok(Json(Empty {}))
}
