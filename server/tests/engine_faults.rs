//! The engine tells the truth under faults: a call that may have acted and got no answer
//! leaves its step interrupted (never failed), and a retry asks the platform about it by
//! its key before anything new is sent; keys never repeat across databases; a URL that
//! answered, or may have received the request, is not called again.

use crate::executions::{inject, simulator, step, trust_simulator, until_state};
use crate::support::builders::{PlanBuilder, ok, started};
use crate::support::fake_service::FakeService;
use crate::support::test_app::{SIMULATOR_PASSWORD, TestApp};
use app::domain::role::Role;
use reqwest::Client;
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// How many times the simulator acted on each application's restart (calls whose key it
/// had not seen before), by application.
async fn restarts_acted(app: &TestApp, client: &Client) -> BTreeMap<String, usize> {
    let world = simulator(app, client).await;
    let mut acted = BTreeMap::new();
    for call in world["calls"].as_array().unwrap() {
        if call["call"] == "application.restart" && call["replay"] == false {
            let subject = call["subject"].as_str().unwrap().to_owned();
            *acted.entry(subject).or_insert(0) += 1;
        }
    }
    acted
}

/// The only step of the switchover phase.
fn only_step(detail: &Value) -> &Value {
    let id = detail["steps"][0]["id"].as_u64().unwrap();
    step(detail, id)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_call_that_may_have_acted_interrupts_the_step_and_retry_asks_by_its_key() {
    let app = TestApp::spawn_with_demo().await;
    let operator = app.as_role(Role::Operator).await;
    let reviewer = app.as_role(Role::Reviewer).await;
    trust_simulator(&app, &operator).await;
    let plan = PlanBuilder::new("Restart payments")
        .switchover(
            "app.restart",
            json!({ "product_group": "Payments", "site": "emergency", "timeout_seconds": 5 }),
        )
        .active(&app.base, &operator, &reviewer)
        .await;
    // A partition: the platform restarts the ledger, and every answer about it is lost.
    inject(
        &app,
        &operator,
        json!({ "call": "application.restart", "target": "ledger", "effect": "drop" }),
    )
    .await;
    let id = started(&app.base, &operator, plan).await;

    let blocked = until_state(&app, &operator, id, "switchover_blocked").await;
    let restart = only_step(&blocked);
    assert_eq!(restart["status"], "interrupted", "not failed: {blocked:#}");
    assert!(
        restart["last_error"].as_str().unwrap().contains("ledger"),
        "{blocked:#}"
    );
    let acted = restarts_acted(&app, &operator).await;
    assert_eq!(acted.len(), 2, "level 1 only: {acted:?}");

    // The partition heals; the operator retries.
    ok(&operator, &app.base, "simulator/clear_faults", json!({})).await;
    ok(
        &operator,
        &app.base,
        "executions/retry_step",
        json!({ "id": id, "step": restart["id"] }),
    )
    .await;
    let done = until_state(&app, &operator, id, "switchover_done").await;
    assert_eq!(only_step(&done)["attempts"], 2);

    let acted = restarts_acted(&app, &operator).await;
    assert_eq!(acted.len(), 4, "every application restarted: {acted:?}");
    assert!(
        acted.values().all(|n| *n == 1),
        "each application restarted exactly once: {acted:?}"
    );
    let record = ok(
        &operator,
        &app.base,
        "executions/step_record",
        json!({ "execution": id, "step": restart["id"] }),
    )
    .await;
    let lines: Vec<&str> = record["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["message"].as_str().unwrap())
        .collect();
    assert!(
        lines
            .iter()
            .any(|l| l.contains("asking again with the same key")),
        "{lines:#?}"
    );
    assert!(
        lines.iter().any(|l| l.contains("succeeded in attempt 1")),
        "{lines:#?}"
    );
}

/// Points every connection config of `app` at the simulator of `platform`.
async fn call_platform_of(app: &TestApp, operator: &Client, platform: &TestApp) {
    let admin_of_platform = platform.as_role(Role::Operator).await;
    let theirs = ok(
        &admin_of_platform,
        &platform.base,
        "connection_configs/list",
        json!({}),
    )
    .await;
    let (host, port) = (theirs[0]["host"].clone(), theirs[0]["port"].clone());
    let ours = ok(operator, &app.base, "connection_configs/list", json!({})).await;
    for config in ours.as_array().unwrap() {
        let form = json!({
            "id": config["id"],
            "revision": config["revision"],
            "form": {
                "name": config["name"],
                "data_center": config["data_center"]["id"],
                "platform": config["platform"],
                "kind": config["kind"],
                "protocol": config["protocol"],
                "host": host,
                "port": port,
                "username": config["username"],
                "password": { "action": "set", "password": SIMULATOR_PASSWORD },
            }
        });
        ok(operator, &app.base, "connection_configs/update", form).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_databases_running_the_same_plan_against_one_platform_each_act() {
    // The same demo, made the same way in two fresh databases: the same ids everywhere,
    // as after a database is restored from a backup or created anew.
    let first = TestApp::spawn_with_demo().await;
    let second = TestApp::spawn_with_demo().await;
    let mut cuts = Vec::new();
    for app in [&first, &second] {
        let operator = app.as_role(Role::Operator).await;
        let reviewer = app.as_role(Role::Reviewer).await;
        call_platform_of(app, &operator, &first).await;
        let plan = PlanBuilder::new("Cut payments")
            .switchover("traffic.cut", json!({ "product_group": "Payments" }))
            .active(&app.base, &operator, &reviewer)
            .await;
        let id = started(&app.base, &operator, plan).await;
        assert_eq!(id, 1, "both databases number alike");
        let done = until_state(app, &operator, id, "switchover_done").await;
        let record = ok(
            &operator,
            &app.base,
            "executions/step_record",
            json!({ "execution": id, "step": only_step(&done)["id"] }),
        )
        .await;
        cuts.push(record["calls"][0]["idempotency_key"].clone());
    }
    assert_ne!(cuts[0], cuts[1], "each run has keys of its own");
    let operator = first.as_role(Role::Operator).await;
    let world = simulator(&first, &operator).await;
    let acted = world["calls"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["call"] == "traffic.cut" && c["replay"] == false && c["status"] == 202)
        .count();
    assert_eq!(acted, 2, "the platform acted for each run: {world:#}");
}

/// Runs a plan (called `plan`) of one `http.call` to `url` as `app`'s operator until it
/// blocks; returns the step.
async fn blocked_http_call(app: &TestApp, plan: &str, url: &str) -> Value {
    let operator = app.as_role(Role::Operator).await;
    let reviewer = app.as_role(Role::Reviewer).await;
    let plan = PlanBuilder::new(plan)
        .switchover(
            "http.call",
            json!({ "method": "POST", "url": url, "expect_status": 200, "timeout_seconds": 3 }),
        )
        .active(&app.base, &operator, &reviewer)
        .await;
    let id = started(&app.base, &operator, plan).await;
    let blocked = until_state(app, &operator, id, "switchover_blocked").await;
    only_step(&blocked).clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_http_call_that_was_answered_is_not_repeated_and_one_unanswered_is_interrupted() {
    let app = TestApp::spawn_with_demo().await;
    let hook = FakeService::start(503).await;
    let step = blocked_http_call(&app, "Call a failing hook", &hook.url).await;
    assert_eq!(step["status"], "failed", "a 503 is an answer: {step:#}");
    assert!(step["last_error"].as_str().unwrap().contains("503"));
    assert_eq!(hook.received(), 1, "an answered request is not sent again");

    let silent = FakeService::start(FakeService::HANG).await;
    let step = blocked_http_call(&app, "Call a silent hook", &silent.url).await;
    assert_eq!(
        step["status"], "interrupted",
        "it may have arrived: {step:#}"
    );
    assert_eq!(
        silent.received(),
        1,
        "a request that may have arrived is not sent again"
    );
}
