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
use crate::ops::filters::{numeric_op, text_cmp};
use crate::ops::runs::{RUN_COLS, info_from, load};
use crate::sql::{Row, Sql};
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

/// `<col> <op> <value>` for string-valued columns: the shared text comparisons, plus the
/// `IS [NOT] NULL` forms that only run and experiment filters allow.
fn string_cmp(s: &mut Sql, col: &str, op: Comparator, value: &Value) -> StoreResult<()> {
    match op {
        Comparator::IsNull => {
            s.push(col).push(" IS NULL");
        }
        Comparator::IsNotNull => {
            s.push(col).push(" IS NOT NULL");
        }
        _ => text_cmp(s, col, op, value, list_of)?,
    }
    Ok(())
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

/// `id` is the run-id column the clause tests: `r.run_uuid`, or the driving index's copy of it
/// so that filters are checked before the run row is fetched.
fn run_clause(s: &mut Sql, id: &str, c: &Clause<RunKey>) -> StoreResult<()> {
    s.push(" AND (");
    match &c.key {
        RunKey::Metric(key) => {
            // NaN is stored as 0 with a flag: it satisfies only `!=`, as in IEEE arithmetic.
            let sym = numeric_op(c.op)?;
            s.push(id)
                .push(" IN (SELECT m.run_uuid FROM latest_metrics m WHERE m.key = ")
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
        RunKey::Param(key) => kv_clause(s, "params", "run_uuid", id, key, c.op, &c.value)?,
        RunKey::Tag(key) => kv_clause(s, "tags", "run_uuid", id, key, c.op, &c.value)?,
        RunKey::Attribute(a) if a.is_numeric() => {
            numeric_cmp(s, run_attribute_col(*a), c.op, &c.value)?
        }
        RunKey::Attribute(a) => string_cmp(s, run_attribute_col(*a), c.op, &c.value)?,
        RunKey::Dataset(DatasetField::Context) => {
            s.push("EXISTS (SELECT 1 FROM input_tags t WHERE t.run_uuid = ")
                .push(id)
                .push(" AND t.key = ")
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
                 WHERE i.run_uuid = ",
            )
            .push(id)
            .push(" AND ");
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

/// The runs a statement returns. A search whose first order key is a metric is answered as
/// three consecutive parts, in the order the general statement sorts them (real values, then
/// NaN, then runs without the metric): the first two walk the metric's
/// (key, is_nan, value, run_uuid) index in order and stop after a page instead of sorting
/// every run of the experiment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Part {
    /// Every matching run, sorted by the general statement.
    All,
    /// Runs whose value of the first order key is a number.
    Valued,
    /// Runs whose value of the first order key is NaN.
    NaN,
    /// Runs without the first order key.
    Missing,
}

/// The runs an index walk must visit per run it keeps stays below this (1 in 8 of the metric's
/// runs are in the searched experiments and view)...
const MIN_HIT_SHARE: i64 = 8;
/// ...judged from this many of the metric's entries;
const SAMPLE: i64 = 256;
/// and below this many runs in the searched experiments, sorting them all is cheap anyway.
const SMALL_SEARCH: i64 = 1000;

pub(crate) async fn search_runs(db: &mut dyn Db, q: RunQuery) -> StoreResult<Page<Run>> {
    if q.experiment_ids.is_empty() || q.max_results == 0 {
        return Ok(Page::empty());
    }
    let walk = walk_metric_index(db, &q).await?;
    let rows = page_rows(db, &q, walk).await?;
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

/// The page's run rows (one extra to detect a next page); `walk` answers a search ordered by a
/// metric part by part (see [`Part`]).
async fn page_rows(db: &mut dyn Db, q: &RunQuery, walk: bool) -> StoreResult<Vec<Row>> {
    let d = db.dialect();
    let wanted = usize::try_from(q.max_results.saturating_add(1)).unwrap_or(usize::MAX);
    if walk {
        // Concatenate the parts' rows from `offset` on. A part that ends inside the page tells
        // where the next one starts (at its beginning); one that ends before the page is
        // counted so the offset can be carried over.
        let mut rows = Vec::new();
        let mut skip = q.offset;
        for part in [Part::Valued, Part::NaN, Part::Missing] {
            let limit = u64::try_from(wanted - rows.len()).unwrap_or(u64::MAX);
            let got = db.fetch_all(&part_sql(d, q, part, skip, limit)?).await?;
            let n = got.len();
            rows.extend(got);
            if rows.len() >= wanted || part == Part::Missing {
                break;
            }
            if n > 0 {
                skip = 0;
            } else if skip > 0 {
                let total = match db.fetch_optional(&count_sql(d, q, part)?).await? {
                    Some(row) => u64::try_from(row.i64(0)?).unwrap_or(0),
                    None => 0,
                };
                skip = skip.saturating_sub(total);
            }
        }
        Ok(rows)
    } else {
        db.fetch_all(&run_search_sql(d, q)?).await
    }
}

/// Whether to answer a search ordered by a metric by walking that metric's index. The walk
/// pays one run lookup per entry it passes, so it loses when the searched experiments hold
/// few of the metric's runs (say, a small experiment in a large store); a sorted scan of the
/// experiments' runs is then cheaper. One bounded statement samples both sides.
async fn walk_metric_index(db: &mut dyn Db, q: &RunQuery) -> StoreResult<bool> {
    let Some(RunKey::Metric(key)) = q.order_by.first().map(|ob| &ob.key) else {
        return Ok(false);
    };
    let mut s = Sql::new(db.dialect());
    s.push("SELECT COUNT(*), COUNT(r.run_uuid), (SELECT COUNT(*) FROM (SELECT 1 FROM runs r");
    runs_in_scope(&mut s, q);
    s.push(" LIMIT ")
        .bind(SMALL_SEARCH)
        .push(") n) FROM (SELECT x.run_uuid FROM latest_metrics x WHERE x.key = ")
        .bind(key.as_str())
        .push(" LIMIT ")
        .bind(SAMPLE)
        .push(") o LEFT JOIN runs r ON r.run_uuid = o.run_uuid AND ");
    scope_terms(&mut s, q);
    let Some(row) = db.fetch_optional(&s).await? else {
        return Ok(false);
    };
    let (sampled, hits, runs) = (row.i64(0)?, row.i64(1)?, row.i64(2)?);
    Ok(runs >= SMALL_SEARCH && sampled > 0 && hits * MIN_HIT_SHARE >= sampled)
}

/// `r.experiment_id IN (...) AND r.lifecycle_stage IN (...)`
fn scope_terms(s: &mut Sql, q: &RunQuery) {
    s.push("r.experiment_id IN ")
        .bind_list(q.experiment_ids.iter().copied());
    stages(s, "r.lifecycle_stage", q.view_type);
}

/// ` WHERE <scope>`
fn runs_in_scope(s: &mut Sql, q: &RunQuery) {
    s.push(" WHERE ");
    scope_terms(s, q);
}

/// The page query of a run search (one extra row to detect a next page), sorting every
/// matching run.
pub(crate) fn run_search_sql(dialect: Dialect, q: &RunQuery) -> StoreResult<Sql> {
    let lim = q.max_results.saturating_add(1);
    part_sql(dialect, q, Part::All, q.offset, lim)
}

/// `FROM ... WHERE ...` of a part: the driving table, the order-by joins (when `joins`), the
/// scope and the filter.
fn part_from(s: &mut Sql, q: &RunQuery, part: Part, joins: bool) -> StoreResult<()> {
    let walked = matches!(part, Part::Valued | Part::NaN);
    if walked {
        // CROSS JOIN keeps the index walk as the outer loop in SQLite (elsewhere it is a join).
        s.push(" FROM latest_metrics o0 CROSS JOIN runs r ON r.run_uuid = o0.run_uuid");
    } else {
        s.push(" FROM runs r");
    }
    // Order-by keys that live in other tables become LEFT JOINs (bound before the WHERE). A
    // walked part joins its first key as the driving table; the missing part has none.
    let first = usize::from(part != Part::All);
    if joins {
        for (i, ob) in q.order_by.iter().enumerate().skip(first) {
            let table = match &ob.key {
                RunKey::Metric(_) => "latest_metrics",
                RunKey::Param(_) => "params",
                RunKey::Tag(_) => "tags",
                RunKey::Attribute(_) => continue,
                RunKey::Dataset(_) => return Err(invalid("Cannot order runs by a dataset field")),
            };
            if let RunKey::Metric(key) | RunKey::Param(key) | RunKey::Tag(key) = &ob.key {
                s.push(&format!(
                    " LEFT JOIN {table} o{i} ON o{i}.run_uuid = r.run_uuid AND o{i}.key = "
                ))
                .bind(key.as_str());
            }
        }
    }
    s.push(" WHERE ");
    if let (true, Some(RunKey::Metric(key))) = (walked, q.order_by.first().map(|ob| &ob.key)) {
        s.push("o0.key = ")
            .bind(key.as_str())
            .push(if part == Part::NaN {
                " AND o0.is_nan = 1 AND "
            } else {
                " AND o0.is_nan = 0 AND "
            });
    }
    scope_terms(s, q);
    // A walked part tests filters on the index's run id, before fetching the run.
    let id = if walked { "o0.run_uuid" } else { "r.run_uuid" };
    for c in &q.filter {
        run_clause(s, id, c)?;
    }
    if let (Part::Missing, Some(RunKey::Metric(key))) = (part, q.order_by.first().map(|ob| &ob.key))
    {
        s.push(" AND r.run_uuid NOT IN (SELECT x.run_uuid FROM latest_metrics x WHERE x.key = ")
            .bind(key.as_str())
            .push(")");
    }
    Ok(())
}

/// One part's rows from `offset` on, at most `limit` of them, in the search's order.
fn part_sql(
    dialect: Dialect,
    q: &RunQuery,
    part: Part,
    offset: u64,
    limit: u64,
) -> StoreResult<Sql> {
    let mut s = Sql::new(dialect);
    s.push(&format!("SELECT {RUN_COLS}"));
    part_from(&mut s, q, part, true)?;
    let mut order: Vec<String> = Vec::new();
    for (i, ob) in q.order_by.iter().enumerate() {
        let d = dir(ob.ascending);
        match &ob.key {
            // The parts split runs by this key's presence and NaN-ness; within the valued part
            // the index walk delivers this order, NaNs are all equal.
            RunKey::Metric(_) if i == 0 && part != Part::All => {
                if part == Part::Valued {
                    order.push(format!("o0.value{d}"));
                }
            }
            RunKey::Metric(_) => {
                // Real values first, then NaN, then runs without the metric, in either direction.
                order.push(format!(
                    "CASE WHEN o{i}.run_uuid IS NULL THEN 2 WHEN o{i}.is_nan = 1 THEN 1 ELSE 0 END"
                ));
                order.push(format!("o{i}.value{d}"));
            }
            RunKey::Param(_) | RunKey::Tag(_) => {
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
    let lim = i64::try_from(limit).unwrap_or(i64::MAX);
    let off = i64::try_from(offset).unwrap_or(i64::MAX);
    s.push(" LIMIT ").bind(lim).push(" OFFSET ").bind(off);
    Ok(s)
}

/// How many runs a part holds (to carry a page offset past it).
fn count_sql(dialect: Dialect, q: &RunQuery, part: Part) -> StoreResult<Sql> {
    let mut s = Sql::new(dialect);
    s.push("SELECT COUNT(*)");
    // The order-by joins are on unique keys: they can neither add nor remove runs.
    part_from(&mut s, q, part, false)?;
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

#[cfg(test)]
mod tests {
    //! The part-by-part answer of a search ordered by a metric must return exactly the rows
    //! of the general statement, page after page; and its parts must walk the index.
    use super::*;
    use crate::SqlStore;
    use ferroflow_core::search::{parse_run_filter, parse_run_order_by};
    use ferroflow_core::{LifecycleStage, Metric, Param, RunId};
    use ferroflow_store::{NewExperiment, NewRun, TrackingStore};

    async fn seeded() -> (SqlStore, Vec<i64>) {
        let store = SqlStore::connect("sqlite::memory:").await.unwrap();
        let mut exps = Vec::new();
        for name in ["a", "b"] {
            exps.push(
                store
                    .create_experiment(NewExperiment {
                        name: name.into(),
                        artifact_location: None,
                        default_artifact_root: "/tmp".into(),
                        tags: vec![],
                        creation_time: 0,
                    })
                    .await
                    .unwrap(),
            );
        }
        for i in 0..90_i64 {
            let run_id = RunId::from_trusted(format!("{:032x}", (i * 37) % 90));
            store
                .create_run(NewRun {
                    run_id: run_id.clone(),
                    experiment_id: exps[usize::from(i % 5 == 0)],
                    run_name: format!("r{i}"),
                    user_id: "u".into(),
                    // Ties on start time, so the run id tie-breaker matters.
                    start_time: i / 3,
                    tags: vec![],
                    artifact_uri: "/tmp".into(),
                })
                .await
                .unwrap();
            // Ties, NaN, infinities and missing values of the order key.
            let m = match i % 11 {
                0 => None,
                1 => Some(f64::NAN),
                2 => Some(f64::INFINITY),
                3 => Some(f64::NEG_INFINITY),
                k => Some((k % 4) as f64 - 1.5),
            };
            let mut metrics = vec![Metric::new("f", (i % 10) as f64 / 10.0, 0, 0)];
            if let Some(v) = m {
                metrics.push(Metric::new("m", v, 0, 0));
            }
            if i % 4 != 0 {
                metrics.push(Metric::new("g", (i % 3) as f64, 0, 0));
            }
            let params = vec![Param::new("p", ["a", "b", "c"][(i % 3) as usize])];
            store
                .log_batch(&run_id, metrics, params, vec![])
                .await
                .unwrap();
            if i % 7 == 0 {
                store
                    .set_run_lifecycle(&run_id, LifecycleStage::Deleted)
                    .await
                    .unwrap();
            }
        }
        (store, exps)
    }

    async fn ids(store: &SqlStore, q: &RunQuery, walk: bool) -> Vec<String> {
        let q = q.clone();
        store
            .readers
            .read(false, move |db| {
                Box::pin(async move {
                    let rows = page_rows(db, &q, walk).await?;
                    rows.iter().map(|r| r.text(0)).collect()
                })
            })
            .await
            .unwrap()
    }

    #[tokio::test]
    async fn parts_match_the_general_order() {
        let (store, exps) = seeded().await;
        let orders: &[&[&str]] = &[
            &["metrics.m ASC"],
            &["metrics.m DESC"],
            &["metrics.m DESC", "params.p ASC"],
            &["metrics.m ASC", "attributes.start_time ASC"],
            &["metrics.m DESC", "metrics.g DESC"],
            &["metrics.nothing ASC"],
        ];
        let filters = [
            "",
            "metrics.f > 0.3",
            "metrics.m != 0.5",
            "params.p = 'a' AND metrics.g >= 1",
            "tags.none = 'x'",
        ];
        let mut checked = 0;
        for order in orders {
            for filter in filters {
                for (experiment_ids, view_type) in [
                    (vec![exps[0]], ViewType::ActiveOnly),
                    (exps.clone(), ViewType::All),
                ] {
                    let total = ids(
                        &store,
                        &RunQuery {
                            experiment_ids: experiment_ids.clone(),
                            filter: parse_run_filter(filter).unwrap(),
                            order_by: order
                                .iter()
                                .map(|o| parse_run_order_by(o).unwrap())
                                .collect(),
                            view_type,
                            max_results: 1000,
                            offset: 0,
                        },
                        false,
                    )
                    .await;
                    for max_results in [1, 7, 200] {
                        for offset in
                            (0..=total.len() as u64 + 1).step_by(max_results.min(7) as usize)
                        {
                            let q = RunQuery {
                                experiment_ids: experiment_ids.clone(),
                                filter: parse_run_filter(filter).unwrap(),
                                order_by: order
                                    .iter()
                                    .map(|o| parse_run_order_by(o).unwrap())
                                    .collect(),
                                view_type,
                                max_results,
                                offset,
                            };
                            let want = ids(&store, &q, false).await;
                            let got = ids(&store, &q, true).await;
                            assert_eq!(got, want, "{order:?} / {filter} / {q:?}");
                            checked += usize::from(!want.is_empty());
                        }
                    }
                }
            }
        }
        assert!(checked > 100, "too few non-empty pages compared: {checked}");
    }

    #[tokio::test]
    async fn parts_walk_the_metric_index() {
        let store = SqlStore::connect("sqlite::memory:").await.unwrap();
        let q = RunQuery {
            experiment_ids: vec![1, 2],
            filter: parse_run_filter("metrics.acc > 0.5 AND params.lr = '1'").unwrap(),
            order_by: vec![parse_run_order_by("metrics.loss DESC").unwrap()],
            view_type: ViewType::ActiveOnly,
            max_results: 100,
            offset: 0,
        };
        for part in [Part::Valued, Part::NaN] {
            let mut explain = part_sql(Dialect::Sqlite, &q, part, 0, 101).unwrap();
            explain.text = format!("EXPLAIN QUERY PLAN {}", explain.text);
            let plan = store
                .readers
                .read(false, move |db| {
                    Box::pin(async move {
                        let rows = db.fetch_all(&explain).await?;
                        Ok(rows
                            .iter()
                            .map(|r| r.text(3).unwrap_or_default())
                            .collect::<Vec<_>>()
                            .join("\n"))
                    })
                })
                .await
                .unwrap();
            let first = plan.lines().next().unwrap_or_default();
            assert!(
                first.contains("SEARCH o0 USING COVERING INDEX latest_metrics_key_nan_value_run"),
                "{part:?}: {plan}"
            );
            // NaNs (usually few) are sorted by the tie-breakers; real values come in order.
            assert!(
                part == Part::NaN || !plan.contains("TEMP B-TREE FOR ORDER BY"),
                "{part:?} sorts all its rows: {plan}"
            );
            assert!(!plan.contains("SCAN "), "{part:?}: {plan}");
        }
    }
}
