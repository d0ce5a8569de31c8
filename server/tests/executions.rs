//! Executions end to end on the server: created from demo plans, run by the engine
//! against the test app's own simulator over real HTTP, driven by operators' commands.

use crate::support::test_app::{SIMULATOR_PASSWORD, TestApp};
use app::domain::role::Role;
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};
use std::time::Duration;

/// An id from a list endpoint by its `name` field.
async fn id_named(app: &TestApp, client: &Client, endpoint: &str, name: &str) -> u64 {
    let (status, list) = app.call(client, endpoint, json!({})).await;
    assert_eq!(status, StatusCode::OK, "{list}");
    list.as_array()
        .unwrap()
        .iter()
        .find(|item| item["name"] == name)
        .unwrap_or_else(|| panic!("no {name} in {endpoint}"))["id"]
        .as_u64()
        .unwrap()
}

pub async fn plan(app: &TestApp, client: &Client, name: &str) -> u64 {
    id_named(app, client, "plans/list", name).await
}

pub async fn data_center(app: &TestApp, client: &Client, name: &str) -> u64 {
    id_named(app, client, "data_centers/list", name).await
}

/// Gives every demo connection config the password the test app's simulator wants (the
/// demo's own simulator, under `make run`, has none).
pub async fn trust_simulator(app: &TestApp, client: &Client) {
    let (_, configs) = app.call(client, "connection_configs/list", json!({})).await;
    for config in configs.as_array().unwrap() {
        let form = json!({
            "id": config["id"],
            "revision": config["revision"],
            "form": {
                "name": config["name"],
                "data_center": config["data_center"]["id"],
                "platform": config["platform"],
                "kind": config["kind"],
                "protocol": config["protocol"],
                "host": config["host"],
                "port": config["port"],
                "username": config["username"],
                "password": { "action": "set", "password": SIMULATOR_PASSWORD },
            }
        });
        let (status, body) = app.call(client, "connection_configs/update", form).await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
}

/// Creates an execution of the demo plan `plan_name`; returns its detail.
pub async fn create(
    app: &TestApp,
    client: &Client,
    plan_name: &str,
    failed: &str,
    emergency: &str,
) -> Value {
    let new = json!({ "new": {
        "plan_id": plan(app, client, plan_name).await,
        "failed": data_center(app, client, failed).await,
        "emergency": data_center(app, client, emergency).await,
        "description": "drill",
    }});
    let (status, detail) = app.call(client, "executions/create", new).await;
    assert_eq!(status, StatusCode::OK, "{detail}");
    detail
}

pub fn id(detail: &Value) -> u64 {
    detail["summary"]["id"].as_u64().unwrap()
}

/// Waits until the execution is in `state` (or fails after 30 s); returns its detail.
pub async fn until_state(app: &TestApp, client: &Client, id: u64, state: &str) -> Value {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        let (status, detail) = app
            .call(client, "executions/get", json!({ "id": id }))
            .await;
        assert_eq!(status, StatusCode::OK, "{detail}");
        if detail["summary"]["state"] == state {
            return detail;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "execution {id} never became {state}: {detail:#}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

pub async fn command(app: &TestApp, client: &Client, endpoint: &str, body: Value) -> Value {
    let (status, detail) = app.call(client, endpoint, body).await;
    assert_eq!(status, StatusCode::OK, "{endpoint}: {detail}");
    detail
}

fn statuses(detail: &Value, phase: &str) -> Vec<String> {
    detail["steps"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["phase"] == phase)
        .map(|s| s["status"].as_str().unwrap().to_owned())
        .collect()
}

async fn simulator(app: &TestApp, client: &Client) -> Value {
    let (status, state) = app.call(client, "simulator/state", json!({})).await;
    assert_eq!(status, StatusCode::OK, "{state}");
    state
}

fn primary(state: &Value, cluster: &str) -> String {
    state["clusters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["cluster"] == cluster)
        .unwrap()["primary"]
        .as_str()
        .unwrap()
        .to_owned()
}

fn serving(state: &Value, group: &str) -> Vec<String> {
    let traffic = state["traffic"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["product_group"] == group)
        .unwrap();
    traffic["serving"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["data_center"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_power_loss_plan_switches_over_and_recovers() {
    let app = TestApp::spawn_with_demo().await;
    let operator = app.as_role(Role::Operator).await;
    trust_simulator(&app, &operator).await;
    let detail = create(
        &app,
        &operator,
        "Data center power loss",
        "Shanghai-A",
        "Hangzhou-B",
    )
    .await;
    let id = id(&detail);
    assert_eq!(detail["summary"]["state"], "created");
    assert_eq!(statuses(&detail, "switchover"), ["pending"; 4]);

    command(&app, &operator, "executions/start", json!({ "id": id })).await;
    let done = until_state(&app, &operator, id, "switchover_done").await;
    assert_eq!(statuses(&done, "switchover"), ["succeeded"; 4]);
    assert_eq!(statuses(&done, "recovery"), ["pending"; 6]);
    let world = simulator(&app, &operator).await;
    assert_eq!(primary(&world, "trading-db"), "Hangzhou-B");
    assert!(!serving(&world, "Trading").contains(&"Shanghai-A".to_owned()));

    command(&app, &operator, "executions/start", json!({ "id": id })).await;
    let completed = until_state(&app, &operator, id, "completed").await;
    assert_eq!(statuses(&completed, "recovery"), ["succeeded"; 6]);
    assert!(completed["summary"]["finished_at"].is_string());
    let world = simulator(&app, &operator).await;
    assert_eq!(primary(&world, "trading-db"), "Shanghai-A");
    assert!(serving(&world, "Trading").contains(&"Shanghai-A".to_owned()));

    // Every call the steps made is on record, each answered.
    let step = completed["steps"][0]["id"].as_u64().unwrap();
    let (status, record) = app
        .call(
            &operator,
            "executions/step_record",
            json!({ "execution": id, "step": step }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{record}");
    let calls = record["calls"].as_array().unwrap();
    assert_eq!(calls.len(), 1, "{record:#}");
    assert_eq!(calls[0]["status"], "succeeded");
    assert_eq!(calls[0]["path"], "/v1/traffic/cut");
    assert!(!record["lines"].as_array().unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_an_active_plan_runs_on_two_different_data_centers_once_at_a_time() {
    let app = TestApp::spawn_with_demo().await;
    let operator = app.as_role(Role::Operator).await;
    let new = |plan: u64, failed: u64, emergency: u64| json!({ "new": { "plan_id": plan, "failed": failed, "emergency": emergency, "description": "" } });
    let (a, b) = (
        data_center(&app, &operator, "Shanghai-A").await,
        data_center(&app, &operator, "Hangzhou-B").await,
    );
    let in_review = plan(&app, &operator, "Trading failover drill").await;
    let (status, body) = app
        .call(&operator, "executions/create", new(in_review, a, b))
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("only an active plan"),
        "{body}"
    );

    let power = plan(&app, &operator, "Data center power loss").await;
    let (status, body) = app
        .call(&operator, "executions/create", new(power, a, a))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["errors"][0]["field"], "emergency", "{body}");

    let first = create(
        &app,
        &operator,
        "Data center power loss",
        "Shanghai-A",
        "Hangzhou-B",
    )
    .await;
    let (status, body) = app
        .call(&operator, "executions/create", new(power, a, b))
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("already has a live execution"),
        "{body}"
    );

    // Cancelled before its start, the first is gone from the list (not from the audit log),
    // and the plan can run again.
    let (status, gone) = app
        .call(&operator, "executions/cancel", json!({ "id": id(&first) }))
        .await;
    assert_eq!((status, gone), (StatusCode::OK, Value::Null));
    let (_, list) = app
        .call(&operator, "executions/list", json!({ "filter": {} }))
        .await;
    assert_eq!(list, json!([]));
    assert_eq!(app.audit_entries("executions/cancel").await.len(), 1);
    create(
        &app,
        &operator,
        "Data center power loss",
        "Shanghai-A",
        "Hangzhou-B",
    )
    .await;

    // Auditors read executions and are refused every control.
    let auditor = app.as_role(Role::Auditor).await;
    let (status, list) = app
        .call(&auditor, "executions/list", json!({ "filter": {} }))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(list.as_array().unwrap().len(), 1);
    let (status, _) = app
        .call(&auditor, "executions/start", json!({ "id": list[0]["id"] }))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}
