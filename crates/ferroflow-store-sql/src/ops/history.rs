//! Metric history reads: keyset pages (stable under concurrent appends, unlike offsets) and
//! downsampled bulk reads so charts of huge histories stay small.

use super::runs::run_not_found;
use super::{METRIC_COLS, loaded_value, metric_at, stored_value};
use crate::db::Db;
use crate::sql::Sql;
use ferroflow_core::{Metric, MetricWithRunId, RunId};
use ferroflow_store::{BulkIntervalQuery, HistoryCursor, HistoryPage, HistoryQuery, StoreResult};

async fn require_run(db: &mut dyn Db, run_id: &RunId) -> StoreResult<()> {
    let mut s = Sql::new(db.dialect());
    s.push("SELECT 1 FROM runs WHERE run_uuid = ")
        .bind(run_id.as_str());
    db.fetch_optional(&s)
        .await?
        .map(|_| ())
        .ok_or_else(|| run_not_found(run_id))
}

fn limit(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// One page in (step, timestamp, value, is_nan) order; the primary key serves it as a range scan.
pub(crate) async fn page(db: &mut dyn Db, q: HistoryQuery) -> StoreResult<HistoryPage> {
    require_run(db, &q.run_id).await?;
    if q.max_results == 0 {
        return Ok(HistoryPage {
            metrics: Vec::new(),
            next: None,
        });
    }
    let mut s = Sql::new(db.dialect());
    s.push(&format!(
        "SELECT {METRIC_COLS} FROM metrics WHERE run_uuid = "
    ))
    .bind(q.run_id.as_str())
    .push(" AND key = ")
    .bind(&q.key);
    if let Some(c) = &q.after {
        let (v, nan) = stored_value(c.value);
        s.push(" AND (step, timestamp, value, is_nan) > (")
            .bind(c.step)
            .push(", ")
            .bind(c.timestamp)
            .push(", ")
            .bind(v)
            .push(", ")
            .bind(nan)
            .push(")");
    }
    s.push(" ORDER BY step, timestamp, value, is_nan LIMIT ")
        .bind(limit(q.max_results.saturating_add(1)));
    let rows = db.fetch_all(&s).await?;
    let mut metrics = rows
        .iter()
        .map(|r| metric_at(r, 0))
        .collect::<StoreResult<Vec<Metric>>>()?;
    let more = metrics.len() as u64 > q.max_results;
    metrics.truncate(usize::try_from(q.max_results).unwrap_or(usize::MAX));
    let next = if more {
        metrics.last().map(|m| HistoryCursor {
            step: m.step,
            timestamp: m.timestamp,
            value: m.value,
        })
    } else {
        None
    };
    Ok(HistoryPage { metrics, next })
}

/// Row-position sampling per run: NTILE splits the ordered history (in the step range) into
/// `max_results` buckets, the first point of each bucket is kept, and the run's last point
/// replaces the final sample (or is appended when there is room), so the end of a curve is
/// always drawn and the count never exceeds `max_results`.
pub(crate) async fn bulk_interval(
    db: &mut dyn Db,
    q: BulkIntervalQuery,
) -> StoreResult<Vec<MetricWithRunId>> {
    for run_id in &q.run_ids {
        require_run(db, run_id).await?;
    }
    let max = limit(q.max_results.max(1));
    let d = db.dialect();
    let mut out = Vec::new();
    let mut done = std::collections::HashSet::new();
    for run_id in &q.run_ids {
        if !done.insert(run_id.clone()) {
            continue;
        }
        let filter = |s: &mut Sql| {
            s.push(" WHERE run_uuid = ")
                .bind(run_id.as_str())
                .push(" AND key = ")
                .bind(&q.key);
            if let Some((lo, hi)) = q.steps {
                s.push(" AND step >= ")
                    .bind(lo)
                    .push(" AND step <= ")
                    .bind(hi);
            }
        };
        let mut s = Sql::new(d);
        s.push(
            "SELECT step, timestamp, value, is_nan FROM (\
                SELECT step, timestamp, value, is_nan, ROW_NUMBER() OVER \
                (PARTITION BY bucket ORDER BY step, timestamp, value, is_nan) AS rn FROM (\
                SELECT step, timestamp, value, is_nan, NTILE(",
        )
        .bind(max)
        .push(") OVER (ORDER BY step, timestamp, value, is_nan) AS bucket FROM metrics");
        filter(&mut s);
        s.push(") b) r WHERE rn = 1 ORDER BY step, timestamp, value, is_nan");
        let mut rows = db.fetch_all(&s).await?;

        let mut s = Sql::new(d);
        s.push("SELECT step, timestamp, value, is_nan FROM metrics");
        filter(&mut s);
        s.push(" ORDER BY step DESC, timestamp DESC, value DESC, is_nan DESC LIMIT 1");
        if let Some(last) = db.fetch_optional(&s).await? {
            let same = rows.last().is_some_and(|r| r.0 == last.0);
            if !same {
                if rows.len() as i64 >= max {
                    rows.pop();
                }
                rows.push(last);
            }
        }
        for r in rows {
            out.push(MetricWithRunId {
                run_id: run_id.clone(),
                metric: Metric::new(
                    q.key.clone(),
                    loaded_value(r.f64(2)?, r.i64(3)? != 0),
                    r.i64(1)?,
                    r.i64(0)?,
                ),
            });
        }
    }
    Ok(out)
}
