//! MLflow's artifact proxy (`/api/2.0/mlflow-artifacts/…`, reference §8): plain PUT/GET/list/
//! DELETE of files under the server's artifacts destination, streamed in both directions.
//!
//! Multipart and presigned transfers answer 501, which the official client reads as "use plain
//! PUT/GET" — the behaviour of the official server over a local destination.

use axum::Router;
use axum::body::Body;
use axum::extract::rejection::PathRejection;
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use ferroflow_api::{ApiError, ErrorCode};
use ferroflow_artifacts::{ArtifactError, ArtifactPath, ArtifactRepo};
use futures::TryStreamExt;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde::Deserialize;
use std::sync::Arc;

use crate::HttpError;

/// `None` when serving is disabled (`--no-serve-artifacts`).
#[derive(Clone)]
struct Proxy(Option<Arc<dyn ArtifactRepo>>);

impl Proxy {
    fn repo(&self) -> Result<&Arc<dyn ArtifactRepo>, HttpError> {
        self.0.as_ref().ok_or_else(|| {
            HttpError(ApiError::new(
                ErrorCode::TemporarilyUnavailable,
                "Artifact serving is disabled: the server runs with --no-serve-artifacts. \
                 Restart it with --serve-artifacts to use the artifact proxy.",
            ))
        })
    }
}

/// The artifact proxy, independent of the tracking state so it can be served (and tested) alone.
pub fn artifacts_router(repo: Option<Arc<dyn ArtifactRepo>>) -> Router {
    let routes = Router::new()
        .route("/artifacts", get(list))
        // The wildcard needs at least one character; the bare directory form gets its own
        // route so it answers like any other directory path instead of 404/405.
        .route(
            "/artifacts/",
            get(download_root).put(upload_root).delete(delete_root),
        )
        .route(
            "/artifacts/{*path}",
            get(download).put(upload).delete(delete),
        )
        .route("/mpu/create/{*path}", post(multipart))
        .route("/mpu/complete/{*path}", post(multipart))
        .route("/mpu/abort/{*path}", post(multipart))
        .route("/presigned/{*path}", get(presigned))
        // Uploads are streamed to storage, so their size is bounded by the disk, not memory.
        .layer(DefaultBodyLimit::disable())
        .with_state(Proxy(repo));
    Router::new()
        .nest("/api/2.0/mlflow-artifacts", routes.clone())
        .nest("/ajax-api/2.0/mlflow-artifacts", routes)
}

fn invalid_path() -> HttpError {
    HttpError(ApiError::invalid("Invalid path"))
}

/// The decoded wildcard; undecodable input (e.g. `%ff`) is an invalid path, not a 400 in
/// axum's plain-text format.
fn raw_path(path: Result<Path<String>, PathRejection>) -> Result<String, HttpError> {
    path.map(|Path(p)| p).map_err(|_| invalid_path())
}

/// Validates a path naming a file or directory. One trailing `/` is tolerated: the client sends
/// `DELETE …/artifacts/<dir>/` when deleting a whole artifact directory.
fn parse_target(raw: &str) -> Result<ArtifactPath, HttpError> {
    let trimmed = raw.strip_suffix('/').unwrap_or(raw);
    ArtifactPath::parse(trimmed).map_err(|_| invalid_path())
}

fn repo_error(e: ArtifactError) -> HttpError {
    let api = match e {
        ArtifactError::NotFound(path) => ApiError::not_found(format!("No such artifact: '{path}'")),
        ArtifactError::InvalidPath { reason, .. } => {
            ApiError::invalid(format!("Invalid path: {reason}"))
        }
        e @ ArtifactError::IsDirectory(_) => ApiError::invalid(e.to_string()),
        ArtifactError::Unsupported(message) => ApiError::new(ErrorCode::NotImplemented, message),
        e @ ArtifactError::Io(_) => ApiError::new(ErrorCode::InternalError, e.to_string()),
    };
    HttpError(api)
}

async fn upload(
    State(proxy): State<Proxy>,
    path: Result<Path<String>, PathRejection>,
    body: Body,
) -> Result<Response, HttpError> {
    let repo = proxy.repo()?;
    let raw = raw_path(path)?;
    if raw.ends_with('/') {
        return Err(HttpError(ApiError::invalid(
            "Artifact path must include a filename (cannot end with '/').",
        )));
    }
    let path = ArtifactPath::parse(&raw).map_err(|_| invalid_path())?;
    let stream = body.into_data_stream().map_err(std::io::Error::other);
    repo.put(&path, Box::pin(stream))
        .await
        .map_err(repo_error)?;
    // The official (uvicorn) server answers an empty 200; the client only checks the status.
    Ok(StatusCode::OK.into_response())
}

async fn upload_root(State(proxy): State<Proxy>) -> Result<Response, HttpError> {
    proxy.repo()?;
    Err(HttpError(ApiError::invalid(
        "Artifact path must include a filename (cannot end with '/').",
    )))
}

async fn download(
    State(proxy): State<Proxy>,
    path: Result<Path<String>, PathRejection>,
) -> Result<Response, HttpError> {
    let repo = proxy.repo()?;
    let path = parse_target(&raw_path(path)?)?;
    let download = repo.get(&path).await.map_err(repo_error)?;
    let name = path.basename();
    let mut response = Response::new(Body::from_stream(download.stream));
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(guess_mime_type(name)),
    );
    headers.insert(header::CONTENT_LENGTH, HeaderValue::from(download.size));
    if let Ok(value) = HeaderValue::from_str(&content_disposition(name)) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    Ok(response)
}

async fn download_root(State(proxy): State<Proxy>) -> Result<Response, HttpError> {
    proxy.repo()?;
    Err(repo_error(ArtifactError::IsDirectory(String::new())))
}

#[derive(Deserialize)]
struct ListQuery {
    path: Option<String>,
}

async fn list(
    State(proxy): State<Proxy>,
    query: Result<Query<ListQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, HttpError> {
    let repo = proxy.repo()?;
    let Query(query) = query.map_err(|e| HttpError(ApiError::invalid(e.body_text())))?;
    let dir = match query.path.as_deref() {
        None | Some("") | Some("/") => None,
        Some(raw) => Some(parse_target(raw)?),
    };
    let files = repo.list(dir.as_ref()).await.map_err(repo_error)?;
    // Proto3 JSON: an empty repeated field is omitted, so an empty listing is `{}`.
    let body = if files.is_empty() {
        serde_json::json!({})
    } else {
        let files: Vec<_> = files
            .into_iter()
            // Proto3 JSON also omits a zero int64, so an empty file has no `file_size` and the
            // client reports `None` for it, as with the official server.
            .map(|f| match f.file_size {
                Some(size) if !f.is_dir && size > 0 => {
                    serde_json::json!({"path": f.path, "is_dir": false, "file_size": size})
                }
                _ => serde_json::json!({"path": f.path, "is_dir": f.is_dir}),
            })
            .collect();
        serde_json::json!({ "files": files })
    };
    Ok(axum::Json(body).into_response())
}

async fn delete(
    State(proxy): State<Proxy>,
    path: Result<Path<String>, PathRejection>,
) -> Result<Response, HttpError> {
    let repo = proxy.repo()?;
    let path = parse_target(&raw_path(path)?)?;
    repo.delete(&path).await.map_err(repo_error)?;
    Ok(axum::Json(serde_json::json!({})).into_response())
}

/// Deleting the whole destination with one request is refused: no client operation needs it.
async fn delete_root(State(proxy): State<Proxy>) -> Result<Response, HttpError> {
    proxy.repo()?;
    Err(invalid_path())
}

async fn multipart(
    State(proxy): State<Proxy>,
    path: Result<Path<String>, PathRejection>,
) -> Result<Response, HttpError> {
    proxy.repo()?;
    parse_target(&raw_path(path)?)?;
    Err(HttpError(ApiError::new(
        ErrorCode::NotImplemented,
        "Multipart upload is not supported for the current artifact repository",
    )))
}

async fn presigned(
    State(proxy): State<Proxy>,
    path: Result<Path<String>, PathRejection>,
) -> Result<Response, HttpError> {
    proxy.repo()?;
    parse_target(&raw_path(path)?)?;
    Err(HttpError(ApiError::new(
        ErrorCode::NotImplemented,
        "Multipart download is not supported for the current artifact repository",
    )))
}

/// RFC 6266 attachment header as the official server writes it: the bare name when it is an
/// HTTP token, a quoted string otherwise, plus an RFC 5987 `filename*` for non-ASCII names.
fn content_disposition(name: &str) -> String {
    if name.is_ascii() {
        return format!("attachment; filename={}", quote_header_value(name));
    }
    let fallback: String = name.chars().filter(char::is_ascii).collect();
    let fallback = if fallback.is_empty() {
        "download"
    } else {
        fallback.as_str()
    };
    format!(
        "attachment; filename={}; filename*=UTF-8''{}",
        quote_header_value(fallback),
        utf8_percent_encode(name, RFC5987_ATTR_CHAR_COMPLEMENT)
    )
}

/// Everything except RFC 5987 `attr-char` is percent-encoded.
const RFC5987_ATTR_CHAR_COMPLEMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'!')
    .remove(b'#')
    .remove(b'$')
    .remove(b'&')
    .remove(b'+')
    .remove(b'-')
    .remove(b'.')
    .remove(b'^')
    .remove(b'_')
    .remove(b'`')
    .remove(b'|')
    .remove(b'~');

fn quote_header_value(value: &str) -> String {
    let is_token = !value.is_empty()
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b));
    if is_token {
        value.to_owned()
    } else {
        format!("\"{}\"", value.replace('\\', "\\\\").replace('"', "\\\""))
    }
}

/// Content type of a download, decided from the name as the official server does: its list of
/// text formats (matched case-sensitively, including the extension-less `MLmodel`) is served
/// as `text/plain` so browsers display logs and configs; other names go through a table of
/// the standard types; anything unknown is `application/octet-stream`.
fn guess_mime_type(name: &str) -> &'static str {
    const TEXT: &[&str] = &[
        "txt",
        "log",
        "err",
        "cfg",
        "conf",
        "cnf",
        "cf",
        "ini",
        "properties",
        "prop",
        "hocon",
        "toml",
        "yaml",
        "yml",
        "xml",
        "json",
        "js",
        "py",
        "py3",
        "csv",
        "tsv",
        "md",
        "rst",
        "ipynb",
        "MLmodel",
        "mlproject",
    ];
    let extension = match name.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() => ext,
        _ => name,
    };
    if TEXT.contains(&extension) {
        return "text/plain";
    }
    mime_from_extension(name).unwrap_or("application/octet-stream")
}

/// The standard extension table, case-insensitive; a compression suffix (`.gz`, …) describes
/// an encoding, so the type is that of the inner name (`.tar.gz` is a tar).
fn mime_from_extension(name: &str) -> Option<&'static str> {
    let (stem, ext) = name.rsplit_once('.')?;
    if stem.is_empty() {
        return None;
    }
    let ext = ext.to_ascii_lowercase();
    if matches!(ext.as_str(), "gz" | "bz2" | "xz" | "br" | "z") {
        return mime_from_extension(stem);
    }
    Some(match ext.as_str() {
        "txt" | "log" | "csv" | "md" | "yaml" | "yml" | "toml" | "ini" | "py" => "text/plain",
        "json" => "application/json",
        "js" | "mjs" => "text/javascript",
        "xml" => "text/xml",
        "html" | "htm" => "text/html",
        "css" => "text/css",
        "sh" => "text/x-sh",
        "c" => "text/x-csrc",
        "png" => "image/png",
        "jpg" | "jpeg" | "jpe" => "image/jpeg",
        "gif" => "image/gif",
        "svg" => "image/svg+xml",
        "bmp" => "image/bmp",
        "ico" => "image/vnd.microsoft.icon",
        "tif" | "tiff" => "image/tiff",
        "webp" => "image/webp",
        "avif" => "image/avif",
        "pdf" => "application/pdf",
        "zip" => "application/zip",
        "tar" | "tgz" => "application/x-tar",
        "h5" | "hdf5" => "application/x-hdf5",
        "wasm" => "application/wasm",
        "rtf" => "application/rtf",
        "doc" => "application/msword",
        "xls" => "application/vnd.ms-excel",
        "ppt" => "application/vnd.ms-powerpoint",
        "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "docx" => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "mp4" => "video/mp4",
        "mov" => "video/quicktime",
        "webm" => "video/webm",
        "mp3" => "audio/mpeg",
        "wav" => "audio/x-wav",
        "ogg" => "audio/ogg",
        "woff2" => "font/woff2",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Expected values observed from the official server's type guessing (Python 3.11).
    #[test]
    fn mime_types_match_the_official_server() {
        for (name, mime) in [
            ("a.txt", "text/plain"),
            ("MLmodel", "text/plain"),
            ("a.TXT", "text/plain"),
            ("a.JSON", "application/json"),
            ("conda.yaml", "text/plain"),
            ("a.PNG", "image/png"),
            ("a.tar.gz", "application/x-tar"),
            ("a.tgz", "application/x-tar"),
            ("a.gz", "application/octet-stream"),
            ("model.pkl", "application/octet-stream"),
            ("noext", "application/octet-stream"),
            ("a.html", "text/html"),
            ("a.svg", "image/svg+xml"),
            ("a.h5", "application/x-hdf5"),
        ] {
            assert_eq!(guess_mime_type(name), mime, "{name}");
        }
    }

    #[test]
    fn content_disposition_quotes_like_the_official_server() {
        assert_eq!(content_disposition("a.txt"), "attachment; filename=a.txt");
        assert_eq!(
            content_disposition("my file.txt"),
            "attachment; filename=\"my file.txt\""
        );
        assert_eq!(
            content_disposition("q\"x"),
            "attachment; filename=\"q\\\"x\""
        );
        assert_eq!(
            content_disposition("数据.csv"),
            "attachment; filename=.csv; filename*=UTF-8''%E6%95%B0%E6%8D%AE.csv"
        );
        assert_eq!(
            content_disposition("日本"),
            "attachment; filename=download; filename*=UTF-8''%E6%97%A5%E6%9C%AC"
        );
    }
}
