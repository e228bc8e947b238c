//! [`LoggedModelStore`] over SQL, plus the hook through which run metrics carrying a `model_id`
//! become the logged model's metrics.
//!
//! Writes run in the group-commit writer like every other write; searches lower the filter to
//! correlated `EXISTS` probes on the tag/param/metric tables (primary-key lookups), and a page's
//! tags, params and metrics are loaded with a fixed number of queries per chunk of models.
//!
//! The run that logged each model metric is stored (`run_uuid`) but cannot be returned yet:
//! `ferroflow_core::Metric` has no `run_id` field.

use crate::SqlStore;
use crate::db::Db;
use crate::ops::filters::{dir, invalid, limit_offset, numeric_op, page, text_cmp};
use crate::ops::{IN_CHUNK, loaded_value, rows_per_insert, stage_from, stored_value};
use crate::sql::{Row, Sql};
use async_trait::async_trait;
use ferroflow_core::registry::{LoggedModel, LoggedModelStatus};
use ferroflow_core::search::{Clause, Comparator, LoggedModelAttribute, LoggedModelKey, Value};
use ferroflow_core::{ExperimentId, LifecycleStage, Metric, Page, Param, Tag};
use ferroflow_store::{
    LoggedModelDataset, LoggedModelOrderKey, LoggedModelQuery, LoggedModelStore, NewLoggedModel,
    StoreError, StoreResult,
};
use std::collections::{HashMap, HashSet};

const LM_COLS: &str = "lm.model_id, lm.experiment_id, lm.name, lm.artifact_uri, \
    lm.creation_timestamp_ms, lm.last_updated_timestamp_ms, lm.status, lm.lifecycle_stage, \
    lm.model_type, lm.source_run_id, lm.status_message";

fn model_not_found(model_id: &str) -> StoreError {
    StoreError::NotFound(format!("Logged model with ID '{model_id}' not found."))
}

fn model_from(row: &Row) -> StoreResult<(LoggedModel, LifecycleStage)> {
    let status = row.i64(6)?;
    let model = LoggedModel {
        model_id: row.text(0)?,
        experiment_id: row.i64(1)?,
        name: row.text(2)?,
        artifact_uri: row.text(3)?,
        creation_timestamp_ms: row.i64(4)?,
        last_updated_timestamp_ms: row.i64(5)?,
        status: LoggedModelStatus::from_number(status).ok_or_else(|| {
            StoreError::Backend(format!("unknown logged model status {status} in database"))
        })?,
        model_type: row.opt_text(8)?,
        source_run_id: row.opt_text(9)?,
        status_message: row.opt_text(10)?,
        ..LoggedModel::default()
    };
    Ok((model, stage_from(&row.text(7)?)?))
}

/// The model row (any lifecycle stage) and its experiment; `NotFound` when absent.
async fn require(db: &mut dyn Db, model_id: &str) -> StoreResult<ExperimentId> {
    let mut s = Sql::new(db.dialect());
    s.push("SELECT experiment_id FROM logged_models WHERE model_id = ")
        .bind(model_id);
    db.fetch_optional(&s)
        .await?
        .ok_or_else(|| model_not_found(model_id))?
        .i64(0)
}

async fn get(db: &mut dyn Db, model_id: &str, allow_deleted: bool) -> StoreResult<LoggedModel> {
    let mut s = Sql::new(db.dialect());
    s.push(&format!(
        "SELECT {LM_COLS} FROM logged_models lm WHERE lm.model_id = "
    ))
    .bind(model_id);
    let row = db
        .fetch_optional(&s)
        .await?
        .ok_or_else(|| model_not_found(model_id))?;
    let (model, stage) = model_from(&row)?;
    if stage == LifecycleStage::Deleted && !allow_deleted {
        return Err(model_not_found(model_id));
    }
    load(db, vec![model])
        .await?
        .pop()
        .ok_or_else(|| model_not_found(model_id))
}

/// Attaches tags, params and metrics to `models` with three queries per chunk.
async fn load(db: &mut dyn Db, mut models: Vec<LoggedModel>) -> StoreResult<Vec<LoggedModel>> {
    let index: HashMap<String, usize> = models
        .iter()
        .enumerate()
        .map(|(i, m)| (m.model_id.clone(), i))
        .collect();
    let ids: Vec<String> = models.iter().map(|m| m.model_id.clone()).collect();
    let d = db.dialect();
    for part in ids.chunks(IN_CHUNK) {
        let query = |head: &str, tail: &str| {
            let mut s = Sql::new(d);
            s.push(head)
                .bind_list(part.iter().map(String::as_str))
                .push(tail);
            s
        };
        let s = query(
            "SELECT model_id, key, value FROM logged_model_tags WHERE model_id IN ",
            " ORDER BY model_id, key",
        );
        for row in db.fetch_all(&s).await? {
            if let Some(&i) = index.get(&row.text(0)?) {
                models[i].tags.push(Tag::new(row.text(1)?, row.text(2)?));
            }
        }
        let s = query(
            "SELECT model_id, key, value FROM logged_model_params WHERE model_id IN ",
            " ORDER BY model_id, key",
        );
        for row in db.fetch_all(&s).await? {
            if let Some(&i) = index.get(&row.text(0)?) {
                models[i]
                    .params
                    .push(Param::new(row.text(1)?, row.text(2)?));
            }
        }
        let s = query(
            "SELECT model_id, key, value, is_nan, timestamp, step, run_uuid, dataset_name, \
             dataset_digest FROM logged_model_metrics WHERE model_id IN ",
            " ORDER BY model_id, key, step, timestamp, run_uuid",
        );
        for row in db.fetch_all(&s).await? {
            if let Some(&i) = index.get(&row.text(0)?) {
                models[i].metrics.push(Metric {
                    key: row.text(1)?,
                    value: loaded_value(row.f64(2)?, row.i64(3)? != 0),
                    timestamp: row.i64(4)?,
                    step: row.i64(5)?,
                    model_id: Some(row.text(0)?),
                    dataset_name: row.opt_text(7)?,
                    dataset_digest: row.opt_text(8)?,
                    run_id: row.opt_text(6)?,
                });
            }
        }
    }
    Ok(models)
}

async fn upsert_model_tags(db: &mut dyn Db, model_id: &str, tags: &[Tag]) -> StoreResult<()> {
    // One row per key (the last value wins): a statement may not upsert the same row twice.
    let mut last: HashMap<&str, &str> = HashMap::new();
    let mut order: Vec<&str> = Vec::new();
    for t in tags {
        if last.insert(&t.key, &t.value).is_none() {
            order.push(&t.key);
        }
    }
    let deduped: Vec<Tag> = order.iter().map(|k| Tag::new(*k, last[k])).collect();
    crate::ops::upsert_tags(
        db,
        "logged_model_tags",
        "model_id",
        model_id.into(),
        &deduped,
    )
    .await
}

async fn insert_params(db: &mut dyn Db, model_id: &str, params: &[Param]) -> StoreResult<()> {
    let d = db.dialect();
    let mut existing: HashMap<String, String> = HashMap::new();
    let keys: Vec<&str> = params.iter().map(|p| p.key.as_str()).collect();
    for part in keys.chunks(IN_CHUNK) {
        let mut s = Sql::new(d);
        s.push("SELECT key, value FROM logged_model_params WHERE model_id = ")
            .bind(model_id)
            .push(" AND key IN ")
            .bind_list(part.iter().copied());
        for row in db.fetch_all(&s).await? {
            existing.insert(row.text(0)?, row.text(1)?);
        }
    }
    let mut fresh: Vec<&Param> = Vec::new();
    for p in params {
        match existing.get(&p.key) {
            Some(old) if *old == p.value => {}
            Some(old) => {
                return Err(StoreError::Invalid(format!(
                    "Changing param values is not allowed. Param with key='{}' was already \
                     logged with value='{}' for logged model ID='{model_id}'. Attempted logging \
                     new value '{}'.",
                    p.key, old, p.value
                )));
            }
            None => {
                existing.insert(p.key.clone(), p.value.clone());
                fresh.push(p);
            }
        }
    }
    for part in fresh.chunks(rows_per_insert(db, 3)) {
        let mut s = Sql::new(d);
        s.push("INSERT INTO logged_model_params (model_id, key, value) VALUES ");
        for (i, p) in part.iter().enumerate() {
            if i > 0 {
                s.push(", ");
            }
            s.push("(")
                .bind(model_id)
                .push(", ")
                .bind(&p.key)
                .push(", ")
                .bind(&p.value)
                .push(")");
        }
        db.execute(&s).await?;
    }
    Ok(())
}

async fn create(db: &mut dyn Db, new: NewLoggedModel) -> StoreResult<LoggedModel> {
    let d = db.dialect();
    let mut s = Sql::new(d);
    s.push("SELECT 1 FROM experiments WHERE experiment_id = ")
        .bind(new.experiment_id);
    if db.fetch_optional(&s).await?.is_none() {
        return Err(StoreError::NotFound(format!(
            "No Experiment with id={} exists",
            new.experiment_id
        )));
    }
    let mut s = Sql::new(d);
    s.push("SELECT 1 FROM logged_models WHERE model_id = ")
        .bind(&new.model_id);
    if db.fetch_optional(&s).await?.is_some() {
        return Err(StoreError::AlreadyExists(format!(
            "Logged model with ID '{}' already exists.",
            new.model_id
        )));
    }
    let mut s = Sql::new(d);
    s.push(
        "INSERT INTO logged_models (model_id, experiment_id, name, artifact_uri, \
         creation_timestamp_ms, last_updated_timestamp_ms, status, lifecycle_stage, model_type, \
         source_run_id, status_message) VALUES (",
    )
    .bind(&new.model_id)
    .push(", ")
    .bind(new.experiment_id)
    .push(", ")
    .bind(&new.name)
    .push(", ")
    .bind(&new.artifact_uri)
    .push(", ")
    .bind(new.creation_timestamp_ms)
    .push(", ")
    .bind(new.creation_timestamp_ms)
    .push(", ")
    .bind(i64::from(LoggedModelStatus::Pending.number()))
    .push(", ")
    .bind(LifecycleStage::Active.as_str())
    .push(", ")
    .bind(new.model_type.as_deref())
    .push(", ")
    .bind(new.source_run_id.as_deref())
    .push(", NULL)");
    db.execute(&s).await?;
    upsert_model_tags(db, &new.model_id, &new.tags).await?;
    insert_params(db, &new.model_id, &new.params).await?;
    get(db, &new.model_id, true).await
}

async fn finalize(
    db: &mut dyn Db,
    model_id: &str,
    status: LoggedModelStatus,
    now: i64,
) -> StoreResult<LoggedModel> {
    let mut s = Sql::new(db.dialect());
    s.push("UPDATE logged_models SET status = ")
        .bind(i64::from(status.number()))
        .push(", last_updated_timestamp_ms = ")
        .bind(now)
        .push(" WHERE model_id = ")
        .bind(model_id);
    if db.execute(&s).await? == 0 {
        return Err(model_not_found(model_id));
    }
    get(db, model_id, true).await
}

async fn delete_tag(db: &mut dyn Db, model_id: &str, key: &str) -> StoreResult<()> {
    require(db, model_id).await?;
    let mut s = Sql::new(db.dialect());
    s.push("DELETE FROM logged_model_tags WHERE model_id = ")
        .bind(model_id)
        .push(" AND key = ")
        .bind(key);
    if db.execute(&s).await? == 0 {
        return Err(StoreError::NotFound(format!(
            "No tag with key '{key}' found for model with ID '{model_id}'."
        )));
    }
    Ok(())
}

async fn soft_delete(db: &mut dyn Db, model_id: &str, now: i64) -> StoreResult<()> {
    let mut s = Sql::new(db.dialect());
    s.push("UPDATE logged_models SET lifecycle_stage = ")
        .bind(LifecycleStage::Deleted.as_str())
        .push(", last_updated_timestamp_ms = ")
        .bind(now)
        .push(" WHERE model_id = ")
        .bind(model_id);
    if db.execute(&s).await? == 0 {
        return Err(model_not_found(model_id));
    }
    Ok(())
}

/// Records the points of a run's log-batch that name a logged model as that model's metrics
/// (MLflow 3's `log_model` re-logs the run's metrics with `model_id`). Runs inside the caller's
/// write transaction; points already recorded for the same (model, key, timestamp, step, run)
/// are ignored, as the official store does.
pub(crate) async fn record_model_metrics(
    db: &mut dyn Db,
    run_id: &str,
    experiment_id: ExperimentId,
    metrics: &[&Metric],
) -> StoreResult<()> {
    let d = db.dialect();
    let mut seen = HashSet::new();
    let points: Vec<(&Metric, &str)> = metrics
        .iter()
        .filter_map(|m| m.model_id.as_deref().map(|id| (*m, id)))
        .filter(|(m, id)| seen.insert((*id, m.key.as_str(), m.timestamp, m.step)))
        .collect();
    const COLS: &str = "model_id, key, timestamp, step, run_uuid, value, is_nan, experiment_id, \
                        dataset_name, dataset_digest";
    for part in points.chunks(rows_per_insert(db, 10)) {
        let mut s = Sql::new(d);
        s.push(&format!(
            "INSERT INTO logged_model_metrics ({COLS}) VALUES "
        ));
        for (i, (m, model_id)) in part.iter().enumerate() {
            let (v, nan) = stored_value(m.value);
            if i > 0 {
                s.push(", ");
            }
            s.push("(")
                .bind(*model_id)
                .push(", ")
                .bind(&m.key)
                .push(", ")
                .bind(m.timestamp)
                .push(", ")
                .bind(m.step)
                .push(", ")
                .bind(run_id)
                .push(", ")
                .bind(v)
                .push(", ")
                .bind(nan)
                .push(", ")
                .bind(experiment_id)
                .push(", ")
                .bind(m.dataset_name.as_deref())
                .push(", ")
                .bind(m.dataset_digest.as_deref())
                .push(")");
        }
        s.push(&d.on_conflict_ignore("model_id, key, timestamp, step, run_uuid"));
        db.execute(&s).await?;
    }
    Ok(())
}

// ------------------------------------------------------------------------------------ search

fn attribute_col(a: LoggedModelAttribute) -> &'static str {
    use LoggedModelAttribute as A;
    match a {
        A::ModelId => "lm.model_id",
        A::ExperimentId => "lm.experiment_id",
        A::Name => "lm.name",
        A::ArtifactLocation => "lm.artifact_uri",
        A::CreationTimestamp => "lm.creation_timestamp_ms",
        A::LastUpdatedTimestamp => "lm.last_updated_timestamp_ms",
        A::Status => "lm.status",
        A::LifecycleStage => "lm.lifecycle_stage",
        A::ModelType => "lm.model_type",
        A::SourceRunId => "lm.source_run_id",
        A::StatusMessage => "lm.status_message",
    }
}

/// `<col> <op> <value>` on a text column; `IN` also takes a single string.
fn string_cmp(s: &mut Sql, col: &str, op: Comparator, value: &Value) -> StoreResult<()> {
    text_cmp(s, col, op, value, |v| match v {
        Value::List(l) => Ok(l.clone()),
        Value::String(one) => Ok(vec![one.clone()]),
        other => Err(invalid(format!("Expected a list, got {other:?}"))),
    })
}

fn numeric_cmp(s: &mut Sql, col: &str, op: Comparator, value: &Value) -> StoreResult<()> {
    let sym = numeric_op(op)?;
    let Value::Number(n) = value else {
        return Err(invalid(format!("Expected a numeric value, got {value:?}")));
    };
    s.push(col).push(sym).bind(*n);
    Ok(())
}

/// `(dataset_name = ? [AND dataset_digest = ?]) OR ...` over the metric table aliased `alias`.
fn datasets_predicate(s: &mut Sql, alias: &str, datasets: &[LoggedModelDataset]) {
    s.push("(");
    for (i, ds) in datasets.iter().enumerate() {
        if i > 0 {
            s.push(" OR ");
        }
        s.push(&format!("({alias}.dataset_name = "))
            .bind(&ds.dataset_name);
        if let Some(digest) = &ds.dataset_digest {
            s.push(&format!(" AND {alias}.dataset_digest = "))
                .bind(digest);
        }
        s.push(")");
    }
    s.push(")");
}

fn clause(
    s: &mut Sql,
    c: &Clause<LoggedModelKey>,
    datasets: &[LoggedModelDataset],
) -> StoreResult<()> {
    let d = s.dialect;
    match &c.key {
        LoggedModelKey::Attribute(a) => {
            if a.is_numeric() {
                numeric_cmp(s, attribute_col(*a), c.op, &c.value)
            } else if matches!(
                a,
                LoggedModelAttribute::Status | LoggedModelAttribute::ExperimentId
            ) {
                // Integer columns compared with the filter's text, as MLflow's store does.
                string_cmp(s, &d.cast_text(attribute_col(*a)), c.op, &c.value)
            } else {
                string_cmp(s, attribute_col(*a), c.op, &c.value)
            }
        }
        LoggedModelKey::Metric(key) => {
            s.push("EXISTS (SELECT 1 FROM logged_model_metrics f WHERE f.model_id = lm.model_id AND f.key = ")
                .bind(key.as_str())
                .push(" AND f.is_nan = 0 AND ");
            numeric_cmp(s, "f.value", c.op, &c.value)?;
            if !datasets.is_empty() {
                s.push(" AND ");
                datasets_predicate(s, "f", datasets);
            }
            s.push(")");
            Ok(())
        }
        LoggedModelKey::Param(key) | LoggedModelKey::Tag(key) => {
            let table = if matches!(c.key, LoggedModelKey::Param(_)) {
                "logged_model_params"
            } else {
                "logged_model_tags"
            };
            s.push(&format!(
                "EXISTS (SELECT 1 FROM {table} f WHERE f.model_id = lm.model_id AND f.key = "
            ))
            .bind(key.as_str())
            .push(" AND ");
            string_cmp(s, "f.value", c.op, &c.value)?;
            s.push(")");
            Ok(())
        }
    }
}

/// The latest value of a metric for the row `lm`, as a scalar subquery (NULL when absent).
fn latest_metric(s: &mut Sql, key: &str, name: Option<&str>, digest: Option<&str>) {
    s.push(
        "(SELECT CASE WHEN o.is_nan = 1 THEN NULL ELSE o.value END FROM logged_model_metrics o \
         WHERE o.model_id = lm.model_id AND o.key = ",
    )
    .bind(key);
    if let Some(n) = name {
        s.push(" AND o.dataset_name = ").bind(n);
    }
    if let Some(dg) = digest {
        s.push(" AND o.dataset_digest = ").bind(dg);
    }
    s.push(" ORDER BY o.timestamp DESC, o.step DESC, o.run_uuid ASC LIMIT 1)");
}

fn search_sql(db: &dyn Db, q: &LoggedModelQuery) -> StoreResult<Sql> {
    let mut s = Sql::new(db.dialect());
    s.push(&format!(
        "SELECT {LM_COLS} FROM logged_models lm WHERE lm.lifecycle_stage = "
    ))
    .bind(LifecycleStage::Active.as_str())
    .push(" AND lm.experiment_id IN ")
    .bind_list(q.experiment_ids.iter().copied());
    let mut has_metric_clause = false;
    for c in &q.filter {
        has_metric_clause |= matches!(c.key, LoggedModelKey::Metric(_));
        s.push(" AND ");
        clause(&mut s, c, &q.datasets)?;
    }
    if !q.datasets.is_empty() && !has_metric_clause {
        s.push(
            " AND EXISTS (SELECT 1 FROM logged_model_metrics f WHERE f.model_id = lm.model_id AND ",
        );
        datasets_predicate(&mut s, "f", &q.datasets);
        s.push(")");
    }
    s.push(" ORDER BY ");
    let mut has_ctime = false;
    let mut has_id = false;
    for ob in &q.order_by {
        let dir = dir(ob.ascending);
        match &ob.key {
            LoggedModelOrderKey::Attribute(a) => {
                has_ctime |= *a == LoggedModelAttribute::CreationTimestamp;
                has_id |= *a == LoggedModelAttribute::ModelId;
                let col = attribute_col(*a);
                s.push(&format!("({col} IS NULL) ASC, {col}{dir}, "));
            }
            LoggedModelOrderKey::Metric {
                key,
                dataset_name,
                dataset_digest,
            } => {
                let (n, dg) = (dataset_name.as_deref(), dataset_digest.as_deref());
                latest_metric(&mut s, key, n, dg);
                s.push(" IS NULL ASC, ");
                latest_metric(&mut s, key, n, dg);
                s.push(dir).push(", ");
            }
        }
    }
    if !has_ctime {
        s.push("lm.creation_timestamp_ms DESC, ");
    }
    if !has_id {
        s.push("lm.model_id ASC, ");
    }
    // Every branch above leaves a trailing ", ".
    s.text.truncate(s.text.len() - 2);
    limit_offset(&mut s, q.max_results, q.offset);
    Ok(s)
}

async fn search(db: &mut dyn Db, q: LoggedModelQuery) -> StoreResult<Page<LoggedModel>> {
    if q.experiment_ids.is_empty() || q.max_results == 0 {
        return Ok(Page::empty());
    }
    let s = search_sql(db, &q)?;
    let models = db
        .fetch_all(&s)
        .await?
        .iter()
        .map(|r| model_from(r).map(|(m, _)| m))
        .collect::<StoreResult<Vec<_>>>()?;
    let mut page = page(models, q.max_results, q.offset);
    page.items = load(db, page.items).await?;
    Ok(page)
}

#[async_trait]
impl LoggedModelStore for SqlStore {
    async fn create_logged_model(&self, new: NewLoggedModel) -> StoreResult<LoggedModel> {
        self.write(move |db| Box::pin(create(db, new))).await
    }

    async fn get_logged_model(
        &self,
        model_id: &str,
        allow_deleted: bool,
    ) -> StoreResult<LoggedModel> {
        let id = model_id.to_owned();
        self.read_snapshot(move |db| Box::pin(async move { get(db, &id, allow_deleted).await }))
            .await
    }

    async fn finalize_logged_model(
        &self,
        model_id: &str,
        status: LoggedModelStatus,
        now: i64,
    ) -> StoreResult<LoggedModel> {
        let id = model_id.to_owned();
        self.write(move |db| Box::pin(async move { finalize(db, &id, status, now).await }))
            .await
    }

    async fn set_logged_model_tags(&self, model_id: &str, tags: Vec<Tag>) -> StoreResult<()> {
        let id = model_id.to_owned();
        self.write(move |db| {
            Box::pin(async move {
                require(db, &id).await?;
                upsert_model_tags(db, &id, &tags).await
            })
        })
        .await
    }

    async fn delete_logged_model_tag(&self, model_id: &str, key: &str) -> StoreResult<()> {
        let (id, key) = (model_id.to_owned(), key.to_owned());
        self.write(move |db| Box::pin(async move { delete_tag(db, &id, &key).await }))
            .await
    }

    async fn log_logged_model_params(&self, model_id: &str, params: Vec<Param>) -> StoreResult<()> {
        let id = model_id.to_owned();
        self.write(move |db| {
            Box::pin(async move {
                require(db, &id).await?;
                insert_params(db, &id, &params).await
            })
        })
        .await
    }

    async fn delete_logged_model(&self, model_id: &str, now: i64) -> StoreResult<()> {
        let id = model_id.to_owned();
        self.write(move |db| Box::pin(async move { soft_delete(db, &id, now).await }))
            .await
    }

    async fn search_logged_models(
        &self,
        query: LoggedModelQuery,
    ) -> StoreResult<Page<LoggedModel>> {
        self.read_snapshot(move |db| Box::pin(search(db, query)))
            .await
    }
}
