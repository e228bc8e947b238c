//! The one table of tracking endpoints, mounted under both `/api/2.0/mlflow` (Python client) and
//! `/ajax-api/2.0/mlflow` (web UI) from the same list, plus the metadata endpoints.

use crate::AppState;
use crate::handlers;
use axum::Router;
use axum::routing::{MethodRouter, get, post};
use handlers::{experiments, meta, metrics, runs};

/// Every tracking endpoint, relative to the mount prefix.
fn endpoints() -> Vec<(&'static str, MethodRouter<AppState>)> {
    vec![
        // §3.1 experiments
        ("/experiments/create", post(experiments::create)),
        ("/experiments/get", get(experiments::get)),
        ("/experiments/get-by-name", get(experiments::get_by_name)),
        (
            "/experiments/search",
            post(experiments::search).get(experiments::search),
        ),
        ("/experiments/delete", post(experiments::delete)),
        ("/experiments/restore", post(experiments::restore)),
        ("/experiments/update", post(experiments::update)),
        (
            "/experiments/set-experiment-tag",
            post(experiments::set_tag),
        ),
        (
            "/experiments/delete-experiment-tag",
            post(experiments::delete_tag),
        ),
        // §3.2 runs
        ("/runs/create", post(runs::create)),
        ("/runs/get", get(runs::get)),
        ("/runs/update", post(runs::update)),
        ("/runs/delete", post(runs::delete)),
        ("/runs/restore", post(runs::restore)),
        ("/runs/search", post(runs::search).get(runs::search)),
        // §3.3 metrics, params, tags
        ("/runs/log-metric", post(runs::log_metric)),
        ("/runs/log-parameter", post(runs::log_param)),
        ("/runs/set-tag", post(runs::set_tag)),
        ("/runs/delete-tag", post(runs::delete_tag)),
        ("/runs/log-batch", post(runs::log_batch)),
        ("/metrics/get-history", get(metrics::history)),
        (
            "/metrics/get-history-bulk-interval",
            get(metrics::bulk_interval),
        ),
        // UI only, outside the proto (reference §3.9).
        ("/metrics/get-history-bulk", get(metrics::bulk)),
        // Ferroflow UI only: per-pixel min/max reduction of huge histories.
        (
            "/metrics/get-history-downsampled",
            get(handlers::charts::history_downsampled),
        ),
        // §3.4 inputs / outputs
        ("/runs/log-inputs", post(runs::log_inputs)),
        ("/runs/outputs", post(runs::log_outputs)),
        // §3.5 logged models (the tag key is the rest of the path: the client does not encode it)
        ("/logged-models", post(handlers::logged_models::create)),
        (
            "/logged-models/search",
            post(handlers::logged_models::search),
        ),
        (
            "/logged-models/{model_id}",
            get(handlers::logged_models::get)
                .patch(handlers::logged_models::finalize)
                .delete(handlers::logged_models::delete),
        ),
        (
            "/logged-models/{model_id}/tags",
            axum::routing::patch(handlers::logged_models::set_tags),
        ),
        (
            "/logged-models/{model_id}/tags/{*tag_key}",
            axum::routing::delete(handlers::logged_models::delete_tag),
        ),
        (
            "/logged-models/{model_id}/params",
            post(handlers::logged_models::log_params),
        ),
        (
            "/logged-models/{model_id}/artifacts/directories",
            get(handlers::logged_models::list_artifacts),
        ),
        // §4 model registry (GET searches; PATCH/DELETE carry JSON bodies)
        (
            "/registered-models/create",
            post(handlers::registry::create_model),
        ),
        ("/registered-models/get", get(handlers::registry::get_model)),
        (
            "/registered-models/rename",
            post(handlers::registry::rename_model),
        ),
        (
            "/registered-models/update",
            axum::routing::patch(handlers::registry::update_model),
        ),
        (
            "/registered-models/delete",
            axum::routing::delete(handlers::registry::delete_model),
        ),
        (
            "/registered-models/search",
            get(handlers::registry::search_models),
        ),
        (
            "/registered-models/get-latest-versions",
            post(handlers::registry::latest_versions).get(handlers::registry::latest_versions),
        ),
        (
            "/registered-models/set-tag",
            post(handlers::registry::set_model_tag),
        ),
        (
            "/registered-models/delete-tag",
            axum::routing::delete(handlers::registry::delete_model_tag),
        ),
        (
            "/registered-models/alias",
            post(handlers::registry::set_alias)
                .delete(handlers::registry::delete_alias)
                .get(handlers::registry::get_by_alias),
        ),
        (
            "/model-versions/create",
            post(handlers::registry::create_version),
        ),
        ("/model-versions/get", get(handlers::registry::get_version)),
        (
            "/model-versions/update",
            axum::routing::patch(handlers::registry::update_version),
        ),
        (
            "/model-versions/delete",
            axum::routing::delete(handlers::registry::delete_version),
        ),
        (
            "/model-versions/transition-stage",
            post(handlers::registry::transition_stage),
        ),
        (
            "/model-versions/get-download-uri",
            get(handlers::registry::download_uri),
        ),
        (
            "/model-versions/search",
            get(handlers::registry::search_versions),
        ),
        (
            "/model-versions/set-tag",
            post(handlers::registry::set_version_tag),
        ),
        (
            "/model-versions/delete-tag",
            axum::routing::delete(handlers::registry::delete_version_tag),
        ),
    ]
}

const PREFIXES: [&str; 2] = ["/api/2.0/mlflow", "/ajax-api/2.0/mlflow"];

pub(crate) fn tracking_routes() -> Router<AppState> {
    let mut router = Router::new()
        .route("/health", get(meta::health))
        .route("/version", get(meta::version));
    for prefix in ["/api/3.0/mlflow", "/ajax-api/3.0/mlflow"] {
        router = router.route(
            &format!("{prefix}/server-info"),
            get(meta::server_info).fallback(meta::method_not_allowed),
        );
    }
    for prefix in PREFIXES {
        for (path, method_router) in endpoints() {
            router = router.route(
                &format!("{prefix}{path}"),
                method_router.fallback(meta::method_not_allowed),
            );
        }
    }
    router.fallback(meta::not_found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_has_no_duplicate_paths() {
        let mut paths: Vec<_> = endpoints().into_iter().map(|(p, _)| p).collect();
        let n = paths.len();
        paths.sort();
        paths.dedup();
        assert_eq!(paths.len(), n);
    }
}
