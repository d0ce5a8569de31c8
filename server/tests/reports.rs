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
