//! The Simulator page's server functions over real HTTP, against the test app's own
//! simulator: who may read and change it, faults injected and cleared, bad specs refused
//! next to their field, every change audited, and a simulator that does not answer.

use crate::support::test_app::{
    NO_SIMULATOR, SIMULATOR_PASSWORD, SIMULATOR_USER, TestApp, secret, serve,
};
use crate::support::test_db::TestDb;
use app::domain::role::Role;
use reqwest::StatusCode;
use serde_json::{Value, json};

/// "Fail the next two restarts in Hangzhou-B".
fn failing_restarts() -> Value {
    json!({ "spec": { "call": "application.restart", "data_center": "Hangzhou-B",
                      "effect": "fail", "times": 2 } })
}

/// Calls the simulator's platform API directly, as the engine will.
async fn platform_call(app: &TestApp, path: &str, key: &str, body: Value) -> StatusCode {
    reqwest::Client::new()
        .post(format!("{}{path}", app.services.simulator.base()))
        .basic_auth(SIMULATOR_USER, Some(SIMULATOR_PASSWORD))
        .header("Idempotency-Key", key)
        .json(&body)
        .send()
        .await
        .unwrap()
        .status()
}

fn names<'a>(list: &'a Value, field: &str) -> Vec<&'a str> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|item| item[field].as_str().unwrap())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_state_shows_the_demo_estate_to_every_role() {
    let app = TestApp::spawn_with_demo().await;

    for role in [Role::Admin, Role::Operator, Role::Reviewer, Role::Auditor] {
        let client = app.as_role(role).await;
        let (status, state) = app.call(&client, "simulator/state", json!({})).await;
        assert_eq!(status, StatusCode::OK, "{role:?}: {state}");
        assert_eq!(
            state["data_centers"],
            json!(["Beijing-C", "Hangzhou-B", "Shanghai-A"])
        );
        assert_eq!(
            names(&state["traffic"], "product_group"),
            ["Customer portal", "Payments", "Trading"]
        );
        let payments = &state["traffic"][1]["serving"];
        assert_eq!(payments.as_array().unwrap().len(), 3, "{payments}");
        let ledger: Vec<&Value> = state["applications"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|a| a["product_group"] == "Payments" && a["application"] == "ledger")
            .collect();
        assert_eq!(ledger.len(), 3, "ledger runs in every data center");
        assert!(ledger.iter().all(|a| a["health"] == "running"));
        let payments_db = state["clusters"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["cluster"] == "payments-db")
            .unwrap();
        assert_eq!(payments_db["primary"], "Shanghai-A");
        assert_eq!(payments_db["members"], json!(["Hangzhou-B", "Shanghai-A"]));
        assert_eq!(state["faults"], json!([]));
        assert_eq!(
            state["timing"]["restart"],
            json!({ "min_ms": 0, "max_ms": 0 })
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_operator_injects_a_fault_watches_it_hit_and_clears_it() {
    let app = TestApp::spawn_with_demo().await;
    let operator = app.as_role(Role::Operator).await;

    let (status, fault) = app
        .call(&operator, "simulator/inject_fault", failing_restarts())
        .await;
    assert_eq!(status, StatusCode::OK, "{fault}");
    let id = fault["id"].as_u64().unwrap();
    assert_eq!(
        (fault["remaining"].clone(), fault["hits"].clone()),
        (json!(2), json!(0))
    );

    let (_, state) = app.call(&operator, "simulator/state", json!({})).await;
    assert_eq!(state["faults"].as_array().unwrap().len(), 1, "{state}");
    assert_eq!(state["faults"][0]["id"], id);

    // A restart elsewhere passes; the one in Hangzhou-B is hit.
    let restart = |dc: &str| json!({ "product_group": "Payments", "application": "ledger", "data_center": dc });
    let path = "/v1/applications/restart";
    assert_eq!(
        platform_call(&app, path, "k-1", restart("Shanghai-A")).await,
        StatusCode::ACCEPTED
    );
    assert_eq!(
        platform_call(&app, path, "k-2", restart("Hangzhou-B")).await,
        StatusCode::ACCEPTED
    );
    let (_, state) = app.call(&operator, "simulator/state", json!({})).await;
    assert_eq!(state["faults"][0]["hits"], 1);
    assert_eq!(state["faults"][0]["remaining"], 1);
    let calls = &state["calls"];
    assert_eq!(calls[0]["call"], "application.restart");
    assert_eq!(
        calls[0]["fault"], id,
        "the newest call comes first: {calls}"
    );
    assert_eq!(calls[1]["fault"], Value::Null);

    let (status, after) = app
        .call(&operator, "simulator/clear_fault", json!({ "id": id }))
        .await;
    assert_eq!(status, StatusCode::OK, "{after}");
    assert_eq!(after["faults"], json!([]));

    // Cleared already: a clear message, not a server error.
    let (status, again) = app
        .call(&operator, "simulator/clear_fault", json!({ "id": id }))
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{again}");
    assert!(
        again["message"]
            .as_str()
            .unwrap()
            .contains("no active fault"),
        "{again}"
    );

    let injected = app.audit_entries("simulator/inject_fault").await;
    assert_eq!(injected.len(), 1, "{injected:?}");
    assert_eq!(injected[0]["outcome"], "ok");
    assert_eq!(injected[0]["actor_name"], "operator");
    assert_eq!(injected[0]["target_kind"], "simulator");
    assert_eq!(injected[0]["target_id"], format!("fault/{id}"));
    assert_eq!(
        injected[0]["reason"],
        "Fail: Restart application in Hangzhou-B"
    );
    let cleared = app.audit_entries("simulator/clear_fault").await;
    let outcomes: Vec<&str> = cleared
        .iter()
        .map(|e| e["outcome"].as_str().unwrap())
        .collect();
    assert_eq!(outcomes, ["failed", "ok"], "newest first");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clear_all_timing_and_reset_change_the_simulator_and_answer_its_state() {
    let app = TestApp::spawn_with_demo().await;
    let admin = app.as_role(Role::Admin).await;
    for _ in 0..2 {
        let (status, body) = app
            .call(&admin, "simulator/inject_fault", failing_restarts())
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    let (status, state) = app.call(&admin, "simulator/clear_faults", json!({})).await;
    assert_eq!(status, StatusCode::OK, "{state}");
    assert_eq!(state["faults"], json!([]));

    let timing = json!({ "timing": {
        "traffic": { "min_ms": 10, "max_ms": 20 },
        "restart": { "min_ms": 100, "max_ms": 300 },
        "cluster": { "min_ms": 0, "max_ms": 0 },
        "drains": true } });
    let (status, state) = app
        .call(&admin, "simulator/set_timing", timing.clone())
        .await;
    assert_eq!(status, StatusCode::OK, "{state}");
    assert_eq!(state["timing"], timing["timing"]);

    let cut =
        json!({ "product_group": "Payments", "data_center": "Shanghai-A", "drain_seconds": 0 });
    assert_eq!(
        platform_call(&app, "/v1/traffic/cut", "cut-1", cut).await,
        StatusCode::ACCEPTED
    );
    let (_, state) = app.call(&admin, "simulator/state", json!({})).await;
    assert_eq!(
        names(&state["traffic"][1]["serving"], "data_center"),
        ["Beijing-C", "Hangzhou-B"]
    );
    let (status, state) = app.call(&admin, "simulator/reset", json!({})).await;
    assert_eq!(status, StatusCode::OK, "{state}");
    assert_eq!(
        names(&state["traffic"][1]["serving"], "data_center"),
        ["Beijing-C", "Hangzhou-B", "Shanghai-A"],
        "the world is back as the estate says"
    );
    assert_eq!(state["timing"], timing["timing"], "timing stays");

    for (action, target) in [
        ("simulator/clear_faults", "faults"),
        ("simulator/set_timing", "timing"),
        ("simulator/reset", "world"),
    ] {
        let entries = app.audit_entries(action).await;
        assert_eq!(entries.len(), 1, "{action}: {entries:?}");
        assert_eq!(
            (
                entries[0]["outcome"].as_str(),
                entries[0]["target_id"].as_str()
            ),
            (Some("ok"), Some(target)),
            "{action}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn auditors_read_the_simulator_but_are_refused_every_change_on_the_record() {
    let app = TestApp::spawn_with_demo().await;
    let auditor = app.as_role(Role::Auditor).await;

    let (status, _) = app.call(&auditor, "simulator/state", json!({})).await;
    assert_eq!(status, StatusCode::OK);
    for (endpoint, body) in [
        ("simulator/inject_fault", failing_restarts()),
        ("simulator/reset", json!({})),
        ("simulator/clear_faults", json!({})),
    ] {
        let (status, answer) = app.call(&auditor, endpoint, body).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{endpoint}: {answer}");
        assert_eq!(
            answer["message"],
            "this needs one of the roles admin or operator"
        );
        let entries = app.audit_entries(endpoint).await;
        assert_eq!(entries.len(), 1, "{endpoint}: {entries:?}");
        assert_eq!(entries[0]["outcome"], "refused");
        assert_eq!(entries[0]["actor_name"], "auditor");
    }
    let operator = app.as_role(Role::Operator).await;
    let (_, state) = app.call(&operator, "simulator/state", json!({})).await;
    assert_eq!(state["faults"], json!([]), "nothing was injected");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_spec_or_timing_is_refused_next_to_its_field_and_never_sent() {
    let app = TestApp::spawn_with_demo().await;
    let operator = app.as_role(Role::Operator).await;
    let spec = |extra: Value| {
        let mut spec = json!({ "call": "application.restart", "effect": "fail" });
        spec.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        json!({ "spec": spec })
    };

    for (body, field, says) in [
        (
            spec(json!({ "effect": "slow" })),
            "delay_ms",
            "delay_ms between",
        ),
        (spec(json!({ "times": 0 })), "times", "between 1 and"),
        (spec(json!({ "effect": "flap" })), "effect", "can flap"),
        (
            spec(json!({ "target": "x".repeat(101) })),
            "target",
            "at most 100",
        ),
    ] {
        let (status, answer) = app.call(&operator, "simulator/inject_fault", body).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
        assert_eq!(answer["kind"], "validation");
        assert_eq!(answer["errors"][0]["field"], field, "{answer}");
        let message = answer["errors"][0]["message"].as_str().unwrap();
        assert!(message.contains(says), "{message}");
    }
    let (status, answer) = app
        .call(
            &operator,
            "simulator/inject_fault",
            spec(json!({ "call": "no.such.call" })),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{answer}");

    let backwards = json!({ "timing": {
        "traffic": { "min_ms": 0, "max_ms": 0 },
        "restart": { "min_ms": 500, "max_ms": 100 },
        "cluster": { "min_ms": 0, "max_ms": 0 } } });
    let (status, answer) = app.call(&operator, "simulator/set_timing", backwards).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    assert_eq!(answer["errors"][0]["field"], "restart");

    let (_, state) = app.call(&operator, "simulator/state", json!({})).await;
    assert_eq!(state["faults"], json!([]));
    assert_eq!(state["calls"], json!([]), "the simulator was not bothered");
    let failed = app.audit_entries("simulator/inject_fault").await;
    assert_eq!(failed.len(), 4, "{failed:?}");
    assert!(failed.iter().all(|e| e["outcome"] == "failed"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_simulator_that_does_not_answer_is_explained_not_a_crash() {
    let db = TestDb::empty().await;
    let options = crate::support::test_app::start_options(
        true,
        app::simulator_link::SimulatorLink::new(NO_SIMULATOR, "nobody", ""),
        crate::support::state_dir::journal(),
    );
    let services = server::prepare(&db.url, &secret(), &options)
        .await
        .unwrap()
        .services;
    let app = TestApp {
        base: serve(services.clone()).await,
        services,
        db,
    };
    let operator = app.as_role(Role::Operator).await;

    let (status, answer) = app.call(&operator, "simulator/state", json!({})).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{answer}");
    assert_eq!(answer["kind"], "unavailable");
    assert_eq!(
        answer["message"],
        "the simulator at http://127.0.0.1:9 does not answer; `make run` starts it, or run `server simulator`"
    );

    let (status, answer) = app
        .call(&operator, "simulator/inject_fault", failing_restarts())
        .await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{answer}");
    let entries = app.audit_entries("simulator/inject_fault").await;
    assert_eq!(entries[0]["outcome"], "failed");
    assert!(
        entries[0]["reason"]
            .as_str()
            .unwrap()
            .contains("does not answer")
    );

    let (status, html) = {
        let (status, _, html) = app.page(&operator, "/simulator").await;
        (status, html)
    };
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("<title>Simulator · Switchyard</title>"),
        "{html}"
    );
    assert!(html.contains("does not answer"), "the page says why");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_page_offers_controls_only_to_those_who_may_use_them() {
    let app = TestApp::spawn_with_demo().await;
    let operator = app.as_role(Role::Operator).await;
    let auditor = app.as_role(Role::Auditor).await;

    let (status, _, html) = app.page(&operator, "/simulator").await;
    assert_eq!(status, StatusCode::OK);
    for part in [
        "aria-label=\"World\"",
        "aria-label=\"Active faults\"",
        "aria-label=\"Inject fault\"",
        "aria-label=\"Set timing\"",
        "Reset world",
        "data-application=\"payment-gateway\"",
    ] {
        assert!(html.contains(part), "operators see {part}");
    }

    let (status, _, html) = app.page(&auditor, "/simulator").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("aria-label=\"Active faults\""));
    assert!(html.contains("data-cluster=\"portal-db\""));
    for part in ["Inject fault", "Set timing", "Reset world", "Clear all"] {
        assert!(!html.contains(part), "auditors do not see {part}");
    }
}
