//! Lowering of the search AST to SQL.
//!
//! Each clause becomes a predicate with bind parameters (values never enter the SQL text);
//! metric/param/tag clauses become `IN` lists answered from (key, value, owner) indexes,
//! dataset clauses correlated `EXISTS` probes that hit primary keys, and
//! order-by keys become `LEFT JOIN`s so missing values can be sorted last. Pagination is by
//! offset, fetching one extra row to know whether another page exists.

use crate::db::Db;
use crate::dialect::Dialect;
use crate::ops::experiments::{EXP_COLS, attach_tags, experiment_from};
use crate::ops::runs::{RUN_COLS, info_from, load};
use crate::sql::Sql;
use ferroflow_core::search::{
    Clause, Comparator, DatasetField, ExperimentAttribute, ExperimentKey, RunAttribute, RunKey,
    Value,
};
use ferroflow_core::{Experiment, Page, Run, ViewType, tag_keys};
use ferroflow_store::{ExperimentQuery, RunQuery, StoreError, StoreResult};

fn invalid(msg: impl Into<String>) -> StoreError {
    StoreError::Invalid(msg.into())
}

fn stages(s: &mut Sql, col: &str, view: ViewType) {
    s.push(" AND ")
        .push(col)
        .push(" IN ")
        .bind_list(view.stages().iter().map(|st| st.as_str()));
}

fn string_of(v: &Value) -> StoreResult<&str> {
    match v {
        Value::String(s) => Ok(s),
        other => Err(invalid(format!("Expected a string value, got {other:?}"))),
    }
}

fn list_of(v: &Value) -> StoreResult<Vec<String>> {
    match v {
        Value::List(l) => Ok(l.clone()),
        Value::String(s) => Ok(vec![s.clone()]),
        other => Err(invalid(format!(
            "Expected a list of strings, got {other:?}"
        ))),
    }
}

fn number_of(v: &Value) -> StoreResult<f64> {
    match v {
        Value::Number(n) => Ok(*n),
        Value::String(s) => s
            .trim()
            .parse()
            .map_err(|_| invalid(format!("Expected a numeric value, got '{s}'"))),
        other => Err(invalid(format!("Expected a numeric value, got {other:?}"))),
    }
}

/// `<col> <op> <value>` for string-valued columns.
fn string_cmp(s: &mut Sql, col: &str, op: Comparator, value: &Value) -> StoreResult<()> {
    let d = s.dialect;
    match op {
        Comparator::Eq | Comparator::Ne => {
            let sym = if op == Comparator::Eq { " = " } else { " != " };
            s.push(col).push(sym).bind(string_of(value)?);
        }
        Comparator::Like => {
            let (kw, pattern) = d.like_pattern(string_of(value)?);
            s.push(col).push(kw).bind(pattern);
        }
        Comparator::ILike => {
            let (pre, mid, post) = d.ilike();
            s.push(pre)
                .push(col)
                .push(mid)
                .bind(string_of(value)?)
                .push(post);
        }
        Comparator::In | Comparator::NotIn => {
            let items = list_of(value)?;
            if items.is_empty() {
                s.push(if op == Comparator::In {
                    "1 = 0"
                } else {
                    "1 = 1"
                });
            } else {
                s.push(col)
                    .push(if op == Comparator::In {
                        " IN "
                    } else {
                        " NOT IN "
                    })
                    .bind_list(items);
            }
        }
        Comparator::IsNull => {
            s.push(col).push(" IS NULL");
        }
        Comparator::IsNotNull => {
            s.push(col).push(" IS NOT NULL");
        }
        other => {
            return Err(invalid(format!(
                "Invalid comparator '{}' for a string value",
                other.as_str()
            )));
        }
    }
    Ok(())
}

fn numeric_op(op: Comparator) -> StoreResult<&'static str> {
    Ok(match op {
        Comparator::Eq => " = ",
        Comparator::Ne => " != ",
        Comparator::Lt => " < ",
        Comparator::Le => " <= ",
        Comparator::Gt => " > ",
        Comparator::Ge => " >= ",
        other => {
            return Err(invalid(format!(
                "Invalid comparator '{}' for a numeric value",
                other.as_str()
            )));
        }
    })
}

fn numeric_cmp(s: &mut Sql, col: &str, op: Comparator, value: &Value) -> StoreResult<()> {
    match op {
        Comparator::IsNull | Comparator::IsNotNull => string_cmp(s, col, op, value),
        _ => {
            let sym = numeric_op(op)?;
            s.push(col).push(sym).bind(number_of(value)?);
            Ok(())
        }
    }
}

/// Presence checks on key/value tables: `IS NULL` means "no such key".
fn kv_clause(
    s: &mut Sql,
    table: &str,
    owner: &str,
    outer: &str,
    key: &str,
    op: Comparator,
    value: &Value,
) -> StoreResult<()> {
    // `outer IN (owners having the key [and a matching value])` rather than a correlated EXISTS:
    // the subquery is answered once from the (key, value, owner) index and each candidate row
    // is then checked against that list, instead of one B-tree probe per candidate.
    let head = |s: &mut Sql, not: bool| {
        s.push(outer)
            .push(if not {
                " NOT IN (SELECT k."
            } else {
                " IN (SELECT k."
            })
            .push(owner)
            .push(" FROM ")
            .push(table)
            .push(" k WHERE k.key = ")
            .bind(key);
    };
    match op {
        Comparator::IsNull => head(s, true),
        Comparator::IsNotNull => head(s, false),
        _ => {
            head(s, false);
            s.push(" AND ");
            string_cmp(s, "k.value", op, value)?;
        }
    }
    s.push(")");
    Ok(())
}

fn run_attribute_col(a: RunAttribute) -> &'static str {
    match a {
        RunAttribute::RunId => "r.run_uuid",
        RunAttribute::RunName => "r.name",
        RunAttribute::Status => "r.status",
        RunAttribute::UserId => "r.user_id",
        RunAttribute::ArtifactUri => "r.artifact_uri",
        RunAttribute::StartTime => "r.start_time",
        RunAttribute::EndTime => "r.end_time",
    }
}

fn run_clause(s: &mut Sql, c: &Clause<RunKey>) -> StoreResult<()> {
    s.push(" AND (");
    match &c.key {
        RunKey::Metric(key) => {
            // NaN is stored as 0 with a flag: it satisfies only `!=`, as in IEEE arithmetic.
            let sym = numeric_op(c.op)?;
            s.push("r.run_uuid IN (SELECT m.run_uuid FROM latest_metrics m WHERE m.key = ")
                .bind(key.as_str())
                .push(" AND (m.value")
                .push(sym)
                .bind(number_of(&c.value)?);
            s.push(if c.op == Comparator::Ne {
                " OR m.is_nan = 1))"
            } else {
                " AND m.is_nan = 0))"
            });
        }
        RunKey::Param(key) => {
            kv_clause(s, "params", "run_uuid", "r.run_uuid", key, c.op, &c.value)?
        }
        RunKey::Tag(key) => kv_clause(s, "tags", "run_uuid", "r.run_uuid", key, c.op, &c.value)?,
        RunKey::Attribute(a) if a.is_numeric() => {
            numeric_cmp(s, run_attribute_col(*a), c.op, &c.value)?
        }
        RunKey::Attribute(a) => string_cmp(s, run_attribute_col(*a), c.op, &c.value)?,
        RunKey::Dataset(DatasetField::Context) => {
            s.push("EXISTS (SELECT 1 FROM input_tags t WHERE t.run_uuid = r.run_uuid AND t.key = ")
                .bind(tag_keys::DATASET_CONTEXT)
                .push(" AND ");
            string_cmp(s, "t.value", c.op, &c.value)?;
            s.push(")");
        }
        RunKey::Dataset(field) => {
            let col = if *field == DatasetField::Name {
                "d.name"
            } else {
                "d.digest"
            };
            s.push(
                "EXISTS (SELECT 1 FROM run_dataset_inputs i JOIN datasets d ON d.dataset_uuid = i.dataset_uuid \
                 WHERE i.run_uuid = r.run_uuid AND ",
            );
            string_cmp(s, col, c.op, &c.value)?;
            s.push(")");
        }
    }
    s.push(")");
    Ok(())
}

fn dir(ascending: bool) -> &'static str {
    if ascending { " ASC" } else { " DESC" }
}

fn limit_offset(s: &mut Sql, max_results: u64, offset: u64) {
    let lim = i64::try_from(max_results.saturating_add(1)).unwrap_or(i64::MAX);
    let off = i64::try_from(offset).unwrap_or(i64::MAX);
    s.push(" LIMIT ").bind(lim).push(" OFFSET ").bind(off);
}

fn paginate<T>(mut items: Vec<T>, max_results: u64, offset: u64) -> Page<T> {
    let max = usize::try_from(max_results).unwrap_or(usize::MAX);
    if items.len() > max {
        items.truncate(max);
        Page {
            items,
            next_offset: Some(offset + max_results),
        }
    } else {
        Page {
            items,
            next_offset: None,
        }
    }
}

pub(crate) async fn search_runs(db: &mut dyn Db, q: RunQuery) -> StoreResult<Page<Run>> {
    if q.experiment_ids.is_empty() || q.max_results == 0 {
        return Ok(Page::empty());
    }
    let s = run_search_sql(db.dialect(), &q)?;
    let rows = db.fetch_all(&s).await?;
    let infos = rows
        .iter()
        .map(info_from)
        .collect::<StoreResult<Vec<_>>>()?;
    let page = paginate(infos, q.max_results, q.offset);
    let items = load(db, page.items).await?;
    Ok(Page {
        items,
        next_offset: page.next_offset,
    })
}

/// The page query of a run search (one extra row to detect a next page).
pub(crate) fn run_search_sql(dialect: Dialect, q: &RunQuery) -> StoreResult<Sql> {
    let mut s = Sql::new(dialect);
    s.push(&format!("SELECT {RUN_COLS} FROM runs r"));
    // Order-by keys that live in other tables become LEFT JOINs (bound before the WHERE).
    let mut order: Vec<String> = Vec::new();
    for (i, ob) in q.order_by.iter().enumerate() {
        let d = dir(ob.ascending);
        match &ob.key {
            RunKey::Metric(key) => {
                s.push(&format!(
                    " LEFT JOIN latest_metrics o{i} ON o{i}.run_uuid = r.run_uuid AND o{i}.key = "
                ))
                .bind(key.as_str());
                // Real values first, then NaN, then runs without the metric, in either direction.
                order.push(format!(
                    "CASE WHEN o{i}.run_uuid IS NULL THEN 2 WHEN o{i}.is_nan = 1 THEN 1 ELSE 0 END"
                ));
                order.push(format!("o{i}.value{d}"));
            }
            RunKey::Param(key) | RunKey::Tag(key) => {
                let table = if matches!(ob.key, RunKey::Param(_)) {
                    "params"
                } else {
                    "tags"
                };
                s.push(&format!(
                    " LEFT JOIN {table} o{i} ON o{i}.run_uuid = r.run_uuid AND o{i}.key = "
                ))
                .bind(key.as_str());
                order.push(format!("CASE WHEN o{i}.value IS NULL THEN 1 ELSE 0 END"));
                order.push(format!("o{i}.value{d}"));
            }
            RunKey::Attribute(a) => {
                let col = run_attribute_col(*a);
                // Only the end time can be missing. Leaving the null-sorting term out for the
                // other columns lets the (experiment, stage, start_time, run_uuid) index
                // deliver the default order, so a page stops reading after `max_results` rows.
                if *a == RunAttribute::EndTime {
                    order.push(format!("CASE WHEN {col} IS NULL THEN 1 ELSE 0 END"));
                }
                order.push(format!("{col}{d}"));
            }
            RunKey::Dataset(_) => return Err(invalid("Cannot order runs by a dataset field")),
        }
    }
    s.push(" WHERE r.experiment_id IN ")
        .bind_list(q.experiment_ids.iter().copied());
    stages(&mut s, "r.lifecycle_stage", q.view_type);
    for c in &q.filter {
        run_clause(&mut s, c)?;
    }
    // Final tie-breakers, unless the caller's keys already include them (a repeated key can
    // never change the order).
    let ordered_by = |a: RunAttribute| {
        q.order_by
            .iter()
            .any(|ob| matches!(ob.key, RunKey::Attribute(k) if k == a))
    };
    if !ordered_by(RunAttribute::StartTime) {
        order.push("r.start_time DESC".to_owned());
    }
    if !ordered_by(RunAttribute::RunId) {
        order.push("r.run_uuid ASC".to_owned());
    }
    s.push(" ORDER BY ").push(&order.join(", "));
    limit_offset(&mut s, q.max_results, q.offset);
    Ok(s)
}

fn experiment_attribute_col(a: ExperimentAttribute) -> &'static str {
    match a {
        ExperimentAttribute::Name => "e.name",
        ExperimentAttribute::ExperimentId => "e.experiment_id",
        ExperimentAttribute::CreationTime => "e.creation_time",
        ExperimentAttribute::LastUpdateTime => "e.last_update_time",
    }
}

fn experiment_clause(s: &mut Sql, c: &Clause<ExperimentKey>) -> StoreResult<()> {
    s.push(" AND (");
    match &c.key {
        ExperimentKey::Tag(key) => {
            kv_clause(
                s,
                "experiment_tags",
                "experiment_id",
                "e.experiment_id",
                key,
                c.op,
                &c.value,
            )?;
        }
        ExperimentKey::Attribute(a) if a.is_numeric() => {
            numeric_cmp(s, experiment_attribute_col(*a), c.op, &c.value)?;
        }
        ExperimentKey::Attribute(ExperimentAttribute::ExperimentId) => {
            // Ids are integers; exact comparisons use them directly (and the primary key),
            // patterns compare the decimal text.
            let ints: Option<Vec<i64>> = match (&c.value, c.op) {
                (Value::String(v), Comparator::Eq | Comparator::Ne) => {
                    v.trim().parse().ok().map(|n| vec![n])
                }
                (Value::List(l), Comparator::In | Comparator::NotIn) => {
                    l.iter().map(|v| v.trim().parse().ok()).collect()
                }
                _ => None,
            };
            match ints {
                Some(ids) if !ids.is_empty() => {
                    let neg = matches!(c.op, Comparator::Ne | Comparator::NotIn);
                    s.push("e.experiment_id")
                        .push(if neg { " NOT IN " } else { " IN " })
                        .bind_list(ids);
                }
                _ => {
                    let col = s.dialect.cast_text("e.experiment_id");
                    string_cmp(s, &col, c.op, &c.value)?;
                }
            }
        }
        ExperimentKey::Attribute(a) => string_cmp(s, experiment_attribute_col(*a), c.op, &c.value)?,
    }
    s.push(")");
    Ok(())
}

pub(crate) async fn search_experiments(
    db: &mut dyn Db,
    q: ExperimentQuery,
) -> StoreResult<Page<Experiment>> {
    if q.max_results == 0 {
        return Ok(Page::empty());
    }
    let mut s = Sql::new(db.dialect());
    s.push(&format!("SELECT {EXP_COLS} FROM experiments e WHERE 1 = 1"));
    stages(&mut s, "e.lifecycle_stage", q.view_type);
    for c in &q.filter {
        experiment_clause(&mut s, c)?;
    }
    let mut order: Vec<String> = Vec::new();
    for ob in &q.order_by {
        match &ob.key {
            ExperimentKey::Attribute(a) => {
                order.push(format!(
                    "{}{}",
                    experiment_attribute_col(*a),
                    dir(ob.ascending)
                ));
            }
            ExperimentKey::Tag(_) => return Err(invalid("Cannot order experiments by a tag")),
        }
    }
    order.push("e.creation_time DESC".to_owned());
    order.push("e.experiment_id ASC".to_owned());
    s.push(" ORDER BY ").push(&order.join(", "));
    limit_offset(&mut s, q.max_results, q.offset);
    let rows = db.fetch_all(&s).await?;
    let exps = rows
        .iter()
        .map(experiment_from)
        .collect::<StoreResult<Vec<_>>>()?;
    let mut page = paginate(exps, q.max_results, q.offset);
    attach_tags(db, &mut page.items).await?;
    Ok(page)
}
