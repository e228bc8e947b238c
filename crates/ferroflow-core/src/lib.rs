//! Ferroflow's domain vocabulary.
//!
//! Everything here is pure: no IO, no async, no serde and no SQL, so that the rules of MLflow's
//! data model can be read and tested without a server or a database. Wire formats live in
//! `ferroflow-api`, persistence in the store crates.

pub mod entities;
pub mod error;
pub mod registry;
pub mod search;
pub mod validation;

pub use entities::*;
pub use error::{Error, ErrorKind, Result};
