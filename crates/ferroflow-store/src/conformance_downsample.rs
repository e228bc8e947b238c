//! Conformance checks of [`TrackingStore::get_metric_history_downsampled`]: the chart read must
//! keep every spike and gap of a huge history while returning a bounded number of real points,
//! identically on every backend.
//!
//! [`tracking_store_downsample_conformance!`](crate::tracking_store_downsample_conformance)
//! expands the checks into `#[tokio::test]`s for a backend, given a
//! [`Fixture`](crate::conformance::Fixture) factory.

use crate::{
    DownsampleAxis, DownsamplePoint, DownsampleQuery, DownsampledSeries, NewExperiment, NewRun,
    StoreError, TrackingStore,
};
use ferroflow_core::{ExperimentId, Metric, RunId, Tag, tag_keys};
use std::sync::Arc;

/// Expands to one `#[tokio::test]` per downsampling check; see
/// [`tracking_store_conformance!`](crate::tracking_store_conformance) for `$factory`.
#[macro_export]
macro_rules! tracking_store_downsample_conformance {
    ($factory:path) => {
        $crate::tracking_store_downsample_conformance!(@tests $factory;
            downsample_small_history_is_whole, downsample_keeps_extremes_and_gaps,
            downsample_step_range, downsample_timestamp_axis, downsample_runs_and_errors,
            downsample_many_points_per_step, downsample_values_are_exact
        );
    };
    (@tests $factory:path; $($check:ident),* $(,)?) => {
        $(
            #[::tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn $check() {
                let fixture = $factory().await;
                $crate::conformance_downsample::$check(fixture.store.clone()).await;
                drop(fixture);
            }
        )*
    };
}

const ROOT: &str = "file:///tmp/ff-artifacts";
const T0: i64 = 1_700_000_000_000;

async fn setup(store: &dyn TrackingStore, runs: &[&str]) -> Vec<RunId> {
    let exp: ExperimentId = store
        .create_experiment(NewExperiment {
            name: "downsample".into(),
            artifact_location: None,
            default_artifact_root: ROOT.into(),
            tags: vec![],
            creation_time: 1,
        })
        .await
        .expect("create_experiment");
    let mut out = Vec::new();
    for id in runs {
        let run_id = RunId::parse(id).expect("run id");
        store
            .create_run(NewRun {
                run_id: run_id.clone(),
                experiment_id: exp,
                run_name: (*id).into(),
                user_id: "u".into(),
                start_time: T0,
                tags: vec![Tag::new(tag_keys::RUN_NAME, *id)],
                artifact_uri: format!("{ROOT}/{exp}/{id}/artifacts"),
            })
            .await
            .expect("create_run");
        out.push(run_id);
    }
    out
}

/// The test signal: a smooth ramp, so any point can be checked against its step.
fn signal(step: i64) -> f64 {
    (step % 1000) as f64 / 1000.0
}

async fn log(store: &dyn TrackingStore, run: &RunId, points: Vec<Metric>) {
    for chunk in points.chunks(5000) {
        store
            .log_batch(run, chunk.to_vec(), vec![], vec![])
            .await
            .expect("log_batch");
    }
}

fn ramp(n: i64, spikes: &[(i64, f64)]) -> Vec<Metric> {
    (0..n)
        .map(|s| {
            let v = spikes
                .iter()
                .find(|(at, _)| *at == s)
                .map_or_else(|| signal(s), |(_, v)| *v);
            Metric::new("m", v, T0 + s * 10, s)
        })
        .collect()
}

async fn read(
    store: &dyn TrackingStore,
    runs: &[RunId],
    axis: DownsampleAxis,
    buckets: u32,
    x_range: Option<(i64, i64)>,
) -> Vec<DownsampledSeries> {
    store
        .get_metric_history_downsampled(DownsampleQuery {
            run_ids: runs.to_vec(),
            key: "m".into(),
            axis,
            buckets,
            x_range,
        })
        .await
        .expect("get_metric_history_downsampled")
}

fn assert_ordered_unique(points: &[DownsamplePoint]) {
    for w in points.windows(2) {
        let (a, b) = (&w[0], &w[1]);
        let ord = (a.step, a.timestamp)
            .cmp(&(b.step, b.timestamp))
            .then(a.value.total_cmp(&b.value));
        assert!(
            ord.is_lt(),
            "points out of order or duplicated: {a:?} then {b:?}"
        );
    }
}

pub async fn downsample_small_history_is_whole(store: Arc<dyn TrackingStore>) {
    let s = &*store;
    let runs = setup(s, &["r1"]).await;
    log(s, &runs[0], ramp(10, &[])).await;
    let out = read(s, &runs, DownsampleAxis::Step, 1000, None).await;
    assert_eq!(out.len(), 1);
    assert_eq!(out[0].run_id, runs[0]);
    assert_eq!(out[0].total_points, 10);
    let steps: Vec<i64> = out[0].points.iter().map(|p| p.step).collect();
    assert_eq!(
        steps,
        (0..10).collect::<Vec<_>>(),
        "fewer points than buckets: all"
    );
    for p in &out[0].points {
        assert_eq!(p.value, signal(p.step));
        assert_eq!(p.timestamp, T0 + p.step * 10);
    }
}

pub async fn downsample_keeps_extremes_and_gaps(store: Arc<dyn TrackingStore>) {
    let s = &*store;
    let runs = setup(s, &["r1"]).await;
    let spikes = [
        (12_345, 1e6),
        (777, -1e6),
        (5_000, f64::NAN),
        (15_001, f64::INFINITY),
        (15_002, f64::NEG_INFINITY),
    ];
    log(s, &runs[0], ramp(20_000, &spikes)).await;
    let out = read(s, &runs, DownsampleAxis::Step, 100, None).await;
    let series = &out[0];
    assert_eq!(series.total_points, 20_000);
    let pts = &series.points;
    assert!(
        pts.len() <= 500,
        "at most 5 points per bucket, got {}",
        pts.len()
    );
    assert!(
        pts.len() >= 200,
        "first and last of each bucket, got {}",
        pts.len()
    );
    assert_ordered_unique(pts);
    for (at, v) in spikes {
        let hit = pts.iter().find(|p| p.step == at);
        let hit = hit.unwrap_or_else(|| panic!("point at step {at} ({v}) dropped"));
        assert!(
            hit.value == v || (v.is_nan() && hit.value.is_nan()),
            "step {at}: {} != {v}",
            hit.value
        );
    }
    assert_eq!(pts.first().map(|p| p.step), Some(0));
    assert_eq!(pts.last().map(|p| p.step), Some(19_999));
    for p in pts {
        if !spikes.iter().any(|(at, _)| *at == p.step) {
            assert_eq!(p.value, signal(p.step), "returned points are stored points");
        }
    }
    // Buckets of 200 steps: each holds its own first point, whatever the values.
    for b in 0..100 {
        assert!(
            pts.iter().any(|p| p.step == b * 200),
            "bucket {b} lost its first point"
        );
    }
}

pub async fn downsample_step_range(store: Arc<dyn TrackingStore>) {
    let s = &*store;
    let runs = setup(s, &["r1"]).await;
    log(s, &runs[0], ramp(5_000, &[(1_500, 42.0)])).await;
    let out = read(s, &runs, DownsampleAxis::Step, 10, Some((1_000, 1_999))).await;
    let pts = &out[0].points;
    assert_eq!(out[0].total_points, 1_000);
    assert!(pts.iter().all(|p| (1_000..=1_999).contains(&p.step)));
    assert_eq!(pts.first().map(|p| p.step), Some(1_000));
    assert_eq!(pts.last().map(|p| p.step), Some(1_999));
    assert!(
        pts.iter().any(|p| p.value == 42.0),
        "spike inside the zoom kept"
    );
    assert!(pts.len() <= 50);
    for b in 0..10 {
        let lo = 1_000 + b * 100;
        assert!(
            pts.iter().any(|p| (lo..lo + 100).contains(&p.step)),
            "every bucket of the range represented"
        );
    }
    // A range past the history is empty, not an error.
    let none = read(s, &runs, DownsampleAxis::Step, 10, Some((9_000, 9_999))).await;
    assert_eq!(none[0].total_points, 0);
    assert!(none[0].points.is_empty());
    // Ranges at the i64 limits must not overflow.
    let wide = read(
        s,
        &runs,
        DownsampleAxis::Step,
        7,
        Some((i64::MIN, i64::MAX)),
    )
    .await;
    assert_eq!(wide[0].total_points, 5_000);
    assert!(!wide[0].points.is_empty() && wide[0].points.len() <= 35);
}

pub async fn downsample_timestamp_axis(store: Arc<dyn TrackingStore>) {
    let s = &*store;
    let runs = setup(s, &["r1"]).await;
    log(s, &runs[0], ramp(10_000, &[(5_500, -7.0)])).await;
    let (lo, hi) = (T0 + 5_000 * 10, T0 + 5_999 * 10);
    let out = read(s, &runs, DownsampleAxis::Timestamp, 20, Some((lo, hi))).await;
    let pts = &out[0].points;
    assert_eq!(out[0].total_points, 1_000);
    assert!(pts.iter().all(|p| (lo..=hi).contains(&p.timestamp)));
    assert_eq!(pts.first().map(|p| p.step), Some(5_000));
    assert_eq!(pts.last().map(|p| p.step), Some(5_999));
    assert!(pts.iter().any(|p| p.value == -7.0));
    assert!(pts.len() <= 100 && pts.len() >= 40, "{}", pts.len());
    let all = read(s, &runs, DownsampleAxis::Timestamp, 50, None).await;
    assert_eq!(all[0].total_points, 10_000);
    assert!(all[0].points.len() <= 250);
}

pub async fn downsample_runs_and_errors(store: Arc<dyn TrackingStore>) {
    let s = &*store;
    let runs = setup(s, &["ra", "rb", "rc"]).await;
    log(s, &runs[0], ramp(3, &[])).await;
    log(s, &runs[1], ramp(5, &[])).await;
    let order = vec![
        runs[1].clone(),
        runs[0].clone(),
        runs[1].clone(),
        runs[2].clone(),
    ];
    let out = read(s, &order, DownsampleAxis::Step, 100, None).await;
    let ids: Vec<&RunId> = out.iter().map(|x| &x.run_id).collect();
    assert_eq!(
        ids,
        vec![&runs[1], &runs[0], &runs[2]],
        "given order, once each"
    );
    assert_eq!(
        out.iter().map(|x| x.points.len()).collect::<Vec<_>>(),
        vec![5, 3, 0]
    );
    assert_eq!(
        out[2].total_points, 0,
        "run without the metric: empty series"
    );

    let missing = s
        .get_metric_history_downsampled(DownsampleQuery {
            run_ids: vec![runs[0].clone(), RunId::parse("nosuchrun").unwrap()],
            key: "m".into(),
            axis: DownsampleAxis::Step,
            buckets: 10,
            x_range: None,
        })
        .await;
    assert!(
        matches!(missing, Err(StoreError::NotFound(_))),
        "{missing:?}"
    );
}

pub async fn downsample_many_points_per_step(store: Arc<dyn TrackingStore>) {
    let s = &*store;
    let runs = setup(s, &["r1"]).await;
    // 300 points all at step 0 (a client that never passes `step`).
    let pts = (0..300)
        .map(|i| Metric::new("m", f64::from((i * 37) % 300), T0 + i64::from(i), 0))
        .collect();
    log(s, &runs[0], pts).await;
    let out = read(s, &runs, DownsampleAxis::Step, 100, None).await;
    let p = &out[0].points;
    assert_eq!(out[0].total_points, 300);
    assert!(p.len() <= 5, "one step = one bucket: {}", p.len());
    assert_ordered_unique(p);
    assert_eq!(p.first().map(|x| x.timestamp), Some(T0), "first logged");
    assert_eq!(p.last().map(|x| x.timestamp), Some(T0 + 299), "last logged");
    assert!(p.iter().any(|x| x.value == 0.0));
    assert!(p.iter().any(|x| x.value == 299.0));
}

pub async fn downsample_values_are_exact(store: Arc<dyn TrackingStore>) {
    let s = &*store;
    let runs = setup(s, &["r1"]).await;
    let values = [
        0.1,
        1.0 / 3.0,
        5e-324,
        -2.2250738585072014e-308,
        f64::MAX,
        f64::MIN,
        123_456_789.123_456_78,
        -0.0,
    ];
    // Each value is its bucket's only point, so it is that bucket's min and max.
    let pts = values
        .iter()
        .enumerate()
        .map(|(i, v)| {
            Metric::new(
                "m",
                *v,
                i64::MAX - 10 + i as i64,
                i64::MIN + i as i64 * 1000,
            )
        })
        .collect();
    log(s, &runs[0], pts).await;
    let out = read(s, &runs, DownsampleAxis::Step, 8, None).await;
    let got: Vec<u64> = out[0].points.iter().map(|p| p.value.to_bits()).collect();
    let want: Vec<u64> = values.iter().map(|v| v.to_bits()).collect();
    assert_eq!(out[0].points.len(), values.len());
    for (i, (g, w)) in got.iter().zip(&want).enumerate() {
        // -0.0 may come back as 0.0 (SQL engines do not all keep the sign of zero).
        let same = g == w || (values[i] == 0.0 && f64::from_bits(*g) == 0.0);
        assert!(
            same,
            "value {} came back as {}",
            values[i],
            f64::from_bits(*g)
        );
    }
    let steps: Vec<i64> = out[0].points.iter().map(|p| p.step).collect();
    assert_eq!(steps[0], i64::MIN, "extreme steps survive");
    assert_eq!(out[0].points[7].timestamp, i64::MAX - 3);
}
