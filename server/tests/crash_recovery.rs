//! kill -9 the server before, during and after a step's platform call, start it again on
//! the same database, and check that no step is lost and none is silently repeated: a
//! step found running is asked about again by its idempotency key, and one the platform
//! cannot answer for becomes interrupted, waiting for an operator.

use crate::support::builders::{PlanBuilder, log_lines};
use crate::support::child_server::{ChildServer, free_addr, simulator};
use crate::support::db_proxy::DbProxy;
use crate::support::fake_service::FakeService;
use crate::support::operator::Operator;
use crate::support::test_app::{SIMULATOR_PASSWORD, SIMULATOR_USER};
use crate::support::test_db::TestDb;
use crate::support::wait::eventually;
use app::domain::simulator::{Call, FaultEffect, FaultSpec, Latency, Timing};
use app::simulator_link::SimulatorLink;
use reqwest::Client;
use serde_json::{Value, json};
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// A server on a fresh demo database (reached through a proxy the test can cut), a
/// simulator in this process, and the operator signed in.
pub(crate) struct Crashable {
    pub(crate) db: TestDb,
    pub(crate) proxy: DbProxy,
    pub(crate) sim: SimulatorLink,
    pub(crate) sim_stop: CancellationToken,
    pub(crate) server: ChildServer,
    pub(crate) operator: Operator,
}

impl Crashable {
    pub(crate) async fn start() -> Self {
        let db = TestDb::empty().await;
        let proxy = DbProxy::start(&db.url).await;
        let sim_listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let sim_addr = sim_listener.local_addr().unwrap();
        let server = ChildServer::start(&proxy.url, free_addr().await, sim_addr).await;
        let sim_stop = CancellationToken::new();
        simulator(&db.url, sim_listener, sim_stop.clone()).await;
        let operator = Operator::on(&server).await;
        Self {
            sim: SimulatorLink::new(sim_addr, SIMULATOR_USER, SIMULATOR_PASSWORD),
            sim_stop,
            db,
            proxy,
            server,
            operator,
        }
    }

    /// kill -9, then the same server (the same instance name) again on the same database.
    pub(crate) async fn crash_and_restart(&mut self) {
        self.server.kill9().await;
        self.start_again().await;
    }

    /// The same server (the same instance name) started again on the same database.
    pub(crate) async fn start_again(&mut self) {
        self.server =
            ChildServer::start(&self.proxy.url, free_addr().await, self.sim.address()).await;
        // The session outlives the restart; the address does not.
        self.operator.base = self.server.base.clone();
    }

    /// The platform stops and a new one starts in its place, knowing none of the old
    /// one's operations.
    async fn replace_platform(&mut self) {
        self.sim_stop.cancel();
        tokio::time::sleep(Duration::from_millis(200)).await;
        let listener = tokio::net::TcpListener::bind(self.sim.address())
            .await
            .unwrap();
        self.sim_stop = CancellationToken::new();
        simulator(&self.db.url, listener, self.sim_stop.clone()).await;
    }

    /// An active plan that restarts Payments in the emergency data center within
    /// `timeout_seconds`, each restart taking `restart_ms` on the platform.
    pub(crate) async fn restart_of_payments(&self, timeout_seconds: u32, restart_ms: u32) -> u64 {
        let reviewer = self.server.signed_in("reviewer").await;
        let params = json!({
            "product_group": "Payments", "site": "emergency", "timeout_seconds": timeout_seconds,
        });
        let plan = PlanBuilder::new("Restart payments")
            .switchover("app.restart", params)
            .active(&self.server.base, &self.operator.client, &reviewer)
            .await;
        let slow = Latency {
            min_ms: restart_ms,
            max_ms: restart_ms,
        };
        let timing = Timing {
            restart: slow,
            ..Timing::ZERO
        };
        self.sim.set_timing(&timing).await.unwrap();
        plan
    }

    /// Checks that the platform restarted each of Payments' four applications once.
    pub(crate) async fn each_application_restarted_once(&self) {
        let state = self.sim.state().await.unwrap();
        let mut acted = std::collections::BTreeMap::<String, usize>::new();
        for call in &state.calls {
            if call.call == Call::ApplicationRestart && call.acted {
                *acted.entry(call.subject.clone()).or_default() += 1;
            }
        }
        assert_eq!(acted.len(), 4, "{acted:?}");
        assert!(
            acted.values().all(|n| *n == 1),
            "each restarted once: {acted:?}"
        );
    }

    /// Makes the platform hold its answer to the next cut of Payments for `delay_ms`.
    pub(crate) async fn slow_first_cut(&self, delay_ms: u32) {
        let fault = FaultSpec {
            call: Call::TrafficCut,
            data_center: None,
            target: Some("Payments".into()),
            effect: FaultEffect::Slow,
            times: Some(1),
            delay_ms: Some(delay_ms),
        };
        self.sim.inject(&fault).await.unwrap();
    }

    /// Makes every traffic cut take a second on the platform, so the database can go
    /// while the platform works.
    pub(crate) async fn slow_cuts(&self) {
        let slow = Latency {
            min_ms: 1000,
            max_ms: 1000,
        };
        self.sim
            .set_timing(&Timing {
                traffic: slow,
                ..Timing::ZERO
            })
            .await
            .unwrap();
    }

    /// Waits until the first step of `run` runs and its first call is recorded (with
    /// `status`, when given); returns that step's id.
    pub(crate) async fn until_first_call(&self, run: u64, status: Option<&str>) -> u64 {
        let detail = self
            .operator
            .until(run, "calling", |d| step(d, 1)["status"] == "running")
            .await;
        let first = step(&detail, 1)["id"].as_u64().unwrap();
        eventually(
            "the first call recorded",
            Duration::from_secs(30),
            || async {
                let record = self.record(run, first).await;
                let call = &record["calls"][0];
                match !call.is_null() && status.is_none_or(|s| call["status"] == s) {
                    true => Ok(first),
                    false => Err(record.to_string()),
                }
            },
        )
        .await
    }

    /// The operation of the first call of `step` (accepted: its id is recorded).
    pub(crate) async fn operation(&self, run: u64, step: u64) -> String {
        let record = self.record(run, step).await;
        record["calls"][0]["operation_id"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    /// Waits (up to 30 s) until the platform says `operation` ended, asking it directly.
    pub(crate) async fn until_platform_done(&self, operation: &str) {
        let url = format!("http://{}/v1/operations/{operation}", self.sim.address());
        let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
        loop {
            let asked = Client::new()
                .get(&url)
                .basic_auth("switchyard", Some(""))
                .send()
                .await
                .unwrap();
            let state: Value = asked.json().await.unwrap();
            if state["state"] != "running" {
                return;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "the platform never finished {operation}: {state}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    pub(crate) async fn record(&self, id: u64, step: u64) -> Value {
        self.operator
            .call(
                "executions/step_record",
                json!({ "execution": id, "step": step }),
            )
            .await
    }
}

pub(crate) fn step(detail: &Value, position: u64) -> &Value {
    detail["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["phase"] == "switchover" && s["position"] == position)
        .unwrap()
}

/// How many times the platform acted on a cut of Payments.
fn cut_calls(state: &app::domain::simulator::SimulatorState) -> usize {
    state
        .calls
        .iter()
        .filter(|c| c.call == Call::TrafficCut && c.subject.contains("Payments") && c.acted)
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_before_a_steps_call_the_step_runs_once_after_the_restart() {
    let mut crash = Crashable::start().await;
    // A plan of its own: a short wait, then one cut.
    let reviewer = crash.server.signed_in("reviewer").await;
    let plan = PlanBuilder::new("Crash drill")
        .switchover("wait", json!({ "seconds": 3 }))
        .switchover("traffic.cut", json!({ "product_group": "Payments" }))
        .active(&crash.server.base, &crash.operator.client, &reviewer)
        .await;

    let run = crash.operator.start_run(plan).await;
    crash
        .operator
        .until(run, "waiting", |d| step(d, 1)["status"] == "running")
        .await;
    crash.crash_and_restart().await;

    let done = crash.operator.until_switchover_done(run).await;
    assert_eq!(
        step(&done, 1)["attempts"],
        1,
        "the wait went on; it did not start again"
    );
    assert_eq!(step(&done, 2)["attempts"], 1);
    let calls = crash
        .record(run, step(&done, 2)["id"].as_u64().unwrap())
        .await;
    assert_eq!(calls["calls"].as_array().unwrap().len(), 1, "{calls:#}");
    assert_eq!(cut_calls(&crash.sim.state().await.unwrap()), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_during_a_steps_call_the_call_is_asked_again_by_its_key() {
    let mut crash = Crashable::start().await;
    let plan = crash
        .operator
        .id_named("plans/list", "Data center power loss")
        .await;
    crash.slow_first_cut(4000).await;
    let run = crash.operator.start_run(plan).await;
    let first = crash.until_first_call(run, None).await;
    crash.crash_and_restart().await;

    let done = crash.operator.until_switchover_done(run).await;
    assert_eq!(
        step(&done, 1)["attempts"],
        1,
        "no new attempt: the same call, asked again"
    );
    let record = crash.record(run, first).await;
    let calls = record["calls"].as_array().unwrap();
    assert_eq!(calls.len(), 1, "{record:#}");
    assert_eq!(calls[0]["status"], "succeeded");
    let lines = log_lines(&record);
    assert!(
        lines
            .iter()
            .any(|l| l.contains("asking again with the same key")),
        "{lines:#?}"
    );
    assert_eq!(
        cut_calls(&crash.sim.state().await.unwrap()),
        1,
        "the platform acted once: the call sent again was answered from its key"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_after_a_steps_call_its_answer_is_used_and_not_made_again() {
    let mut crash = Crashable::start().await;
    let plan = crash
        .operator
        .id_named("plans/list", "Data center power loss")
        .await;
    crash.slow_cuts().await;
    let run = crash.operator.start_run(plan).await;
    let first = crash.until_first_call(run, Some("accepted")).await;
    let operation = crash.operation(run, first).await;
    // The database goes; the platform finishes the cut; the server cannot write that down.
    crash.proxy.cut();
    crash.until_platform_done(&operation).await;
    assert_eq!(cut_calls(&crash.sim.state().await.unwrap()), 1);
    crash.proxy.restore();
    crash.crash_and_restart().await;

    let done = crash.operator.until_switchover_done(run).await;
    assert_eq!(step(&done, 1)["attempts"], 1);
    assert_eq!(step(&done, 1)["status"], "succeeded");
    let state = crash.sim.state().await.unwrap();
    assert_eq!(
        cut_calls(&state),
        1,
        "the platform was asked about the operation, never told to cut again"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_step_the_platform_cannot_answer_for_is_interrupted_for_an_operator() {
    let mut crash = Crashable::start().await;
    let plan = crash
        .operator
        .id_named("plans/list", "Data center power loss")
        .await;
    crash.slow_cuts().await;
    let run = crash.operator.start_run(plan).await;
    let first = crash.until_first_call(run, Some("accepted")).await;
    crash.proxy.cut();
    // Meanwhile the platform is replaced and knows nothing of the operation.
    crash.replace_platform().await;
    crash.proxy.restore();
    crash.crash_and_restart().await;

    let blocked = crash
        .operator
        .until(run, "blocked", |d| {
            d["summary"]["state"] == "switchover_blocked"
        })
        .await;
    assert_eq!(step(&blocked, 1)["status"], "interrupted");
    assert!(
        step(&blocked, 1)["last_error"]
            .as_str()
            .unwrap()
            .contains("no longer knows"),
        "{blocked:#}"
    );
    // An operator who checked by hand marks it done, and the run goes on.
    crash
        .operator
        .call(
            "executions/mark_step_done",
            json!({ "id": run, "step": first, "reason": "checked in the gateway console" }),
        )
        .await;
    crash.operator.until_switchover_done(run).await;
}

/// The execution's state, its switchover steps' statuses, and the lease's owner, read
/// from the database itself (the server is down).
async fn stored(db: &TestDb, run: u64) -> (String, Vec<String>, Option<String>) {
    use app::store::schema::{execution_leases, execution_steps, executions};
    use diesel::prelude::*;
    use diesel_async::RunQueryDsl;
    let mut conn = db.connect().await;
    let state: String = executions::table
        .find(run)
        .select(executions::state)
        .first(&mut conn)
        .await
        .unwrap();
    let steps: Vec<String> = execution_steps::table
        .filter(execution_steps::execution_id.eq(run))
        .filter(execution_steps::phase.eq("switchover"))
        .order(execution_steps::position)
        .select(execution_steps::status)
        .load(&mut conn)
        .await
        .unwrap();
    let owner: Option<String> = execution_leases::table
        .find(run)
        .select(execution_leases::owner)
        .first(&mut conn)
        .await
        .unwrap();
    (state, steps, owner)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stopped_by_sigterm_the_running_step_ends_and_no_other_starts() {
    let mut crash = Crashable::start().await;
    let plan = crash
        .operator
        .id_named("plans/list", "Data center power loss")
        .await;
    crash.slow_first_cut(2000).await;
    let run = crash.operator.start_run(plan).await;
    let first = crash.until_first_call(run, None).await;
    crash.server.terminate().await;

    let (state, steps, owner) = stored(&crash.db, run).await;
    assert_eq!(state, "switchover_running");
    assert_eq!(steps[0], "succeeded", "the running step ended: {steps:?}");
    assert!(steps[1..].iter().all(|s| s == "pending"), "{steps:?}");
    assert_eq!(owner, None, "the lease was given back");

    crash.start_again().await;
    let record = crash.record(run, first).await;
    assert_eq!(record["calls"][0]["status"], "succeeded", "{record:#}");
    assert!(
        log_lines(&record).iter().any(|l| l.starts_with("done: ")),
        "every line was written before the exit: {record:#}"
    );
    let done = crash.operator.until_switchover_done(run).await;
    assert_eq!(step(&done, 1)["attempts"], 1);
    assert_eq!(cut_calls(&crash.sim.state().await.unwrap()), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_in_the_middle_of_a_restart_level_each_application_restarts_once() {
    let mut crash = Crashable::start().await;
    let plan = crash.restart_of_payments(60, 1500).await;
    let run = crash.operator.start_run(plan).await;
    crash.until_first_call(run, Some("accepted")).await;
    crash.crash_and_restart().await;

    let done = crash.operator.until_switchover_done(run).await;
    assert_eq!(step(&done, 1)["attempts"], 1);
    crash.each_application_restarted_once().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_during_an_http_call_the_call_is_not_sent_again() {
    let mut crash = Crashable::start().await;
    let reviewer = crash.server.signed_in("reviewer").await;
    let hook = FakeService::start(FakeService::HANG).await;
    let plan = PlanBuilder::new("Call the hook")
        .switchover(
            "http.call",
            json!({ "method": "POST", "url": hook.url, "expect_status": 200, "timeout_seconds": 60 }),
        )
        .active(&crash.server.base, &crash.operator.client, &reviewer)
        .await;
    let run = crash.operator.start_run(plan).await;
    crash.until_first_call(run, None).await;
    eventually("the hook called", Duration::from_secs(30), || async {
        match hook.received() {
            0 => Err("no request".to_owned()),
            _ => Ok(()),
        }
    })
    .await;
    crash.crash_and_restart().await;

    let blocked = crash
        .operator
        .until(run, "blocked", |d| {
            d["summary"]["state"] == "switchover_blocked"
        })
        .await;
    assert_eq!(step(&blocked, 1)["status"], "interrupted", "{blocked:#}");
    assert!(
        step(&blocked, 1)["last_error"]
            .as_str()
            .unwrap()
            .contains("whether it arrived is unknown"),
        "{blocked:#}"
    );
    assert_eq!(
        hook.received(),
        1,
        "a request that may have arrived is not sent again"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn down_for_longer_than_a_steps_timeout_the_platform_is_still_asked_by_key() {
    let mut crash = Crashable::start().await;
    let plan = crash.restart_of_payments(5, 600).await;
    let run = crash.operator.start_run(plan).await;
    // The last level's restart (the fourth call) is under way when the server dies.
    let detail = crash
        .operator
        .until(run, "restarting", |d| step(d, 1)["status"] == "running")
        .await;
    let id = step(&detail, 1)["id"].as_u64().unwrap();
    eventually("the last level's call", Duration::from_secs(30), || async {
        let record = crash.record(run, id).await;
        match record["calls"][3]["status"] == "accepted" {
            true => Ok(()),
            false => Err(record.to_string()),
        }
    })
    .await;
    crash.server.kill9().await;
    // Down until the step's five seconds have run out: the deadline is the condition.
    let started: chrono::DateTime<chrono::Utc> =
        serde_json::from_value(step(&detail, 1)["started_at"].clone()).unwrap();
    let over = started + chrono::Duration::seconds(6);
    eventually(
        "the step's deadline passing",
        Duration::from_secs(30),
        || async {
            match chrono::Utc::now() > over {
                true => Ok(()),
                false => Err("within the step's timeout".to_owned()),
            }
        },
    )
    .await;
    crash.start_again().await;

    let done = crash.operator.until_switchover_done(run).await;
    assert_eq!(
        step(&done, 1)["status"],
        "succeeded",
        "asked, not given up: {done:#}"
    );
    assert_eq!(step(&done, 1)["attempts"], 1);
}
