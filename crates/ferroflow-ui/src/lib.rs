//! Ferroflow's web UI: plain ES modules and CSS from `assets/`, embedded into the binary.
//!
//! There is no front-end build step: the files in `assets/` are what the browser runs, so a fresh
//! clone needs only the Rust toolchain. Release builds embed the files at compile time; debug
//! builds read them from disk on each request (rust-embed's behaviour), so editing a `.js` file
//! and reloading the page is the whole development loop.
//!
//! The UI uses hash routing (`/#/experiments/1`), so the server only ever serves `/` and
//! `/static/*`. Neither route sets a fallback: the tracking router owns the one fallback (JSON
//! `ENDPOINT_NOT_FOUND`), and axum refuses to merge two routers that both set one.

use axum::Router;
use axum::body::Body;
use axum::extract::Path;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use rust_embed::RustEmbed;
use tower_http::compression::CompressionLayer;

#[derive(RustEmbed)]
#[folder = "assets/"]
// Unit tests of the chart modules run under Node; they are not part of the served UI.
#[exclude = "*.test.mjs"]
struct Assets;

/// Serves the single-page app at `/` and its files under `/static/`.
///
/// Responses carry a strong ETag (the file's SHA-256) and `Cache-Control: no-cache`: browsers
/// revalidate every load and get a body-less 304 while the file is unchanged, so a new binary
/// never leaves a stale module cached next to fresh ones. Text bodies are gzip-compressed when
/// the client accepts it.
pub fn ui_router() -> Router {
    Router::new()
        .route("/", get(index))
        .route("/index.html", get(index))
        .route("/static/{*path}", get(asset))
        .layer(CompressionLayer::new())
}

async fn index(headers: HeaderMap) -> Response {
    serve("index.html", &headers)
}

async fn asset(Path(path): Path<String>, headers: HeaderMap) -> Response {
    // index.html lives at `/`; refusing it here keeps one canonical URL for the shell.
    if path == "index.html" || path.split('/').any(|seg| seg == ".." || seg.is_empty()) {
        return not_found();
    }
    serve(&path, &headers)
}

fn serve(path: &str, headers: &HeaderMap) -> Response {
    let Some(file) = Assets::get(path) else {
        return not_found();
    };
    let etag = format!("\"{}\"", hex(&file.metadata.sha256_hash()[..16]));
    let matches = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag || t.trim() == "*"));
    let mut response = if matches {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        let mut r = Response::new(Body::from(file.data.into_owned()));
        r.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static(content_type(path)),
        );
        r
    };
    let h = response.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&etag) {
        h.insert(header::ETAG, v);
    }
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    if path == "index.html" {
        h.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CSP),
        );
        h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    }
    response
}

/// Scripts only from this origin; artifact previews render in sandboxed frames and blob URLs.
const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
img-src 'self' data: blob:; frame-src 'self' blob:; object-src 'none'; base-uri 'none'; \
frame-ancestors 'none'";

fn not_found() -> Response {
    (
        StatusCode::NOT_FOUND,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        "Not found",
    )
        .into_response()
}

/// Browsers refuse ES modules served with a non-JavaScript type, so the table must be exact.
fn content_type(path: &str) -> &'static str {
    let ext = path.rsplit_once('.').map_or("", |(_, e)| e);
    match ext.to_ascii_lowercase().as_str() {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "json" | "map" => "application/json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "woff2" => "font/woff2",
        "txt" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(DIGITS[usize::from(b >> 4)] as char);
        s.push(DIGITS[usize::from(b & 0xf)] as char);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::Request;
    use http_body_util::BodyExt;
    use tower::ServiceExt;

    async fn get(uri: &str, headers: &[(&str, &str)]) -> Response {
        let mut req = Request::get(uri);
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        ui_router()
            .oneshot(req.body(Body::empty()).unwrap())
            .await
            .unwrap()
    }

    async fn body(r: Response) -> String {
        String::from_utf8(r.into_body().collect().await.unwrap().to_bytes().to_vec()).unwrap()
    }

    #[tokio::test]
    async fn root_serves_the_app_shell() {
        let r = get("/", &[]).await;
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(
            r.headers()[header::CONTENT_TYPE],
            "text/html; charset=utf-8"
        );
        assert!(r.headers().contains_key(header::CONTENT_SECURITY_POLICY));
        assert!(body(r).await.contains("static/js/app.js"));
    }

    #[tokio::test]
    async fn modules_have_a_javascript_type() {
        let r = get("/static/js/app.js", &[]).await;
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(
            r.headers()[header::CONTENT_TYPE],
            "text/javascript; charset=utf-8"
        );
        let r = get("/static/css/app.css", &[]).await;
        assert_eq!(r.headers()[header::CONTENT_TYPE], "text/css; charset=utf-8");
    }

    #[tokio::test]
    async fn matching_etag_answers_304_without_body() {
        let first = get("/static/js/api.js", &[]).await;
        let etag = first.headers()[header::ETAG].to_str().unwrap().to_owned();
        assert!(etag.starts_with('"') && etag.len() == 34);
        let again = get("/static/js/api.js", &[("if-none-match", &etag)]).await;
        assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
        assert!(body(again).await.is_empty());
        let other = get("/static/js/api.js", &[("if-none-match", "\"nope\"")]).await;
        assert_eq!(other.status(), StatusCode::OK);
    }

    #[tokio::test]
    async fn gzip_when_accepted() {
        let r = get("/static/js/app.js", &[("accept-encoding", "gzip")]).await;
        assert_eq!(r.headers()[header::CONTENT_ENCODING], "gzip");
    }

    #[tokio::test]
    async fn unknown_and_traversal_paths_are_404() {
        for uri in [
            "/static/nope.js",
            "/static/../Cargo.toml",
            "/static/js/../../Cargo.toml",
            "/static/index.html",
        ] {
            assert_eq!(get(uri, &[]).await.status(), StatusCode::NOT_FOUND, "{uri}");
        }
    }

    #[test]
    fn every_embedded_file_has_a_known_type() {
        for path in Assets::iter() {
            assert_ne!(
                content_type(&path),
                "application/octet-stream",
                "{path} would be served untyped"
            );
        }
    }
}
