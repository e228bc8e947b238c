//! The attacks of issue 8 (§4, §5) against the real router, each shown refused: foreign Host
//! headers (DNS rebinding), cross-origin writes, artifact locations naming other hosts, searches
//! beyond the database's limits, unbounded decoding, over-long URLs and symlink loops.

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode};
use ferroflow_artifacts::{ArtifactRepo, LocalArtifactRepo};
use ferroflow_server::security::{CORS_BLOCKED_MSG, INVALID_HOST_MSG};
use ferroflow_server::{AppState, SecurityConfig, secured_router};
use ferroflow_service::{LoggedModelService, RegistryService, TrackingConfig, TrackingService};
use ferroflow_store_sql::SqlStore;
use http_body_util::BodyExt;
use serde_json::{Value, json};
use std::path::PathBuf;
use std::sync::Arc;
use tower::ServiceExt;

struct App {
    router: Router,
    dir: tempfile::TempDir,
}

impl App {
    fn artifact_root(&self) -> PathBuf {
        self.dir.path().join("art")
    }
}

async fn app(security: Option<SecurityConfig>) -> App {
    let dir = tempfile::tempdir().unwrap();
    let uri = format!("sqlite:///{}/mlflow.db", dir.path().display());
    let store = Arc::new(SqlStore::connect(&uri).await.unwrap());
    let tracking = TrackingService::new(store.clone(), TrackingConfig::default());
    tracking.init().await.unwrap();
    let artifacts: Arc<dyn ArtifactRepo> =
        Arc::new(LocalArtifactRepo::local(dir.path().join("art")).unwrap());
    let state = AppState {
        tracking: Arc::new(tracking),
        logged_models: Arc::new(LoggedModelService::new(store.clone(), store.clone())),
        registry: Arc::new(RegistryService::new(store.clone(), store.clone(), store)),
        artifacts: Some(artifacts),
    };
    App {
        router: secured_router(state, security),
        dir,
    }
}

async fn secured() -> App {
    app(Some(SecurityConfig::default())).await
}

struct Reply {
    status: StatusCode,
    headers: HeaderMap,
    text: String,
}

impl Reply {
    fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or(Value::Null)
    }
}

/// A request as a browser or the client sends it to `127.0.0.1:5000`; `headers` add or
/// override (`Host` included).
async fn send(
    app: &App,
    method: Method,
    uri: &str,
    headers: &[(&str, &str)],
    body: Option<Value>,
) -> Reply {
    let mut req = Request::builder().method(method).uri(uri);
    if !headers.iter().any(|(k, _)| k.eq_ignore_ascii_case("host")) {
        req = req.header("host", "127.0.0.1:5000");
    }
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let body = match body {
        Some(b) => {
            req = req.header("content-type", "application/json");
            Body::from(b.to_string())
        }
        None => Body::empty(),
    };
    let resp = app
        .router
        .clone()
        .oneshot(req.body(body).unwrap())
        .await
        .unwrap();
    let status = resp.status();
    let headers = resp.headers().clone();
    let bytes = resp.into_body().collect().await.unwrap().to_bytes();
    Reply {
        status,
        headers,
        text: String::from_utf8_lossy(&bytes).into_owned(),
    }
}

const SEARCH: &str = "/api/2.0/mlflow/experiments/search?max_results=1";
const CREATE: &str = "/api/2.0/mlflow/experiments/create";

#[tokio::test]
async fn foreign_host_headers_are_refused() {
    let app = secured().await;
    for host in [
        "evil.example",
        "evil.example:5000",
        "10.evil.example",
        "172.32.0.1",
    ] {
        let r = send(&app, Method::GET, SEARCH, &[("host", host)], None).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{host}");
        assert_eq!(r.text, INVALID_HOST_MSG);
        // The web UI is refused too: a rebound page must not even load it.
        let r = send(&app, Method::GET, "/", &[("host", host)], None).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{host}");
    }
    for host in [
        "127.0.0.1:5000",
        "localhost:5000",
        "[::1]:5000",
        "192.168.1.7:5000",
    ] {
        let r = send(&app, Method::GET, SEARCH, &[("host", host)], None).await;
        assert_eq!(r.status, StatusCode::OK, "{host}");
    }
    // Probes by load balancers name the server however they like.
    for path in ["/health", "/version"] {
        let r = send(&app, Method::GET, path, &[("host", "evil.example")], None).await;
        assert_eq!(r.status, StatusCode::OK, "{path}");
    }
}

#[tokio::test]
async fn configured_hosts_replace_the_defaults() {
    let cfg = SecurityConfig::from_flags(Some("mlflow.example.com,*.internal"), None, None);
    let app = app(Some(cfg)).await;
    for (host, status) in [
        ("mlflow.example.com", StatusCode::OK),
        ("a.internal", StatusCode::OK),
        ("127.0.0.1:5000", StatusCode::FORBIDDEN),
        ("evil.example", StatusCode::FORBIDDEN),
    ] {
        let r = send(&app, Method::GET, SEARCH, &[("host", host)], None).await;
        assert_eq!(r.status, status, "{host}");
    }
}

#[tokio::test]
async fn cross_origin_writes_are_refused_and_leave_nothing_behind() {
    let app = secured().await;
    let body = json!({"name": "from-evil"});
    for origin in [
        "http://evil.example",
        "null",
        "https://localhost.evil.example",
    ] {
        let r = send(
            &app,
            Method::POST,
            CREATE,
            &[("origin", origin)],
            Some(body.clone()),
        )
        .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{origin}");
        assert_eq!(r.text, CORS_BLOCKED_MSG);
    }
    let r = send(
        &app,
        Method::GET,
        "/api/2.0/mlflow/experiments/get-by-name?experiment_name=from-evil",
        &[],
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);

    // The Python client sends no Origin; the web UI sends its own; localhost tools are allowed.
    for (i, origin) in [
        None,
        Some("http://127.0.0.1:5000"),
        Some("http://localhost:3000"),
    ]
    .into_iter()
    .enumerate()
    {
        let headers: Vec<(&str, &str)> = origin.map(|o| ("origin", o)).into_iter().collect();
        let r = send(
            &app,
            Method::POST,
            CREATE,
            &headers,
            Some(json!({"name": format!("ok-{i}")})),
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{origin:?}: {}", r.text);
    }
    // Same origin on a LAN address (the UI opened as http://10.0.0.5:5000/).
    let r = send(
        &app,
        Method::POST,
        CREATE,
        &[
            ("host", "10.0.0.5:5000"),
            ("origin", "http://10.0.0.5:5000"),
        ],
        Some(json!({"name": "lan"})),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);

    // Reads are not blocked, but a foreign origin gets no CORS grant, so its page cannot read.
    let r = send(
        &app,
        Method::GET,
        SEARCH,
        &[("origin", "http://evil.example")],
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.headers.get("access-control-allow-origin").is_none());
    let r = send(
        &app,
        Method::GET,
        SEARCH,
        &[("origin", "http://localhost:3000")],
        None,
    )
    .await;
    assert_eq!(
        r.headers["access-control-allow-origin"],
        "http://localhost:3000"
    );
    assert_eq!(r.headers["access-control-allow-credentials"], "true");
}

#[tokio::test]
async fn configured_origins_may_write() {
    let cfg = SecurityConfig::from_flags(None, Some("https://*.example.com"), None);
    let app = app(Some(cfg)).await;
    let r = send(
        &app,
        Method::POST,
        CREATE,
        &[("origin", "https://app.example.com")],
        Some(json!({"name": "a"})),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    let r = send(
        &app,
        Method::POST,
        CREATE,
        &[("origin", "https://example.org")],
        Some(json!({"name": "b"})),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn preflights_are_answered() {
    let app = secured().await;
    let r = send(
        &app,
        Method::OPTIONS,
        CREATE,
        &[
            ("origin", "http://localhost:3000"),
            ("access-control-request-method", "POST"),
            ("access-control-request-headers", "content-type"),
        ],
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(
        r.headers["access-control-allow-origin"],
        "http://localhost:3000"
    );
    assert_eq!(r.headers["access-control-allow-headers"], "content-type");
    assert!(
        r.headers["access-control-allow-methods"]
            .to_str()
            .unwrap()
            .contains("POST")
    );
    let r = send(
        &app,
        Method::OPTIONS,
        CREATE,
        &[
            ("origin", "http://evil.example"),
            ("access-control-request-method", "POST"),
        ],
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.text, "Disallowed CORS origin");
    assert!(r.headers.get("access-control-allow-origin").is_none());
}

#[tokio::test]
async fn security_headers_are_set_and_configurable() {
    let app = secured().await;
    let r = send(&app, Method::GET, SEARCH, &[], None).await;
    assert_eq!(r.headers["x-frame-options"], "SAMEORIGIN");
    assert_eq!(r.headers["x-content-type-options"], "nosniff");
    let app2 = self::app(Some(SecurityConfig::from_flags(None, None, Some("deny")))).await;
    let r = send(&app2, Method::GET, SEARCH, &[], None).await;
    assert_eq!(r.headers["x-frame-options"], "DENY");
    let app3 = self::app(Some(SecurityConfig::from_flags(None, None, Some("NONE")))).await;
    let r = send(&app3, Method::GET, SEARCH, &[], None).await;
    assert!(r.headers.get("x-frame-options").is_none());
    // The web UI's own, stricter policy is never weakened by the default.
    let r = send(&app, Method::GET, "/", &[], None).await;
    assert_eq!(r.headers["x-frame-options"], "DENY");
}

#[tokio::test]
async fn disabling_the_middleware_turns_every_check_off() {
    let app = app(None).await;
    let r = send(&app, Method::GET, SEARCH, &[("host", "evil.example")], None).await;
    assert_eq!(r.status, StatusCode::OK);
    let r = send(
        &app,
        Method::POST,
        CREATE,
        &[("origin", "http://evil.example")],
        Some(json!({"name": "x"})),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.headers.get("x-frame-options").is_none());
}

#[tokio::test]
async fn artifact_locations_on_other_hosts_are_refused() {
    let app = secured().await;
    for loc in [
        "http://evil.example/x",
        "https://evil.example/x",
        "mlflow-artifacts://evil.example/x",
        "ftp://evil.example/x",
    ] {
        let r = send(
            &app,
            Method::POST,
            CREATE,
            &[],
            Some(json!({"name": loc, "artifact_location": loc})),
        )
        .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{loc}");
        assert_eq!(r.json()["error_code"], "INVALID_PARAMETER_VALUE");
        assert!(
            r.json()["message"]
                .as_str()
                .unwrap()
                .starts_with("'artifact_location' cannot use the"),
            "{}",
            r.text
        );
    }
    let r = send(
        &app,
        Method::POST,
        CREATE,
        &[],
        Some(json!({"name": "s3", "artifact_location": "s3://bucket/x"})),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
}

/// Messages must not carry SQL, driver text or server paths.
fn assert_clean_400(r: &Reply, what: &str, root: &str) {
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{what}: {}", r.text);
    assert_eq!(r.json()["error_code"], "INVALID_PARAMETER_VALUE", "{what}");
    let msg = r.json()["message"].as_str().unwrap().to_owned();
    for leak in [
        "SELECT",
        "sqlite",
        "SQLite",
        "error returned from database",
        "code: 1",
        root,
    ] {
        assert!(!msg.contains(leak), "{what}: message leaks {leak:?}: {msg}");
    }
}

#[tokio::test]
async fn searches_beyond_database_limits_are_400s() {
    let app = secured().await;
    let root = app.dir.path().display().to_string();
    let runs = "/api/2.0/mlflow/runs/search";
    let clauses =
        |n: usize, f: &dyn Fn(usize) -> String| (0..n).map(f).collect::<Vec<_>>().join(" and ");
    let in_list = |n: usize| {
        let items: Vec<String> = (0..n).map(|i| format!("'r{i}'")).collect();
        format!("attributes.run_id IN ({})", items.join(","))
    };
    let cases: Vec<(&str, Value)> = vec![
        (
            "101 clauses",
            json!({"experiment_ids": ["0"], "filter": clauses(101, &|i| format!("metrics.m{i} > 0"))}),
        ),
        (
            "2000 clauses (SQLite expression depth)",
            json!({"experiment_ids": ["0"], "filter": clauses(2000, &|i| format!("params.p{i} = 'x'"))}),
        ),
        (
            "40000 IN values (bound variables)",
            json!({"experiment_ids": ["0"], "filter": in_list(40_000)}),
        ),
        (
            "LIKE with 40 wildcards",
            json!({"experiment_ids": ["0"], "filter": format!("attributes.run_name LIKE '{}'", "%a".repeat(40))}),
        ),
        (
            "LIKE pattern of 60000 characters (SQLite pattern limit)",
            json!({"experiment_ids": ["0"], "filter": format!("tags.t LIKE '{}'", "a".repeat(60_000))}),
        ),
        (
            "filter of 2 MB",
            json!({"experiment_ids": ["0"], "filter": format!("tags.t = '{}'", "a".repeat(2_000_000))}),
        ),
        (
            "100 order-by terms (SQLite joins 64 tables at most)",
            json!({"experiment_ids": ["0"], "order_by": (0..100).map(|i| format!("metrics.m{i} ASC")).collect::<Vec<_>>()}),
        ),
        (
            "40000 experiment ids (bound variables)",
            json!({"experiment_ids": (0..40_000).map(|i| i.to_string()).collect::<Vec<_>>()}),
        ),
    ];
    for (what, body) in cases {
        let r = send(&app, Method::POST, runs, &[], Some(body)).await;
        assert_clean_400(&r, what, &root);
    }
    let exp = "/api/2.0/mlflow/experiments/search";
    let r = send(
        &app,
        Method::POST,
        exp,
        &[],
        Some(json!({"max_results": 10, "order_by": vec!["name"; 33]})),
    )
    .await;
    assert_clean_400(&r, "33 experiment order-by terms", &root);
    let r = send(
        &app,
        Method::POST,
        exp,
        &[],
        Some(json!({"max_results": 10, "filter": format!("name LIKE '{}'", "%_".repeat(100))})),
    )
    .await;
    assert_clean_400(&r, "experiment LIKE wildcards", &root);
    let filter = clauses(101, &|i| format!("tags.t{i} = 'x'"));
    let uri = format!(
        "/api/2.0/mlflow/registered-models/search?filter={}",
        percent_encoding::utf8_percent_encode(&filter, percent_encoding::NON_ALPHANUMERIC)
    );
    let r = send(&app, Method::GET, &uri, &[], None).await;
    assert_clean_400(&r, "registered-model clauses", &root);

    // At the limits, searches run.
    let ok = [
        json!({"experiment_ids": ["0"], "filter": clauses(100, &|i| format!("params.p{i} = 'x'"))}),
        json!({"experiment_ids": ["0"], "filter": in_list(10_000)}),
        json!({"experiment_ids": ["0"], "order_by": (0..32).map(|i| format!("metrics.m{i} ASC")).collect::<Vec<_>>()}),
    ];
    for body in ok {
        let r = send(&app, Method::POST, runs, &[], Some(body)).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    }
}

#[tokio::test]
async fn deeply_encoded_sources_are_refused_not_decoded_forever() {
    let app = secured().await;
    let r = send(
        &app,
        Method::POST,
        "/api/2.0/mlflow/registered-models/create",
        &[],
        Some(json!({"name": "m"})),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    // Each decoding round peels one `25`: unbounded, this is ~100,000 rounds over 200 KB.
    let source = format!("mlflow-artifacts:/x/%{}2e%2e/etc", "25".repeat(100_000));
    let r = send(
        &app,
        Method::POST,
        "/api/2.0/mlflow/model-versions/create",
        &[],
        Some(json!({"name": "m", "source": source})),
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", &r.text[..200]);
    assert_eq!(r.json()["error_code"], "INVALID_PARAMETER_VALUE");
}

#[tokio::test]
async fn over_long_urls_get_414_in_mlflow_format() {
    let app = secured().await;
    let uri = format!(
        "/api/2.0/mlflow/experiments/get?experiment_id={}",
        "1".repeat(40_000)
    );
    let r = send(&app, Method::GET, &uri, &[], None).await;
    assert_eq!(r.status, StatusCode::URI_TOO_LONG);
    assert_eq!(r.json()["error_code"], "BAD_REQUEST");
    assert!(r.json()["message"].as_str().unwrap().contains("32768"));
    // The security-disabled router has the limit too.
    let open = app_without_security().await;
    let r = send(&open, Method::GET, &uri, &[], None).await;
    assert_eq!(r.status, StatusCode::URI_TOO_LONG);
}

async fn app_without_security() -> App {
    app(None).await
}

#[tokio::test]
async fn symlink_loops_under_the_artifact_root_do_not_break_listing() {
    let app = secured().await;
    let root = app.artifact_root();
    std::fs::create_dir_all(root.join("0/d")).unwrap();
    std::fs::write(root.join("0/d/f.txt"), "hi").unwrap();
    std::os::unix::fs::symlink("..", root.join("0/d/loop")).unwrap();
    std::os::unix::fs::symlink("self", root.join("0/self")).unwrap();
    std::os::unix::fs::symlink("/etc", root.join("0/outside")).unwrap();
    std::os::unix::fs::symlink("missing", root.join("0/dangling")).unwrap();
    let list = |p: &str| format!("/api/2.0/mlflow-artifacts/artifacts?path={p}");
    let r = send(&app, Method::GET, &list("0"), &[], None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.json(), json!({"files": [{"path": "d", "is_dir": true}]}));
    let r = send(&app, Method::GET, &list("0/d"), &[], None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(
        r.json(),
        json!({"files": [
            {"path": "f.txt", "is_dir": false, "file_size": 2},
            {"path": "loop", "is_dir": true},
        ]})
    );
    // Following the loop stays inside the root and still lists.
    let r = send(&app, Method::GET, &list("0/d/loop/d/loop"), &[], None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let r = send(&app, Method::GET, &list(""), &[], None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
}

#[tokio::test]
async fn internal_errors_never_carry_paths_or_driver_text() {
    use axum::response::IntoResponse;
    use ferroflow_api::{ApiError, ErrorCode};
    let e = ferroflow_server::HttpError(ApiError::new(
        ErrorCode::InternalError,
        "IO error for operation on /srv/secret/mlflow.db: (code: 1) near SELECT",
    ));
    let resp = e.into_response();
    assert_eq!(resp.status(), StatusCode::INTERNAL_SERVER_ERROR);
    let bytes = resp.into_body().collect().await.unwrap().to_bytes();
    let body: Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(body["error_code"], "INTERNAL_ERROR");
    let msg = body["message"].as_str().unwrap();
    assert!(!msg.contains("/srv") && !msg.contains("SELECT"), "{msg}");
}
