//! Every server function, called over HTTP as each role and as nobody, against one table
//! of who may call what. A new server function must be added here (the test fails until
//! it is).

use crate::support::test_app::{TestApp, client};
use app::domain::role::{Action, Role};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::collections::HashSet;

const ALL: &[Role] = &[Role::Admin, Role::Operator, Role::Reviewer, Role::Auditor];
const ADMIN: &[Role] = &[Role::Admin];
const OPERATE: &[Role] = &[Role::Admin, Role::Operator];
const REVIEW: &[Role] = &[Role::Admin, Role::Reviewer];
const COMMENT: &[Role] = &[Role::Admin, Role::Operator, Role::Auditor];

/// Who may call what. `None`: public, anyone may call it, signed in or not (only
/// signing in is).
fn expectations(auditor_id: u64) -> Vec<(&'static str, Value, Option<&'static [Role]>)> {
    vec![
        ("steps/list", json!({}), Some(ALL)),
        ("auth/me", json!({}), Some(ALL)),
        (
            "auth/sign_in",
            json!({ "username": "nobody-here", "password": "not a password" }),
            None,
        ),
        (
            "auth/change_password",
            json!({ "current_password": "not the current one", "new_password": "a brand new password" }),
            Some(ALL),
        ),
        (
            "auth/preferences",
            json!({ "preferences": { "language": "xx", "time_zone": null } }),
            Some(ALL),
        ),
        ("users/list", json!({}), Some(ADMIN)),
        ("webhooks/list", json!({}), Some(ADMIN)),
        (
            "webhooks/deliveries",
            json!({ "webhook": null }),
            Some(ADMIN),
        ),
        (
            "webhooks/create",
            json!({ "form": { "name": "", "url": "", "secret": null, "events": [], "enabled": true } }),
            Some(ADMIN),
        ),
        (
            "webhooks/update",
            json!({ "id": 999_999, "revision": 1, "form": { "name": "", "url": "", "secret": null, "events": [], "enabled": true } }),
            Some(ADMIN),
        ),
        (
            "webhooks/delete",
            json!({ "id": 999_999, "revision": 1 }),
            Some(ADMIN),
        ),
        ("webhooks/ping", json!({ "id": 999_999 }), Some(ADMIN)),
        (
            "users/create",
            json!({ "user": { "username": "x", "display_name": "", "role": "auditor", "password": "short" } }),
            Some(ADMIN),
        ),
        (
            "users/set_role",
            json!({ "id": auditor_id, "role": "auditor", "revision": 999 }),
            Some(ADMIN),
        ),
        (
            "users/set_enabled",
            json!({ "id": auditor_id, "enabled": true, "revision": 999 }),
            Some(ADMIN),
        ),
        (
            "users/reset_password",
            json!({ "id": 999_999, "new_password": "a long new password" }),
            Some(ADMIN),
        ),
        (
            "audit/list",
            json!({ "query": {} }),
            Some(&[Role::Admin, Role::Auditor]),
        ),
        ("run_mode/get", json!({}), Some(ALL)),
        ("cluster/here", json!({}), Some(ALL)),
        ("cluster/list", json!({}), Some(ALL)),
        // In normal mode already: an admin gets 409, the others 403; nothing switches.
        ("run_mode/switch", json!({ "to": "normal" }), Some(ADMIN)),
        ("data_centers/list", json!({}), Some(ALL)),
        (
            "data_centers/create",
            json!({ "form": { "region": "", "name": "", "description": "" } }),
            Some(OPERATE),
        ),
        (
            "data_centers/update",
            json!({ "id": 999_999, "revision": 1, "form": { "region": "R", "name": "N", "description": "" } }),
            Some(OPERATE),
        ),
        (
            "data_centers/delete",
            json!({ "id": 999_999, "revision": 1 }),
            Some(OPERATE),
        ),
        ("product_groups/list", json!({}), Some(ALL)),
        (
            "product_groups/create",
            json!({ "form": { "name": "", "description": "", "applications": [] } }),
            Some(OPERATE),
        ),
        (
            "product_groups/update",
            json!({ "id": 999_999, "revision": 1, "form": { "name": "G", "description": "", "applications": [] } }),
            Some(OPERATE),
        ),
        (
            "product_groups/delete",
            json!({ "id": 999_999, "revision": 1 }),
            Some(OPERATE),
        ),
        ("database_clusters/list", json!({}), Some(ALL)),
        (
            "database_clusters/create",
            json!({ "form": { "name": "", "description": "", "members": [], "primary": null } }),
            Some(OPERATE),
        ),
        (
            "database_clusters/update",
            json!({ "id": 999_999, "revision": 1, "form": { "name": "C", "description": "", "members": [1], "primary": 1 } }),
            Some(OPERATE),
        ),
        (
            "database_clusters/delete",
            json!({ "id": 999_999, "revision": 1 }),
            Some(OPERATE),
        ),
        ("connection_configs/list", json!({}), Some(ALL)),
        (
            "connection_configs/create",
            json!({ "form": bad_config() }),
            Some(OPERATE),
        ),
        (
            "connection_configs/update",
            json!({ "id": 999_999, "revision": 1, "form": bad_config() }),
            Some(OPERATE),
        ),
        (
            "connection_configs/delete",
            json!({ "id": 999_999, "revision": 1 }),
            Some(OPERATE),
        ),
        (
            "connection_configs/test",
            json!({ "id": 999_999 }),
            Some(OPERATE),
        ),
        ("data_centers/get", json!({ "id": 1 }), Some(ALL)),
        ("product_groups/get", json!({ "id": 1 }), Some(ALL)),
        ("database_clusters/get", json!({ "id": 1 }), Some(ALL)),
        ("connection_configs/get", json!({ "id": 1 }), Some(ALL)),
        ("plans/list", json!({}), Some(ALL)),
        ("plans/get", json!({ "id": 999_999 }), Some(ALL)),
        ("plans/versions", json!({ "id": 999_999 }), Some(ALL)),
        (
            "plans/diff",
            json!({ "id": 999_999, "old": null, "new": null }),
            Some(ALL),
        ),
        ("plans/readiness", json!({}), Some(ALL)),
        ("plans/evaluate", json!({ "id": 999_999 }), Some(OPERATE)),
        (
            "plans/export",
            json!({ "id": 999_999, "number": null }),
            Some(ALL),
        ),
        (
            "plans/create",
            json!({ "content": bad_plan() }),
            Some(OPERATE),
        ),
        (
            "plans/update",
            json!({ "id": 999_999, "revision": 1, "content": bad_plan() }),
            Some(OPERATE),
        ),
        (
            "plans/submit",
            json!({ "id": 999_999, "revision": 1 }),
            Some(OPERATE),
        ),
        (
            "plans/clone",
            json!({ "id": 999_999, "name": "x" }),
            Some(OPERATE),
        ),
        (
            "plans/delete",
            json!({ "id": 999_999, "revision": 1 }),
            Some(OPERATE),
        ),
        ("plans/import", json!({ "document": "{}" }), Some(OPERATE)),
        (
            "plans/approve",
            json!({ "id": 999_999, "revision": 1, "comment": "" }),
            Some(REVIEW),
        ),
        (
            "plans/reject",
            json!({ "id": 999_999, "revision": 1, "comment": "no" }),
            Some(REVIEW),
        ),
        (
            "plans/deactivate",
            json!({ "id": 999_999, "revision": 1, "comment": "" }),
            Some(REVIEW),
        ),
        ("simulator/state", json!({}), Some(ALL)),
        (
            "simulator/inject_fault",
            json!({ "spec": { "call": "health", "effect": "slow" } }),
            Some(OPERATE),
        ),
        (
            "simulator/clear_fault",
            json!({ "id": 999_999 }),
            Some(OPERATE),
        ),
        ("simulator/clear_faults", json!({}), Some(OPERATE)),
        ("simulator/reset", json!({}), Some(OPERATE)),
        (
            "simulator/set_timing",
            json!({ "timing": { "traffic": { "min_ms": 2, "max_ms": 1 },
                                "restart": { "min_ms": 0, "max_ms": 0 },
                                "cluster": { "min_ms": 0, "max_ms": 0 } } }),
            Some(OPERATE),
        ),
        ("executions/list", json!({ "filter": {} }), Some(ALL)),
        ("executions/export", json!({ "filter": {} }), Some(ALL)),
        (
            "executions/comment",
            json!({ "id": 999_999, "text": "seen" }),
            Some(COMMENT),
        ),
        ("executions/get", json!({ "id": 999_999 }), Some(ALL)),
        ("executions/report", json!({ "id": 999_999 }), Some(ALL)),
        ("executions/report_csv", json!({ "id": 999_999 }), Some(ALL)),
        (
            "executions/step_record",
            json!({ "execution": 999_999, "step": 1 }),
            Some(ALL),
        ),
        (
            "executions/pre_check",
            json!({ "new": { "plan_id": 999_999, "failed": null, "emergency": null, "description": "" } }),
            Some(OPERATE),
        ),
        (
            "executions/create",
            json!({ "new": { "plan_id": 999_999, "failed": null, "emergency": null, "description": "" } }),
            Some(OPERATE),
        ),
        ("executions/start", json!({ "id": 999_999 }), Some(OPERATE)),
        ("executions/pause", json!({ "id": 999_999 }), Some(OPERATE)),
        ("executions/resume", json!({ "id": 999_999 }), Some(OPERATE)),
        ("executions/cancel", json!({ "id": 999_999 }), Some(OPERATE)),
        (
            "executions/retry_step",
            json!({ "id": 999_999, "step": 1 }),
            Some(OPERATE),
        ),
        (
            "executions/skip_step",
            json!({ "id": 999_999, "step": 1, "reason": "why" }),
            Some(OPERATE),
        ),
        (
            "executions/mark_step_done",
            json!({ "id": 999_999, "step": 1, "reason": "why" }),
            Some(OPERATE),
        ),
        (
            "executions/abandon_step",
            json!({ "id": 999_999, "step": 1, "reason": "why" }),
            Some(OPERATE),
        ),
        (
            "executions/confirm_step",
            json!({ "id": 999_999, "step": 1 }),
            Some(OPERATE),
        ),
        // Last: it ends the caller's session.
        ("auth/sign_out", json!({}), Some(ALL)),
    ]
}

/// A connection config form that fails validation (so allowed calls change nothing).
fn bad_config() -> Value {
    json!({ "name": "", "data_center": null, "platform": "database", "kind": "test", "protocol": "http",
            "host": "", "port": 0, "username": "", "password": { "action": "keep" } })
}

/// A plan that fails validation (no name, no steps).
fn bad_plan() -> Value {
    json!({ "name": "", "description": "", "switchover": [], "recovery": [] })
}

/// Refused for who the caller is, as opposed to failing for what they sent (a wrong
/// password is a 401 too, but not an access refusal).
fn refused(status: StatusCode, answer: &Value) -> bool {
    status == StatusCode::FORBIDDEN
        || (status == StatusCode::UNAUTHORIZED && answer["message"] == "sign in to continue")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_server_function_allows_exactly_the_roles_in_the_table() {
    let app = TestApp::spawn_with_demo().await;
    let table = expectations(app.user_id("auditor").await);

    let covered: HashSet<&str> = table.iter().map(|(endpoint, _, _)| *endpoint).collect();
    let actions: HashSet<&str> = Action::ALL.iter().map(|a| a.endpoint()).collect();
    assert_eq!(
        covered, actions,
        "the table must list every server function"
    );

    for role in ALL {
        let client = app.as_role(*role).await;
        for (endpoint, body, allowed) in &table {
            let (status, answer) = app.call(&client, endpoint, body.clone()).await;
            match allowed {
                Some(roles) if !roles.contains(role) => {
                    assert_eq!(
                        status,
                        StatusCode::FORBIDDEN,
                        "{role:?} {endpoint}: {answer}"
                    );
                    assert_eq!(answer["kind"], "forbidden");
                    assert!(
                        answer["message"]
                            .as_str()
                            .unwrap()
                            .starts_with("this needs"),
                        "{answer}"
                    );
                }
                _ => {
                    assert!(
                        !refused(status, &answer),
                        "{role:?} {endpoint} was refused: {status} {answer}"
                    );
                    assert!(
                        !status.is_server_error(),
                        "{role:?} {endpoint} failed on the server: {status} {answer}"
                    );
                }
            }
        }
    }

    let nobody = client();
    for (endpoint, body, allowed) in &table {
        let (status, answer) = app.call(&nobody, endpoint, body.clone()).await;
        if allowed.is_some() {
            assert_eq!(
                status,
                StatusCode::UNAUTHORIZED,
                "nobody {endpoint}: {answer}"
            );
            assert_eq!(answer["kind"], "unauthenticated");
        } else {
            assert!(
                !refused(status, &answer) && !status.is_server_error(),
                "nobody {endpoint}: {status} {answer}"
            );
        }
    }
}
