//! Thin handlers, one module per resource: decode (via [`crate::extract::Wire`]), call one
//! service function, encode.

pub mod charts;
pub mod experiments;
pub mod logged_models;
pub mod meta;
pub mod metrics;
pub mod registry;
pub mod runs;

use crate::HttpError;
use axum::Json;

pub type HandlerResult<T> = Result<Json<T>, HttpError>;
