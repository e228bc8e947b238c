//! The one error type of the artifact layer.
//!
//! Variants are chosen by what the HTTP layer must answer (404, 400, 501, 500), not by where the
//! failure happened, so the proxy can map them without inspecting messages.

/// Why an artifact operation failed.
#[derive(Debug, thiserror::Error)]
pub enum ArtifactError {
    /// Nothing is stored at the path. Carries the requested relative path.
    #[error("No such artifact: '{0}'")]
    NotFound(String),

    /// The path is unsafe or unusable: traversal, absolute, forbidden characters, a symlink that
    /// leaves the root, or a file standing where a directory is needed.
    #[error("Invalid path '{path}': {reason}")]
    InvalidPath { path: String, reason: String },

    /// A file operation was asked of a directory.
    #[error("Artifact path refers to a directory, not a file: '{0}'")]
    IsDirectory(String),

    /// The storage location or the operation is not available in this build.
    #[error("{0}")]
    Unsupported(String),

    /// The storage backend failed; not the caller's fault.
    #[error("artifact storage error: {0}")]
    Io(#[from] std::io::Error),
}

impl ArtifactError {
    pub(crate) fn invalid(path: impl Into<String>, reason: impl Into<String>) -> Self {
        Self::InvalidPath {
            path: path.into(),
            reason: reason.into(),
        }
    }

    /// The reason alone, without the path, for callers that render their own message.
    pub fn reason(&self) -> Option<&str> {
        match self {
            Self::InvalidPath { reason, .. } => Some(reason),
            _ => None,
        }
    }
}

/// Converts a backend error, naming the artifact by its relative path (never the storage path,
/// which would leak the server's directory layout into client-visible messages).
pub(crate) fn from_store(e: object_store::Error, path: &str) -> ArtifactError {
    match e {
        object_store::Error::NotFound { .. } => ArtifactError::NotFound(path.to_owned()),
        object_store::Error::InvalidPath { .. } => {
            ArtifactError::invalid(path, "not a valid object location")
        }
        object_store::Error::NotImplemented {
            operation,
            implementer,
        } => ArtifactError::Unsupported(format!("{operation} is not supported by {implementer}")),
        other => ArtifactError::Io(std::io::Error::other(other)),
    }
}
