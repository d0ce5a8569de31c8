//! Database clusters through their server functions.

use crate::support::test_app::TestApp;
use app::domain::role::Role;
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn data_center_ids(app: &TestApp, client: &reqwest::Client) -> Vec<(String, Value)> {
    let (_, list) = app.call(client, "data_centers/list", json!({})).await;
    list.as_array()
        .unwrap()
        .iter()
        .map(|dc| (dc["name"].as_str().unwrap().to_owned(), dc["id"].clone()))
        .collect()
}

fn id_of(ids: &[(String, Value)], name: &str) -> Value {
    ids.iter().find(|(n, _)| n == name).unwrap().1.clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cluster_is_created_moved_and_deleted() {
    let app = TestApp::spawn_with_demo().await;
    let operator = app.as_role(Role::Operator).await;
    let dcs = data_center_ids(&app, &operator).await;
    let (a, b) = (id_of(&dcs, "Shanghai-A"), id_of(&dcs, "Hangzhou-B"));

    let form =
        json!({ "name": "orders-db", "description": "orders", "members": [a, b], "primary": a });
    let (status, created) = app
        .call(
            &operator,
            "database_clusters/create",
            json!({ "form": form }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{created}");
    assert_eq!(created["primary"]["name"], "Shanghai-A");
    let members: Vec<&str> = created["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["name"].as_str().unwrap())
        .collect();
    assert_eq!(members, ["Hangzhou-B", "Shanghai-A"]);

    let moved = json!({ "id": created["id"], "revision": created["revision"],
        "form": { "name": "orders-db", "description": "orders", "members": [a, b], "primary": b } });
    let (status, edited) = app.call(&operator, "database_clusters/update", moved).await;
    assert_eq!(status, StatusCode::OK, "{edited}");
    assert_eq!(edited["primary"]["name"], "Hangzhou-B");

    let (status, _) = app
        .call(
            &operator,
            "database_clusters/delete",
            json!({ "id": edited["id"], "revision": edited["revision"] }),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (_, list) = app
        .call(&operator, "database_clusters/list", json!({}))
        .await;
    assert_eq!(
        list.as_array().unwrap().len(),
        3,
        "the demo clusters remain"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_primary_must_hold_a_copy_and_names_are_unique() {
    let app = TestApp::spawn_with_demo().await;
    let operator = app.as_role(Role::Operator).await;
    let dcs = data_center_ids(&app, &operator).await;
    let (a, c) = (id_of(&dcs, "Shanghai-A"), id_of(&dcs, "Beijing-C"));

    let form = json!({ "name": "x-db", "description": "", "members": [a], "primary": c });
    let (status, body) = app
        .call(
            &operator,
            "database_clusters/create",
            json!({ "form": form }),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["errors"][0]["field"], "primary");

    let taken = json!({ "name": "payments-db", "description": "", "members": [a], "primary": a });
    let (status, body) = app
        .call(
            &operator,
            "database_clusters/create",
            json!({ "form": taken }),
        )
        .await;
    assert_eq!(
        (status, body["field"].as_str()),
        (StatusCode::CONFLICT, Some("name"))
    );
}
