//! Artifact storage for Ferroflow: one [`ArtifactRepo`] trait, implemented once over the
//! `object_store` crate ([`ObjectStoreRepo`]), so the local filesystem, S3, GCS and Azure differ
//! only in configuration.
//!
//! Two promises hold for every repository:
//! * only [`ArtifactPath`]s reach storage, so no request can name a location outside the root;
//! * bodies are streamed in bounded chunks in both directions, so memory does not grow with
//!   file size, and an upload becomes visible only once complete.

mod error;
mod object_store_repo;
mod path;

pub use error::ArtifactError;
pub use ferroflow_core::FileInfo;
pub use object_store_repo::{LocalArtifactRepo, ObjectStoreRepo};
pub use path::ArtifactPath;

use async_trait::async_trait;
use bytes::Bytes;
use futures::stream::BoxStream;
use std::sync::Arc;

/// A body in transit: chunks arrive as the peer sends them, errors end the transfer.
pub type ByteStream = BoxStream<'static, std::io::Result<Bytes>>;

/// A file being read: its total size (sent as `Content-Length` before the first byte) and its
/// bytes.
pub struct Download {
    pub size: u64,
    pub stream: ByteStream,
}

impl std::fmt::Debug for Download {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Download")
            .field("size", &self.size)
            .finish_non_exhaustive()
    }
}

/// A tree of files addressed by relative paths, with MLflow's artifact semantics.
#[async_trait]
pub trait ArtifactRepo: Send + Sync + 'static {
    /// Stores `body` at `path`, replacing any file there, and returns the number of bytes
    /// written. The file appears complete or not at all: a failed or abandoned body leaves the
    /// previous content (or nothing) in place. Parent directories are implicit.
    async fn put(&self, path: &ArtifactPath, body: ByteStream) -> Result<u64, ArtifactError>;

    /// Opens the file at `path` for streaming. `NotFound` if nothing is there, `IsDirectory` if
    /// the path names a directory.
    async fn get(&self, path: &ArtifactPath) -> Result<Download, ArtifactError>;

    /// The immediate children of `dir` (the root when `None`) by basename, files with their
    /// size, sorted by name. A missing directory or a file path lists as empty, as in MLflow.
    async fn list(&self, dir: Option<&ArtifactPath>) -> Result<Vec<FileInfo>, ArtifactError>;

    /// Removes the file or the whole directory tree at `path`. Removing nothing is not an error.
    async fn delete(&self, path: &ArtifactPath) -> Result<(), ArtifactError>;
}

/// Opens the repository an artifacts-destination URI names: a local path or a `file://` URI
/// (the directory is created if needed). Remote schemes are refused with a clear message until
/// their object_store backends are wired in.
pub fn open_repo(uri: &str) -> Result<Arc<dyn ArtifactRepo>, ArtifactError> {
    let local = match uri_scheme(uri) {
        None => uri.to_owned(),
        Some(scheme) if scheme.eq_ignore_ascii_case("file") => file_uri_to_path(uri)?,
        Some(scheme) => {
            return Err(ArtifactError::Unsupported(format!(
                "artifact store URI '{uri}': the '{scheme}' scheme is not supported yet \
                 (supported: a local path or a file:// URI)"
            )));
        }
    };
    if local.is_empty() {
        return Err(ArtifactError::invalid(
            uri,
            "the artifact location is empty",
        ));
    }
    Ok(Arc::new(ObjectStoreRepo::local(&local)?))
}

/// The URI scheme, if `uri` has one. A single letter before `:` is a Windows drive, not a scheme.
fn uri_scheme(uri: &str) -> Option<&str> {
    let (scheme, _) = uri.split_once(':')?;
    let mut chars = scheme.chars();
    let first = chars.next()?;
    let valid = first.is_ascii_alphabetic()
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    (valid && scheme.len() > 1).then_some(scheme)
}

/// `file:///abs`, `file://localhost/abs` and `file:/abs` to a filesystem path (percent-decoded).
fn file_uri_to_path(uri: &str) -> Result<String, ArtifactError> {
    let rest = &uri["file:".len()..];
    let path = match rest.strip_prefix("//") {
        Some(after) => match after.find('/') {
            Some(0) => after,
            Some(i) if after[..i].eq_ignore_ascii_case("localhost") => &after[i..],
            _ => {
                return Err(ArtifactError::Unsupported(format!(
                    "artifact store URI '{uri}': file URIs with a remote host are not supported"
                )));
            }
        },
        None => rest,
    };
    if !path.starts_with('/') {
        return Err(ArtifactError::invalid(
            uri,
            "a file:// URI needs an absolute path",
        ));
    }
    percent_encoding::percent_decode_str(path)
        .decode_utf8()
        .map(|p| p.into_owned())
        .map_err(|_| ArtifactError::invalid(uri, "the path is not valid UTF-8"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schemes_are_told_apart_from_paths() {
        assert_eq!(uri_scheme("s3://bucket/x"), Some("s3"));
        assert_eq!(uri_scheme("file:///tmp/x"), Some("file"));
        assert_eq!(uri_scheme("mlflow-artifacts:/"), Some("mlflow-artifacts"));
        assert_eq!(uri_scheme("/tmp/x"), None);
        assert_eq!(uri_scheme("./mlartifacts"), None);
        assert_eq!(uri_scheme("C:\\data"), None);
        assert_eq!(uri_scheme("dir:with/colon"), Some("dir"));
    }

    #[test]
    fn file_uris_become_paths() {
        assert_eq!(file_uri_to_path("file:///tmp/a%20b").unwrap(), "/tmp/a b");
        assert_eq!(
            file_uri_to_path("file://localhost/tmp/x").unwrap(),
            "/tmp/x"
        );
        assert_eq!(file_uri_to_path("file:/tmp/x").unwrap(), "/tmp/x");
        assert!(matches!(
            file_uri_to_path("file://otherhost/tmp/x"),
            Err(ArtifactError::Unsupported(_))
        ));
        assert!(file_uri_to_path("file:relative").is_err());
    }

    #[test]
    fn remote_schemes_are_refused_clearly() {
        for uri in [
            "s3://bucket/prefix",
            "gs://b/p",
            "wasbs://c@a.blob.core.windows.net/p",
        ] {
            let err = open_repo(uri).err().expect("must be refused");
            assert!(matches!(err, ArtifactError::Unsupported(_)), "{uri}: {err}");
            assert!(err.to_string().contains("not supported yet"), "{err}");
        }
    }
}
