//! Plan readiness: would each active plan still work today? Evaluated on demand, on a
//! schedule and after a change; it says what needs attention, and shows the plan's
//! newest ended drill.

use crate::executions::{command, id, inject, trust_simulator, until_state};
use crate::support::builders::{PlanBuilder, id_named};
use crate::support::test_app::TestApp;
use app::domain::role::Role;
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};
use std::time::Duration;

async fn readiness_of(app: &TestApp, client: &Client, plan: u64) -> Value {
    let (status, all) = app.call(client, "plans/readiness", json!({})).await;
    assert_eq!(status, StatusCode::OK, "{all}");
    all.as_array()
        .unwrap()
        .iter()
        .find(|r| r["plan_id"] == plan)
        .cloned()
        .unwrap_or_else(|| panic!("plan {plan} is not listed: {all:#}"))
}

/// Waits until the plan's readiness is `state` (the schedule or a change evaluates it).
async fn until_readiness(app: &TestApp, client: &Client, plan: u64, state: &str) -> Value {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        let readiness = readiness_of(app, client, plan).await;
        if readiness["state"] == state {
            return readiness;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "plan {plan} never became {state}: {readiness:#}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_plan_needs_attention_while_a_config_does_not_answer_and_is_ready_again_after() {
    let app = TestApp::spawn_with_demo().await;
    let operator = app.as_role(Role::Operator).await;
    let auditor = app.as_role(Role::Auditor).await;
    trust_simulator(&app, &operator).await;
    let plan = id_named(&operator, &app.base, "plans/list", "Data center power loss").await;

    let before = readiness_of(&app, &auditor, plan).await;
    assert_eq!(before["state"], "not_evaluated", "{before:#}");

    // On demand (operators): every platform it calls answers.
    let ready = command(&app, &operator, "plans/evaluate", json!({ "id": plan })).await;
    assert_eq!(ready["state"], "ready", "{ready:#}");
    let mut pairs: Vec<&str> = ready["pairs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap())
        .collect();
    pairs.sort_unstable();
    assert_eq!(
        pairs,
        ["Hangzhou-B → Shanghai-A", "Shanghai-A → Hangzhou-B"],
        "only where both clusters have copies"
    );
    let (status, _) = app
        .call(&auditor, "plans/evaluate", json!({ "id": plan }))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // On the schedule: the platforms stop answering, and the verdict follows.
    let supervisor = server::tasks::Supervisor::default();
    server::readiness::start(&supervisor, &app.services, Duration::from_secs(2));
    inject(
        &app,
        &operator,
        json!({ "call": "health", "effect": "fail" }),
    )
    .await;
    let attention = until_readiness(&app, &auditor, plan, "needs_attention").await;
    let problems: Vec<&str> = attention["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap())
        .collect();
    assert!(
        problems
            .iter()
            .any(|p| p.contains("the traffic gateway in Hangzhou-B")
                && p.contains("does not answer")),
        "{problems:#?}"
    );
    assert!(
        problems.iter().all(|p| p.contains("(for ")),
        "each names the pairs it spoils: {problems:#?}"
    );
    command(&app, &operator, "simulator/clear_faults", json!({})).await;
    until_readiness(&app, &auditor, plan, "ready").await;

    // Every round is in the audit log, with where stored passwords went.
    let rounds = app.audit_entries("readiness/evaluate").await;
    assert!(
        rounds.iter().any(|e| e["actor_name"] == "(system)"
            && e["reason"]
                .as_str()
                .unwrap()
                .contains("stored passwords sent to")),
        "{rounds:#?}"
    );
    let asked = app.audit_entries("plans/evaluate").await;
    assert!(
        asked
            .iter()
            .any(|e| e["actor_name"] == "operator" && e["outcome"] == "ok"),
        "{asked:#?}"
    );
    supervisor.shut_down(Duration::from_secs(5)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_change_is_evaluated_at_once_and_a_plan_shows_its_last_drill() {
    let app = TestApp::spawn_with_demo().await;
    let operator = app.as_role(Role::Operator).await;
    let reviewer = app.as_role(Role::Reviewer).await;
    trust_simulator(&app, &operator).await;
    // A schedule far away: what evaluates below is the change.
    let supervisor = server::tasks::Supervisor::default();
    server::readiness::start(&supervisor, &app.services, Duration::from_secs(3600));
    let plan = PlanBuilder::new("Quiet drill")
        .switchover("wait", json!({ "seconds": 1 }))
        .active(&app.base, &operator, &reviewer)
        .await;
    // Activation is a change: the new plan is evaluated without anyone asking.
    let first = until_readiness(&app, &operator, plan, "ready").await;
    assert_eq!(first["last_drill"], Value::Null);

    // A drill that ended is the plan's last drill, with its measured time.
    let new = json!({ "new": {
        "plan_id": plan,
        "failed": id_named(&operator, &app.base, "data_centers/list", "Shanghai-A").await,
        "emergency": id_named(&operator, &app.base, "data_centers/list", "Hangzhou-B").await,
        "description": "",
        "drill": true,
    }});
    let drill = id(&command(&app, &operator, "executions/create", new).await);
    command(&app, &operator, "executions/start", json!({ "id": drill })).await;
    until_state(&app, &operator, drill, "switchover_done").await;
    command(
        &app,
        &operator,
        "executions/cancel",
        json!({ "id": drill, "reason": "drill over" }),
    )
    .await;
    let shown = readiness_of(&app, &operator, plan).await;
    assert_eq!(shown["last_drill"]["id"], drill, "{shown:#}");
    assert_eq!(shown["last_drill"]["state"], "cancelled");
    assert!(shown["last_drill"]["switchover_done_at"].is_string());

    // Another change (a new data center) is evaluated too: the verdict is newer.
    let checked = first["checked_at"].as_str().unwrap().to_owned();
    command(
        &app,
        &operator,
        "data_centers/create",
        json!({ "form": { "region": "South", "name": "Guangzhou-D", "description": "" } }),
    )
    .await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        let now = readiness_of(&app, &operator, plan).await;
        if now["checked_at"].as_str().unwrap() > checked.as_str() {
            assert_eq!(now["state"], "ready");
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "never evaluated again: {now:#}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    supervisor.shut_down(Duration::from_secs(5)).await;
}
