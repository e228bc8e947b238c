//! How an [`ApiError`] becomes an HTTP response in MLflow's error format.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use ferroflow_api::ApiError;

/// The error type every handler returns; anything convertible to [`ApiError`] converts into it.
#[derive(Debug)]
pub struct HttpError(pub ApiError);

impl<E: Into<ApiError>> From<E> for HttpError {
    fn from(e: E) -> Self {
        Self(e.into())
    }
}

impl IntoResponse for HttpError {
    fn into_response(self) -> Response {
        let status =
            StatusCode::from_u16(self.0.http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        if status.is_server_error() {
            tracing::error!(code = self.0.code.as_str(), message = %self.0.message, "request failed");
        }
        (status, axum::Json(self.0.body())).into_response()
    }
}
