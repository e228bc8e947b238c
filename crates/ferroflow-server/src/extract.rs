//! The request extractor of the tracking API: decodes a GET query string or a JSON body into
//! a `ferroflow-api` request struct, and reports every failure in MLflow's JSON error format
//! (axum's own rejections are plain text, which the client cannot parse).

use crate::HttpError;
use axum::extract::{FromRequest, Request};
use axum::http::{Method, header};
use ferroflow_api::{ApiError, ErrorCode, decode};
use serde::de::DeserializeOwned;

/// Upper bound on a request body. MLflow itself does not limit log-batch bodies by size (its
/// "1,000,000 bytes" check counts dict keys, so 1.1 MB bodies pass on the official server);
/// the entity-count limits bound them instead. This only stops absurd uploads.
pub const MAX_BODY_BYTES: usize = 64 * 1024 * 1024;

/// A decoded request. GET reads the query string; every other method reads a JSON body.
#[derive(Debug)]
pub struct Wire<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Send + 'static> FromRequest<S> for Wire<T> {
    type Rejection = HttpError;

    async fn from_request(req: Request, _state: &S) -> Result<Self, Self::Rejection> {
        if req.method() == Method::GET {
            let query = req.uri().query().unwrap_or("");
            return Ok(Self(decode::from_query(query)?));
        }
        // Like the official server, only POST/PUT must declare JSON; DELETE/PATCH bodies are
        // read regardless.
        if matches!(*req.method(), Method::POST | Method::PUT) {
            check_content_type(&req)?;
        }
        let body = axum::body::to_bytes(req.into_body(), MAX_BODY_BYTES)
            .await
            .map_err(|_| {
                ApiError::invalid(format!(
                    "Request body exceeds the limit of {MAX_BODY_BYTES} bytes."
                ))
            })?;
        if body.len() <= BLOCKING_DECODE_BYTES {
            return Ok(Self(decode::from_json_body(&body)?));
        }
        // Parsing tens of megabytes takes long enough to stall every other request on this
        // executor thread (a `/health` probe included), so big bodies go to the blocking pool.
        let decoded = tokio::task::spawn_blocking(move || decode::from_json_body::<T>(&body))
            .await
            .map_err(|e| ApiError::new(ErrorCode::InternalError, e.to_string()))??;
        Ok(Self(decoded))
    }
}

/// Bodies above this are decoded off the async executor. Below it, decoding takes well under a
/// millisecond and a thread hand-off would cost more than it saves.
pub const BLOCKING_DECODE_BYTES: usize = 256 * 1024;

fn check_content_type(req: &Request) -> Result<(), ApiError> {
    let Some(ct) = req.headers().get(header::CONTENT_TYPE) else {
        return Err(ApiError::invalid(
            "Bad Request. Content-Type header is missing.",
        ));
    };
    let essence = ct
        .to_str()
        .unwrap_or("")
        .split(';')
        .next()
        .unwrap_or("")
        .trim();
    if !essence.eq_ignore_ascii_case("application/json") {
        return Err(ApiError::invalid(
            "Bad Request. Content-Type must be one of ['application/json'].",
        ));
    }
    Ok(())
}
