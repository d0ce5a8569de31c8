//! Drills (演练): a run that calls only test (simulator) configs, refused where a step
//! would reach a real platform, and marked as a drill in the list, its page, the
//! export and the audit log.

use crate::executions::{command, data_center, step, trust_simulator, until_state};
use crate::support::builders::PlanBuilder;
use crate::support::test_app::{SIMULATOR_PASSWORD, TestApp};
use app::domain::role::Role;
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};

/// A plan that cuts Payments' traffic (the emergency data center's gateway is called).
async fn cut_plan(app: &TestApp, operator: &Client) -> u64 {
    let reviewer = app.as_role(Role::Reviewer).await;
    PlanBuilder::new("Cut payments")
        .switchover(
            "traffic.cut",
            json!({ "product_group": "Payments", "drain_seconds": 0 }),
        )
        .active(&app.base, operator, &reviewer)
        .await
}

async fn new_run(app: &TestApp, operator: &Client, plan: u64, drill: bool) -> Value {
    json!({ "new": {
        "plan_id": plan,
        "failed": data_center(app, operator, "Shanghai-A").await,
        "emergency": data_center(app, operator, "Hangzhou-B").await,
        "description": "",
        "drill": drill,
    }})
}

/// Hangzhou-B's traffic gateway configs.
async fn hangzhou_gateways(app: &TestApp, operator: &Client) -> Vec<Value> {
    let configs = command(app, operator, "connection_configs/list", json!({})).await;
    configs
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["data_center"]["name"] == "Hangzhou-B" && c["platform"] == "traffic_gateway")
        .cloned()
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_drill_calls_the_simulator_where_a_real_platform_is_configured_too_and_says_so() {
    let app = TestApp::spawn_with_demo().await;
    let operator = app.as_role(Role::Operator).await;
    trust_simulator(&app, &operator).await;
    let plan = cut_plan(&app, &operator).await;
    let simulator_gateway = hangzhou_gateways(&app, &operator).await[0]["name"].clone();
    // A real gateway beside the simulator's, which a real run would call first; nothing
    // listens on its port.
    let hangzhou = data_center(&app, &operator, "Hangzhou-B").await;
    command(
        &app,
        &operator,
        "connection_configs/create",
        json!({ "form": {
            "name": "hangzhou-gw-real", "data_center": hangzhou, "platform": "traffic_gateway",
            "kind": "cloud", "protocol": "http", "host": "127.0.0.1", "port": 1,
            "username": "ops", "password": { "action": "set", "password": "real" },
        }}),
    )
    .await;

    let check = command(
        &app,
        &operator,
        "executions/pre_check",
        new_run(&app, &operator, plan, true).await,
    )
    .await;
    assert_eq!(check["items"][0]["config"][1], simulator_gateway, "{check}");
    let created = command(
        &app,
        &operator,
        "executions/create",
        new_run(&app, &operator, plan, true).await,
    )
    .await;
    let run = created["summary"]["id"].as_u64().unwrap();
    assert_eq!(created["summary"]["drill"], true);
    command(&app, &operator, "executions/start", json!({ "id": run })).await;
    let done = until_state(&app, &operator, run, "switchover_done").await;
    let cut = done["steps"][0]["id"].as_u64().unwrap();
    let record = command(
        &app,
        &operator,
        "executions/step_record",
        json!({ "execution": run, "step": cut }),
    )
    .await;
    assert!(
        record["calls"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["config_name"] == simulator_gateway),
        "{record}"
    );
    assert_eq!(step(&done, cut)["attempts"], 1);

    // Marked as a drill: the list's filter, the audit log and the page.
    let auditor = app.as_role(Role::Auditor).await;
    let listed = |drill: bool| {
        let auditor = auditor.clone();
        let app = &app;
        async move {
            let list = command(
                app,
                &auditor,
                "executions/list",
                json!({ "filter": { "drill": drill } }),
            )
            .await;
            list.as_array()
                .unwrap()
                .iter()
                .map(|s| s["id"].as_u64().unwrap())
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(listed(true).await, [run]);
    assert_eq!(listed(false).await, Vec::<u64>::new());
    let entry = &app.audit_entries("executions/create").await[0];
    assert_eq!(entry["target_id"], run.to_string());
    assert!(
        entry["reason"].as_str().unwrap().contains("drill"),
        "{entry}"
    );
    let (_, _, html) = app.page(&auditor, &format!("/executions/{run}")).await;
    assert!(
        html.contains("data-testid=\"drill-badge\""),
        "the page marks it"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_drill_is_refused_where_a_step_would_call_a_real_platform_naming_its_config() {
    let app = TestApp::spawn_with_demo().await;
    let operator = app.as_role(Role::Operator).await;
    trust_simulator(&app, &operator).await;
    let plan = cut_plan(&app, &operator).await;
    // Hangzhou-B's only traffic gateway becomes a real one.
    let gateway = hangzhou_gateways(&app, &operator).await.remove(0);
    let mut form = json!({
        "name": gateway["name"], "data_center": gateway["data_center"]["id"],
        "platform": "traffic_gateway", "kind": "cloud", "protocol": gateway["protocol"],
        "host": gateway["host"], "port": gateway["port"], "username": gateway["username"],
        "password": { "action": "set", "password": SIMULATOR_PASSWORD },
    });
    command(
        &app,
        &operator,
        "connection_configs/update",
        json!({ "id": gateway["id"], "revision": gateway["revision"], "form": form.take() }),
    )
    .await;

    let (status, answer) = app
        .call(
            &operator,
            "executions/create",
            new_run(&app, &operator, plan, true).await,
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    assert_eq!(answer["errors"][0]["field"], "drill");
    let message = answer["errors"][0]["message"].as_str().unwrap();
    assert!(
        message.contains(gateway["name"].as_str().unwrap()),
        "{message}"
    );
    assert!(
        message.contains("traffic gateway in Hangzhou-B"),
        "{message}"
    );
    let list = command(&app, &operator, "executions/list", json!({ "filter": {} })).await;
    assert_eq!(list, json!([]), "nothing was created");

    // For real, the same run may call it.
    let (status, answer) = app
        .call(
            &operator,
            "executions/create",
            new_run(&app, &operator, plan, false).await,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer["summary"]["drill"], false);
}
