//! In-process tests of the model registry REST API over a real SQLite store: verbs and bodies
//! as the official client sends them (GET searches, PATCH/DELETE with JSON bodies), the answers'
//! shapes, error codes, and the refusal of sources outside the artifact stores.

mod common;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use common::{App, app, assert_error};
use serde_json::{Value, json};

impl App {
    async fn run(&self) -> (String, String) {
        let exp = self.create_experiment("e").await;
        let run = self
            .ok_post("/runs/create", json!({"experiment_id": exp}))
            .await;
        (
            run["run"]["info"]["run_id"].as_str().unwrap().to_owned(),
            run["run"]["info"]["artifact_uri"]
                .as_str()
                .unwrap()
                .to_owned(),
        )
    }

    async fn version(&self, name: &str, run_id: &str) -> Value {
        self.ok_post(
            "/model-versions/create",
            json!({"name": name, "source": format!("runs:/{run_id}/model"), "run_id": run_id}),
        )
        .await["model_version"]
            .clone()
    }
}

#[tokio::test]
async fn registered_model_lifecycle_over_the_wire() {
    let app = app().await;
    let created = app
        .ok_post(
            "/registered-models/create",
            json!({"name": "m", "description": "d", "tags": [{"key": "k", "value": "v"}]}),
        )
        .await;
    assert_eq!(created["registered_model"]["name"], "m");
    assert_error(
        &app.call(
            Method::POST,
            "/registered-models/create",
            Some(json!({"name": "m"})),
        )
        .await,
        400,
        "RESOURCE_ALREADY_EXISTS",
    );
    assert_error(
        &app.call(Method::GET, "/registered-models/get?name=zzz", None)
            .await,
        404,
        "RESOURCE_DOES_NOT_EXIST",
    );
    assert_error(
        &app.call(
            Method::POST,
            "/registered-models/create",
            Some(json!({"name": "a/b"})),
        )
        .await,
        400,
        "INVALID_PARAMETER_VALUE",
    );

    let updated = app
        .ok(
            Method::PATCH,
            "/registered-models/update",
            Some(json!({"name": "m", "description": "new"})),
        )
        .await;
    assert_eq!(updated["registered_model"]["description"], "new");

    let (run_id, artifact_uri) = app.run().await;
    let v = app.version("m", &run_id).await;
    assert_eq!(v["version"], "1");
    assert_eq!(v["status"], "READY");
    assert_eq!(v["current_stage"], "None");
    // A runs:/ source downloads from the run's artifact location.
    let uri = app
        .ok_get("/model-versions/get-download-uri?name=m&version=1")
        .await;
    assert_eq!(uri["artifact_uri"], format!("{artifact_uri}/model"));

    app.ok_post(
        "/registered-models/alias",
        json!({"name": "m", "alias": "champion", "version": "1"}),
    )
    .await;
    let by_alias = app
        .ok_get("/registered-models/alias?name=m&alias=champion")
        .await;
    assert_eq!(by_alias["model_version"]["aliases"], json!(["champion"]));
    let renamed = app
        .ok_post(
            "/registered-models/rename",
            json!({"name": "m", "new_name": "m2"}),
        )
        .await;
    assert_eq!(renamed["registered_model"]["aliases"][0]["version"], "1");
    assert_eq!(
        renamed["registered_model"]["latest_versions"][0]["name"],
        "m2"
    );
    app.ok(
        Method::DELETE,
        "/registered-models/alias",
        Some(json!({"name": "m2", "alias": "champion"})),
    )
    .await;
    assert_error(
        &app.call(
            Method::GET,
            "/registered-models/alias?name=m2&alias=champion",
            None,
        )
        .await,
        400,
        "INVALID_PARAMETER_VALUE",
    );

    app.ok(
        Method::DELETE,
        "/registered-models/delete-tag",
        Some(json!({"name": "m2", "key": "k"})),
    )
    .await;
    app.ok(
        Method::DELETE,
        "/registered-models/delete",
        Some(json!({"name": "m2"})),
    )
    .await;
    assert_error(
        &app.call(Method::GET, "/model-versions/get?name=m2&version=1", None)
            .await,
        404,
        "RESOURCE_DOES_NOT_EXIST",
    );
}

#[tokio::test]
async fn stages_latest_versions_and_version_numbers() {
    let app = app().await;
    app.ok_post("/registered-models/create", json!({"name": "m"}))
        .await;
    let (run_id, _) = app.run().await;
    for _ in 0..3 {
        app.version("m", &run_id).await;
    }
    app.ok_post(
        "/model-versions/transition-stage",
        json!({"name": "m", "version": "1", "stage": "production", "archive_existing_versions": false}),
    )
    .await;
    let t = app
        .ok_post(
            "/model-versions/transition-stage",
            json!({"name": "m", "version": "2", "stage": "PRODUCTION", "archive_existing_versions": true}),
        )
        .await;
    assert_eq!(t["model_version"]["current_stage"], "Production");
    let v1 = app.ok_get("/model-versions/get?name=m&version=1").await;
    assert_eq!(v1["model_version"]["current_stage"], "Archived");
    assert_error(
        &app.call(
            Method::POST,
            "/model-versions/transition-stage",
            Some(json!({"name": "m", "version": "1", "stage": "None", "archive_existing_versions": true})),
        )
        .await,
        400,
        "INVALID_PARAMETER_VALUE",
    );
    let latest = app
        .ok_post(
            "/registered-models/get-latest-versions",
            json!({"name": "m", "stages": ["production"]}),
        )
        .await;
    assert_eq!(latest["model_versions"].as_array().unwrap().len(), 1);
    assert_eq!(latest["model_versions"][0]["version"], "2");

    app.ok(
        Method::DELETE,
        "/model-versions/delete",
        Some(json!({"name": "m", "version": "3"})),
    )
    .await;
    assert_eq!(app.version("m", &run_id).await["version"], "4");

    let updated = app
        .ok(
            Method::PATCH,
            "/model-versions/update",
            Some(json!({"name": "m", "version": "4", "description": "x"})),
        )
        .await;
    assert_eq!(updated["model_version"]["description"], "x");
    app.ok_post(
        "/model-versions/set-tag",
        json!({"name": "m", "version": "4", "key": "k", "value": "v"}),
    )
    .await;
    let found = app
        .ok_get("/model-versions/search?filter=tag.k%3D%27v%27&max_results=10")
        .await;
    assert_eq!(found["model_versions"][0]["version"], "4");
    app.ok(
        Method::DELETE,
        "/model-versions/delete-tag",
        Some(json!({"name": "m", "version": "4", "key": "k"})),
    )
    .await;
    let found = app
        .ok_get("/model-versions/search?filter=tag.k%3D%27v%27")
        .await;
    assert_eq!(found, json!({}));
    assert_error(
        &app.call(Method::GET, "/model-versions/get?name=m&version=abc", None)
            .await,
        400,
        "INVALID_PARAMETER_VALUE",
    );
}

#[tokio::test]
async fn search_hides_prompts_and_paginates() {
    let app = app().await;
    for name in ["a", "b", "c"] {
        app.ok_post("/registered-models/create", json!({"name": name}))
            .await;
    }
    app.ok_post(
        "/registered-models/create",
        json!({"name": "p", "tags": [{"key": "mlflow.prompt.is_prompt", "value": "true"}]}),
    )
    .await;
    // Exactly what the 3.x client sends.
    let q = "filter=tag.%60mlflow.prompt.is_prompt%60+%21%3D+%27true%27&max_results=2";
    let page = app.ok_get(&format!("/registered-models/search?{q}")).await;
    let names: Vec<&str> = page["registered_models"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["a", "b"]);
    let token = page["next_page_token"].as_str().unwrap();
    let next = app
        .ok_get(&format!(
            "/registered-models/search?{q}&page_token={}",
            token.replace('=', "%3D")
        ))
        .await;
    assert_eq!(next["registered_models"][0]["name"], "c");
    assert!(next.get("next_page_token").is_none());
    assert_error(
        &app.call(
            Method::GET,
            "/registered-models/search?max_results=1001",
            None,
        )
        .await,
        400,
        "INVALID_PARAMETER_VALUE",
    );
    // The ajax twin serves the same table.
    let req = Request::get("/ajax-api/2.0/mlflow/registered-models/get?name=a")
        .body(Body::empty())
        .unwrap();
    assert_eq!(app.raw(req).await.0, StatusCode::OK);
}

#[tokio::test]
async fn sources_outside_the_artifact_stores_are_refused() {
    let app = app().await;
    app.ok_post("/registered-models/create", json!({"name": "m"}))
        .await;
    let (run_id, artifact_uri) = app.run().await;
    let bad = [
        json!({"source": "/etc/passwd"}),
        json!({"source": "file:///etc/passwd", "run_id": run_id}),
        json!({"source": "mlflow-artifacts:/../../etc"}),
        json!({"source": "mlflow-artifacts:/1/%252e%252e/%252e%252e/etc"}),
        json!({"source": format!("{artifact_uri}/../../../x"), "run_id": run_id}),
        json!({"source": "runs:/0123456789abcdef0123456789abcdef/model"}),
        json!({"source": "models:/m-0123456789abcdef0123456789abcdef"}),
        // MLflow 3.17.2 refuses these too: a proxied or runs:/ source needs the run_id that
        // contains it, and a local path is never accepted without one.
        json!({"source": format!("{artifact_uri}/model")}),
        json!({"source": format!("runs:/{run_id}/model")}),
        json!({"source": "s3://bucket/a/../../b"}),
        json!({"source": "foo://unknown-scheme/x"}),
    ];
    for mut body in bad {
        body["name"] = json!("m");
        let resp = app
            .call(Method::POST, "/model-versions/create", Some(body.clone()))
            .await;
        assert_error(&resp, 400, "INVALID_PARAMETER_VALUE");
        assert!(
            resp.1["message"]
                .as_str()
                .unwrap()
                .starts_with("Invalid model version source"),
            "{body}: {}",
            resp.1
        );
    }
    // Schemes that make a client connect to a host of the caller's choosing: MLflow's message.
    for source in [
        "http://169.254.169.254/latest/meta-data",
        "https://example.com/api/2.0/mlflow-artifacts/artifacts/x",
        "ftp://example.com/x",
        "mlflow-artifacts://evil.example.com/1/x",
    ] {
        let resp = app
            .call(
                Method::POST,
                "/model-versions/create",
                Some(json!({"name": "m", "source": source, "run_id": run_id})),
            )
            .await;
        assert_error(&resp, 400, "INVALID_PARAMETER_VALUE");
        let scheme = source.split(':').next().unwrap();
        assert!(
            resp.1["message"]
                .as_str()
                .unwrap()
                .starts_with(&format!("'source' cannot use the '{scheme}' scheme")),
            "{source}: {}",
            resp.1
        );
    }
    // Inside the run's artifact location is fine, and stays where it is.
    let ok = app
        .ok_post(
            "/model-versions/create",
            json!({"name": "m", "source": format!("{artifact_uri}/model"), "run_id": run_id}),
        )
        .await;
    assert_eq!(ok["model_version"]["version"], "1");
    assert_eq!(ok["model_version"]["run_id"], run_id.as_str());
}

#[tokio::test]
async fn object_store_sources_need_no_run_and_model_ids_tag_the_logged_model() {
    let app = app().await;
    app.ok_post("/registered-models/create", json!({"name": "m"}))
        .await;
    let s3 = app
        .ok_post(
            "/model-versions/create",
            json!({"name": "m", "source": "s3://bucket/path/model"}),
        )
        .await;
    assert_eq!(s3["model_version"]["source"], "s3://bucket/path/model");
    assert!(s3["model_version"].get("run_id").is_none());
    // A version of a model that does not exist is a missing resource, not a bad source.
    assert_error(
        &app.call(
            Method::POST,
            "/model-versions/create",
            Some(json!({"name": "nope", "source": "s3://bucket/path"})),
        )
        .await,
        404,
        "RESOURCE_DOES_NOT_EXIST",
    );

    let (run_id, _) = app.run().await;
    let exp = app.create_experiment("lm").await;
    let model = app
        .ok_post(
            "/logged-models",
            json!({"experiment_id": exp, "name": "lm", "source_run_id": run_id}),
        )
        .await;
    let model_id = model["model"]["info"]["model_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let artifact_uri = model["model"]["info"]["artifact_uri"]
        .as_str()
        .unwrap()
        .to_owned();
    // A logged model's URI needs its model_id, as in MLflow; an unknown model_id beside an
    // object-store source is a missing resource.
    for body in [
        json!({"name": "m", "source": format!("models:/{model_id}")}),
        json!({"name": "m", "source": format!("models:/{model_id}"), "run_id": run_id}),
    ] {
        let resp = app
            .call(Method::POST, "/model-versions/create", Some(body))
            .await;
        assert_error(&resp, 400, "INVALID_PARAMETER_VALUE");
    }
    assert_error(
        &app.call(
            Method::POST,
            "/model-versions/create",
            Some(json!({"name": "m", "source": "s3://b/x", "model_id": "m-nope"})),
        )
        .await,
        404,
        "RESOURCE_DOES_NOT_EXIST",
    );
    for source in [format!("models:/{model_id}"), artifact_uri] {
        let mv = app
            .ok_post(
                "/model-versions/create",
                json!({"name": "m", "source": source, "model_id": model_id}),
            )
            .await;
        // The lineage comes from the logged model when only model_id is given.
        assert_eq!(mv["model_version"]["run_id"], run_id.as_str());
    }
    let got = app.ok_get(&format!("/logged-models/{model_id}")).await;
    let tags = got["model"]["info"]["tags"].as_array().unwrap();
    let tag = tags
        .iter()
        .find(|t| t["key"] == "mlflow.modelVersions")
        .expect("mlflow.modelVersions tag");
    assert_eq!(
        tag["value"],
        r#"[{"name": "m", "version": 2}, {"name": "m", "version": 3}]"#
    );
}
