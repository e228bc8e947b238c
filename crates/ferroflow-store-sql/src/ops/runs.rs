//! Run reads and writes: creation, lifecycle, logging, inputs/outputs, and the set-based
//! loading of run data for whole pages.

use super::{
    IN_CHUNK, METRIC_COLS, metric_at, rows_per_insert, stage_from, stored_value, upsert_tags,
};
use crate::db::Db;
use crate::sql::{Row, Sql};
use ferroflow_core::{
    Dataset, DatasetInput, ExperimentId, LifecycleStage, Metric, ModelOutput, Param, Run, RunData,
    RunId, RunInfo, RunInputs, RunOutputs, RunStatus, Tag, tag_keys,
};
use ferroflow_store::{NewRun, RunUpdate, StoreError, StoreResult};
use std::cmp::Ordering;
use std::collections::{HashMap, HashSet};

pub(crate) const RUN_COLS: &str = "r.run_uuid, r.name, r.experiment_id, r.user_id, r.status, r.start_time, r.end_time, r.artifact_uri, r.lifecycle_stage";

pub(crate) fn info_from(row: &Row) -> StoreResult<RunInfo> {
    let status = row.text(4)?;
    Ok(RunInfo {
        run_id: RunId::from_trusted(row.text(0)?),
        run_name: row.text(1)?,
        experiment_id: row.i64(2)?,
        user_id: row.text(3)?,
        status: RunStatus::parse(&status).ok_or_else(|| {
            StoreError::Backend(format!("unknown run status '{status}' in database"))
        })?,
        start_time: row.i64(5)?,
        end_time: row.opt_i64(6)?,
        artifact_uri: row.text(7)?,
        lifecycle_stage: stage_from(&row.text(8)?)?,
    })
}

pub(crate) fn run_not_found(run_id: &RunId) -> StoreError {
    StoreError::NotFound(format!("Run with id={run_id} not found"))
}

pub(crate) async fn get_info(db: &mut dyn Db, run_id: &RunId) -> StoreResult<RunInfo> {
    let mut s = Sql::new(db.dialect());
    s.push(&format!(
        "SELECT {RUN_COLS} FROM runs r WHERE r.run_uuid = "
    ))
    .bind(run_id.as_str());
    let row = db
        .fetch_optional(&s)
        .await?
        .ok_or_else(|| run_not_found(run_id))?;
    info_from(&row)
}

/// Every write except lifecycle changes needs an active run; returns its experiment.
async fn require_active(db: &mut dyn Db, run_id: &RunId) -> StoreResult<ExperimentId> {
    let mut s = Sql::new(db.dialect());
    s.push("SELECT experiment_id, lifecycle_stage FROM runs WHERE run_uuid = ")
        .bind(run_id.as_str());
    let row = db
        .fetch_optional(&s)
        .await?
        .ok_or_else(|| run_not_found(run_id))?;
    let stage = stage_from(&row.text(1)?)?;
    if stage != LifecycleStage::Active {
        return Err(StoreError::Invalid(format!(
            "The run {run_id} must be in the 'active' state. Current state is {}.",
            stage.as_str()
        )));
    }
    row.i64(0)
}

pub(crate) async fn get(db: &mut dyn Db, run_id: &RunId) -> StoreResult<Run> {
    let info = get_info(db, run_id).await?;
    let mut runs = load(db, vec![info]).await?;
    runs.pop().ok_or_else(|| run_not_found(run_id))
}

/// Attaches data, inputs and outputs to `infos` with a fixed number of queries per chunk of
/// runs (never one query per run).
pub(crate) async fn load(db: &mut dyn Db, infos: Vec<RunInfo>) -> StoreResult<Vec<Run>> {
    let mut runs: Vec<Run> = infos
        .into_iter()
        .map(|info| Run {
            info,
            data: RunData::default(),
            inputs: RunInputs::default(),
            outputs: RunOutputs::default(),
        })
        .collect();
    let index: HashMap<String, usize> = runs
        .iter()
        .enumerate()
        .map(|(i, r)| (r.info.run_id.as_str().to_owned(), i))
        .collect();
    let ids: Vec<String> = index.keys().cloned().collect();
    let d = db.dialect();
    for part in ids.chunks(IN_CHUNK) {
        let query = |head: &str, tail: &str| {
            let mut s = Sql::new(d);
            s.push(head)
                .bind_list(part.iter().map(String::as_str))
                .push(tail);
            s
        };
        let at =
            |row: &Row| -> StoreResult<Option<usize>> { Ok(index.get(&row.text(0)?).copied()) };

        let s = query(
            "SELECT run_uuid, key, value FROM params WHERE run_uuid IN ",
            &format!(" ORDER BY run_uuid, {}", d.insertion_order()),
        );
        for row in db.fetch_all(&s).await? {
            if let Some(i) = at(&row)? {
                runs[i]
                    .data
                    .params
                    .push(Param::new(row.text(1)?, row.text(2)?));
            }
        }
        let s = query(
            "SELECT run_uuid, key, value FROM tags WHERE run_uuid IN ",
            &format!(" ORDER BY run_uuid, {}", d.insertion_order()),
        );
        for row in db.fetch_all(&s).await? {
            if let Some(i) = at(&row)? {
                runs[i].data.tags.push(Tag::new(row.text(1)?, row.text(2)?));
            }
        }
        let s = query(
            &format!("SELECT run_uuid, {METRIC_COLS} FROM latest_metrics WHERE run_uuid IN "),
            &format!(" ORDER BY run_uuid, {}", d.insertion_order()),
        );
        for row in db.fetch_all(&s).await? {
            if let Some(i) = at(&row)? {
                runs[i].data.metrics.push(metric_at(&row, 1)?);
            }
        }
        // Dataset inputs, then their tags keyed by (run, dataset).
        let s = query(
            "SELECT i.run_uuid, d.dataset_uuid, d.name, d.digest, d.source_type, d.source, d.schema, d.profile \
             FROM run_dataset_inputs i JOIN datasets d ON d.dataset_uuid = i.dataset_uuid WHERE i.run_uuid IN ",
            " ORDER BY i.run_uuid, i.seq",
        );
        let mut input_pos: HashMap<(String, String), (usize, usize)> = HashMap::new();
        for row in db.fetch_all(&s).await? {
            if let Some(i) = at(&row)? {
                let inputs = &mut runs[i].inputs.dataset_inputs;
                input_pos.insert((row.text(0)?, row.text(1)?), (i, inputs.len()));
                inputs.push(DatasetInput {
                    tags: Vec::new(),
                    dataset: Dataset {
                        name: row.text(2)?,
                        digest: row.text(3)?,
                        source_type: row.text(4)?,
                        source: row.text(5)?,
                        schema: row.opt_text(6)?,
                        profile: row.opt_text(7)?,
                    },
                });
            }
        }
        if !input_pos.is_empty() {
            let s = query(
                "SELECT run_uuid, dataset_uuid, key, value FROM input_tags WHERE run_uuid IN ",
                " ORDER BY run_uuid, dataset_uuid, key",
            );
            for row in db.fetch_all(&s).await? {
                if let Some(&(i, j)) = input_pos.get(&(row.text(0)?, row.text(1)?)) {
                    runs[i].inputs.dataset_inputs[j]
                        .tags
                        .push(Tag::new(row.text(2)?, row.text(3)?));
                }
            }
        }
        let s = query(
            "SELECT run_uuid, model_id FROM run_model_inputs WHERE run_uuid IN ",
            " ORDER BY run_uuid, model_id",
        );
        for row in db.fetch_all(&s).await? {
            if let Some(i) = at(&row)? {
                runs[i].inputs.model_inputs.push(row.text(1)?);
            }
        }
        let s = query(
            "SELECT run_uuid, model_id, step FROM run_model_outputs WHERE run_uuid IN ",
            " ORDER BY run_uuid, step, model_id",
        );
        for row in db.fetch_all(&s).await? {
            if let Some(i) = at(&row)? {
                runs[i].outputs.model_outputs.push(ModelOutput {
                    model_id: row.text(1)?,
                    step: row.i64(2)?,
                });
            }
        }
    }
    Ok(runs)
}

pub(crate) async fn create(db: &mut dyn Db, new: NewRun) -> StoreResult<Run> {
    super::experiments::require_active(db, new.experiment_id).await?;
    let mut s = Sql::new(db.dialect());
    s.push("SELECT 1 FROM runs WHERE run_uuid = ")
        .bind(new.run_id.as_str());
    if db.fetch_optional(&s).await?.is_some() {
        return Err(StoreError::AlreadyExists(format!(
            "Run with id={} already exists.",
            new.run_id
        )));
    }
    let mut s = Sql::new(db.dialect());
    s.push("INSERT INTO runs (run_uuid, name, experiment_id, user_id, status, start_time, end_time, artifact_uri, lifecycle_stage) VALUES (")
        .bind(new.run_id.as_str()).push(", ").bind(&new.run_name).push(", ")
        .bind(new.experiment_id).push(", ").bind(&new.user_id).push(", ")
        .bind(RunStatus::Running.as_str()).push(", ").bind(new.start_time).push(", NULL, ")
        .bind(&new.artifact_uri).push(", ").bind(LifecycleStage::Active.as_str()).push(")");
    db.execute(&s).await?;
    upsert_tags(
        db,
        "tags",
        "run_uuid",
        new.run_id.as_str().into(),
        &new.tags,
    )
    .await?;
    get(db, &new.run_id).await
}

pub(crate) async fn update_info(
    db: &mut dyn Db,
    run_id: &RunId,
    update: RunUpdate,
) -> StoreResult<RunInfo> {
    require_active(db, run_id).await?;
    let mut s = Sql::new(db.dialect());
    s.push("UPDATE runs SET run_uuid = run_uuid");
    if let Some(status) = update.status {
        s.push(", status = ").bind(status.as_str());
    }
    if let Some(end) = update.end_time {
        s.push(", end_time = ").bind(end);
    }
    if let Some(name) = &update.run_name {
        s.push(", name = ").bind(name);
    }
    s.push(" WHERE run_uuid = ").bind(run_id.as_str());
    db.execute(&s).await?;
    if let Some(name) = update.run_name {
        let tag = Tag::new(tag_keys::RUN_NAME, name);
        upsert_tags(db, "tags", "run_uuid", run_id.as_str().into(), &[tag]).await?;
    }
    get_info(db, run_id).await
}

pub(crate) async fn set_lifecycle(
    db: &mut dyn Db,
    run_id: &RunId,
    stage: LifecycleStage,
) -> StoreResult<()> {
    let mut s = Sql::new(db.dialect());
    s.push("UPDATE runs SET lifecycle_stage = ")
        .bind(stage.as_str())
        .push(" WHERE run_uuid = ")
        .bind(run_id.as_str());
    if db.execute(&s).await? == 0 {
        return Err(run_not_found(run_id));
    }
    Ok(())
}

pub(crate) async fn delete_tag(db: &mut dyn Db, run_id: &RunId, key: &str) -> StoreResult<()> {
    require_active(db, run_id).await?;
    let mut s = Sql::new(db.dialect());
    s.push("DELETE FROM tags WHERE run_uuid = ")
        .bind(run_id.as_str())
        .push(" AND key = ")
        .bind(key);
    if db.execute(&s).await? == 0 {
        return Err(StoreError::NotFound(format!(
            "No tag with name: {key} in run with id {run_id}"
        )));
    }
    Ok(())
}

/// The order in which a metric's points are "later": step, timestamp, value, then NaN last.
fn point_order(a: &Metric, b: &Metric) -> Ordering {
    let (av, an) = stored_value(a.value);
    let (bv, bn) = stored_value(b.value);
    (a.step, a.timestamp)
        .cmp(&(b.step, b.timestamp))
        .then(av.partial_cmp(&bv).unwrap_or(Ordering::Equal))
        .then(an.cmp(&bn))
}

pub(crate) async fn log_batch(
    db: &mut dyn Db,
    run_id: &RunId,
    metrics: Vec<Metric>,
    params: Vec<Param>,
    tags: Vec<Tag>,
) -> StoreResult<()> {
    let experiment_id = require_active(db, run_id).await?;
    let d = db.dialect();
    let rid = run_id.as_str();

    if !params.is_empty() {
        // Check every param before writing anything (the savepoint would undo partial writes
        // anyway, but failing early keeps the error about the first conflicting key).
        let mut existing: HashMap<String, String> = HashMap::new();
        let keys: Vec<&str> = params.iter().map(|p| p.key.as_str()).collect();
        for part in keys.chunks(IN_CHUNK) {
            let mut s = Sql::new(d);
            s.push("SELECT key, value FROM params WHERE run_uuid = ")
                .bind(rid)
                .push(" AND key IN ")
                .bind_list(part.iter().copied());
            for row in db.fetch_all(&s).await? {
                existing.insert(row.text(0)?, row.text(1)?);
            }
        }
        let mut fresh: Vec<&Param> = Vec::new();
        for p in &params {
            match existing.get(&p.key) {
                Some(old) if *old == p.value => {}
                Some(old) => {
                    return Err(StoreError::Invalid(format!(
                        "Changing param values is not allowed. Param with key='{}' was already logged with value='{}' for run ID='{}'. Attempted logging new value '{}'.",
                        p.key, old, run_id, p.value
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
            s.push("INSERT INTO params (run_uuid, key, value) VALUES ");
            for (i, p) in part.iter().enumerate() {
                if i > 0 {
                    s.push(", ");
                }
                s.push("(")
                    .bind(rid)
                    .push(", ")
                    .bind(&p.key)
                    .push(", ")
                    .bind(&p.value)
                    .push(")");
            }
            db.execute(&s).await?;
        }
    }

    if !tags.is_empty() {
        upsert_tags(db, "tags", "run_uuid", rid.into(), &tags).await?;
        // Setting `mlflow.runName` renames the run (the last such tag wins, as it would if
        // the tags were set one by one).
        if let Some(t) = tags.iter().rev().find(|t| t.key == tag_keys::RUN_NAME) {
            let mut s = Sql::new(d);
            s.push("UPDATE runs SET name = ")
                .bind(&t.value)
                .push(" WHERE run_uuid = ")
                .bind(rid);
            db.execute(&s).await?;
        }
    }

    if !metrics.is_empty() {
        let mut seen = HashSet::new();
        let points: Vec<&Metric> = metrics
            .iter()
            .filter(|m| {
                let (v, nan) = stored_value(m.value);
                seen.insert((m.key.as_str(), m.step, m.timestamp, v.to_bits(), nan))
            })
            .collect();
        const COLS: &str =
            "run_uuid, key, step, timestamp, value, is_nan, model_id, dataset_name, dataset_digest";
        let push_row = |s: &mut Sql, m: &Metric| {
            let (v, nan) = stored_value(m.value);
            s.push("(")
                .bind(rid)
                .push(", ")
                .bind(&m.key)
                .push(", ")
                .bind(m.step)
                .push(", ")
                .bind(m.timestamp)
                .push(", ")
                .bind(v)
                .push(", ")
                .bind(nan)
                .push(", ")
                .bind(m.model_id.as_deref())
                .push(", ")
                .bind(m.dataset_name.as_deref())
                .push(", ")
                .bind(m.dataset_digest.as_deref())
                .push(")");
        };
        for part in points.chunks(rows_per_insert(db, 9)) {
            let mut s = Sql::new(d);
            s.push(&format!("INSERT INTO metrics ({COLS}) VALUES "));
            for (i, m) in part.iter().enumerate() {
                if i > 0 {
                    s.push(", ");
                }
                push_row(&mut s, m);
            }
            s.push(&d.on_conflict_ignore("run_uuid, key, step, timestamp, value, is_nan"));
            db.execute(&s).await?;
        }
        // Points naming a logged model are also that model's metrics (MLflow 3).
        crate::logged_models::record_model_metrics(db, rid, experiment_id, &points).await?;
        // The batch's own latest point per key, then one conditional upsert.
        // Keys are inserted in the order they first appear in the batch: a run lists its
        // metrics (like its params and tags) in insertion order, as MLflow does.
        let mut slot: HashMap<&str, usize> = HashMap::new();
        let mut latest: Vec<&Metric> = Vec::new();
        for m in &points {
            match slot.get(m.key.as_str()) {
                Some(&i) => {
                    if point_order(m, latest[i]) == Ordering::Greater {
                        latest[i] = m;
                    }
                }
                None => {
                    slot.insert(m.key.as_str(), latest.len());
                    latest.push(m);
                }
            }
        }
        let cond = "(excluded.step, excluded.timestamp, excluded.value, excluded.is_nan) > \
                    (latest_metrics.step, latest_metrics.timestamp, latest_metrics.value, latest_metrics.is_nan)";
        for part in latest.chunks(rows_per_insert(db, 9)) {
            let mut s = Sql::new(d);
            s.push(&format!("INSERT INTO latest_metrics ({COLS}) VALUES "));
            for (i, m) in part.iter().enumerate() {
                if i > 0 {
                    s.push(", ");
                }
                push_row(&mut s, m);
            }
            s.push(&d.upsert(
                "run_uuid, key",
                &[
                    "step",
                    "timestamp",
                    "value",
                    "is_nan",
                    "model_id",
                    "dataset_name",
                    "dataset_digest",
                ],
                Some(cond),
            ));
            db.execute(&s).await?;
        }
    }
    Ok(())
}

pub(crate) async fn log_inputs(
    db: &mut dyn Db,
    run_id: &RunId,
    datasets: Vec<DatasetInput>,
    model_ids: Vec<String>,
) -> StoreResult<()> {
    let experiment_id = require_active(db, run_id).await?;
    let d = db.dialect();
    let rid = run_id.as_str();
    let mut s = Sql::new(d);
    s.push("SELECT COALESCE(MAX(seq), 0) FROM run_dataset_inputs WHERE run_uuid = ")
        .bind(rid);
    let mut seq = db.fetch_optional(&s).await?.map_or(Ok(0), |r| r.i64(0))?;
    for input in datasets {
        let ds = &input.dataset;
        let mut s = Sql::new(d);
        s.push("SELECT dataset_uuid FROM datasets WHERE experiment_id = ")
            .bind(experiment_id)
            .push(" AND name = ")
            .bind(&ds.name)
            .push(" AND digest = ")
            .bind(&ds.digest);
        let uuid = match db.fetch_optional(&s).await? {
            Some(row) => row.text(0)?,
            None => {
                let uuid = uuid::Uuid::new_v4().simple().to_string();
                let mut s = Sql::new(d);
                s.push("INSERT INTO datasets (dataset_uuid, experiment_id, name, digest, source_type, source, schema, profile) VALUES (")
                    .bind(&uuid).push(", ").bind(experiment_id).push(", ").bind(&ds.name).push(", ")
                    .bind(&ds.digest).push(", ").bind(&ds.source_type).push(", ").bind(&ds.source).push(", ")
                    .bind(ds.schema.as_deref()).push(", ").bind(ds.profile.as_deref()).push(")");
                db.execute(&s).await?;
                uuid
            }
        };
        // A dataset already used by this run keeps its original input and tags, as in MLflow.
        seq += 1;
        let mut s = Sql::new(d);
        s.push("INSERT INTO run_dataset_inputs (run_uuid, dataset_uuid, seq) VALUES (")
            .bind(rid)
            .push(", ")
            .bind(&uuid)
            .push(", ")
            .bind(seq)
            .push(")")
            .push(&d.on_conflict_ignore("run_uuid, dataset_uuid"));
        if db.execute(&s).await? == 0 || input.tags.is_empty() {
            continue;
        }
        let mut s = Sql::new(d);
        s.push("INSERT INTO input_tags (run_uuid, dataset_uuid, key, value) VALUES ");
        for (i, t) in input.tags.iter().enumerate() {
            if i > 0 {
                s.push(", ");
            }
            s.push("(")
                .bind(rid)
                .push(", ")
                .bind(&uuid)
                .push(", ")
                .bind(&t.key)
                .push(", ")
                .bind(&t.value)
                .push(")");
        }
        s.push(&d.upsert("run_uuid, dataset_uuid, key", &["value"], None));
        db.execute(&s).await?;
    }
    for model_id in model_ids {
        let mut s = Sql::new(d);
        s.push("INSERT INTO run_model_inputs (run_uuid, model_id) VALUES (")
            .bind(rid)
            .push(", ")
            .bind(&model_id)
            .push(")")
            .push(&d.on_conflict_ignore("run_uuid, model_id"));
        db.execute(&s).await?;
    }
    Ok(())
}

pub(crate) async fn log_outputs(
    db: &mut dyn Db,
    run_id: &RunId,
    models: Vec<ModelOutput>,
) -> StoreResult<()> {
    require_active(db, run_id).await?;
    let d = db.dialect();
    for m in models {
        let mut s = Sql::new(d);
        s.push("INSERT INTO run_model_outputs (run_uuid, model_id, step) VALUES (")
            .bind(run_id.as_str())
            .push(", ")
            .bind(&m.model_id)
            .push(", ")
            .bind(m.step)
            .push(")")
            .push(&d.on_conflict_ignore("run_uuid, model_id, step"));
        db.execute(&s).await?;
    }
    Ok(())
}
