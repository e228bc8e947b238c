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
        // §3.4 inputs / outputs
        ("/runs/log-inputs", post(runs::log_inputs)),
        ("/runs/outputs", post(runs::log_outputs)),
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
