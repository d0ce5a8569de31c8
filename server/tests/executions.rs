//! Executions end to end on the server: created from demo plans, run by the engine
//! against the test app's own simulator over real HTTP, driven by operators' commands.

use crate::support::builders::point_configs_at;
use crate::support::test_app::{SIMULATOR_PASSWORD, TestApp};
use app::domain::role::Role;
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};
use std::time::Duration;

/// An id from a list endpoint by its `name` field.
async fn id_named(app: &TestApp, client: &Client, endpoint: &str, name: &str) -> u64 {
    crate::support::builders::id_named(client, &app.base, endpoint, name).await
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
    let configs = command(app, client, "connection_configs/list", json!({})).await;
    let (host, port) = (&configs[0]["host"], &configs[0]["port"]);
    point_configs_at(&app.base, client, host, port, SIMULATOR_PASSWORD).await;
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

/// Waits until the execution is in `state` (or fails after 90 s); returns its detail.
pub async fn until_state(app: &TestApp, client: &Client, id: u64, state: &str) -> Value {
    // The demo's longest step, a 60 s wait, fits.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(90);
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

/// Waits until step `step` of execution `id` has `status` (or fails after 30 s).
pub async fn until_step(
    app: &TestApp,
    client: &Client,
    id: u64,
    step_id: u64,
    status: &str,
) -> Value {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        let (_, detail) = app
            .call(client, "executions/get", json!({ "id": id }))
            .await;
        if step(&detail, step_id)["status"] == status {
            return detail;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "step {step_id} never became {status}: {detail:#}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
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

pub async fn simulator(app: &TestApp, client: &Client) -> Value {
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
    let detail = power_loss_created(&app, &operator).await;
    let id = id(&detail);
    assert_eq!(detail["summary"]["state"], "created");
    assert_eq!(detail["summary"]["started_by"], Value::Null);
    assert_eq!(statuses(&detail, "switchover"), ["pending"; 4]);

    command(&app, &operator, "executions/start", json!({ "id": id })).await;
    let done = until_state(&app, &operator, id, "switchover_done").await;
    assert_eq!(done["summary"]["started_by"], "operator");
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

/// The network-partition plan, Shanghai-A to Beijing-C: confirmed by the operator, a
/// 60 s wait, the portal's database moved; then recovery puts everything back.
async fn network_partition_runs(app: &TestApp, operator: &Client) {
    let detail = create(
        app,
        operator,
        "Data center network partition",
        "Shanghai-A",
        "Beijing-C",
    )
    .await;
    let id = id(&detail);
    command(app, operator, "executions/start", json!({ "id": id })).await;
    let confirm = step_id(&detail, "switchover", 1);
    until_step(app, operator, id, confirm, "waiting").await;
    let body = json!({ "id": id, "step": confirm });
    command(app, operator, "executions/confirm_step", body).await;
    let done = until_state(app, operator, id, "switchover_done").await;
    assert_eq!(statuses(&done, "switchover"), ["succeeded"; 5]);
    let world = simulator(app, operator).await;
    assert_eq!(primary(&world, "portal-db"), "Beijing-C");
    for group in ["Customer portal", "Payments"] {
        assert!(!serving(&world, group).contains(&"Shanghai-A".to_owned()));
    }

    command(app, operator, "executions/start", json!({ "id": id })).await;
    let completed = until_state(app, operator, id, "completed").await;
    assert_eq!(statuses(&completed, "recovery"), ["succeeded"; 3]);
    let world = simulator(app, operator).await;
    assert_eq!(primary(&world, "portal-db"), "Shanghai-A");
    for group in ["Customer portal", "Payments"] {
        assert!(serving(&world, group).contains(&"Shanghai-A".to_owned()));
    }
}

/// The trading drill (in review in the demo), approved by the reviewer, then run from
/// Shanghai-A to Hangzhou-B and back.
async fn trading_drill_runs(app: &TestApp, operator: &Client) {
    let drill = plan(app, operator, "Trading failover drill").await;
    let (_, current) = app
        .call(operator, "plans/get", json!({ "id": drill }))
        .await;
    let reviewer = app.as_role(Role::Reviewer).await;
    let approval =
        json!({ "id": drill, "revision": current["plan"]["revision"], "comment": "drill" });
    let (status, body) = app.call(&reviewer, "plans/approve", approval).await;
    assert_eq!(status, StatusCode::OK, "{body}");

    let id = id(&create(
        app,
        operator,
        "Trading failover drill",
        "Shanghai-A",
        "Hangzhou-B",
    )
    .await);
    command(app, operator, "executions/start", json!({ "id": id })).await;
    let done = until_state(app, operator, id, "switchover_done").await;
    assert_eq!(statuses(&done, "switchover"), ["succeeded"; 3]);
    let world = simulator(app, operator).await;
    assert_eq!(primary(&world, "trading-db"), "Hangzhou-B");
    assert!(!serving(&world, "Trading").contains(&"Shanghai-A".to_owned()));

    command(app, operator, "executions/start", json!({ "id": id })).await;
    let completed = until_state(app, operator, id, "completed").await;
    assert_eq!(statuses(&completed, "recovery"), ["succeeded"; 2]);
    let world = simulator(app, operator).await;
    assert_eq!(primary(&world, "trading-db"), "Shanghai-A");
    assert!(serving(&world, "Trading").contains(&"Shanghai-A".to_owned()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_other_demo_plans_switch_over_and_recover() {
    let app = TestApp::spawn_with_demo().await;
    let operator = app.as_role(Role::Operator).await;
    trust_simulator(&app, &operator).await;
    tokio::join!(
        network_partition_runs(&app, &operator),
        trading_drill_runs(&app, &operator)
    );
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

/// Injects a fault through the console's Simulator page endpoint.
pub async fn inject(app: &TestApp, client: &Client, spec: Value) {
    let (status, fault) = app
        .call(client, "simulator/inject_fault", json!({ "spec": spec }))
        .await;
    assert_eq!(status, StatusCode::OK, "{fault}");
}

pub fn step_id(detail: &Value, phase: &str, position: u64) -> u64 {
    detail["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["phase"] == phase && s["position"] == position)
        .unwrap()["id"]
        .as_u64()
        .unwrap()
}

pub fn step(detail: &Value, id: u64) -> &Value {
    detail["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == id)
        .unwrap()
}

/// A power-loss run from Shanghai-A to Hangzhou-B, created by the operator.
/// A new execution (created, not started) of the demo's power-loss plan from Shanghai-A
/// to Hangzhou-B, with the simulator trusted; its detail.
pub async fn power_loss_created(app: &TestApp, operator: &Client) -> Value {
    trust_simulator(app, operator).await;
    create(
        app,
        operator,
        "Data center power loss",
        "Shanghai-A",
        "Hangzhou-B",
    )
    .await
}

async fn power_loss(app: &TestApp, operator: &Client) -> u64 {
    id(&power_loss_created(app, operator).await)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_step_blocks_until_it_is_retried_or_skipped_with_a_reason() {
    let app = TestApp::spawn_with_demo().await;
    let operator = app.as_role(Role::Operator).await;
    let id = power_loss(&app, &operator).await;
    inject(
        &app,
        &operator,
        json!({ "call": "traffic.cut", "target": "Payments", "effect": "fail", "times": 1 }),
    )
    .await;
    inject(&app, &operator, json!({ "call": "cluster.switchover", "target": "trading-db", "effect": "fail", "times": 1 })).await;

    command(&app, &operator, "executions/start", json!({ "id": id })).await;
    let blocked = until_state(&app, &operator, id, "switchover_blocked").await;
    let first = step_id(&blocked, "switchover", 1);
    assert_eq!(step(&blocked, first)["status"], "failed");
    assert!(
        step(&blocked, first)["last_error"]
            .as_str()
            .unwrap()
            .contains("failed"),
        "{blocked:#}"
    );
    assert_eq!(statuses(&blocked, "switchover")[1..], ["pending"; 3]);

    // Nothing but the blocking step's own controls (and cancel) is allowed now.
    let (status, body) = app
        .call(&operator, "executions/pause", json!({ "id": id }))
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("only a running execution can be paused")
    );

    command(
        &app,
        &operator,
        "executions/retry_step",
        json!({ "id": id, "step": first }),
    )
    .await;
    let blocked = until_state(&app, &operator, id, "switchover_blocked").await;
    assert_eq!(step(&blocked, first)["status"], "succeeded");
    assert_eq!(step(&blocked, first)["attempts"], 2);
    let fourth = step_id(&blocked, "switchover", 4);
    assert_eq!(step(&blocked, fourth)["status"], "failed");

    let (status, body) = app
        .call(
            &operator,
            "executions/skip_step",
            json!({ "id": id, "step": fourth, "reason": "  " }),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["errors"][0]["field"], "reason");
    let reason = "trading-db was moved by the DBA on call";
    command(
        &app,
        &operator,
        "executions/skip_step",
        json!({ "id": id, "step": fourth, "reason": reason }),
    )
    .await;
    let done = until_state(&app, &operator, id, "switchover_done").await;
    assert_eq!(
        statuses(&done, "switchover"),
        ["succeeded", "succeeded", "succeeded", "skipped"]
    );
    assert_eq!(step(&done, fourth)["reason"], reason);
    assert_eq!(step(&done, fourth)["decided_by"], "operator");
    let skipped = app.audit_entries("executions/skip_step").await;
    assert!(
        skipped
            .iter()
            .any(|e| e["outcome"] == "ok" && e["reason"].as_str().unwrap_or("").contains(reason)),
        "{skipped:?}"
    );
    assert!(
        skipped.iter().any(|e| e["outcome"] == "failed"),
        "the refused skip is audited too"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_step_done_by_hand_is_marked_done_and_the_run_goes_on() {
    let app = TestApp::spawn_with_demo().await;
    let operator = app.as_role(Role::Operator).await;
    let id = power_loss(&app, &operator).await;
    inject(
        &app,
        &operator,
        json!({ "call": "cluster.switchover", "target": "payments-db", "effect": "fail" }),
    )
    .await;
    command(&app, &operator, "executions/start", json!({ "id": id })).await;
    let blocked = until_state(&app, &operator, id, "switchover_blocked").await;
    let third = step_id(&blocked, "switchover", 3);
    assert_eq!(step(&blocked, third)["status"], "failed");
    let reviewer = app.as_role(Role::Reviewer).await;
    let (status, _) = app
        .call(
            &reviewer,
            "executions/mark_step_done",
            json!({ "id": id, "step": third, "reason": "by hand" }),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    command(&app, &operator, "executions/mark_step_done", json!({ "id": id, "step": third, "reason": "switched over by hand in the console of the database" })).await;
    let done = until_state(&app, &operator, id, "switchover_done").await;
    assert_eq!(step(&done, third)["status"], "succeeded");
    assert_eq!(step(&done, third)["decided_by"], "operator");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pause_stops_after_the_running_step_and_cancel_at_the_next_safe_point() {
    let app = TestApp::spawn_with_demo().await;
    let operator = app.as_role(Role::Operator).await;
    let id = power_loss(&app, &operator).await;
    inject(&app, &operator, json!({ "call": "traffic.cut", "target": "Payments", "effect": "slow", "delay_ms": 1500, "times": 1 })).await;
    let started = command(&app, &operator, "executions/start", json!({ "id": id })).await;
    until_step(
        &app,
        &operator,
        id,
        step_id(&started, "switchover", 1),
        "running",
    )
    .await;
    let paused = command(&app, &operator, "executions/pause", json!({ "id": id })).await;
    assert_eq!(paused["summary"]["state"], "switchover_paused");
    let held = until_step(
        &app,
        &operator,
        id,
        step_id(&started, "switchover", 1),
        "succeeded",
    )
    .await;
    assert_eq!(held["summary"]["state"], "switchover_paused");
    assert_eq!(
        statuses(&held, "switchover"),
        ["succeeded", "pending", "pending", "pending"],
        "the running step finished; no other started"
    );

    command(&app, &operator, "executions/resume", json!({ "id": id })).await;
    until_state(&app, &operator, id, "switchover_done").await;

    // Recovery, cancelled while its first step runs: that step's calls are no longer
    // followed (what they did is unknown, so it is interrupted), the rest never start.
    inject(
        &app,
        &operator,
        json!({ "call": "application.restart", "effect": "slow", "delay_ms": 1500, "times": 4 }),
    )
    .await;
    let started = command(&app, &operator, "executions/start", json!({ "id": id })).await;
    let restart = step_id(&started, "recovery", 1);
    until_step(&app, &operator, id, restart, "running").await;
    let cancelled = command(&app, &operator, "executions/cancel", json!({ "id": id })).await;
    assert_eq!(cancelled["summary"]["state"], "cancelled");
    let after = until_step(&app, &operator, id, restart, "interrupted").await;
    assert!(
        step(&after, restart)["last_error"]
            .as_str()
            .unwrap()
            .contains("cancelled while the step's calls were under way"),
        "{after:#}"
    );
    let recovery = statuses(&after, "recovery");
    assert!(
        recovery[1..].iter().all(|s| s == "cancelled"),
        "{recovery:?}"
    );
    let (status, body) = app
        .call(&operator, "executions/resume", json!({ "id": id }))
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_manual_step_waits_for_an_operator_and_records_who_confirmed() {
    let app = TestApp::spawn_with_demo().await;
    let operator = app.as_role(Role::Operator).await;
    trust_simulator(&app, &operator).await;
    let detail = create(
        &app,
        &operator,
        "Data center network partition",
        "Shanghai-A",
        "Beijing-C",
    )
    .await;
    let id = id(&detail);
    command(&app, &operator, "executions/start", json!({ "id": id })).await;
    let first = step_id(&detail, "switchover", 1);
    until_step(&app, &operator, id, first, "waiting").await;
    for role in [Role::Reviewer, Role::Auditor] {
        let client = app.as_role(role).await;
        let (status, _) = app
            .call(
                &client,
                "executions/confirm_step",
                json!({ "id": id, "step": first }),
            )
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{role:?}");
    }
    let confirmed = command(
        &app,
        &operator,
        "executions/confirm_step",
        json!({ "id": id, "step": first }),
    )
    .await;
    assert_eq!(step(&confirmed, first)["status"], "succeeded");
    assert_eq!(step(&confirmed, first)["decided_by"], "operator");
    let (status, body) = app
        .call(
            &operator,
            "executions/confirm_step",
            json!({ "id": id, "step": first }),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "confirmed once only: {body}");

    // The run goes on to the 60 s wait; cancelling ends the wait at once.
    let wait = step_id(&detail, "switchover", 4);
    until_step(&app, &operator, id, wait, "running").await;
    command(&app, &operator, "executions/cancel", json!({ "id": id })).await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    loop {
        let (_, now) = app
            .call(&operator, "executions/get", json!({ "id": id }))
            .await;
        if step(&now, wait)["status"] != "running" {
            assert_eq!(now["summary"]["state"], "cancelled");
            assert_eq!(step(&now, wait)["status"], "cancelled", "{now:#}");
            assert_eq!(step(&now, wait)["last_error"], Value::Null, "{now:#}");
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the wait went on after the cancel: {now:#}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn applications_restart_dependencies_first() {
    let app = TestApp::spawn_with_demo().await;
    let operator = app.as_role(Role::Operator).await;
    let id = power_loss(&app, &operator).await;
    command(&app, &operator, "executions/start", json!({ "id": id })).await;
    until_state(&app, &operator, id, "switchover_done").await;
    command(&app, &operator, "executions/start", json!({ "id": id })).await;
    until_state(&app, &operator, id, "completed").await;

    let world = simulator(&app, &operator).await;
    let mut restarts: Vec<(String, String)> = world["calls"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| {
            c["call"] == "application.restart"
                && c["subject"].as_str().unwrap().contains("Payments")
        })
        .map(|c| {
            (
                c["at"].as_str().unwrap().to_owned(),
                c["subject"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    restarts.sort();
    let order: Vec<&str> = restarts
        .iter()
        .map(|(_, subject)| {
            ["payment-gateway", "payment-core", "risk-engine", "ledger"]
                .into_iter()
                .find(|app| subject.contains(app))
                .unwrap()
        })
        .collect();
    assert_eq!(order.len(), 4, "{restarts:?}");
    let at = |name: &str| order.iter().position(|a| *a == name).unwrap();
    assert!(at("ledger") < at("payment-core"), "{order:?}");
    assert!(at("payment-core") < at("payment-gateway"), "{order:?}");
    assert!(at("risk-engine") < at("payment-gateway"), "{order:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_execution_of_a_plan_deactivated_since_it_was_created_does_not_start() {
    let app = TestApp::spawn_with_demo().await;
    let operator = app.as_role(Role::Operator).await;
    let reviewer = app.as_role(Role::Reviewer).await;
    let id = power_loss(&app, &operator).await;
    let plan_id = plan(&app, &operator, "Data center power loss").await;
    let detail = command(&app, &operator, "plans/get", json!({ "id": plan_id })).await;
    command(
        &app,
        &reviewer,
        "plans/deactivate",
        json!({ "id": plan_id, "revision": detail["plan"]["revision"], "comment": "site sold" }),
    )
    .await;

    let (status, refusal) = app
        .call(&operator, "executions/start", json!({ "id": id }))
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{refusal}");
    assert!(
        refusal["message"]
            .as_str()
            .unwrap()
            .contains("only an active plan's executions start"),
        "{refusal}"
    );
    let (_, after) = app
        .call(&operator, "executions/get", json!({ "id": id }))
        .await;
    assert_eq!(after["summary"]["state"], "created");
    assert!(
        statuses(&after, "switchover")
            .iter()
            .all(|s| s == "pending")
    );
}

/// A pre-check sends stored credentials to every config it asks: each sending is in the
/// audit log, with where it went, as "Test connection" records it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pre_check_records_every_config_it_sends_credentials_to() {
    let app = TestApp::spawn_with_demo().await;
    let operator = app.as_role(Role::Operator).await;
    let new = json!({ "new": {
        "plan_id": plan(&app, &operator, "Data center power loss").await,
        "failed": data_center(&app, &operator, "Shanghai-A").await,
        "emergency": data_center(&app, &operator, "Hangzhou-B").await,
        "description": "",
    }});
    let (status, check) = app.call(&operator, "executions/pre_check", new).await;
    assert_eq!(status, StatusCode::OK, "{check}");
    let mut asked: Vec<String> = check["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|item| item["config"][0].as_u64().map(|id| id.to_string()))
        .collect();
    assert!(!asked.is_empty(), "{check}");

    let entries = app.audit_entries("executions/pre_check").await;
    let mut recorded: Vec<String> = entries
        .iter()
        .map(|e| {
            assert_eq!(e["target_kind"], "connection_config", "{e}");
            let reason = e["reason"].as_str().unwrap();
            assert!(reason.contains(" sent to "), "{e}");
            e["target_id"].as_str().unwrap().to_owned()
        })
        .collect();
    asked.sort();
    recorded.sort();
    assert_eq!(recorded, asked);
}
