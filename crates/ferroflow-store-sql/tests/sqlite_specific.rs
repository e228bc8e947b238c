//! SQLite-only guarantees that the backend-agnostic suite cannot express: durability across
//! reopen, the on-disk settings, draining on close, savepoint isolation inside a commit group,
//! and URI handling.

use ferroflow_core::{Metric, Param, RunId, Tag};
use ferroflow_store::{HistoryQuery, NewExperiment, NewRun, StoreError, TrackingStore};
use ferroflow_store_sql::SqlStore;
use std::sync::Arc;

async fn setup(store: &SqlStore, run: &str) -> RunId {
    let exp = store
        .create_experiment(NewExperiment {
            name: format!("exp-{run}"),
            artifact_location: None,
            default_artifact_root: "/tmp/a".into(),
            tags: vec![],
            creation_time: 1,
        })
        .await
        .unwrap();
    let run_id = RunId::parse(run).unwrap();
    store
        .create_run(NewRun {
            run_id: run_id.clone(),
            experiment_id: exp,
            run_name: run.into(),
            user_id: "u".into(),
            start_time: 1,
            tags: vec![],
            artifact_uri: "/tmp/a/r".into(),
        })
        .await
        .unwrap();
    run_id
}

async fn count(store: &SqlStore, run: &RunId, key: &str) -> usize {
    store
        .get_metric_history(HistoryQuery {
            run_id: run.clone(),
            key: key.into(),
            max_results: 100_000,
            after: None,
        })
        .await
        .unwrap()
        .metrics
        .len()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn data_survives_reopen_and_file_uses_wal() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a/b/store.db");
    let uri = format!("sqlite:///{}", path.display());
    assert!(uri.starts_with("sqlite:////"), "absolute form: {uri}");
    {
        let store = SqlStore::connect(&uri).await.unwrap();
        let run = setup(&store, "persist").await;
        store
            .log_batch(&run, vec![Metric::new("m", 1.0, 1, 1)], vec![], vec![])
            .await
            .unwrap();
        store.close().await;
        let after = store
            .log_batch(&run, vec![Metric::new("m", 2.0, 2, 2)], vec![], vec![])
            .await;
        assert!(
            matches!(after, Err(StoreError::Backend(_))),
            "writes after close fail: {after:?}"
        );
    }
    assert!(path.exists(), "file and parent directories created");
    let store = SqlStore::connect(&uri).await.unwrap();
    assert_eq!(
        count(&store, &RunId::parse("persist").unwrap(), "m").await,
        1
    );

    use sqlx::Connection;
    let mut conn = sqlx::SqliteConnection::connect(&format!("sqlite://{}", path.display()))
        .await
        .unwrap();
    let mode: (String,) = sqlx::query_as("PRAGMA journal_mode")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(mode.0, "wal");
    store.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn other_backends_and_in_memory_uris() {
    let err = SqlStore::connect("postgresql://user:pw@localhost/db")
        .await
        .unwrap_err();
    match err {
        StoreError::Invalid(msg) => assert!(
            msg.contains("not supported yet") && !msg.contains("pw@"),
            "{msg}"
        ),
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        SqlStore::connect("mysql://h/db").await,
        Err(StoreError::Invalid(_))
    ));
    let mem = SqlStore::connect("sqlite::memory:").await.unwrap();
    mem.ensure_default_experiment("/tmp/x", 1).await.unwrap();
    // Two in-memory stores are independent databases.
    let other = SqlStore::connect("sqlite:///:memory:").await.unwrap();
    assert!(other.get_experiment(0).await.is_err());
    assert!(mem.get_experiment(0).await.is_ok());
}

/// Many concurrent writers land in shared commit groups; the failing ones (param conflicts)
/// must roll back only themselves and get their own error.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn failing_job_in_a_group_rolls_back_only_itself() {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(
        SqlStore::connect(&format!("sqlite:///{}", dir.path().join("g.db").display()))
            .await
            .unwrap(),
    );
    let run = setup(&store, "group").await;
    store
        .log_batch(&run, vec![], vec![Param::new("fixed", "a")], vec![])
        .await
        .unwrap();
    let mut handles = Vec::new();
    for i in 0..200_i64 {
        let store = store.clone();
        let run = run.clone();
        handles.push(tokio::spawn(async move {
            let bad = i % 7 == 0;
            let params = if bad {
                vec![Param::new("fixed", "b")]
            } else {
                vec![Param::new(format!("p{i}"), "x")]
            };
            let r = store
                .log_batch(
                    &run,
                    vec![Metric::new("m", i as f64, i, i)],
                    params,
                    vec![Tag::new(format!("t{i}"), "1")],
                )
                .await;
            (i, bad, r)
        }));
    }
    let mut ok = 0;
    for h in handles {
        let (i, bad, r) = h.await.unwrap();
        if bad {
            match r {
                Err(StoreError::Invalid(m)) => {
                    assert!(m.starts_with("Changing param values is not allowed"), "{m}")
                }
                other => panic!("job {i}: expected Invalid, got {other:?}"),
            }
        } else {
            r.unwrap_or_else(|e| panic!("job {i}: {e}"));
            ok += 1;
        }
    }
    let r = store.get_run(&run).await.unwrap();
    assert_eq!(count(&store, &run, "m").await, ok);
    assert_eq!(r.data.params.len(), ok + 1);
    assert_eq!(r.data.tags.len(), ok);
    assert!(
        r.data
            .tags
            .iter()
            .all(|t| t.key[1..].parse::<i64>().unwrap() % 7 != 0)
    );
}

/// `close` lets every write already submitted finish before shutting down.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn close_drains_queued_writes() {
    let dir = tempfile::tempdir().unwrap();
    let uri = format!("sqlite:///{}", dir.path().join("d.db").display());
    let store = Arc::new(SqlStore::connect(&uri).await.unwrap());
    let run = setup(&store, "drain").await;
    let mut handles = Vec::new();
    for i in 0..100_i64 {
        let store = store.clone();
        let run = run.clone();
        handles.push(tokio::spawn(async move {
            store
                .log_batch(&run, vec![Metric::new("m", 0.0, i, i)], vec![], vec![])
                .await
        }));
    }
    tokio::task::yield_now().await;
    store.close().await;
    let mut acknowledged = 0;
    for h in handles {
        if h.await.unwrap().is_ok() {
            acknowledged += 1;
        }
    }
    let reopened = SqlStore::connect(&uri).await.unwrap();
    assert_eq!(
        count(&reopened, &run, "m").await,
        acknowledged,
        "every acknowledged write is on disk"
    );
}

/// Metric batches larger than one statement's bind budget are split, not rejected.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn large_batches_are_chunked() {
    let store = SqlStore::connect("sqlite::memory:").await.unwrap();
    let run = setup(&store, "big").await;
    let metrics: Vec<Metric> = (0..20_000)
        .map(|i| Metric::new(format!("k{}", i % 3), 1.0, i, i))
        .collect();
    store
        .log_batch(&run, metrics, vec![], vec![])
        .await
        .unwrap();
    assert_eq!(count(&store, &run, "k0").await, 6667);
    let r = store.get_run(&run).await.unwrap();
    assert_eq!(r.data.metrics.iter().map(|m| m.step).max(), Some(19_999));
}
