//! Webhooks: admins name receivers; each gets a signed JSON POST for the events it wants,
//! once per event, recorded as a delivery. A receiver that fails is tried again; one that
//! hangs holds nothing up, the run least of all.

use crate::executions::{command, inject, step_id, trust_simulator, until_state, until_step};
use crate::support::builders::{PlanBuilder, id_named, started};
use crate::support::test_app::TestApp;
use crate::support::wait::eventually;
use crate::support::webhook_receiver::{Received, WebhookReceiver};
use app::domain::role::Role;
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};
use server::webhooks::{WebhookSettings, signature};
use std::time::Duration;

const SECRET: &str = "a shared secret, long enough";

/// Sends this app's webhook messages, to the loopback receivers of the tests, waiting
/// `timeout` for an answer and `first_retry` after a first failure.
fn start_sender(app: &TestApp, timeout: Duration, first_retry: Duration) {
    let mut settings = WebhookSettings {
        timeout,
        first_retry,
        every: Duration::from_millis(100),
        ..Default::default()
    };
    settings.outbound.allow = app::networks::Networks::parse("127.0.0.1").unwrap();
    let supervisor = server::tasks::Supervisor::default();
    server::webhooks::start(&supervisor, &app.services, settings);
}

async fn add_webhook(
    app: &TestApp,
    admin: &Client,
    name: &str,
    url: &str,
    events: &[&str],
) -> Value {
    command(
        app,
        admin,
        "webhooks/create",
        json!({ "form": {
            "name": name, "url": url, "secret": SECRET, "events": events, "enabled": true,
        }}),
    )
    .await
}

async fn deliveries(app: &TestApp, admin: &Client, webhook: &Value) -> Vec<Value> {
    let list = command(
        app,
        admin,
        "webhooks/deliveries",
        json!({ "webhook": webhook["id"] }),
    )
    .await;
    list.as_array().unwrap().clone()
}

/// Waits until the receiver has `count` messages.
async fn until_received(receiver: &WebhookReceiver, count: usize) -> Vec<Received> {
    eventually(
        &format!("{count} messages at the receiver"),
        Duration::from_secs(30),
        || async {
            let received = receiver.received();
            if received.len() >= count {
                Ok(received)
            } else {
                Err(format!(
                    "{:?}",
                    received.iter().map(|r| &r.event).collect::<Vec<_>>()
                ))
            }
        },
    )
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_receiver_gets_one_signed_message_for_each_event_of_a_run() {
    let app = TestApp::spawn_with_demo().await;
    let admin = app.as_role(Role::Admin).await;
    let operator = app.as_role(Role::Operator).await;
    let reviewer = app.as_role(Role::Reviewer).await;
    trust_simulator(&app, &operator).await;
    let receiver = WebhookReceiver::start(&[200]).await;
    start_sender(&app, Duration::from_secs(10), Duration::from_secs(10));
    let every_event = [
        "execution.started",
        "step.failed",
        "execution.waiting",
        "execution.switchover_done",
        "execution.completed",
        "execution.cancelled",
    ];
    let webhook = add_webhook(&app, &admin, "Pager", &receiver.url, &every_event).await;
    // The secret never comes back.
    let listed = command(&app, &admin, "webhooks/list", json!({})).await;
    assert!(!listed.to_string().contains(SECRET), "{listed}");
    assert!(!webhook.to_string().contains(SECRET), "{webhook}");
    // Only admins keep webhooks.
    let (status, _) = app.call(&operator, "webhooks/list", json!({})).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let plan = PlanBuilder::new("Told to the pager")
        .switchover(
            "traffic.cut",
            json!({ "product_group": "Payments", "drain_seconds": 0 }),
        )
        .switchover("manual.confirm", json!({ "instruction": "Quiet?" }))
        .recovery("wait", json!({ "seconds": 1 }))
        .active(&app.base, &operator, &reviewer)
        .await;
    inject(
        &app,
        &operator,
        json!({ "call": "traffic.cut", "target": "Payments", "effect": "fail", "times": 1 }),
    )
    .await;
    let id = started(&app.base, &operator, plan).await;
    let blocked = until_state(&app, &operator, id, "switchover_blocked").await;
    let cut = step_id(&blocked, "switchover", 1);
    // A retry moves the run back to running: that is not a start.
    command(
        &app,
        &operator,
        "executions/retry_step",
        json!({ "id": id, "step": cut }),
    )
    .await;
    let waiting = until_step(&app, &operator, id, cut + 1, "waiting").await;
    let confirm = step_id(&waiting, "switchover", 2);
    command(
        &app,
        &operator,
        "executions/confirm_step",
        json!({ "id": id, "step": confirm }),
    )
    .await;
    until_state(&app, &operator, id, "switchover_done").await;
    command(&app, &operator, "executions/start", json!({ "id": id })).await;
    until_state(&app, &operator, id, "completed").await;

    let received = until_received(&receiver, 6).await;
    let mut events: Vec<&str> = received.iter().map(|r| r.event.as_str()).collect();
    events.sort_unstable();
    assert_eq!(
        events,
        [
            "execution.completed",
            "execution.started",
            "execution.started",
            "execution.switchover_done",
            "execution.waiting",
            "step.failed",
        ],
        "one message for each event, none for the retry"
    );
    for message in &received {
        assert_eq!(
            message.signature,
            signature(SECRET, &message.body),
            "{} is signed with the secret",
            message.event
        );
        let body = message.json();
        assert_eq!(body["event"], message.event.as_str());
        assert_eq!(body["execution"]["id"], id);
        assert_eq!(body["execution"]["plan"], "Told to the pager");
        assert_eq!(body["execution"]["path"], format!("/executions/{id}"));
        assert!(
            body["text"].as_str().unwrap().contains("Told to the pager"),
            "{body}"
        );
    }
    let failed = received
        .iter()
        .find(|r| r.event == "step.failed")
        .unwrap()
        .json();
    assert_eq!(failed["step"]["position"], 1);
    assert_eq!(failed["step"]["status"], "failed");
    assert!(failed["step"]["error"].is_string(), "{failed}");
    let phases: Vec<Value> = received
        .iter()
        .filter(|r| r.event == "execution.started")
        .map(|r| r.json()["execution"]["state"].clone())
        .collect();
    assert_eq!(
        phases,
        [json!("switchover_running"), json!("recovery_running")]
    );

    // Every message is recorded as delivered, each with a number of its own.
    let recorded = eventually(
        "every delivery recorded",
        Duration::from_secs(10),
        || async {
            let all = deliveries(&app, &admin, &webhook).await;
            if all.len() == 6 && all.iter().all(|d| d["status"] == "delivered") {
                Ok(all)
            } else {
                Err(format!("{all:#?}"))
            }
        },
    )
    .await;
    for delivery in &recorded {
        assert_eq!(delivery["attempts"], 1);
        assert_eq!(delivery["last_status"], 200);
        assert!(
            received
                .iter()
                .any(|r| r.delivery.parse::<u64>().ok() == delivery["id"].as_u64()),
            "{delivery} carries its number"
        );
    }

    // A test message on request, whatever the webhook wants; audited.
    command(
        &app,
        &admin,
        "webhooks/ping",
        json!({ "id": webhook["id"] }),
    )
    .await;
    let received = until_received(&receiver, 7).await;
    assert_eq!(received[6].event, "ping");
    let listed = command(&app, &admin, "webhooks/list", json!({})).await;
    assert_eq!(
        listed[0]["revision"], webhook["revision"],
        "a test message changes nothing an open edit would clash with"
    );
    assert_eq!(received[6].signature, signature(SECRET, &received[6].body));
    let audit = command(
        &app,
        &admin,
        "audit/list",
        json!({ "query": { "action": "webhooks/ping" } }),
    )
    .await;
    assert_eq!(audit["total"], 1, "{audit:#}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_receiver_is_tried_again_and_a_hanging_one_holds_nothing_up() {
    let app = TestApp::spawn_with_demo().await;
    let admin = app.as_role(Role::Admin).await;
    let operator = app.as_role(Role::Operator).await;
    let reviewer = app.as_role(Role::Reviewer).await;
    trust_simulator(&app, &operator).await;
    // Long enough that the hanging receiver's messages are still open when the run ends.
    start_sender(&app, Duration::from_secs(60), Duration::from_millis(200));
    let failing = WebhookReceiver::start(&[500, 200]).await;
    let hanging = WebhookReceiver::start(&[WebhookReceiver::HANG]).await;
    let events = ["execution.started", "execution.switchover_done"];
    let flaky = add_webhook(&app, &admin, "Flaky", &failing.url, &events).await;
    let stuck = add_webhook(&app, &admin, "Stuck", &hanging.url, &events).await;

    let plan = PlanBuilder::new("Quick")
        .switchover(
            "traffic.cut",
            json!({ "product_group": "Payments", "drain_seconds": 0 }),
        )
        .active(&app.base, &operator, &reviewer)
        .await;
    let id = started(&app.base, &operator, plan).await;
    eventually(
        "the hanging receiver holds a message",
        Duration::from_secs(30),
        || async {
            if hanging.open() > 0 {
                Ok(())
            } else {
                Err("none".to_owned())
            }
        },
    )
    .await;
    // The run ends while a message to the hanging receiver is still unanswered.
    until_state(&app, &operator, id, "switchover_done").await;
    assert_eq!(hanging.received().len(), hanging.open());

    // The failing receiver's first answer was 500; that message came again, and both
    // messages reached it.
    let received = until_received(&failing, 3).await;
    let again = received
        .iter()
        .filter(|r| r.delivery == received[0].delivery)
        .count();
    assert_eq!(
        again, 2,
        "the message answered 500 came again, with its number"
    );
    let recorded = eventually("both delivered", Duration::from_secs(30), || async {
        let all = deliveries(&app, &admin, &flaky).await;
        if all.len() == 2 && all.iter().all(|d| d["status"] == "delivered") {
            Ok(all)
        } else {
            Err(format!("{all:#?}"))
        }
    })
    .await;
    let attempts: Vec<&Value> = recorded.iter().map(|d| &d["attempts"]).collect();
    assert!(attempts.contains(&&json!(2)), "{recorded:#?}");

    // The hanging receiver's messages wait, counted, for an answer or the timeout.
    let waiting = deliveries(&app, &admin, &stuck).await;
    assert!(!waiting.is_empty());
    assert!(
        waiting.iter().all(|d| d["status"] == "pending"),
        "{waiting:#?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_receiver_that_never_answers_is_recorded_and_tried_again() {
    let app = TestApp::spawn().await;
    let admin = app.as_role(Role::Admin).await;
    start_sender(&app, Duration::from_millis(500), Duration::from_millis(100));
    let hanging = WebhookReceiver::start(&[WebhookReceiver::HANG]).await;
    let webhook = add_webhook(
        &app,
        &admin,
        "Silent",
        &hanging.url,
        &["execution.completed"],
    )
    .await;
    command(
        &app,
        &admin,
        "webhooks/ping",
        json!({ "id": webhook["id"] }),
    )
    .await;
    let retried = eventually("a second attempt", Duration::from_secs(30), || async {
        let all = deliveries(&app, &admin, &webhook).await;
        match all.first() {
            Some(d) if d["attempts"].as_u64() >= Some(2) => Ok(d.clone()),
            _ => Err(format!("{all:#?}")),
        }
    })
    .await;
    assert_eq!(retried["status"], "pending");
    assert!(
        retried["last_error"]
            .as_str()
            .unwrap()
            .contains("no answer within"),
        "{retried}"
    );
    until_received(&hanging, 2).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_plan_that_needs_attention_is_told_once_and_again_when_it_is_ready() {
    let app = TestApp::spawn_with_demo().await;
    let admin = app.as_role(Role::Admin).await;
    let operator = app.as_role(Role::Operator).await;
    trust_simulator(&app, &operator).await;
    let receiver = WebhookReceiver::start(&[200]).await;
    start_sender(&app, Duration::from_secs(10), Duration::from_secs(10));
    add_webhook(
        &app,
        &admin,
        "Reviewers",
        &receiver.url,
        &["plan.needs_attention", "plan.ready"],
    )
    .await;
    let plan = id_named(&operator, &app.base, "plans/list", "Data center power loss").await;
    let evaluate = || command(&app, &operator, "plans/evaluate", json!({ "id": plan }));

    assert_eq!(evaluate().await["state"], "ready");
    inject(
        &app,
        &operator,
        json!({ "call": "health", "effect": "fail" }),
    )
    .await;
    assert_eq!(evaluate().await["state"], "needs_attention");
    assert_eq!(evaluate().await["state"], "needs_attention");
    command(&app, &operator, "simulator/clear_faults", json!({})).await;
    assert_eq!(evaluate().await["state"], "ready");

    let received = until_received(&receiver, 2).await;
    let events: Vec<&str> = received.iter().map(|r| r.event.as_str()).collect();
    assert_eq!(events, ["plan.needs_attention", "plan.ready"], "once each");
    let attention = received[0].json();
    assert_eq!(attention["plan"]["id"], plan);
    assert_eq!(attention["plan"]["readiness"], "needs_attention");
    assert!(
        attention["plan"]["problems"][0]
            .as_str()
            .unwrap()
            .contains("does not answer"),
        "{attention}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_webhook_form_with_mistakes_is_refused_field_by_field() {
    let app = TestApp::spawn().await;
    let admin = app.as_role(Role::Admin).await;
    let (status, body) = app
        .call(
            &admin,
            "webhooks/create",
            json!({ "form": {
                "name": "", "url": "ftp://example.com", "secret": "short", "events": [], "enabled": true,
            }}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let fields: Vec<&str> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["name", "url", "secret", "events"], "{body}");
    let (status, body) = app
        .call(
            &admin,
            "webhooks/create",
            json!({ "form": {
                "name": "No secret", "url": "https://example.com/", "secret": null,
                "events": ["step.failed"], "enabled": true,
            }}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body.to_string().contains("secret"), "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn what_a_run_did_while_the_database_was_away_is_told_once_it_is_back() {
    use crate::run_mode::{
        LEASE, calls_reach_the_simulator, mode_config, refresh_mirror, switch,
        until_first_call_accepted,
    };
    let (app, proxy) = TestApp::spawn_with_run_mode(mode_config(0.5), LEASE).await;
    let admin = app.as_role(Role::Admin).await;
    let operator = app.as_role(Role::Operator).await;
    let reviewer = app.as_role(Role::Reviewer).await;
    let receiver = WebhookReceiver::start(&[200]).await;
    start_sender(&app, Duration::from_secs(10), Duration::from_secs(10));
    let webhook = add_webhook(
        &app,
        &admin,
        "After the outage",
        &receiver.url,
        &["execution.switchover_done"],
    )
    .await;
    calls_reach_the_simulator(&app.base, &operator, 1500).await;
    let plan = PlanBuilder::new("Cut while the database goes")
        .switchover("traffic.cut", json!({ "product_group": "Payments" }))
        .active(&app.base, &operator, &reviewer)
        .await;
    refresh_mirror(&app).await;
    let id = started(&app.base, &operator, plan).await;
    until_first_call_accepted(&app.base, &operator, id).await;

    // The database goes mid-step; the switchover ends from memory, in the journal only.
    proxy.cut();
    eventually(
        "the switchover ends degraded",
        Duration::from_secs(30),
        || async {
            let (status, detail) = app
                .call(&operator, "executions/get", json!({ "id": id }))
                .await;
            match detail["summary"]["state"] == "switchover_done" {
                true => Ok(()),
                false => Err(format!("{status} {detail}")),
            }
        },
    )
    .await;
    assert!(app.services.store().mode().is_degraded());
    assert!(
        receiver.received().is_empty(),
        "nothing is told before it is stored"
    );

    proxy.restore();
    let (status, back) = switch(&app, &admin, "normal").await;
    assert_eq!(status, StatusCode::OK, "{back}");
    let received = until_received(&receiver, 1).await;
    assert_eq!(received[0].event, "execution.switchover_done");
    assert_eq!(received[0].json()["execution"]["id"], id);
    // Reconciling again writes nothing new, and queues nothing new.
    app::store::reconcile::reconcile_from_start(app.services.store())
        .await
        .unwrap();
    assert_eq!(deliveries(&app, &admin, &webhook).await.len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_message_claimed_by_a_sender_that_died_is_sent_once_its_claim_runs_out() {
    use app::store::webhooks::outbox;
    let app = TestApp::spawn().await;
    let admin = app.as_role(Role::Admin).await;
    let receiver = WebhookReceiver::start(&[200]).await;
    let webhook = add_webhook(&app, &admin, "Patient", &receiver.url, &["step.failed"]).await;
    command(
        &app,
        &admin,
        "webhooks/ping",
        json!({ "id": webhook["id"] }),
    )
    .await;

    // A sender claims it and dies before it sends: nothing records the attempt.
    let store = app.services.store();
    let key = app.services.auth.keys.stored_secrets;
    let hold = Duration::from_secs(1);
    let claimed = outbox::claim_due(store, &key, 10, hold).await.unwrap();
    assert_eq!(claimed.len(), 1);
    assert_eq!(claimed[0].secret.as_deref(), Ok(SECRET));
    assert!(
        outbox::claim_due(store, &key, 10, hold)
            .await
            .unwrap()
            .is_empty(),
        "nobody else takes it while the claim holds"
    );

    start_sender(&app, Duration::from_secs(10), Duration::from_secs(10));
    let received = until_received(&receiver, 1).await;
    assert_eq!(received[0].delivery, claimed[0].id.to_string());
    let recorded = eventually("delivered", Duration::from_secs(10), || async {
        let all = deliveries(&app, &admin, &webhook).await;
        match all.first() {
            Some(d) if d["status"] == "delivered" => Ok(d.clone()),
            _ => Err(format!("{all:#?}")),
        }
    })
    .await;
    assert_eq!(recorded["attempts"], 2, "the dead sender's attempt counts");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_webhook_whose_stored_secret_is_corrupt_fails_alone_and_holds_no_other_up() {
    let app = TestApp::spawn().await;
    let admin = app.as_role(Role::Admin).await;
    let receiver = WebhookReceiver::start(&[200]).await;
    let broken = add_webhook(&app, &admin, "Broken", &receiver.url, &["step.failed"]).await;
    let sound = add_webhook(&app, &admin, "Sound", &receiver.url, &["step.failed"]).await;
    // The stored secret is corrupted: it no longer opens.
    {
        use app::store::schema::webhooks;
        use diesel::{ExpressionMethods, QueryDsl};
        use diesel_async::RunQueryDsl;
        diesel::update(webhooks::table.find(broken["id"].as_u64().unwrap()))
            .set(webhooks::secret_sealed.eq(vec![0u8; 40]))
            .execute(&mut app.db.connect().await)
            .await
            .unwrap();
    }
    command(&app, &admin, "webhooks/ping", json!({ "id": broken["id"] })).await;
    command(&app, &admin, "webhooks/ping", json!({ "id": sound["id"] })).await;
    start_sender(&app, Duration::from_secs(10), Duration::from_secs(10));

    let received = until_received(&receiver, 1).await;
    assert!(
        received[0].json()["text"]
            .as_str()
            .unwrap()
            .contains("Sound")
    );
    let failed = eventually("the broken one failed", Duration::from_secs(10), || async {
        let all = deliveries(&app, &admin, &broken).await;
        match all.first() {
            Some(d) if d["status"] == "failed" => Ok(d.clone()),
            _ => Err(format!("{all:#?}")),
        }
    })
    .await;
    assert!(
        failed["last_error"]
            .as_str()
            .unwrap()
            .contains("enter the secret again"),
        "{failed}"
    );
    assert_eq!(receiver.received().len(), 1, "nothing unsigned was sent");
}
