//! The engine's small writes — a step's log lines and its platform call records — in
//! batches: one transaction with one fence check, one insert per table, one run of `seq`
//! for their events. While a hundred applications restart at once, their records share a
//! few commits instead of taking one each (`cargo bench -p server --bench engine`).

use super::engine::{Fence, check};
use super::events;
use super::{CallRow, LogRow};
use crate::domain::event::{Change, ExecutionEvent};
use crate::domain::execution::view::{CallStatus, ExecutionStepId, LogLevel, StepCall};
use crate::domain::ids::ConnectionConfigId;
use crate::store::schema::{execution_calls, execution_step_logs};
use crate::store::{Db, Store, StoreError, inserted_id};
use chrono::Utc;
use diesel::prelude::*;
use diesel::sql_types::{Nullable, SingleValue, SqlType};
use diesel_async::{AsyncConnection, RunQueryDsl};
use std::collections::HashMap;

diesel::define_sql_function! {
    /// The first of its arguments that is not NULL.
    fn coalesce<T: SqlType + SingleValue>(x: Nullable<T>, y: Nullable<T>) -> Nullable<T>;
}

/// A platform call about to leave.
#[derive(Debug, Clone)]
pub struct NewCall {
    pub step: ExecutionStepId,
    pub attempt: u32,
    pub idempotency_key: String,
    pub config: Option<(ConnectionConfigId, String)>,
    pub method: &'static str,
    pub path: String,
}

/// One write of a running step.
#[derive(Debug, Clone)]
pub enum Write {
    /// A line for the step's log.
    Log {
        step: ExecutionStepId,
        attempt: u32,
        level: LogLevel,
        message: String,
    },
    /// A call about to leave: recorded as `sent`.
    Sent(NewCall),
    /// What a call's answer said; an operation id or HTTP status already recorded stays
    /// when this answer has none.
    Answered {
        call: u64,
        status: CallStatus,
        operation_id: Option<String>,
        http_status: Option<u16>,
    },
}

/// What a write became: its event and, for a call about to leave, the call's id.
#[derive(Debug, Clone)]
pub struct Written {
    pub event: ExecutionEvent,
    pub call: Option<u64>,
}

/// Writes `writes` in one transaction under `fence`; their events follow their order.
pub async fn write(
    store: &Store,
    fence: Fence,
    writes: Vec<Write>,
) -> Result<Vec<Written>, StoreError> {
    if writes.is_empty() {
        return Ok(Vec::new());
    }
    let mut conn = store.conn().await?;
    conn.transaction(async move |conn| {
        check(conn, fence).await?;
        let mut lines = logs(conn, &writes).await?.into_iter();
        let sent = sent(conn, &writes).await?;
        let answered = answered(conn, &writes).await?;
        let mut changes = Vec::with_capacity(writes.len());
        let mut calls = Vec::with_capacity(writes.len());
        for write in &writes {
            let (change, call) = match write {
                Write::Log { step, .. } => {
                    let line = lines
                        .next()
                        .ok_or_else(|| StoreError::internal("a log line went missing"))?;
                    (
                        Change::Logged {
                            step: *step,
                            line: line.into(),
                        },
                        None,
                    )
                }
                Write::Sent(call) => {
                    let row = sent.get(&call.idempotency_key).ok_or_else(|| {
                        StoreError::internal(format!("call {} went missing", call.idempotency_key))
                    })?;
                    (called(row.clone()), Some(row.id))
                }
                Write::Answered { call, .. } => {
                    let row = answered
                        .get(call)
                        .ok_or_else(|| StoreError::not_found(format!("call {call}")))?;
                    (called(row.clone()), None)
                }
            };
            changes.push(change);
            calls.push(call);
        }
        let events = events::append_all(conn, fence.execution.0, changes).await?;
        Ok(events
            .into_iter()
            .zip(calls)
            .map(|(event, call)| Written { event, call })
            .collect())
    })
    .await
}

fn called(row: CallRow) -> Change {
    Change::Called {
        step: ExecutionStepId(row.execution_step_id),
        call: StepCall::from(row),
    }
}

/// Inserts the log lines among `writes` with one statement; returns them in order.
async fn logs(conn: &mut Db, writes: &[Write]) -> Result<Vec<LogRow>, StoreError> {
    let at = Utc::now().naive_utc();
    let mut steps = Vec::new();
    let rows: Vec<_> = writes
        .iter()
        .filter_map(|w| match w {
            Write::Log {
                step,
                attempt,
                level,
                message,
            } => {
                steps.push(step.0);
                Some((
                    execution_step_logs::execution_step_id.eq(step.0),
                    execution_step_logs::attempt.eq(*attempt),
                    execution_step_logs::at.eq(at),
                    execution_step_logs::level.eq(level.as_str()),
                    execution_step_logs::message.eq(message.as_str()),
                ))
            }
            _ => None,
        })
        .collect();
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let count = rows.len();
    diesel::insert_into(execution_step_logs::table)
        .values(rows)
        .execute(conn)
        .await?;
    // A multi-row insert takes its ids in one go, from the first: read them back with the
    // lines (only this fenced writer adds lines to these steps).
    let first = inserted_id(conn).await?;
    let lines: Vec<LogRow> = execution_step_logs::table
        .filter(execution_step_logs::id.ge(first))
        .filter(execution_step_logs::execution_step_id.eq_any(steps))
        .order(execution_step_logs::id)
        .limit(count as i64)
        .select(LogRow::as_select())
        .load(conn)
        .await?;
    if lines.len() == count {
        Ok(lines)
    } else {
        Err(StoreError::internal(format!(
            "{count} log lines written, {} read back",
            lines.len()
        )))
    }
}

/// Inserts the calls about to leave among `writes` with one statement; returns their
/// rows by idempotency key.
async fn sent(conn: &mut Db, writes: &[Write]) -> Result<HashMap<String, CallRow>, StoreError> {
    let calls: Vec<&NewCall> = writes
        .iter()
        .filter_map(|w| match w {
            Write::Sent(call) => Some(call),
            _ => None,
        })
        .collect();
    if calls.is_empty() {
        return Ok(HashMap::new());
    }
    let rows: Vec<_> = calls
        .iter()
        .map(|call| {
            (
                execution_calls::execution_step_id.eq(call.step.0),
                execution_calls::attempt.eq(call.attempt),
                execution_calls::idempotency_key.eq(call.idempotency_key.as_str()),
                execution_calls::connection_config_id.eq(call.config.as_ref().map(|c| c.0.0)),
                execution_calls::connection_config_name
                    .eq(call.config.as_ref().map(|c| c.1.as_str())),
                execution_calls::method.eq(call.method),
                execution_calls::path.eq(call.path.as_str()),
            )
        })
        .collect();
    diesel::insert_into(execution_calls::table)
        .values(rows)
        .execute(conn)
        .await?;
    let keys: Vec<&str> = calls.iter().map(|c| c.idempotency_key.as_str()).collect();
    let rows: Vec<CallRow> = execution_calls::table
        .filter(execution_calls::idempotency_key.eq_any(keys))
        .select(CallRow::as_select())
        .load(conn)
        .await?;
    Ok(rows
        .into_iter()
        .map(|row| (row.idempotency_key.clone(), row))
        .collect())
}

/// Records the answers among `writes`; returns the calls' rows as they are now, by id.
async fn answered(conn: &mut Db, writes: &[Write]) -> Result<HashMap<u64, CallRow>, StoreError> {
    let now = Utc::now().naive_utc();
    let mut ids = Vec::new();
    for write in writes {
        let Write::Answered {
            call,
            status,
            operation_id,
            http_status,
        } = write
        else {
            continue;
        };
        diesel::update(execution_calls::table.find(call))
            .set((
                execution_calls::status.eq(status.as_str()),
                execution_calls::updated_at.eq(now),
                execution_calls::finished_at.eq(status.is_final().then_some(now)),
                execution_calls::operation_id.eq(coalesce(
                    operation_id.as_deref(),
                    execution_calls::operation_id,
                )),
                execution_calls::http_status
                    .eq(coalesce(*http_status, execution_calls::http_status)),
            ))
            .execute(conn)
            .await?;
        ids.push(*call);
    }
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows: Vec<CallRow> = execution_calls::table
        .filter(execution_calls::id.eq_any(ids))
        .select(CallRow::as_select())
        .load(conn)
        .await?;
    Ok(rows.into_iter().map(|row| (row.id, row)).collect())
}
