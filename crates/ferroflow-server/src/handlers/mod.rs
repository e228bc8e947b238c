//! Thin handlers, one module per resource: decode (via [`crate::extract::Wire`]), call one
//! service function, encode.

pub mod experiments;
pub mod meta;
pub mod metrics;
pub mod runs;

use crate::HttpError;
use axum::Json;

pub type HandlerResult<T> = Result<Json<T>, HttpError>;
