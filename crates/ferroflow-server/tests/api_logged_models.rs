//! In-process tests of the logged-model endpoints over a real SQLite store and a local artifact
//! repository: the reference §9 sequence (steps 10–28 without registration) and the error
//! answers the official server gives.

mod common;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use common::{App, app, app_serving_artifacts, assert_error};
use serde_json::{Value, json};

impl App {
    async fn run(&self, exp: &str) -> String {
        let v = self
            .ok(
                Method::POST,
                "/runs/create",
                Some(json!({"experiment_id": exp})),
            )
            .await;
        v["run"]["info"]["run_id"].as_str().unwrap().to_owned()
    }

    async fn model(&self, exp: &str, name: &str) -> String {
        let v = self
            .ok(
                Method::POST,
                "/logged-models",
                Some(json!({"experiment_id": exp, "name": name})),
            )
            .await;
        v["model"]["info"]["model_id"].as_str().unwrap().to_owned()
    }
}

#[tokio::test]
async fn log_model_sequence_without_registration() {
    let app = app_serving_artifacts().await;
    let exp = app.create_experiment("x").await;
    let run = app.run(&exp).await;
    app.ok(
        Method::POST,
        "/runs/log-batch",
        Some(json!({"run_id": run, "metrics": [
            {"key": "rmse", "value": 0.7, "timestamp": 5, "step": 0, "run_id": run},
            {"key": "r2", "value": 0.3, "timestamp": 5, "step": 0, "run_id": run}]})),
    )
    .await;

    // #11 create
    let v = app
        .ok(
            Method::POST,
            "/logged-models",
            Some(
                json!({"experiment_id": exp, "name": "model", "source_run_id": run,
                "params": [{"key": "alpha", "value": "0.5"}],
                "tags": [{"key": "mlflow.user", "value": "me"}]}),
            ),
        )
        .await;
    let info = &v["model"]["info"];
    let id = info["model_id"].as_str().unwrap().to_owned();
    assert!(
        id.len() == 34 && id.starts_with("m-") && id[2..].chars().all(|c| c.is_ascii_hexdigit()),
        "{id}"
    );
    assert_eq!(info["status"], "LOGGED_MODEL_PENDING");
    assert_eq!(
        info["artifact_uri"],
        format!("mlflow-artifacts:/{exp}/models/{id}/artifacts")
    );
    assert_eq!(info["source_run_id"], run.as_str());
    assert_eq!(info["experiment_id"], exp.as_str());
    assert_eq!(v["model"]["data"]["params"][0]["key"], "alpha");

    // #12 link, #16 re-log with model_id (identical rows, no run_id field)
    app.ok(
        Method::POST,
        "/runs/outputs",
        Some(json!({"run_id": run, "models": [{"model_id": id, "step": 0}]})),
    )
    .await;
    app.ok(
        Method::POST,
        "/runs/log-batch",
        Some(json!({"run_id": run, "metrics": [
            {"key": "rmse", "value": 0.7, "timestamp": 5, "step": 0, "model_id": id},
            {"key": "r2", "value": 0.3, "timestamp": 5, "step": 0, "model_id": id}]})),
    )
    .await;

    // #18-22 upload through the proxy's repo, #23 finalize
    let repo = app.artifacts.clone().unwrap();
    let path =
        ferroflow_artifacts::ArtifactPath::parse(&format!("{exp}/models/{id}/artifacts/MLmodel"))
            .unwrap();
    let body: ferroflow_artifacts::ByteStream = Box::pin(futures::stream::once(async {
        Ok(bytes::Bytes::from_static(b"flavors: {}\n"))
    }));
    repo.put(&path, body).await.unwrap();
    let v = app
        .ok(
            Method::PATCH,
            &format!("/logged-models/{id}"),
            Some(json!({"model_id": id, "status": "LOGGED_MODEL_READY"})),
        )
        .await;
    assert_eq!(v["model"]["info"]["status"], "LOGGED_MODEL_READY");

    // #27-28 tags, then read back everything
    app.ok(
        Method::PATCH,
        &format!("/logged-models/{id}/tags"),
        Some(json!({"tags": [{"key": "mlflow.modelVersions", "value": "[]"}]})),
    )
    .await;
    let v = app
        .ok(Method::GET, &format!("/logged-models/{id}"), None)
        .await;
    let metrics = v["model"]["data"]["metrics"].as_array().unwrap();
    assert_eq!(metrics.len(), 2, "{v}");
    assert!(metrics.iter().all(|m| m["model_id"] == id.as_str()));
    let tags: Vec<&str> = v["model"]["info"]["tags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["key"].as_str().unwrap())
        .collect();
    assert_eq!(tags, vec!["mlflow.modelVersions", "mlflow.user"]);

    // The run's metrics are unchanged and it lists the output.
    let r = app
        .ok(
            Method::GET,
            &format!("/runs/get?run_id={run}&run_uuid={run}"),
            None,
        )
        .await;
    assert_eq!(r["run"]["data"]["metrics"].as_array().unwrap().len(), 2);
    assert_eq!(
        r["run"]["outputs"]["model_outputs"][0]["model_id"],
        id.as_str()
    );

    // runs:/<run>/model resolution: search by name.
    let v = app
        .ok(
            Method::POST,
            "/logged-models/search",
            Some(json!({"experiment_ids": [exp], "filter": "name = 'model'"})),
        )
        .await;
    assert_eq!(v["models"][0]["info"]["model_id"], id.as_str());
    assert_eq!(v["models"][0]["info"]["source_run_id"], run.as_str());

    // Listing from the artifact repo, at the root and in a sub-directory.
    let v = app
        .ok(
            Method::GET,
            &format!("/logged-models/{id}/artifacts/directories"),
            None,
        )
        .await;
    assert_eq!(
        v["root_uri"],
        format!("mlflow-artifacts:/{exp}/models/{id}/artifacts")
    );
    assert_eq!(
        v["files"],
        json!([{"path": "MLmodel", "is_dir": false, "file_size": 12}])
    );
    let v = app
        .ok(
            Method::GET,
            &format!("/logged-models/{id}/artifacts/directories?artifact_directory_path=sub"),
            None,
        )
        .await;
    assert!(v.get("files").is_none(), "{v}");
    let r = app
        .call(
            Method::GET,
            &format!("/logged-models/{id}/artifacts/directories?artifact_directory_path=../x"),
            None,
        )
        .await;
    assert_error(&r, 400, "INVALID_PARAMETER_VALUE");
}

#[tokio::test]
async fn tags_params_delete_and_errors() {
    let app = app().await;
    let exp = app.create_experiment("x").await;
    let id = app.model(&exp, "m").await;

    // Tag keys with dots (and slashes) go unencoded in the path.
    app.ok(
        Method::PATCH,
        &format!("/logged-models/{id}/tags"),
        Some(
            json!({"tags": [{"key": "mlflow.model.isExternal", "value": "true"},
                             {"key": "a/b.c", "value": "1"}]}),
        ),
    )
    .await;
    for key in ["mlflow.model.isExternal", "a/b.c"] {
        app.ok(
            Method::DELETE,
            &format!("/logged-models/{id}/tags/{key}"),
            None,
        )
        .await;
    }
    let r = app
        .call(
            Method::DELETE,
            &format!("/logged-models/{id}/tags/mlflow.model.isExternal"),
            None,
        )
        .await;
    assert_error(&r, 404, "RESOURCE_DOES_NOT_EXIST");
    assert_eq!(
        r.1["message"],
        format!("No tag with key 'mlflow.model.isExternal' found for model with ID '{id}'.")
    );

    app.ok(
        Method::POST,
        &format!("/logged-models/{id}/params"),
        Some(json!({"model_id": id, "params": [{"key": "b", "value": "2"}]})),
    )
    .await;
    let r = app
        .call(
            Method::POST,
            &format!("/logged-models/{id}/params"),
            Some(json!({"model_id": id, "params": [{"key": "b", "value": "3"}]})),
        )
        .await;
    assert_eq!(r.0, StatusCode::BAD_REQUEST, "{}", r.1);

    // Finalize needs the model_id in the body too (MLflow's schema), a status, and only an
    // end state.
    let r = app
        .call(
            Method::PATCH,
            &format!("/logged-models/{id}"),
            Some(json!({"status": "LOGGED_MODEL_READY"})),
        )
        .await;
    assert_error(&r, 400, "INVALID_PARAMETER_VALUE");
    assert_eq!(
        r.1["message"],
        "Missing value for required parameter 'model_id'. See the API docs for more \
         information about request parameters."
    );
    let r = app
        .call(
            Method::PATCH,
            &format!("/logged-models/{id}"),
            Some(json!({"model_id": id})),
        )
        .await;
    assert_error(&r, 400, "INVALID_PARAMETER_VALUE");
    let r = app
        .call(
            Method::PATCH,
            &format!("/logged-models/{id}"),
            Some(json!({"model_id": id, "status": "LOGGED_MODEL_PENDING"})),
        )
        .await;
    assert_error(&r, 400, "INVALID_PARAMETER_VALUE");

    // Missing things.
    let r = app.call(Method::GET, "/logged-models/m-nope", None).await;
    assert_error(&r, 404, "RESOURCE_DOES_NOT_EXIST");
    assert_eq!(r.1["message"], "Logged model with ID 'm-nope' not found.");
    let r = app
        .call(
            Method::PATCH,
            "/logged-models/m-nope",
            Some(json!({"model_id": "m-nope", "status": "LOGGED_MODEL_READY"})),
        )
        .await;
    assert_error(&r, 404, "RESOURCE_DOES_NOT_EXIST");
    let r = app
        .call(Method::POST, "/logged-models", Some(json!({"name": "a"})))
        .await;
    assert_error(&r, 400, "INVALID_PARAMETER_VALUE");
    let r = app
        .call(
            Method::POST,
            "/logged-models",
            Some(json!({"experiment_id": "12345"})),
        )
        .await;
    assert_error(&r, 404, "RESOURCE_DOES_NOT_EXIST");
    let r = app
        .call(
            Method::POST,
            "/logged-models",
            Some(json!({"experiment_id": exp, "name": "a/b"})),
        )
        .await;
    assert_error(&r, 400, "INVALID_PARAMETER_VALUE");

    // Without an artifact repo the listing is refused, not faked.
    let r = app
        .call(
            Method::GET,
            &format!("/logged-models/{id}/artifacts/directories"),
            None,
        )
        .await;
    assert_error(&r, 501, "NOT_IMPLEMENTED");

    // Soft delete: gone for get and search, visible with allow_deleted.
    app.ok(
        Method::DELETE,
        &format!("/logged-models/{id}"),
        Some(json!({"model_id": id})),
    )
    .await;
    let r = app
        .call(Method::GET, &format!("/logged-models/{id}"), None)
        .await;
    assert_error(&r, 404, "RESOURCE_DOES_NOT_EXIST");
    let v = app
        .ok(
            Method::GET,
            &format!("/logged-models/{id}?allow_deleted=True"),
            None,
        )
        .await;
    assert_eq!(v["model"]["info"]["model_id"], id.as_str());
    let v = app
        .ok(
            Method::POST,
            "/logged-models/search",
            Some(json!({"experiment_ids": [exp]})),
        )
        .await;
    assert_eq!(v, json!({}), "empty search result is {{}}");
}

#[tokio::test]
async fn search_pagination_order_and_validation() {
    let app = app().await;
    let exp = app.create_experiment("x").await;
    let mut ids = Vec::new();
    for name in ["c", "a", "b"] {
        ids.push(app.model(&exp, name).await);
    }
    let body = |extra: Value| {
        let mut b = json!({"experiment_ids": [exp], "max_results": 2,
            "order_by": [{"field_name": "name", "ascending": true}]});
        for (k, v) in extra.as_object().unwrap() {
            b[k] = v.clone();
        }
        b
    };
    let v = app
        .ok(Method::POST, "/logged-models/search", Some(body(json!({}))))
        .await;
    let names: Vec<&str> = v["models"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["info"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, vec!["a", "b"]);
    let token = v["next_page_token"].as_str().unwrap().to_owned();
    let v = app
        .ok(
            Method::POST,
            "/logged-models/search",
            Some(body(json!({"page_token": token}))),
        )
        .await;
    assert_eq!(v["models"][0]["info"]["name"], "c");
    assert!(v.get("next_page_token").is_none());

    // The token belongs to its query.
    let r = app
        .call(
            Method::POST,
            "/logged-models/search",
            Some(body(json!({"page_token": token, "filter": "name = 'a'"}))),
        )
        .await;
    assert_error(&r, 400, "INVALID_PARAMETER_VALUE");
    let r = app
        .call(
            Method::POST,
            "/logged-models/search",
            Some(body(json!({"page_token": "not base64!"}))),
        )
        .await;
    assert_error(&r, 400, "INVALID_PARAMETER_VALUE");

    for (bad, message) in [
        (
            json!({"experiment_ids": []}),
            "Missing value for required parameter 'experiment_ids'",
        ),
        (
            json!({"experiment_ids": ["abc"]}),
            "Invalid experiment ID 'abc'",
        ),
        (
            json!({"experiment_ids": [exp], "order_by": [{"field_name": "nope"}]}),
            "Invalid order by field name: nope",
        ),
        (
            json!({"experiment_ids": [exp], "order_by": [{"field_name": "params.a"}]}),
            "Only metrics are supported",
        ),
        (
            json!({"experiment_ids": [exp], "datasets": [{"dataset_digest": "d"}]}),
            "`dataset_name` in the `datasets` clause must be specified.",
        ),
        (
            json!({"experiment_ids": [exp], "filter": "foo = 1"}),
            "Invalid logged model search key",
        ),
    ] {
        let r = app
            .call(Method::POST, "/logged-models/search", Some(bad.clone()))
            .await;
        assert_error(&r, 400, "INVALID_PARAMETER_VALUE");
        assert!(
            r.1["message"].as_str().unwrap().contains(message),
            "{bad}: {}",
            r.1
        );
    }

    // Routes exist under the ajax prefix too.
    let (status, _) = app
        .raw(
            Request::get(format!("/ajax-api/2.0/mlflow/logged-models/{}", ids[0]))
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
}
