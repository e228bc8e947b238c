//! Storage behind traits.
//!
//! The server and the service layer see only `Arc<dyn TrackingStore>`; which database sits behind
//! it is decided once, by the CLI. Every implementation must pass [`conformance`], so backends
//! cannot drift apart in behaviour.

pub mod conformance;
pub mod conformance_downsample;
pub mod conformance_logged_models;
pub mod conformance_registry;
mod error;
mod logged_models;
mod registry;
mod tracking;

pub use error::{StoreError, StoreResult};
pub use logged_models::*;
pub use registry::*;
pub use tracking::*;
