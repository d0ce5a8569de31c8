//! Every migration applies, rolls back completely, and applies again.

use crate::support::test_db::TestDb;
use diesel::prelude::*;
use diesel::sql_types::Text;
use diesel_async::{AsyncMigrationHarness, RunQueryDsl};
use diesel_migrations::MigrationHarness;
use server::migrate::{MIGRATIONS, run_pending};

#[derive(QueryableByName)]
struct TableName {
    #[diesel(sql_type = Text)]
    name: String,
}

async fn tables(db: &TestDb) -> Vec<String> {
    let mut conn = db.connect().await;
    let rows: Vec<TableName> = diesel::sql_query(
        "SELECT table_name AS name FROM information_schema.tables \
         WHERE table_schema = DATABASE() \
         AND table_name NOT IN ('__diesel_schema_migrations', '__switchyard_start_lock') \
         ORDER BY name",
    )
    .load(&mut conn)
    .await
    .unwrap();
    rows.into_iter().map(|r| r.name).collect()
}

fn migration_count() -> usize {
    std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../migrations"))
        .unwrap()
        .filter(|entry| entry.as_ref().unwrap().path().join("up.sql").exists())
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_migration_applies_rolls_back_and_applies_again() {
    let db = TestDb::empty().await;

    assert_eq!(run_pending(&db.url).await.unwrap(), migration_count());
    let created = tables(&db).await;
    for expected in [
        "users",
        "regions",
        "data_centers",
        "connection_configs",
        "product_groups",
        "applications",
        "application_dependencies",
        "database_clusters",
        "database_cluster_members",
        "step_types",
        "plans",
        "plan_versions",
        "plan_steps",
        "plan_reviews",
        "executions",
        "execution_steps",
        "execution_leases",
        "execution_calls",
        "execution_step_logs",
        "execution_events",
        "audit_log",
        "settings",
    ] {
        assert!(
            created.contains(&expected.to_owned()),
            "{expected} was not created"
        );
    }
    assert_eq!(
        run_pending(&db.url).await.unwrap(),
        0,
        "a second run applies nothing"
    );

    let mut harness = AsyncMigrationHarness::new(db.connect().await);
    let reverted =
        tokio::task::block_in_place(|| harness.revert_all_migrations(MIGRATIONS)).unwrap();
    assert_eq!(reverted.len(), migration_count());
    drop(harness);
    assert_eq!(
        tables(&db).await,
        Vec::<String>::new(),
        "down.sql left tables behind"
    );

    assert_eq!(run_pending(&db.url).await.unwrap(), migration_count());
    assert_eq!(tables(&db).await, created);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_audit_log_refuses_changes_to_written_entries() {
    let db = TestDb::empty().await;
    run_pending(&db.url).await.unwrap();
    let mut conn = db.connect().await;
    diesel::sql_query("INSERT INTO audit_log (actor_name, action, outcome) VALUES ('admin', 'plans/create', 'ok')")
        .execute(&mut conn)
        .await
        .unwrap();

    let update = diesel::sql_query("UPDATE audit_log SET outcome = 'failed'")
        .execute(&mut conn)
        .await;
    assert!(update.unwrap_err().to_string().contains("append-only"));
    let delete = diesel::sql_query("DELETE FROM audit_log")
        .execute(&mut conn)
        .await;
    assert!(delete.unwrap_err().to_string().contains("append-only"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn three_instances_starting_together_migrate_once() {
    let db = TestDb::empty().await;

    // Each on its own task: migrating blocks its thread (`block_in_place`).
    let starts: Vec<_> = (0..3)
        .map(|_| {
            let url = db.url.clone();
            tokio::spawn(async move { run_pending(&url).await })
        })
        .collect();

    let mut applied = Vec::new();
    for start in starts {
        applied.push(start.await.unwrap().unwrap());
    }
    assert_eq!(
        applied.iter().sum::<usize>(),
        migration_count(),
        "each migration applied once in all: {applied:?}"
    );
    assert_eq!(run_pending(&db.url).await.unwrap(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_table_has_a_primary_key() {
    // Galera replicates rows by their primary key; a table without one is not safe there.
    let db = TestDb::empty().await;
    run_pending(&db.url).await.unwrap();
    let mut conn = db.connect().await;

    let without: Vec<TableName> = diesel::sql_query(
        "SELECT t.table_name AS name FROM information_schema.tables t \
         WHERE t.table_schema = DATABASE() AND NOT EXISTS ( \
           SELECT 1 FROM information_schema.table_constraints c \
           WHERE c.table_schema = t.table_schema AND c.table_name = t.table_name \
             AND c.constraint_type = 'PRIMARY KEY')",
    )
    .load(&mut conn)
    .await
    .unwrap();

    let names: Vec<String> = without.into_iter().map(|t| t.name).collect();
    assert!(names.is_empty(), "tables without a primary key: {names:?}");
}
