//! Several instances over one database, as real server processes: each follows what the
//! others commit (live frames, operators' commands), takes over the executions of one
//! that died or stalled past its lease, and a stalled owner that wakes is fenced off.
//! Exactly one instance wins each race for a lease.

use crate::crash_recovery::{Crashable, step};
use crate::executions::{id, power_loss_created};
use crate::live::{next, open_at, session_cookie_at};
use crate::support::builders::PlanBuilder;
use crate::support::child_server::{ChildServer, free_addr};
use crate::support::operator::Operator;
use crate::support::state_dir;
use crate::support::test_app::TestApp;
use crate::support::wait::eventually;
use app::domain::cluster::Claimant;
use app::domain::event::Change;
use app::domain::execution::{Command, ExecutionState};
use app::domain::ids::ExecutionId;
use app::domain::live::{LiveFrame, execution_path};
use app::domain::role::Role;
use app::store::executions::leases;
use app::store::schema::{execution_events, execution_leases};
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncMysqlConnection, RunQueryDsl};
use serde_json::json;
use std::time::Duration;

/// A second instance, `name`, on the crash fixture's database (directly, not through
/// the proxy that cuts the first one off), with the same simulator.
async fn second_instance(crash: &Crashable, name: &str) -> (ChildServer, Operator) {
    let server = ChildServer::start_in(
        &state_dir::fresh(),
        &[("SWITCHYARD_INSTANCE", name)],
        &crash.db.url,
        free_addr().await,
        crash.sim.address(),
    )
    .await;
    let operator = Operator::on(&server).await;
    (server, operator)
}

async fn connect(database_url: &str) -> AsyncMysqlConnection {
    AsyncMysqlConnection::establish(database_url).await.unwrap()
}

/// Who holds the execution's lease now, in the database at `database_url`.
pub(crate) async fn lease_owner(database_url: &str, run: u64) -> Option<String> {
    execution_leases::table
        .find(run)
        .select(execution_leases::owner)
        .first(&mut connect(database_url).await)
        .await
        .unwrap()
}

/// The fencing token of the execution's lease now.
async fn lease_token(database_url: &str, run: u64) -> u64 {
    execution_leases::table
        .find(run)
        .select(execution_leases::fencing_token)
        .first(&mut connect(database_url).await)
        .await
        .unwrap()
}

/// The stored events' `seq`s of `run` are 1..=N, with no gap and none twice.
pub(crate) async fn events_without_gaps(database_url: &str, run: u64) {
    let seqs: Vec<u64> = execution_events::table
        .filter(execution_events::execution_id.eq(run))
        .select(execution_events::seq)
        .order(execution_events::seq)
        .load(&mut connect(database_url).await)
        .await
        .unwrap();
    let expected: Vec<u64> = (1..=seqs.len() as u64).collect();
    assert_eq!(seqs, expected);
}

/// Frees the lease of execution `run` and lets `one` and `two` claim it at the same
/// moment, `rounds` times: exactly one of them wins each time.
pub(crate) async fn race_for_a_lease(
    database_url: &str,
    run: u64,
    one: &app::store::Store,
    two: &app::store::Store,
    rounds: u32,
) {
    let id = ExecutionId(run);
    let lease = Duration::from_secs(60);
    let mut conn = connect(database_url).await;
    for race in 0..rounds {
        diesel::update(execution_leases::table.find(run))
            .set((
                execution_leases::owner.eq(None::<String>),
                execution_leases::expires_at.eq(None::<chrono::NaiveDateTime>),
            ))
            .execute(&mut conn)
            .await
            .unwrap();
        let claim = |store: &app::store::Store, name: &'static str| {
            let store = store.clone();
            tokio::spawn(
                async move { leases::claim(&store, id, &Claimant::new(name, lease)).await },
            )
        };
        let (a, b) = tokio::join!(claim(one, "one"), claim(two, "two"));
        let (a, b) = (a.unwrap().unwrap(), b.unwrap().unwrap());
        assert!(
            a.is_some() != b.is_some(),
            "race {race}: exactly one owner, got {a:?} and {b:?}"
        );
        let winner = if a.is_some() { "one" } else { "two" };
        assert_eq!(
            lease_owner(database_url, run).await.as_deref(),
            Some(winner)
        );
    }
}

/// The start commits with the lease of the instance it came to: no other instance's
/// look for free leases takes the execution up before that instance's engine claims it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_started_execution_is_held_by_the_instance_the_start_came_to() {
    let app = TestApp::spawn_with_demo().await;
    let operator = app.as_role(Role::Operator).await;
    let run = ExecutionId(id(&power_loss_created(&app, &operator).await));
    let store = app.services.store();
    let user = app::store::users::find_by_username(store, "operator")
        .await
        .unwrap()
        .unwrap();
    let record = app::store::audit::AuditRecord::of(
        &user.session_user(),
        app::domain::role::Action::StartExecution,
        None,
    );
    let here = Claimant::new("commanded-here", Duration::from_secs(60));
    let token_before = lease_token(&app.db.url, run.0).await;

    app::store::executions::command(store, &record, run, &Command::Start, &here)
        .await
        .unwrap();

    assert_eq!(
        lease_owner(&app.db.url, run.0).await.as_deref(),
        Some("commanded-here")
    );
    assert!(lease_token(&app.db.url, run.0).await > token_before);
    for other in ["dc-b", app.services.engine.claimant().owner.as_str()] {
        let free = leases::claimable(store, other).await.unwrap();
        assert!(!free.contains(&run), "{other} may take {run} up: {free:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_watcher_on_another_instance_sees_the_run_live_and_its_cancel_reaches_the_owner() {
    let crash = Crashable::start().await;
    let (b, on_b) = second_instance(&crash, "dc-b").await;
    let reviewer = crash.server.signed_in("reviewer").await;
    let plan = PlanBuilder::new("Wait then cut")
        .switchover("wait", json!({ "seconds": 2 }))
        .switchover("wait", json!({ "seconds": 600 }))
        .active(&crash.server.base, &crash.operator.client, &reviewer)
        .await;

    // Started on the first instance, which runs it; watched on the second.
    let run = crash.operator.start_run(plan).await;
    let cookie = session_cookie_at(&b.base, Role::Auditor).await;
    let mut socket = open_at(
        &b.base,
        &execution_path(ExecutionId(run), 0),
        Some(&cookie),
        None,
    )
    .await
    .unwrap();
    let mut last_seq = loop {
        match next(&mut socket).await.unwrap() {
            LiveFrame::SnapshotSteps(_) => {}
            LiveFrame::Snapshot(detail) => break detail.summary.last_seq,
            other => panic!("expected a snapshot, got {other:?}"),
        }
    };
    assert_eq!(next(&mut socket).await.unwrap(), LiveFrame::Live);

    // Step 2 starts on the first instance: the watcher on the second sees it come.
    let second_step_running = loop {
        match next(&mut socket).await.unwrap() {
            LiveFrame::Event(event) => {
                assert_eq!(event.seq, last_seq + 1, "in order, none missed");
                last_seq = event.seq;
                if let Change::Step(step) = &event.change
                    && step.position == 2
                    && step.status == app::domain::execution::StepStatus::Running
                {
                    break event;
                }
            }
            other => panic!("expected events, got {other:?}"),
        }
    };
    assert_eq!(
        lease_owner(&crash.db.url, run).await.as_deref(),
        Some("crash-test")
    );

    // Cancelled on the second instance: the owner ends its ten-minute wait at once.
    on_b.call(
        "executions/cancel",
        json!({ "id": run, "reason": "drill over" }),
    )
    .await;
    let cancelled = crash
        .operator
        .until(run, "cancelled, its wait ended", |d| {
            d["summary"]["state"] == "cancelled" && step(d, 2)["status"] == "cancelled"
        })
        .await;
    assert!(cancelled["summary"]["last_seq"].as_u64().unwrap() > second_step_running.seq);
    // The watcher on the second instance sees the end too.
    loop {
        match next(&mut socket).await.unwrap() {
            LiveFrame::Event(event) => {
                assert_eq!(event.seq, last_seq + 1, "in order, none missed");
                last_seq = event.seq;
                if let Change::Execution(summary) = &event.change
                    && summary.state == ExecutionState::Cancelled
                {
                    break;
                }
            }
            other => panic!("expected events, got {other:?}"),
        }
    }
    events_without_gaps(&crash.db.url, run).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_owner_killed_mid_step_is_taken_over_and_each_application_restarts_once() {
    let mut crash = Crashable::start().await;
    let (_b, on_b) = second_instance(&crash, "dc-b").await;
    let plan = crash.restart_of_payments(60, 1500).await;
    let run = crash.operator.start_run(plan).await;
    crash.until_first_call(run, Some("accepted")).await;
    assert_eq!(
        lease_owner(&crash.db.url, run).await.as_deref(),
        Some("crash-test")
    );

    crash.server.kill9().await;

    let done = on_b.until_switchover_done(run).await;
    assert_eq!(step(&done, 1)["attempts"], 1, "{done:#}");
    crash.each_application_restarted_once().await;
    events_without_gaps(&crash.db.url, run).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_owner_stalled_past_its_lease_is_fenced_off_when_it_wakes() {
    let crash = Crashable::start().await;
    let (_b, on_b) = second_instance(&crash, "dc-b").await;
    let plan = crash.restart_of_payments(60, 3000).await;
    let run = crash.operator.start_run(plan).await;
    crash.until_first_call(run, Some("accepted")).await;

    // The owner stalls (a frozen VM, a long pause) until the other instance has taken
    // the execution over; then it wakes, mid-step, holding a lease that is no longer its.
    crash.server.signal("STOP").await;
    eventually("the takeover", Duration::from_secs(30), || async {
        match lease_owner(&crash.db.url, run).await {
            Some(owner) if owner == "dc-b" => Ok(()),
            other => Err(format!("{other:?}")),
        }
    })
    .await;
    crash.server.signal("CONT").await;

    let done = on_b.until_switchover_done(run).await;
    assert_eq!(step(&done, 1)["attempts"], 1, "{done:#}");
    crash.each_application_restarted_once().await;
    events_without_gaps(&crash.db.url, run).await;
    // The woken owner stopped driving: it asks for the lease no more, and never
    // took it back.
    let owner = lease_owner(&crash.db.url, run).await;
    assert_ne!(owner.as_deref(), Some("crash-test"), "{owner:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn of_two_instances_racing_for_a_lease_exactly_one_wins_each_time() {
    let app = TestApp::spawn_with_demo().await;
    let operator = app.as_role(Role::Operator).await;
    let reviewer = app.as_role(Role::Reviewer).await;
    let plan = PlanBuilder::new("Raced")
        .switchover("wait", json!({ "seconds": 1 }))
        .active(&app.base, &operator, &reviewer)
        .await;
    let run =
        crate::support::builders::execution(&app.base, &operator, plan, "Shanghai-A", "Hangzhou-B")
            .await;
    let one = app::store::Store::new(&app.db.url, 2, state_dir::mode()).unwrap();
    let two = app::store::Store::new(&app.db.url, 2, state_dir::mode()).unwrap();
    race_for_a_lease(&app.db.url, run, &one, &two, 1000).await;
}
