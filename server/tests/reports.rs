//! After the run: how long the switchover and the recovery took, measured by the
//! database's record of the run, against the recovery-time target of the plan version
//! that ran.

use crate::executions::{command, inject, step_id, trust_simulator, until_state, until_step};
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

/// Waits until the execution is blocked on a failed step; returns that step's id.
async fn blocked_at(app: &TestApp, client: &reqwest::Client, id: u64, position: u64) -> u64 {
    let blocked = until_state(app, client, id, "switchover_blocked").await;
    step_id(&blocked, "switchover", position)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_report_tells_each_steps_time_every_control_used_and_the_failed_attempts_logs() {
    let app = TestApp::spawn_with_demo().await;
    let operator = app.as_role(Role::Operator).await;
    let reviewer = app.as_role(Role::Reviewer).await;
    let auditor = app.as_role(Role::Auditor).await;
    trust_simulator(&app, &operator).await;
    let plan = PlanBuilder::new("Everything happens")
        .rto_minutes(10)
        .switchover(
            "traffic.cut",
            json!({ "product_group": "Payments", "drain_seconds": 0 }),
        )
        .switchover(
            "manual.confirm",
            json!({ "instruction": "Is the gateway quiet?" }),
        )
        .switchover("db.switchover", json!({ "cluster": "payments-db" }))
        .switchover("db.switchover", json!({ "cluster": "trading-db" }))
        .switchover(
            "app.restart",
            json!({ "product_group": "Payments", "site": "emergency" }),
        )
        .recovery("wait", json!({ "seconds": 1 }))
        .active(&app.base, &operator, &reviewer)
        .await;
    inject(
        &app,
        &operator,
        json!({ "call": "traffic.cut", "target": "Payments", "effect": "fail", "times": 1 }),
    )
    .await;
    inject(
        &app,
        &operator,
        json!({ "call": "cluster.switchover", "target": "payments-db", "effect": "fail" }),
    )
    .await;
    inject(
        &app,
        &operator,
        json!({ "call": "cluster.switchover", "target": "trading-db", "effect": "fail" }),
    )
    .await;
    let id = started(&app.base, &operator, plan).await;

    let cut = blocked_at(&app, &operator, id, 1).await;
    command(
        &app,
        &auditor,
        "executions/comment",
        json!({ "id": id, "text": "the gateway refused the cut" }),
    )
    .await;
    command(
        &app,
        &operator,
        "executions/retry_step",
        json!({ "id": id, "step": cut }),
    )
    .await;
    let detail = until_step(&app, &operator, id, cut + 1, "waiting").await;
    let confirm = step_id(&detail, "switchover", 2);
    command(
        &app,
        &operator,
        "executions/confirm_step",
        json!({ "id": id, "step": confirm }),
    )
    .await;
    let payments_db = blocked_at(&app, &operator, id, 3).await;
    command(
        &app,
        &operator,
        "executions/skip_step",
        json!({ "id": id, "step": payments_db, "reason": "payments-db is moved next week" }),
    )
    .await;
    let trading_db = blocked_at(&app, &operator, id, 4).await;
    command(
        &app,
        &operator,
        "executions/mark_step_done",
        json!({ "id": id, "step": trading_db, "reason": "moved by the DBA by hand" }),
    )
    .await;
    until_state(&app, &operator, id, "switchover_done").await;
    command(&app, &operator, "executions/start", json!({ "id": id })).await;
    until_state(&app, &operator, id, "completed").await;

    // Auditors read reports; a report is the run as the database recorded it.
    let (status, report) = app
        .call(&auditor, "executions/report", json!({ "id": id }))
        .await;
    assert_eq!(status, reqwest::StatusCode::OK, "{report}");
    let steps = report["steps"].as_array().unwrap();
    let kinds = |n: usize| -> Vec<(u64, String)> {
        steps[n]["spans"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| {
                (
                    s["attempt"].as_u64().unwrap(),
                    s["kind"].as_str().unwrap().to_owned(),
                )
            })
            .collect()
    };
    let pairs = |list: &[(u64, &str)]| -> Vec<(u64, String)> {
        list.iter().map(|(a, k)| (*a, (*k).to_owned())).collect()
    };
    assert_eq!(
        kinds(0),
        pairs(&[(1, "work"), (1, "decision"), (2, "work")]),
        "retried: {report:#}"
    );
    assert_eq!(
        kinds(1),
        pairs(&[(1, "work"), (1, "confirmation")]),
        "confirmed"
    );
    assert_eq!(kinds(2), pairs(&[(1, "work"), (1, "decision")]), "skipped");
    assert_eq!(
        kinds(3),
        pairs(&[(1, "work"), (1, "decision")]),
        "marked done"
    );
    assert_eq!(steps[0]["attempts"], 2);
    assert_eq!(steps[2]["status"], "skipped");
    assert_eq!(steps[2]["reason"], "payments-db is moved next week");
    assert_eq!(steps[3]["status"], "succeeded");
    assert_eq!(steps[3]["decided_by"], "operator");
    assert_eq!(steps[1]["decided_by"], "operator");

    // Each failed attempt with its own log; the restart's applications side by side.
    let failures: Vec<(u64, u64)> = steps
        .iter()
        .flat_map(|s| {
            s["failures"].as_array().unwrap().iter().map(|f| {
                (
                    s["position"].as_u64().unwrap(),
                    f["attempt"].as_u64().unwrap(),
                )
            })
        })
        .collect();
    assert_eq!(failures, [(1, 1), (3, 1), (4, 1)]);
    let first_failure = &steps[0]["failures"][0];
    assert!(
        first_failure["error"].as_str().unwrap().contains("fail"),
        "{first_failure:#}"
    );
    assert!(
        !first_failure["lines"].as_array().unwrap().is_empty(),
        "its log: {first_failure:#}"
    );
    assert!(
        first_failure["lines"]
            .as_array()
            .unwrap()
            .iter()
            .all(|l| l["attempt"] == 1),
        "only the failed attempt's lines"
    );
    let applications = steps[4]["applications"].as_array().unwrap();
    assert!(applications.len() >= 2, "{:#}", steps[4]);
    assert!(
        applications
            .iter()
            .all(|a| a["status"] == "succeeded" && a["level"].as_u64().unwrap() >= 1)
    );

    // Every control people used, by whom and with the reason given; the comment too.
    let controls: Vec<(String, String)> = report["controls"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["action"].as_str().unwrap().to_owned(),
                c["note"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect();
    let actions: Vec<&str> = controls.iter().map(|(a, _)| a.as_str()).collect();
    assert_eq!(
        actions,
        [
            "executions/create",
            "executions/start",
            "executions/retry_step",
            "executions/confirm_step",
            "executions/skip_step",
            "executions/mark_step_done",
            "executions/start"
        ],
        "{controls:?}"
    );
    assert!(
        controls[4].1.contains("payments-db is moved next week"),
        "{controls:?}"
    );
    assert!(
        controls[5].1.contains("moved by the DBA by hand"),
        "{controls:?}"
    );
    assert!(
        report["controls"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["who"] == "operator")
    );
    assert_eq!(report["comments"][0]["text"], "the gateway refused the cut");
    assert_eq!(report["comments"][0]["author"], "auditor");

    // The page holds the timeline and the verdict in the server's HTML: no script needed.
    let (status, _, html) = app
        .page(&auditor, &format!("/executions/{id}/report"))
        .await;
    assert_eq!(status, reqwest::StatusCode::OK);
    // Sent whole: no placeholder, no fragment streamed in afterwards for a script to place.
    assert!(
        !html.contains("Loading the report"),
        "a placeholder was sent"
    );
    assert!(
        html.contains(&format!(
            "<title>Report · Execution #{id} · Everything happens · Switchyard</title>"
        )),
        "its title in the head"
    );
    let body = html.split("<template").next().unwrap();
    for expected in [
        "Timeline of execution #",
        "<svg",
        "span-decision",
        "span-confirmation",
        "Where the time went",
        "target 10 min: met",
        "Completed with warnings",
        "moved by the DBA by hand",
        "the gateway refused the cut",
    ] {
        assert!(body.contains(expected), "{expected} not in the page");
    }
    assert!(
        !body.contains("Loading the report"),
        "sent whole, not a placeholder"
    );

    // The CSV: one row a step.
    let (status, csv) = app
        .call(&auditor, "executions/report_csv", json!({ "id": id }))
        .await;
    assert_eq!(status, reqwest::StatusCode::OK, "{csv}");
    let csv = csv.as_str().unwrap().to_owned();
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    assert_eq!(reader.records().count(), 6, "{csv}");

    // A report of nothing is a clear 404; nobody signed out reads one.
    let (status, _) = app
        .call(&auditor, "executions/report", json!({ "id": 999_999 }))
        .await;
    assert_eq!(status, reqwest::StatusCode::NOT_FOUND);
    let (status, _) = app
        .call(
            &reqwest::Client::new(),
            "executions/report",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(status, reqwest::StatusCode::UNAUTHORIZED);
}
