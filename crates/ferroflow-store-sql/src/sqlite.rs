//! The SQLite backend: connection settings, migrations, the read pool and the [`Db`] adapter.
//!
//! Everything SQLite-specific that is not a SQL fragment lives here. Durability promise: WAL
//! with `synchronous=FULL`, so a write acknowledged by the group-commit writer has been fsynced
//! and survives `kill -9` and power loss.

use crate::db::Db;
use crate::dialect::Dialect;
use crate::sql::{Arg, Row, Sql, Val};
use async_trait::async_trait;
use ferroflow_store::{StoreError, StoreResult};
use futures::future::BoxFuture;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteConnection, SqliteJournalMode, SqlitePool, SqlitePoolOptions,
    SqliteRow, SqliteSynchronous,
};
use sqlx::{AssertSqlSafe, Connection, Decode, Row as _, Sqlite, TypeInfo, ValueRef};
use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

/// Rows a read may buffer ahead of the task consuming them (a history page is 25k points).
const READER_ROW_BUFFER: usize = 32_768;

/// Readers map the database file instead of copying pages through `read()` into a private
/// 2 MB cache per connection: index walks over a 20k-run store then stop paying a system call
/// per page (~15% off searches), and the connections share the OS page cache. Only the reads
/// use it; the writer keeps plain I/O.
const READER_MMAP_BYTES: u64 = 256 << 20;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");

/// Where the SQLite database lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum SqliteTarget {
    File(PathBuf),
    Memory,
}

/// Read connections; the write connection belongs to the writer task.
pub(crate) struct SqliteReaders {
    pool: SqlitePool,
    /// Multi-statement reads run in a transaction so they see one snapshot. Not for in-memory
    /// databases: their shared-cache table locks could deadlock a reader against the writer.
    snapshots: bool,
}

pub(crate) fn backend(e: impl std::fmt::Display) -> StoreError {
    StoreError::Backend(e.to_string())
}

fn map_err(e: sqlx::Error) -> StoreError {
    if let sqlx::Error::Database(db) = &e {
        if db.is_unique_violation() {
            // The driver's text names tables and columns; services word their own message.
            tracing::debug!(error = %db.message(), "unique constraint");
            return StoreError::AlreadyExists(
                "A resource with this identity already exists.".into(),
            );
        }
        if let Some(limit) = request_limit(db.message()) {
            tracing::warn!(error = %db.message(), "query refused by a SQLite limit");
            return StoreError::Invalid(format!(
                "The request is too complex for the database ({limit}). Simplify the filter or \
                 order_by, or split the request."
            ));
        }
    }
    backend(e)
}

/// SQLite's refusals of statements that are too big, which only a request's size can cause:
/// the request is at fault (400), not the server. The safety net under the search limits.
fn request_limit(message: &str) -> Option<&'static str> {
    const LIMITS: [(&str, &str); 6] = [
        ("too many SQL variables", "too many values"),
        ("Expression tree is too large", "expression too deep"),
        ("tables in a join", "too many joined terms"),
        ("pattern too complex", "LIKE pattern too complex"),
        ("too many terms in compound SELECT", "too many terms"),
        ("string or blob too big", "value too long"),
    ];
    LIMITS
        .iter()
        .find(|(needle, _)| message.contains(needle))
        .map(|&(_, what)| what)
}

/// Opens (creating if needed) the database, applies migrations, and returns the write
/// connection and the read pool.
pub(crate) async fn open(target: &SqliteTarget) -> StoreResult<(Box<dyn Db>, SqliteReaders)> {
    let base = match target {
        SqliteTarget::File(path) => {
            if let Some(parent) = path.parent()
                && !parent.as_os_str().is_empty()
            {
                tokio::fs::create_dir_all(parent).await.map_err(|e| {
                    StoreError::Backend(format!("cannot create {}: {e}", parent.display()))
                })?;
            }
            SqliteConnectOptions::new()
                .filename(path)
                .create_if_missing(true)
        }
        // Parsed once and cloned, so every connection names the same shared in-memory database.
        SqliteTarget::Memory => {
            SqliteConnectOptions::from_str("sqlite::memory:").map_err(backend)?
        }
    };
    let options = base
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Full)
        .foreign_keys(true)
        .busy_timeout(Duration::from_secs(60))
        .statement_cache_capacity(256);

    let mut writer = SqliteConnection::connect_with(&options)
        .await
        .map_err(backend)?;
    MIGRATOR
        .run(&mut writer)
        .await
        .map_err(|e| StoreError::Backend(format!("migrating the SQLite database failed: {e}")))?;

    let readers = std::thread::available_parallelism().map_or(4, |n| n.get().clamp(2, 8));
    let pool = SqlitePoolOptions::new()
        .max_connections(u32::try_from(readers).unwrap_or(4))
        .min_connections(0)
        .idle_timeout(Some(Duration::from_secs(600)))
        .acquire_timeout(Duration::from_secs(60))
        // Pages of runs and metric histories are thousands of rows: a row buffer that holds
        // them lets SQLite's worker thread finish a statement without waiting for the reading
        // task at every 50 rows (the default), which costs a thread hand-off each time.
        .connect_with(
            options
                .pragma("query_only", "ON")
                .row_buffer_size(READER_ROW_BUFFER)
                .pragma("mmap_size", READER_MMAP_BYTES.to_string()),
        )
        .await
        .map_err(backend)?;

    let snapshots = matches!(target, SqliteTarget::File(_));
    Ok((Box::new(writer), SqliteReaders { pool, snapshots }))
}

impl SqliteReaders {
    /// Runs `f` on a pooled read connection; `snapshot` asks for one consistent view across
    /// several statements.
    pub(crate) async fn read<T, F>(&self, snapshot: bool, f: F) -> StoreResult<T>
    where
        F: for<'c> FnOnce(&'c mut dyn Db) -> BoxFuture<'c, StoreResult<T>>,
    {
        let mut conn = self.pool.acquire().await.map_err(backend)?;
        if snapshot && self.snapshots {
            // A dropped sqlx transaction rolls back, so a cancelled request cannot leave the
            // pooled connection inside an open transaction.
            let mut tx = conn.begin().await.map_err(map_err)?;
            let out = f(&mut *tx).await;
            tx.commit().await.map_err(map_err)?;
            out
        } else {
            f(&mut *conn).await
        }
    }

    pub(crate) async fn close(&self) {
        self.pool.close().await;
    }
}

fn build(sql: &Sql) -> sqlx::query::Query<'_, Sqlite, sqlx::sqlite::SqliteArguments> {
    let mut q = sqlx::query(AssertSqlSafe(sql.text.as_str()));
    for a in &sql.args {
        q = match a {
            Arg::Null => q.bind(None::<i64>),
            Arg::Int(v) => q.bind(*v),
            Arg::Real(v) => q.bind(*v),
            Arg::Text(v) => q.bind(v.clone()),
        };
    }
    q
}

fn convert(row: &SqliteRow) -> StoreResult<Row> {
    let n = row.len();
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let raw = row.try_get_raw(i).map_err(backend)?;
        if raw.is_null() {
            out.push(Val::Null);
            continue;
        }
        let ty = raw.type_info();
        let v = match ty.name() {
            "INTEGER" | "BOOLEAN" => {
                Val::Int(<i64 as Decode<Sqlite>>::decode(raw).map_err(backend)?)
            }
            "REAL" | "NUMERIC" => Val::Real(<f64 as Decode<Sqlite>>::decode(raw).map_err(backend)?),
            "TEXT" => Val::Text(<String as Decode<Sqlite>>::decode(raw).map_err(backend)?),
            other => {
                return Err(StoreError::Backend(format!(
                    "unexpected SQLite type {other}"
                )));
            }
        };
        out.push(v);
    }
    Ok(Row(out))
}

#[async_trait]
impl Db for SqliteConnection {
    fn dialect(&self) -> Dialect {
        Dialect::Sqlite
    }

    async fn execute(&mut self, sql: &Sql) -> StoreResult<u64> {
        sql.check_bind_limit()?;
        let r = build(sql).execute(&mut *self).await.map_err(map_err)?;
        Ok(r.rows_affected())
    }

    async fn fetch_all(&mut self, sql: &Sql) -> StoreResult<Vec<Row>> {
        sql.check_bind_limit()?;
        let rows = build(sql).fetch_all(&mut *self).await.map_err(map_err)?;
        rows.iter().map(convert).collect()
    }

    async fn close(self: Box<Self>) {
        if let Err(e) = sqlx::Connection::close(*self).await {
            tracing::warn!(error = %e, "closing the SQLite write connection failed");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dialect::Dialect;
    use crate::sql::Sql;

    #[test]
    fn sqlite_size_refusals_are_the_requests_fault() {
        assert_eq!(
            request_limit("too many SQL variables"),
            Some("too many values")
        );
        assert_eq!(
            request_limit("Expression tree is too large (maximum depth 1000)"),
            Some("expression too deep")
        );
        assert_eq!(
            request_limit("at most 64 tables in a join"),
            Some("too many joined terms")
        );
        assert_eq!(request_limit("disk I/O error"), None);
    }

    #[test]
    fn statements_over_the_bind_limit_are_refused_before_the_database() {
        let mut s = Sql::new(Dialect::Sqlite);
        s.push("SELECT 1 WHERE 1 IN ")
            .bind_list((0..=Dialect::Sqlite.max_binds() as i64).collect::<Vec<_>>());
        match s.check_bind_limit() {
            Err(StoreError::Invalid(m)) => assert!(m.contains("at most 30000"), "{m}"),
            other => panic!("{other:?}"),
        }
    }
}
