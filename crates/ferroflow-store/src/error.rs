use thiserror::Error;

/// What a store reports. It knows nothing of HTTP; the service layer turns it into a domain
/// error with the message the client will see.
#[derive(Debug, Error)]
pub enum StoreError {
    /// The named resource does not exist (or is not visible to this operation).
    #[error("{0}")]
    NotFound(String),
    /// A unique constraint would be violated (e.g. an experiment name already in use).
    #[error("{0}")]
    AlreadyExists(String),
    /// The write was refused by a rule the store enforces atomically (e.g. changing a logged
    /// param's value, writing to a deleted run).
    #[error("{0}")]
    Invalid(String),
    /// The backend failed (IO, driver, corruption). Never caused by request content.
    #[error("storage backend failure: {0}")]
    Backend(String),
}

pub type StoreResult<T> = Result<T, StoreError>;
