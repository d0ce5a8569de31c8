//! Regions and data centers through their server functions.

use crate::support::test_app::TestApp;
use app::domain::role::Role;
use reqwest::StatusCode;
use serde_json::{Value, json};

fn form(region: &str, name: &str) -> Value {
    json!({ "form": { "region": region, "name": name, "description": "test site" } })
}

fn names(list: &Value) -> Vec<String> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|dc| {
            format!(
                "{}/{}",
                dc["region"].as_str().unwrap(),
                dc["name"].as_str().unwrap()
            )
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_operator_creates_edits_and_deletes_a_data_center() {
    let app = TestApp::spawn_with_demo().await;
    let operator = app.as_role(Role::Operator).await;

    let (status, created) = app
        .call(
            &operator,
            "data_centers/create",
            form(" South China ", "Shenzhen-D"),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{created}");
    assert_eq!(created["region"], "South China", "names are trimmed");
    let (_, list) = app.call(&operator, "data_centers/list", json!({})).await;
    assert_eq!(
        names(&list),
        [
            "East China/Hangzhou-B",
            "East China/Shanghai-A",
            "North China/Beijing-C",
            "South China/Shenzhen-D"
        ]
    );

    let edit = json!({ "id": created["id"], "revision": created["revision"], "form": { "region": "Pearl River", "name": "Shenzhen-D", "description": "moved" } });
    let (status, edited) = app.call(&operator, "data_centers/update", edit).await;
    assert_eq!(status, StatusCode::OK, "{edited}");
    assert_eq!(
        edited["revision"],
        created["revision"].as_u64().unwrap() + 1
    );

    let (status, _) = app
        .call(
            &operator,
            "data_centers/delete",
            json!({ "id": edited["id"], "revision": edited["revision"] }),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (_, list) = app.call(&operator, "data_centers/list", json!({})).await;
    assert_eq!(list.as_array().unwrap().len(), 3);

    let mut conn = app.db.connect().await;
    let regions: Vec<String> = {
        use app::store::schema::regions;
        use diesel::prelude::*;
        use diesel_async::RunQueryDsl;
        regions::table
            .select(regions::name)
            .order(regions::name)
            .load(&mut conn)
            .await
            .unwrap()
    };
    assert_eq!(
        regions,
        ["East China", "North China"],
        "regions no data center names are gone"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_is_refused_next_to_the_field() {
    let app = TestApp::spawn_with_demo().await;
    let operator = app.as_role(Role::Operator).await;

    let (status, body) = app
        .call(&operator, "data_centers/create", form("  ", ""))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        body["errors"],
        json!([
            { "field": "region", "message": "is required" },
            { "field": "name", "message": "is required" },
        ])
    );

    let (status, body) = app
        .call(
            &operator,
            "data_centers/create",
            form("Anywhere", "Shanghai-A"),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(
        (
            body["code"].as_str(),
            body["field"].as_str(),
            body["message"].as_str()
        ),
        (
            Some("name_taken"),
            Some("name"),
            Some("that name is already taken")
        )
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stale_update_is_refused_and_overwrites_nothing() {
    let app = TestApp::spawn_with_demo().await;
    let operator = app.as_role(Role::Operator).await;
    let (_, created) = app
        .call(&operator, "data_centers/create", form("West", "Chengdu-E"))
        .await;
    let first = json!({ "id": created["id"], "revision": created["revision"], "form": { "region": "West", "name": "Chengdu-E", "description": "first edit" } });
    assert_eq!(
        app.call(&operator, "data_centers/update", first).await.0,
        StatusCode::OK
    );

    let stale = json!({ "id": created["id"], "revision": created["revision"], "form": { "region": "West", "name": "Chengdu-E", "description": "second edit" } });
    let (status, body) = app.call(&operator, "data_centers/update", stale).await;

    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(body["code"], "stale_revision");
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("changed by someone else"),
        "{body}"
    );
    let (_, list) = app.call(&operator, "data_centers/list", json!({})).await;
    let stored = list
        .as_array()
        .unwrap()
        .iter()
        .find(|dc| dc["name"] == "Chengdu-E")
        .unwrap()
        .clone();
    assert_eq!(stored["description"], "first edit");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_data_center_in_use_cannot_be_deleted_and_the_answer_says_by_what() {
    let app = TestApp::spawn_with_demo().await;
    let operator = app.as_role(Role::Operator).await;
    let (_, list) = app.call(&operator, "data_centers/list", json!({})).await;
    let shanghai = list
        .as_array()
        .unwrap()
        .iter()
        .find(|dc| dc["name"] == "Shanghai-A")
        .unwrap()
        .clone();

    let (status, body) = app
        .call(
            &operator,
            "data_centers/delete",
            json!({ "id": shanghai["id"], "revision": shanghai["revision"] }),
        )
        .await;

    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(body["code"], "in_use");
    assert_eq!(
        body["message"],
        "Shanghai-A is still used by 3 connection configs, 3 database clusters; remove those first"
    );
}
