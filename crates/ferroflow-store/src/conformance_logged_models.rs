//! The [`LoggedModelStore`] contract as executable checks, in the style of
//! [`crate::conformance`]: each check takes a fresh, empty backend (which must also be the
//! [`TrackingStore`] the models' experiments and runs live in) and panics on failure.
//! [`logged_model_store_conformance!`](crate::logged_model_store_conformance) expands them into
//! `#[tokio::test]`s.

use crate::{
    LoggedModelDataset, LoggedModelOrder, LoggedModelOrderKey, LoggedModelQuery, LoggedModelStore,
    NewExperiment, NewLoggedModel, NewRun, StoreError, TrackingStore,
};
use ferroflow_core::registry::{LoggedModel, LoggedModelStatus};
use ferroflow_core::search::{
    Clause, Comparator, LoggedModelAttribute, LoggedModelFilter, LoggedModelKey, Value,
};
use ferroflow_core::{ExperimentId, Metric, Param, RunId, Tag};
use std::any::Any;
use std::sync::Arc;

/// One backend seen through both traits, plus whatever must stay alive while it is used.
pub struct LoggedModelFixture {
    pub tracking: Arc<dyn TrackingStore>,
    pub models: Arc<dyn LoggedModelStore>,
    pub guard: Box<dyn Any + Send>,
}

impl std::fmt::Debug for LoggedModelFixture {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("LoggedModelFixture")
    }
}

/// Expands to one `#[tokio::test]` per check; `$factory` is an async fn returning a
/// [`LoggedModelFixture`] over a fresh, empty backend.
#[macro_export]
macro_rules! logged_model_store_conformance {
    ($factory:path) => {
        $crate::logged_model_store_conformance!(@tests $factory;
            create_get_and_defaults, missing_and_deleted_models, finalize_tags_and_params,
            run_metrics_become_model_metrics, search_filters, search_order_and_pagination,
            search_datasets
        );
    };
    (@tests $factory:path; $($check:ident),* $(,)?) => {
        $(
            #[::tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $check() {
                let f = $factory().await;
                $crate::conformance_logged_models::$check(f.tracking.clone(), f.models.clone())
                    .await;
                drop(f);
            }
        )*
    };
}

type Tracking = Arc<dyn TrackingStore>;
type Models = Arc<dyn LoggedModelStore>;

async fn experiment(t: &Tracking, name: &str) -> ExperimentId {
    t.create_experiment(NewExperiment {
        name: name.to_owned(),
        artifact_location: None,
        default_artifact_root: "mlflow-artifacts:/".to_owned(),
        tags: vec![],
        creation_time: 1,
    })
    .await
    .expect("create_experiment")
}

async fn run(t: &Tracking, exp: ExperimentId, id: &str) -> RunId {
    let run_id = RunId::parse(id).expect("run id");
    t.create_run(NewRun {
        run_id: run_id.clone(),
        experiment_id: exp,
        run_name: id.to_owned(),
        user_id: "u".to_owned(),
        start_time: 1,
        tags: vec![],
        artifact_uri: format!("mlflow-artifacts:/{exp}/{id}/artifacts"),
    })
    .await
    .expect("create_run");
    run_id
}

fn new_model(exp: ExperimentId, id: &str, name: &str, ctime: i64) -> NewLoggedModel {
    NewLoggedModel {
        model_id: id.to_owned(),
        experiment_id: exp,
        name: name.to_owned(),
        artifact_uri: format!("mlflow-artifacts:/{exp}/models/{id}/artifacts"),
        creation_timestamp_ms: ctime,
        model_type: None,
        source_run_id: None,
        tags: vec![],
        params: vec![],
    }
}

fn query(exps: &[ExperimentId], filter: LoggedModelFilter) -> LoggedModelQuery {
    LoggedModelQuery {
        experiment_ids: exps.to_vec(),
        filter,
        datasets: vec![],
        order_by: vec![],
        max_results: 100,
        offset: 0,
    }
}

fn ids(models: &[LoggedModel]) -> Vec<&str> {
    models.iter().map(|m| m.model_id.as_str()).collect()
}

fn clause(key: LoggedModelKey, op: Comparator, value: Value) -> Clause<LoggedModelKey> {
    Clause { key, op, value }
}

fn text(s: &str) -> Value {
    Value::String(s.to_owned())
}

pub async fn create_get_and_defaults(t: Tracking, m: Models) {
    let exp = experiment(&t, "e").await;
    let r = run(&t, exp, "r1").await;
    let mut new = new_model(exp, "m-1", "model", 1000);
    new.model_type = Some("sklearn".into());
    new.source_run_id = Some(r.to_string());
    new.tags = vec![Tag::new("b", "2"), Tag::new("a", "1")];
    new.params = vec![Param::new("alpha", "0.5")];
    let created = m.create_logged_model(new.clone()).await.expect("create");
    assert_eq!(created.status, LoggedModelStatus::Pending);
    assert_eq!(created.last_updated_timestamp_ms, 1000);
    assert_eq!(
        created.artifact_uri,
        "mlflow-artifacts:/1/models/m-1/artifacts"
    );
    assert_eq!(created.source_run_id.as_deref(), Some("r1"));
    assert_eq!(created.model_type.as_deref(), Some("sklearn"));
    assert_eq!(created.params, vec![Param::new("alpha", "0.5")]);
    assert_eq!(created.tags.len(), 2);
    let got = m.get_logged_model("m-1", false).await.expect("get");
    assert_eq!(got, created);

    assert!(matches!(
        m.create_logged_model(new.clone()).await,
        Err(StoreError::AlreadyExists(_))
    ));
    let mut other = new_model(12345, "m-2", "x", 1);
    other.experiment_id = 12345;
    assert!(matches!(
        m.create_logged_model(other).await,
        Err(StoreError::NotFound(_))
    ));
}

pub async fn missing_and_deleted_models(t: Tracking, m: Models) {
    let exp = experiment(&t, "e").await;
    match m.get_logged_model("m-nope", true).await {
        Err(StoreError::NotFound(msg)) => {
            assert_eq!(msg, "Logged model with ID 'm-nope' not found.");
        }
        other => panic!("expected NotFound, got {other:?}"),
    }
    for res in [
        m.finalize_logged_model("m-nope", LoggedModelStatus::Ready, 1)
            .await
            .map(|_| ()),
        m.set_logged_model_tags("m-nope", vec![Tag::new("a", "b")])
            .await,
        m.delete_logged_model_tag("m-nope", "a").await,
        m.log_logged_model_params("m-nope", vec![Param::new("a", "b")])
            .await,
        m.delete_logged_model("m-nope", 1).await,
    ] {
        assert!(matches!(res, Err(StoreError::NotFound(_))), "{res:?}");
    }

    m.create_logged_model(new_model(exp, "m-1", "a", 10))
        .await
        .unwrap();
    m.delete_logged_model("m-1", 50).await.expect("delete");
    assert!(matches!(
        m.get_logged_model("m-1", false).await,
        Err(StoreError::NotFound(_))
    ));
    let deleted = m
        .get_logged_model("m-1", true)
        .await
        .expect("allow_deleted");
    assert_eq!(deleted.last_updated_timestamp_ms, 50);
    let page = m.search_logged_models(query(&[exp], vec![])).await.unwrap();
    assert!(page.items.is_empty(), "deleted models are not searched");
    // Writes still reach a deleted model.
    m.set_logged_model_tags("m-1", vec![Tag::new("k", "v")])
        .await
        .expect("tag a deleted model");
    m.delete_logged_model_tag("m-1", "k")
        .await
        .expect("untag a deleted model");
}

pub async fn finalize_tags_and_params(t: Tracking, m: Models) {
    let exp = experiment(&t, "e").await;
    m.create_logged_model(new_model(exp, "m-1", "a", 10))
        .await
        .unwrap();
    let done = m
        .finalize_logged_model("m-1", LoggedModelStatus::Ready, 77)
        .await
        .unwrap();
    assert_eq!(done.status, LoggedModelStatus::Ready);
    assert_eq!(done.last_updated_timestamp_ms, 77);
    assert_eq!(done.creation_timestamp_ms, 10);

    m.set_logged_model_tags(
        "m-1",
        vec![
            Tag::new("k.with.dots", "1"),
            Tag::new("x", "a"),
            Tag::new("x", "b"),
        ],
    )
    .await
    .unwrap();
    m.set_logged_model_tags("m-1", vec![Tag::new("k.with.dots", "2")])
        .await
        .unwrap();
    let got = m.get_logged_model("m-1", false).await.unwrap();
    assert_eq!(
        got.tags,
        vec![Tag::new("k.with.dots", "2"), Tag::new("x", "b")]
    );
    m.delete_logged_model_tag("m-1", "k.with.dots")
        .await
        .unwrap();
    match m.delete_logged_model_tag("m-1", "k.with.dots").await {
        Err(StoreError::NotFound(msg)) => assert_eq!(
            msg,
            "No tag with key 'k.with.dots' found for model with ID 'm-1'."
        ),
        other => panic!("expected NotFound, got {other:?}"),
    }

    m.log_logged_model_params("m-1", vec![Param::new("p", "1"), Param::new("q", "2")])
        .await
        .unwrap();
    m.log_logged_model_params("m-1", vec![Param::new("p", "1")])
        .await
        .expect("same value again is a no-op");
    let res = m
        .log_logged_model_params("m-1", vec![Param::new("r", "3"), Param::new("p", "9")])
        .await;
    assert!(matches!(res, Err(StoreError::Invalid(_))), "{res:?}");
    let got = m.get_logged_model("m-1", false).await.unwrap();
    assert_eq!(
        got.params,
        vec![Param::new("p", "1"), Param::new("q", "2")],
        "a failed call writes nothing"
    );
}

pub async fn run_metrics_become_model_metrics(t: Tracking, m: Models) {
    let exp = experiment(&t, "e").await;
    let r = run(&t, exp, "r1").await;
    m.create_logged_model(new_model(exp, "m-1", "a", 10))
        .await
        .unwrap();
    // As `log_model` does: the run's metrics first, then the same points again with model_id.
    let plain = vec![Metric::new("rmse", 0.7, 5, 0), Metric::new("r2", 0.3, 5, 0)];
    t.log_batch(&r, plain.clone(), vec![], vec![])
        .await
        .unwrap();
    let tagged: Vec<Metric> = plain
        .iter()
        .cloned()
        .map(|mut p| {
            p.model_id = Some("m-1".into());
            p
        })
        .collect();
    t.log_batch(&r, tagged.clone(), vec![], vec![])
        .await
        .expect("identical points with a model_id are accepted");
    t.log_batch(&r, tagged, vec![], vec![])
        .await
        .expect("and again");
    let mut nan = Metric::new("loss", f64::NAN, 6, 1);
    nan.model_id = Some("m-1".into());
    nan.dataset_name = Some("ds".into());
    t.log_batch(&r, vec![nan], vec![], vec![]).await.unwrap();

    let got = m.get_logged_model("m-1", false).await.unwrap();
    let keys: Vec<&str> = got.metrics.iter().map(|x| x.key.as_str()).collect();
    assert_eq!(keys, vec!["loss", "r2", "rmse"], "one point each: {got:?}");
    assert!(
        got.metrics
            .iter()
            .all(|x| x.model_id.as_deref() == Some("m-1"))
    );
    assert!(
        got.metrics
            .iter()
            .all(|x| x.run_id.as_deref() == Some(r.as_str())),
        "a model's metrics name the run that logged them: {got:?}"
    );
    assert!(got.metrics[0].value.is_nan());
    assert_eq!(got.metrics[0].dataset_name.as_deref(), Some("ds"));
    assert_eq!(got.metrics[2].value, 0.7);

    // The run's own history is unchanged by the re-logging.
    let run = t.get_run(&r).await.unwrap();
    assert_eq!(run.data.metrics.len(), 3);

    // A point naming an unknown model does not fail the run's batch.
    let mut stray = Metric::new("rmse", 0.1, 9, 2);
    stray.model_id = Some("m-unknown".into());
    t.log_batch(&r, vec![stray], vec![], vec![])
        .await
        .expect("unknown model id");
}

async fn three_models(t: &Tracking, m: &Models) -> (ExperimentId, ExperimentId) {
    let e1 = experiment(t, "e1").await;
    let e2 = experiment(t, "e2").await;
    let r = run(t, e1, "r1").await;
    for (exp, id, name, ctime, acc) in [
        (e1, "m-a", "alpha", 100, Some(0.9)),
        (e1, "m-b", "beta", 300, Some(0.5)),
        (e2, "m-c", "Alpha", 200, None),
    ] {
        let mut n = new_model(exp, id, name, ctime);
        n.tags = vec![Tag::new("team", if id == "m-b" { "x" } else { "y" })];
        n.params = vec![Param::new("lr", ctime.to_string())];
        n.source_run_id = Some(r.to_string());
        m.create_logged_model(n).await.unwrap();
        if let Some(v) = acc {
            let mut p = Metric::new("acc", v, 1, 0);
            p.model_id = Some(id.into());
            p.dataset_name = Some(format!("ds-{id}"));
            p.dataset_digest = Some("d1".into());
            t.log_batch(&r, vec![p], vec![], vec![]).await.unwrap();
        }
    }
    m.finalize_logged_model("m-b", LoggedModelStatus::Ready, 400)
        .await
        .unwrap();
    (e1, e2)
}

pub async fn search_filters(t: Tracking, m: Models) {
    let (e1, e2) = three_models(&t, &m).await;
    let all = [e1, e2];
    let search = |f: LoggedModelFilter| {
        let m = m.clone();
        async move {
            let page = m
                .search_logged_models(query(&all, f))
                .await
                .expect("search");
            let mut v: Vec<String> = page.items.iter().map(|x| x.model_id.clone()).collect();
            v.sort();
            v
        }
    };
    use LoggedModelAttribute as A;
    use LoggedModelKey as K;
    assert_eq!(
        search(vec![clause(
            K::Attribute(A::Name),
            Comparator::Eq,
            text("alpha")
        )])
        .await,
        vec!["m-a"]
    );
    assert_eq!(
        search(vec![clause(
            K::Attribute(A::Name),
            Comparator::Like,
            text("a%")
        )])
        .await,
        vec!["m-a"],
        "LIKE is case-sensitive"
    );
    assert_eq!(
        search(vec![clause(
            K::Attribute(A::Name),
            Comparator::ILike,
            text("a%")
        )])
        .await,
        vec!["m-a", "m-c"]
    );
    assert_eq!(
        search(vec![clause(
            K::Attribute(A::Status),
            Comparator::Eq,
            text("2")
        )])
        .await,
        vec!["m-b"],
        "status compares with its protobuf number"
    );
    assert_eq!(
        search(vec![clause(
            K::Attribute(A::CreationTimestamp),
            Comparator::Ge,
            Value::Number(200.0)
        )])
        .await,
        vec!["m-b", "m-c"]
    );
    assert_eq!(
        search(vec![clause(
            K::Metric("acc".into()),
            Comparator::Gt,
            Value::Number(0.6)
        )])
        .await,
        vec!["m-a"]
    );
    assert_eq!(
        search(vec![clause(
            K::Param("lr".into()),
            Comparator::Eq,
            text("300")
        )])
        .await,
        vec!["m-b"]
    );
    assert_eq!(
        search(vec![
            clause(K::Tag("team".into()), Comparator::Eq, text("y")),
            clause(
                K::Attribute(A::ExperimentId),
                Comparator::In,
                Value::List(vec![e2.to_string()])
            ),
        ])
        .await,
        vec!["m-c"]
    );
    assert_eq!(
        search(vec![clause(
            K::Attribute(A::Name),
            Comparator::NotIn,
            Value::List(vec![])
        )])
        .await,
        vec!["m-a", "m-b", "m-c"]
    );
    let only_e1 = m.search_logged_models(query(&[e1], vec![])).await.unwrap();
    assert_eq!(
        ids(&only_e1.items),
        vec!["m-b", "m-a"],
        "newest first by default"
    );
    assert!(only_e1.items[0].tags.len() == 1 && only_e1.items[0].params.len() == 1);
}

pub async fn search_order_and_pagination(t: Tracking, m: Models) {
    let (e1, e2) = three_models(&t, &m).await;
    let all = [e1, e2];
    let order = |key: LoggedModelOrderKey, ascending: bool| LoggedModelOrder { key, ascending };
    let mut q = query(&all, vec![]);
    q.order_by = vec![order(
        LoggedModelOrderKey::Attribute(LoggedModelAttribute::Name),
        true,
    )];
    let page = m.search_logged_models(q.clone()).await.unwrap();
    assert_eq!(ids(&page.items), vec!["m-c", "m-a", "m-b"]);

    let metric = LoggedModelOrderKey::Metric {
        key: "acc".into(),
        dataset_name: None,
        dataset_digest: None,
    };
    for (asc, want) in [
        (true, ["m-b", "m-a", "m-c"]),
        (false, ["m-a", "m-b", "m-c"]),
    ] {
        q.order_by = vec![order(metric.clone(), asc)];
        let page = m.search_logged_models(q.clone()).await.unwrap();
        assert_eq!(
            ids(&page.items),
            want,
            "models without the metric last (asc={asc})"
        );
    }
    // Scoped to a dataset only m-a has a value.
    q.order_by = vec![order(
        LoggedModelOrderKey::Metric {
            key: "acc".into(),
            dataset_name: Some("ds-m-a".into()),
            dataset_digest: Some("d1".into()),
        },
        true,
    )];
    let page = m.search_logged_models(q.clone()).await.unwrap();
    assert_eq!(page.items[0].model_id, "m-a");

    // Pagination walks the default order (creation time DESC) without gaps or repeats.
    let mut q = query(&all, vec![]);
    q.max_results = 2;
    let first = m.search_logged_models(q.clone()).await.unwrap();
    assert_eq!(ids(&first.items), vec!["m-b", "m-c"]);
    assert_eq!(first.next_offset, Some(2));
    q.offset = 2;
    let second = m.search_logged_models(q.clone()).await.unwrap();
    assert_eq!(ids(&second.items), vec!["m-a"]);
    assert_eq!(second.next_offset, None);
}

pub async fn search_datasets(t: Tracking, m: Models) {
    let (e1, e2) = three_models(&t, &m).await;
    let mut q = query(&[e1, e2], vec![]);
    q.datasets = vec![LoggedModelDataset {
        dataset_name: "ds-m-b".into(),
        dataset_digest: None,
    }];
    let page = m.search_logged_models(q.clone()).await.unwrap();
    assert_eq!(ids(&page.items), vec!["m-b"]);
    q.datasets[0].dataset_digest = Some("other".into());
    let page = m.search_logged_models(q.clone()).await.unwrap();
    assert!(page.items.is_empty());
    // With a metric clause, the datasets scope the metric instead.
    q.datasets = vec![
        LoggedModelDataset {
            dataset_name: "ds-m-a".into(),
            dataset_digest: Some("d1".into()),
        },
        LoggedModelDataset {
            dataset_name: "ds-m-b".into(),
            dataset_digest: None,
        },
    ];
    q.filter = vec![clause(
        LoggedModelKey::Metric("acc".into()),
        Comparator::Lt,
        Value::Number(0.95),
    )];
    let page = m.search_logged_models(q).await.unwrap();
    assert_eq!(ids(&page.items), vec!["m-b", "m-a"]);
}
