//! Database errors reach callers as the right `AppError`, on a real server.

use crate::support::test_db::TestDb;
use app::error::{AppError, ConflictCode};
use app::store::{Store, StoreError};
use diesel::prelude::*;
use diesel_async::AsyncMysqlConnection;
use diesel_async::RunQueryDsl;
use server::migrate::run_pending;

async fn migrated() -> (TestDb, AsyncMysqlConnection) {
    let db = TestDb::empty().await;
    run_pending(&db.url).await.unwrap();
    let conn = db.connect().await;
    (db, conn)
}

async fn run(conn: &mut AsyncMysqlConnection, sql: &str) -> Result<usize, AppError> {
    Ok(diesel::sql_query(sql)
        .execute(conn)
        .await
        .map_err(StoreError::from)?)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_duplicate_name_is_a_conflict_naming_the_field() {
    let (_db, mut conn) = migrated().await;
    run(
        &mut conn,
        "INSERT INTO regions (name) VALUES ('East China')",
    )
    .await
    .unwrap();

    let error = run(
        &mut conn,
        "INSERT INTO regions (name) VALUES ('East China')",
    )
    .await
    .unwrap_err();

    assert_eq!(
        error,
        AppError::Conflict {
            code: ConflictCode::NameTaken,
            field: Some("name".into()),
            message: "that name is already taken".into()
        }
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_row_is_not_found() {
    let (_db, mut conn) = migrated().await;
    use app::store::schema::regions;

    let result: Result<String, AppError> = regions::table
        .find(42u64)
        .select(regions::name)
        .first(&mut conn)
        .await
        .map_err(|e| AppError::from(StoreError::from(e)));

    assert!(matches!(result, Err(AppError::NotFound { .. })));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dangling_reference_is_a_conflict_without_internal_detail() {
    let (_db, mut conn) = migrated().await;

    let error = run(
        &mut conn,
        "INSERT INTO data_centers (region_id, name) VALUES (999, 'Nowhere')",
    )
    .await
    .unwrap_err();

    let AppError::Conflict {
        code: ConflictCode::InUse,
        field: None,
        message,
    } = error
    else {
        panic!("expected a conflict, got {error:?}")
    };
    assert!(
        !message.contains("999") && !message.contains("FOREIGN KEY"),
        "{message}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn any_other_database_error_is_internal() {
    let (_db, mut conn) = migrated().await;

    let error = run(&mut conn, "SELECT * FROM no_such_table")
        .await
        .unwrap_err();

    assert_eq!(error, AppError::Internal);
    assert_eq!(error.status_code(), 500);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_database_is_unavailable() {
    // Port 1 on loopback: nothing listens there, the connection is refused at once.
    let store = Store::new(
        "mysql://root@127.0.0.1:1/switchyard",
        2,
        crate::support::state_dir::mode(),
    )
    .unwrap();

    let error = store.ping().await.unwrap_err();
    assert!(matches!(error, StoreError::Unavailable(_)), "{error:?}");
    let error = AppError::from(error);

    assert!(matches!(error, AppError::Unavailable { .. }), "{error:?}");
    assert_eq!(error.status_code(), 503);
}
