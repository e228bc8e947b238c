//! Experiment reads and writes. Names are unique across lifecycle stages (MLflow keeps a
//! deleted experiment's name taken), and ids are assigned inside the writer transaction.

use super::{stage_from, upsert_tags};
use crate::db::Db;
use crate::sql::{Row, Sql};
use ferroflow_core::{
    DEFAULT_EXPERIMENT_ID, DEFAULT_EXPERIMENT_NAME, Experiment, ExperimentId, LifecycleStage, Tag,
};
use ferroflow_store::{NewExperiment, StoreError, StoreResult};
use std::collections::HashMap;

pub(crate) const EXP_COLS: &str = "e.experiment_id, e.name, e.artifact_location, e.lifecycle_stage, e.creation_time, e.last_update_time";

pub(crate) fn experiment_from(row: &Row) -> StoreResult<Experiment> {
    Ok(Experiment {
        experiment_id: row.i64(0)?,
        name: row.text(1)?,
        artifact_location: row.text(2)?,
        lifecycle_stage: stage_from(&row.text(3)?)?,
        creation_time: row.i64(4)?,
        last_update_time: row.i64(5)?,
        tags: Vec::new(),
    })
}

fn not_found(id: ExperimentId) -> StoreError {
    StoreError::NotFound(format!("No Experiment with id={id} exists"))
}

/// `<root>/<id>`, as MLflow derives a new experiment's artifact location.
fn child_uri(root: &str, id: ExperimentId) -> String {
    if root.ends_with('/') {
        format!("{root}{id}")
    } else {
        format!("{root}/{id}")
    }
}

/// Fills in the tags of `exps` with one query per chunk.
pub(crate) async fn attach_tags(db: &mut dyn Db, exps: &mut [Experiment]) -> StoreResult<()> {
    let index: HashMap<ExperimentId, usize> = exps
        .iter()
        .enumerate()
        .map(|(i, e)| (e.experiment_id, i))
        .collect();
    let ids: Vec<ExperimentId> = exps.iter().map(|e| e.experiment_id).collect();
    for part in ids.chunks(super::IN_CHUNK) {
        let mut s = Sql::new(db.dialect());
        s.push("SELECT experiment_id, key, value FROM experiment_tags WHERE experiment_id IN ")
            .bind_list(part.iter().copied())
            .push(" ORDER BY experiment_id, key");
        for row in db.fetch_all(&s).await? {
            if let Some(&i) = index.get(&row.i64(0)?) {
                exps[i].tags.push(Tag::new(row.text(1)?, row.text(2)?));
            }
        }
    }
    Ok(())
}

async fn find(
    db: &mut dyn Db,
    by_name: Option<&str>,
    id: ExperimentId,
) -> StoreResult<Option<Experiment>> {
    let mut s = Sql::new(db.dialect());
    s.push(&format!("SELECT {EXP_COLS} FROM experiments e WHERE "));
    match by_name {
        Some(n) => s.push("e.name = ").bind(n),
        None => s.push("e.experiment_id = ").bind(id),
    };
    let Some(row) = db.fetch_optional(&s).await? else {
        return Ok(None);
    };
    let mut exps = vec![experiment_from(&row)?];
    attach_tags(db, &mut exps).await?;
    Ok(exps.pop())
}

pub(crate) async fn get(db: &mut dyn Db, id: ExperimentId) -> StoreResult<Experiment> {
    find(db, None, id).await?.ok_or_else(|| not_found(id))
}

pub(crate) async fn get_by_name(db: &mut dyn Db, name: &str) -> StoreResult<Option<Experiment>> {
    find(db, Some(name), 0).await
}

async fn stage_of(db: &mut dyn Db, id: ExperimentId) -> StoreResult<LifecycleStage> {
    let mut s = Sql::new(db.dialect());
    s.push("SELECT lifecycle_stage FROM experiments WHERE experiment_id = ")
        .bind(id);
    let row = db.fetch_optional(&s).await?.ok_or_else(|| not_found(id))?;
    stage_from(&row.text(0)?)
}

/// Experiment-level writes are refused on deleted experiments, as MLflow's store does.
pub(crate) async fn require_active(db: &mut dyn Db, id: ExperimentId) -> StoreResult<()> {
    match stage_of(db, id).await? {
        LifecycleStage::Active => Ok(()),
        LifecycleStage::Deleted => Err(StoreError::Invalid(format!(
            "The experiment {id} must be in the 'active' state. Current state is deleted."
        ))),
    }
}

async fn name_taken(db: &mut dyn Db, name: &str) -> StoreResult<bool> {
    let mut s = Sql::new(db.dialect());
    s.push("SELECT 1 FROM experiments WHERE name = ").bind(name);
    Ok(db.fetch_optional(&s).await?.is_some())
}

async fn insert(
    db: &mut dyn Db,
    id: ExperimentId,
    name: &str,
    location: &str,
    now: i64,
    tags: &[Tag],
) -> StoreResult<()> {
    let mut s = Sql::new(db.dialect());
    s.push("INSERT INTO experiments (experiment_id, name, artifact_location, lifecycle_stage, creation_time, last_update_time) VALUES (")
        .bind(id).push(", ").bind(name).push(", ").bind(location).push(", ")
        .bind(LifecycleStage::Active.as_str()).push(", ").bind(now).push(", ").bind(now).push(")");
    db.execute(&s).await?;
    upsert_tags(db, "experiment_tags", "experiment_id", id.into(), tags).await
}

pub(crate) async fn ensure_default(db: &mut dyn Db, root: &str, now: i64) -> StoreResult<()> {
    let mut s = Sql::new(db.dialect());
    s.push("SELECT 1 FROM experiments WHERE experiment_id = ")
        .bind(DEFAULT_EXPERIMENT_ID);
    if db.fetch_optional(&s).await?.is_some() {
        return Ok(());
    }
    if name_taken(db, DEFAULT_EXPERIMENT_NAME).await? {
        return Err(StoreError::AlreadyExists(format!(
            "Experiment(name={DEFAULT_EXPERIMENT_NAME}) already exists with an id other than {DEFAULT_EXPERIMENT_ID}."
        )));
    }
    let loc = child_uri(root, DEFAULT_EXPERIMENT_ID);
    insert(
        db,
        DEFAULT_EXPERIMENT_ID,
        DEFAULT_EXPERIMENT_NAME,
        &loc,
        now,
        &[],
    )
    .await
}

pub(crate) async fn create(db: &mut dyn Db, new: NewExperiment) -> StoreResult<ExperimentId> {
    if name_taken(db, &new.name).await? {
        return Err(StoreError::AlreadyExists(format!(
            "Experiment(name={}) already exists.",
            new.name
        )));
    }
    let mut s = Sql::new(db.dialect());
    s.push("SELECT COALESCE(MAX(experiment_id), 0) + 1 FROM experiments");
    let id = db
        .fetch_optional(&s)
        .await?
        .map_or(Ok(1), |r| r.i64(0))?
        .max(1);
    let loc = new
        .artifact_location
        .clone()
        .unwrap_or_else(|| child_uri(&new.default_artifact_root, id));
    insert(db, id, &new.name, &loc, new.creation_time, &new.tags).await?;
    Ok(id)
}

pub(crate) async fn rename(
    db: &mut dyn Db,
    id: ExperimentId,
    new_name: &str,
    now: i64,
) -> StoreResult<()> {
    if stage_of(db, id).await? != LifecycleStage::Active {
        return Err(StoreError::Invalid(
            "Cannot rename a non-active experiment.".to_owned(),
        ));
    }
    let mut s = Sql::new(db.dialect());
    s.push("SELECT experiment_id FROM experiments WHERE name = ")
        .bind(new_name);
    if let Some(row) = db.fetch_optional(&s).await? {
        if row.i64(0)? == id {
            return Ok(());
        }
        return Err(StoreError::AlreadyExists(format!(
            "Experiment(name={new_name}) already exists."
        )));
    }
    let mut s = Sql::new(db.dialect());
    s.push("UPDATE experiments SET name = ")
        .bind(new_name)
        .push(", last_update_time = ")
        .bind(now)
        .push(" WHERE experiment_id = ")
        .bind(id);
    db.execute(&s).await?;
    Ok(())
}

pub(crate) async fn set_lifecycle(
    db: &mut dyn Db,
    id: ExperimentId,
    stage: LifecycleStage,
    now: i64,
) -> StoreResult<()> {
    stage_of(db, id).await?;
    let d = db.dialect();
    let mut s = Sql::new(d);
    s.push("UPDATE experiments SET lifecycle_stage = ")
        .bind(stage.as_str())
        .push(", last_update_time = ")
        .bind(now)
        .push(" WHERE experiment_id = ")
        .bind(id);
    db.execute(&s).await?;
    // The runs follow their experiment, in both directions.
    let mut s = Sql::new(d);
    s.push("UPDATE runs SET lifecycle_stage = ")
        .bind(stage.as_str())
        .push(" WHERE experiment_id = ")
        .bind(id)
        .push(" AND lifecycle_stage != ")
        .bind(stage.as_str());
    db.execute(&s).await?;
    Ok(())
}

pub(crate) async fn set_tag(db: &mut dyn Db, id: ExperimentId, tag: Tag) -> StoreResult<()> {
    require_active(db, id).await?;
    upsert_tags(
        db,
        "experiment_tags",
        "experiment_id",
        id.into(),
        std::slice::from_ref(&tag),
    )
    .await
}

pub(crate) async fn delete_tag(db: &mut dyn Db, id: ExperimentId, key: &str) -> StoreResult<()> {
    require_active(db, id).await?;
    let mut s = Sql::new(db.dialect());
    s.push("DELETE FROM experiment_tags WHERE experiment_id = ")
        .bind(id)
        .push(" AND key = ")
        .bind(key);
    if db.execute(&s).await? == 0 {
        return Err(StoreError::NotFound(format!(
            "No tag with name: {key} in experiment with id {id}"
        )));
    }
    Ok(())
}
