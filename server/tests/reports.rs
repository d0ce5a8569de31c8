//! After the run: how long the switchover and the recovery took, measured by the
//! database's record of the run, against the recovery-time target of the plan version
//! that ran.

use crate::executions::{command, until_state};
use crate::support::builders::{PlanBuilder, started};
use crate::support::test_app::TestApp;
use app::domain::execution::timing::RtoVerdict;
use app::domain::execution::view::ExecutionSummary;
use app::domain::role::Role;
use serde_json::{Value, json};

fn summary(detail: &Value) -> ExecutionSummary {
    serde_json::from_value(detail["summary"].clone()).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_switchover_within_its_target_is_met_and_one_beyond_it_is_missed() {
    let app = TestApp::spawn_with_demo().await;
    let operator = app.as_role(Role::Operator).await;
    let reviewer = app.as_role(Role::Reviewer).await;
    let quick = PlanBuilder::new("Quick switch")
        .rto_minutes(1)
        .switchover("wait", json!({ "seconds": 1 }))
        .recovery("wait", json!({ "seconds": 2 }))
        .active(&app.base, &operator, &reviewer)
        .await;
    // One second over its one-minute target: the smallest honest miss.
    let slow = PlanBuilder::new("Slow switch")
        .rto_minutes(1)
        .switchover("wait", json!({ "seconds": 61 }))
        .active(&app.base, &operator, &reviewer)
        .await;
    let quick_run = started(&app.base, &operator, quick).await;
    let slow_run = started(&app.base, &operator, slow).await;

    let done = summary(&until_state(&app, &operator, quick_run, "switchover_done").await);
    assert_eq!(done.rto_minutes, Some(1), "copied from the plan version");
    let took = done.switchover_took().unwrap();
    assert!((1..60).contains(&took.num_seconds()), "{took}");
    assert!(
        matches!(done.rto_verdict(), Some(RtoVerdict::Met { spare_seconds }) if spare_seconds == 60 - took.num_seconds()),
        "{:?}",
        done.rto_verdict()
    );
    assert_eq!(done.recovery_took(), None, "no recovery yet");

    command(
        &app,
        &operator,
        "executions/start",
        json!({ "id": quick_run }),
    )
    .await;
    let completed = summary(&until_state(&app, &operator, quick_run, "completed").await);
    assert_eq!(completed.switchover_done_at, done.switchover_done_at);
    let recovery = completed.recovery_took().unwrap();
    assert!((2..60).contains(&recovery.num_seconds()), "{recovery}");
    assert!(completed.recovery_started_at.unwrap() >= done.switchover_done_at.unwrap());

    let missed = summary(&until_state(&app, &operator, slow_run, "switchover_done").await);
    let Some(RtoVerdict::Missed { over_seconds }) = missed.rto_verdict() else {
        panic!("{:?}", missed.rto_verdict());
    };
    assert!((1..30).contains(&over_seconds), "{over_seconds}");

    // The execution's page says so, rendered on the server.
    let (_, _, html) = app
        .page(&operator, &format!("/executions/{slow_run}"))
        .await;
    assert!(
        html.contains("target 1 min: missed by"),
        "{}",
        &html[html.find("Recovery time").unwrap_or(0)..][..400.min(html.len())]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_history_filters_by_plan_state_and_time_and_exports_what_it_lists() {
    let app = TestApp::spawn_with_demo().await;
    let operator = app.as_role(Role::Operator).await;
    let reviewer = app.as_role(Role::Reviewer).await;
    let auditor = app.as_role(Role::Auditor).await;
    let plan = |name: &'static str| {
        PlanBuilder::new(name)
            .rto_minutes(5)
            .switchover("wait", json!({ "seconds": 1 }))
            .active(&app.base, &operator, &reviewer)
    };
    let (north, south) = (plan("North").await, plan("South").await);
    let north_run = started(&app.base, &operator, north).await;
    let south_run = started(&app.base, &operator, south).await;
    until_state(&app, &operator, north_run, "switchover_done").await;
    command(
        &app,
        &operator,
        "executions/cancel",
        json!({ "id": south_run, "reason": "enough" }),
    )
    .await;

    let list = |filter: Value| {
        let auditor = auditor.clone();
        let app = &app;
        async move {
            let (status, answer) = app
                .call(&auditor, "executions/list", json!({ "filter": filter }))
                .await;
            assert_eq!(status, reqwest::StatusCode::OK, "{answer}");
            answer
                .as_array()
                .unwrap()
                .iter()
                .map(|s| s["id"].as_u64().unwrap())
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(list(json!({})).await, [south_run, north_run]);
    assert_eq!(list(json!({ "plan": north })).await, [north_run]);
    assert_eq!(list(json!({ "state": "cancelled" })).await, [south_run]);
    assert_eq!(
        list(json!({ "plan": north, "state": "cancelled" })).await,
        Vec::<u64>::new()
    );
    let hour_ago = (chrono::Utc::now() - chrono::Duration::hours(1)).to_rfc3339();
    let in_an_hour = (chrono::Utc::now() + chrono::Duration::hours(1)).to_rfc3339();
    assert_eq!(
        list(json!({ "from": hour_ago, "to": in_an_hour })).await,
        [south_run, north_run]
    );
    assert_eq!(list(json!({ "from": in_an_hour })).await, Vec::<u64>::new());
    assert_eq!(list(json!({ "to": hour_ago })).await, Vec::<u64>::new());

    // A time without its offset names no instant: refused, saying what would do.
    let (status, answer) = app
        .call(
            &auditor,
            "executions/list",
            json!({ "filter": { "from": "2026-12-01T00:00:00" } }),
        )
        .await;
    assert_eq!(status, reqwest::StatusCode::BAD_REQUEST, "{answer}");
    assert!(
        answer["message"].as_str().unwrap().contains("RFC 3339"),
        "{answer}"
    );

    // The export holds what the list shows for the same filter, every column filled in.
    let (status, csv) = app
        .call(
            &auditor,
            "executions/export",
            json!({ "filter": { "plan": north } }),
        )
        .await;
    assert_eq!(status, reqwest::StatusCode::OK, "{csv}");
    let csv = csv.as_str().unwrap().to_owned();
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect();
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 1, "{csv}");
    let cell = |name: &str| rows[0][header.iter().position(|c| c == name).unwrap()].to_owned();
    assert_eq!(cell("id"), north_run.to_string());
    assert_eq!(cell("plan"), "North");
    assert_eq!(cell("state"), "switchover_done");
    assert_eq!(cell("started_by"), "operator");
    assert_eq!(cell("rto_minutes"), "5");
    assert_eq!(cell("rto_verdict"), "met");
    assert!(
        cell("switchover_seconds").parse::<u64>().unwrap() >= 1,
        "{csv}"
    );
}
