//! Storage of MLflow 3 logged models (filled in by the logged-models work).

use async_trait::async_trait;

/// Everything about MLflow 3 logged models that the server persists.
#[async_trait]
pub trait LoggedModelStore: Send + Sync + 'static {}
