//! The executions schema holds exactly the states and statuses of the pure tables in
//! `domain::execution`, and a platform call's idempotency key is stored once.

use crate::support::test_db::TestDb;
use app::domain::execution::{ExecutionState, StepStatus};
use app::error::{AppError, ConflictCode};
use app::store::schema::{data_centers, execution_calls, execution_steps, executions, regions};
use diesel::prelude::*;
use diesel_async::{AsyncMysqlConnection, RunQueryDsl};
use serde_json::json;
use server::migrate::run_pending;

/// A migrated database with a region and two data centers (their ids).
async fn migrated() -> (TestDb, AsyncMysqlConnection, [u64; 2]) {
    let db = TestDb::empty().await;
    run_pending(&db.url).await.unwrap();
    let mut conn = db.connect().await;
    diesel::insert_into(regions::table)
        .values(regions::name.eq("East China"))
        .execute(&mut conn)
        .await
        .unwrap();
    let region: u64 = regions::table
        .select(regions::id)
        .first(&mut conn)
        .await
        .unwrap();
    for name in ["Shanghai-A", "Hangzhou-B"] {
        diesel::insert_into(data_centers::table)
            .values((
                data_centers::region_id.eq(region),
                data_centers::name.eq(name),
            ))
            .execute(&mut conn)
            .await
            .unwrap();
    }
    let ids: Vec<u64> = data_centers::table
        .select(data_centers::id)
        .order(data_centers::id)
        .load(&mut conn)
        .await
        .unwrap();
    (db, conn, [ids[0], ids[1]])
}

async fn insert_execution(
    conn: &mut AsyncMysqlConnection,
    [failed, emergency]: [u64; 2],
    state: &str,
) -> QueryResult<usize> {
    diesel::insert_into(executions::table)
        .values((
            executions::run_key.eq(diesel::dsl::sql::<diesel::sql_types::Text>("UUID()")),
            executions::plan_name.eq("Switch payments"),
            executions::plan_version_number.eq(1u32),
            executions::failed_data_center_id.eq(failed),
            executions::emergency_data_center_id.eq(emergency),
            executions::state.eq(state),
        ))
        .execute(conn)
        .await
}

async fn insert_step(
    conn: &mut AsyncMysqlConnection,
    execution: u64,
    position: u32,
    status: &str,
) -> QueryResult<usize> {
    diesel::insert_into(execution_steps::table)
        .values((
            execution_steps::execution_id.eq(execution),
            execution_steps::phase.eq("switchover"),
            execution_steps::position.eq(position),
            execution_steps::step_key.eq(format!("step-{position}")),
            execution_steps::opcode.eq("traffic.cut"),
            execution_steps::params.eq(json!({ "site": "failed" })),
            execution_steps::status.eq(status),
        ))
        .execute(conn)
        .await
}

async fn insert_call(
    conn: &mut AsyncMysqlConnection,
    step: u64,
    attempt: u32,
    key: &str,
    status: &str,
) -> QueryResult<usize> {
    diesel::insert_into(execution_calls::table)
        .values((
            execution_calls::execution_step_id.eq(step),
            execution_calls::attempt.eq(attempt),
            execution_calls::idempotency_key.eq(key),
            execution_calls::method.eq("POST"),
            execution_calls::path.eq("/v1/traffic/cut"),
            execution_calls::status.eq(status),
        ))
        .execute(conn)
        .await
}

/// The write failed on the check constraint `constraint` (MariaDB and MySQL both name it).
fn refused_by(result: QueryResult<usize>, constraint: &str) {
    let error = result.expect_err("the value was stored").to_string();
    assert!(
        error.contains(constraint),
        "refused for another reason: {error}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_execution_state_is_stored_and_no_other() {
    let (_db, mut conn, sites) = migrated().await;

    for state in ExecutionState::ALL {
        let stored = insert_execution(&mut conn, sites, state.as_str()).await;
        assert!(stored.is_ok(), "{}: {stored:?}", state.as_str());
    }
    let states: Vec<String> = executions::table
        .select(executions::state)
        .order(executions::id)
        .load(&mut conn)
        .await
        .unwrap();
    let parsed: Vec<Option<ExecutionState>> =
        states.iter().map(|s| ExecutionState::parse(s)).collect();
    assert_eq!(parsed, ExecutionState::ALL.map(Some));

    // `paused` is the old, phaseless state.
    for unknown in ["paused", "blocked", "running", ""] {
        let stored = insert_execution(&mut conn, sites, unknown).await;
        refused_by(stored, "executions_state_known");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_step_status_is_stored_and_no_other() {
    let (_db, mut conn, sites) = migrated().await;
    insert_execution(&mut conn, sites, "created").await.unwrap();
    let execution: u64 = executions::table
        .select(executions::id)
        .first(&mut conn)
        .await
        .unwrap();

    for (position, status) in (0..).zip(StepStatus::ALL) {
        let stored = insert_step(&mut conn, execution, position, status.as_str()).await;
        assert!(stored.is_ok(), "{}: {stored:?}", status.as_str());
    }
    let statuses: Vec<String> = execution_steps::table
        .select(execution_steps::status)
        .order(execution_steps::position)
        .load(&mut conn)
        .await
        .unwrap();
    let parsed: Vec<Option<StepStatus>> = statuses.iter().map(|s| StepStatus::parse(s)).collect();
    assert_eq!(parsed, StepStatus::ALL.map(Some));

    for unknown in ["done", "confirming", ""] {
        let stored = insert_step(&mut conn, execution, 100, unknown).await;
        refused_by(stored, "execution_steps_status_known");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_idempotency_key_is_stored_once() {
    let (_db, mut conn, sites) = migrated().await;
    insert_execution(&mut conn, sites, "switchover_running")
        .await
        .unwrap();
    let execution: u64 = executions::table
        .select(executions::id)
        .first(&mut conn)
        .await
        .unwrap();
    insert_step(&mut conn, execution, 0, "running")
        .await
        .unwrap();
    let step: u64 = execution_steps::table
        .select(execution_steps::id)
        .first(&mut conn)
        .await
        .unwrap();
    let key = format!("execution-{execution}-step-{step}-attempt-1");

    insert_call(&mut conn, step, 1, &key, "sent").await.unwrap();
    let again = insert_call(&mut conn, step, 1, &key, "sent").await;

    assert_eq!(
        again
            .map_err(|e| AppError::from(app::store::StoreError::from(e)))
            .unwrap_err(),
        AppError::Conflict {
            code: ConflictCode::NameTaken,
            field: Some("idempotency_key".into()),
            message: "that idempotency_key is already taken".into(),
        }
    );
    // Keys are compared exactly: one differing only in case is another key.
    insert_call(&mut conn, step, 1, &key.to_uppercase(), "sent")
        .await
        .unwrap();
    let count: i64 = execution_calls::table
        .count()
        .get_result(&mut conn)
        .await
        .unwrap();
    assert_eq!(count, 2);

    let next_attempt = format!("execution-{execution}-step-{step}-attempt-2");
    refused_by(
        insert_call(&mut conn, step, 2, &next_attempt, "pending").await,
        "execution_calls_status_known",
    );
    for (n, status) in ["accepted", "succeeded", "failed", "unknown"]
        .into_iter()
        .enumerate()
    {
        let key = format!("{next_attempt}-{n}");
        insert_call(&mut conn, step, 2, &key, status).await.unwrap();
    }
}
