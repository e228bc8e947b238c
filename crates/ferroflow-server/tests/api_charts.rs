//! In-process tests of the UI's downsampled metric history over a real SQLite store: the
//! reduction keeps spikes and NaN gaps, both mounts answer, and bad input is a 4xx in MLflow's
//! error format.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use common::{App, app, assert_error};
use serde_json::{Value, json};

impl App {
    async fn downsampled(&self, prefix: &str, query: &str) -> (StatusCode, Value) {
        let uri = format!("{prefix}/metrics/get-history-downsampled?{query}");
        self.send(Request::get(uri).body(Body::empty()).unwrap())
            .await
    }

    async fn run(&self) -> String {
        let v = self
            .ok_post(
                "/runs/create",
                json!({"experiment_id": "0", "run_name": "r"}),
            )
            .await;
        v["run"]["info"]["run_id"].as_str().unwrap().to_owned()
    }

    /// `n` points of a ramp with a few anomalies, logged through log-batch like a client.
    async fn seed(&self, run: &str, n: i64) {
        for start in (0..n).step_by(1000) {
            let metrics: Vec<Value> = (start..(start + 1000).min(n))
                .map(|s| {
                    let v = match s {
                        1234 => json!(1e9),
                        2000 => json!("NaN"),
                        2500 => json!("-Infinity"),
                        _ => json!((s % 100) as f64 / 100.0),
                    };
                    json!({"key": "loss", "value": v, "timestamp": 1_000_000 + s * 10, "step": s})
                })
                .collect();
            self.ok_post(
                "/runs/log-batch",
                json!({"run_id": run, "metrics": metrics}),
            )
            .await;
        }
    }
}

fn point_at(series: &Value, step: i64) -> Option<&Value> {
    series["points"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["step"] == step)
}

#[tokio::test]
async fn reduces_history_keeping_spikes_and_gaps() {
    let app = app().await;
    let a = app.run().await;
    let b = app.run().await;
    app.seed(&a, 5000).await;
    for prefix in ["/api/2.0/mlflow", "/ajax-api/2.0/mlflow"] {
        let (s, v) = app
            .downsampled(
                prefix,
                &format!("run_id={a}&run_id={b}&metric_key=loss&buckets=50"),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{v}");
        assert_eq!(v["x_axis"], "step");
        assert_eq!(v["buckets"], 50);
        assert_eq!(v["metric_key"], "loss");
        let series = v["series"].as_array().unwrap();
        assert_eq!(series.len(), 2);
        assert_eq!(series[0]["run_id"], a.as_str());
        assert_eq!(series[0]["total_points"], 5000);
        let n = series[0]["points"].as_array().unwrap().len();
        assert!((100..=250).contains(&n), "{n} points for 50 buckets");
        assert_eq!(point_at(&series[0], 1234).unwrap()["value"], 1e9);
        assert_eq!(point_at(&series[0], 2000).unwrap()["value"], "NaN");
        assert_eq!(point_at(&series[0], 2500).unwrap()["value"], "-Infinity");
        assert_eq!(point_at(&series[0], 4999).unwrap()["timestamp"], 1_049_990);
        assert_eq!(series[1]["run_id"], b.as_str());
        assert_eq!(series[1]["points"], json!([]), "a run without the metric");
    }
}

#[tokio::test]
async fn zoom_refetches_a_range_on_either_axis() {
    let app = app().await;
    let a = app.run().await;
    app.seed(&a, 3000).await;
    let prefix = "/ajax-api/2.0/mlflow";
    let (s, v) = app
        .downsampled(
            prefix,
            &format!("run_id={a}&metric_key=loss&x_min=1200&x_max=1299&buckets=1000"),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let pts = v["series"][0]["points"].as_array().unwrap();
    assert_eq!(
        pts.len(),
        100,
        "a 100-step zoom at 1000 buckets is every point"
    );
    assert_eq!(v["series"][0]["total_points"], 100);
    assert!(
        pts.iter()
            .all(|p| (1200..=1299).contains(&p["step"].as_i64().unwrap()))
    );

    let (s, v) = app
        .downsampled(
            prefix,
            &format!(
                "run_id={a}&metric_key=loss&x_axis=timestamp&x_min=1010000&x_max=1019990&buckets=10"
            ),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["x_axis"], "timestamp");
    assert_eq!(v["series"][0]["total_points"], 1000);
    let pts = v["series"][0]["points"].as_array().unwrap();
    assert!(pts.len() <= 50);
    assert_eq!(pts[0]["step"], 1000);
    assert_eq!(point_at(&v["series"][0], 1234).unwrap()["value"], 1e9);
}

#[tokio::test]
async fn bad_input_is_a_client_error() {
    let app = app().await;
    let a = app.run().await;
    let p = "/api/2.0/mlflow";
    let cases = [
        "metric_key=loss".to_owned(),
        format!("run_id={a}"),
        format!("run_id={a}&metric_key=loss&buckets=0"),
        format!("run_id={a}&metric_key=loss&buckets=5001"),
        format!("run_id={a}&metric_key=loss&buckets=abc"),
        format!("run_id={a}&metric_key=loss&x_axis=epoch"),
        format!("run_id={a}&metric_key=loss&x_min=10&x_max=9"),
        format!(
            "{}&metric_key=loss",
            vec![format!("run_id={a}"); 101].join("&")
        ),
    ];
    for q in &cases {
        assert_error(&app.downsampled(p, q).await, 400, "INVALID_PARAMETER_VALUE");
    }
    let missing = app
        .downsampled(p, "run_id=0123456789abcdef&metric_key=loss")
        .await;
    assert_error(&missing, 404, "RESOURCE_DOES_NOT_EXIST");
    let (s, v) = app
        .downsampled(
            p,
            &format!("run_id={a}&metric_key=loss&buckets=5000&x_min=5"),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "one-sided range and max buckets: {v}");
}
