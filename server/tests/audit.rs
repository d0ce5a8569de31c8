//! The audit log: one entry per change, refusal and failure, written with the change, and
//! never a password.

use crate::support::test_app::TestApp;
use app::domain::role::Role;
use chrono::{DateTime, FixedOffset, TimeDelta, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};
use diesel_async::RunQueryDsl;
use reqwest::StatusCode;
use serde_json::{Value, json};

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

const NEW_PASSWORD: &str = "a very secret first password";

fn new_user(username: &str) -> Value {
    json!({ "user": { "username": username, "display_name": "", "role": "reviewer", "password": NEW_PASSWORD } })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_allowed_change_is_recorded_with_its_target_and_without_the_password() {
    let app = TestApp::spawn_with_demo().await;
    let admin = app.as_role(Role::Admin).await;

    let (status, user) = app
        .call(&admin, "users/create", new_user("zhang.min"))
        .await;
    assert_eq!(status, StatusCode::OK);
    app.call(
        &admin,
        "users/reset_password",
        json!({ "id": user["id"], "new_password": "another secret password" }),
    )
    .await;

    let created = app.audit_entries("users/create").await;
    let ours = created
        .iter()
        .find(|e| e["actor_name"] == "admin")
        .expect("an entry by admin");
    assert_eq!(ours["outcome"], "ok");
    assert_eq!(ours["actor_role"], "admin");
    assert_eq!(ours["target_kind"], "user");
    assert_eq!(ours["target_id"], user["id"].to_string());
    assert_eq!(ours["client_addr"], "127.0.0.1");

    let mut conn = app.db.connect().await;
    for secret in [NEW_PASSWORD, "another secret password", "switchyard"] {
        let hits: Count = diesel::sql_query(
            "SELECT COUNT(*) AS n FROM audit_log WHERE CONCAT_WS('|', actor_name, action, target_kind, target_id, \
             reason, client_addr) LIKE CONCAT('%', ?, '%')",
        )
        .bind::<Text, _>(secret)
        .get_result(&mut conn)
        .await
        .unwrap();
        assert_eq!(hits.n, 0, "{secret} appears in the audit log");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_call_is_recorded_with_the_reason() {
    let app = TestApp::spawn_with_demo().await;
    let operator = app.as_role(Role::Operator).await;

    let (status, _) = app
        .call(&operator, "users/create", new_user("sneaky"))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let refused = app.audit_entries("users/create").await;
    let entry = refused
        .iter()
        .find(|e| e["actor_name"] == "operator")
        .unwrap();
    assert_eq!(entry["outcome"], "refused");
    assert_eq!(entry["reason"], "this needs the admin role");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_change_is_recorded_and_leaves_nothing_behind() {
    let app = TestApp::spawn_with_demo().await;
    let admin = app.as_role(Role::Admin).await;

    let (status, body) = app.call(&admin, "users/create", new_user("operator")).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["field"], "username");
    let (status, body) = app
        .call(&admin, "users/create", json!({ "user": { "username": "Bad Name", "display_name": "", "role": "auditor", "password": "short" } }))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<&str> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["username", "password"]);

    let failed: Vec<Value> = app
        .audit_entries("users/create")
        .await
        .into_iter()
        .filter(|e| e["outcome"] == "failed")
        .collect();
    assert_eq!(failed.len(), 2);
    assert_eq!(failed[1]["reason"], "that username is already taken");
    let users = app.call(&admin, "users/list", json!({})).await.1;
    assert_eq!(users.as_array().unwrap().len(), 4, "no user was added");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cross_site_request_is_refused_and_recorded() {
    let app = TestApp::spawn_with_demo().await;
    let admin = app.as_role(Role::Admin).await;

    let response = admin
        .post(format!("{}/api/users/create", app.base))
        .header("origin", "http://evil.example")
        .json(&new_user("planted"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);

    let same_site = admin
        .post(format!("{}/api/users/create", app.base))
        .header("origin", &app.base)
        .json(&new_user("legit"))
        .send()
        .await
        .unwrap();
    assert_eq!(same_site.status(), StatusCode::OK);

    let entry = app
        .audit_entries("users/create")
        .await
        .into_iter()
        .find(|e| e["outcome"] == "refused")
        .unwrap();
    assert_eq!(
        entry["reason"],
        "cross-site request from http://evil.example refused"
    );
    let users = app.call(&admin, "users/list", json!({})).await.1;
    assert!(!users.to_string().contains("planted"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_last_admin_can_be_neither_demoted_nor_disabled() {
    let app = TestApp::spawn_with_demo().await;
    let admin = app.as_role(Role::Admin).await;
    let id = app.user_id("admin").await;
    let version = |users: &Value| {
        users
            .as_array()
            .unwrap()
            .iter()
            .find(|u| u["id"] == id)
            .unwrap()["revision"]
            .clone()
    };
    let users = app.call(&admin, "users/list", json!({})).await.1;

    let (status, body) = app
        .call(
            &admin,
            "users/set_role",
            json!({ "id": id, "role": "operator", "revision": version(&users) }),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(body["field"], "role");
    assert_eq!(body["code"], "last_admin");
    let (status, body) = app
        .call(
            &admin,
            "users/set_enabled",
            json!({ "id": id, "enabled": false, "revision": version(&users) }),
        )
        .await;
    assert_eq!(
        (status, body["field"].as_str()),
        (StatusCode::CONFLICT, Some("enabled"))
    );

    let (status, body) = app
        .call(
            &admin,
            "users/set_role",
            json!({ "id": id, "role": "admin", "revision": 12345 }),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::CONFLICT,
        "a stale version is refused: {body}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_audit_log_filters_and_pages_newest_first() {
    let app = TestApp::spawn_with_demo().await;
    let auditor = app.as_role(Role::Auditor).await;
    let before = Utc::now() - TimeDelta::seconds(1);
    for _ in 0..55 {
        // Refused (auditors change nothing), and every refusal is an entry.
        app.call(&auditor, "users/create", new_user("nope")).await;
    }

    let (_, first) = app
        .call(
            &auditor,
            "audit/list",
            json!({ "query": { "actor": "auditor", "action": "users/create" } }),
        )
        .await;
    assert_eq!(first["total"], 55);
    assert_eq!(first["entries"].as_array().unwrap().len(), 50);
    let ids: Vec<u64> = first["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_u64().unwrap())
        .collect();
    assert!(ids.windows(2).all(|w| w[0] > w[1]), "newest first");
    let after = Utc::now() + TimeDelta::seconds(1);
    for entry in first["entries"].as_array().unwrap() {
        let text = entry["at"].as_str().unwrap();
        assert!(text.ends_with('Z'), "RFC 3339 in UTC: {text}");
        let at = DateTime::parse_from_rfc3339(text).unwrap();
        assert!(
            before <= at && at <= after,
            "{text} between {before} and {after}"
        );
    }
    let (_, second) = app
        .call(
            &auditor,
            "audit/list",
            json!({ "query": { "actor": "auditor", "action": "users/create", "page": 1 } }),
        )
        .await;
    assert_eq!(second["entries"].as_array().unwrap().len(), 5);

    let (_, none) = app
        .call(
            &auditor,
            "audit/list",
            json!({ "query": { "actor": "auditor", "to": "2000-01-01T00:00:00Z" } }),
        )
        .await;
    assert_eq!(none["total"], 0);
    let (_, signed_in) = app
        .call(
            &auditor,
            "audit/list",
            json!({ "query": { "action": "auth/sign_in", "from": "2000-01-01T00:00:00Z" } }),
        )
        .await;
    assert!(signed_in["total"].as_u64().unwrap() >= 1);

    // The same instant written in another zone is the same instant: eight hours apart
    // on the clock would put every entry on the other side of it.
    let in_beijing = before
        .with_timezone(&FixedOffset::east_opt(8 * 3600).unwrap())
        .to_rfc3339();
    for (bound, total) in [("from", 55), ("to", 0)] {
        let (status, page) = app
            .call(
                &auditor,
                "audit/list",
                json!({ "query": { "actor": "auditor", "action": "users/create", bound: in_beijing } }),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{page}");
        assert_eq!(page["total"], total, "{bound} {in_beijing}");
    }

    // A time without an offset names no instant: refused, saying what would do.
    let (status, refusal) = app
        .call(
            &auditor,
            "audit/list",
            json!({ "query": { "from": "2000-01-01T00:00:00" } }),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{refusal}");
    let message = refusal["message"].as_str().unwrap();
    assert!(message.contains("a time with its UTC offset"), "{message}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn anonymous_refusals_are_recorded_once_per_client_and_window() {
    let app = TestApp::spawn_with_demo().await;
    let anonymous = crate::support::test_app::client();

    for _ in 0..30 {
        let (status, _) = app.call(&anonymous, "plans/list", json!({})).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        let (status, _) = app
            .call(
                &anonymous,
                "plans/delete",
                json!({ "id": 1, "revision": 1 }),
            )
            .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }

    for action in ["plans/list", "plans/delete"] {
        let entries = app.audit_entries(action).await;
        let refused: Vec<&Value> = entries
            .iter()
            .filter(|e| e["outcome"] == "refused")
            .collect();
        assert_eq!(refused.len(), 1, "{action}: {entries:?}");
        assert_eq!(refused[0]["reason"], "not signed in");
        assert_eq!(refused[0]["actor_name"], "(anonymous)");
    }
}
