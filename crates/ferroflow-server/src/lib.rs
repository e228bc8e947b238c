//! The HTTP face of Ferroflow: MLflow's REST API and artifact proxy on axum.
//!
//! Handlers are thin: decode the request into `ferroflow-api` types, call one service function,
//! encode the answer. MLflow's rules live in `ferroflow-service`, SQL in the store crates.

mod artifacts_proxy;
mod error;
mod extract;
mod handlers;
mod routes;
pub mod security;

use ferroflow_artifacts::ArtifactRepo;
use ferroflow_service::{LoggedModelService, RegistryService, TrackingService};
use std::sync::Arc;

pub use artifacts_proxy::artifacts_router;
pub use error::HttpError;
pub use security::SecurityConfig;

/// Everything a tracking handler may reach. Cheap to clone: only `Arc`s.
#[derive(Clone)]
pub struct AppState {
    pub tracking: Arc<TrackingService>,
    pub logged_models: Arc<LoggedModelService>,
    pub registry: Arc<RegistryService>,
    /// `None` when the server runs with `--no-serve-artifacts`: the proxy routes then answer 503.
    pub artifacts: Option<Arc<dyn ArtifactRepo>>,
}

/// The complete application: tracking API under `/api/2.0/mlflow` and `/ajax-api/2.0/mlflow`,
/// the artifact proxy, the server metadata endpoints, and the web UI at `/` and `/static/*`,
/// without the security middleware (see [`secured_router`]).
pub fn router(state: AppState) -> axum::Router {
    let artifacts = artifacts_router(state.artifacts.clone());
    routes::tracking_routes()
        .with_state(state)
        .merge(artifacts)
        .merge(ferroflow_ui::ui_router())
        .layer(axum::middleware::from_fn(security::limit_uri))
}

/// [`router`] behind MLflow's security middleware; `None` is `--disable-security-middleware`.
pub fn secured_router(state: AppState, security: Option<SecurityConfig>) -> axum::Router {
    match security {
        Some(config) => security::secure(router(state), config),
        None => router(state),
    }
}
