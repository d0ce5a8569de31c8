//! Product groups and database clusters that plan steps name: renaming or deleting one
//! would silently break those plans (a clone, a submit, an execution would fail), so both
//! are refused until the plans change; other edits go through.

use crate::support::test_app::TestApp;
use app::domain::role::Role;
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn named(app: &TestApp, client: &reqwest::Client, list: &str, name: &str) -> Value {
    let (status, all) = app.call(client, list, json!({})).await;
    assert_eq!(status, StatusCode::OK, "{all}");
    all.as_array()
        .unwrap()
        .iter()
        .find(|item| item["name"] == name)
        .unwrap()
        .clone()
}

/// A demo plan can still be cloned: every name its steps use still resolves.
async fn demo_plans_still_clone(app: &TestApp, operator: &reqwest::Client) {
    let (_, plans) = app.call(operator, "plans/list", json!({})).await;
    let id = plans[0]["id"].clone();
    let (status, clone) = app
        .call(
            operator,
            "plans/clone",
            json!({ "id": id, "name": "Copy of the first plan" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{clone}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_product_group_named_by_plans_keeps_its_name() {
    let app = TestApp::spawn_with_demo().await;
    let operator = app.as_role(Role::Operator).await;
    let payments = named(&app, &operator, "product_groups/list", "Payments").await;
    let form = |name: &str, description: &str| {
        json!({ "id": payments["id"], "revision": payments["revision"],
                "form": { "name": name, "description": description,
                          "applications": payments["applications"] } })
    };

    let (status, answer) = app
        .call(&operator, "product_groups/update", form("Payments EU", ""))
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{answer}");
    assert_eq!(answer["field"], "name");
    assert_eq!(answer["code"], "in_use");
    assert!(
        answer["message"]
            .as_str()
            .unwrap()
            .contains("plan steps name Payments"),
        "{answer}"
    );

    let (status, answer) = app
        .call(
            &operator,
            "product_groups/delete",
            json!({ "id": payments["id"], "revision": payments["revision"] }),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{answer}");

    let (status, answer) = app
        .call(
            &operator,
            "product_groups/update",
            form("Payments", "Card payments"),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "other edits go through: {answer}");
    demo_plans_still_clone(&app, &operator).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_database_cluster_named_by_plans_keeps_its_name() {
    let app = TestApp::spawn_with_demo().await;
    let operator = app.as_role(Role::Operator).await;
    let cluster = named(&app, &operator, "database_clusters/list", "payments-db").await;
    let members: Vec<Value> = cluster["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].clone())
        .collect();
    let form = |name: &str| {
        json!({ "id": cluster["id"], "revision": cluster["revision"],
                "form": { "name": name, "description": "moved", "members": members,
                          "primary": cluster["primary"]["id"] } })
    };

    let (status, answer) = app
        .call(&operator, "database_clusters/update", form("payments-db-2"))
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{answer}");
    assert_eq!(answer["field"], "name");

    let (status, answer) = app
        .call(
            &operator,
            "database_clusters/delete",
            json!({ "id": cluster["id"], "revision": cluster["revision"] }),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{answer}");

    let (status, answer) = app
        .call(&operator, "database_clusters/update", form("payments-db"))
        .await;
    assert_eq!(status, StatusCode::OK, "other edits go through: {answer}");
    demo_plans_still_clone(&app, &operator).await;
}
