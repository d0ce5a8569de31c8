//! The execution event table: each change's event takes the execution's next `seq` inside
//! the change's own transaction, so events are numbered without gaps and exist exactly
//! when their change does. The live channel replays from here.

use crate::domain::event::{Change, ExecutionEvent};
use crate::domain::ids::ExecutionId;
use crate::store::schema::{execution_events, executions};
use crate::store::{Db, Store, StoreError};
use chrono::{NaiveDateTime, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;

/// Writes `change` as the execution's next event (in the caller's transaction).
pub(super) async fn append(
    conn: &mut Db,
    execution: u64,
    change: Change,
) -> Result<ExecutionEvent, StoreError> {
    let mut events = append_all(conn, execution, vec![change]).await?;
    events
        .pop()
        .ok_or_else(|| StoreError::internal("an appended event went missing"))
}

/// Writes `changes` as the execution's next events, in order (in the caller's
/// transaction): one `seq` range taken at once, one insert.
pub(super) async fn append_all(
    conn: &mut Db,
    execution: u64,
    changes: Vec<Change>,
) -> Result<Vec<ExecutionEvent>, StoreError> {
    if changes.is_empty() {
        return Ok(Vec::new());
    }
    let count = changes.len() as u64;
    // `updated_at` by the database's clock: followers of the event table find the
    // execution by it (`follow`).
    diesel::update(executions::table.find(execution))
        .set((
            executions::last_seq.eq(executions::last_seq + count),
            executions::updated_at.eq(diesel::dsl::sql::<diesel::sql_types::Datetime>("NOW(6)")),
        ))
        .execute(conn)
        .await?;
    let last: u64 = executions::table
        .find(execution)
        .select(executions::last_seq)
        .first(conn)
        .await?;
    let at = Utc::now();
    let mut events = Vec::with_capacity(changes.len());
    let mut rows = Vec::with_capacity(changes.len());
    for (seq, mut change) in (last + 1 - count..=last).zip(changes) {
        if let Change::Execution(summary) = &mut change {
            summary.last_seq = seq;
        }
        let payload = serde_json::to_value(&change)
            .map_err(|e| StoreError::internal(format!("event not serialisable: {e}")))?;
        rows.push((
            execution_events::execution_id.eq(execution),
            execution_events::seq.eq(seq),
            execution_events::at.eq(at.naive_utc()),
            execution_events::kind.eq(change.kind()),
            execution_events::payload.eq(payload),
        ));
        events.push(ExecutionEvent {
            execution_id: ExecutionId(execution),
            seq,
            at,
            change,
        });
    }
    diesel::insert_into(execution_events::table)
        .values(rows)
        .execute(conn)
        .await?;
    crate::store::webhooks::outbox::for_events(conn, &events).await?;
    Ok(events)
}

/// The events of `execution` after `after`, in order, at most `limit` of them.
pub async fn events_after(
    store: &Store,
    execution: ExecutionId,
    after: u64,
    limit: i64,
) -> Result<Vec<ExecutionEvent>, StoreError> {
    let rows: Vec<(u64, NaiveDateTime, serde_json::Value)> = execution_events::table
        .filter(execution_events::execution_id.eq(execution.0))
        .filter(execution_events::seq.gt(after))
        .order(execution_events::seq)
        .limit(limit)
        .select((
            execution_events::seq,
            execution_events::at,
            execution_events::payload,
        ))
        .load(&mut *store.conn().await?)
        .await?;
    rows.into_iter()
        .map(|(seq, at, payload)| {
            let change = serde_json::from_value(payload).map_err(|e| {
                StoreError::internal(format!("event {execution}/{seq} unreadable: {e}"))
            })?;
            Ok(ExecutionEvent {
                execution_id: execution,
                seq,
                at: at.and_utc(),
                change,
            })
        })
        .collect()
}
