//! Product groups, their applications and dependencies, through their server functions.

use crate::support::test_app::TestApp;
use app::domain::environment::ProductGroup;
use app::domain::role::Role;
use reqwest::StatusCode;
use serde_json::{Value, json};

fn app(name: &str, needs: &[&str]) -> Value {
    json!({ "name": name, "description": "", "needs": needs })
}

fn form(name: &str, apps: Vec<Value>) -> Value {
    json!({ "name": name, "description": "test group", "applications": apps })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_group_is_stored_with_its_dependencies_and_restart_levels() {
    let app_ = TestApp::spawn_with_demo().await;
    let operator = app_.as_role(Role::Operator).await;
    let apps = vec![
        app("web", &["api"]),
        app("api", &["auth", "catalog"]),
        app("auth", &["db-proxy"]),
        app("catalog", &["db-proxy", "search"]),
        app("search", &[]),
        app("db-proxy", &[]),
        app("batch", &["db-proxy"]),
    ];

    let (status, created) = app_
        .call(
            &operator,
            "product_groups/create",
            json!({ "form": form("Shop", apps) }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{created}");
    let group: ProductGroup = serde_json::from_value(created).unwrap();
    assert_eq!(
        group.restart_levels(),
        vec![
            vec!["db-proxy", "search"],
            vec!["auth", "batch", "catalog"],
            vec!["api"],
            vec!["web"]
        ]
    );

    let (_, list) = app_.call(&operator, "product_groups/list", json!({})).await;
    let groups: Vec<ProductGroup> = serde_json::from_value(list).unwrap();
    let stored = groups.iter().find(|g| g.name == "Shop").unwrap();
    assert_eq!(stored, &group);
    let payments = groups.iter().find(|g| g.name == "Payments").unwrap();
    assert_eq!(
        payments.restart_levels(),
        vec![
            vec!["ledger", "risk-engine"],
            vec!["payment-core"],
            vec!["payment-gateway"]
        ]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cycle_is_refused_with_the_cycle_named_and_nothing_changes() {
    let app_ = TestApp::spawn_with_demo().await;
    let operator = app_.as_role(Role::Operator).await;
    let (_, list) = app_.call(&operator, "product_groups/list", json!({})).await;
    let payments = list
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["name"] == "Payments")
        .unwrap()
        .clone();
    let mut apps = payments["applications"].as_array().unwrap().clone();
    for a in &mut apps {
        if a["name"] == "ledger" {
            a["needs"] = json!(["payment-gateway"]);
        }
    }

    let edit = json!({ "id": payments["id"], "revision": payments["revision"], "form": form("Payments", apps) });
    let (status, body) = app_.call(&operator, "product_groups/update", edit).await;

    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["errors"][0]["field"], "applications");
    assert_eq!(
        body["errors"][0]["message"],
        "dependency cycle: ledger → payment-gateway → payment-core → ledger"
    );
    let (_, after) = app_.call(&operator, "product_groups/list", json!({})).await;
    let unchanged = after
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["name"] == "Payments")
        .unwrap()
        .clone();
    assert_eq!(unchanged, payments);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn edits_replace_the_applications_and_stale_edits_are_refused() {
    let app_ = TestApp::spawn_with_demo().await;
    let operator = app_.as_role(Role::Operator).await;
    let (_, created) = app_
        .call(
            &operator,
            "product_groups/create",
            json!({ "form": form("Ops", vec![app("a", &[]), app("b", &["a"])]) }),
        )
        .await;

    let edit = |apps: Vec<Value>| json!({ "id": created["id"], "revision": created["revision"], "form": form("Ops tools", apps) });
    let (status, edited) = app_
        .call(
            &operator,
            "product_groups/update",
            edit(vec![app("c", &[]), app("a", &["c"])]),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{edited}");
    assert_eq!(edited["name"], "Ops tools");
    assert_eq!(
        edited["applications"],
        json!([app("a", &["c"]), app("c", &[])])
    );

    let (status, _) = app_
        .call(&operator, "product_groups/update", edit(vec![]))
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "made from the old version");

    let (status, _) = app_
        .call(
            &operator,
            "product_groups/delete",
            json!({ "id": edited["id"], "revision": edited["revision"] }),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (_, list) = app_.call(&operator, "product_groups/list", json!({})).await;
    assert!(!list.to_string().contains("Ops tools"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_duplicate_group_name_is_a_conflict_on_the_name() {
    let app_ = TestApp::spawn_with_demo().await;
    let operator = app_.as_role(Role::Operator).await;

    let (status, body) = app_
        .call(
            &operator,
            "product_groups/create",
            json!({ "form": form("Trading", vec![]) }),
        )
        .await;

    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(body["field"], "name");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn names_that_collide_are_refused_next_to_the_field_and_others_are_kept_apart() {
    let app_ = TestApp::spawn_with_demo().await;
    let operator = app_.as_role(Role::Operator).await;
    let create = |apps: Vec<Value>| json!({ "form": form("Shop", apps) });

    for (apps, field) in [
        (
            vec![app("pay", &[]), app("Pay", &[])],
            "applications[1].name",
        ),
        (
            vec![app("pay", &[]), app("web", &["pay", "pay"])],
            "applications[1].needs",
        ),
    ] {
        let (status, body) = app_
            .call(&operator, "product_groups/create", create(apps))
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(body["errors"][0]["field"], field, "{body}");
    }

    // Names the database's collation would have taken for one are two applications.
    let (status, body) = app_
        .call(
            &operator,
            "product_groups/create",
            create(vec![
                app("pay", &[]),
                app("päy", &["pay"]),
                app("ｐay", &[]),
            ]),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["applications"].as_array().unwrap().len(), 3);
}
