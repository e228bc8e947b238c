//! How an [`ApiError`] becomes an HTTP response in MLflow's error format.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use ferroflow_api::{ApiError, ErrorCode};

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
        // An internal error's text comes from below (IO, drivers) and may name server paths or
        // SQL; the client only learns that it happened.
        if self.0.code == ErrorCode::InternalError {
            let generic = ApiError::new(
                ErrorCode::InternalError,
                "Internal server error; the server log has the details.",
            );
            return (status, axum::Json(generic.body())).into_response();
        }
        (status, axum::Json(self.0.body())).into_response()
    }
}
