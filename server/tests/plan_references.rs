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
            .contains("Data center power loss"),
        "the refusal names the plans: {answer}"
    );
    assert!(
        answer["message"]
            .as_str()
            .unwrap()
            .contains("Payments in their steps"),
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn editing_a_product_group_keeps_its_applications_ids() {
    use diesel::prelude::*;
    use diesel_async::RunQueryDsl;
    let app = TestApp::spawn_with_demo().await;
    let operator = app.as_role(Role::Operator).await;
    let group = named(&app, &operator, "product_groups/list", "Payments").await;
    let ids = || async {
        use app::store::schema::{applications, product_groups};
        let mut conn = app.db.connect().await;
        applications::table
            .inner_join(product_groups::table)
            .filter(product_groups::name.eq("Payments"))
            .select((applications::name, applications::id))
            .order(applications::name)
            .load::<(String, u64)>(&mut conn)
            .await
            .unwrap()
    };
    let before = ids().await;
    assert!(before.len() >= 2, "{before:?}");

    // Describe one application anew, drop the last one, add another.
    let mut apps: Vec<Value> = group["applications"].as_array().unwrap().clone();
    let dropped = apps.pop().unwrap()["name"].as_str().unwrap().to_owned();
    for app in &mut apps {
        app["needs"] = json!([]);
    }
    apps[0]["description"] = json!("described anew");
    apps.push(json!({ "name": "fraud-check", "description": "", "needs": [] }));
    let (status, answer) = app
        .call(
            &operator,
            "product_groups/update",
            json!({ "id": group["id"], "revision": group["revision"],
                    "form": { "name": "Payments", "description": group["description"],
                              "applications": apps } }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{answer}");

    let after = ids().await;
    for (name, id) in &before {
        if *name == dropped {
            assert!(after.iter().all(|(n, _)| n != name), "{name} is gone");
        } else {
            assert!(
                after.contains(&(name.clone(), *id)),
                "{name} keeps id {id}: {after:?}"
            );
        }
    }
    assert!(after.iter().any(|(n, _)| n == "fraud-check"));
}
