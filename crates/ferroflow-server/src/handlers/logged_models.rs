//! `/logged-models…` endpoints (MLflow 3 logged models).

use super::HandlerResult;
use crate::AppState;
use crate::HttpError;
use crate::extract::Wire;
use axum::Json;
use axum::extract::{Path, State};
use ferroflow_api::entities::tags_into_core;
use ferroflow_api::logged_models::{
    CreateLoggedModel, DeleteLoggedModel, FileInfo, FinalizeLoggedModel, GetLoggedModel,
    ListLoggedModelArtifacts, ListLoggedModelArtifactsResponse, LogLoggedModelParams, LoggedModel,
    LoggedModelResponse, SearchLoggedModels, SearchLoggedModelsResponse, SetLoggedModelTags,
    decode_page_token, encode_page_token,
};
use ferroflow_api::tracking::Empty;
use ferroflow_api::{ApiError, ErrorCode};
use ferroflow_artifacts::{ArtifactError, ArtifactPath};
use ferroflow_service::logged_models as svc;

pub async fn create(
    State(s): State<AppState>,
    Wire(r): Wire<CreateLoggedModel>,
) -> HandlerResult<LoggedModelResponse> {
    let req = svc::CreateLoggedModel {
        experiment_id: r.experiment_id()?.to_owned(),
        params: r.params()?,
        tags: r.tags()?,
        name: r.name,
        model_type: r.model_type,
        source_run_id: r.source_run_id,
    };
    let model = s.logged_models.create_logged_model(req).await?;
    Ok(Json(LoggedModelResponse::from(&model)))
}

pub async fn get(
    State(s): State<AppState>,
    Path(model_id): Path<String>,
    Wire(r): Wire<GetLoggedModel>,
) -> HandlerResult<LoggedModelResponse> {
    let allow_deleted = r.allow_deleted.is_some_and(|b| b.0);
    let model = s
        .logged_models
        .get_logged_model(&model_id, allow_deleted)
        .await?;
    Ok(Json(LoggedModelResponse::from(&model)))
}

pub async fn finalize(
    State(s): State<AppState>,
    Path(model_id): Path<String>,
    Wire(r): Wire<FinalizeLoggedModel>,
) -> HandlerResult<LoggedModelResponse> {
    let model_id = r.model_id(&model_id)?;
    let model = s
        .logged_models
        .finalize_logged_model(model_id, r.status()?)
        .await?;
    Ok(Json(LoggedModelResponse::from(&model)))
}

pub async fn delete(
    State(s): State<AppState>,
    Path(model_id): Path<String>,
    Wire(_): Wire<DeleteLoggedModel>,
) -> HandlerResult<Empty> {
    s.logged_models.delete_logged_model(&model_id).await?;
    Ok(Json(Empty {}))
}

pub async fn set_tags(
    State(s): State<AppState>,
    Path(model_id): Path<String>,
    Wire(r): Wire<SetLoggedModelTags>,
) -> HandlerResult<Empty> {
    let tags = tags_into_core(r.tags, "tags")?;
    s.logged_models
        .set_logged_model_tags(&model_id, tags)
        .await?;
    Ok(Json(Empty {}))
}

/// The key is the rest of the path: the client does not URL-encode it, so it may contain dots
/// and slashes.
pub async fn delete_tag(
    State(s): State<AppState>,
    Path((model_id, tag_key)): Path<(String, String)>,
    Wire(_): Wire<DeleteLoggedModel>,
) -> HandlerResult<Empty> {
    s.logged_models
        .delete_logged_model_tag(&model_id, &tag_key)
        .await?;
    Ok(Json(Empty {}))
}

pub async fn log_params(
    State(s): State<AppState>,
    Path(model_id): Path<String>,
    Wire(r): Wire<LogLoggedModelParams>,
) -> HandlerResult<Empty> {
    let params = tags_into_core(r.params, "params")?;
    s.logged_models
        .log_logged_model_params(&model_id, params)
        .await?;
    Ok(Json(Empty {}))
}

pub async fn search(
    State(s): State<AppState>,
    Wire(r): Wire<SearchLoggedModels>,
) -> HandlerResult<SearchLoggedModelsResponse> {
    let order_by = r.order_by()?;
    let experiment_ids = r.experiment_ids.0.clone();
    let filter = r.filter().map(str::to_owned);
    let offset = decode_page_token(
        r.page_token.as_deref(),
        &experiment_ids,
        filter.as_deref(),
        &order_by,
    )?;
    let req = svc::SearchLoggedModels {
        experiment_ids: experiment_ids.clone(),
        filter: filter.clone(),
        datasets: r
            .datasets
            .into_iter()
            .map(|d| (d.dataset_name, d.dataset_digest))
            .collect(),
        order_by: order_by
            .iter()
            .map(|o| svc::LoggedModelOrderBy {
                field_name: o.field_name.clone(),
                ascending: o.ascending,
                dataset_name: o.dataset_name.clone(),
                dataset_digest: o.dataset_digest.clone(),
            })
            .collect(),
        max_results: r.max_results.map(|v| v.0),
        offset,
    };
    let page = s.logged_models.search_logged_models(req).await?;
    Ok(Json(SearchLoggedModelsResponse {
        models: page.items.iter().map(LoggedModel::from).collect(),
        next_page_token: page
            .next_offset
            .map(|o| encode_page_token(&experiment_ids, filter.as_deref(), &order_by, o)),
    }))
}

fn artifact_error(e: ArtifactError) -> HttpError {
    let api = match e {
        ArtifactError::InvalidPath { reason, .. } => {
            ApiError::invalid(format!("Invalid path: {reason}"))
        }
        ArtifactError::NotFound(_) | ArtifactError::IsDirectory(_) => {
            // A missing directory lists as empty in MLflow; the repo already does that, so
            // these only arise from races and are reported as bad input, not server faults.
            ApiError::invalid(e.to_string())
        }
        ArtifactError::Unsupported(m) => ApiError::new(ErrorCode::NotImplemented, m),
        e @ ArtifactError::Io(_) => ApiError::new(ErrorCode::InternalError, e.to_string()),
    };
    HttpError(api)
}

/// Lists a logged model's artifacts from the server's artifact repository. Only models whose
/// artifacts are proxied (`mlflow-artifacts:` URIs) can be listed here; the client lists the
/// others directly, so they get `NOT_IMPLEMENTED`.
pub async fn list_artifacts(
    State(s): State<AppState>,
    Path(model_id): Path<String>,
    Wire(r): Wire<ListLoggedModelArtifacts>,
) -> Result<Json<ListLoggedModelArtifactsResponse>, HttpError> {
    let sub = r
        .artifact_directory_path
        .as_deref()
        .map(|p| p.trim_matches('/'))
        .filter(|p| !p.is_empty());
    if let Some(p) = sub {
        ArtifactPath::parse(p).map_err(artifact_error)?;
    }
    let model = s.logged_models.get_logged_model(&model_id, false).await?;
    let not_served = || {
        HttpError(ApiError::new(
            ErrorCode::NotImplemented,
            format!(
                "Listing the artifacts of logged model '{model_id}' at '{}' is not supported by \
                 this server; list them through the artifact store directly.",
                model.artifact_uri
            ),
        ))
    };
    let repo = s.artifacts.as_ref().ok_or_else(not_served)?;
    let path = svc::proxied_artifact_path(&model.artifact_uri, sub).ok_or_else(not_served)?;
    let dir = if path.is_empty() {
        None
    } else {
        Some(ArtifactPath::parse(&path).map_err(artifact_error)?)
    };
    let files = repo.list(dir.as_ref()).await.map_err(artifact_error)?;
    let files = files
        .into_iter()
        .map(|f| FileInfo {
            path: match sub {
                Some(sub) => format!("{sub}/{}", f.path),
                None => f.path,
            },
            file_size: if f.is_dir { None } else { f.file_size },
            is_dir: f.is_dir,
        })
        .collect();
    Ok(Json(ListLoggedModelArtifactsResponse {
        root_uri: model.artifact_uri.clone(),
        files,
    }))
}
