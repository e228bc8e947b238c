//! The [`RegistryStore`] contract as executable checks, like [`crate::conformance`] for
//! tracking. [`registry_store_conformance!`](crate::registry_store_conformance) expands them
//! into `#[tokio::test]`s for a backend, given a factory returning a [`RegistryFixture`].

use crate::{
    ModelVersionQuery, NewModelVersion, NewRegisteredModel, RegisteredModelQuery, RegistryStore,
    StoreError,
};
use ferroflow_core::Tag;
use ferroflow_core::registry::{ModelVersion, Stage, registry_tag_keys};
use ferroflow_core::search::{
    Clause, Comparator, ModelVersionAttribute, ModelVersionKey, ModelVersionOrderKey, OrderBy,
    RegisteredModelKey, RegisteredModelOrderKey, Value,
};
use std::any::Any;
use std::sync::Arc;

/// A fresh empty registry store plus whatever must stay alive while it is used.
pub struct RegistryFixture {
    pub store: Arc<dyn RegistryStore>,
    pub guard: Box<dyn Any + Send>,
}

impl std::fmt::Debug for RegistryFixture {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RegistryFixture")
    }
}

/// Expands to one `#[tokio::test]` per registry conformance check.
#[macro_export]
macro_rules! registry_store_conformance {
    ($factory:path) => {
        $crate::registry_store_conformance!(@tests $factory;
            registered_models_crud, rename_carries_versions_tags_and_aliases,
            version_numbers_are_never_reused, stages_and_latest_versions, aliases,
            tags_upsert_and_delete, search_registered_models, search_model_versions
        );
    };
    (@tests $factory:path; $($check:ident),* $(,)?) => {
        $(
            #[::tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $check() {
                let fixture = $factory().await;
                $crate::conformance_registry::$check(fixture.store.clone()).await;
                drop(fixture);
            }
        )*
    };
}

async fn model(store: &dyn RegistryStore, name: &str, now: i64) {
    store
        .create_registered_model(NewRegisteredModel {
            name: name.to_owned(),
            description: None,
            tags: vec![],
            now,
        })
        .await
        .expect("create_registered_model");
}

async fn version(store: &dyn RegistryStore, name: &str, run: &str, now: i64) -> ModelVersion {
    store
        .create_model_version(NewModelVersion {
            name: name.to_owned(),
            source: format!("runs:/{run}/model"),
            storage_location: format!("mlflow-artifacts:/1/{run}/artifacts/model"),
            run_id: Some(run.to_owned()),
            run_link: None,
            description: None,
            tags: vec![Tag::new("t", run)],
            model_id: None,
            now,
        })
        .await
        .expect("create_model_version")
}

fn rm_query(
    filter: Vec<Clause<RegisteredModelKey>>,
    max: u64,
    offset: u64,
) -> RegisteredModelQuery {
    RegisteredModelQuery {
        filter,
        order_by: vec![OrderBy {
            key: RegisteredModelOrderKey::Name,
            ascending: true,
        }],
        include_prompts: false,
        max_results: max,
        offset,
    }
}

pub async fn registered_models_crud(store: Arc<dyn RegistryStore>) {
    let s = store.as_ref();
    let created = s
        .create_registered_model(NewRegisteredModel {
            name: "m".into(),
            description: Some("d".into()),
            tags: vec![Tag::new("k", "v")],
            now: 10,
        })
        .await
        .unwrap();
    assert_eq!(created.creation_timestamp, 10);
    assert_eq!(created.description.as_deref(), Some("d"));
    assert_eq!(created.tags, vec![Tag::new("k", "v")]);

    let dup = s
        .create_registered_model(NewRegisteredModel {
            name: "m".into(),
            description: None,
            tags: vec![],
            now: 11,
        })
        .await;
    match dup {
        Err(StoreError::AlreadyExists(msg)) => {
            assert_eq!(msg, "Registered Model (name=m) already exists.");
        }
        other => panic!("duplicate create: {other:?}"),
    }

    match s.get_registered_model("nope").await {
        Err(StoreError::NotFound(msg)) => {
            assert_eq!(msg, "Registered Model with name=nope not found");
        }
        other => panic!("missing model: {other:?}"),
    }

    let updated = s
        .update_registered_model("m", Some("new".into()), 20)
        .await
        .unwrap();
    assert_eq!(updated.description.as_deref(), Some("new"));
    assert_eq!(updated.last_updated_timestamp, 20);

    version(s, "m", "r1", 30).await;
    s.set_registered_model_alias("m", "a", 1).await.unwrap();
    s.delete_registered_model("m").await.unwrap();
    assert!(matches!(
        s.get_registered_model("m").await,
        Err(StoreError::NotFound(_))
    ));
    assert!(matches!(
        s.get_model_version("m", 1).await,
        Err(StoreError::NotFound(_))
    ));
    // The name is free again, and its old versions, tags and aliases are gone.
    model(s, "m", 40).await;
    let fresh = s.get_registered_model("m").await.unwrap();
    assert!(fresh.tags.is_empty() && fresh.aliases.is_empty() && fresh.latest_versions.is_empty());
    assert!(matches!(
        s.delete_registered_model("nope").await,
        Err(StoreError::NotFound(_))
    ));
}

pub async fn rename_carries_versions_tags_and_aliases(store: Arc<dyn RegistryStore>) {
    let s = store.as_ref();
    model(s, "old", 1).await;
    model(s, "taken", 1).await;
    version(s, "old", "r1", 2).await;
    version(s, "old", "r2", 3).await;
    s.set_registered_model_tag("old", Tag::new("team", "x"))
        .await
        .unwrap();
    s.set_registered_model_alias("old", "champion", 2)
        .await
        .unwrap();

    assert!(matches!(
        s.rename_registered_model("old", "taken", 4).await,
        Err(StoreError::AlreadyExists(_))
    ));
    let renamed = s.rename_registered_model("old", "new", 5).await.unwrap();
    assert_eq!(renamed.name, "new");
    assert_eq!(renamed.tags, vec![Tag::new("team", "x")]);
    assert_eq!(renamed.aliases.len(), 1);
    assert!(matches!(
        s.get_registered_model("old").await,
        Err(StoreError::NotFound(_))
    ));
    let v2 = s.get_model_version("new", 2).await.unwrap();
    assert_eq!(v2.name, "new");
    assert_eq!(v2.aliases, vec!["champion".to_owned()]);
    assert_eq!(v2.tags, vec![Tag::new("t", "r2")]);
    assert_eq!(
        s.get_model_version_by_alias("new", "champion")
            .await
            .unwrap()
            .map(|v| v.version),
        Some(2)
    );
    // Numbering continues under the new name.
    assert_eq!(version(s, "new", "r3", 6).await.version, 3);
}

pub async fn version_numbers_are_never_reused(store: Arc<dyn RegistryStore>) {
    let s = store.as_ref();
    model(s, "m", 1).await;
    model(s, "other", 1).await;
    for expected in 1..=3 {
        let v = version(s, "m", "r", 2).await;
        assert_eq!(v.version, expected);
        assert_eq!(v.current_stage, Stage::None);
        assert_eq!(
            v.status,
            ferroflow_core::registry::ModelVersionStatus::Ready
        );
    }
    assert_eq!(version(s, "other", "r", 2).await.version, 1, "per model");
    s.delete_model_version("m", 3, 5).await.unwrap();
    assert!(matches!(
        s.get_model_version("m", 3).await,
        Err(StoreError::NotFound(_))
    ));
    assert_eq!(version(s, "m", "r", 6).await.version, 4);
    match s.get_model_version("m", 99).await {
        Err(StoreError::NotFound(msg)) => {
            assert_eq!(msg, "Model Version (name=m, version=99) not found");
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        s.create_model_version(NewModelVersion {
            name: "ghost".into(),
            source: "s".into(),
            storage_location: "s".into(),
            run_id: None,
            run_link: None,
            description: None,
            tags: vec![],
            model_id: None,
            now: 1,
        })
        .await,
        Err(StoreError::NotFound(_))
    ));
    assert_eq!(
        s.get_model_version_download_uri("m", 1).await.unwrap(),
        "mlflow-artifacts:/1/r/artifacts/model"
    );
}

pub async fn stages_and_latest_versions(store: Arc<dyn RegistryStore>) {
    let s = store.as_ref();
    model(s, "m", 1).await;
    for _ in 0..4 {
        version(s, "m", "r", 2).await;
    }
    s.transition_model_version_stage("m", 1, Stage::Production, false, 3)
        .await
        .unwrap();
    let v2 = s
        .transition_model_version_stage("m", 2, Stage::Production, false, 4)
        .await
        .unwrap();
    assert_eq!(v2.current_stage, Stage::Production);
    assert_eq!(v2.last_updated_timestamp, 4);
    // Without archiving, both stay in Production.
    assert_eq!(
        s.get_model_version("m", 1).await.unwrap().current_stage,
        Stage::Production
    );
    s.transition_model_version_stage("m", 3, Stage::Production, true, 5)
        .await
        .unwrap();
    for v in [1, 2] {
        assert_eq!(
            s.get_model_version("m", v).await.unwrap().current_stage,
            Stage::Archived,
            "version {v} archived"
        );
    }
    let latest: Vec<(Stage, i64)> = s
        .get_latest_versions("m", vec![])
        .await
        .unwrap()
        .iter()
        .map(|v| (v.current_stage, v.version))
        .collect();
    assert_eq!(
        latest,
        vec![
            (Stage::None, 4),
            (Stage::Production, 3),
            (Stage::Archived, 2)
        ]
    );
    let only: Vec<i64> = s
        .get_latest_versions("m", vec![Stage::Production, Stage::Staging])
        .await
        .unwrap()
        .iter()
        .map(|v| v.version)
        .collect();
    assert_eq!(only, vec![3]);
    let m = s.get_registered_model("m").await.unwrap();
    assert_eq!(m.latest_versions.len(), 3);
    assert!(matches!(
        s.get_latest_versions("nope", vec![]).await,
        Err(StoreError::NotFound(_))
    ));
    assert!(matches!(
        s.transition_model_version_stage("m", 9, Stage::Staging, false, 6)
            .await,
        Err(StoreError::NotFound(_))
    ));
}

pub async fn aliases(store: Arc<dyn RegistryStore>) {
    let s = store.as_ref();
    model(s, "m", 1).await;
    version(s, "m", "r1", 2).await;
    version(s, "m", "r2", 2).await;
    s.set_registered_model_alias("m", "champion", 1)
        .await
        .unwrap();
    s.set_registered_model_alias("m", "champion", 2)
        .await
        .unwrap();
    s.set_registered_model_alias("m", "old", 1).await.unwrap();
    let v = s
        .get_model_version_by_alias("m", "champion")
        .await
        .unwrap()
        .expect("alias");
    assert_eq!(v.version, 2, "set again moves the alias");
    assert_eq!(v.aliases, vec!["champion".to_owned()]);
    let m = s.get_registered_model("m").await.unwrap();
    let mut listed: Vec<(String, i64)> = m
        .aliases
        .iter()
        .map(|a| (a.alias.clone(), a.version))
        .collect();
    listed.sort();
    assert_eq!(
        listed,
        vec![("champion".to_owned(), 2), ("old".to_owned(), 1)]
    );
    assert!(matches!(
        s.set_registered_model_alias("m", "x", 7).await,
        Err(StoreError::NotFound(_))
    ));
    assert_eq!(
        s.get_model_version_by_alias("m", "none").await.unwrap(),
        None
    );
    assert!(matches!(
        s.get_model_version_by_alias("nope", "a").await,
        Err(StoreError::NotFound(_))
    ));
    // Deleting a version drops its aliases.
    s.delete_model_version("m", 1, 3).await.unwrap();
    assert_eq!(
        s.get_model_version_by_alias("m", "old").await.unwrap(),
        None
    );
    s.delete_registered_model_alias("m", "champion")
        .await
        .unwrap();
    s.delete_registered_model_alias("m", "never-set")
        .await
        .unwrap();
    assert!(
        s.get_registered_model("m")
            .await
            .unwrap()
            .aliases
            .is_empty()
    );
}

pub async fn tags_upsert_and_delete(store: Arc<dyn RegistryStore>) {
    let s = store.as_ref();
    model(s, "m", 1).await;
    version(s, "m", "r1", 2).await;
    s.set_registered_model_tag("m", Tag::new("k", "1"))
        .await
        .unwrap();
    s.set_registered_model_tag("m", Tag::new("k", "2"))
        .await
        .unwrap();
    assert_eq!(
        s.get_registered_model("m").await.unwrap().tags,
        vec![Tag::new("k", "2")]
    );
    s.delete_registered_model_tag("m", "k").await.unwrap();
    s.delete_registered_model_tag("m", "absent").await.unwrap();
    assert!(s.get_registered_model("m").await.unwrap().tags.is_empty());
    assert!(matches!(
        s.set_registered_model_tag("nope", Tag::new("k", "v")).await,
        Err(StoreError::NotFound(_))
    ));

    s.set_model_version_tag("m", 1, Tag::new("t", "x"))
        .await
        .unwrap();
    s.set_model_version_tag("m", 1, Tag::new("u", "y"))
        .await
        .unwrap();
    assert_eq!(
        s.get_model_version("m", 1).await.unwrap().tags,
        vec![Tag::new("t", "x"), Tag::new("u", "y")]
    );
    s.delete_model_version_tag("m", 1, "t").await.unwrap();
    s.delete_model_version_tag("m", 1, "absent").await.unwrap();
    assert_eq!(
        s.get_model_version("m", 1).await.unwrap().tags,
        vec![Tag::new("u", "y")]
    );
    assert!(matches!(
        s.set_model_version_tag("m", 5, Tag::new("k", "v")).await,
        Err(StoreError::NotFound(_))
    ));
}

pub async fn search_registered_models(store: Arc<dyn RegistryStore>) {
    let s = store.as_ref();
    for (i, name) in ["alpha", "beta", "gamma", "Alpine"].iter().enumerate() {
        model(s, name, 10 + i64::try_from(i).unwrap()).await;
    }
    model(s, "prompt", 20).await;
    s.set_registered_model_tag("prompt", Tag::new(registry_tag_keys::IS_PROMPT, "true"))
        .await
        .unwrap();
    s.set_registered_model_tag("beta", Tag::new(registry_tag_keys::IS_PROMPT, "false"))
        .await
        .unwrap();
    s.set_registered_model_tag("gamma", Tag::new("team", "ml"))
        .await
        .unwrap();

    let names = |p: ferroflow_core::Page<ferroflow_core::registry::RegisteredModel>| {
        p.items.into_iter().map(|m| m.name).collect::<Vec<_>>()
    };
    // The client's always-present clause: a missing tag counts as "not a prompt".
    let not_prompt = Clause {
        key: RegisteredModelKey::Tag(registry_tag_keys::IS_PROMPT.into()),
        op: Comparator::Ne,
        value: Value::String("true".into()),
    };
    let all = s
        .search_registered_models(rm_query(vec![not_prompt.clone()], 100, 0))
        .await
        .unwrap();
    assert_eq!(names(all), vec!["Alpine", "alpha", "beta", "gamma"]);

    let like = s
        .search_registered_models(rm_query(
            vec![
                Clause {
                    key: RegisteredModelKey::Name,
                    op: Comparator::Like,
                    value: Value::String("al%".into()),
                },
                not_prompt.clone(),
            ],
            100,
            0,
        ))
        .await
        .unwrap();
    assert_eq!(names(like), vec!["alpha"], "LIKE is case-sensitive");
    let ilike = s
        .search_registered_models(rm_query(
            vec![Clause {
                key: RegisteredModelKey::Name,
                op: Comparator::ILike,
                value: Value::String("al%".into()),
            }],
            100,
            0,
        ))
        .await
        .unwrap();
    assert_eq!(names(ilike), vec!["Alpine", "alpha"]);
    let tagged = s
        .search_registered_models(rm_query(
            vec![Clause {
                key: RegisteredModelKey::Tag("team".into()),
                op: Comparator::Eq,
                value: Value::String("ml".into()),
            }],
            100,
            0,
        ))
        .await
        .unwrap();
    assert_eq!(names(tagged), vec!["gamma"]);

    let mut q = rm_query(vec![], 100, 0);
    q.include_prompts = true;
    q.filter = vec![Clause {
        key: RegisteredModelKey::Tag(registry_tag_keys::IS_PROMPT.into()),
        op: Comparator::Eq,
        value: Value::String("true".into()),
    }];
    assert_eq!(
        names(s.search_registered_models(q).await.unwrap()),
        vec!["prompt"]
    );

    // Pagination: 4 ordinary models, pages of 3.
    let p1 = s
        .search_registered_models(rm_query(vec![], 3, 0))
        .await
        .unwrap();
    assert_eq!(p1.next_offset, Some(3));
    assert_eq!(p1.items.len(), 3);
    let p2 = s
        .search_registered_models(rm_query(vec![], 3, 3))
        .await
        .unwrap();
    assert_eq!(p2.next_offset, None);
    assert_eq!(names(p2), vec!["gamma"]);

    let mut by_time = rm_query(vec![], 100, 0);
    by_time.order_by = vec![OrderBy {
        key: RegisteredModelOrderKey::LastUpdatedTimestamp,
        ascending: false,
    }];
    assert_eq!(
        names(s.search_registered_models(by_time).await.unwrap()),
        vec!["Alpine", "gamma", "beta", "alpha"]
    );
}

pub async fn search_model_versions(store: Arc<dyn RegistryStore>) {
    let s = store.as_ref();
    model(s, "a", 1).await;
    model(s, "b", 1).await;
    version(s, "a", "r1", 10).await;
    version(s, "a", "r2", 11).await;
    version(s, "a", "r3", 12).await;
    version(s, "b", "r1", 13).await;

    let q = |filter: Vec<Clause<ModelVersionKey>>| ModelVersionQuery {
        filter,
        order_by: vec![
            OrderBy {
                key: ModelVersionOrderKey::Name,
                ascending: true,
            },
            OrderBy {
                key: ModelVersionOrderKey::VersionNumber,
                ascending: false,
            },
        ],
        include_prompts: false,
        max_results: 100,
        offset: 0,
    };
    let ids = |p: ferroflow_core::Page<ModelVersion>| {
        p.items
            .into_iter()
            .map(|v| format!("{}/{}", v.name, v.version))
            .collect::<Vec<_>>()
    };
    let attr = |a, op, value| Clause {
        key: ModelVersionKey::Attribute(a),
        op,
        value,
    };
    assert_eq!(
        ids(s.search_model_versions(q(vec![])).await.unwrap()),
        vec!["a/3", "a/2", "a/1", "b/1"]
    );
    assert_eq!(
        ids(s
            .search_model_versions(q(vec![
                attr(
                    ModelVersionAttribute::Name,
                    Comparator::Eq,
                    Value::String("a".into())
                ),
                attr(
                    ModelVersionAttribute::VersionNumber,
                    Comparator::Ge,
                    Value::Number(2.0)
                ),
            ]))
            .await
            .unwrap()),
        vec!["a/3", "a/2"]
    );
    assert_eq!(
        ids(s
            .search_model_versions(q(vec![attr(
                ModelVersionAttribute::RunId,
                Comparator::In,
                Value::List(vec!["r1".into(), "r3".into()])
            )]))
            .await
            .unwrap()),
        vec!["a/3", "a/1", "b/1"]
    );
    assert_eq!(
        ids(s
            .search_model_versions(q(vec![Clause {
                key: ModelVersionKey::Tag("t".into()),
                op: Comparator::Eq,
                value: Value::String("r2".into()),
            }]))
            .await
            .unwrap()),
        vec!["a/2"]
    );
    assert_eq!(
        ids(s
            .search_model_versions(q(vec![attr(
                ModelVersionAttribute::SourcePath,
                Comparator::Like,
                Value::String("runs:/r1/%".into())
            )]))
            .await
            .unwrap()),
        vec!["a/1", "b/1"]
    );
    let mut paged = q(vec![]);
    paged.max_results = 2;
    let p = s.search_model_versions(paged.clone()).await.unwrap();
    assert_eq!(p.next_offset, Some(2));
    paged.offset = 2;
    let p = s.search_model_versions(paged).await.unwrap();
    assert_eq!(ids(p), vec!["a/1", "b/1"]);
}
