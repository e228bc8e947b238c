//! MLflow's error codes and the one table that maps them to HTTP statuses.
//!
//! The official client branches on `error_code` alone, so the codes must be exact; the HTTP
//! status matters too, because the client retries 5xx answers for minutes — a deterministic
//! failure must therefore never be reported with a 5xx.

use ferroflow_core::{Error, ErrorKind};
use serde::Serialize;

/// The `ErrorCode` enum of MLflow's protocol, restricted to the codes Ferroflow emits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorCode {
    InternalError,
    TemporarilyUnavailable,
    BadRequest,
    InvalidParameterValue,
    EndpointNotFound,
    MalformedRequest,
    InvalidState,
    PermissionDenied,
    FeatureDisabled,
    ResourceAlreadyExists,
    ResourceDoesNotExist,
    NotImplemented,
    RequestLimitExceeded,
}

impl ErrorCode {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::InternalError => "INTERNAL_ERROR",
            Self::TemporarilyUnavailable => "TEMPORARILY_UNAVAILABLE",
            Self::BadRequest => "BAD_REQUEST",
            Self::InvalidParameterValue => "INVALID_PARAMETER_VALUE",
            Self::EndpointNotFound => "ENDPOINT_NOT_FOUND",
            Self::MalformedRequest => "MALFORMED_REQUEST",
            Self::InvalidState => "INVALID_STATE",
            Self::PermissionDenied => "PERMISSION_DENIED",
            Self::FeatureDisabled => "FEATURE_DISABLED",
            Self::ResourceAlreadyExists => "RESOURCE_ALREADY_EXISTS",
            Self::ResourceDoesNotExist => "RESOURCE_DOES_NOT_EXIST",
            Self::NotImplemented => "NOT_IMPLEMENTED",
            Self::RequestLimitExceeded => "REQUEST_LIMIT_EXCEEDED",
        }
    }

    /// The HTTP status the official server answers with for this code (reference §1.2).
    pub fn http_status(self) -> u16 {
        match self {
            Self::BadRequest
            | Self::InvalidParameterValue
            | Self::MalformedRequest
            | Self::ResourceAlreadyExists => 400,
            Self::PermissionDenied => 403,
            Self::ResourceDoesNotExist | Self::EndpointNotFound => 404,
            Self::RequestLimitExceeded => 429,
            Self::InternalError | Self::InvalidState | Self::FeatureDisabled => 500,
            Self::NotImplemented => 501,
            Self::TemporarilyUnavailable => 503,
        }
    }

    /// MLflow 3's coarse `error_class`, sent beside the code.
    fn error_class(self) -> &'static str {
        match self {
            Self::ResourceDoesNotExist | Self::EndpointNotFound => "RESOURCE_NOT_FOUND",
            Self::ResourceAlreadyExists => "RESOURCE_ALREADY_EXISTS",
            Self::InvalidParameterValue | Self::BadRequest | Self::MalformedRequest => {
                "INVALID_PARAMETER_VALUE"
            }
            _ => "INTERNAL_ERROR",
        }
    }
}

impl From<ErrorKind> for ErrorCode {
    fn from(kind: ErrorKind) -> Self {
        match kind {
            ErrorKind::InvalidParameterValue => Self::InvalidParameterValue,
            ErrorKind::BadRequest => Self::BadRequest,
            ErrorKind::ResourceDoesNotExist => Self::ResourceDoesNotExist,
            ErrorKind::ResourceAlreadyExists => Self::ResourceAlreadyExists,
            ErrorKind::InvalidState => Self::InvalidState,
            ErrorKind::NotImplemented => Self::NotImplemented,
            ErrorKind::PermissionDenied => Self::PermissionDenied,
            ErrorKind::TemporarilyUnavailable => Self::TemporarilyUnavailable,
            ErrorKind::Internal => Self::InternalError,
        }
    }
}

/// An error on its way to the wire.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub code: ErrorCode,
    pub message: String,
}

impl ApiError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }
    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::InvalidParameterValue, message)
    }
    pub fn malformed(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::MalformedRequest, message)
    }
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::ResourceDoesNotExist, message)
    }
    pub fn http_status(&self) -> u16 {
        self.code.http_status()
    }
    /// The JSON body: `{"error_code", "message", "error_class"}` plus MLflow 3's `sqlstate`.
    pub fn body(&self) -> ErrorBody<'_> {
        let status = self.http_status();
        ErrorBody {
            error_code: self.code.as_str(),
            message: &self.message,
            error_class: self.code.error_class(),
            sqlstate: if (400..500).contains(&status) {
                Some("KAM00")
            } else {
                None
            },
        }
    }
}

impl From<Error> for ApiError {
    fn from(e: Error) -> Self {
        Self {
            code: e.kind.into(),
            message: e.message,
        }
    }
}

#[derive(Debug, Serialize)]
pub struct ErrorBody<'a> {
    pub error_code: &'static str,
    pub message: &'a str,
    pub error_class: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sqlstate: Option<&'static str>,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The reference's §1.2 table, row by row.
    #[test]
    fn status_table_matches_reference() {
        let table = [
            ("INVALID_PARAMETER_VALUE", 400),
            ("BAD_REQUEST", 400),
            ("RESOURCE_ALREADY_EXISTS", 400),
            ("PERMISSION_DENIED", 403),
            ("RESOURCE_DOES_NOT_EXIST", 404),
            ("ENDPOINT_NOT_FOUND", 404),
            ("REQUEST_LIMIT_EXCEEDED", 429),
            ("INTERNAL_ERROR", 500),
            ("INVALID_STATE", 500),
            ("NOT_IMPLEMENTED", 501),
            ("TEMPORARILY_UNAVAILABLE", 503),
        ];
        let all = [
            ErrorCode::InternalError,
            ErrorCode::TemporarilyUnavailable,
            ErrorCode::BadRequest,
            ErrorCode::InvalidParameterValue,
            ErrorCode::EndpointNotFound,
            ErrorCode::MalformedRequest,
            ErrorCode::InvalidState,
            ErrorCode::PermissionDenied,
            ErrorCode::FeatureDisabled,
            ErrorCode::ResourceAlreadyExists,
            ErrorCode::ResourceDoesNotExist,
            ErrorCode::NotImplemented,
            ErrorCode::RequestLimitExceeded,
        ];
        for (name, status) in table {
            let code = all.iter().find(|c| c.as_str() == name).expect(name);
            assert_eq!(code.http_status(), status, "{name}");
        }
    }

    #[test]
    fn body_shape() {
        let e = ApiError::not_found("Run with id=x not found");
        let v = serde_json::to_value(e.body()).unwrap();
        assert_eq!(v["error_code"], "RESOURCE_DOES_NOT_EXIST");
        assert_eq!(v["message"], "Run with id=x not found");
        assert_eq!(v["error_class"], "RESOURCE_NOT_FOUND");
        assert_eq!(v["sqlstate"], "KAM00");
    }
}
