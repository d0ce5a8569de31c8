//! `app/src/store/schema.rs` is written by hand: it must name exactly the columns the
//! migrations create, in the same order, with the same nullability.

use crate::support::test_db::TestDb;
use app::store::schema::*;
use diesel::mysql::Mysql;
use diesel::prelude::*;
use diesel::query_builder::QueryFragment;
use diesel::sql_types::{Bool, Text};
use diesel_async::RunQueryDsl;
use server::migrate::run_pending;

#[derive(QueryableByName)]
struct ColumnInfo {
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Bool)]
    nullable: bool,
}

/// The column names diesel selects for `query`, read from the SQL it generates.
fn diesel_columns(query: impl QueryFragment<Mysql>) -> Vec<String> {
    let sql = diesel::debug_query::<Mysql, _>(&query).to_string();
    let select = sql
        .trim_start_matches("SELECT ")
        .split(" FROM ")
        .next()
        .unwrap();
    select
        .split(", ")
        .map(|column| {
            column
                .rsplit('.')
                .next()
                .unwrap()
                .trim_matches('`')
                .to_owned()
        })
        .collect()
}

/// Compares one table's declared columns (names, order, nullability) with the database.
macro_rules! check_table {
    ($conn:expr, $checked:ident, $($table:ident),* $(,)?) => {$(
        $checked.push(stringify!($table).to_owned());
        let declared = diesel_columns($table::table.select($table::all_columns));
        let actual: Vec<ColumnInfo> = diesel::sql_query(
            "SELECT column_name AS name, is_nullable = 'YES' AS nullable FROM information_schema.columns \
             WHERE table_schema = DATABASE() AND table_name = ? ORDER BY ordinal_position",
        )
        .bind::<Text, _>(stringify!($table))
        .load(&mut $conn)
        .await
        .unwrap();
        let actual_names: Vec<String> = actual.iter().map(|c| c.name.clone()).collect();
        assert_eq!(declared, actual_names, "columns of {}", stringify!($table));
        // A NULL read through a column not declared Nullable fails only at run time.
        let declared_nullable = nullable_columns(stringify!($table));
        for column in &actual {
            assert_eq!(
                declared_nullable.contains(&column.name.as_str()),
                column.nullable,
                "nullability of {}.{}",
                stringify!($table),
                column.name
            );
        }
    )*};
}

/// The columns `schema.rs` declares `Nullable<..>`, read from its source: diesel offers no
/// list of a table's column types at run time.
fn nullable_columns(table: &str) -> Vec<&'static str> {
    let source = include_str!("../../app/src/store/schema.rs");
    let start = source
        .find(&format!("    {table} ("))
        .expect("table in schema.rs");
    let body = &source[start..];
    let body = &body[..body.find("\n    }").unwrap()];
    body.lines()
        .filter(|line| line.contains("-> Nullable<"))
        .map(|line| line.trim().split(" ->").next().unwrap())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn schema_rs_matches_the_migrated_database() {
    let db = TestDb::empty().await;
    run_pending(&db.url).await.unwrap();
    let mut conn = db.connect().await;
    let mut checked = Vec::new();

    check_table!(
        conn,
        checked,
        users,
        regions,
        data_centers,
        connection_configs,
        product_groups,
        applications,
        application_dependencies,
        database_clusters,
        database_cluster_members,
        step_types,
        plans,
        plan_versions,
        plan_version_editors,
        plan_reviews,
        plan_steps,
        executions,
        execution_steps,
        execution_leases,
        execution_calls,
        execution_step_logs,
        execution_events,
        execution_comments,
        plan_readiness,
        audit_log,
        settings,
        instances,
        webhooks,
        webhook_deliveries,
    );

    let mut tables: Vec<String> = diesel::sql_query(
        "SELECT table_name AS name, FALSE AS nullable FROM information_schema.tables \
         WHERE table_schema = DATABASE() \
         AND table_name NOT IN ('__diesel_schema_migrations', '__switchyard_start_lock')",
    )
    .load::<ColumnInfo>(&mut conn)
    .await
    .unwrap()
    .into_iter()
    .map(|t| t.name)
    .collect();
    tables.sort();
    checked.sort();
    assert_eq!(
        tables, checked,
        "every table is declared in schema.rs and checked here"
    );
}
