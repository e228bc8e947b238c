//! Metric history reads: keyset pages (stable under concurrent appends, unlike offsets) and
//! downsampled bulk reads so charts of huge histories stay small.

use super::runs::run_not_found;
use super::{METRIC_COLS, loaded_value, metric_at, stored_value};
use crate::db::Db;
use crate::dialect::Dialect;
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

/// One page in MLflow's (timestamp, step, value) order (then is_nan). The primary key (in step
/// order) bounds the read to the one history, which is then sorted: an index in time order
/// would serve pages as range scans but costs every metric write about a fifth of its
/// throughput (measured), and writes are the hot path. An unknown run has an empty history, as
/// on the official server.
pub(crate) async fn page(db: &mut dyn Db, q: HistoryQuery) -> StoreResult<HistoryPage> {
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
        s.push(" AND (timestamp, step, value, is_nan) > (")
            .bind(c.timestamp)
            .push(", ")
            .bind(c.step)
            .push(", ")
            .bind(v)
            .push(", ")
            .bind(nan)
            .push(")");
    }
    s.push(" ORDER BY timestamp, step, value, is_nan LIMIT ")
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

/// Row-position sampling per run, with the result NTILE would give: the ordered history (in
/// the step range) is split into `max_results` buckets whose sizes differ by at most one (the
/// larger ones first), the first point of each bucket is kept, and the run's last point replaces
/// the final sample (or is appended when there is room), so the end of a curve is always drawn
/// and the count never exceeds `max_results`.
///
/// Bucket starts are computed from the count instead of numbering every row with window
/// functions (which materialised and sorted the whole history: ~0.4 s for 200k points): one
/// recursive statement hops from sample to sample with keyset seeks plus `OFFSET`, so SQLite
/// only steps over index entries and returns `max_results` rows.
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
        // `alias.run_uuid = ? AND alias.key = ? [AND step range]`
        let filter = |s: &mut Sql, alias: &str| {
            s.push(&format!(" {alias}.run_uuid = "))
                .bind(run_id.as_str())
                .push(&format!(" AND {alias}.key = "))
                .bind(&q.key);
            if let Some((lo, hi)) = q.steps {
                s.push(&format!(" AND {alias}.step >= "))
                    .bind(lo)
                    .push(&format!(" AND {alias}.step <= "))
                    .bind(hi);
            }
        };
        let mut s = Sql::new(d);
        s.push("SELECT COUNT(*) FROM metrics m WHERE");
        filter(&mut s, "m");
        let total = match db.fetch_optional(&s).await? {
            Some(row) => row.i64(0)?,
            None => 0,
        };
        if total == 0 {
            continue;
        }
        let mut rows = if total <= max {
            // One point per bucket: the whole range.
            let mut s = Sql::new(d);
            s.push("SELECT m.step, m.timestamp, m.value, m.is_nan FROM metrics m WHERE");
            filter(&mut s, "m");
            s.push(" ORDER BY m.step, m.timestamp, m.value, m.is_nan");
            db.fetch_all(&s).await?
        } else {
            db.fetch_all(&sample_sql(d, &filter, total, max)).await?
        };

        let mut s = Sql::new(d);
        s.push("SELECT m.step, m.timestamp, m.value, m.is_nan FROM metrics m WHERE");
        filter(&mut s, "m");
        s.push(" ORDER BY m.step DESC, m.timestamp DESC, m.value DESC, m.is_nan DESC LIMIT 1");
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

/// The first point of each of `buckets` NTILE buckets over `total > buckets` points: the first
/// `total % buckets` buckets hold one point more, so the hop to the next sample skips `q`
/// points after the current one there and `q - 1` afterwards (`q = total / buckets`). Each hop
/// is a keyset seek past the current sample plus an `OFFSET` walk over the index, so the whole
/// statement visits every point at most once. Uses two recursive terms (SQLite >= 3.34).
fn sample_sql(d: Dialect, filter: &dyn Fn(&mut Sql, &str), total: i64, buckets: i64) -> Sql {
    let q = total / buckets;
    let big = total % buckets;
    let mut s = Sql::new(d);
    s.push(
        "WITH RECURSIVE s(i, step, timestamp, value, is_nan) AS (\
         SELECT 0, step, timestamp, value, is_nan FROM (\
         SELECT m.step, m.timestamp, m.value, m.is_nan FROM metrics m WHERE",
    );
    filter(&mut s, "m");
    s.push(" ORDER BY m.step, m.timestamp, m.value, m.is_nan LIMIT 1) f");
    // (points skipped after the sample of bucket i, range of i the term applies to)
    for (skip, from, to) in [(q, 0, big), (q - 1, big, buckets - 1)] {
        s.push(
            " UNION ALL SELECT s.i + 1, m.step, m.timestamp, m.value, m.is_nan FROM s \
             JOIN metrics m ON",
        );
        filter(&mut s, "m");
        s.push(
            " AND (m.step, m.timestamp, m.value, m.is_nan) = (\
             SELECT x.step, x.timestamp, x.value, x.is_nan FROM metrics x WHERE",
        );
        filter(&mut s, "x");
        s.push(
            " AND (x.step, x.timestamp, x.value, x.is_nan) > (s.step, s.timestamp, s.value, s.is_nan) \
             ORDER BY x.step, x.timestamp, x.value, x.is_nan LIMIT 1 OFFSET ",
        )
        .bind(skip)
        .push(") WHERE s.i >= ")
        .bind(from)
        .push(" AND s.i < ")
        .bind(to);
    }
    s.push(") SELECT step, timestamp, value, is_nan FROM s ORDER BY i");
    s
}

#[cfg(test)]
mod tests {
    //! The hop-based sampler must pick exactly the rows NTILE picks.
    use super::*;
    use crate::SqlStore;
    use ferroflow_store::{NewExperiment, NewRun, TrackingStore};

    /// The first row of every NTILE bucket, computed by the database itself.
    fn ntile_sql(d: Dialect, run: &str, steps: Option<(i64, i64)>, buckets: i64) -> Sql {
        let mut s = Sql::new(d);
        s.push(
            "SELECT step, timestamp, value, is_nan FROM (SELECT step, timestamp, value, is_nan, \
             ROW_NUMBER() OVER (PARTITION BY b ORDER BY step, timestamp, value, is_nan) AS rn \
             FROM (SELECT step, timestamp, value, is_nan, NTILE(",
        )
        .bind(buckets)
        .push(
            ") OVER (ORDER BY step, timestamp, value, is_nan) AS b FROM metrics WHERE run_uuid = ",
        )
        .bind(run)
        .push(" AND key = 'k'");
        if let Some((lo, hi)) = steps {
            s.push(" AND step >= ")
                .bind(lo)
                .push(" AND step <= ")
                .bind(hi);
        }
        s.push(") t) u WHERE rn = 1 ORDER BY step, timestamp, value, is_nan");
        s
    }

    #[tokio::test]
    async fn hops_match_ntile() {
        let store = SqlStore::connect("sqlite::memory:").await.unwrap();
        let exp = store
            .create_experiment(NewExperiment {
                name: "e".into(),
                artifact_location: None,
                default_artifact_root: "/tmp".into(),
                tags: vec![],
                creation_time: 0,
            })
            .await
            .unwrap();
        let run = RunId::from_trusted("a".repeat(32));
        store
            .create_run(NewRun {
                run_id: run.clone(),
                experiment_id: exp,
                run_name: "r".into(),
                user_id: "u".into(),
                start_time: 0,
                tags: vec![],
                artifact_uri: "/tmp".into(),
            })
            .await
            .unwrap();
        // Repeated steps, repeated timestamps within a step, NaNs: every key column matters.
        let pts: Vec<Metric> = (0..401_i64)
            .map(|i| {
                let v = if i % 13 == 0 {
                    f64::NAN
                } else {
                    (i % 7) as f64
                };
                Metric::new("k", v, i % 5, i / 3)
            })
            .collect();
        store.log_batch(&run, pts, vec![], vec![]).await.unwrap();
        for steps in [None, Some((10, 60)), Some((50, 50))] {
            for buckets in [1_i64, 2, 3, 7, 64, 133, 400, 401, 2000] {
                let run_id = run.as_str().to_owned();
                let (want, got) = store
                    .readers
                    .read(false, move |db| {
                        Box::pin(async move {
                            let d = db.dialect();
                            let filter = |s: &mut Sql, alias: &str| {
                                s.push(&format!(" {alias}.run_uuid = "))
                                    .bind(run_id.as_str())
                                    .push(&format!(" AND {alias}.key = 'k'"));
                                if let Some((lo, hi)) = steps {
                                    s.push(&format!(" AND {alias}.step >= "))
                                        .bind(lo)
                                        .push(&format!(" AND {alias}.step <= "))
                                        .bind(hi);
                                }
                            };
                            let want = db.fetch_all(&ntile_sql(d, &run_id, steps, buckets)).await?;
                            let mut c = Sql::new(d);
                            c.push("SELECT COUNT(*) FROM metrics m WHERE");
                            filter(&mut c, "m");
                            let total = db.fetch_all(&c).await?[0].i64(0)?;
                            let got = if total > buckets {
                                db.fetch_all(&sample_sql(d, &filter, total, buckets))
                                    .await?
                            } else {
                                want.clone()
                            };
                            Ok((want, got))
                        })
                    })
                    .await
                    .unwrap();
                let key = |rows: &[crate::sql::Row]| -> Vec<_> {
                    rows.iter().map(|r| format!("{:?}", r.0)).collect()
                };
                assert!(!want.is_empty() || steps == Some((50, 50)));
                assert_eq!(key(&got), key(&want), "steps {steps:?}, buckets {buckets}");
            }
        }
    }
}
