//! The one error type of the domain and service layers.
//!
//! It names *what went wrong* in MLflow's vocabulary (an invalid parameter, a missing resource),
//! never how a transport reports it: `ferroflow-api` owns the single table that maps a kind to an
//! MLflow `error_code` and an HTTP status.

use std::fmt;

/// The category of a failure, mirroring the MLflow error codes the official client branches on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// The request was understood but a value is not acceptable (`INVALID_PARAMETER_VALUE`).
    InvalidParameterValue,
    /// The request could not be decoded at all (`BAD_REQUEST`).
    BadRequest,
    /// A named resource is missing (`RESOURCE_DOES_NOT_EXIST`).
    ResourceDoesNotExist,
    /// A resource with that identity exists already (`RESOURCE_ALREADY_EXISTS`).
    ResourceAlreadyExists,
    /// The operation conflicts with the current state of a resource (`INVALID_STATE`).
    InvalidState,
    /// The request is valid but this server does not offer that operation (`NOT_IMPLEMENTED`).
    NotImplemented,
    /// The caller may not do this (`PERMISSION_DENIED`).
    PermissionDenied,
    /// The server is temporarily unable to answer, e.g. while shutting down (`TEMPORARILY_UNAVAILABLE`).
    TemporarilyUnavailable,
    /// A bug or an infrastructure failure; never used for bad input (`INTERNAL_ERROR`).
    Internal,
}

/// A domain failure: a kind plus a message written for the person who sent the request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    pub kind: ErrorKind,
    pub message: String,
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
        }
    }
    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::InvalidParameterValue, message)
    }
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::BadRequest, message)
    }
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::ResourceDoesNotExist, message)
    }
    pub fn already_exists(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::ResourceAlreadyExists, message)
    }
    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Internal, message)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}: {}", self.kind, self.message)
    }
}

impl std::error::Error for Error {}
