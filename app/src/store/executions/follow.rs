//! What a follower of the event table reads: the executions whose events changed
//! lately, by the database's clock (the event append stamps `updated_at`, which an index
//! answers), and which executions not yet started were removed. Several instances share
//! one database; each follows it to see what the others committed.

use crate::domain::ids::ExecutionId;
use crate::store::schema::executions;
use crate::store::{Store, StoreError};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use std::time::Duration;

/// Every execution whose row changed within `within` of the database's clock, with its
/// last event's `seq`.
pub async fn changed_within(
    store: &Store,
    within: Duration,
) -> Result<Vec<(ExecutionId, u64)>, StoreError> {
    let rows: Vec<(u64, u64)> = executions::table
        .filter(diesel::dsl::sql::<diesel::sql_types::Bool>(&format!(
            "updated_at >= NOW(6) - INTERVAL {} MICROSECOND",
            within.as_micros()
        )))
        .select((executions::id, executions::last_seq))
        .load(&mut *store.conn().await?)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(id, seq)| (ExecutionId(id), seq))
        .collect())
}

/// The executions created and not yet started.
pub async fn not_started(store: &Store) -> Result<Vec<ExecutionId>, StoreError> {
    let ids: Vec<u64> = executions::table
        .filter(executions::state.eq(crate::domain::execution::ExecutionState::Created.as_str()))
        .select(executions::id)
        .load(&mut *store.conn().await?)
        .await?;
    Ok(ids.into_iter().map(ExecutionId).collect())
}

/// Of `ids`, those that no longer exist (cancelled before they started).
pub async fn removed(store: &Store, ids: &[ExecutionId]) -> Result<Vec<ExecutionId>, StoreError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let present: Vec<u64> = executions::table
        .filter(executions::id.eq_any(ids.iter().map(|id| id.0)))
        .select(executions::id)
        .load(&mut *store.conn().await?)
        .await?;
    Ok(ids
        .iter()
        .copied()
        .filter(|id| !present.contains(&id.0))
        .collect())
}
