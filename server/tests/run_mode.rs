//! The run mode: an admin switches it, the instance switches to degraded by itself when
//! the database fails its health checks, configuration changes are refused meanwhile with
//! a message naming the mode, and every audit entry made while degraded reaches the
//! database when the instance switches back.

use crate::support::builders::{
    PlanBuilder, log_lines, ok, point_configs_at, started, step_record,
};
use crate::support::test_app::{SIMULATOR_PASSWORD, TestApp};
use crate::support::test_db::TestDb;
use crate::support::wait::eventually;
use app::domain::role::Role;
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::time::Duration;

pub const LEASE: Duration = app::domain::cluster::Claimant::DEFAULT_LEASE;
const SECONDS_30: Duration = Duration::from_secs(30);

pub fn mode_config(degrade_after_seconds: f64) -> server::mode::ModeConfig {
    server::mode::ModeConfig {
        state_dir: None,
        degrade_after_seconds,
        restore_automatically: false,
    }
}

async fn mode(app: &TestApp, client: &reqwest::Client) -> Value {
    let (status, body) = app.call(client, "run_mode/get", json!({})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

pub async fn switch(app: &TestApp, client: &reqwest::Client, to: &str) -> (StatusCode, Value) {
    app.call(client, "run_mode/switch", json!({ "to": to }))
        .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_switches_to_degraded_and_back_and_nothing_audited_meanwhile_is_lost() {
    let (app, _proxy) = TestApp::spawn_with_run_mode(mode_config(0.0), LEASE).await;
    let admin = app.as_role(Role::Admin).await;
    let operator = app.as_role(Role::Operator).await;
    assert_eq!(mode(&app, &operator).await["mode"], "normal");

    let (status, body) = switch(&app, &operator, "degraded").await;
    assert_eq!(status, StatusCode::FORBIDDEN, "only admins switch: {body}");

    // The mirror is refreshed at start: plans and the environment can be read from it.
    let (_, plans) = app.call(&operator, "plans/list", json!({})).await;
    let (_, data_centers) = app.call(&operator, "data_centers/list", json!({})).await;
    eventually("the mirror is taken", Duration::from_secs(20), || async {
        let status = mode(&app, &admin).await;
        match status["mirrored_at"].is_string() {
            true => Ok(()),
            false => Err(status.to_string()),
        }
    })
    .await;

    let (status, switched) = switch(&app, &admin, "degraded").await;
    assert_eq!(status, StatusCode::OK, "{switched}");
    assert_eq!(switched["mode"], "degraded");
    let (status, mirrored) = app.call(&operator, "plans/list", json!({})).await;
    assert_eq!((status, &mirrored), (StatusCode::OK, &plans));
    let (status, mirrored) = app.call(&operator, "data_centers/list", json!({})).await;
    assert_eq!((status, &mirrored), (StatusCode::OK, &data_centers));
    let plan = plans[0]["id"].clone();
    let (status, detail) = app
        .call(&operator, "plans/get", json!({ "id": plan }))
        .await;
    assert_eq!(status, StatusCode::OK, "{detail}");
    assert_eq!(detail["plan"]["id"], plan);
    // Executions are listed from what the instance drives: none here.
    let (status, listed) = app
        .call(&operator, "executions/list", json!({ "filter": {} }))
        .await;
    assert_eq!((status, &listed), (StatusCode::OK, &json!([])));
    assert_eq!(
        switched["switched"],
        json!({ "by": "by_admin", "name": "admin" })
    );
    let (status, body) = switch(&app, &admin, "degraded").await;
    assert_eq!(status, StatusCode::CONFLICT, "already degraded: {body}");

    let readyz: Value = reqwest::get(format!("{}/readyz", app.base))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(readyz["status"], "degraded", "{readyz}");

    // A configuration change is refused, saying why, and its refusal is audited (in the
    // journal for now).
    let (status, body) = app
        .call(
            &operator,
            "data_centers/create",
            json!({ "form": { "region": "East", "name": "Made-While-Degraded", "description": "" } }),
        )
        .await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    let message = body["message"].as_str().unwrap();
    assert!(message.contains("degraded mode (降级模式)"), "{message}");
    assert!(message.contains("by admin"), "{message}");
    let journal = &mode(&app, &admin).await["journal"];
    assert_eq!(
        journal["unwritten"], 3,
        "the switch, the refused change and the refused switch: {journal}"
    );

    let (status, body) = switch(&app, &admin, "normal").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["mode"], "normal");
    let done = &body["last_reconcile"];
    assert_eq!(done["audit_entries"], 3, "{done}");
    assert_eq!(done["refused"], json!([]), "{done}");
    assert_eq!(body["journal"]["unwritten"], 0, "{body}");

    let switches = app.audit_entries("run_mode/switch").await;
    let reasons: Vec<&str> = switches
        .iter()
        .map(|e| e["reason"].as_str().unwrap_or(""))
        .collect();
    // The operator's refusal, the switch, the refused second switch, the switch back.
    assert_eq!(switches.len(), 4, "{reasons:?}");
    assert!(
        reasons[0].starts_with("normal mode, by admin; reconciled"),
        "{reasons:?}"
    );
    assert!(
        reasons.contains(&"this needs the admin role"),
        "{reasons:?}"
    );
    assert!(
        reasons
            .iter()
            .any(|r| r.starts_with("degraded mode, by admin")),
        "{reasons:?}"
    );
    let refused = app.audit_entries("data_centers/create").await;
    assert_eq!(refused.len(), 1);
    assert_eq!(refused[0]["outcome"], "failed");
    assert_eq!(refused[0]["actor_name"], "operator");

    // Back in normal mode, the same change goes through.
    let (status, body) = app
        .call(
            &operator,
            "data_centers/create",
            json!({ "form": { "region": "East", "name": "Made-While-Normal", "description": "" } }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");

    // Reconciling the same journal again writes nothing new.
    let store = app.services.store();
    let again = app::store::reconcile::reconcile_from_start(store)
        .await
        .unwrap();
    assert_eq!((again.events, again.audit_entries), (0, 0), "{again:?}");
    assert_eq!(again.already_written, 3, "{again:?}");
    assert_eq!(app.audit_entries("run_mode/switch").await.len(), 4);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_instance_switches_to_degraded_by_itself_when_the_database_goes_and_an_admin_brings_it_back()
 {
    let (app, proxy) = TestApp::spawn_with_run_mode(mode_config(0.5), LEASE).await;
    let admin = app.as_role(Role::Admin).await;
    proxy.cut();
    eventually(
        "the instance switches to degraded mode",
        Duration::from_secs(20),
        || async {
            match app.services.store().mode().is_degraded() {
                true => Ok(()),
                false => Err("normal mode".to_owned()),
            }
        },
    )
    .await;
    let status = mode(&app, &admin).await;
    assert_eq!(status["switched"]["by"], "automatically", "{status}");
    let reason = status["switched"]["reason"].as_str().unwrap();
    assert!(
        reason.starts_with("the database failed its health checks for"),
        "{reason}"
    );

    // While the database does not answer, switching back is refused and changes nothing.
    let (status, body) = switch(&app, &admin, "normal").await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("stays in degraded mode"),
        "{body}"
    );
    assert!(app.services.store().mode().is_degraded());

    proxy.restore();
    let (status, body) = switch(&app, &admin, "normal").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // The automatic switch and the refused switch back, both audited while degraded.
    assert_eq!(body["last_reconcile"]["audit_entries"], 2, "{body}");
    let switches = app.audit_entries("run_mode/switch").await;
    assert_eq!(switches.len(), 3, "{switches:?}");
    let automatic = switches
        .iter()
        .find(|e| e["actor_name"] == "(system)")
        .unwrap();
    assert!(
        automatic["reason"]
            .as_str()
            .unwrap()
            .starts_with("degraded mode, automatically: the database failed"),
        "{automatic}"
    );
}

/// Points the connection configs at the test's simulator, whose traffic calls then take
/// `traffic_ms` to finish.
pub async fn calls_reach_the_simulator(base: &str, operator: &reqwest::Client, traffic_ms: u32) {
    let configs = ok(operator, base, "connection_configs/list", json!({})).await;
    let (host, port) = (&configs[0]["host"], &configs[0]["port"]);
    point_configs_at(base, operator, host, port, SIMULATOR_PASSWORD).await;
    let timing = json!({ "timing": {
        "traffic": { "min_ms": traffic_ms, "max_ms": traffic_ms },
        "restart": { "min_ms": 0, "max_ms": 0 },
        "cluster": { "min_ms": 0, "max_ms": 0 },
    }});
    ok(operator, base, "simulator/set_timing", timing).await;
}

/// The execution's events as MySQL holds them, by `seq`.
async fn stored_seqs(db: &TestDb, id: u64) -> Vec<u64> {
    use app::store::schema::execution_events;
    use diesel::prelude::*;
    use diesel_async::RunQueryDsl;
    execution_events::table
        .filter(execution_events::execution_id.eq(id))
        .order(execution_events::seq)
        .select(execution_events::seq)
        .load(&mut db.connect().await)
        .await
        .unwrap()
}

/// Waits until the first step's first platform call of execution `id` on the server at
/// `base` is accepted: the step is under way.
pub async fn until_first_call_accepted(base: &str, client: &reqwest::Client, id: u64) {
    eventually("the first call under way", SECONDS_30, || async {
        let detail = ok(client, base, "executions/get", json!({ "id": id })).await;
        let record = step_record(client, base, id, &detail["steps"][0]["id"]).await;
        match record["calls"][0]["status"] == "accepted" {
            true => Ok(()),
            false => Err(record.to_string()),
        }
    })
    .await;
}

/// How many times the simulator at `base` acted on a traffic cut.
async fn cuts_acted(base: &str, client: &reqwest::Client) -> usize {
    let state = ok(client, base, "simulator/state", json!({})).await;
    state["calls"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["call"] == "traffic.cut" && c["acted"] == true)
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_execution_cut_off_from_the_database_finishes_degraded_and_reconcile_loses_nothing() {
    let (app, proxy) = TestApp::spawn_with_run_mode(mode_config(0.5), LEASE).await;
    let admin = app.as_role(Role::Admin).await;
    let operator = app.as_role(Role::Operator).await;
    let reviewer = app.as_role(Role::Reviewer).await;
    calls_reach_the_simulator(&app.base, &operator, 1500).await;
    let plan = PlanBuilder::new("Cut payments, wait")
        .switchover("traffic.cut", json!({ "product_group": "Payments" }))
        .switchover("wait", json!({ "seconds": 1 }))
        .active(&app.base, &operator, &reviewer)
        .await;
    // The mirror holds the connection configs as the steps will call them.
    refresh_mirror(&app).await;
    let id = started(&app.base, &operator, plan).await;
    until_first_call_accepted(&app.base, &operator, id).await;

    // The database goes away mid-step: the instance switches to degraded mode and the
    // execution finishes from memory, watched through the API all along.
    proxy.cut();
    let done = eventually("the execution finishes degraded", SECONDS_30, || async {
        let (status, detail) = app
            .call(&operator, "executions/get", json!({ "id": id }))
            .await;
        match detail["summary"]["state"] == "switchover_done" {
            true => Ok(detail),
            false => Err(format!("{status} {detail}")),
        }
    })
    .await;
    assert!(app.services.store().mode().is_degraded());
    let step = &done["steps"][0];
    let record = step_record(&operator, &app.base, id, &step["id"]).await;
    assert_eq!(record["calls"][0]["status"], "succeeded", "{record:#}");
    let last_seq = done["summary"]["last_seq"].as_u64().unwrap();
    assert!(
        stored_seqs(&app.db, id).await.len() < last_seq as usize,
        "the database missed the end while it was away"
    );

    proxy.restore();
    let (status, back) = switch(&app, &admin, "normal").await;
    assert_eq!(status, StatusCode::OK, "{back}");
    let reconciled = &back["last_reconcile"];
    assert_eq!(reconciled["refused"], json!([]), "{reconciled}");
    assert!(reconciled["events"].as_u64().unwrap() > 0, "{reconciled}");
    assert_eq!(reconciled["executions"], json!([id]), "{reconciled}");

    // MySQL now holds every event once, 1..N without a gap, and the execution as it ended.
    let seqs = stored_seqs(&app.db, id).await;
    assert_eq!(seqs, (1..=last_seq).collect::<Vec<_>>());
    let stored = ok(&operator, &app.base, "executions/get", json!({ "id": id })).await;
    assert_eq!(stored["summary"]["state"], "switchover_done");
    assert_eq!(stored["steps"], done["steps"], "{stored:#}");
    let record = step_record(&operator, &app.base, id, &stored["steps"][0]["id"]).await;
    assert_eq!(record["calls"].as_array().unwrap().len(), 1, "{record:#}");
    assert_eq!(record["calls"][0]["status"], "succeeded", "{record:#}");
    assert!(
        log_lines(&record).iter().any(|l| l.starts_with("done: ")),
        "{record:#}"
    );
    let engine = app.audit_entries("engine/step").await;
    let succeeded = engine
        .iter()
        .filter(|e| e["reason"].as_str().unwrap_or("").contains("succeeded"))
        .count();
    assert_eq!(succeeded, 2, "each step's end audited once: {engine:#?}");
    assert_eq!(app.audit_entries("engine/phase").await.len(), 1);

    // The platform acted once; reconciling again writes nothing new.
    assert_eq!(
        cuts_acted(&app.base, &operator).await,
        1,
        "the platform cut once"
    );
    let again = app::store::reconcile::reconcile_from_start(app.services.store())
        .await
        .unwrap();
    assert_eq!((again.events, again.audit_entries), (0, 0), "{again:?}");
    assert_eq!(stored_seqs(&app.db, id).await.len() as u64, last_seq);
}

/// Reads the configuration into the mirror now (the test just changed it).
pub async fn refresh_mirror(app: &TestApp) {
    app::store::mirror::refresh(app.services.store())
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_instance_cut_off_stops_driving_before_its_lease_lapses_and_another_takes_over() {
    use crate::support::db_proxy::DbProxy;
    use crate::support::test_app::{serve, services_under, signed_in_client};
    use server::tasks::Supervisor;
    let lease = Duration::from_secs(6);
    let db = TestDb::empty().await;
    let proxy = DbProxy::start(&db.url).await;
    // The first instance reaches the database through a proxy the test cuts, and
    // switches to degraded mode by itself.
    let supervisor = Supervisor::default();
    let first_services = services_under(&proxy.url, true, &supervisor, lease).await;
    server::mode::start(&supervisor, &first_services, mode_config(0.5));
    let first = serve(first_services.clone()).await;
    let operator = signed_in_client(&first, "operator").await;
    let reviewer = signed_in_client(&first, "reviewer").await;
    // Signed in before the cut: new sign-ins need the database.
    let admin = signed_in_client(&first, "admin").await;
    calls_reach_the_simulator(&first, &operator, 9000).await;
    app::store::mirror::refresh(first_services.store())
        .await
        .unwrap();
    let plan = PlanBuilder::new("Cut payments slowly")
        .switchover("traffic.cut", json!({ "product_group": "Payments" }))
        .active(&first, &operator, &reviewer)
        .await;
    let id = started(&first, &operator, plan).await;
    until_first_call_accepted(&first, &operator, id).await;

    // Cut off mid-step, the first instance goes degraded; a second one on the same
    // database takes the execution over once the lease lapses, and finishes it.
    let cut_at = chrono::Utc::now();
    proxy.cut();
    let second = serve(services_under(&db.url, true, &Supervisor::default(), lease).await).await;
    let watcher = signed_in_client(&second, "operator").await;
    let done = eventually("the takeover", Duration::from_secs(60), || async {
        let detail = ok(&watcher, &second, "executions/get", json!({ "id": id })).await;
        match detail["summary"]["state"] == "switchover_done" {
            true => Ok(detail),
            false => Err(detail.to_string()),
        }
    })
    .await;
    assert!(first_services.store().mode().is_degraded());
    assert_eq!(done["steps"][0]["attempts"], 1, "{done:#}");

    // Never two drivers: whatever the first instance did while degraded, it did before
    // the second one wrote anything.
    let journal = first_services.store().mode().journal_file().clone();
    let first_last = journal
        .records_after(0)
        .unwrap()
        .into_iter()
        .filter(|(_, r)| r.execution.is_some_and(|f| f.execution.0 == id))
        .map(|(_, r)| r.at)
        .max();
    let second_first: chrono::NaiveDateTime = {
        use app::store::schema::execution_events;
        use diesel::prelude::*;
        use diesel_async::RunQueryDsl;
        execution_events::table
            .filter(execution_events::execution_id.eq(id))
            .filter(execution_events::at.gt(cut_at.naive_utc()))
            .select(diesel::dsl::min(execution_events::at))
            .first::<Option<chrono::NaiveDateTime>>(&mut db.connect().await)
            .await
            .unwrap()
            .expect("the second instance wrote events")
    };
    assert!(
        first_last.is_none_or(|at| at.naive_utc() < second_first),
        "the first instance drove at {first_last:?}, after the second took over at {second_first}"
    );

    // The first instance comes back: reconcile refuses what it did under the old lease,
    // saying why, and the database keeps the second instance's story, without a gap.
    proxy.restore();
    let back = eventually("the first instance back", SECONDS_30, || async {
        match switch_on(&first, &admin, "normal").await {
            (StatusCode::OK, body) => Ok(body),
            other => Err(format!("{other:?}")),
        }
    })
    .await;
    let refused = back["last_reconcile"]["refused"]
        .as_array()
        .unwrap()
        .clone();
    if first_last.is_some() {
        assert!(!refused.is_empty(), "{back}");
    }
    for refusal in &refused {
        assert!(
            refusal["why"]
                .as_str()
                .unwrap()
                .contains("another instance took execution"),
            "{refusal}"
        );
    }
    let last_seq = done["summary"]["last_seq"].as_u64().unwrap();
    assert_eq!(
        stored_seqs(&db, id).await,
        (1..=last_seq).collect::<Vec<_>>()
    );
    assert_eq!(
        cuts_acted(&first, &operator).await,
        1,
        "the platform cut once"
    );
}

async fn switch_on(base: &str, client: &reqwest::Client, to: &str) -> (StatusCode, Value) {
    crate::support::test_app::call(client, base, "run_mode/switch", json!({ "to": to })).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_blocked_step_is_retried_in_degraded_mode_once_an_admin_takes_responsibility() {
    let (app, proxy) = TestApp::spawn_with_run_mode(mode_config(0.5), LEASE).await;
    let admin = app.as_role(Role::Admin).await;
    let operator = app.as_role(Role::Operator).await;
    let reviewer = app.as_role(Role::Reviewer).await;
    calls_reach_the_simulator(&app.base, &operator, 0).await;
    refresh_mirror(&app).await;
    let plan = PlanBuilder::new("Cut payments")
        .switchover("traffic.cut", json!({ "product_group": "Payments" }))
        .active(&app.base, &operator, &reviewer)
        .await;
    let fault = json!({ "spec": { "call": "traffic.cut", "target": "Payments", "effect": "fail", "times": 1 } });
    ok(&operator, &app.base, "simulator/inject_fault", fault).await;
    let id = started(&app.base, &operator, plan).await;
    let blocked = eventually("the step fails", SECONDS_30, || async {
        let detail = ok(&operator, &app.base, "executions/get", json!({ "id": id })).await;
        match detail["summary"]["state"] == "switchover_blocked" {
            true => Ok(detail),
            false => Err(detail.to_string()),
        }
    })
    .await;
    let step = blocked["steps"][0]["id"].clone();
    let retry = json!({ "id": id, "step": step });
    eventually("the lease given back", SECONDS_30, || async {
        match crate::instances::lease_owner(&app.db.url, id).await {
            None => Ok(()),
            Some(owner) => Err(owner),
        }
    })
    .await;

    // The database goes; the blocked execution is still shown, from memory; a retry is
    // refused: this instance gave its lease back, so another one may run it.
    proxy.cut();
    eventually("degraded", SECONDS_30, || async {
        match app.services.store().mode().is_degraded() {
            true => Ok(()),
            false => Err("normal".to_owned()),
        }
    })
    .await;
    let shown = ok(&operator, &app.base, "executions/get", json!({ "id": id })).await;
    assert_eq!(shown, blocked);
    let (status, refused) = app
        .call(&operator, "executions/retry_step", retry.clone())
        .await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{refused}");
    assert!(
        refused["message"]
            .as_str()
            .unwrap()
            .contains("no longer holds execution"),
        "{refused}"
    );

    // The admin confirms degraded mode by hand, taking responsibility: the retry runs.
    let (status, confirmed) = switch(&app, &admin, "degraded").await;
    assert_eq!(status, StatusCode::OK, "{confirmed}");
    assert_eq!(confirmed["switched"]["by"], "by_admin", "{confirmed}");
    let retried = ok(&operator, &app.base, "executions/retry_step", retry).await;
    assert_eq!(retried["summary"]["state"], "switchover_running");
    let done = eventually("done degraded", SECONDS_30, || async {
        let detail = ok(&operator, &app.base, "executions/get", json!({ "id": id })).await;
        match detail["summary"]["state"] == "switchover_done" {
            true => Ok(detail),
            false => Err(detail.to_string()),
        }
    })
    .await;
    assert_eq!(done["steps"][0]["attempts"], 2, "{done:#}");

    proxy.restore();
    let (status, back) = switch(&app, &admin, "normal").await;
    assert_eq!(status, StatusCode::OK, "{back}");
    assert_eq!(back["last_reconcile"]["refused"], json!([]), "{back}");
    let last_seq = done["summary"]["last_seq"].as_u64().unwrap();
    assert_eq!(
        stored_seqs(&app.db, id).await,
        (1..=last_seq).collect::<Vec<_>>()
    );
    let stored = ok(&operator, &app.base, "executions/get", json!({ "id": id })).await;
    assert_eq!(stored["steps"], done["steps"]);
    let retries = app.audit_entries("executions/retry_step").await;
    let outcomes: Vec<&str> = retries
        .iter()
        .map(|e| e["outcome"].as_str().unwrap())
        .collect();
    assert_eq!(outcomes, ["ok", "failed"], "{retries:#?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_database_cut_mid_reconcile_leaves_the_instance_degraded_and_the_next_switch_writes_the_rest_once()
 {
    use app::domain::audit::Outcome;
    use app::store::audit::{self, AuditRecord};
    const ENTRIES: u64 = 1000;
    let (app, proxy) = TestApp::spawn_with_run_mode(mode_config(0.0), LEASE).await;
    let admin = app.as_role(Role::Admin).await;
    let (status, body) = switch(&app, &admin, "degraded").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let store = app.services.store().clone();
    let record = AuditRecord::system("test/journaled");
    for i in 0..ENTRIES {
        let reason = format!("entry {i}");
        audit::record(&store, &record, None, Outcome::Failed, Some(&reason))
            .await
            .unwrap();
    }
    let journal = store.mode().journal_file().clone();
    let total = journal.records_after(0).unwrap().len() as u64;

    // The database goes away while reconcile writes: the switch fails, the instance stays
    // degraded, and part of the journal is marked written.
    let switching = tokio::spawn({
        let (app_base, admin) = (app.base.clone(), admin.clone());
        async move { switch_on(&app_base, &admin, "normal").await }
    });
    let marked = eventually("reconcile under way", SECONDS_30, || async {
        match journal.written_mark().unwrap() {
            0 => Err("nothing written yet".to_owned()),
            mark => Ok(mark),
        }
    })
    .await;
    proxy.cut();
    let (status, body) = switching.await.unwrap();
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    assert!(store.mode().is_degraded());
    let stopped_at = journal.written_mark().unwrap();
    assert!(
        (marked..total).contains(&stopped_at),
        "cut mid-way: {marked} <= {stopped_at} < {total}"
    );

    // Back: the next switch writes the rest, and every entry is in the database once.
    proxy.restore();
    let (status, body) = switch(&app, &admin, "normal").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(journal.written_mark().unwrap() >= total);
    let reasons: Vec<Option<String>> = {
        use app::store::schema::audit_log;
        use diesel::prelude::*;
        use diesel_async::RunQueryDsl;
        audit_log::table
            .filter(audit_log::action.eq("test/journaled"))
            .select(audit_log::reason)
            .load(&mut app.db.connect().await)
            .await
            .unwrap()
    };
    let distinct: std::collections::BTreeSet<_> = reasons.iter().collect();
    assert_eq!(reasons.len() as u64, ENTRIES, "each entry once");
    assert_eq!(distinct.len() as u64, ENTRIES);
    let again = app::store::reconcile::reconcile_from_start(&store)
        .await
        .unwrap();
    assert_eq!((again.events, again.audit_entries), (0, 0), "{again:?}");
}

/// The summary of execution `id` on the server at `base`, once `done` says it is there.
async fn until_state(
    what: &str,
    base: &str,
    client: &reqwest::Client,
    id: u64,
    done: impl Fn(&Value) -> bool,
) -> Value {
    eventually(what, SECONDS_30, || async {
        let (status, detail) =
            crate::support::test_app::call(client, base, "executions/get", json!({ "id": id }))
                .await;
        match status == StatusCode::OK && done(&detail) {
            true => Ok(detail),
            false => Err(format!("{status} {detail}")),
        }
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_instance_killed_while_degraded_starts_again_without_the_database_and_its_execution_carries_on()
 {
    use crate::support::child_server::{ChildServer, free_addr, simulator};
    use crate::support::db_proxy::DbProxy;
    use crate::support::state_dir;
    use crate::support::test_app::{SIMULATOR_USER, signed_in_client};
    use app::domain::simulator::{Latency, Timing};
    let db = TestDb::empty().await;
    let proxy = DbProxy::start(&db.url).await;
    let sim_listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let sim_addr = sim_listener.local_addr().unwrap();
    let state = state_dir::fresh();
    let env = [("SWITCHYARD_DEGRADE_AFTER_SECONDS", "0.5")];
    let mut server =
        ChildServer::start_in(&state, &env, &proxy.url, free_addr().await, sim_addr).await;
    simulator(&db.url, sim_listener, Default::default()).await;
    let sim = app::simulator_link::SimulatorLink::new(sim_addr, SIMULATOR_USER, SIMULATOR_PASSWORD);
    let base = server.base.clone();
    // Signed in before the database goes: those sessions outlive the restart.
    let operator = signed_in_client(&base, "operator").await;
    let reviewer = signed_in_client(&base, "reviewer").await;
    let admin = signed_in_client(&base, "admin").await;
    let slow = Latency {
        min_ms: 2000,
        max_ms: 2000,
    };
    sim.set_timing(&Timing {
        traffic: slow,
        ..Timing::ZERO
    })
    .await
    .unwrap();
    let plan = PlanBuilder::new("Cut two groups, wait")
        .switchover("traffic.cut", json!({ "product_group": "Payments" }))
        .switchover("traffic.cut", json!({ "product_group": "Trading" }))
        .switchover("wait", json!({ "seconds": 1 }))
        .active(&base, &operator, &reviewer)
        .await;
    let id = started(&base, &operator, plan).await;
    until_first_call_accepted(&base, &operator, id).await;

    // The database goes mid-call; an admin switches to degraded mode by hand (or confirms
    // the automatic switch), taking responsibility: the instance drives the execution
    // whatever its lease says.
    proxy.cut();
    eventually("degraded", SECONDS_30, || async {
        match switch_on(&base, &admin, "degraded").await {
            (StatusCode::OK, body) => Ok(body),
            other => Err(format!("{other:?}")),
        }
    })
    .await;

    // kill -9 while the second cut is under way, from memory.
    let second_under_way = |detail: &Value| detail["steps"][1]["status"] == "running";
    let before = until_state(
        "the second cut runs",
        &base,
        &operator,
        id,
        second_under_way,
    )
    .await;
    let second = before["steps"][1]["id"].clone();
    eventually("the second call sent", SECONDS_30, || async {
        let record = step_record(&operator, &base, id, &second).await;
        match record["calls"][0]["status"] == "accepted" {
            true => Ok(()),
            false => Err(record.to_string()),
        }
    })
    .await;
    server.kill9().await;

    // It starts again with the database still away, from its snapshot and journal, the
    // same sessions let the same people in, and the execution carries on to its end.
    server = ChildServer::start_in(&state, &env, &proxy.url, free_addr().await, sim_addr).await;
    let base = server.base.clone();
    let status = crate::support::test_app::call(&admin, &base, "run_mode/get", json!({})).await;
    assert_eq!(status.0, StatusCode::OK, "{}", status.1);
    assert_eq!(status.1["mode"], "degraded", "{}", status.1);
    assert_eq!(status.1["switched"]["by"], "by_admin", "{}", status.1);
    let over = |detail: &Value| detail["summary"]["state"] == "switchover_done";
    let done = until_state("done after the restart", &base, &operator, id, over).await;
    for step in done["steps"].as_array().unwrap() {
        assert_eq!(step["attempts"], 1, "no step was started twice: {done:#}");
    }

    // Back to normal: the database holds every event once, 1..N, and each call once.
    proxy.restore();
    let (status, back) = switch_on(&base, &admin, "normal").await;
    assert_eq!(status, StatusCode::OK, "{back}");
    assert_eq!(back["last_reconcile"]["refused"], json!([]), "{back}");
    assert_eq!(back["last_reconcile"]["executions"], json!([id]), "{back}");
    let last_seq = done["summary"]["last_seq"].as_u64().unwrap();
    assert_eq!(
        stored_seqs(&db, id).await,
        (1..=last_seq).collect::<Vec<_>>()
    );
    let stored = ok(&operator, &base, "executions/get", json!({ "id": id })).await;
    assert_eq!(stored["steps"], done["steps"], "{stored:#}");
    for step in &stored["steps"].as_array().unwrap()[..2] {
        let record = step_record(&operator, &base, id, &step["id"]).await;
        let calls = record["calls"].as_array().unwrap();
        assert_eq!(calls.len(), 1, "{record:#}");
        assert_eq!(calls[0]["status"], "succeeded", "{record:#}");
    }
    assert_eq!(cuts_acted(&base, &operator).await, 2, "each group cut once");

    // Reconciling the same journal again, from its first record, writes nothing new.
    server.terminate().await;
    let mode = app::mode::Mode::open(&state.join("journal.redb")).unwrap();
    assert!(!mode.is_degraded(), "the journal no longer says degraded");
    let store = app::store::Store::new(&db.url, 2, mode).unwrap();
    let again = app::store::reconcile::reconcile_from_start(&store)
        .await
        .unwrap();
    assert_eq!((again.events, again.audit_entries), (0, 0), "{again:?}");
    assert_eq!(stored_seqs(&db, id).await.len() as u64, last_seq);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_call_sent_while_degraded_and_answered_after_the_switch_back_is_recorded_once() {
    let (app, _proxy) = TestApp::spawn_with_run_mode(mode_config(0.0), LEASE).await;
    let admin = app.as_role(Role::Admin).await;
    let operator = app.as_role(Role::Operator).await;
    let reviewer = app.as_role(Role::Reviewer).await;
    calls_reach_the_simulator(&app.base, &operator, 5000).await;
    let plan = PlanBuilder::new("Wait, then cut payments")
        .switchover("wait", json!({ "seconds": 2 }))
        .switchover("traffic.cut", json!({ "product_group": "Payments" }))
        .active(&app.base, &operator, &reviewer)
        .await;
    refresh_mirror(&app).await;
    let id = started(&app.base, &operator, plan).await;
    let waits = |detail: &Value| detail["steps"][0]["status"] == "running";
    until_state("the wait runs", &app.base, &operator, id, waits).await;

    // Degraded while the first step waits: the cut is sent from memory, with an id of
    // the journal's; the switch back comes while the platform works on it.
    let (status, body) = switch(&app, &admin, "degraded").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let cut = eventually("the cut sent degraded", SECONDS_30, || async {
        let detail = ok(&operator, &app.base, "executions/get", json!({ "id": id })).await;
        let step = detail["steps"][1]["id"].clone();
        let record = step_record(&operator, &app.base, id, &step).await;
        match record["calls"][0]["status"] == "accepted" {
            true => Ok(step),
            false => Err(record.to_string()),
        }
    })
    .await;
    let (status, back) = switch(&app, &admin, "normal").await;
    assert_eq!(status, StatusCode::OK, "{back}");
    let record = step_record(&operator, &app.base, id, &cut).await;
    assert_eq!(
        record["calls"][0]["status"], "accepted",
        "the platform still works on it: {record:#}"
    );

    // Its answer is written into MySQL on the record reconcile made.
    let done = eventually("done", SECONDS_30, || async {
        let detail = ok(&operator, &app.base, "executions/get", json!({ "id": id })).await;
        match detail["summary"]["state"] == "switchover_done" {
            true => Ok(detail),
            false => Err(detail.to_string()),
        }
    })
    .await;
    assert_eq!(done["steps"][1]["attempts"], 1, "{done:#}");
    let record = step_record(&operator, &app.base, id, &cut).await;
    let calls = record["calls"].as_array().unwrap();
    assert_eq!(calls.len(), 1, "{record:#}");
    assert_eq!(calls[0]["status"], "succeeded", "{record:#}");
    assert!(
        !log_lines(&record).iter().any(|l| l.contains("again")),
        "the runner went on, without starting afresh and asking the platform again: {record:#}"
    );
    let last_seq = done["summary"]["last_seq"].as_u64().unwrap();
    assert_eq!(
        stored_seqs(&app.db, id).await,
        (1..=last_seq).collect::<Vec<_>>()
    );
    assert_eq!(cuts_acted(&app.base, &operator).await, 1);
}

/// A journal that says degraded, with a snapshot made on database schema `schema`.
fn degraded_journal(schema: Option<String>) -> std::path::PathBuf {
    use app::domain::run_mode::{RunMode, Switched};
    use app::mode::mirror::Configuration;
    let journal = crate::support::state_dir::journal();
    let mode = app::mode::Mode::open(&journal).unwrap();
    mode.keep_mirror(Configuration {
        taken_at: chrono::Utc::now(),
        data_centers: vec![],
        product_groups: vec![],
        database_clusters: vec![],
        connection_configs: vec![],
        sealed_passwords: vec![],
        plans: vec![],
        plan_details: vec![],
        step_types: vec![],
        users: vec![],
        schema_version: schema,
    })
    .unwrap();
    let admin = Switched::ByAdmin {
        name: "admin".to_owned(),
    };
    assert!(mode.switch(RunMode::Degraded, admin));
    mode.save_for_restart().unwrap();
    journal
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_degraded_journal_starts_without_the_database_only_on_the_schema_it_was_made_with() {
    use crate::support::test_app::{NO_SIMULATOR, secret, start_options};
    let nowhere = "mysql://root@127.0.0.1:1/nowhere";
    let nobody = app::simulator_link::SimulatorLink::new(NO_SIMULATOR, "nobody", "");
    let options = |journal| start_options(false, nobody.clone(), journal);
    let older = degraded_journal(Some("19990101000000".to_owned()));
    let refused = server::prepare(nowhere, &secret(), &options(older))
        .await
        .err()
        .expect("refused");
    let message = refused.to_string();
    assert!(
        message.contains("schema 19990101000000 while this build expects"),
        "{message}"
    );

    let same = degraded_journal(server::migrate::newest_version());
    let prepared = server::prepare(nowhere, &secret(), &options(same))
        .await
        .unwrap();
    let mode = prepared.services.store().mode().now();
    assert!(mode.is_degraded());
    assert_eq!(mode.switched.describe(), "by admin");
}
