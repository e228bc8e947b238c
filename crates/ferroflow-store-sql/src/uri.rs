//! Parsing of SQLAlchemy-style store URIs, so `ferroflow server --backend-store-uri` accepts
//! exactly what users already pass to `mlflow server`.

use crate::sqlite::SqliteTarget;
use ferroflow_store::StoreError;
use std::path::PathBuf;

/// Which backend a URI selects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Target {
    Sqlite(SqliteTarget),
}

/// Accepts `sqlite:///relative.db`, `sqlite:////absolute.db`, `sqlite:///:memory:`,
/// `sqlite://` (SQLAlchemy's in-memory spelling) and sqlx's `sqlite::memory:`.
pub(crate) fn parse(uri: &str) -> Result<Target, StoreError> {
    let scheme = uri.split(':').next().unwrap_or_default();
    // `postgresql+psycopg2://` and friends: the driver suffix does not matter to us.
    let family = scheme
        .split('+')
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    match family.as_str() {
        "sqlite" => parse_sqlite(uri),
        "postgresql" | "postgres" | "mysql" | "mariadb" | "mssql" => {
            Err(StoreError::Invalid(format!(
                "The {family} backend store is not supported yet; use a sqlite:/// URI (got '{}')",
                redact(uri)
            )))
        }
        _ => Err(StoreError::Invalid(format!(
            "Unsupported backend store URI '{}': expected e.g. sqlite:///mlflow.db",
            redact(uri)
        ))),
    }
}

fn parse_sqlite(uri: &str) -> Result<Target, StoreError> {
    if uri == "sqlite::memory:" || uri == "sqlite://" {
        return Ok(Target::Sqlite(SqliteTarget::Memory));
    }
    let rest = uri.split_once("://").map(|(_, r)| r).ok_or_else(|| {
        StoreError::Invalid(format!(
            "Invalid SQLite URI '{uri}': expected sqlite:///<path>"
        ))
    })?;
    // SQLAlchemy: `sqlite://<host>/<path>`; the host must be empty.
    let path = rest.strip_prefix('/').ok_or_else(|| {
        StoreError::Invalid(format!(
            "Invalid SQLite URI '{uri}': expected sqlite:///<path>"
        ))
    })?;
    // Query strings (`?mode=ro` etc.) are not supported; refuse rather than misinterpret.
    if path.contains('?') {
        return Err(StoreError::Invalid(format!(
            "Invalid SQLite URI '{uri}': query parameters are not supported"
        )));
    }
    if path.is_empty() || path == ":memory:" {
        return Ok(Target::Sqlite(SqliteTarget::Memory));
    }
    Ok(Target::Sqlite(SqliteTarget::File(PathBuf::from(path))))
}

/// Hides a password in `user:password@host` URIs before they reach an error message.
fn redact(uri: &str) -> String {
    let Some((scheme, rest)) = uri.split_once("://") else {
        return uri.to_owned();
    };
    match rest.split_once('@') {
        Some((cred, host)) => {
            let user = cred.split(':').next().unwrap_or_default();
            format!("{scheme}://{user}:***@{host}")
        }
        None => uri.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(p: &str) -> Target {
        Target::Sqlite(SqliteTarget::File(PathBuf::from(p)))
    }

    #[test]
    fn sqlite_uris_follow_sqlalchemy() {
        assert_eq!(parse("sqlite:///mlflow.db").unwrap(), file("mlflow.db"));
        assert_eq!(
            parse("sqlite:///sub/dir/x.db").unwrap(),
            file("sub/dir/x.db")
        );
        assert_eq!(parse("sqlite:////abs/x.db").unwrap(), file("/abs/x.db"));
        let mem = Target::Sqlite(SqliteTarget::Memory);
        assert_eq!(parse("sqlite:///:memory:").unwrap(), mem);
        assert_eq!(parse("sqlite::memory:").unwrap(), mem);
        assert_eq!(parse("sqlite://").unwrap(), mem);
    }

    #[test]
    fn other_backends_are_refused_clearly_without_leaking_passwords() {
        let Err(StoreError::Invalid(msg)) = parse("postgresql://u:secret@h/db") else {
            panic!("expected Invalid")
        };
        assert!(msg.contains("not supported yet"), "{msg}");
        assert!(!msg.contains("secret"), "{msg}");
        assert!(matches!(
            parse("mysql+pymysql://h/db"),
            Err(StoreError::Invalid(_))
        ));
        assert!(matches!(
            parse("file:///tmp/x"),
            Err(StoreError::Invalid(_))
        ));
        assert!(matches!(
            parse("sqlite://host/x.db"),
            Err(StoreError::Invalid(_))
        ));
    }
}
