//! Demo data: loaded once, only when asked for, never over an estate of one's own.

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

    prepare_database(&db.url, 2, true).await.unwrap();
    prepare_database(&db.url, 2, true).await.unwrap();

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

    prepare_database(&db.url, 2, false).await.unwrap();

    assert_eq!(count(&db, "regions").await, 0);
    assert_eq!(count(&db, "product_groups").await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_mode_leaves_an_existing_estate_alone() {
    let db = TestDb::empty().await;
    prepare_database(&db.url, 2, false).await.unwrap();
    let mut conn = db.connect().await;
    diesel::insert_into(regions::table)
        .values(regions::name.eq("Our region"))
        .execute(&mut conn)
        .await
        .unwrap();

    prepare_database(&db.url, 2, true).await.unwrap();

    assert_eq!(count(&db, "regions").await, 1);
    assert_eq!(count(&db, "data_centers").await, 0);
}
