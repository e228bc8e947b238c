//! Store operations written once against [`Db`], shared by every dialect.
//!
//! Write operations run inside the group-commit writer's transaction (one savepoint each), so
//! their check-then-write sequences are atomic: there is only one writer.

pub(crate) mod downsample;
pub(crate) mod experiments;
pub(crate) mod filters;
pub(crate) mod history;
pub(crate) mod runs;

use crate::db::Db;
use crate::sql::{Arg, Row, Sql};
use ferroflow_core::{LifecycleStage, Metric, Tag};
use ferroflow_store::{StoreError, StoreResult};

/// Rows per multi-row INSERT: bounded by the dialect's bind limit and kept modest so one
/// statement never holds the writer for long.
pub(crate) fn rows_per_insert(db: &dyn Db, columns: usize) -> usize {
    (db.dialect().max_binds() / columns.max(1)).clamp(1, 500)
}

/// NaN cannot be stored in every backend (SQLite turns it into NULL), so it is stored as 0
/// with a flag; infinities are stored as they are.
pub(crate) fn stored_value(v: f64) -> (f64, bool) {
    if v.is_nan() { (0.0, true) } else { (v, false) }
}

pub(crate) fn loaded_value(v: f64, is_nan: bool) -> f64 {
    if is_nan { f64::NAN } else { v }
}

pub(crate) fn stage_from(s: &str) -> StoreResult<LifecycleStage> {
    LifecycleStage::parse(s)
        .ok_or_else(|| StoreError::Backend(format!("unknown lifecycle stage '{s}' in database")))
}

/// Columns: key, value, is_nan, timestamp, step, model_id, dataset_name, dataset_digest.
pub(crate) const METRIC_COLS: &str =
    "key, value, is_nan, timestamp, step, model_id, dataset_name, dataset_digest";

/// Decodes [`METRIC_COLS`] starting at column `at`.
pub(crate) fn metric_at(row: &Row, at: usize) -> StoreResult<Metric> {
    Ok(Metric {
        key: row.text(at)?,
        value: loaded_value(row.f64(at + 1)?, row.i64(at + 2)? != 0),
        timestamp: row.i64(at + 3)?,
        step: row.i64(at + 4)?,
        model_id: row.opt_text(at + 5)?,
        dataset_name: row.opt_text(at + 6)?,
        dataset_digest: row.opt_text(at + 7)?,
        run_id: None,
    })
}

/// Inserts or overwrites `(owner, key, value)` rows of a tag table.
pub(crate) async fn upsert_tags(
    db: &mut dyn Db,
    table: &str,
    owner_col: &str,
    owner: Arg,
    tags: &[Tag],
) -> StoreResult<()> {
    let dialect = db.dialect();
    let key = format!("{owner_col}, key");
    let chunk = rows_per_insert(db, 3);
    for part in tags.chunks(chunk) {
        let mut s = Sql::new(dialect);
        s.push(&format!(
            "INSERT INTO {table} ({owner_col}, key, value) VALUES "
        ));
        for (i, t) in part.iter().enumerate() {
            if i > 0 {
                s.push(", ");
            }
            s.push("(")
                .bind(owner.clone())
                .push(", ")
                .bind(&t.key)
                .push(", ")
                .bind(&t.value)
                .push(")");
        }
        s.push(&dialect.upsert(&key, &["value"], None));
        db.execute(&s).await?;
    }
    Ok(())
}

/// `IN (...)` lists are chunked to stay under the bind limit.
pub(crate) const IN_CHUNK: usize = 500;
