//! The step catalog, through its server function over real HTTP.

use crate::support::test_app::{PASSWORD, TestApp};
use app::domain::role::Role;
use app::domain::step::builtin_step_types;
use app::domain::step::{Layer, StepType};
use diesel_async::RunQueryDsl;
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lists_every_builtin_step_type_with_its_parameters() {
    let app = TestApp::spawn().await;
    let admin = app.signed_in("admin", PASSWORD).await;

    let (status, body) = app.call(&admin, "steps/list", json!({})).await;

    assert_eq!(status, StatusCode::OK);
    let listed: Vec<StepType> = serde_json::from_value(body).unwrap();
    assert_eq!(listed, builtin_step_types());
    let restart = listed.iter().find(|s| s.opcode == "app.restart").unwrap();
    assert_eq!(restart.layer, Layer::Application);
    assert!(
        restart
            .params
            .iter()
            .any(|p| p.name == "product_group" && p.required)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_start_restores_catalog_rows_that_were_changed_or_removed() {
    let app = TestApp::spawn().await;
    let admin = app.signed_in("admin", PASSWORD).await;
    let mut conn = app.db.connect().await;
    diesel::sql_query(
        "UPDATE step_types SET name = 'Tampered', layer = 'control' WHERE opcode = 'traffic.cut'",
    )
    .execute(&mut conn)
    .await
    .unwrap();
    diesel::sql_query("DELETE FROM step_types WHERE opcode = 'wait'")
        .execute(&mut conn)
        .await
        .unwrap();

    server::prepare_database(
        &app.db.url,
        None,
        2,
        None,
        crate::support::state_dir::mode(),
    )
    .await
    .unwrap();

    let (_, body) = app.call(&admin, "steps/list", json!({})).await;
    let listed: Vec<StepType> = serde_json::from_value(body).unwrap();
    assert_eq!(listed, builtin_step_types());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_malformed_request_is_refused_with_a_client_error() {
    let app = TestApp::spawn_with_demo().await;
    let auditor = app.as_role(Role::Auditor).await;

    let response = auditor
        .post(format!("{}/api/steps/list", app.base))
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();

    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["kind"], "transport");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unavailable_database_is_answered_with_503_and_a_reason() {
    let (app, proxy) = TestApp::spawn_behind_proxy().await;
    let operator = app.as_role(Role::Operator).await;

    proxy.cut();
    let (status, body) = app.call(&operator, "steps/list", json!({})).await;

    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    assert_eq!(body["kind"], "unavailable");
    assert_eq!(body["message"], "the database is unavailable right now");
}
