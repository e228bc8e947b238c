//! [`RegistryStore`] over SQL.
//!
//! Writes run inside the group-commit writer (one savepoint each), so every check-then-write
//! below is atomic. Version numbers come from `registered_models.last_version`, which only ever
//! grows, so a deleted version's number is never handed out again.

use crate::SqlStore;
use crate::db::Db;
use crate::ops::IN_CHUNK;
use crate::ops::filters::{dir, in_list, invalid, limit_offset, numeric_op, page, text_cmp};
use crate::sql::{Row, Sql};
use async_trait::async_trait;
use ferroflow_core::registry::{
    ModelVersion, ModelVersionStatus, RegisteredModel, RegisteredModelAlias, Stage,
    registry_tag_keys,
};
use ferroflow_core::search::{
    Clause, Comparator, ModelVersionAttribute, ModelVersionKey, ModelVersionOrderKey, OrderBy,
    RegisteredModelKey, RegisteredModelOrderKey, Value,
};
use ferroflow_core::{Page, Tag};
use ferroflow_store::{
    ModelVersionQuery, NewModelVersion, NewRegisteredModel, RegisteredModelQuery, RegistryStore,
    StoreError, StoreResult,
};
use std::collections::HashMap;

const RM_COLS: &str = "rm.name, rm.creation_time, rm.last_updated_time, rm.description, rm.user_id";
const MV_COLS: &str = "mv.name, mv.version, mv.creation_time, mv.last_updated_time, \
     mv.description, mv.user_id, mv.current_stage, mv.source, mv.run_id, mv.run_link, mv.status, \
     mv.status_message, mv.model_id";

fn model_not_found(name: &str) -> StoreError {
    StoreError::NotFound(format!("Registered Model with name={name} not found"))
}

fn version_not_found(name: &str, version: i64) -> StoreError {
    StoreError::NotFound(format!(
        "Model Version (name={name}, version={version}) not found"
    ))
}

fn model_from(row: &Row) -> StoreResult<RegisteredModel> {
    Ok(RegisteredModel {
        name: row.text(0)?,
        creation_timestamp: row.i64(1)?,
        last_updated_timestamp: row.i64(2)?,
        description: row.opt_text(3)?,
        user_id: row.opt_text(4)?,
        ..RegisteredModel::default()
    })
}

fn version_from(row: &Row) -> StoreResult<ModelVersion> {
    let stage = row.text(6)?;
    let status = row.text(10)?;
    Ok(ModelVersion {
        name: row.text(0)?,
        version: row.i64(1)?,
        creation_timestamp: row.i64(2)?,
        last_updated_timestamp: row.i64(3)?,
        description: row.opt_text(4)?,
        user_id: row.opt_text(5)?,
        current_stage: Stage::parse(&stage)
            .map_err(|_| StoreError::Backend(format!("unknown stage '{stage}' in database")))?,
        source: row.text(7)?,
        run_id: row.opt_text(8)?,
        run_link: row.opt_text(9)?,
        status: ModelVersionStatus::parse(&status)
            .ok_or_else(|| StoreError::Backend(format!("unknown status '{status}' in database")))?,
        status_message: row.opt_text(11)?,
        model_id: row.opt_text(12)?,
        tags: Vec::new(),
        aliases: Vec::new(),
    })
}

// ------------------------------------------------------------------------------------ loading

async fn model_exists(db: &mut dyn Db, name: &str) -> StoreResult<()> {
    let mut s = Sql::new(db.dialect());
    s.push("SELECT 1 FROM registered_models WHERE name = ")
        .bind(name);
    match db.fetch_optional(&s).await? {
        Some(_) => Ok(()),
        None => Err(model_not_found(name)),
    }
}

async fn version_exists(db: &mut dyn Db, name: &str, version: i64) -> StoreResult<()> {
    let mut s = Sql::new(db.dialect());
    s.push("SELECT 1 FROM model_versions WHERE name = ")
        .bind(name)
        .push(" AND version = ")
        .bind(version);
    match db.fetch_optional(&s).await? {
        Some(_) => Ok(()),
        None => Err(version_not_found(name, version)),
    }
}

/// Fills in tags and aliases of `versions` with one query per table and chunk of names.
async fn attach_version_details(db: &mut dyn Db, versions: &mut [ModelVersion]) -> StoreResult<()> {
    let index: HashMap<(String, i64), usize> = versions
        .iter()
        .enumerate()
        .map(|(i, v)| ((v.name.clone(), v.version), i))
        .collect();
    let mut names: Vec<String> = versions.iter().map(|v| v.name.clone()).collect();
    names.sort();
    names.dedup();
    for part in names.chunks(IN_CHUNK) {
        let mut s = Sql::new(db.dialect());
        s.push("SELECT name, version, key, value FROM model_version_tags WHERE name IN ")
            .bind_list(part.iter().cloned())
            .push(" ORDER BY name, version, key");
        for row in db.fetch_all(&s).await? {
            if let Some(&i) = index.get(&(row.text(0)?, row.i64(1)?)) {
                versions[i].tags.push(Tag::new(row.text(2)?, row.text(3)?));
            }
        }
        let mut s = Sql::new(db.dialect());
        s.push("SELECT name, version, alias FROM registered_model_aliases WHERE name IN ")
            .bind_list(part.iter().cloned())
            .push(" ORDER BY name, alias");
        for row in db.fetch_all(&s).await? {
            if let Some(&i) = index.get(&(row.text(0)?, row.i64(1)?)) {
                versions[i].aliases.push(row.text(2)?);
            }
        }
    }
    Ok(())
}

/// The newest version per stage of each named model, ordered by model then stage.
async fn latest_per_stage(
    db: &mut dyn Db,
    names: &[String],
) -> StoreResult<HashMap<String, Vec<ModelVersion>>> {
    let mut out: HashMap<String, Vec<ModelVersion>> = HashMap::new();
    let mut all = Vec::new();
    for part in names.chunks(IN_CHUNK) {
        let mut s = Sql::new(db.dialect());
        s.push(&format!(
            "SELECT {MV_COLS} FROM model_versions mv WHERE mv.name IN "
        ))
        .bind_list(part.iter().cloned())
        .push(
            " AND mv.version = (SELECT MAX(m2.version) FROM model_versions m2 \
                 WHERE m2.name = mv.name AND m2.current_stage = mv.current_stage)",
        );
        for row in db.fetch_all(&s).await? {
            all.push(version_from(&row)?);
        }
    }
    attach_version_details(db, &mut all).await?;
    all.sort_by_key(|v| (v.current_stage, v.version));
    for v in all {
        out.entry(v.name.clone()).or_default().push(v);
    }
    Ok(out)
}

/// Fills in tags, aliases and latest versions of `models`.
async fn attach_model_details(db: &mut dyn Db, models: &mut [RegisteredModel]) -> StoreResult<()> {
    let index: HashMap<String, usize> = models
        .iter()
        .enumerate()
        .map(|(i, m)| (m.name.clone(), i))
        .collect();
    let names: Vec<String> = models.iter().map(|m| m.name.clone()).collect();
    for part in names.chunks(IN_CHUNK) {
        let mut s = Sql::new(db.dialect());
        s.push("SELECT name, key, value FROM registered_model_tags WHERE name IN ")
            .bind_list(part.iter().cloned())
            .push(" ORDER BY name, key");
        for row in db.fetch_all(&s).await? {
            if let Some(&i) = index.get(&row.text(0)?) {
                models[i].tags.push(Tag::new(row.text(1)?, row.text(2)?));
            }
        }
        let mut s = Sql::new(db.dialect());
        s.push("SELECT name, alias, version FROM registered_model_aliases WHERE name IN ")
            .bind_list(part.iter().cloned())
            .push(" ORDER BY name, alias");
        for row in db.fetch_all(&s).await? {
            if let Some(&i) = index.get(&row.text(0)?) {
                models[i].aliases.push(RegisteredModelAlias {
                    alias: row.text(1)?,
                    version: row.i64(2)?,
                });
            }
        }
    }
    let mut latest = latest_per_stage(db, &names).await?;
    for m in models.iter_mut() {
        m.latest_versions = latest.remove(&m.name).unwrap_or_default();
    }
    Ok(())
}

async fn load_model(db: &mut dyn Db, name: &str) -> StoreResult<RegisteredModel> {
    let mut s = Sql::new(db.dialect());
    s.push(&format!(
        "SELECT {RM_COLS} FROM registered_models rm WHERE rm.name = "
    ))
    .bind(name);
    let row = db
        .fetch_optional(&s)
        .await?
        .ok_or_else(|| model_not_found(name))?;
    let mut models = vec![model_from(&row)?];
    attach_model_details(db, &mut models).await?;
    Ok(models.remove(0))
}

async fn load_version(db: &mut dyn Db, name: &str, version: i64) -> StoreResult<ModelVersion> {
    let mut s = Sql::new(db.dialect());
    s.push(&format!(
        "SELECT {MV_COLS} FROM model_versions mv WHERE mv.name = "
    ))
    .bind(name)
    .push(" AND mv.version = ")
    .bind(version);
    let row = db
        .fetch_optional(&s)
        .await?
        .ok_or_else(|| version_not_found(name, version))?;
    let mut versions = vec![version_from(&row)?];
    attach_version_details(db, &mut versions).await?;
    Ok(versions.remove(0))
}

async fn touch_model(db: &mut dyn Db, name: &str, now: i64) -> StoreResult<()> {
    let mut s = Sql::new(db.dialect());
    s.push("UPDATE registered_models SET last_updated_time = ")
        .bind(now)
        .push(" WHERE name = ")
        .bind(name);
    if db.execute(&s).await? == 0 {
        return Err(model_not_found(name));
    }
    Ok(())
}

// ------------------------------------------------------------------------------------- writes

async fn create_model(db: &mut dyn Db, new: NewRegisteredModel) -> StoreResult<RegisteredModel> {
    let mut s = Sql::new(db.dialect());
    s.push("SELECT 1 FROM registered_models WHERE name = ")
        .bind(&new.name);
    if db.fetch_optional(&s).await?.is_some() {
        return Err(StoreError::AlreadyExists(format!(
            "Registered Model (name={}) already exists.",
            new.name
        )));
    }
    let mut s = Sql::new(db.dialect());
    s.push("INSERT INTO registered_models (name, creation_time, last_updated_time, description, last_version) VALUES (")
        .bind(&new.name).push(", ").bind(new.now).push(", ").bind(new.now).push(", ")
        .bind(new.description.clone()).push(", 0)");
    db.execute(&s).await?;
    crate::ops::upsert_tags(
        db,
        "registered_model_tags",
        "name",
        new.name.as_str().into(),
        &new.tags,
    )
    .await?;
    load_model(db, &new.name).await
}

async fn rename_model(
    db: &mut dyn Db,
    name: &str,
    new_name: &str,
    now: i64,
) -> StoreResult<RegisteredModel> {
    model_exists(db, name).await?;
    if name != new_name {
        let mut s = Sql::new(db.dialect());
        s.push("SELECT 1 FROM registered_models WHERE name = ")
            .bind(new_name);
        if db.fetch_optional(&s).await?.is_some() {
            return Err(StoreError::AlreadyExists(format!(
                "Registered Model (name={new_name}) already exists."
            )));
        }
    }
    let mut s = Sql::new(db.dialect());
    s.push("UPDATE registered_models SET name = ")
        .bind(new_name)
        .push(", last_updated_time = ")
        .bind(now)
        .push(" WHERE name = ")
        .bind(name);
    db.execute(&s).await?;
    let mut s = Sql::new(db.dialect());
    s.push("UPDATE model_versions SET last_updated_time = ")
        .bind(now)
        .push(" WHERE name = ")
        .bind(new_name);
    db.execute(&s).await?;
    load_model(db, new_name).await
}

async fn update_model(
    db: &mut dyn Db,
    name: &str,
    description: Option<String>,
    now: i64,
) -> StoreResult<RegisteredModel> {
    let mut s = Sql::new(db.dialect());
    s.push("UPDATE registered_models SET description = ")
        .bind(description)
        .push(", last_updated_time = ")
        .bind(now)
        .push(" WHERE name = ")
        .bind(name);
    if db.execute(&s).await? == 0 {
        return Err(model_not_found(name));
    }
    load_model(db, name).await
}

async fn delete_model(db: &mut dyn Db, name: &str) -> StoreResult<()> {
    model_exists(db, name).await?;
    // Children first: the cascade would do it, but explicit deletes keep backends without
    // ON DELETE CASCADE support honest.
    for table in [
        "registered_model_aliases",
        "model_version_tags",
        "model_versions",
        "registered_model_tags",
        "registered_models",
    ] {
        let mut s = Sql::new(db.dialect());
        s.push(&format!("DELETE FROM {table} WHERE name = "))
            .bind(name);
        db.execute(&s).await?;
    }
    Ok(())
}

async fn set_model_tag(db: &mut dyn Db, name: &str, tag: Tag) -> StoreResult<()> {
    model_exists(db, name).await?;
    crate::ops::upsert_tags(db, "registered_model_tags", "name", name.into(), &[tag]).await
}

async fn delete_model_tag(db: &mut dyn Db, name: &str, key: &str) -> StoreResult<()> {
    model_exists(db, name).await?;
    let mut s = Sql::new(db.dialect());
    s.push("DELETE FROM registered_model_tags WHERE name = ")
        .bind(name)
        .push(" AND key = ")
        .bind(key);
    db.execute(&s).await?;
    Ok(())
}

async fn create_version(db: &mut dyn Db, new: NewModelVersion) -> StoreResult<ModelVersion> {
    let mut s = Sql::new(db.dialect());
    s.push("SELECT last_version FROM registered_models WHERE name = ")
        .bind(&new.name);
    let row = db
        .fetch_optional(&s)
        .await?
        .ok_or_else(|| model_not_found(&new.name))?;
    let version = row.i64(0)? + 1;
    let mut s = Sql::new(db.dialect());
    s.push("UPDATE registered_models SET last_version = ")
        .bind(version)
        .push(", last_updated_time = ")
        .bind(new.now)
        .push(" WHERE name = ")
        .bind(&new.name);
    db.execute(&s).await?;
    let mut s = Sql::new(db.dialect());
    s.push(
        "INSERT INTO model_versions (name, version, creation_time, last_updated_time, \
         description, current_stage, source, storage_location, run_id, run_link, status, model_id) \
         VALUES (",
    )
    .bind(&new.name)
    .push(", ")
    .bind(version)
    .push(", ")
    .bind(new.now)
    .push(", ")
    .bind(new.now)
    .push(", ")
    .bind(new.description.clone())
    .push(", ")
    .bind(Stage::None.as_str())
    .push(", ")
    .bind(&new.source)
    .push(", ")
    .bind(&new.storage_location)
    .push(", ")
    .bind(new.run_id.clone())
    .push(", ")
    .bind(new.run_link.clone())
    .push(", ")
    .bind(ModelVersionStatus::Ready.as_str())
    .push(", ")
    .bind(new.model_id.clone())
    .push(")");
    db.execute(&s).await?;
    upsert_version_tags(db, &new.name, version, &new.tags).await?;
    load_version(db, &new.name, version).await
}

async fn upsert_version_tags(
    db: &mut dyn Db,
    name: &str,
    version: i64,
    tags: &[Tag],
) -> StoreResult<()> {
    let dialect = db.dialect();
    for t in tags {
        let mut s = Sql::new(dialect);
        s.push("INSERT INTO model_version_tags (name, version, key, value) VALUES (")
            .bind(name)
            .push(", ")
            .bind(version)
            .push(", ")
            .bind(&t.key)
            .push(", ")
            .bind(&t.value)
            .push(")")
            .push(&dialect.upsert("name, version, key", &["value"], None));
        db.execute(&s).await?;
    }
    Ok(())
}

async fn update_version(
    db: &mut dyn Db,
    name: &str,
    version: i64,
    description: Option<String>,
    now: i64,
) -> StoreResult<ModelVersion> {
    let mut s = Sql::new(db.dialect());
    s.push("UPDATE model_versions SET description = ")
        .bind(description)
        .push(", last_updated_time = ")
        .bind(now)
        .push(" WHERE name = ")
        .bind(name)
        .push(" AND version = ")
        .bind(version);
    if db.execute(&s).await? == 0 {
        return Err(version_not_found(name, version));
    }
    load_version(db, name, version).await
}

async fn transition(
    db: &mut dyn Db,
    name: &str,
    version: i64,
    stage: Stage,
    archive_existing: bool,
    now: i64,
) -> StoreResult<ModelVersion> {
    version_exists(db, name, version).await?;
    if archive_existing {
        let mut s = Sql::new(db.dialect());
        s.push("UPDATE model_versions SET current_stage = ")
            .bind(Stage::Archived.as_str())
            .push(", last_updated_time = ")
            .bind(now)
            .push(" WHERE name = ")
            .bind(name)
            .push(" AND version != ")
            .bind(version)
            .push(" AND current_stage = ")
            .bind(stage.as_str());
        db.execute(&s).await?;
    }
    let mut s = Sql::new(db.dialect());
    s.push("UPDATE model_versions SET current_stage = ")
        .bind(stage.as_str())
        .push(", last_updated_time = ")
        .bind(now)
        .push(" WHERE name = ")
        .bind(name)
        .push(" AND version = ")
        .bind(version);
    db.execute(&s).await?;
    touch_model(db, name, now).await?;
    load_version(db, name, version).await
}

async fn delete_version(db: &mut dyn Db, name: &str, version: i64, now: i64) -> StoreResult<()> {
    version_exists(db, name, version).await?;
    for table in [
        "registered_model_aliases",
        "model_version_tags",
        "model_versions",
    ] {
        let mut s = Sql::new(db.dialect());
        s.push(&format!("DELETE FROM {table} WHERE name = "))
            .bind(name)
            .push(" AND version = ")
            .bind(version);
        db.execute(&s).await?;
    }
    touch_model(db, name, now).await
}

async fn set_version_tag(db: &mut dyn Db, name: &str, version: i64, tag: Tag) -> StoreResult<()> {
    version_exists(db, name, version).await?;
    upsert_version_tags(db, name, version, &[tag]).await
}

async fn delete_version_tag(
    db: &mut dyn Db,
    name: &str,
    version: i64,
    key: &str,
) -> StoreResult<()> {
    version_exists(db, name, version).await?;
    let mut s = Sql::new(db.dialect());
    s.push("DELETE FROM model_version_tags WHERE name = ")
        .bind(name)
        .push(" AND version = ")
        .bind(version)
        .push(" AND key = ")
        .bind(key);
    db.execute(&s).await?;
    Ok(())
}

async fn set_alias(db: &mut dyn Db, name: &str, alias: &str, version: i64) -> StoreResult<()> {
    version_exists(db, name, version).await?;
    let dialect = db.dialect();
    let mut s = Sql::new(dialect);
    s.push("INSERT INTO registered_model_aliases (name, alias, version) VALUES (")
        .bind(name)
        .push(", ")
        .bind(alias)
        .push(", ")
        .bind(version)
        .push(")")
        .push(&dialect.upsert("name, alias", &["version"], None));
    db.execute(&s).await?;
    Ok(())
}

async fn delete_alias(db: &mut dyn Db, name: &str, alias: &str) -> StoreResult<()> {
    model_exists(db, name).await?;
    let mut s = Sql::new(db.dialect());
    s.push("DELETE FROM registered_model_aliases WHERE name = ")
        .bind(name)
        .push(" AND alias = ")
        .bind(alias);
    db.execute(&s).await?;
    Ok(())
}

// ------------------------------------------------------------------------------------- reads

async fn download_uri(db: &mut dyn Db, name: &str, version: i64) -> StoreResult<String> {
    let mut s = Sql::new(db.dialect());
    s.push("SELECT storage_location FROM model_versions WHERE name = ")
        .bind(name)
        .push(" AND version = ")
        .bind(version);
    let row = db
        .fetch_optional(&s)
        .await?
        .ok_or_else(|| version_not_found(name, version))?;
    row.text(0)
}

async fn latest_versions(
    db: &mut dyn Db,
    name: &str,
    stages: Vec<Stage>,
) -> StoreResult<Vec<ModelVersion>> {
    model_exists(db, name).await?;
    let mut all = latest_per_stage(db, &[name.to_owned()])
        .await?
        .remove(name)
        .unwrap_or_default();
    if !stages.is_empty() {
        all.retain(|v| stages.contains(&v.current_stage));
    }
    Ok(all)
}

async fn by_alias(db: &mut dyn Db, name: &str, alias: &str) -> StoreResult<Option<ModelVersion>> {
    model_exists(db, name).await?;
    let mut s = Sql::new(db.dialect());
    s.push("SELECT version FROM registered_model_aliases WHERE name = ")
        .bind(name)
        .push(" AND alias = ")
        .bind(alias);
    match db.fetch_optional(&s).await? {
        None => Ok(None),
        Some(row) => load_version(db, name, row.i64(0)?).await.map(Some),
    }
}

// ------------------------------------------------------------------------------------ search

/// `<col> <op> <value>` for string attributes and tag values; `IN` takes only a list here.
fn string_cmp(s: &mut Sql, col: &str, op: Comparator, value: &Value) -> StoreResult<()> {
    text_cmp(s, col, op, value, |v| match v {
        Value::List(items) => Ok(items.clone()),
        _ => Err(invalid("Expected a list value")),
    })
}

/// Version numbers: an ordering comparison or `[NOT] IN`, with numbers given as text too.
fn numeric_cmp(s: &mut Sql, col: &str, op: Comparator, value: &Value) -> StoreResult<()> {
    if let Comparator::In | Comparator::NotIn = op {
        let Value::List(items) = value else {
            return Err(invalid("Expected a list value"));
        };
        let nums: Vec<i64> = items
            .iter()
            .map(|i| {
                i.trim()
                    .parse::<i64>()
                    .map_err(|_| invalid(format!("Invalid version number '{i}'")))
            })
            .collect::<StoreResult<_>>()?;
        in_list(s, col, op == Comparator::NotIn, nums);
        return Ok(());
    }
    let sym = numeric_op(op)?;
    let n = match value {
        Value::Number(n) => *n,
        Value::String(t) => t
            .trim()
            .parse::<f64>()
            .map_err(|_| invalid(format!("Invalid version number '{t}'")))?,
        other => return Err(invalid(format!("Expected a number, got {other:?}"))),
    };
    s.push(col).push(sym).bind(n);
    Ok(())
}

/// `EXISTS (a tag row of the owner with this key whose value matches)`: a missing tag never
/// matches, as in MLflow's SQL store.
fn tag_exists(
    s: &mut Sql,
    table: &str,
    owner_join: &str,
    key: &str,
    op: Comparator,
    value: &Value,
) -> StoreResult<()> {
    s.push(&format!(
        "EXISTS (SELECT 1 FROM {table} t WHERE {owner_join} AND t.key = "
    ))
    .bind(key)
    .push(" AND ");
    string_cmp(s, "t.value", op, value)?;
    s.push(")");
    Ok(())
}

fn not_prompt(s: &mut Sql, table: &str, owner_join: &str) {
    s.push(&format!(
        "NOT EXISTS (SELECT 1 FROM {table} t WHERE {owner_join} AND t.key = "
    ))
    .bind(registry_tag_keys::IS_PROMPT)
    .push(" AND LOWER(t.value) = 'true')");
}

/// ` ORDER BY` the requested keys in turn, or `default` when the request names none.
fn order_by<K>(s: &mut Sql, keys: &[OrderBy<K>], default: &str, col: impl Fn(&K) -> &'static str) {
    s.push(" ORDER BY ");
    if keys.is_empty() {
        s.push(default);
    }
    for (i, ob) in keys.iter().enumerate() {
        if i > 0 {
            s.push(", ");
        }
        s.push(col(&ob.key)).push(dir(ob.ascending));
    }
}

pub(crate) fn registered_model_search_sql(
    dialect: crate::dialect::Dialect,
    q: &RegisteredModelQuery,
) -> StoreResult<Sql> {
    const JOIN: &str = "t.name = rm.name";
    let mut s = Sql::new(dialect);
    s.push(&format!(
        "SELECT {RM_COLS} FROM registered_models rm WHERE 1 = 1"
    ));
    for c in &q.filter {
        let Clause { key, op, value } = c;
        match key {
            RegisteredModelKey::Name => {
                s.push(" AND ");
                string_cmp(&mut s, "rm.name", *op, value)?;
            }
            RegisteredModelKey::Tag(k)
                if !q.include_prompts && k == registry_tag_keys::IS_PROMPT => {}
            RegisteredModelKey::Tag(k) => {
                s.push(" AND ");
                tag_exists(&mut s, "registered_model_tags", JOIN, k, *op, value)?;
            }
        }
    }
    if !q.include_prompts {
        s.push(" AND ");
        not_prompt(&mut s, "registered_model_tags", JOIN);
    }
    order_by(&mut s, &q.order_by, "rm.name ASC", |key| match key {
        RegisteredModelOrderKey::Name => "rm.name",
        RegisteredModelOrderKey::LastUpdatedTimestamp => "rm.last_updated_time",
    });
    limit_offset(&mut s, q.max_results, q.offset);
    Ok(s)
}

async fn search_models(
    db: &mut dyn Db,
    q: RegisteredModelQuery,
) -> StoreResult<Page<RegisteredModel>> {
    let sql = registered_model_search_sql(db.dialect(), &q)?;
    let rows = db.fetch_all(&sql).await?;
    let models = rows
        .iter()
        .map(model_from)
        .collect::<StoreResult<Vec<_>>>()?;
    let mut page = page(models, q.max_results, q.offset);
    attach_model_details(db, &mut page.items).await?;
    Ok(page)
}

pub(crate) fn model_version_search_sql(
    dialect: crate::dialect::Dialect,
    q: &ModelVersionQuery,
) -> StoreResult<Sql> {
    const JOIN: &str = "t.name = mv.name AND t.version = mv.version";
    let mut s = Sql::new(dialect);
    s.push(&format!(
        "SELECT {MV_COLS} FROM model_versions mv WHERE 1 = 1"
    ));
    for c in &q.filter {
        let Clause { key, op, value } = c;
        match key {
            ModelVersionKey::Attribute(a) => {
                s.push(" AND ");
                match a {
                    ModelVersionAttribute::Name => string_cmp(&mut s, "mv.name", *op, value)?,
                    ModelVersionAttribute::RunId => string_cmp(&mut s, "mv.run_id", *op, value)?,
                    ModelVersionAttribute::SourcePath => {
                        string_cmp(&mut s, "mv.source", *op, value)?;
                    }
                    ModelVersionAttribute::VersionNumber => {
                        numeric_cmp(&mut s, "mv.version", *op, value)?;
                    }
                }
            }
            ModelVersionKey::Tag(k) if !q.include_prompts && k == registry_tag_keys::IS_PROMPT => {}
            ModelVersionKey::Tag(k) => {
                s.push(" AND ");
                tag_exists(&mut s, "model_version_tags", JOIN, k, *op, value)?;
            }
        }
    }
    if !q.include_prompts {
        s.push(" AND ");
        not_prompt(&mut s, "model_version_tags", JOIN);
    }
    order_by(
        &mut s,
        &q.order_by,
        "mv.name ASC, mv.version DESC",
        |key| match key {
            ModelVersionOrderKey::Name => "mv.name",
            ModelVersionOrderKey::VersionNumber => "mv.version",
            ModelVersionOrderKey::CreationTimestamp => "mv.creation_time",
            ModelVersionOrderKey::LastUpdatedTimestamp => "mv.last_updated_time",
        },
    );
    limit_offset(&mut s, q.max_results, q.offset);
    Ok(s)
}

async fn search_versions(db: &mut dyn Db, q: ModelVersionQuery) -> StoreResult<Page<ModelVersion>> {
    let sql = model_version_search_sql(db.dialect(), &q)?;
    let rows = db.fetch_all(&sql).await?;
    let versions = rows
        .iter()
        .map(version_from)
        .collect::<StoreResult<Vec<_>>>()?;
    let mut page = page(versions, q.max_results, q.offset);
    attach_version_details(db, &mut page.items).await?;
    Ok(page)
}

// ------------------------------------------------------------------------------------ the trait

#[async_trait]
impl RegistryStore for SqlStore {
    async fn create_registered_model(
        &self,
        new: NewRegisteredModel,
    ) -> StoreResult<RegisteredModel> {
        self.write(move |db| Box::pin(create_model(db, new))).await
    }

    async fn get_registered_model(&self, name: &str) -> StoreResult<RegisteredModel> {
        let name = name.to_owned();
        self.read_snapshot(move |db| Box::pin(async move { load_model(db, &name).await }))
            .await
    }

    async fn rename_registered_model(
        &self,
        name: &str,
        new_name: &str,
        now: i64,
    ) -> StoreResult<RegisteredModel> {
        let (name, new_name) = (name.to_owned(), new_name.to_owned());
        self.write(move |db| Box::pin(async move { rename_model(db, &name, &new_name, now).await }))
            .await
    }

    async fn update_registered_model(
        &self,
        name: &str,
        description: Option<String>,
        now: i64,
    ) -> StoreResult<RegisteredModel> {
        let name = name.to_owned();
        self.write(move |db| {
            Box::pin(async move { update_model(db, &name, description, now).await })
        })
        .await
    }

    async fn delete_registered_model(&self, name: &str) -> StoreResult<()> {
        let name = name.to_owned();
        self.write(move |db| Box::pin(async move { delete_model(db, &name).await }))
            .await
    }

    async fn search_registered_models(
        &self,
        query: RegisteredModelQuery,
    ) -> StoreResult<Page<RegisteredModel>> {
        self.read_snapshot(move |db| Box::pin(search_models(db, query)))
            .await
    }

    async fn set_registered_model_tag(&self, name: &str, tag: Tag) -> StoreResult<()> {
        let name = name.to_owned();
        self.write(move |db| Box::pin(async move { set_model_tag(db, &name, tag).await }))
            .await
    }

    async fn delete_registered_model_tag(&self, name: &str, key: &str) -> StoreResult<()> {
        let (name, key) = (name.to_owned(), key.to_owned());
        self.write(move |db| Box::pin(async move { delete_model_tag(db, &name, &key).await }))
            .await
    }

    async fn create_model_version(&self, new: NewModelVersion) -> StoreResult<ModelVersion> {
        self.write(move |db| Box::pin(create_version(db, new)))
            .await
    }

    async fn get_model_version(&self, name: &str, version: i64) -> StoreResult<ModelVersion> {
        let name = name.to_owned();
        self.read_snapshot(move |db| {
            Box::pin(async move { load_version(db, &name, version).await })
        })
        .await
    }

    async fn get_model_version_download_uri(
        &self,
        name: &str,
        version: i64,
    ) -> StoreResult<String> {
        let name = name.to_owned();
        self.read(move |db| Box::pin(async move { download_uri(db, &name, version).await }))
            .await
    }

    async fn update_model_version(
        &self,
        name: &str,
        version: i64,
        description: Option<String>,
        now: i64,
    ) -> StoreResult<ModelVersion> {
        let name = name.to_owned();
        self.write(move |db| {
            Box::pin(async move { update_version(db, &name, version, description, now).await })
        })
        .await
    }

    async fn transition_model_version_stage(
        &self,
        name: &str,
        version: i64,
        stage: Stage,
        archive_existing: bool,
        now: i64,
    ) -> StoreResult<ModelVersion> {
        let name = name.to_owned();
        self.write(move |db| {
            Box::pin(
                async move { transition(db, &name, version, stage, archive_existing, now).await },
            )
        })
        .await
    }

    async fn delete_model_version(&self, name: &str, version: i64, now: i64) -> StoreResult<()> {
        let name = name.to_owned();
        self.write(move |db| Box::pin(async move { delete_version(db, &name, version, now).await }))
            .await
    }

    async fn search_model_versions(
        &self,
        query: ModelVersionQuery,
    ) -> StoreResult<Page<ModelVersion>> {
        self.read_snapshot(move |db| Box::pin(search_versions(db, query)))
            .await
    }

    async fn get_latest_versions(
        &self,
        name: &str,
        stages: Vec<Stage>,
    ) -> StoreResult<Vec<ModelVersion>> {
        let name = name.to_owned();
        self.read_snapshot(move |db| {
            Box::pin(async move { latest_versions(db, &name, stages).await })
        })
        .await
    }

    async fn set_model_version_tag(&self, name: &str, version: i64, tag: Tag) -> StoreResult<()> {
        let name = name.to_owned();
        self.write(move |db| {
            Box::pin(async move { set_version_tag(db, &name, version, tag).await })
        })
        .await
    }

    async fn delete_model_version_tag(
        &self,
        name: &str,
        version: i64,
        key: &str,
    ) -> StoreResult<()> {
        let (name, key) = (name.to_owned(), key.to_owned());
        self.write(move |db| {
            Box::pin(async move { delete_version_tag(db, &name, version, &key).await })
        })
        .await
    }

    async fn set_registered_model_alias(
        &self,
        name: &str,
        alias: &str,
        version: i64,
    ) -> StoreResult<()> {
        let (name, alias) = (name.to_owned(), alias.to_owned());
        self.write(move |db| Box::pin(async move { set_alias(db, &name, &alias, version).await }))
            .await
    }

    async fn delete_registered_model_alias(&self, name: &str, alias: &str) -> StoreResult<()> {
        let (name, alias) = (name.to_owned(), alias.to_owned());
        self.write(move |db| Box::pin(async move { delete_alias(db, &name, &alias).await }))
            .await
    }

    async fn get_model_version_by_alias(
        &self,
        name: &str,
        alias: &str,
    ) -> StoreResult<Option<ModelVersion>> {
        let (name, alias) = (name.to_owned(), alias.to_owned());
        self.read_snapshot(move |db| Box::pin(async move { by_alias(db, &name, &alias).await }))
            .await
    }
}
