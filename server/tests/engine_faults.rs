//! The engine tells the truth under faults: a call that may have acted and got no answer
//! leaves its step interrupted (never failed), and a retry asks the platform about it by
//! its key before anything new is sent; keys never repeat across databases; a URL that
//! answered, or may have received the request, is not called again.

use crate::executions::{inject, simulator, step, trust_simulator, until_state};
use crate::support::builders::{
    PlanBuilder, log_lines, ok, point_configs_at, started, step_record,
};
use crate::support::fake_platform::{FakePlatform, Hostile};
use crate::support::fake_service::FakeService;
use crate::support::test_app::{SIMULATOR_PASSWORD, TestApp};
use crate::support::wait::eventually;
use app::domain::role::Role;
use reqwest::Client;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::time::Duration;

const SECONDS_10: Duration = Duration::from_secs(10);
const SECONDS_30: Duration = Duration::from_secs(30);
const SECONDS_60: Duration = Duration::from_secs(60);

/// How many times the simulator acted on each application's restart, by application.
async fn restarts_acted(app: &TestApp, client: &Client) -> BTreeMap<String, usize> {
    let world = simulator(app, client).await;
    let mut acted = BTreeMap::new();
    for call in world["calls"].as_array().unwrap() {
        if call["call"] == "application.restart" && call["acted"] == true {
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
    let record = step_record(&operator, &app.base, id, &restart["id"]).await;
    let lines = log_lines(&record);
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
    let theirs = platform.as_role(Role::Operator).await;
    let configs = ok(
        &theirs,
        &platform.base,
        "connection_configs/list",
        json!({}),
    )
    .await;
    let (host, port) = (&configs[0]["host"], &configs[0]["port"]);
    point_configs_at(&app.base, operator, host, port, SIMULATOR_PASSWORD).await;
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
        let record = step_record(&operator, &app.base, id, &only_step(&done)["id"]).await;
        cuts.push(record["calls"][0]["idempotency_key"].clone());
    }
    assert_ne!(cuts[0], cuts[1], "each run has keys of its own");
    let operator = first.as_role(Role::Operator).await;
    let world = simulator(&first, &operator).await;
    let acted = world["calls"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["call"] == "traffic.cut" && c["acted"] == true)
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

/// An approved plan's URL is still not called where the console's network is private:
/// another loopback address (with a service listening there), the cloud metadata
/// address. Nothing is sent, nothing recorded as sent, and the step says why.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_http_call_to_an_inner_address_is_refused_and_nothing_is_sent() {
    let app = TestApp::spawn_with_demo().await;
    let inner = FakeService::start_at("127.0.0.2", 200).await;
    let metadata = "http://169.254.169.254/latest/meta-data/";
    for (plan, url) in [
        ("Call loopback", inner.url.as_str()),
        ("Call metadata", metadata),
    ] {
        let step = blocked_http_call(&app, plan, url).await;
        assert_eq!(step["status"], "failed", "{step:#}");
        let why = step["last_error"].as_str().unwrap();
        assert!(
            why.contains("nothing was sent") && why.contains("SWITCHYARD_HTTP_CALL_ALLOW"),
            "{why}"
        );
    }
    assert_eq!(inner.received(), 0);
}

/// Runs a one-cut plan called `plan` against `platform` until the execution is
/// `state`; returns the step and its record.
async fn run_cut_against(
    app: &TestApp,
    plan: &str,
    platform: &FakePlatform,
    state: &str,
) -> (Value, Value) {
    let operator = app.as_role(Role::Operator).await;
    let reviewer = app.as_role(Role::Reviewer).await;
    point_configs_at(
        &app.base,
        &operator,
        &json!(platform.host),
        &json!(platform.port),
        SIMULATOR_PASSWORD,
    )
    .await;
    let plan = PlanBuilder::new(plan)
        .switchover("traffic.cut", json!({ "product_group": "Payments" }))
        .active(&app.base, &operator, &reviewer)
        .await;
    let id = started(&app.base, &operator, plan).await;
    let detail = until_state(app, &operator, id, state).await;
    let step = only_step(&detail).clone();
    let record = step_record(&operator, &app.base, id, &step["id"]).await;
    (step, record)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hostile_platform_can_neither_wedge_a_run_nor_flood_its_records() {
    let app = TestApp::spawn_with_demo().await;

    // An operation id no record can keep: the call was accepted and may have acted.
    let platform = FakePlatform::start(Hostile::LongOperationId).await;
    let (step, record) = run_cut_against(&app, "Long ids", &platform, "switchover_blocked").await;
    assert_eq!(step["status"], "interrupted", "{step:#}");
    assert!(
        step["last_error"]
            .as_str()
            .unwrap()
            .contains("an operation id of 300 characters"),
        "{step:#}"
    );
    assert_eq!(record["calls"][0]["status"], "unknown", "{record:#}");
    assert_eq!(
        platform.posts(),
        1,
        "an unusable answer is not asked for again"
    );

    // Two megabytes of answer: not read, not kept.
    let platform = FakePlatform::start(Hostile::HugeAnswer).await;
    let (step, _) = run_cut_against(&app, "Huge answers", &platform, "switchover_blocked").await;
    assert_eq!(step["status"], "interrupted", "{step:#}");
    assert!(
        step["last_error"].as_str().unwrap().contains("bytes"),
        "{step:#}"
    );

    // A log far too long: kept up to its bounds, saying where it was cut.
    let platform = FakePlatform::start(Hostile::HugeLog).await;
    let (step, record) = run_cut_against(&app, "Huge logs", &platform, "switchover_done").await;
    assert_eq!(step["status"], "succeeded", "{step:#}");
    let lines = log_lines(&record);
    assert!(
        lines.iter().all(|l| l.chars().count() < 2200),
        "every line bounded"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.ends_with("[cut at 2000 of 100000 characters]")),
        "{lines:#?}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.ends_with("[log cut after 200 of 300 lines]")),
        "{lines:#?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn what_a_platform_echoes_of_its_credentials_is_shown_to_nobody() {
    let app = TestApp::spawn_with_demo().await;
    let auditor = app.as_role(Role::Auditor).await;
    let basic = {
        use base64::Engine;
        let pair = format!(
            "{}:{SIMULATOR_PASSWORD}",
            crate::support::test_app::SIMULATOR_USER
        );
        base64::engine::general_purpose::STANDARD.encode(pair)
    };
    let revealed = |text: &str| text.contains(SIMULATOR_PASSWORD) || text.contains(&basic);

    // In an operation's message, log and kind: hidden in the step's log and records.
    let platform = FakePlatform::start(Hostile::Tattles).await;
    let (step, record) = run_cut_against(&app, "Tattles", &platform, "switchover_done").await;
    assert_eq!(step["status"], "succeeded", "{step:#}");
    let lines = log_lines(&record);
    assert!(
        lines
            .iter()
            .any(|l| l.ends_with("user [redacted] password [redacted]")),
        "{lines:#?}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.ends_with("Authorization: [redacted]")),
        "{lines:#?}"
    );
    assert!(!revealed(&record.to_string()), "{record:#}");

    // In its health answer: hidden in what Test connection says.
    let operator = app.as_role(Role::Operator).await;
    let configs = ok(&operator, &app.base, "connection_configs/list", json!({})).await;
    let id = &configs[0]["id"];
    let tested = ok(
        &operator,
        &app.base,
        "connection_configs/test",
        json!({ "id": id }),
    )
    .await;
    assert!(
        tested
            .to_string()
            .contains("user [redacted] password [redacted]"),
        "{tested}"
    );
    assert!(!revealed(&tested.to_string()), "{tested}");

    // In a refusal: hidden in the step's reason.
    let platform = FakePlatform::start(Hostile::TattlesWhenRefusing).await;
    let (step, record) =
        run_cut_against(&app, "Tattles refusing", &platform, "switchover_blocked").await;
    let reason = step["last_error"].as_str().unwrap();
    assert!(
        reason.contains("cannot take user [redacted] password [redacted]"),
        "{reason}"
    );
    assert!(!revealed(&step.to_string()) && !revealed(&record.to_string()));

    // Nor does any of it reach a reader by another way: the executions, every step's
    // records, or the stored events a watcher is sent.
    let executions = ok(
        &auditor,
        &app.base,
        "executions/list",
        json!({ "filter": {} }),
    )
    .await;
    for execution in executions.as_array().unwrap() {
        let id = execution["id"].as_u64().unwrap();
        let detail = ok(&auditor, &app.base, "executions/get", json!({ "id": id })).await;
        assert!(!revealed(&detail.to_string()), "{detail:#}");
        for step in detail["steps"].as_array().unwrap() {
            let record = step_record(&auditor, &app.base, id, &step["id"]).await;
            assert!(!revealed(&record.to_string()), "{record:#}");
        }
        let events = app::store::executions::events_after(
            app.services.store(),
            app::domain::ids::ExecutionId(id),
            0,
            10_000,
        )
        .await
        .unwrap();
        let events = serde_json::to_string(&events).unwrap();
        assert!(!revealed(&events), "stored events reveal the credentials");
    }
}

/// Cuts of Payments the simulator acted on (new work, not a key it had seen).
async fn cuts_acted(app: &TestApp, client: &Client) -> usize {
    simulator(app, client).await["calls"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["call"] == "traffic.cut" && c["acted"] == true)
        .count()
}

/// Waits until the only step of execution `id` is running and its call is recorded.
async fn until_calling(app: &TestApp, client: &Client, id: u64) -> u64 {
    eventually("the step's call", SECONDS_30, || async {
        let detail = ok(client, &app.base, "executions/get", json!({ "id": id })).await;
        let step = only_step(&detail)["id"].as_u64().unwrap();
        let record = step_record(client, &app.base, id, &json!(step)).await;
        match record["calls"][0].is_null() {
            false => Ok(step),
            true => Err(detail.to_string()),
        }
    })
    .await
}

/// The demo app with its simulator trusted, its operator, and an active plan `name` of
/// one cut of Payments.
async fn with_cut_plan(name: &str) -> (TestApp, Client, u64) {
    let app = TestApp::spawn_with_demo().await;
    let operator = app.as_role(Role::Operator).await;
    let reviewer = app.as_role(Role::Reviewer).await;
    trust_simulator(&app, &operator).await;
    let plan = PlanBuilder::new(name)
        .switchover("traffic.cut", json!({ "product_group": "Payments" }))
        .active(&app.base, &operator, &reviewer)
        .await;
    (app, operator, plan)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hanging_call_is_abandoned_or_cancelled_at_once_and_retried_by_its_key() {
    let (app, operator, plan) = with_cut_plan("Cut payments").await;
    let hang = json!({ "call": "traffic.cut", "target": "Payments", "effect": "hang" });

    inject(&app, &operator, hang.clone()).await;
    let id = started(&app.base, &operator, plan).await;
    let step = until_calling(&app, &operator, id).await;
    for role in [Role::Reviewer, Role::Auditor] {
        let client = app.as_role(role).await;
        let (status, _) = app
            .call(
                &client,
                "executions/abandon_step",
                json!({ "id": id, "step": step, "reason": "hangs" }),
            )
            .await;
        assert_eq!(status, reqwest::StatusCode::FORBIDDEN, "{role:?}");
    }
    let (status, refusal) = app
        .call(
            &operator,
            "executions/abandon_step",
            json!({ "id": id, "step": step, "reason": " " }),
        )
        .await;
    assert_eq!(
        status,
        reqwest::StatusCode::UNPROCESSABLE_ENTITY,
        "{refusal}"
    );
    assert_eq!(refusal["errors"][0]["field"], "reason");
    let abandoned = ok(
        &operator,
        &app.base,
        "executions/abandon_step",
        json!({ "id": id, "step": step, "reason": "the gateway hangs" }),
    )
    .await;
    assert_eq!(abandoned["summary"]["state"], "switchover_blocked");
    assert_eq!(only_step(&abandoned)["status"], "interrupted");
    assert_eq!(only_step(&abandoned)["reason"], "the gateway hangs");
    assert_eq!(only_step(&abandoned)["decided_by"], "operator");
    let audit = app.audit_entries("executions/abandon_step").await;
    let outcomes: Vec<&str> = audit
        .iter()
        .map(|e| e["outcome"].as_str().unwrap())
        .collect();
    assert_eq!(
        outcomes,
        ["ok", "failed", "refused", "refused"],
        "{audit:#?}"
    );
    assert_eq!(
        audit[0]["reason"],
        format!("abandon step {step}: the gateway hangs")
    );

    // The gateway answers again; Retry asks about the hung call by its key first.
    ok(&operator, &app.base, "simulator/clear_faults", json!({})).await;
    ok(
        &operator,
        &app.base,
        "executions/retry_step",
        json!({ "id": id, "step": step }),
    )
    .await;
    until_state(&app, &operator, id, "switchover_done").await;
    assert_eq!(cuts_acted(&app, &operator).await, 1);

    // Recovery would restore traffic; the same plan again, cancelled while it hangs.
    ok(
        &operator,
        &app.base,
        "executions/cancel",
        json!({ "id": id }),
    )
    .await;
    inject(&app, &operator, hang).await;
    let again = started(&app.base, &operator, plan).await;
    until_calling(&app, &operator, again).await;
    ok(
        &operator,
        &app.base,
        "executions/cancel",
        json!({ "id": again }),
    )
    .await;
    let detail = eventually("the cancel ending the hanging call", SECONDS_10, || async {
        let detail = ok(
            &operator,
            &app.base,
            "executions/get",
            json!({ "id": again }),
        )
        .await;
        match only_step(&detail)["status"] == "running" {
            true => Err(detail.to_string()),
            false => Ok(detail),
        }
    })
    .await;
    assert_eq!(detail["summary"]["state"], "cancelled");
    assert_eq!(only_step(&detail)["status"], "interrupted", "{detail:#}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_step_never_ends_over_records_the_database_refused() {
    use diesel_async::SimpleAsyncConnection;
    let (app, operator, plan) = with_cut_plan("Cut payments").await;
    // The database refuses the line that says the cut is done, and so the batch that
    // carries it with the platform's answer.
    let mut db = app.db.connect().await;
    db.batch_execute(
        "CREATE TRIGGER refuse_log_lines BEFORE INSERT ON execution_step_logs FOR EACH ROW \
         BEGIN IF NEW.message LIKE 'done: %' THEN \
         SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'refused by the test'; END IF; END",
    )
    .await
    .unwrap();
    let id = started(&app.base, &operator, plan).await;
    eventually("the platform's cut", SECONDS_30, || async {
        match cuts_acted(&app, &operator).await {
            0 => Err("no cut".to_owned()),
            _ => Ok(()),
        }
    })
    .await;
    // The platform has answered, and its answer cannot be written with the lines around
    // it: the step does not end.
    let detail = ok(&operator, &app.base, "executions/get", json!({ "id": id })).await;
    assert_eq!(only_step(&detail)["status"], "running", "{detail:#}");

    db.batch_execute("DROP TRIGGER refuse_log_lines")
        .await
        .unwrap();
    let done = until_state(&app, &operator, id, "switchover_done").await;
    let record = step_record(&operator, &app.base, id, &only_step(&done)["id"]).await;
    assert_eq!(record["calls"][0]["status"], "succeeded", "{record:#}");
    assert!(
        log_lines(&record).iter().any(|l| l.starts_with("done: ")),
        "{record:#}"
    );
    assert_eq!(
        cuts_acted(&app, &operator).await,
        1,
        "asked again by its key, not cut twice"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_engine_takes_over_a_lapsed_lease_and_the_first_ones_late_writes_are_refused() {
    use crate::support::db_proxy::DbProxy;
    use crate::support::test_app::{serve, services_under, signed_in_client};
    use crate::support::test_db::TestDb;
    use server::tasks::Supervisor;
    let lease = std::time::Duration::from_secs(3);
    let db = TestDb::empty().await;
    let proxy = DbProxy::start(&db.url).await;
    // The first instance reaches the database through a proxy the test cuts.
    let first = serve(services_under(&proxy.url, true, &Supervisor::default(), lease).await).await;
    let operator = signed_in_client(&first, "operator").await;
    let reviewer = signed_in_client(&first, "reviewer").await;
    let configs = ok(&operator, &first, "connection_configs/list", json!({})).await;
    let (host, port) = (&configs[0]["host"], &configs[0]["port"]);
    point_configs_at(&first, &operator, host, port, SIMULATOR_PASSWORD).await;
    let timing = json!({ "timing": {
        "traffic": { "min_ms": 2000, "max_ms": 2000 },
        "restart": { "min_ms": 0, "max_ms": 0 },
        "cluster": { "min_ms": 0, "max_ms": 0 },
    }});
    ok(&operator, &first, "simulator/set_timing", timing).await;
    let plan = PlanBuilder::new("Cut payments")
        .switchover("traffic.cut", json!({ "product_group": "Payments" }))
        .active(&first, &operator, &reviewer)
        .await;
    let id = started(&first, &operator, plan).await;
    let step = eventually("the cut accepted", SECONDS_30, || async {
        let detail = ok(&operator, &first, "executions/get", json!({ "id": id })).await;
        let step = only_step(&detail)["id"].clone();
        let record = step_record(&operator, &first, id, &step).await;
        match record["calls"][0]["status"] == "accepted" {
            true => Ok(step),
            false => Err(record.to_string()),
        }
    })
    .await;

    // The fence the first instance holds the execution with.
    let store = app::store::Store::new(&db.url, 2, crate::support::state_dir::mode()).unwrap();
    let token: u64 = {
        use app::store::schema::execution_leases;
        use diesel::prelude::*;
        use diesel_async::RunQueryDsl;
        execution_leases::table
            .find(id)
            .select(execution_leases::fencing_token)
            .first(&mut db.connect().await)
            .await
            .unwrap()
    };
    let stale = app::store::executions::leases::Fence {
        execution: app::domain::ids::ExecutionId(id),
        token,
    };

    // The first instance is cut off mid-step; a second one, on the same database,
    // takes the execution over once the lease lapses, asks about the call by its key,
    // and finishes the step.
    proxy.cut();
    let second = serve(services_under(&db.url, true, &Supervisor::default(), lease).await).await;
    let watcher = signed_in_client(&second, "operator").await;
    let done = eventually("the takeover", SECONDS_60, || async {
        let detail = ok(&watcher, &second, "executions/get", json!({ "id": id })).await;
        match detail["summary"]["state"] == "switchover_done" {
            true => Ok(detail),
            false => Err(detail.to_string()),
        }
    })
    .await;
    assert_eq!(only_step(&done)["attempts"], 1, "{done:#}");

    // What the first instance would write when it comes back is refused: fenced.
    let step_id = app::domain::execution::view::ExecutionStepId(step.as_u64().unwrap());
    let late = app::store::executions::transitions::end_step(
        &store,
        stale,
        step_id,
        app::store::executions::transitions::StepEnd::Succeeded,
        None,
    )
    .await;
    assert!(
        matches!(late, Err(app::store::StoreError::Fenced)),
        "{late:?}"
    );
    let audit = ok(
        &signed_in_client(&second, "admin").await,
        &second,
        "audit/list",
        json!({ "query": { "action": "engine/step" } }),
    )
    .await;
    let ends = audit["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["reason"].as_str().unwrap_or("").contains("succeeded"))
        .count();
    assert_eq!(ends, 1, "the step's end is recorded once: {audit:#}");

    // The first instance is back; its platform acted once.
    proxy.restore();
    let state = eventually("the first instance back", SECONDS_30, || async {
        let (status, state) =
            crate::support::test_app::call(&operator, &first, "simulator/state", json!({})).await;
        match status == reqwest::StatusCode::OK {
            true => Ok(state),
            false => Err(state.to_string()),
        }
    })
    .await;
    let acted = state["calls"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["call"] == "traffic.cut" && c["acted"] == true)
        .count();
    assert_eq!(acted, 1, "{state:#}");
}
