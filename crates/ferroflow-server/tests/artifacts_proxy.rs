//! The artifact proxy in process: every route under both prefixes, MLflow's error answers,
//! traversal attempts, and a large body streamed both ways.

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode};
use bytes::Bytes;
use ferroflow_artifacts::{ArtifactRepo, ObjectStoreRepo};
use ferroflow_server::artifacts_router;
use futures::StreamExt;
use http_body_util::BodyExt;
use serde_json::{Value, json};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use tower::ServiceExt;

const API: &str = "/api/2.0/mlflow-artifacts";
const AJAX: &str = "/ajax-api/2.0/mlflow-artifacts";

struct Fixture {
    _tmp: tempfile::TempDir,
    root: std::path::PathBuf,
    outside: std::path::PathBuf,
    app: Router,
}

fn fixture() -> Fixture {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("root");
    let outside = tmp.path().join("outside");
    std::fs::create_dir_all(&outside).unwrap();
    let repo: Arc<dyn ArtifactRepo> = Arc::new(ObjectStoreRepo::local(&root).unwrap());
    Fixture {
        app: artifacts_router(Some(repo)),
        root,
        outside,
        _tmp: tmp,
    }
}

struct Answer {
    status: StatusCode,
    headers: HeaderMap,
    body: Bytes,
}

impl Answer {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|_| panic!("not JSON: {:?}", String::from_utf8_lossy(&self.body)))
    }

    fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .map(|v| v.to_str().unwrap())
            .unwrap_or("")
    }

    #[track_caller]
    fn assert_error(&self, status: u16, code: &str, message: &str) {
        assert_eq!(self.status.as_u16(), status, "body: {:?}", self.body);
        let body = self.json();
        assert_eq!(body["error_code"], code, "{body}");
        assert_eq!(body["message"], message, "{body}");
    }
}

async fn send(app: &Router, method: Method, uri: &str, body: Body) -> Answer {
    let request = Request::builder()
        .method(method)
        .uri(uri)
        .body(body)
        .unwrap();
    let response = app.clone().oneshot(request).await.unwrap();
    let (parts, body) = response.into_parts();
    let body = body.collect().await.unwrap().to_bytes();
    Answer {
        status: parts.status,
        headers: parts.headers,
        body,
    }
}

async fn put(app: &Router, uri: &str, data: &'static [u8]) -> Answer {
    send(app, Method::PUT, uri, Body::from(data)).await
}

async fn get(app: &Router, uri: &str) -> Answer {
    send(app, Method::GET, uri, Body::empty()).await
}

async fn delete(app: &Router, uri: &str) -> Answer {
    send(app, Method::DELETE, uri, Body::empty()).await
}

#[tokio::test]
async fn upload_download_list_delete_under_both_prefixes() {
    let f = fixture();
    for prefix in [API, AJAX] {
        let run = if prefix == API {
            "1/run-a/artifacts"
        } else {
            "2/run-b/artifacts"
        };
        let a = put(
            &f.app,
            &format!("{prefix}/artifacts/{run}/metrics.json"),
            b"{\"a\":1}",
        )
        .await;
        assert_eq!(a.status, StatusCode::OK);
        assert!(
            a.body.is_empty(),
            "upload answers an empty 200 like the official server"
        );
        let a = put(
            &f.app,
            &format!("{prefix}/artifacts/{run}/model/model.pkl"),
            b"\x80\x04",
        )
        .await;
        assert_eq!(a.status, StatusCode::OK);
        let a = put(
            &f.app,
            &format!("{prefix}/artifacts/{run}/my%20plot.png"),
            b"PNG",
        )
        .await;
        assert_eq!(a.status, StatusCode::OK);
        assert!(
            f.root.join(run).join("my plot.png").is_file(),
            "stored under the decoded name"
        );

        let a = get(&f.app, &format!("{prefix}/artifacts/{run}/metrics.json")).await;
        assert_eq!(a.status, StatusCode::OK);
        assert_eq!(&a.body[..], b"{\"a\":1}");
        assert_eq!(a.header("content-type"), "text/plain");
        assert_eq!(a.header("content-length"), "7");
        assert_eq!(
            a.header("content-disposition"),
            "attachment; filename=metrics.json"
        );
        assert_eq!(a.header("x-content-type-options"), "nosniff");

        let a = get(&f.app, &format!("{prefix}/artifacts/{run}/my%20plot.png")).await;
        assert_eq!(a.header("content-type"), "image/png");
        assert_eq!(
            a.header("content-disposition"),
            "attachment; filename=\"my plot.png\""
        );
        let a = get(&f.app, &format!("{prefix}/artifacts/{run}/model/model.pkl")).await;
        assert_eq!(a.header("content-type"), "application/octet-stream");
        assert_eq!(&a.body[..], b"\x80\x04");

        let a = get(&f.app, &format!("{prefix}/artifacts?path={run}")).await;
        assert_eq!(a.status, StatusCode::OK);
        assert_eq!(a.header("content-type"), "application/json");
        assert_eq!(
            a.json(),
            json!({"files": [
                {"path": "metrics.json", "is_dir": false, "file_size": 7},
                {"path": "model", "is_dir": true},
                {"path": "my plot.png", "is_dir": false, "file_size": 3},
            ]})
        );
        // A trailing slash and URL-encoding in the query are accepted.
        let encoded = run.replace('/', "%2F");
        let a = get(&f.app, &format!("{prefix}/artifacts?path={encoded}%2F")).await;
        assert_eq!(a.json()["files"].as_array().unwrap().len(), 3);

        // Empty listings are `{}`: missing directory, file path.
        for q in ["nope", "nope/deeper", &format!("{run}/metrics.json")] {
            let a = get(&f.app, &format!("{prefix}/artifacts?path={q}")).await;
            assert_eq!((a.status, a.json()), (StatusCode::OK, json!({})), "{q}");
        }

        let a = delete(&f.app, &format!("{prefix}/artifacts/{run}/metrics.json")).await;
        assert_eq!((a.status, a.json()), (StatusCode::OK, json!({})));
        let a = get(&f.app, &format!("{prefix}/artifacts/{run}/metrics.json")).await;
        assert_eq!(a.status, StatusCode::NOT_FOUND);
        // The client deletes a directory as `DELETE …/<dir>/`; missing paths are fine too.
        let a = delete(&f.app, &format!("{prefix}/artifacts/{run}/")).await;
        assert_eq!((a.status, a.json()), (StatusCode::OK, json!({})));
        assert!(!f.root.join(run).exists());
        let a = delete(&f.app, &format!("{prefix}/artifacts/{run}/never")).await;
        assert_eq!((a.status, a.json()), (StatusCode::OK, json!({})));
    }
    let a = get(&f.app, &format!("{API}/artifacts")).await;
    assert_eq!(
        a.json(),
        json!({"files": [{"path": "1", "is_dir": true}, {"path": "2", "is_dir": true}]})
    );
}

#[tokio::test]
async fn overwrite_replaces_content() {
    let f = fixture();
    put(&f.app, &format!("{API}/artifacts/x/f.txt"), b"first").await;
    put(&f.app, &format!("{API}/artifacts/x/f.txt"), b"2nd").await;
    let a = get(&f.app, &format!("{API}/artifacts/x/f.txt")).await;
    assert_eq!(
        (&a.body[..], a.header("content-length")),
        (&b"2nd"[..], "3")
    );
}

#[tokio::test]
async fn mlflow_error_answers() {
    let f = fixture();
    put(&f.app, &format!("{API}/artifacts/1/r/a.txt"), b"hello").await;

    get(&f.app, &format!("{API}/artifacts/1/r/nope.txt"))
        .await
        .assert_error(
            404,
            "RESOURCE_DOES_NOT_EXIST",
            "No such artifact: '1/r/nope.txt'",
        );
    get(&f.app, &format!("{API}/artifacts/1/r"))
        .await
        .assert_error(
            400,
            "INVALID_PARAMETER_VALUE",
            "Artifact path refers to a directory, not a file: '1/r'",
        );
    get(&f.app, &format!("{API}/artifacts/"))
        .await
        .assert_error(
            400,
            "INVALID_PARAMETER_VALUE",
            "Artifact path refers to a directory, not a file: ''",
        );
    for uri in [
        format!("{API}/artifacts/1/r/dir/"),
        format!("{AJAX}/artifacts/"),
    ] {
        put(&f.app, &uri, b"x").await.assert_error(
            400,
            "INVALID_PARAMETER_VALUE",
            "Artifact path must include a filename (cannot end with '/').",
        );
    }
    // Uploading where a directory is, or under a file.
    put(&f.app, &format!("{API}/artifacts/1/r"), b"x")
        .await
        .assert_error(
            400,
            "INVALID_PARAMETER_VALUE",
            "Artifact path refers to a directory, not a file: '1/r'",
        );
    let a = put(&f.app, &format!("{API}/artifacts/1/r/a.txt/b"), b"x").await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    assert_eq!(a.json()["error_code"], "INVALID_PARAMETER_VALUE");
    // The whole destination cannot be deleted in one request.
    delete(&f.app, &format!("{API}/artifacts/"))
        .await
        .assert_error(400, "INVALID_PARAMETER_VALUE", "Invalid path");
    assert_eq!(
        get(&f.app, &format!("{API}/artifacts/1/r/a.txt"))
            .await
            .status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn multipart_and_presigned_answer_not_implemented() {
    let f = fixture();
    for prefix in [API, AJAX] {
        for op in ["create", "complete", "abort"] {
            let body = Body::from(r#"{"path":"f.bin","num_parts":2}"#);
            let a = send(
                &f.app,
                Method::POST,
                &format!("{prefix}/mpu/{op}/1/r/artifacts"),
                body,
            )
            .await;
            assert_eq!(a.status.as_u16(), 501, "{op}");
            assert_eq!(a.json()["error_code"], "NOT_IMPLEMENTED");
            let message = a.json()["message"].as_str().unwrap().to_owned();
            assert!(
                message.starts_with("Multipart upload is not supported"),
                "{message}"
            );
        }
        let a = get(&f.app, &format!("{prefix}/presigned/1/r/artifacts/f.bin")).await;
        assert_eq!(a.status.as_u16(), 501);
        assert_eq!(a.json()["error_code"], "NOT_IMPLEMENTED");
    }
    // Path safety is checked first, as on the official server.
    let a = send(
        &f.app,
        Method::POST,
        &format!("{API}/mpu/create/..%2Fx"),
        Body::empty(),
    )
    .await;
    a.assert_error(400, "INVALID_PARAMETER_VALUE", "Invalid path");
    get(&f.app, &format!("{API}/presigned/..%2Fx"))
        .await
        .assert_error(400, "INVALID_PARAMETER_VALUE", "Invalid path");
}

#[tokio::test]
async fn serving_disabled_answers_503_everywhere() {
    let app = artifacts_router(None);
    let requests = [
        (Method::PUT, format!("{API}/artifacts/1/a.txt")),
        (Method::PUT, format!("{API}/artifacts/")),
        (Method::GET, format!("{API}/artifacts/1/a.txt")),
        (Method::GET, format!("{AJAX}/artifacts?path=1")),
        (Method::GET, format!("{API}/artifacts")),
        (Method::DELETE, format!("{API}/artifacts/1")),
        (Method::POST, format!("{API}/mpu/create/1")),
        (Method::GET, format!("{API}/presigned/1/a.txt")),
        // Disabled wins over path validation: nothing is looked at.
        (Method::GET, format!("{API}/artifacts/..%2Fx")),
    ];
    for (method, uri) in requests {
        let a = send(&app, method.clone(), &uri, Body::from("x")).await;
        assert_eq!(a.status, StatusCode::SERVICE_UNAVAILABLE, "{method} {uri}");
        let body = a.json();
        assert_eq!(body["error_code"], "TEMPORARILY_UNAVAILABLE");
        assert!(
            body["message"]
                .as_str()
                .unwrap()
                .contains("--no-serve-artifacts"),
            "{body}"
        );
    }
}

#[tokio::test]
async fn traversal_attempts_are_refused() {
    let f = fixture();
    std::fs::write(f.outside.join("secret.txt"), "secret").unwrap();
    put(&f.app, &format!("{API}/artifacts/ok/file.txt"), b"ok").await;

    let evil = [
        "../outside/secret.txt",
        "ok/../../outside/secret.txt",
        "..%2Foutside%2Fsecret.txt",
        "..%2foutside/secret.txt",
        "%2e%2e/outside/secret.txt",
        "%2E%2E%2Foutside%2Fsecret.txt",
        "%252e%252e/outside/secret.txt",
        "%252e%252e%252foutside%252fsecret.txt",
        "ok/%2e%2e/%2e%2e/outside/secret.txt",
        "%2F..%2Foutside%2Fsecret.txt",
        "%2Fetc%2Fpasswd",
        "..%5Coutside%5Csecret.txt",
        "a%5Cb",
        "C:/outside/secret.txt",
        "a%00b",
        "a%23b",
        "ok//file.txt",
        "./ok/file.txt",
        "%ff%2F..%2F..%2Foutside",
    ];
    for path in evil {
        for (method, prefix) in [
            (Method::GET, API),
            (Method::PUT, AJAX),
            (Method::DELETE, API),
        ] {
            let uri = format!("{prefix}/artifacts/{path}");
            let a = send(&f.app, method.clone(), &uri, Body::from("pwned")).await;
            assert_eq!(
                a.status,
                StatusCode::BAD_REQUEST,
                "{method} {uri}: {:?}",
                a.body
            );
            assert_eq!(
                a.json()["error_code"],
                "INVALID_PARAMETER_VALUE",
                "{method} {uri}"
            );
            assert!(
                a.json()["message"]
                    .as_str()
                    .unwrap()
                    .starts_with("Invalid path")
            );
        }
        let q: String =
            percent_encoding::utf8_percent_encode(path, percent_encoding::NON_ALPHANUMERIC)
                .to_string();
        // The query is decoded once by the server: encode the raw form once more.
        let a = get(&f.app, &format!("{API}/artifacts?path={q}")).await;
        assert_eq!(a.status, StatusCode::BAD_REQUEST, "list {path}");
    }
    for q in ["..", "../outside", "/etc", "%2e%2e", "ok/..%2F..", "C:/x"] {
        let a = get(&f.app, &format!("{API}/artifacts?path={q}")).await;
        a.assert_error(400, "INVALID_PARAMETER_VALUE", "Invalid path");
    }
    // Nothing was written or removed outside the root.
    let outside: Vec<_> = std::fs::read_dir(&f.outside)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(outside, vec!["secret.txt"]);
    assert_eq!(
        std::fs::read_to_string(f.outside.join("secret.txt")).unwrap(),
        "secret"
    );
    let a = get(&f.app, &format!("{API}/artifacts/ok/file.txt")).await;
    assert_eq!(&a.body[..], b"ok");
}

#[cfg(unix)]
#[tokio::test]
async fn symlinks_out_of_the_root_are_refused() {
    let f = fixture();
    std::fs::write(f.outside.join("secret.txt"), "secret").unwrap();
    std::os::unix::fs::symlink(&f.outside, f.root.join("link")).unwrap();
    for (method, uri) in [
        (Method::GET, format!("{API}/artifacts/link/secret.txt")),
        (Method::PUT, format!("{API}/artifacts/link/new.txt")),
        (Method::DELETE, format!("{API}/artifacts/link/secret.txt")),
        (Method::GET, format!("{API}/artifacts?path=link")),
    ] {
        let a = send(&f.app, method.clone(), &uri, Body::from("x")).await;
        a.assert_error(
            400,
            "INVALID_PARAMETER_VALUE",
            "Invalid path: resolved path is outside the artifact directory",
        );
    }
    assert!(!f.outside.join("new.txt").exists());
    assert!(f.outside.join("secret.txt").exists());
}

struct Counted {
    data: Vec<u8>,
    live: Arc<AtomicUsize>,
}

impl AsRef<[u8]> for Counted {
    fn as_ref(&self) -> &[u8] {
        &self.data
    }
}

impl Drop for Counted {
    fn drop(&mut self) {
        self.live.fetch_sub(self.data.len(), Ordering::SeqCst);
    }
}

fn pattern(offset: usize) -> u8 {
    (offset.wrapping_mul(131) ^ (offset >> 11)) as u8
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn large_bodies_stream_through_in_bounded_memory() {
    const TOTAL: usize = 64 * 1024 * 1024;
    const CHUNK: usize = 32 * 1024;
    let f = fixture();
    let live = Arc::new(AtomicUsize::new(0));
    let peak = Arc::new(AtomicUsize::new(0));
    let (l, pk) = (live.clone(), peak.clone());
    let chunks = futures::stream::iter((0..TOTAL / CHUNK).map(move |i| {
        let data: Vec<u8> = (i * CHUNK..(i + 1) * CHUNK).map(pattern).collect();
        let now = l.fetch_add(data.len(), Ordering::SeqCst) + data.len();
        pk.fetch_max(now, Ordering::SeqCst);
        Ok::<_, std::io::Error>(Bytes::from_owner(Counted {
            data,
            live: l.clone(),
        }))
    }));
    let uri = format!("{API}/artifacts/big/weights.bin");
    let a = send(&f.app, Method::PUT, &uri, Body::from_stream(chunks)).await;
    assert_eq!(a.status, StatusCode::OK, "{:?}", a.body);
    let peak = peak.load(Ordering::SeqCst);
    assert!(
        peak <= 24 * 1024 * 1024,
        "the proxy held {peak} bytes of the upload at once"
    );
    assert_eq!(live.load(Ordering::SeqCst), 0);
    assert_eq!(
        std::fs::metadata(f.root.join("big/weights.bin"))
            .unwrap()
            .len() as usize,
        TOTAL
    );

    // Download without collecting: check each frame as it arrives.
    let request = Request::get(&uri).body(Body::empty()).unwrap();
    let response = f.app.clone().oneshot(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.headers()["content-length"],
        TOTAL.to_string().as_str()
    );
    let mut stream = response.into_body().into_data_stream();
    let (mut offset, mut largest) = (0usize, 0usize);
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.unwrap();
        largest = largest.max(chunk.len());
        assert!(
            chunk
                .iter()
                .enumerate()
                .all(|(i, b)| *b == pattern(offset + i)),
            "at {offset}"
        );
        offset += chunk.len();
    }
    assert_eq!(offset, TOTAL);
    assert!(
        largest <= 1024 * 1024,
        "download frames of {largest} bytes: it buffers"
    );
}

#[tokio::test]
async fn failed_upload_body_leaves_nothing_behind() {
    let f = fixture();
    let chunks = futures::stream::iter([
        Ok(Bytes::from_static(b"partial data")),
        Err(std::io::Error::new(
            std::io::ErrorKind::ConnectionReset,
            "client went away",
        )),
    ]);
    let uri = format!("{API}/artifacts/r/half.bin");
    let a = send(&f.app, Method::PUT, &uri, Body::from_stream(chunks)).await;
    assert!(!a.status.is_success());
    assert_eq!(get(&f.app, &uri).await.status, StatusCode::NOT_FOUND);
    let a = get(&f.app, &format!("{API}/artifacts?path=r")).await;
    assert_eq!(a.json(), json!({}), "no partial or staging file is listed");
}
