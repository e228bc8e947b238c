//! In-process tests of the tracking REST API over a real SQLite store: every endpoint's happy
//! path and the error answers (status + `error_code`) the official server gives.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use common::{App, app, app_with, assert_error};
use ferroflow_service::TrackingConfig;
use serde_json::{Value, json};

impl App {
    async fn create_run(&self, exp: &str) -> String {
        let v = self
            .ok_post(
                "/runs/create",
                json!({"experiment_id": exp, "run_name": "r"}),
            )
            .await;
        v["run"]["info"]["run_id"].as_str().unwrap().to_owned()
    }
}

// ------------------------------------------------------------------------------ metadata

#[tokio::test]
async fn health_version_server_info() {
    let app = app().await;
    let (s, b) = app
        .raw(Request::get("/health").body(Body::empty()).unwrap())
        .await;
    assert_eq!((s, b.as_str()), (StatusCode::OK, "OK"));
    let (s, b) = app
        .raw(Request::get("/version").body(Body::empty()).unwrap())
        .await;
    assert_eq!((s, b.as_str()), (StatusCode::OK, "3.17.2"));
    for prefix in ["/api/3.0/mlflow", "/ajax-api/3.0/mlflow"] {
        let (s, b) = app
            .raw(
                Request::get(format!("{prefix}/server-info"))
                    .body(Body::empty())
                    .unwrap(),
            )
            .await;
        assert_eq!(s, StatusCode::OK);
        let v: Value = serde_json::from_str(&b).unwrap();
        assert_eq!(v["store_type"], "SqlStore");
        assert_eq!(v["artifact_serving_enabled"], false);
        assert_eq!(v["multipart_uploads_enabled"], false);
        assert_eq!(v["multipart_downloads_enabled"], false);
    }
}

#[tokio::test]
async fn unknown_paths_and_wrong_methods() {
    let app = app().await;
    let r = app.get("/nope").await;
    assert_error(&r, 404, "ENDPOINT_NOT_FOUND");
    let (s, _) = app
        .raw(
            Request::put("/api/2.0/mlflow/runs/create")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(s, StatusCode::METHOD_NOT_ALLOWED);
    let r = app.post("/experiments/get", json!({})).await;
    assert_eq!(r.0, StatusCode::METHOD_NOT_ALLOWED);
}

#[tokio::test]
async fn ajax_twin_serves_the_same_table() {
    let app = app().await;
    let (s, b) = app
        .raw(
            Request::get("/ajax-api/2.0/mlflow/experiments/get?experiment_id=0")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let v: Value = serde_json::from_str(&b).unwrap();
    assert_eq!(v["experiment"]["name"], "Default");
}

// ------------------------------------------------------------------------------ transport

#[tokio::test]
async fn malformed_bodies_and_content_types_are_mlflow_errors() {
    let app = app().await;
    let send = |ct: Option<&str>, body: &str| {
        let mut b = Request::post("/api/2.0/mlflow/experiments/create");
        if let Some(ct) = ct {
            b = b.header("content-type", ct);
        }
        b.body(Body::from(body.to_owned())).unwrap()
    };
    for (ct, body, msg) in [
        (
            None,
            r#"{"name":"a"}"#,
            "Bad Request. Content-Type header is missing.",
        ),
        (
            Some("text/plain"),
            r#"{"name":"a"}"#,
            "Bad Request. Content-Type must be one of ['application/json'].",
        ),
        (Some("application/json"), "{bad", "Malformed JSON"),
        (Some("application/json"), "[1]", "Malformed JSON"),
        (
            Some("application/json"),
            r#"{"name":5}"#,
            "Invalid value 5 for parameter 'name' supplied:  Hint: Value was of type 'int'.",
        ),
        (
            Some("application/json"),
            r#"{"name":""}"#,
            "Missing value for required parameter 'name'.",
        ),
        (
            Some("application/json"),
            r#"{"name":"e","artifact_location":"/a","artifactLocation":"/b"}"#,
            "Request specifies both 'artifact_location' and 'artifactLocation'",
        ),
    ] {
        let (s, b) = app.raw(send(ct, body)).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{body}: {b}");
        let v: Value = serde_json::from_str(&b).unwrap();
        assert_eq!(v["error_code"], "INVALID_PARAMETER_VALUE", "{b}");
        assert!(v["message"].as_str().unwrap().starts_with(msg), "{b}");
    }
    // A charset parameter and camelCase names are fine; so is a double-encoded body.
    let (s, b) = app
        .raw(send(
            Some("application/json; charset=utf-8"),
            r#"{"name":"x","artifactLocation":"/tmp/x"}"#,
        ))
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let (s, b) = app
        .raw(send(Some("application/json"), r#""{\"name\":\"y\"}""#))
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
}

#[tokio::test]
async fn bad_query_parameters_are_400() {
    let app = app().await;
    let exp = app.create_experiment("q").await;
    let run = app.create_run(&exp).await;
    let r = app
        .get(&format!(
            "/metrics/get-history?run_id={run}&metric_key=m&max_results=abc"
        ))
        .await;
    assert_error(&r, 400, "INVALID_PARAMETER_VALUE");
    let r = app
        .get("/experiments/search?max_results=10&view_type=BOGUS")
        .await;
    assert_error(&r, 400, "INVALID_PARAMETER_VALUE");
}

// ---------------------------------------------------------------------------- experiments

#[tokio::test]
async fn experiment_lifecycle() {
    let app = app().await;
    let id = app.create_experiment("exp").await;
    assert_eq!(id, "1");
    let v = app
        .ok_get(&format!("/experiments/get?experiment_id={id}"))
        .await;
    let e = &v["experiment"];
    assert_eq!(e["name"], "exp");
    assert_eq!(e["artifact_location"], "mlflow-artifacts:/1");
    assert_eq!(e["lifecycle_stage"], "active");
    assert!(e["creation_time"].as_i64().unwrap() > 0);

    let v = app
        .ok_get("/experiments/get-by-name?experiment_name=exp")
        .await;
    assert_eq!(v["experiment"]["experiment_id"], "1");

    assert_error(
        &app.post("/experiments/create", json!({"name": "exp"}))
            .await,
        400,
        "RESOURCE_ALREADY_EXISTS",
    );
    assert_error(
        &app.post("/experiments/create", json!({"name": "   "}))
            .await,
        400,
        "INVALID_PARAMETER_VALUE",
    );
    assert_error(
        &app.post("/experiments/create", json!({"name": "n".repeat(501)}))
            .await,
        400,
        "INVALID_PARAMETER_VALUE",
    );

    app.ok_post(
        "/experiments/update",
        json!({"experiment_id": id, "new_name": "exp2"}),
    )
    .await;
    let v = app
        .ok_get(&format!("/experiments/get?experiment_id={id}"))
        .await;
    assert_eq!(v["experiment"]["name"], "exp2");

    app.ok_post(
        "/experiments/set-experiment-tag",
        json!({"experiment_id": id, "key": "k", "value": "v"}),
    )
    .await;
    let v = app
        .ok_get(&format!("/experiments/get?experiment_id={id}"))
        .await;
    assert_eq!(v["experiment"]["tags"], json!([{"key": "k", "value": "v"}]));
    app.ok_post(
        "/experiments/delete-experiment-tag",
        json!({"experiment_id": id, "key": "k"}),
    )
    .await;
    let r = app
        .post(
            "/experiments/delete-experiment-tag",
            json!({"experiment_id": id, "key": "k"}),
        )
        .await;
    assert_error(&r, 404, "RESOURCE_DOES_NOT_EXIST");
    assert_eq!(
        r.1["message"],
        "No tag with name: k in experiment with id 1"
    );
    let r = app
        .post(
            "/experiments/set-experiment-tag",
            json!({"experiment_id": id, "key": "k", "value": "v".repeat(20001)}),
        )
        .await;
    assert_error(&r, 400, "INVALID_PARAMETER_VALUE");

    app.ok_post("/experiments/delete", json!({"experiment_id": id}))
        .await;
    let v = app
        .ok_get("/experiments/get-by-name?experiment_name=exp2")
        .await;
    assert_eq!(v["experiment"]["lifecycle_stage"], "deleted");
    let r = app.post("/runs/create", json!({"experiment_id": id})).await;
    assert_error(&r, 400, "INVALID_PARAMETER_VALUE");
    assert_eq!(
        r.1["message"],
        "The experiment 1 must be in the 'active' state. Current state is deleted."
    );
    app.ok_post("/experiments/restore", json!({"experiment_id": id}))
        .await;
    let v = app
        .ok_get(&format!("/experiments/get?experiment_id={id}"))
        .await;
    assert_eq!(v["experiment"]["lifecycle_stage"], "active");
}

#[tokio::test]
async fn experiment_errors() {
    let app = app().await;
    let r = app.get("/experiments/get?experiment_id=abc").await;
    assert_error(&r, 400, "INVALID_PARAMETER_VALUE");
    assert_eq!(
        r.1["message"],
        "Invalid experiment ID 'abc'. Experiment ID must be a valid integer."
    );
    let r = app.get("/experiments/get?experiment_id=99").await;
    assert_error(&r, 404, "RESOURCE_DOES_NOT_EXIST");
    assert_eq!(r.1["message"], "No Experiment with id=99 exists");
    let r = app.get("/experiments/get").await;
    assert_error(&r, 400, "INVALID_PARAMETER_VALUE");
    assert_eq!(
        r.1["message"],
        "Missing value for required parameter 'experiment_id'. See the API docs for more information about request parameters."
    );
    let r = app.get("/experiments/get-by-name?experiment_name=zz").await;
    assert_error(&r, 404, "RESOURCE_DOES_NOT_EXIST");
    assert_eq!(r.1["message"], "Could not find experiment with name 'zz'");
    assert_error(
        &app.post("/experiments/delete", json!({"experiment_id": "42"}))
            .await,
        404,
        "RESOURCE_DOES_NOT_EXIST",
    );
    assert_error(
        &app.post("/experiments/restore", json!({"experiment_id": "0"}))
            .await,
        404,
        "RESOURCE_DOES_NOT_EXIST",
    );
    assert_error(
        &app.post("/experiments/update", json!({"experiment_id": "0"}))
            .await,
        400,
        "INVALID_PARAMETER_VALUE",
    );
}

#[tokio::test]
async fn search_experiments_paging_and_bounds() {
    let app = app().await;
    for n in ["a", "b", "c"] {
        app.create_experiment(n).await;
    }
    let v = app
        .ok_post("/experiments/search", json!({"max_results": 2}))
        .await;
    let names: Vec<_> = v["experiments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["name"].clone())
        .collect();
    assert_eq!(names.len(), 2);
    let token = v["next_page_token"]
        .as_str()
        .expect("a second page")
        .to_owned();
    let v = app
        .ok_post(
            "/experiments/search",
            json!({"max_results": 2, "page_token": token}),
        )
        .await;
    let total = 2 + v["experiments"].as_array().unwrap().len();
    assert_eq!(total, 4, "Default + 3");
    assert!(v.get("next_page_token").is_none(), "{v}");
    // GET twin with string numbers and enum names.
    let v = app
        .ok_get("/experiments/search?max_results=50&view_type=ALL")
        .await;
    assert_eq!(v["experiments"].as_array().unwrap().len(), 4);

    for (body, msg) in [
        (
            json!({}),
            "Invalid value 0 for parameter 'max_results' supplied. It must be a positive integer",
        ),
        (
            json!({"max_results": 50001}),
            "Invalid value 50001 for parameter 'max_results' supplied. It must be at most 50000",
        ),
        (
            json!({"max_results": 1, "page_token": "garbage"}),
            "Invalid page token, could not base64-decode",
        ),
    ] {
        let r = app.post("/experiments/search", body).await;
        assert_error(&r, 400, "INVALID_PARAMETER_VALUE");
        assert_eq!(r.1["message"], msg);
    }
}

// ----------------------------------------------------------------------------------- runs

#[tokio::test]
async fn run_lifecycle_and_naming() {
    let app = app().await;
    let exp = app.create_experiment("runs").await;
    let v = app
        .ok_post(
            "/runs/create",
            json!({"experiment_id": exp, "user_id": "u", "run_name": "r", "start_time": "123",
                   "tags": [{"key": "mlflow.runName", "value": "r"}, {"key": "t", "value": "1"}]}),
        )
        .await;
    let info = &v["run"]["info"];
    let run_id = info["run_id"].as_str().unwrap().to_owned();
    assert_eq!(run_id.len(), 32);
    assert_eq!(info["run_uuid"], run_id.as_str());
    assert_eq!(info["status"], "RUNNING");
    assert_eq!(info["start_time"], 123);
    assert_eq!(info["run_name"], "r");
    assert_eq!(
        info["artifact_uri"],
        format!("mlflow-artifacts:/{exp}/{run_id}/artifacts")
    );
    assert_eq!(v["run"]["inputs"], json!({}));

    // Conflicting names.
    let r = app
        .post("/runs/create", json!({"experiment_id": exp, "run_name": "a", "tags": [{"key": "mlflow.runName", "value": "b"}]}))
        .await;
    assert_error(&r, 400, "INVALID_PARAMETER_VALUE");
    assert_eq!(
        r.1["message"],
        "Both 'run_name' argument and 'mlflow.runName' tag are specified, but with different values (run_name='a', mlflow.runName='b')."
    );
    // Generated name, recorded as the tag.
    let v = app
        .ok_post("/runs/create", json!({"experiment_id": exp}))
        .await;
    let name = v["run"]["info"]["run_name"].as_str().unwrap().to_owned();
    assert_eq!(name.split('-').count(), 3, "{name}");
    let tags = v["run"]["data"]["tags"].as_array().unwrap();
    assert!(
        tags.iter()
            .any(|t| t["key"] == "mlflow.runName" && t["value"] == name.as_str())
    );

    // GET with run_uuid only (old clients) and both.
    let v = app.ok_get(&format!("/runs/get?run_uuid={run_id}")).await;
    assert_eq!(v["run"]["info"]["run_id"], run_id.as_str());

    let v = app
        .ok_post(
            "/runs/update",
            json!({"run_id": run_id, "status": "FINISHED", "end_time": 456, "run_name": "renamed"}),
        )
        .await;
    assert_eq!(v["run_info"]["status"], "FINISHED");
    assert_eq!(v["run_info"]["end_time"], 456);
    assert_eq!(v["run_info"]["run_name"], "renamed");
    let v = app
        .ok_get(&format!("/runs/get?run_id={run_id}&run_uuid={run_id}"))
        .await;
    let tags = v["run"]["data"]["tags"].as_array().unwrap();
    assert!(
        tags.iter()
            .any(|t| t["key"] == "mlflow.runName" && t["value"] == "renamed"),
        "{v}"
    );

    // set-tag mlflow.runName renames.
    app.ok_post(
        "/runs/set-tag",
        json!({"run_id": run_id, "key": "mlflow.runName", "value": "again"}),
    )
    .await;
    let v = app.ok_get(&format!("/runs/get?run_id={run_id}")).await;
    assert_eq!(v["run"]["info"]["run_name"], "again");

    app.ok_post("/runs/delete", json!({"run_id": run_id})).await;
    let v = app.ok_get(&format!("/runs/get?run_id={run_id}")).await;
    assert_eq!(v["run"]["info"]["lifecycle_stage"], "deleted");
    let r = app
        .post(
            "/runs/log-parameter",
            json!({"run_id": run_id, "key": "p", "value": "1"}),
        )
        .await;
    assert_error(&r, 400, "INVALID_PARAMETER_VALUE");
    app.ok_post("/runs/restore", json!({"run_id": run_id}))
        .await;
    app.ok_post(
        "/runs/log-parameter",
        json!({"run_id": run_id, "key": "p", "value": "1"}),
    )
    .await;
}

#[tokio::test]
async fn run_errors() {
    let app = app().await;
    let r = app.get("/runs/get?run_id=abc").await;
    assert_error(&r, 404, "RESOURCE_DOES_NOT_EXIST");
    assert_eq!(r.1["message"], "Run with id=abc not found");
    assert_error(
        &app.get("/runs/get?run_id=a%24b").await,
        404,
        "RESOURCE_DOES_NOT_EXIST",
    );
    assert_error(&app.get("/runs/get").await, 400, "INVALID_PARAMETER_VALUE");
    assert_error(
        &app.post("/runs/create", json!({"experiment_id": "77"}))
            .await,
        404,
        "RESOURCE_DOES_NOT_EXIST",
    );
    assert_error(
        &app.post(
            "/runs/update",
            json!({"run_id": "nope", "status": "FINISHED"}),
        )
        .await,
        404,
        "RESOURCE_DOES_NOT_EXIST",
    );
    assert_error(
        &app.post("/runs/update", json!({"run_id": "nope", "status": "DONE"}))
            .await,
        400,
        "INVALID_PARAMETER_VALUE",
    );
    assert_error(
        &app.post("/runs/delete", json!({})).await,
        400,
        "INVALID_PARAMETER_VALUE",
    );
    assert_error(
        &app.post(
            "/runs/log-metric",
            json!({"run_id": "nope", "key": "m", "value": 1, "timestamp": 1}),
        )
        .await,
        404,
        "RESOURCE_DOES_NOT_EXIST",
    );
}

#[tokio::test]
async fn params_tags_and_metrics() {
    let app = app().await;
    let exp = app.create_experiment("p").await;
    let run = app.create_run(&exp).await;

    app.ok_post(
        "/runs/log-parameter",
        json!({"run_id": run, "run_uuid": run, "key": "alpha", "value": "0.5"}),
    )
    .await;
    app.ok_post(
        "/runs/log-parameter",
        json!({"run_id": run, "key": "alpha", "value": "0.5"}),
    )
    .await;
    let r = app
        .post(
            "/runs/log-parameter",
            json!({"run_id": run, "key": "alpha", "value": "0.6"}),
        )
        .await;
    assert_error(&r, 400, "INVALID_PARAMETER_VALUE");
    assert!(
        r.1["message"]
            .as_str()
            .unwrap()
            .starts_with("Changing param values is not allowed"),
        "{}",
        r.1
    );
    let r = app
        .post(
            "/runs/log-parameter",
            json!({"run_id": run, "key": "bad$key", "value": "1"}),
        )
        .await;
    assert_error(&r, 400, "INVALID_PARAMETER_VALUE");

    // Long values are truncated by default (param 6000, tag 8000).
    app.ok_post(
        "/runs/log-parameter",
        json!({"run_id": run, "key": "long", "value": "x".repeat(7000)}),
    )
    .await;
    app.ok_post(
        "/runs/set-tag",
        json!({"run_id": run, "key": "longtag", "value": "y".repeat(9000)}),
    )
    .await;

    app.ok_post(
        "/runs/log-metric",
        json!({"run_id": run, "key": "m", "value": 1.5, "timestamp": 10, "step": 1}),
    )
    .await;
    app.ok_post(
        "/runs/log-metric",
        json!({"run_id": run, "key": "m", "value": "NaN", "timestamp": "11", "step": "2"}),
    )
    .await;
    app.ok_post(
        "/runs/log-metric",
        json!({"run_id": run, "key": "inf", "value": "-Infinity", "timestamp": 11}),
    )
    .await;
    let r = app
        .post(
            "/runs/log-metric",
            json!({"run_id": run, "key": "m", "value": 1, "timestamp": -1}),
        )
        .await;
    assert_error(&r, 400, "INVALID_PARAMETER_VALUE");
    let r = app
        .post(
            "/runs/log-metric",
            json!({"run_id": run, "key": "m", "value": 1}),
        )
        .await;
    assert_error(&r, 400, "INVALID_PARAMETER_VALUE");

    app.ok_post(
        "/runs/set-tag",
        json!({"run_id": run, "key": "t", "value": "v"}),
    )
    .await;
    app.ok_post("/runs/delete-tag", json!({"run_id": run, "key": "t"}))
        .await;
    let r = app
        .post("/runs/delete-tag", json!({"run_id": run, "key": "t"}))
        .await;
    assert_error(&r, 404, "RESOURCE_DOES_NOT_EXIST");
    assert_eq!(
        r.1["message"],
        format!("No tag with name: t in run with id {run}")
    );

    let v = app.ok_get(&format!("/runs/get?run_id={run}")).await;
    let data = &v["run"]["data"];
    let params = data["params"].as_array().unwrap();
    let long = params.iter().find(|p| p["key"] == "long").unwrap();
    assert_eq!(long["value"].as_str().unwrap().len(), 6000);
    let tags = data["tags"].as_array().unwrap();
    assert!(!tags.iter().any(|t| t["key"] == "t"));
    let longtag = tags.iter().find(|t| t["key"] == "longtag").unwrap();
    assert_eq!(longtag["value"].as_str().unwrap().len(), 8000);
    let metrics = data["metrics"].as_array().unwrap();
    let m = metrics.iter().find(|m| m["key"] == "m").unwrap();
    assert_eq!(m["value"], "NaN", "latest by step is the NaN point: {m}");
    let inf = metrics.iter().find(|m| m["key"] == "inf").unwrap();
    assert!(
        inf["value"] == "-Infinity" || inf["value"].as_f64() == Some(-f64::MAX),
        "{inf}"
    );

    // History, paged with a cursor token.
    for step in 3..8 {
        app.ok_post(
            "/runs/log-metric",
            json!({"run_id": run, "key": "m", "value": step, "timestamp": 20, "step": step}),
        )
        .await;
    }
    let mut seen = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let mut q =
            format!("/metrics/get-history?run_uuid={run}&run_id={run}&metric_key=m&max_results=3");
        if let Some(t) = &token {
            q.push_str(&format!("&page_token={t}"));
        }
        let v = app.ok_get(&q).await;
        for m in v["metrics"].as_array().unwrap() {
            seen.push(m["step"].as_i64().unwrap());
        }
        match v["next_page_token"].as_str() {
            Some(t) => token = Some(t.to_owned()),
            None => break,
        }
    }
    assert_eq!(seen, vec![1, 2, 3, 4, 5, 6, 7]);
    let r = app
        .get(&format!(
            "/metrics/get-history?run_id={run}&metric_key=m&max_results=0"
        ))
        .await;
    assert_error(&r, 400, "INVALID_PARAMETER_VALUE");
    let r = app.get(&format!("/metrics/get-history?run_id={run}")).await;
    assert_error(&r, 400, "INVALID_PARAMETER_VALUE");
    let r = app
        .get(&format!(
            "/metrics/get-history?run_id={run}&metric_key=m&page_token=%%%"
        ))
        .await;
    assert_error(&r, 400, "INVALID_PARAMETER_VALUE");
}

#[tokio::test]
async fn log_batch_rules() {
    let app = app().await;
    let exp = app.create_experiment("b").await;
    let run = app.create_run(&exp).await;
    app.ok_post(
        "/runs/log-batch",
        json!({"run_id": run,
               "metrics": [{"key": "rmse", "value": 0.7, "timestamp": 5, "step": 0, "run_id": run},
                           {"key": "r2", "value": 0.3, "timestamp": 5}],
               "params": [{"key": "alpha", "value": "0.5"}],
               "tags": [{"key": "x", "value": "y"}]}),
    )
    .await;
    // Re-logging identical metric rows (as log_model does) is accepted.
    app.ok_post("/runs/log-batch", json!({"run_id": run, "metrics": [{"key": "rmse", "value": 0.7, "timestamp": 5, "step": 0, "model_id": "m-1"}]})).await;
    // Empty batch on an existing run is fine.
    app.ok_post("/runs/log-batch", json!({"run_id": run})).await;

    let r = app.post("/runs/log-batch", json!({"run_id": run, "params": [{"key": "d", "value": "1"}, {"key": "d", "value": "1"}]})).await;
    assert_error(&r, 400, "INVALID_PARAMETER_VALUE");
    assert!(
        r.1["message"]
            .as_str()
            .unwrap()
            .starts_with("Duplicate parameter keys have been submitted: ['d']")
    );

    let params: Vec<_> = (0..101)
        .map(|i| json!({"key": format!("p{i}"), "value": "v"}))
        .collect();
    let r = app
        .post("/runs/log-batch", json!({"run_id": run, "params": params}))
        .await;
    assert_error(&r, 400, "INVALID_PARAMETER_VALUE");
    assert!(
        r.1["message"]
            .as_str()
            .unwrap()
            .starts_with("A batch logging request can contain at most 100 params. Got 101 params.")
    );

    let metrics: Vec<_> = (0..1001)
        .map(|i| json!({"key": "m", "value": i, "timestamp": 1, "step": i}))
        .collect();
    let r = app
        .post(
            "/runs/log-batch",
            json!({"run_id": run, "metrics": metrics}),
        )
        .await;
    assert_error(&r, 400, "INVALID_PARAMETER_VALUE");

    let r = app
        .post(
            "/runs/log-batch",
            json!({"run_id": run, "metrics": [{"value": 1, "timestamp": 1}]}),
        )
        .await;
    assert_error(&r, 400, "INVALID_PARAMETER_VALUE");
    assert!(
        r.1["message"]
            .as_str()
            .unwrap()
            .contains("'metrics[0].key'"),
        "{}",
        r.1
    );
    let r = app
        .post(
            "/runs/log-batch",
            json!({"run_id": "nope", "tags": [{"key": "a", "value": "b"}]}),
        )
        .await;
    assert_error(&r, 404, "RESOURCE_DOES_NOT_EXIST");
    let r = app.post("/runs/log-batch", json!({"metrics": []})).await;
    assert_error(&r, 400, "INVALID_PARAMETER_VALUE");

    // A body over 1 MB is accepted, as on the official server; values get truncated.
    let tags: Vec<_> = (0..100)
        .map(|i| json!({"key": format!("k{i}"), "value": "x".repeat(11000)}))
        .collect();
    app.ok_post("/runs/log-batch", json!({"run_id": run, "tags": tags}))
        .await;

    let v = app.ok_get(&format!("/runs/get?run_id={run}")).await;
    let metrics = v["run"]["data"]["metrics"].as_array().unwrap();
    assert_eq!(metrics.len(), 2);
}

#[tokio::test]
async fn long_values_refused_without_truncation() {
    let app = app_with(TrackingConfig {
        truncate_long_values: false,
        ..TrackingConfig::default()
    })
    .await;
    let exp = app.create_experiment("t").await;
    let run = app.create_run(&exp).await;
    let r = app
        .post(
            "/runs/log-parameter",
            json!({"run_id": run, "key": "long", "value": "x".repeat(6001)}),
        )
        .await;
    assert_error(&r, 400, "INVALID_PARAMETER_VALUE");
}

#[tokio::test]
async fn inputs_and_outputs() {
    let app = app().await;
    let exp = app.create_experiment("io").await;
    let run = app.create_run(&exp).await;
    app.ok_post(
        "/runs/log-inputs",
        json!({"run_id": run, "datasets": [{
            "tags": [{"key": "mlflow.data.context", "value": "training"}],
            "dataset": {"name": "d", "digest": "abc", "source_type": "local", "source": "{}", "schema": "{}"}
        }]}),
    )
    .await;
    app.ok_post(
        "/runs/outputs",
        json!({"run_id": run, "models": [{"model_id": "m-1", "step": 0}]}),
    )
    .await;
    let v = app.ok_get(&format!("/runs/get?run_id={run}")).await;
    let inputs = &v["run"]["inputs"]["dataset_inputs"];
    assert_eq!(inputs[0]["dataset"]["name"], "d");
    assert_eq!(inputs[0]["tags"][0]["value"], "training");
    assert_eq!(v["run"]["outputs"]["model_outputs"][0]["model_id"], "m-1");

    let r = app.post("/runs/outputs", json!({"run_id": run})).await;
    assert_error(&r, 400, "INVALID_PARAMETER_VALUE");
    // MLflow 3.17.2 stores a dataset with absent fields as empty strings.
    app.ok_post(
        "/runs/log-inputs",
        json!({"run_id": run, "datasets": [{"dataset": {"name": "d"}}]}),
    )
    .await;
    let v = app.ok_get(&format!("/runs/get?run_id={run}")).await;
    let minimal = v["run"]["inputs"]["dataset_inputs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["dataset"]["digest"] == "")
        .expect("the minimal dataset");
    assert_eq!(minimal["dataset"]["name"], "d");
    assert_eq!(minimal["dataset"]["source_type"], "");
    let r = app
        .post(
            "/runs/log-inputs",
            json!({"run_id": "nope", "datasets": []}),
        )
        .await;
    assert_error(&r, 404, "RESOURCE_DOES_NOT_EXIST");
}

#[tokio::test]
async fn search_runs() {
    let app = app().await;
    let exp = app.create_experiment("s").await;
    let mut ids = Vec::new();
    for t in 0..3 {
        let v = app
            .ok_post(
                "/runs/create",
                json!({"experiment_id": exp, "start_time": 1000 + t}),
            )
            .await;
        ids.push(v["run"]["info"]["run_id"].as_str().unwrap().to_owned());
    }
    let v = app.ok_post("/runs/search", json!({"experiment_ids": [exp], "filter": "", "run_view_type": "ACTIVE_ONLY", "max_results": 2})).await;
    let runs = v["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 2);
    // Default order: newest start_time first.
    assert_eq!(runs[0]["info"]["run_id"], ids[2].as_str());
    let token = v["next_page_token"].as_str().unwrap();
    let v = app
        .ok_post(
            "/runs/search",
            json!({"experiment_ids": [exp], "max_results": 2, "page_token": token}),
        )
        .await;
    assert_eq!(v["runs"].as_array().unwrap().len(), 1);
    assert_eq!(v["runs"][0]["info"]["run_id"], ids[0].as_str());

    let v = app
        .ok_post("/runs/search", json!({"experiment_ids": []}))
        .await;
    assert_eq!(v, json!({}));
    let r = app
        .post(
            "/runs/search",
            json!({"experiment_ids": [exp], "max_results": 50001}),
        )
        .await;
    assert_error(&r, 400, "INVALID_PARAMETER_VALUE");
    let r = app
        .post("/runs/search", json!({"experiment_ids": ["x"]}))
        .await;
    assert_error(&r, 400, "INVALID_PARAMETER_VALUE");
}

#[tokio::test]
async fn bulk_histories() {
    let app = app().await;
    let exp = app.create_experiment("bulk").await;
    let a = app.create_run(&exp).await;
    let b = app.create_run(&exp).await;
    for run in [&a, &b] {
        let metrics: Vec<_> = (0..50)
            .map(|i| json!({"key": "loss", "value": i, "timestamp": i, "step": i}))
            .collect();
        app.ok_post(
            "/runs/log-batch",
            json!({"run_id": run, "metrics": metrics}),
        )
        .await;
    }
    let v = app
        .ok_get(&format!("/metrics/get-history-bulk-interval?run_ids={a}&run_ids={b}&metric_key=loss&max_results=10"))
        .await;
    let pts = v["metrics"].as_array().unwrap();
    assert_eq!(pts.iter().filter(|p| p["run_id"] == a.as_str()).count(), 10);
    assert_eq!(pts.iter().filter(|p| p["run_id"] == b.as_str()).count(), 10);
    assert!(
        pts.iter()
            .any(|p| p["run_id"] == a.as_str() && p["step"] == 49),
        "last point kept"
    );

    let v = app.ok_get(&format!("/metrics/get-history-bulk-interval?run_ids={a}&metric_key=loss&start_step=10&end_step=20")).await;
    let steps: Vec<_> = v["metrics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["step"].as_i64().unwrap())
        .collect();
    assert_eq!(steps, (10..=20).collect::<Vec<_>>());

    for q in [
        format!("run_ids={a}&metric_key=loss&start_step=5"),
        format!("run_ids={a}&metric_key=loss&start_step=5&end_step=1"),
        format!("run_ids={a}&metric_key=loss&max_results=2501"),
        format!("run_ids={a}"),
        "metric_key=loss".to_owned(),
    ] {
        let r = app
            .get(&format!("/metrics/get-history-bulk-interval?{q}"))
            .await;
        assert_error(&r, 400, "INVALID_PARAMETER_VALUE");
    }

    let (s, body) = app
        .raw(
            Request::get(format!("/ajax-api/2.0/mlflow/metrics/get-history-bulk?run_id={a}&run_id={b}&metric_key=loss&max_results=60"))
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{body}");
    let v: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["metrics"].as_array().unwrap().len(), 60);
    let r = app.get("/metrics/get-history-bulk?metric_key=loss").await;
    assert_error(&r, 400, "INVALID_PARAMETER_VALUE");
}
