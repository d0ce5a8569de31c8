//! The liveness and readiness probes.

use crate::support::test_app::{TestApp, client};
use reqwest::StatusCode;
use serde_json::Value;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn healthz_and_readyz_answer_without_a_session_when_the_database_is_up() {
    let app = TestApp::spawn().await;

    let (status, _, _) = app.page(&client(), "/healthz").await;
    assert_eq!(status, StatusCode::OK);
    let (status, _, body) = app.page(&client(), "/readyz").await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readyz_is_503_with_a_reason_when_the_database_is_unreachable() {
    let (app, proxy) = TestApp::spawn_behind_proxy().await;
    proxy.cut();

    let (status, _, _) = app.page(&client(), "/healthz").await;
    assert_eq!(status, StatusCode::OK, "the process itself is alive");

    let (status, _, body) = app.page(&client(), "/readyz").await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    let body: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(body["status"], "unavailable");
    assert!(body["reason"].as_str().unwrap().contains("database"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readyz_is_503_when_the_execution_engine_has_stopped() {
    let db = crate::support::test_db::TestDb::empty().await;
    let supervisor = server::tasks::Supervisor::default();
    let lease = app::domain::cluster::Claimant::DEFAULT_LEASE;
    let services =
        crate::support::test_app::services_under(&db.url, false, &supervisor, lease).await;
    let base = crate::support::test_app::serve(services).await;
    let ready = |base: String| async move {
        let response = client().get(format!("{base}/readyz")).send().await.unwrap();
        (response.status(), response.json::<Value>().await.unwrap())
    };
    assert_eq!(ready(base.clone()).await.0, StatusCode::OK);

    assert!(
        supervisor
            .shut_down(std::time::Duration::from_secs(10))
            .await
    );
    let (status, body) = ready(base).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    assert_eq!(body["reason"], "the execution engine is not running");
}
