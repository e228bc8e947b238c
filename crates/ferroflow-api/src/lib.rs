//! The MLflow JSON wire contract.
//!
//! Request and response types mirror MLflow's protobuf messages field by field (snake_case
//! names), with the leniencies the official client relies on: int64 as number or string, doubles
//! as numbers or `"NaN"`/`"Infinity"`, enums by name or number, and GET query strings decoded
//! into the same structs. Conversions to and from `ferroflow-core` types live here too, so
//! neither the domain nor the handlers know JSON.

pub mod charts;
pub mod de;
pub mod decode;
pub mod entities;
pub mod error;
pub mod logged_models;
pub mod registry;
pub mod token;
pub mod tracking;

pub use error::{ApiError, ErrorCode};
pub use tracking::MLFLOW_COMPAT_VERSION;
