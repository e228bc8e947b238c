//! The backend conformance suite: the [`TrackingStore`] contract as executable checks.
//!
//! Every backend must behave identically, or the server's behaviour would depend on the
//! database chosen. Each check is a public async function taking a fresh, empty store; the
//! [`tracking_store_conformance!`](crate::tracking_store_conformance) macro expands them into
//! `#[tokio::test]`s for a backend, given a factory. Checks panic with a message on failure.

use crate::{
    BulkIntervalQuery, ExperimentQuery, HistoryQuery, NewExperiment, NewRun, RunQuery, RunUpdate,
    StoreError, TrackingStore,
};
use ferroflow_core::search::{
    Clause, Comparator, DatasetField, ExperimentAttribute, ExperimentKey, OrderBy, RunAttribute,
    RunKey, Value,
};
use ferroflow_core::{
    Dataset, DatasetInput, ExperimentId, LifecycleStage, Metric, ModelOutput, Param, Run, RunId,
    RunStatus, Tag, ViewType, tag_keys,
};
use std::any::Any;
use std::sync::Arc;

/// A fresh empty store plus whatever must stay alive while it is used (e.g. a temp dir).
pub struct Fixture {
    pub store: Arc<dyn TrackingStore>,
    pub guard: Box<dyn Any + Send>,
}

impl std::fmt::Debug for Fixture {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Fixture")
    }
}

/// Expands to one `#[tokio::test]` per conformance check. `$factory` is an async fn (or
/// closure) returning a [`Fixture`] holding a fresh, empty store. The calling crate needs
/// `tokio` (with `macros` and `rt-multi-thread`) as a dev-dependency.
#[macro_export]
macro_rules! tracking_store_conformance {
    ($factory:path) => {
        $crate::tracking_store_conformance!(@tests $factory;
            experiments_crud, experiment_lifecycle_cascades, runs_crud_and_lifecycle,
            params_are_immutable_and_batches_atomic, metric_values_round_trip,
            latest_metric_rules, duplicate_points_are_ignored, history_pagination,
            run_lists_in_insertion_order,
            bulk_interval_sampling, inputs_and_outputs, search_runs_filters,
            search_runs_order_and_pagination, search_experiments, concurrent_writers
        );
    };
    (@tests $factory:path; $($check:ident),* $(,)?) => {
        $(
            #[::tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn $check() {
                let fixture = $factory().await;
                $crate::conformance::$check(fixture.store.clone()).await;
                drop(fixture);
            }
        )*
    };
}

const ROOT: &str = "file:///tmp/ff-artifacts";

async fn experiment(store: &dyn TrackingStore, name: &str) -> ExperimentId {
    store
        .create_experiment(NewExperiment {
            name: name.to_owned(),
            artifact_location: None,
            default_artifact_root: ROOT.to_owned(),
            tags: vec![],
            creation_time: 1000,
        })
        .await
        .expect("create_experiment")
}

fn rid(s: &str) -> RunId {
    RunId::parse(s).expect("valid run id")
}

async fn run_at(store: &dyn TrackingStore, exp: ExperimentId, id: &str, start: i64) -> RunId {
    let run_id = rid(id);
    store
        .create_run(NewRun {
            run_id: run_id.clone(),
            experiment_id: exp,
            run_name: format!("name-{id}"),
            user_id: "alice".into(),
            start_time: start,
            tags: vec![Tag::new(tag_keys::RUN_NAME, format!("name-{id}"))],
            artifact_uri: format!("{ROOT}/{exp}/{id}/artifacts"),
        })
        .await
        .expect("create_run");
    run_id
}

async fn metric(store: &dyn TrackingStore, run: &RunId, m: Metric) {
    store
        .log_batch(run, vec![m], vec![], vec![])
        .await
        .expect("log metric");
}

async fn history(store: &dyn TrackingStore, run: &RunId, key: &str) -> Vec<Metric> {
    let mut out = Vec::new();
    let mut after = None;
    loop {
        let page = store
            .get_metric_history(HistoryQuery {
                run_id: run.clone(),
                key: key.into(),
                max_results: 1000,
                after,
            })
            .await
            .expect("history");
        out.extend(page.metrics);
        match page.next {
            Some(c) => after = Some(c),
            None => return out,
        }
    }
}

fn latest<'a>(run: &'a Run, key: &str) -> Option<&'a Metric> {
    run.data.metrics.iter().find(|m| m.key == key)
}

fn tag<'a>(tags: &'a [Tag], key: &str) -> Option<&'a str> {
    tags.iter().find(|t| t.key == key).map(|t| t.value.as_str())
}

pub async fn experiments_crud(store: Arc<dyn TrackingStore>) {
    let s = &*store;
    s.ensure_default_experiment(ROOT, 5).await.unwrap();
    s.ensure_default_experiment(ROOT, 6).await.unwrap();
    let d = s.get_experiment(0).await.unwrap();
    assert_eq!(
        (d.name.as_str(), d.artifact_location.as_str()),
        ("Default", "file:///tmp/ff-artifacts/0")
    );
    assert_eq!(d.lifecycle_stage, LifecycleStage::Active);

    let id = s
        .create_experiment(NewExperiment {
            name: "exp a".into(),
            artifact_location: None,
            default_artifact_root: ROOT.into(),
            tags: vec![Tag::new("t1", "v1")],
            creation_time: 1234,
        })
        .await
        .unwrap();
    assert_ne!(id, 0);
    let e = s.get_experiment(id).await.unwrap();
    assert_eq!(e.artifact_location, format!("{ROOT}/{id}"));
    assert_eq!((e.creation_time, e.last_update_time), (1234, 1234));
    assert_eq!(e.tags, vec![Tag::new("t1", "v1")]);

    let explicit = s
        .create_experiment(NewExperiment {
            name: "exp b".into(),
            artifact_location: Some("s3://bucket/x".into()),
            default_artifact_root: ROOT.into(),
            tags: vec![],
            creation_time: 1,
        })
        .await
        .unwrap();
    assert_ne!(explicit, id);
    assert_eq!(
        s.get_experiment(explicit).await.unwrap().artifact_location,
        "s3://bucket/x"
    );

    let dup = s
        .create_experiment(NewExperiment {
            name: "exp a".into(),
            artifact_location: None,
            default_artifact_root: ROOT.into(),
            tags: vec![],
            creation_time: 1,
        })
        .await;
    assert!(matches!(dup, Err(StoreError::AlreadyExists(_))), "{dup:?}");

    assert_eq!(
        s.get_experiment_by_name("exp a")
            .await
            .unwrap()
            .map(|e| e.experiment_id),
        Some(id)
    );
    assert!(
        s.get_experiment_by_name("EXP A").await.unwrap().is_none(),
        "names are case-sensitive"
    );
    assert!(matches!(
        s.get_experiment(987_654).await,
        Err(StoreError::NotFound(_))
    ));

    s.set_experiment_tag(id, Tag::new("t1", "v2"))
        .await
        .unwrap();
    s.set_experiment_tag(id, Tag::new("t2", "x")).await.unwrap();
    let e = s.get_experiment(id).await.unwrap();
    assert_eq!(tag(&e.tags, "t1"), Some("v2"));
    assert_eq!(e.tags.len(), 2);
    s.delete_experiment_tag(id, "t2").await.unwrap();
    assert!(matches!(
        s.delete_experiment_tag(id, "t2").await,
        Err(StoreError::NotFound(_))
    ));
    assert!(matches!(
        s.set_experiment_tag(424_242, Tag::new("a", "b")).await,
        Err(StoreError::NotFound(_))
    ));

    s.rename_experiment(id, "renamed", 2000).await.unwrap();
    let e = s.get_experiment(id).await.unwrap();
    assert_eq!((e.name.as_str(), e.last_update_time), ("renamed", 2000));
    assert!(s.get_experiment_by_name("exp a").await.unwrap().is_none());
    assert!(matches!(
        s.rename_experiment(id, "exp b", 1).await,
        Err(StoreError::AlreadyExists(_))
    ));
    assert!(matches!(
        s.rename_experiment(55_555, "zzz", 1).await,
        Err(StoreError::NotFound(_))
    ));
}

pub async fn experiment_lifecycle_cascades(store: Arc<dyn TrackingStore>) {
    let s = &*store;
    let exp = experiment(s, "cascade").await;
    let r1 = run_at(s, exp, "r1", 10).await;
    let r2 = run_at(s, exp, "r2", 20).await;
    s.set_run_lifecycle(&r2, LifecycleStage::Deleted)
        .await
        .unwrap();

    s.set_experiment_lifecycle(exp, LifecycleStage::Deleted, 3000)
        .await
        .unwrap();
    let e = s.get_experiment(exp).await.unwrap();
    assert_eq!(
        (e.lifecycle_stage, e.last_update_time),
        (LifecycleStage::Deleted, 3000)
    );
    assert_eq!(
        s.get_run(&r1).await.unwrap().info.lifecycle_stage,
        LifecycleStage::Deleted
    );
    let by_name = s
        .get_experiment_by_name("cascade")
        .await
        .unwrap()
        .expect("deleted still found by name");
    assert_eq!(by_name.lifecycle_stage, LifecycleStage::Deleted);
    let again = s
        .create_experiment(NewExperiment {
            name: "cascade".into(),
            artifact_location: None,
            default_artifact_root: ROOT.into(),
            tags: vec![],
            creation_time: 1,
        })
        .await;
    assert!(
        matches!(again, Err(StoreError::AlreadyExists(_))),
        "deleted names stay taken"
    );

    s.set_experiment_lifecycle(exp, LifecycleStage::Active, 4000)
        .await
        .unwrap();
    assert_eq!(
        s.get_experiment(exp).await.unwrap().lifecycle_stage,
        LifecycleStage::Active
    );
    for r in [&r1, &r2] {
        assert_eq!(
            s.get_run(r).await.unwrap().info.lifecycle_stage,
            LifecycleStage::Active
        );
    }
    assert!(matches!(
        s.set_experiment_lifecycle(777_777, LifecycleStage::Deleted, 1)
            .await,
        Err(StoreError::NotFound(_))
    ));
}

pub async fn runs_crud_and_lifecycle(store: Arc<dyn TrackingStore>) {
    let s = &*store;
    let exp = experiment(s, "runs").await;
    let id = rid("0123456789abcdef0123456789abcdef");
    let created = s
        .create_run(NewRun {
            run_id: id.clone(),
            experiment_id: exp,
            run_name: "first".into(),
            user_id: "bob".into(),
            start_time: 111,
            tags: vec![Tag::new(tag_keys::RUN_NAME, "first"), Tag::new("k", "v")],
            artifact_uri: "file:///a/b/artifacts".into(),
        })
        .await
        .unwrap();
    assert_eq!(created.info.status, RunStatus::Running);
    assert_eq!(created.info.artifact_uri, "file:///a/b/artifacts");
    assert_eq!(
        (created.info.start_time, created.info.end_time),
        (111, None)
    );
    assert_eq!(tag(&created.data.tags, "k"), Some("v"));
    assert_eq!(s.get_run(&id).await.unwrap(), created);
    assert!(matches!(
        s.get_run(&rid("nope")).await,
        Err(StoreError::NotFound(_))
    ));

    let info = s
        .update_run_info(
            &id,
            RunUpdate {
                status: Some(RunStatus::Finished),
                end_time: Some(222),
                run_name: Some("second".into()),
            },
        )
        .await
        .unwrap();
    assert_eq!(
        (info.status, info.end_time, info.run_name.as_str()),
        (RunStatus::Finished, Some(222), "second")
    );
    let run = s.get_run(&id).await.unwrap();
    assert_eq!(tag(&run.data.tags, tag_keys::RUN_NAME), Some("second"));
    let info = s
        .update_run_info(
            &id,
            RunUpdate {
                status: Some(RunStatus::Failed),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(
        (info.status, info.end_time, info.run_name.as_str()),
        (RunStatus::Failed, Some(222), "second")
    );

    // Setting the runName tag renames the run.
    s.log_batch(
        &id,
        vec![],
        vec![],
        vec![Tag::new(tag_keys::RUN_NAME, "third")],
    )
    .await
    .unwrap();
    assert_eq!(s.get_run(&id).await.unwrap().info.run_name, "third");

    s.delete_run_tag(&id, "k").await.unwrap();
    assert!(matches!(
        s.delete_run_tag(&id, "k").await,
        Err(StoreError::NotFound(_))
    ));

    s.set_run_lifecycle(&id, LifecycleStage::Deleted)
        .await
        .unwrap();
    assert_eq!(
        s.get_run(&id).await.unwrap().info.lifecycle_stage,
        LifecycleStage::Deleted
    );
    let expected = format!("The run {id} must be in the 'active' state. Current state is deleted.");
    let writes: Vec<Result<(), StoreError>> = vec![
        s.log_batch(&id, vec![Metric::new("m", 1.0, 1, 0)], vec![], vec![])
            .await,
        s.log_batch(&id, vec![], vec![Param::new("p", "1")], vec![])
            .await,
        s.log_batch(&id, vec![], vec![], vec![Tag::new("t", "1")])
            .await,
        s.update_run_info(&id, RunUpdate::default())
            .await
            .map(|_| ()),
        s.delete_run_tag(&id, "x").await,
        s.log_outputs(
            &id,
            vec![ModelOutput {
                model_id: "m-1".into(),
                step: 0,
            }],
        )
        .await,
        s.log_inputs(&id, vec![], vec!["m-2".into()]).await,
    ];
    for w in writes {
        match w {
            Err(StoreError::Invalid(msg)) => assert_eq!(msg, expected),
            other => panic!("write to a deleted run: expected Invalid, got {other:?}"),
        }
    }
    s.set_run_lifecycle(&id, LifecycleStage::Active)
        .await
        .unwrap();
    s.log_batch(&id, vec![], vec![], vec![Tag::new("t", "1")])
        .await
        .unwrap();
    assert!(matches!(
        s.set_run_lifecycle(&rid("ghost"), LifecycleStage::Deleted)
            .await,
        Err(StoreError::NotFound(_))
    ));

    // A run cannot be created in a deleted experiment.
    let gone = experiment(s, "gone").await;
    s.set_experiment_lifecycle(gone, LifecycleStage::Deleted, 1)
        .await
        .unwrap();
    let r = s
        .create_run(NewRun {
            run_id: rid("in-deleted"),
            experiment_id: gone,
            run_name: "x".into(),
            user_id: "u".into(),
            start_time: 1,
            tags: vec![],
            artifact_uri: "a".into(),
        })
        .await;
    assert!(r.is_err(), "{r:?}");
}

pub async fn params_are_immutable_and_batches_atomic(store: Arc<dyn TrackingStore>) {
    let s = &*store;
    let exp = experiment(s, "params").await;
    let run = run_at(s, exp, "p1", 1).await;
    s.log_batch(&run, vec![], vec![Param::new("lr", "0.1")], vec![])
        .await
        .unwrap();
    s.log_batch(&run, vec![], vec![Param::new("lr", "0.1")], vec![])
        .await
        .unwrap();
    let err = s
        .log_batch(
            &run,
            vec![Metric::new("loss", 1.0, 5, 0)],
            vec![Param::new("new", "x"), Param::new("lr", "0.2")],
            vec![Tag::new("should", "not exist")],
        )
        .await;
    match err {
        Err(StoreError::Invalid(msg)) => assert_eq!(
            msg,
            format!(
                "Changing param values is not allowed. Param with key='lr' was already logged with value='0.1' for run ID='{run}'. Attempted logging new value '0.2'."
            )
        ),
        other => panic!("expected Invalid, got {other:?}"),
    }
    let r = s.get_run(&run).await.unwrap();
    assert_eq!(
        r.data.params,
        vec![Param::new("lr", "0.1")],
        "failed batch wrote params"
    );
    assert!(r.data.metrics.is_empty(), "failed batch wrote metrics");
    assert!(
        tag(&r.data.tags, "should").is_none(),
        "failed batch wrote tags"
    );
    assert!(history(s, &run, "loss").await.is_empty());
    // Tags are upserts.
    s.log_batch(&run, vec![], vec![], vec![Tag::new("t", "1")])
        .await
        .unwrap();
    s.log_batch(&run, vec![], vec![], vec![Tag::new("t", "2")])
        .await
        .unwrap();
    assert_eq!(
        tag(&s.get_run(&run).await.unwrap().data.tags, "t"),
        Some("2")
    );
}

pub async fn metric_values_round_trip(store: Arc<dyn TrackingStore>) {
    let s = &*store;
    let exp = experiment(s, "values").await;
    let run = run_at(s, exp, "v1", 1).await;
    let values = [f64::NAN, f64::INFINITY, f64::NEG_INFINITY, -0.5, 1e300, 0.0];
    let mut batch = Vec::new();
    for (i, v) in values.iter().enumerate() {
        let mut m = Metric::new(format!("k{i}"), *v, 10, 3);
        m.model_id = Some("model-1".into());
        m.dataset_name = Some("ds".into());
        m.dataset_digest = Some("abc".into());
        batch.push(m);
    }
    s.log_batch(&run, batch.clone(), vec![], vec![])
        .await
        .unwrap();
    let r = s.get_run(&run).await.unwrap();
    for (i, v) in values.iter().enumerate() {
        let key = format!("k{i}");
        let got = &history(s, &run, &key).await[0];
        let l = latest(&r, &key).expect("latest present");
        for m in [got, l] {
            assert!(
                m.value.to_bits() == v.to_bits()
                    || (v.is_nan() && m.value.is_nan())
                    || (*v == 0.0 && m.value == 0.0),
                "{key}: stored {v} read {}",
                m.value
            );
            assert_eq!((m.timestamp, m.step), (10, 3));
            assert_eq!(m.model_id.as_deref(), Some("model-1"));
            assert_eq!(
                (m.dataset_name.as_deref(), m.dataset_digest.as_deref()),
                (Some("ds"), Some("abc"))
            );
        }
    }
}

pub async fn latest_metric_rules(store: Arc<dyn TrackingStore>) {
    let s = &*store;
    let exp = experiment(s, "latest").await;
    let run = run_at(s, exp, "l1", 1).await;
    let get = |k: &'static str| {
        let run = run.clone();
        async move { latest(&s.get_run(&run).await.unwrap(), k).cloned().unwrap() }
    };
    // Higher step wins even with an older timestamp.
    metric(s, &run, Metric::new("a", 1.0, 100, 1)).await;
    metric(s, &run, Metric::new("a", 2.0, 50, 2)).await;
    metric(s, &run, Metric::new("a", 3.0, 500, 1)).await;
    assert_eq!(get("a").await.value, 2.0);
    // Same step: the later timestamp wins.
    metric(s, &run, Metric::new("b", 5.0, 10, 0)).await;
    metric(s, &run, Metric::new("b", 4.0, 11, 0)).await;
    metric(s, &run, Metric::new("b", 9.0, 9, 0)).await;
    assert_eq!(get("b").await.value, 4.0);
    // Same step and timestamp: the larger value wins.
    metric(s, &run, Metric::new("c", 1.0, 10, 0)).await;
    metric(s, &run, Metric::new("c", 7.0, 10, 0)).await;
    metric(s, &run, Metric::new("c", 3.0, 10, 0)).await;
    assert_eq!(get("c").await.value, 7.0);
    // Within one batch too.
    s.log_batch(
        &run,
        vec![
            Metric::new("d", 1.0, 1, 5),
            Metric::new("d", 8.0, 1, 6),
            Metric::new("d", 2.0, 9, 4),
        ],
        vec![],
        vec![],
    )
    .await
    .unwrap();
    let d = get("d").await;
    assert_eq!((d.value, d.step), (8.0, 6));
    assert_eq!(
        history(s, &run, "a").await.len(),
        3,
        "history keeps every point"
    );
}

pub async fn duplicate_points_are_ignored(store: Arc<dyn TrackingStore>) {
    let s = &*store;
    let exp = experiment(s, "dups").await;
    let run = run_at(s, exp, "d1", 1).await;
    let m = Metric::new("x", 1.5, 10, 1);
    s.log_batch(&run, vec![m.clone(), m.clone()], vec![], vec![])
        .await
        .unwrap();
    s.log_batch(
        &run,
        vec![m.clone(), Metric::new("x", f64::NAN, 10, 1)],
        vec![],
        vec![],
    )
    .await
    .unwrap();
    s.log_batch(
        &run,
        vec![Metric::new("x", f64::NAN, 10, 1)],
        vec![],
        vec![],
    )
    .await
    .unwrap();
    let h = history(s, &run, "x").await;
    assert_eq!(h.len(), 2, "{h:?}");
    assert_eq!(h.iter().filter(|m| m.value == 1.5).count(), 1);
    assert_eq!(h.iter().filter(|m| m.value.is_nan()).count(), 1);
}

pub async fn history_pagination(store: Arc<dyn TrackingStore>) {
    let s = &*store;
    let exp = experiment(s, "hist").await;
    let run = run_at(s, exp, "h1", 1).await;
    let other = run_at(s, exp, "h2", 1).await;
    // Logged out of order; several points share a step.
    let mut pts: Vec<Metric> = (0..25)
        .rev()
        .map(|i| Metric::new("m", f64::from(i), 1000 - i64::from(i), i64::from(i / 2)))
        .collect();
    pts.push(Metric::new("m", f64::NAN, 5, 0));
    s.log_batch(&run, pts, vec![], vec![]).await.unwrap();
    s.log_batch(&other, vec![Metric::new("m", 99.0, 1, 0)], vec![], vec![])
        .await
        .unwrap();

    let mut pages = Vec::new();
    let mut after = None;
    loop {
        let p = s
            .get_metric_history(HistoryQuery {
                run_id: run.clone(),
                key: "m".into(),
                max_results: 10,
                after: after.clone(),
            })
            .await
            .unwrap();
        pages.push(p.metrics.len());
        assert!(pages.len() < 10, "pagination does not terminate");
        match p.next {
            Some(c) => {
                let last = p.metrics.last().unwrap();
                assert_eq!((c.step, c.timestamp), (last.step, last.timestamp));
                after = Some(c);
            }
            None => break,
        }
    }
    assert_eq!(pages, vec![10, 10, 6]);
    let all = history(s, &run, "m").await;
    assert_eq!(all.len(), 26);
    for w in all.windows(2) {
        assert!(
            (w[0].timestamp, w[0].step) <= (w[1].timestamp, w[1].step),
            "ordered by (timestamp, step) as MLflow orders a history"
        );
    }
    assert_eq!(all.iter().filter(|m| m.value.is_nan()).count(), 1);
    assert!(history(s, &run, "absent").await.is_empty());
    // MLflow answers an unknown run's history with an empty list, not an error.
    let missing = s
        .get_metric_history(HistoryQuery {
            run_id: rid("no-such-run"),
            key: "m".into(),
            max_results: 5,
            after: None,
        })
        .await
        .expect("history of an unknown run");
    assert!(missing.metrics.is_empty() && missing.next.is_none());
}

/// A run lists its latest metrics, params and tags in the order their keys were first logged
/// (MLflow's order), across batches and within one.
pub async fn run_lists_in_insertion_order(store: Arc<dyn TrackingStore>) {
    let s = &*store;
    let exp = experiment(s, "order").await;
    let run = run_at(s, exp, "o1", 1).await;
    let batch = |keys: &[&str], ts: i64| {
        keys.iter()
            .map(|k| Metric::new(*k, 1.0, ts, 0))
            .collect::<Vec<_>>()
    };
    s.log_batch(&run, batch(&["b", "a", "c", "a"], 1), vec![], vec![])
        .await
        .unwrap();
    s.log_batch(&run, batch(&["z", "a", "m"], 2), vec![], vec![])
        .await
        .unwrap();
    let ps = |keys: &[&str]| keys.iter().map(|k| Param::new(*k, "v")).collect::<Vec<_>>();
    let ts = |keys: &[&str]| keys.iter().map(|k| Tag::new(*k, "v")).collect::<Vec<_>>();
    s.log_batch(&run, vec![], ps(&["zp", "ap"]), ts(&["zt", "at"]))
        .await
        .unwrap();
    s.log_batch(&run, vec![], ps(&["mp"]), ts(&["mt", "zt"]))
        .await
        .unwrap();
    let got = s.get_run(&run).await.unwrap();
    let keys: Vec<&str> = got.data.metrics.iter().map(|m| m.key.as_str()).collect();
    assert_eq!(keys, ["b", "a", "c", "z", "m"]);
    assert_eq!(got.data.metrics[1].timestamp, 2, "a's latest point");
    let params: Vec<&str> = got.data.params.iter().map(|p| p.key.as_str()).collect();
    assert_eq!(params, ["zp", "ap", "mp"]);
    // Overwriting a tag keeps its place.
    let tags: Vec<&str> = got
        .data
        .tags
        .iter()
        .map(|t| t.key.as_str())
        .filter(|k| !k.starts_with("mlflow."))
        .collect();
    assert_eq!(tags, ["zt", "at", "mt"]);
}

pub async fn bulk_interval_sampling(store: Arc<dyn TrackingStore>) {
    let s = &*store;
    let exp = experiment(s, "bulk").await;
    let a = run_at(s, exp, "ba", 1).await;
    let b = run_at(s, exp, "bb", 1).await;
    let pts: Vec<Metric> = (0..1000)
        .map(|i| Metric::new("loss", f64::from(i), i64::from(i), i64::from(i)))
        .collect();
    for chunk in pts.chunks(500) {
        s.log_batch(&a, chunk.to_vec(), vec![], vec![])
            .await
            .unwrap();
    }
    s.log_batch(
        &b,
        (0..5).map(|i| Metric::new("loss", 1.0, i, i)).collect(),
        vec![],
        vec![],
    )
    .await
    .unwrap();

    let q = |runs: Vec<RunId>, steps, max| BulkIntervalQuery {
        run_ids: runs,
        key: "loss".into(),
        steps,
        max_results: max,
    };
    let out = s
        .get_metric_history_bulk_interval(q(vec![b.clone(), a.clone()], None, 100))
        .await
        .unwrap();
    let (ob, oa): (Vec<_>, Vec<_>) = out.iter().partition(|m| m.run_id == b);
    assert_eq!(ob.len(), 5, "fewer points than max_results: all returned");
    assert_eq!(out[0].run_id, b, "runs in the order given");
    assert_eq!(oa.len(), 100);
    let steps: Vec<i64> = oa.iter().map(|m| m.metric.step).collect();
    assert_eq!(steps[0], 0, "first point kept");
    assert_eq!(*steps.last().unwrap(), 999, "last point kept");
    assert!(steps.windows(2).all(|w| w[0] < w[1]), "ordered by step");
    // Evenly spread by position: buckets of 10 rows, first of each.
    assert_eq!(steps[1], 10);
    assert_eq!(steps[50], 500);

    let ranged = s
        .get_metric_history_bulk_interval(q(vec![a.clone()], Some((100, 199)), 10))
        .await
        .unwrap();
    let steps: Vec<i64> = ranged.iter().map(|m| m.metric.step).collect();
    assert_eq!(steps.len(), 10);
    assert_eq!((steps[0], *steps.last().unwrap()), (100, 199));
    assert!(steps.iter().all(|s| (100..=199).contains(s)));

    let one = s
        .get_metric_history_bulk_interval(q(vec![a.clone()], None, 1))
        .await
        .unwrap();
    assert_eq!(
        one.iter().map(|m| m.metric.step).collect::<Vec<_>>(),
        vec![999],
        "max 1 = the last point"
    );

    // Many points on one step are still bounded.
    let c = run_at(s, exp, "bc", 1).await;
    s.log_batch(
        &c,
        (0..300)
            .map(|i| Metric::new("loss", f64::from(i), i64::from(i), 0))
            .collect(),
        vec![],
        vec![],
    )
    .await
    .unwrap();
    let same = s
        .get_metric_history_bulk_interval(q(vec![c.clone()], None, 32))
        .await
        .unwrap();
    assert_eq!(same.len(), 32);
    assert_eq!(same.last().unwrap().metric.value, 299.0);

    let missing = s
        .get_metric_history_bulk_interval(q(vec![rid("missing-run")], None, 10))
        .await;
    assert!(
        matches!(missing, Err(StoreError::NotFound(_))),
        "{missing:?}"
    );
}

pub async fn inputs_and_outputs(store: Arc<dyn TrackingStore>) {
    let s = &*store;
    let exp = experiment(s, "io").await;
    let r1 = run_at(s, exp, "io1", 1).await;
    let r2 = run_at(s, exp, "io2", 2).await;
    let ds = |name: &str, digest: &str| Dataset {
        name: name.into(),
        digest: digest.into(),
        source_type: "local".into(),
        source: "{\"uri\": \"x\"}".into(),
        schema: Some("{\"mlflow_colspec\": []}".into()),
        profile: None,
    };
    let input = |d: Dataset, ctx: &str| DatasetInput {
        tags: vec![Tag::new(tag_keys::DATASET_CONTEXT, ctx)],
        dataset: d,
    };
    s.log_inputs(
        &r1,
        vec![
            input(ds("train", "d1"), "training"),
            input(ds("eval", "d2"), "eval"),
        ],
        vec!["m-in".into()],
    )
    .await
    .unwrap();
    // Same dataset again (also from another run) is not duplicated.
    s.log_inputs(
        &r1,
        vec![input(ds("train", "d1"), "training")],
        vec!["m-in".into()],
    )
    .await
    .unwrap();
    s.log_inputs(&r2, vec![input(ds("train", "d1"), "training")], vec![])
        .await
        .unwrap();
    s.log_outputs(
        &r1,
        vec![ModelOutput {
            model_id: "m-out".into(),
            step: 3,
        }],
    )
    .await
    .unwrap();

    let run = s.get_run(&r1).await.unwrap();
    assert_eq!(run.inputs.dataset_inputs.len(), 2);
    assert_eq!(run.inputs.dataset_inputs[0].dataset, ds("train", "d1"));
    assert_eq!(
        tag(
            &run.inputs.dataset_inputs[0].tags,
            tag_keys::DATASET_CONTEXT
        ),
        Some("training")
    );
    assert_eq!(
        tag(
            &run.inputs.dataset_inputs[1].tags,
            tag_keys::DATASET_CONTEXT
        ),
        Some("eval")
    );
    assert_eq!(run.inputs.model_inputs, vec!["m-in".to_owned()]);
    assert_eq!(
        run.outputs.model_outputs,
        vec![ModelOutput {
            model_id: "m-out".into(),
            step: 3
        }]
    );
    assert_eq!(s.get_run(&r2).await.unwrap().inputs.dataset_inputs.len(), 1);
}

fn rq(exp: ExperimentId, filter: Vec<Clause<RunKey>>) -> RunQuery {
    RunQuery {
        experiment_ids: vec![exp],
        filter,
        order_by: vec![],
        view_type: ViewType::ActiveOnly,
        max_results: 1000,
        offset: 0,
    }
}

fn clause<K>(key: K, op: Comparator, value: Value) -> Clause<K> {
    Clause { key, op, value }
}

fn str_v(s: &str) -> Value {
    Value::String(s.into())
}

async fn ids(s: &dyn TrackingStore, q: RunQuery) -> Vec<String> {
    let mut v: Vec<String> = s
        .search_runs(q)
        .await
        .unwrap()
        .items
        .into_iter()
        .map(|r| r.info.run_id.into_string())
        .collect();
    v.sort();
    v
}

pub async fn search_runs_filters(store: Arc<dyn TrackingStore>) {
    let s = &*store;
    let exp = experiment(s, "search").await;
    let other = experiment(s, "elsewhere").await;
    let r1 = run_at(s, exp, "s1", 100).await;
    let r2 = run_at(s, exp, "s2", 200).await;
    let r3 = run_at(s, exp, "s3", 300).await;
    let _r4 = run_at(s, other, "s4", 400).await;
    s.log_batch(
        &r1,
        vec![Metric::new("acc", 0.5, 1, 0), Metric::new("acc", 0.9, 1, 1)],
        vec![Param::new("alpha", "0.5")],
        vec![Tag::new("team", "Vision")],
    )
    .await
    .unwrap();
    s.log_batch(
        &r2,
        vec![Metric::new("acc", 0.7, 1, 0), Metric::new("acc", 0.1, 2, 0)],
        vec![Param::new("alpha", "1.0")],
        vec![Tag::new("team", "vision-x")],
    )
    .await
    .unwrap();
    s.log_batch(
        &r3,
        vec![Metric::new("acc", f64::NAN, 1, 0)],
        vec![],
        vec![],
    )
    .await
    .unwrap();
    s.update_run_info(
        &r2,
        RunUpdate {
            status: Some(RunStatus::Finished),
            end_time: Some(250),
            run_name: None,
        },
    )
    .await
    .unwrap();
    let ds = DatasetInput {
        tags: vec![Tag::new(tag_keys::DATASET_CONTEXT, "training")],
        dataset: Dataset {
            name: "Digits".into(),
            digest: "abc123".into(),
            source_type: "code".into(),
            source: "{}".into(),
            schema: None,
            profile: None,
        },
    };
    s.log_inputs(&r1, vec![ds], vec![]).await.unwrap();

    let m = |op, v: f64| clause(RunKey::Metric("acc".into()), op, Value::Number(v));
    let cases: Vec<(Vec<Clause<RunKey>>, Vec<&str>)> = vec![
        (vec![], vec!["s1", "s2", "s3"]),
        // Metrics compare the latest value: s1 = 0.9, s2 = 0.1, s3 = NaN.
        (vec![m(Comparator::Gt, 0.5)], vec!["s1"]),
        (vec![m(Comparator::Ge, 0.9)], vec!["s1"]),
        (vec![m(Comparator::Lt, 0.5)], vec!["s2"]),
        (vec![m(Comparator::Le, 0.1)], vec!["s2"]),
        (vec![m(Comparator::Eq, 0.9)], vec!["s1"]),
        (vec![m(Comparator::Ne, 0.9)], vec!["s2", "s3"]),
        (vec![m(Comparator::Eq, 0.0)], vec![]),
        (
            vec![clause(
                RunKey::Metric("missing".into()),
                Comparator::Ne,
                Value::Number(1.0),
            )],
            vec![],
        ),
        (
            vec![clause(
                RunKey::Param("alpha".into()),
                Comparator::Eq,
                str_v("0.5"),
            )],
            vec!["s1"],
        ),
        (
            vec![clause(
                RunKey::Param("alpha".into()),
                Comparator::Ne,
                str_v("0.5"),
            )],
            vec!["s2"],
        ),
        (
            vec![clause(
                RunKey::Param("alpha".into()),
                Comparator::Like,
                str_v("%.0"),
            )],
            vec!["s2"],
        ),
        (
            vec![clause(
                RunKey::Param("alpha".into()),
                Comparator::IsNull,
                Value::None,
            )],
            vec!["s3"],
        ),
        (
            vec![clause(
                RunKey::Param("alpha".into()),
                Comparator::IsNotNull,
                Value::None,
            )],
            vec!["s1", "s2"],
        ),
        (
            vec![clause(
                RunKey::Tag("team".into()),
                Comparator::Like,
                str_v("vision%"),
            )],
            vec!["s2"],
        ),
        (
            vec![clause(
                RunKey::Tag("team".into()),
                Comparator::Like,
                str_v("V_sion"),
            )],
            vec!["s1"],
        ),
        (
            vec![clause(
                RunKey::Tag("team".into()),
                Comparator::ILike,
                str_v("VISION%"),
            )],
            vec!["s1", "s2"],
        ),
        (
            vec![clause(
                RunKey::Tag("team".into()),
                Comparator::Eq,
                str_v("vision"),
            )],
            vec![],
        ),
        (
            vec![clause(
                RunKey::Tag("team".into()),
                Comparator::Like,
                str_v("vision-*"),
            )],
            vec![],
        ),
        (
            vec![clause(
                RunKey::Tag(tag_keys::RUN_NAME.into()),
                Comparator::Eq,
                str_v("name-s3"),
            )],
            vec!["s3"],
        ),
        (
            vec![clause(
                RunKey::Attribute(RunAttribute::Status),
                Comparator::Eq,
                str_v("FINISHED"),
            )],
            vec!["s2"],
        ),
        (
            vec![clause(
                RunKey::Attribute(RunAttribute::Status),
                Comparator::Ne,
                str_v("FINISHED"),
            )],
            vec!["s1", "s3"],
        ),
        (
            vec![clause(
                RunKey::Attribute(RunAttribute::RunName),
                Comparator::ILike,
                str_v("NAME-S%"),
            )],
            vec!["s1", "s2", "s3"],
        ),
        (
            vec![clause(
                RunKey::Attribute(RunAttribute::RunName),
                Comparator::Like,
                str_v("NAME-S%"),
            )],
            vec![],
        ),
        (
            vec![clause(
                RunKey::Attribute(RunAttribute::RunId),
                Comparator::In,
                Value::List(vec!["s1".into(), "s3".into(), "s4".into()]),
            )],
            vec!["s1", "s3"],
        ),
        (
            vec![clause(
                RunKey::Attribute(RunAttribute::RunId),
                Comparator::NotIn,
                Value::List(vec!["s1".into()]),
            )],
            vec!["s2", "s3"],
        ),
        (
            vec![clause(
                RunKey::Attribute(RunAttribute::UserId),
                Comparator::Eq,
                str_v("alice"),
            )],
            vec!["s1", "s2", "s3"],
        ),
        (
            vec![clause(
                RunKey::Attribute(RunAttribute::ArtifactUri),
                Comparator::Like,
                str_v("%/s2/%"),
            )],
            vec!["s2"],
        ),
        (
            vec![clause(
                RunKey::Attribute(RunAttribute::StartTime),
                Comparator::Ge,
                Value::Number(200.0),
            )],
            vec!["s2", "s3"],
        ),
        (
            vec![clause(
                RunKey::Attribute(RunAttribute::StartTime),
                Comparator::Lt,
                Value::Number(200.0),
            )],
            vec!["s1"],
        ),
        (
            vec![clause(
                RunKey::Attribute(RunAttribute::EndTime),
                Comparator::Gt,
                Value::Number(0.0),
            )],
            vec!["s2"],
        ),
        (
            vec![clause(
                RunKey::Dataset(DatasetField::Name),
                Comparator::Eq,
                str_v("Digits"),
            )],
            vec!["s1"],
        ),
        (
            vec![clause(
                RunKey::Dataset(DatasetField::Name),
                Comparator::ILike,
                str_v("digit%"),
            )],
            vec!["s1"],
        ),
        (
            vec![clause(
                RunKey::Dataset(DatasetField::Digest),
                Comparator::In,
                Value::List(vec!["abc123".into()]),
            )],
            vec!["s1"],
        ),
        (
            vec![clause(
                RunKey::Dataset(DatasetField::Context),
                Comparator::Eq,
                str_v("training"),
            )],
            vec!["s1"],
        ),
        (
            vec![clause(
                RunKey::Dataset(DatasetField::Context),
                Comparator::Ne,
                str_v("training"),
            )],
            vec![],
        ),
        // Conjunction.
        (
            vec![
                m(Comparator::Gt, 0.0),
                clause(RunKey::Param("alpha".into()), Comparator::Eq, str_v("1.0")),
            ],
            vec!["s2"],
        ),
        // Values with quotes are bound, not spliced.
        (
            vec![clause(
                RunKey::Tag("team".into()),
                Comparator::Eq,
                str_v("x' OR '1'='1"),
            )],
            vec![],
        ),
    ];
    for (filter, want) in cases {
        let desc = format!("{filter:?}");
        assert_eq!(ids(s, rq(exp, filter)).await, want, "filter {desc}");
    }

    // Several experiments; view types.
    let mut q = rq(exp, vec![]);
    q.experiment_ids = vec![exp, other];
    assert_eq!(ids(s, q.clone()).await, vec!["s1", "s2", "s3", "s4"]);
    s.set_run_lifecycle(&r3, LifecycleStage::Deleted)
        .await
        .unwrap();
    assert_eq!(ids(s, q.clone()).await, vec!["s1", "s2", "s4"]);
    q.view_type = ViewType::DeletedOnly;
    assert_eq!(ids(s, q.clone()).await, vec!["s3"]);
    q.view_type = ViewType::All;
    assert_eq!(ids(s, q).await, vec!["s1", "s2", "s3", "s4"]);

    // Search results carry full run data.
    let page = s
        .search_runs(rq(exp, vec![m(Comparator::Gt, 0.5)]))
        .await
        .unwrap();
    let run = &page.items[0];
    assert_eq!(latest(run, "acc").map(|m| m.value), Some(0.9));
    assert_eq!(run.data.params, vec![Param::new("alpha", "0.5")]);
    assert_eq!(run.inputs.dataset_inputs.len(), 1);
}

pub async fn search_runs_order_and_pagination(store: Arc<dyn TrackingStore>) {
    let s = &*store;
    let exp = experiment(s, "order").await;
    // start times: o1=100, o2=300, o3=200, o4=300 (tie with o2), o5=50 (no metric/param).
    let mut runs = Vec::new();
    for (id, start) in [
        ("o1", 100),
        ("o2", 300),
        ("o3", 200),
        ("o4", 300),
        ("o5", 50),
    ] {
        runs.push(run_at(s, exp, id, start).await);
    }
    let vals = [Some(3.0), Some(1.0), Some(f64::NAN), Some(2.0), None];
    for (r, v) in runs.iter().zip(vals) {
        if let Some(v) = v {
            s.log_batch(
                r,
                vec![Metric::new("m", v, 1, 0)],
                vec![Param::new("p", format!("{v}"))],
                vec![],
            )
            .await
            .unwrap();
        }
    }
    let order = |key: RunKey, asc: bool| {
        vec![OrderBy {
            key,
            ascending: asc,
        }]
    };
    let list = |q: RunQuery| async move {
        s.search_runs(q)
            .await
            .unwrap()
            .items
            .into_iter()
            .map(|r| r.info.run_id.into_string())
            .collect::<Vec<_>>()
    };
    // Default: start_time DESC, then run_id ASC.
    assert_eq!(
        list(rq(exp, vec![])).await,
        vec!["o2", "o4", "o3", "o1", "o5"]
    );
    let mut q = rq(exp, vec![]);
    q.order_by = order(RunKey::Metric("m".into()), true);
    assert_eq!(
        list(q.clone()).await,
        vec!["o2", "o4", "o1", "o3", "o5"],
        "real values, then NaN, then missing"
    );
    q.order_by = order(RunKey::Metric("m".into()), false);
    assert_eq!(
        list(q.clone()).await,
        vec!["o1", "o4", "o2", "o3", "o5"],
        "missing last in DESC too"
    );
    q.order_by = order(RunKey::Param("p".into()), false);
    assert_eq!(list(q.clone()).await, vec!["o3", "o1", "o4", "o2", "o5"]);
    q.order_by = order(RunKey::Attribute(RunAttribute::StartTime), true);
    assert_eq!(list(q.clone()).await, vec!["o5", "o1", "o3", "o2", "o4"]);
    q.order_by = order(RunKey::Attribute(RunAttribute::RunName), false);
    assert_eq!(list(q.clone()).await, vec!["o5", "o4", "o3", "o2", "o1"]);
    s.update_run_info(
        &runs[2],
        RunUpdate {
            end_time: Some(7),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    q.order_by = order(RunKey::Attribute(RunAttribute::EndTime), false);
    assert_eq!(
        list(q.clone()).await[0],
        "o3",
        "missing end_time sorts last"
    );
    q.order_by = vec![
        OrderBy {
            key: RunKey::Attribute(RunAttribute::UserId),
            ascending: true,
        },
        OrderBy {
            key: RunKey::Attribute(RunAttribute::StartTime),
            ascending: true,
        },
    ];
    assert_eq!(list(q).await, vec!["o5", "o1", "o3", "o2", "o4"]);

    // Offset pagination over the default order.
    let mut seen = Vec::new();
    let mut q = rq(exp, vec![]);
    q.max_results = 2;
    loop {
        let page = s.search_runs(q.clone()).await.unwrap();
        assert!(page.items.len() <= 2);
        seen.extend(page.items.into_iter().map(|r| r.info.run_id.into_string()));
        match page.next_offset {
            Some(o) => q.offset = o,
            None => break,
        }
    }
    assert_eq!(seen, vec!["o2", "o4", "o3", "o1", "o5"]);
    q.offset = 0;
    q.max_results = 5;
    assert_eq!(
        s.search_runs(q.clone()).await.unwrap().next_offset,
        None,
        "exact fit has no next page"
    );
    q.max_results = 4;
    assert_eq!(s.search_runs(q).await.unwrap().next_offset, Some(4));
}

pub async fn search_experiments(store: Arc<dyn TrackingStore>) {
    let s = &*store;
    let mut made = Vec::new();
    for (name, t) in [("alpha", 10), ("Beta", 30), ("gamma", 20)] {
        let id = s
            .create_experiment(NewExperiment {
                name: name.into(),
                artifact_location: None,
                default_artifact_root: ROOT.into(),
                tags: if name == "alpha" {
                    vec![Tag::new("owner", "Ann")]
                } else {
                    vec![]
                },
                creation_time: t,
            })
            .await
            .unwrap();
        made.push(id);
    }
    let q = |filter: Vec<Clause<ExperimentKey>>, order_by: Vec<OrderBy<ExperimentKey>>| {
        ExperimentQuery {
            filter,
            order_by,
            view_type: ViewType::ActiveOnly,
            max_results: 100,
            offset: 0,
        }
    };
    let names = |q: ExperimentQuery| async move {
        s.search_experiments(q)
            .await
            .unwrap()
            .items
            .into_iter()
            .map(|e| e.name)
            .collect::<Vec<_>>()
    };
    let name = ExperimentKey::Attribute(ExperimentAttribute::Name);
    let ctime = ExperimentKey::Attribute(ExperimentAttribute::CreationTime);
    let eid = ExperimentKey::Attribute(ExperimentAttribute::ExperimentId);
    assert_eq!(
        names(q(vec![], vec![])).await,
        vec!["Beta", "gamma", "alpha"],
        "creation_time DESC"
    );
    assert_eq!(
        names(q(
            vec![],
            vec![OrderBy {
                key: name.clone(),
                ascending: true
            }]
        ))
        .await,
        vec!["Beta", "alpha", "gamma"]
    );
    assert_eq!(
        names(q(
            vec![clause(name.clone(), Comparator::Like, str_v("%a"))],
            vec![]
        ))
        .await,
        vec!["Beta", "gamma", "alpha"]
    );
    assert_eq!(
        names(q(
            vec![clause(name.clone(), Comparator::Like, str_v("b%"))],
            vec![]
        ))
        .await,
        Vec::<String>::new()
    );
    assert_eq!(
        names(q(
            vec![clause(name.clone(), Comparator::ILike, str_v("b%"))],
            vec![]
        ))
        .await,
        vec!["Beta"]
    );
    assert_eq!(
        names(q(
            vec![clause(name.clone(), Comparator::Ne, str_v("Beta"))],
            vec![]
        ))
        .await,
        vec!["gamma", "alpha"]
    );
    assert_eq!(
        names(q(
            vec![clause(ctime.clone(), Comparator::Ge, Value::Number(20.0))],
            vec![]
        ))
        .await,
        vec!["Beta", "gamma"]
    );
    assert_eq!(
        names(q(
            vec![clause(
                eid.clone(),
                Comparator::In,
                Value::List(vec![made[0].to_string(), made[2].to_string()])
            )],
            vec![]
        ))
        .await,
        vec!["gamma", "alpha"]
    );
    assert_eq!(
        names(q(
            vec![clause(eid, Comparator::Eq, str_v(&made[1].to_string()))],
            vec![]
        ))
        .await,
        vec!["Beta"]
    );
    let owner = ExperimentKey::Tag("owner".into());
    assert_eq!(
        names(q(
            vec![clause(owner.clone(), Comparator::Eq, str_v("Ann"))],
            vec![]
        ))
        .await,
        vec!["alpha"]
    );
    assert_eq!(
        names(q(
            vec![clause(owner.clone(), Comparator::ILike, str_v("an%"))],
            vec![]
        ))
        .await,
        vec!["alpha"]
    );
    assert_eq!(
        names(q(
            vec![clause(owner.clone(), Comparator::IsNull, Value::None)],
            vec![]
        ))
        .await,
        vec!["Beta", "gamma"]
    );
    assert_eq!(
        names(q(
            vec![clause(owner, Comparator::IsNotNull, Value::None)],
            vec![]
        ))
        .await,
        vec!["alpha"]
    );
    let found = s
        .search_experiments(q(
            vec![clause(name.clone(), Comparator::Eq, str_v("alpha"))],
            vec![],
        ))
        .await
        .unwrap();
    assert_eq!(
        found.items[0].tags,
        vec![Tag::new("owner", "Ann")],
        "tags loaded"
    );

    s.set_experiment_lifecycle(made[1], LifecycleStage::Deleted, 99)
        .await
        .unwrap();
    assert_eq!(names(q(vec![], vec![])).await, vec!["gamma", "alpha"]);
    let mut deleted = q(vec![], vec![]);
    deleted.view_type = ViewType::DeletedOnly;
    assert_eq!(names(deleted.clone()).await, vec!["Beta"]);
    deleted.view_type = ViewType::All;
    assert_eq!(names(deleted.clone()).await, vec!["Beta", "gamma", "alpha"]);

    deleted.max_results = 2;
    let p1 = s.search_experiments(deleted.clone()).await.unwrap();
    assert_eq!((p1.items.len(), p1.next_offset), (2, Some(2)));
    deleted.offset = 2;
    let p2 = s.search_experiments(deleted).await.unwrap();
    assert_eq!(
        p2.items.iter().map(|e| e.name.as_str()).collect::<Vec<_>>(),
        vec!["alpha"]
    );
    assert_eq!(p2.next_offset, None);
}

pub async fn concurrent_writers(store: Arc<dyn TrackingStore>) {
    let exp = experiment(&*store, "concurrent").await;
    const TASKS: i64 = 8;
    const BATCHES: i64 = 40;
    const PER: i64 = 25;
    let mut handles = Vec::new();
    for t in 0..TASKS {
        let store = store.clone();
        handles.push(tokio::spawn(async move {
            let run = run_at(&*store, exp, &format!("c{t}"), t).await;
            for b in 0..BATCHES {
                let metrics = (0..PER)
                    .map(|i| Metric::new("m", (b * PER + i) as f64, b, b * PER + i))
                    .collect();
                store
                    .log_batch(
                        &run,
                        metrics,
                        vec![Param::new(format!("p{b}"), "v")],
                        vec![Tag::new("t", b.to_string())],
                    )
                    .await
                    .unwrap_or_else(|e| panic!("task {t} batch {b}: {e}"));
                // Readers run alongside the writers.
                if b % 10 == 0 {
                    store.get_run(&run).await.expect("concurrent read");
                }
            }
            run
        }));
    }
    for h in handles {
        let run = h.await.expect("task panicked");
        let all = history(&*store, &run, "m").await;
        assert_eq!(
            all.len() as i64,
            BATCHES * PER,
            "every point of {run} is present"
        );
        let r = store.get_run(&run).await.unwrap();
        assert_eq!(latest(&r, "m").map(|m| m.step), Some(BATCHES * PER - 1));
        assert_eq!(r.data.params.len() as i64, BATCHES);
    }
}
