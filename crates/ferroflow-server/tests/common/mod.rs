//! The harness the in-process API tests share: the real router over a SQLite store in a
//! temporary directory, and requests shaped as the official client sends them.

// Every test binary compiles this module but uses only part of it.
#![allow(dead_code)]

use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use ferroflow_artifacts::{ArtifactRepo, LocalArtifactRepo};
use ferroflow_server::{AppState, router};
use ferroflow_service::{LoggedModelService, RegistryService, TrackingConfig, TrackingService};
use ferroflow_store_sql::SqlStore;
use http_body_util::BodyExt;
use serde_json::Value;
use std::sync::Arc;
use tower::ServiceExt;

pub struct App {
    pub router: Router,
    pub artifacts: Option<Arc<dyn ArtifactRepo>>,
    /// Holds the database (and artifact root) alive for the test's length.
    _dir: tempfile::TempDir,
}

pub async fn app() -> App {
    build(TrackingConfig::default(), false).await
}

pub async fn app_with(config: TrackingConfig) -> App {
    build(config, false).await
}

/// An app whose artifact proxy is backed by a local repository under the temp dir.
pub async fn app_serving_artifacts() -> App {
    build(TrackingConfig::default(), true).await
}

async fn build(config: TrackingConfig, serve_artifacts: bool) -> App {
    let dir = tempfile::tempdir().unwrap();
    let uri = format!("sqlite:///{}/mlflow.db", dir.path().display());
    let store = Arc::new(SqlStore::connect(&uri).await.unwrap());
    let tracking = TrackingService::new(store.clone(), config);
    tracking.init().await.unwrap();
    let artifacts: Option<Arc<dyn ArtifactRepo>> = serve_artifacts.then(|| {
        Arc::new(LocalArtifactRepo::local(dir.path().join("art")).unwrap()) as Arc<dyn ArtifactRepo>
    });
    let state = AppState {
        tracking: Arc::new(tracking),
        logged_models: Arc::new(LoggedModelService::new(store.clone(), store.clone())),
        registry: Arc::new(RegistryService::new(store.clone(), store.clone(), store)),
        artifacts: artifacts.clone(),
    };
    App {
        router: router(state),
        artifacts,
        _dir: dir,
    }
}

impl App {
    /// Sends any request; the body comes back as text.
    pub async fn raw(&self, req: Request<Body>) -> (StatusCode, String) {
        let resp = self.router.clone().oneshot(req).await.unwrap();
        let status = resp.status();
        let bytes = resp.into_body().collect().await.unwrap().to_bytes();
        (status, String::from_utf8_lossy(&bytes).into_owned())
    }

    /// Sends any request; the body comes back as JSON, or as a JSON string when it is not JSON.
    pub async fn send(&self, req: Request<Body>) -> (StatusCode, Value) {
        let (status, text) = self.raw(req).await;
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }

    /// A request under `/api/2.0/mlflow`; a JSON body comes with its content type.
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut req = Request::builder()
            .method(method)
            .uri(format!("/api/2.0/mlflow{path}"));
        let body = match body {
            Some(b) => {
                req = req.header("content-type", "application/json");
                Body::from(b.to_string())
            }
            None => Body::empty(),
        };
        self.send(req.body(body).unwrap()).await
    }

    pub async fn get(&self, path_and_query: &str) -> (StatusCode, Value) {
        self.call(Method::GET, path_and_query, None).await
    }

    pub async fn post(&self, path: &str, body: Value) -> (StatusCode, Value) {
        self.call(Method::POST, path, Some(body)).await
    }

    /// [`App::call`] that must answer 200; returns the body.
    pub async fn ok(&self, method: Method, path: &str, body: Option<Value>) -> Value {
        let (s, v) = self.call(method, path, body).await;
        assert_eq!(s, StatusCode::OK, "{path}: {v}");
        v
    }

    pub async fn ok_get(&self, path: &str) -> Value {
        self.ok(Method::GET, path, None).await
    }

    pub async fn ok_post(&self, path: &str, body: Value) -> Value {
        self.ok(Method::POST, path, Some(body)).await
    }

    /// Creates an experiment and returns its id.
    pub async fn create_experiment(&self, name: &str) -> String {
        let v = self
            .ok_post("/experiments/create", serde_json::json!({"name": name}))
            .await;
        v["experiment_id"].as_str().unwrap().to_owned()
    }
}

/// Asserts MLflow's error answer: the HTTP status and the body's `error_code`.
pub fn assert_error(resp: &(StatusCode, Value), status: u16, code: &str) {
    assert_eq!(resp.0.as_u16(), status, "{}", resp.1);
    assert_eq!(resp.1["error_code"], code, "{}", resp.1);
}
