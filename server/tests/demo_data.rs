//! What start-up loads: the demo estate and demo users (once, only when asked for, never
//! over data of one's own) and the first admin.

use crate::support::test_db::TestDb;
use app::store::schema::regions;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use server::prepare_database;

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

async fn count(db: &TestDb, table: &str) -> i64 {
    let mut conn = db.connect().await;
    let row: Count = diesel::sql_query(format!("SELECT COUNT(*) AS n FROM {table}"))
        .get_result(&mut conn)
        .await
        .unwrap();
    row.n
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_mode_loads_the_estate_once() {
    let db = TestDb::empty().await;

    prepare_database(
        &db.url,
        None,
        2,
        Some(crate::support::test_app::NO_SIMULATOR),
        crate::support::state_dir::mode(),
    )
    .await
    .unwrap();
    prepare_database(
        &db.url,
        None,
        2,
        Some(crate::support::test_app::NO_SIMULATOR),
        crate::support::state_dir::mode(),
    )
    .await
    .unwrap();

    assert_eq!(count(&db, "regions").await, 2);
    assert_eq!(count(&db, "data_centers").await, 3);
    assert_eq!(count(&db, "product_groups").await, 3);
    assert_eq!(count(&db, "applications").await, 11);
    assert_eq!(count(&db, "application_dependencies").await, 8);
    assert_eq!(count(&db, "database_clusters").await, 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_demo_mode_the_estate_stays_empty() {
    let db = TestDb::empty().await;

    prepare_database(&db.url, None, 2, None, crate::support::state_dir::mode())
        .await
        .unwrap();

    assert_eq!(count(&db, "regions").await, 0);
    assert_eq!(count(&db, "product_groups").await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_mode_leaves_an_existing_estate_alone() {
    let db = TestDb::empty().await;
    prepare_database(&db.url, None, 2, None, crate::support::state_dir::mode())
        .await
        .unwrap();
    let mut conn = db.connect().await;
    diesel::insert_into(regions::table)
        .values(regions::name.eq("Our region"))
        .execute(&mut conn)
        .await
        .unwrap();

    prepare_database(
        &db.url,
        None,
        2,
        Some(crate::support::test_app::NO_SIMULATOR),
        crate::support::state_dir::mode(),
    )
    .await
    .unwrap();

    assert_eq!(count(&db, "regions").await, 1);
    assert_eq!(count(&db, "data_centers").await, 0);
}

async fn start(db: &TestDb, demo: bool, admin_password: Option<&str>) -> app::services::Services {
    let options = server::StartOptions {
        pool_size: 2,
        admin_password: admin_password.map(str::to_owned),
        ..crate::support::test_app::start_options(
            demo,
            app::simulator_link::SimulatorLink::new(
                crate::support::test_app::NO_SIMULATOR,
                "nobody",
                "",
            ),
            crate::support::state_dir::journal(),
        )
    };
    server::prepare(&db.url, &crate::support::test_app::secret(), &options)
        .await
        .unwrap()
        .services
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_first_admin_gets_a_one_time_password_unless_one_is_configured() {
    let generated = TestDb::empty().await;
    let services = start(&generated, false, None).await;
    let users = app::store::users::list(services.store()).await.unwrap();
    assert_eq!(users.len(), 1);
    assert_eq!(
        (users[0].username.as_str(), users[0].role),
        ("admin", app::domain::role::Role::Admin)
    );
    assert!(
        users[0].must_change_password,
        "a generated password is one-time"
    );

    let configured = TestDb::empty().await;
    let services = start(&configured, false, Some("chosen admin password")).await;
    let users = app::store::users::list(services.store()).await.unwrap();
    assert!(!users[0].must_change_password);

    start(&configured, false, Some("another password")).await;
    assert_eq!(
        app::store::users::list(services.store())
            .await
            .unwrap()
            .len(),
        1,
        "an admin exists: nothing is added"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_mode_creates_one_user_per_role_once() {
    let db = TestDb::empty().await;
    start(&db, true, None).await;
    let services = start(&db, true, None).await;

    let users = app::store::users::list(services.store()).await.unwrap();
    let names: Vec<&str> = users.iter().map(|u| u.username.as_str()).collect();
    assert_eq!(names, ["admin", "auditor", "operator", "reviewer"]);
    assert!(users.iter().all(|u| !u.must_change_password && u.enabled));
}

/// The simulator always wants a password; the demo configs that point at it get it at
/// start, also when they were loaded before (without one), and they then reach it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_configs_are_given_the_simulators_password_and_reach_it() {
    use crate::support::test_app::TestApp;
    let app = TestApp::spawn_with_demo().await;
    let operator = app.as_role(app::domain::role::Role::Operator).await;
    let (_, configs) = app
        .call(&operator, "connection_configs/list", serde_json::json!({}))
        .await;
    let configs = configs.as_array().unwrap();
    assert!(!configs.is_empty());
    for config in configs {
        assert_eq!(config["password_set"], true, "{config}");
    }
    let (_, answer) = app
        .call(
            &operator,
            "connection_configs/test",
            serde_json::json!({ "id": configs[0]["id"] }),
        )
        .await;
    assert_eq!(answer["result"], "reachable", "{answer}");

    // Loaded before the simulator wanted a password: given it at the next start.
    let mut conn = app.db.connect().await;
    diesel::sql_query("UPDATE connection_configs SET password_ciphertext = NULL")
        .execute(&mut conn)
        .await
        .unwrap();
    let options = server::StartOptions {
        pool_size: 2,
        admin_password: None,
        ..crate::support::test_app::start_options(
            true,
            app.services.simulator.clone(),
            crate::support::state_dir::journal(),
        )
    };
    let secret = crate::support::test_app::secret();
    let restarted = server::prepare(&app.db.url, &secret, &options)
        .await
        .unwrap();
    let store = restarted.services.store();
    let configs = app::store::connection_configs::list(store).await.unwrap();
    assert!(configs.iter().all(|c| c.password_set), "{configs:?}");
}
