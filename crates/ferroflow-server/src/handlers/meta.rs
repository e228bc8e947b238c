//! Server metadata: `/health`, `/version`, `server-info`, and the JSON 404/405 answers.

use crate::{AppState, HttpError};
use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use ferroflow_api::{ApiError, ErrorCode, MLFLOW_COMPAT_VERSION};
use serde_json::{Value, json};

pub async fn health() -> &'static str {
    "OK"
}

/// Bare text: the client parses it as a PEP 440 version before OTLP span logging.
pub async fn version() -> &'static str {
    MLFLOW_COMPAT_VERSION
}

/// The capability object the client probes before artifact transfers (reference §3.6).
/// Multipart and presigned transfers are not offered, so the client uses plain proxy requests.
pub async fn server_info(State(s): State<AppState>) -> Json<Value> {
    Json(json!({
        "store_type": "SqlStore",
        "workspaces_enabled": false,
        "trace_archival_enabled": false,
        "multipart_uploads_enabled": false,
        "multipart_downloads_enabled": false,
        "artifact_serving_enabled": s.artifacts.is_some(),
        "artifacts_presigned_only": false,
        "presigned_upload_run_id_supported": false,
        "presigned_upload_model_id_supported": false,
        "model_artifact_presigned_downloads_supported": false,
        "features_enabled": {},
        "tracking_auth": "",
    }))
}

/// Unknown API paths answer in MLflow's JSON format so the client reads `ENDPOINT_NOT_FOUND`.
pub async fn not_found(uri: Uri) -> Response {
    HttpError(ApiError::new(
        ErrorCode::EndpointNotFound,
        format!("No API endpoint found for path {}", uri.path()),
    ))
    .into_response()
}

pub async fn method_not_allowed() -> Response {
    let body = json!({
        "error_code": "BAD_REQUEST",
        "message": "The method is not allowed for the requested URL.",
    });
    (StatusCode::METHOD_NOT_ALLOWED, Json(body)).into_response()
}
