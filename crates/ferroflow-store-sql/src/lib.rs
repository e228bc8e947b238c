//! SQL storage for Ferroflow: SQLite today, PostgreSQL and MySQL next.
//!
//! Layout (why each piece exists):
//! * [`dialect`] names every place SQL dialects differ; [`sql`] is a driver-free statement and
//!   row type; [`db`] is the one trait a driver implements. Store logic in `ops` and `search` is
//!   written once against it, so a new backend adds an executor and a migrations folder only.
//! * [`writer`] is the group-commit writer task that owns the single write connection.
//! * `sqlite` holds the SQLite connection settings, migrations and read pool.

mod db;
mod dialect;
mod logged_models;
mod ops;
mod registry;
mod search;
mod sql;
mod sqlite;
mod uri;
mod writer;

use async_trait::async_trait;
use db::Db;
use ferroflow_core::{
    DatasetInput, Experiment, ExperimentId, LifecycleStage, Metric, MetricWithRunId, ModelOutput,
    Page, Param, Run, RunId, RunInfo, Tag,
};
use ferroflow_store::{
    BulkIntervalQuery, DownsampleQuery, DownsampledSeries, ExperimentQuery, HistoryPage,
    HistoryQuery, NewExperiment, NewRun, RunQuery, RunUpdate, StoreResult, TrackingStore,
};
use futures::future::BoxFuture;
use ops::{experiments, history, runs};
use sqlite::SqliteReaders;
use writer::Writer;

/// A [`TrackingStore`] over a SQL database.
///
/// Writes go through one group-commit writer task; reads use a small connection pool. Cheap to
/// share behind an `Arc`.
pub struct SqlStore {
    writer: Writer,
    readers: SqliteReaders,
}

impl std::fmt::Debug for SqlStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqlStore").finish_non_exhaustive()
    }
}

impl SqlStore {
    /// Opens the store named by a SQLAlchemy-style URI (`sqlite:///relative.db`,
    /// `sqlite:////absolute.db`, `sqlite:///:memory:`, `sqlite::memory:`), creating the file,
    /// its parent directories and the schema as needed. PostgreSQL and MySQL URIs are refused
    /// with `StoreError::Invalid` until their backends exist.
    pub async fn connect(uri: &str) -> StoreResult<SqlStore> {
        match uri::parse(uri)? {
            uri::Target::Sqlite(target) => {
                let (write_conn, readers) = sqlite::open(&target).await?;
                Ok(SqlStore {
                    writer: Writer::spawn(write_conn),
                    readers,
                })
            }
        }
    }

    /// Waits for every write queued so far to commit, then closes all connections. Writes
    /// attempted afterwards fail with a backend error. Call on graceful shutdown.
    pub async fn close(&self) {
        self.writer.close().await;
        self.readers.close().await;
    }

    async fn write<T, F>(&self, f: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: for<'c> FnOnce(&'c mut dyn Db) -> BoxFuture<'c, StoreResult<T>> + Send + 'static,
    {
        self.writer.run(f).await
    }

    async fn read<T, F>(&self, f: F) -> StoreResult<T>
    where
        F: for<'c> FnOnce(&'c mut dyn Db) -> BoxFuture<'c, StoreResult<T>>,
    {
        self.readers.read(false, f).await
    }

    /// A read of several statements that must agree with each other (one snapshot).
    async fn read_snapshot<T, F>(&self, f: F) -> StoreResult<T>
    where
        F: for<'c> FnOnce(&'c mut dyn Db) -> BoxFuture<'c, StoreResult<T>>,
    {
        self.readers.read(true, f).await
    }
}

#[async_trait]
impl TrackingStore for SqlStore {
    async fn ensure_default_experiment(
        &self,
        default_artifact_root: &str,
        now: i64,
    ) -> StoreResult<()> {
        let root = default_artifact_root.to_owned();
        self.write(move |db| {
            Box::pin(async move { experiments::ensure_default(db, &root, now).await })
        })
        .await
    }

    async fn create_experiment(&self, new: NewExperiment) -> StoreResult<ExperimentId> {
        self.write(move |db| Box::pin(experiments::create(db, new)))
            .await
    }

    async fn get_experiment(&self, id: ExperimentId) -> StoreResult<Experiment> {
        self.read_snapshot(move |db| Box::pin(experiments::get(db, id)))
            .await
    }

    async fn get_experiment_by_name(&self, name: &str) -> StoreResult<Option<Experiment>> {
        let name = name.to_owned();
        self.read_snapshot(move |db| {
            Box::pin(async move { experiments::get_by_name(db, &name).await })
        })
        .await
    }

    async fn search_experiments(&self, query: ExperimentQuery) -> StoreResult<Page<Experiment>> {
        self.read_snapshot(move |db| Box::pin(search::search_experiments(db, query)))
            .await
    }

    async fn rename_experiment(
        &self,
        id: ExperimentId,
        new_name: &str,
        now: i64,
    ) -> StoreResult<()> {
        let name = new_name.to_owned();
        self.write(move |db| Box::pin(async move { experiments::rename(db, id, &name, now).await }))
            .await
    }

    async fn set_experiment_lifecycle(
        &self,
        id: ExperimentId,
        stage: LifecycleStage,
        now: i64,
    ) -> StoreResult<()> {
        self.write(move |db| Box::pin(experiments::set_lifecycle(db, id, stage, now)))
            .await
    }

    async fn set_experiment_tag(&self, id: ExperimentId, tag: Tag) -> StoreResult<()> {
        self.write(move |db| Box::pin(experiments::set_tag(db, id, tag)))
            .await
    }

    async fn delete_experiment_tag(&self, id: ExperimentId, key: &str) -> StoreResult<()> {
        let key = key.to_owned();
        self.write(move |db| Box::pin(async move { experiments::delete_tag(db, id, &key).await }))
            .await
    }

    async fn create_run(&self, new: NewRun) -> StoreResult<Run> {
        self.write(move |db| Box::pin(runs::create(db, new))).await
    }

    async fn get_run(&self, run_id: &RunId) -> StoreResult<Run> {
        let run_id = run_id.clone();
        self.read_snapshot(move |db| Box::pin(async move { runs::get(db, &run_id).await }))
            .await
    }

    async fn update_run_info(&self, run_id: &RunId, update: RunUpdate) -> StoreResult<RunInfo> {
        let run_id = run_id.clone();
        self.write(move |db| Box::pin(async move { runs::update_info(db, &run_id, update).await }))
            .await
    }

    async fn set_run_lifecycle(&self, run_id: &RunId, stage: LifecycleStage) -> StoreResult<()> {
        let run_id = run_id.clone();
        self.write(move |db| Box::pin(async move { runs::set_lifecycle(db, &run_id, stage).await }))
            .await
    }

    async fn log_batch(
        &self,
        run_id: &RunId,
        metrics: Vec<Metric>,
        params: Vec<Param>,
        tags: Vec<Tag>,
    ) -> StoreResult<()> {
        let run_id = run_id.clone();
        self.write(move |db| {
            Box::pin(async move { runs::log_batch(db, &run_id, metrics, params, tags).await })
        })
        .await
    }

    async fn delete_run_tag(&self, run_id: &RunId, key: &str) -> StoreResult<()> {
        let run_id = run_id.clone();
        let key = key.to_owned();
        self.write(move |db| Box::pin(async move { runs::delete_tag(db, &run_id, &key).await }))
            .await
    }

    async fn log_inputs(
        &self,
        run_id: &RunId,
        datasets: Vec<DatasetInput>,
        model_ids: Vec<String>,
    ) -> StoreResult<()> {
        let run_id = run_id.clone();
        self.write(move |db| {
            Box::pin(async move { runs::log_inputs(db, &run_id, datasets, model_ids).await })
        })
        .await
    }

    async fn log_outputs(&self, run_id: &RunId, models: Vec<ModelOutput>) -> StoreResult<()> {
        let run_id = run_id.clone();
        self.write(move |db| Box::pin(async move { runs::log_outputs(db, &run_id, models).await }))
            .await
    }

    async fn get_metric_history(&self, query: HistoryQuery) -> StoreResult<HistoryPage> {
        self.read(move |db| Box::pin(history::page(db, query)))
            .await
    }

    async fn get_metric_history_bulk_interval(
        &self,
        query: BulkIntervalQuery,
    ) -> StoreResult<Vec<MetricWithRunId>> {
        self.read_snapshot(move |db| Box::pin(history::bulk_interval(db, query)))
            .await
    }

    async fn get_metric_history_downsampled(
        &self,
        query: DownsampleQuery,
    ) -> StoreResult<Vec<DownsampledSeries>> {
        self.read_snapshot(move |db| Box::pin(ops::downsample::downsampled(db, query)))
            .await
    }

    async fn search_runs(&self, query: RunQuery) -> StoreResult<Page<Run>> {
        self.read_snapshot(move |db| Box::pin(search::search_runs(db, query)))
            .await
    }
}

#[cfg(test)]
mod tests {
    //! Query plans: the searches and history reads must be served by indexes, not table scans.
    use super::*;
    use crate::sql::Sql;
    use ferroflow_core::ViewType;
    use ferroflow_core::search::{Clause, Comparator, OrderBy, RunKey, Value};

    async fn plan(store: &SqlStore, sql: Sql) -> String {
        store
            .read(move |db| {
                Box::pin(async move {
                    let mut explain = sql.clone();
                    explain.text = format!("EXPLAIN QUERY PLAN {}", sql.text);
                    let rows = db.fetch_all(&explain).await?;
                    Ok(rows
                        .iter()
                        .map(|r| r.text(3).unwrap_or_default())
                        .collect::<Vec<_>>()
                        .join("\n"))
                })
            })
            .await
            .unwrap()
    }

    #[tokio::test]
    async fn searches_and_history_use_indexes() {
        let store = SqlStore::connect("sqlite::memory:").await.unwrap();
        let q = RunQuery {
            experiment_ids: vec![1, 2],
            filter: vec![
                Clause {
                    key: RunKey::Metric("acc".into()),
                    op: Comparator::Gt,
                    value: Value::Number(0.5),
                },
                Clause {
                    key: RunKey::Param("lr".into()),
                    op: Comparator::Eq,
                    value: Value::String("1".into()),
                },
                Clause {
                    key: RunKey::Tag("t".into()),
                    op: Comparator::Like,
                    value: Value::String("a%".into()),
                },
            ],
            order_by: vec![OrderBy {
                key: RunKey::Metric("loss".into()),
                ascending: true,
            }],
            view_type: ViewType::ActiveOnly,
            max_results: 100,
            offset: 0,
        };
        let p = plan(
            &store,
            search::run_search_sql(dialect::Dialect::Sqlite, &q).unwrap(),
        )
        .await;
        assert!(
            p.contains("SEARCH r USING INDEX runs_experiment_stage_start"),
            "{p}"
        );
        for line in p.lines() {
            assert!(
                !line.trim_start().starts_with("SCAN "),
                "full scan in run search: {line}\n{p}"
            );
        }

        let mut h = Sql::new(dialect::Dialect::Sqlite);
        h.push("SELECT * FROM metrics WHERE run_uuid = ")
            .bind("r")
            .push(" AND key = ")
            .bind("k")
            .push(" AND (step, timestamp, value, is_nan) > (")
            .bind(1_i64)
            .push(", ")
            .bind(1_i64)
            .push(", ")
            .bind(1.0)
            .push(", ")
            .bind(0_i64)
            .push(") ORDER BY step, timestamp, value, is_nan LIMIT 10");
        let p = plan(&store, h).await;
        assert!(p.contains("SEARCH metrics USING PRIMARY KEY"), "{p}");
        assert!(!p.contains("TEMP B-TREE"), "history must not sort: {p}");
    }
}
