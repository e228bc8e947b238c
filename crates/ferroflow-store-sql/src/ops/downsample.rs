//! Chart reads of huge metric histories: per-bucket first/last/min/max (M4) computed inside the
//! database, so a million-point history crosses into Rust as a few thousand rows.
//!
//! Why the statement has this shape: a `GROUP BY <bucket expression>` over the history makes
//! SQLite sort every point (the bucket is not an index column), about three times the cost of
//! reading them. Instead the bucket boundaries are step ranges, passed in as one JSON array, and
//! each bucket is answered by correlated subqueries that are range seeks on the primary key
//! `(run_uuid, key, step, timestamp, value, is_nan)`: first and last are single index probes,
//! min and max one scan of the bucket each. A scalar subquery yields one value, so the min/max
//! subqueries return their whole row packed by `printf` (`%!.17g` prints a double exactly).

use super::loaded_value;
use super::runs::run_not_found;
use crate::db::Db;
use crate::sql::Sql;
use ferroflow_core::RunId;
use ferroflow_store::{
    DownsampleAxis, DownsamplePoint, DownsampleQuery, DownsampledSeries, StoreError, StoreResult,
};
use std::collections::HashSet;
use std::fmt::Write as _;

/// `step,timestamp,value,is_nan` of one stored row.
const ROW_FMT: &str = "'%d,%d,%!.17g,%d', step, timestamp, value, is_nan";

pub(crate) async fn downsampled(
    db: &mut dyn Db,
    q: DownsampleQuery,
) -> StoreResult<Vec<DownsampledSeries>> {
    for run_id in &q.run_ids {
        let mut s = Sql::new(db.dialect());
        s.push("SELECT 1 FROM runs WHERE run_uuid = ")
            .bind(run_id.as_str());
        if db.fetch_optional(&s).await?.is_none() {
            return Err(run_not_found(run_id));
        }
    }
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for run_id in &q.run_ids {
        if seen.insert(run_id.clone()) {
            out.push(series(db, run_id, &q).await?);
        }
    }
    Ok(out)
}

/// The timestamp range every statement must honour, if the query restricts timestamps.
fn time_range(q: &DownsampleQuery) -> Option<(i64, i64)> {
    match q.axis {
        DownsampleAxis::Timestamp => q.x_range,
        DownsampleAxis::Step => None,
    }
}

/// `run_uuid = ? AND key = ? [AND timestamp BETWEEN ? AND ?]` on `metrics` (unaliased).
fn base_filter(s: &mut Sql, run_id: &RunId, q: &DownsampleQuery) {
    s.push("run_uuid = ")
        .bind(run_id.as_str())
        .push(" AND key = ")
        .bind(&q.key);
    if let Some((lo, hi)) = time_range(q) {
        s.push(" AND timestamp >= ")
            .bind(lo)
            .push(" AND timestamp <= ")
            .bind(hi);
    }
}

/// The smallest and largest step of the points in range (index probes for a step range; for a
/// time range, scans from each end until the first point inside it).
async fn step_extent(
    db: &mut dyn Db,
    run_id: &RunId,
    q: &DownsampleQuery,
) -> StoreResult<Option<(i64, i64)>> {
    let steps = match q.axis {
        DownsampleAxis::Step => q.x_range,
        DownsampleAxis::Timestamp => None,
    };
    let mut s = Sql::new(db.dialect());
    for (i, agg) in ["MIN", "MAX"].iter().enumerate() {
        s.push(if i == 0 { "SELECT (" } else { ", (" });
        s.push(&format!("SELECT {agg}(step) FROM metrics WHERE "));
        base_filter(&mut s, run_id, q);
        if let Some((lo, hi)) = steps {
            s.push(" AND step >= ")
                .bind(lo)
                .push(" AND step <= ")
                .bind(hi);
        }
        s.push(")");
    }
    let Some(row) = db.fetch_optional(&s).await? else {
        return Ok(None);
    };
    Ok(match (row.opt_i64(0)?, row.opt_i64(1)?) {
        (Some(lo), Some(hi)) => Some((lo, hi)),
        _ => None,
    })
}

/// `[[lo, hi], ...]`: at most `buckets` contiguous step ranges of (nearly) equal width covering
/// `lo..=hi`. Computed in i128 so extents spanning the whole i64 range cannot overflow.
fn bucket_json(lo: i64, hi: i64, buckets: u32) -> String {
    let span = i128::from(hi) - i128::from(lo) + 1;
    let n = span.min(i128::from(buckets.max(1)));
    let mut json = String::from("[");
    let mut start = i128::from(lo);
    for i in 1..=n {
        let end = i128::from(lo) + i * span / n - 1;
        if i > 1 {
            json.push(',');
        }
        let _ = write!(json, "[{start},{end}]");
        start = end + 1;
    }
    json.push(']');
    json
}

async fn series(
    db: &mut dyn Db,
    run_id: &RunId,
    q: &DownsampleQuery,
) -> StoreResult<DownsampledSeries> {
    let empty = DownsampledSeries {
        run_id: run_id.clone(),
        total_points: 0,
        points: Vec::new(),
    };
    let Some((lo, hi)) = step_extent(db, run_id, q).await? else {
        return Ok(empty);
    };
    let bucket = |s: &mut Sql, alias: &str| {
        base_filter(s, run_id, q);
        s.push(&format!(" AND step >= {alias}.lo AND step <= {alias}.hi"));
    };
    let mut s = Sql::new(db.dialect());
    s.push(
        "WITH b(lo, hi) AS (SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]') \
         FROM json_each(",
    )
    .bind(bucket_json(lo, hi, q.buckets))
    .push(")), a AS (SELECT b.lo AS lo, b.hi AS hi");
    // First and last point of the bucket: one index probe each.
    for (dir, name) in [("", "f"), (" DESC", "l")] {
        s.push(&format!(", (SELECT printf({ROW_FMT}) FROM metrics WHERE "));
        bucket(&mut s, "b");
        s.push(&format!(
            " ORDER BY step{dir}, timestamp{dir}, value{dir}, is_nan{dir} LIMIT 1) AS {name}"
        ));
    }
    // Least and greatest non-NaN value: with a single min()/max() aggregate SQLite takes the
    // bare columns from the row holding it. The max scan also counts the bucket's points and
    // NaNs; the NaN count leads so that `CAST(mx AS INTEGER)` reads it.
    s.push(&format!(
        ", (SELECT printf({ROW_FMT}) FROM (SELECT MIN(CASE WHEN is_nan = 0 THEN value END), \
         step, timestamp, value, is_nan FROM metrics WHERE "
    ));
    bucket(&mut s, "b");
    s.push(
        ")) AS mn, (SELECT printf('%d,%d,%d,%d,%!.17g,%d', nans, n, step, timestamp, value, \
         is_nan) FROM (SELECT MAX(CASE WHEN is_nan = 0 THEN value END), SUM(is_nan) AS nans, \
         COUNT(*) AS n, step, timestamp, value, is_nan FROM metrics WHERE ",
    );
    bucket(&mut s, "b");
    // A NaN point, looked for only in buckets known to hold one.
    s.push(
        ")) AS mx FROM b) SELECT a.f, a.l, a.mn, a.mx, CASE WHEN CAST(a.mx AS INTEGER) > 0 \
         THEN (SELECT printf(",
    );
    s.push(ROW_FMT).push(") FROM metrics WHERE ");
    bucket(&mut s, "a");
    s.push(" AND is_nan = 1 LIMIT 1) END FROM a WHERE a.f IS NOT NULL");

    let rows = db.fetch_all(&s).await?;
    let mut total = 0u64;
    let mut raw = Vec::with_capacity(rows.len() * 5);
    for row in &rows {
        for col in [0, 1, 2, 4] {
            if let Some(text) = row.opt_text(col)? {
                raw.push(parse_row(&text)?);
            }
        }
        if let Some(text) = row.opt_text(3)? {
            let (counts, rest) = split2(&text)?;
            total += counts;
            raw.push(parse_row(rest)?);
        }
    }
    raw.sort_by(|a, b| {
        (a.0, a.1)
            .cmp(&(b.0, b.1))
            .then(a.2.total_cmp(&b.2))
            .then(a.3.cmp(&b.3))
    });
    raw.dedup_by(|a, b| a.0 == b.0 && a.1 == b.1 && a.2.to_bits() == b.2.to_bits() && a.3 == b.3);
    Ok(DownsampledSeries {
        run_id: run_id.clone(),
        total_points: total,
        points: raw
            .into_iter()
            .map(|(step, timestamp, v, nan)| DownsamplePoint {
                step,
                timestamp,
                value: loaded_value(v, nan),
            })
            .collect(),
    })
}

/// Splits `nans,n,<row>` into `n` and `<row>`.
fn split2(text: &str) -> StoreResult<(u64, &str)> {
    let bad = || StoreError::Backend(format!("unexpected downsample row '{text}'"));
    let mut it = text.splitn(3, ',');
    let _nans = it.next().ok_or_else(bad)?;
    let n = it
        .next()
        .and_then(|n| n.parse::<u64>().ok())
        .ok_or_else(bad)?;
    Ok((n, it.next().ok_or_else(bad)?))
}

/// Parses `step,timestamp,value,is_nan` as printed by [`ROW_FMT`].
fn parse_row(text: &str) -> StoreResult<(i64, i64, f64, bool)> {
    let bad = || StoreError::Backend(format!("unexpected downsample row '{text}'"));
    let mut it = text.split(',');
    let mut next = || it.next().ok_or_else(bad);
    let step = next()?.parse::<i64>().map_err(|_| bad())?;
    let timestamp = next()?.parse::<i64>().map_err(|_| bad())?;
    let value = next()?.parse::<f64>().map_err(|_| bad())?;
    let is_nan = next()?.parse::<i64>().map_err(|_| bad())? != 0;
    Ok((step, timestamp, value, is_nan))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_cover_the_extent_without_overlap() {
        assert_eq!(bucket_json(0, 9, 5), "[[0,1],[2,3],[4,5],[6,7],[8,9]]");
        assert_eq!(bucket_json(0, 9, 3), "[[0,2],[3,5],[6,9]]");
        assert_eq!(
            bucket_json(5, 6, 100),
            "[[5,5],[6,6]]",
            "never more buckets than steps"
        );
        assert_eq!(bucket_json(7, 7, 0), "[[7,7]]");
        let wide = bucket_json(i64::MIN, i64::MAX, 2);
        assert_eq!(wide, format!("[[{},-1],[0,{}]]", i64::MIN, i64::MAX));
    }

    #[test]
    fn parses_printf_rows() {
        assert_eq!(
            parse_row("-3,17,0.10000000000000001,0").unwrap(),
            (-3, 17, 0.1, false)
        );
        assert_eq!(parse_row("1,2,Inf,0").unwrap().2, f64::INFINITY);
        assert_eq!(parse_row("1,2,-Inf,0").unwrap().2, f64::NEG_INFINITY);
        assert!(parse_row("1,2,0.0,1").unwrap().3);
        assert!(parse_row("1,2").is_err());
        assert!(parse_row("x,2,3,0").is_err());
    }
}
