//! Storage of the model registry (filled in by the registry work).

use async_trait::async_trait;

/// Registered models, their versions, tags and aliases.
#[async_trait]
pub trait RegistryStore: Send + Sync + 'static {}
