//! The liveness and readiness probes.

use crate::support::test_app::{TestApp, serve};
use app::store::Store;
use reqwest::StatusCode;
use serde_json::Value;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn healthz_and_readyz_answer_when_the_database_is_up() {
    let app = TestApp::spawn().await;

    let (status, _) = app.page("/healthz").await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = app.page("/readyz").await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readyz_is_503_with_a_reason_when_the_database_is_unreachable() {
    let base = serve(Store::new("mysql://root@127.0.0.1:1/switchyard", 2).unwrap()).await;
    let client = reqwest::Client::new();

    let alive = client.get(format!("{base}/healthz")).send().await.unwrap();
    assert_eq!(
        alive.status(),
        StatusCode::OK,
        "the process itself is alive"
    );

    let ready = client.get(format!("{base}/readyz")).send().await.unwrap();
    assert_eq!(ready.status(), StatusCode::SERVICE_UNAVAILABLE);
    let body: Value = ready.json().await.unwrap();
    assert_eq!(body["status"], "unavailable");
    assert!(body["reason"].as_str().unwrap().contains("database"));
}
