//! The engine's small writes — a step's log lines and its platform call records — in
//! batches: one transaction with one fence check, one insert per table, one run of `seq`
//! for their events. While a hundred applications restart at once, their records share a
//! few commits instead of taking one each (`cargo bench -p server --bench engine`).

use super::events;
use super::leases::{Fence, check};
use super::{CallRow, LogRow};
use crate::domain::event::{Change, ExecutionEvent};
use crate::domain::execution::view::{CallStatus, ExecutionStepId, LogLevel, StepCall};
use crate::domain::ids::ConnectionConfigId;
use crate::domain::text::{MAX_STORED, cut};
use crate::store::retry::retrying;
use crate::store::schema::{execution_calls, execution_step_logs};
use crate::store::{Db, Store, StoreError, inserted_id};
use chrono::Utc;
use diesel::prelude::*;
use diesel::sql_types::Nullable;
use diesel_async::{AsyncConnection, RunQueryDsl};
use std::collections::HashMap;

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
    /// when this answer has none. The call is named by its idempotency key, which stays
    /// the same whether it was recorded in MySQL or, while degraded, in the journal.
    Answered {
        key: String,
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
    writes: &[Write],
) -> Result<Vec<Written>, StoreError> {
    if writes.is_empty() {
        return Ok(Vec::new());
    }
    let Some(_writing) = store.mode().book().sql_write(fence.execution) else {
        return super::degraded::write(store, fence, writes).await;
    };
    let mut conn = store.conn().await?;
    let written = retrying!(
        conn.transaction(async move |conn| -> Result<Vec<Written>, StoreError> {
            check(conn, fence).await?;
            let mut lines = logs(conn, writes).await?.into_iter();
            let sent = sent(conn, writes).await?;
            let answered = answered(conn, writes).await?;
            let mut changes = Vec::with_capacity(writes.len());
            let mut calls = Vec::with_capacity(writes.len());
            for write in writes {
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
                            StoreError::internal(format!(
                                "call {} went missing",
                                call.idempotency_key
                            ))
                        })?;
                        (called(row.clone()), Some(row.id))
                    }
                    Write::Answered { key, .. } => {
                        let row = answered
                            .get(key)
                            .ok_or_else(|| StoreError::not_found(format!("call {key}")))?;
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
    )?;
    let events: Vec<ExecutionEvent> = written.iter().map(|w| w.event.clone()).collect();
    store.mode().book().apply(&events);
    Ok(written)
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
                    execution_step_logs::message.eq(cut(message, MAX_STORED)),
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

/// Records the answers among `writes` with one statement (a call answered twice in the
/// batch takes the later answer); returns the calls' rows as they are now, by key.
async fn answered(conn: &mut Db, writes: &[Write]) -> Result<HashMap<String, CallRow>, StoreError> {
    let mut answers: Vec<Answer> = Vec::new();
    for write in writes {
        let Write::Answered {
            key,
            status,
            operation_id,
            http_status,
        } = write
        else {
            continue;
        };
        let answer = match answers.iter_mut().find(|a| a.key == *key) {
            Some(earlier) => earlier,
            None => {
                answers.push(Answer {
                    key: key.clone(),
                    status: *status,
                    operation_id: None,
                    http_status: None,
                });
                answers.last_mut().expect("just pushed")
            }
        };
        answer.status = *status;
        answer.operation_id = operation_id.clone().or(answer.operation_id.take());
        answer.http_status = http_status.or(answer.http_status);
    }
    if answers.is_empty() {
        return Ok(HashMap::new());
    }
    answer_all(conn, &answers).await?;
    let keys: Vec<&str> = answers.iter().map(|a| a.key.as_str()).collect();
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

/// A call's answer, as it is written.
struct Answer {
    key: String,
    status: CallStatus,
    operation_id: Option<String>,
    http_status: Option<u16>,
}

/// `UPDATE ... SET column = CASE id WHEN ? THEN ? ... END, ...`: every answer in one
/// statement; an operation id or HTTP status already recorded stays when the answer has
/// none.
async fn answer_all(conn: &mut Db, answers: &[Answer]) -> Result<(), StoreError> {
    use diesel::sql_types::{Datetime, SmallInt, Text, Unsigned};
    let now = Utc::now().naive_utc();
    let cases = |then: &str| {
        let mut sql = String::from("CASE idempotency_key");
        for _ in answers {
            sql.push_str(" WHEN ? THEN ");
            sql.push_str(then);
        }
        sql.push_str(" END");
        sql
    };
    let sql = format!(
        "UPDATE execution_calls SET status = {}, operation_id = {}, http_status = {}, \
         finished_at = {}, updated_at = ? WHERE idempotency_key IN ({})",
        cases("?"),
        cases("COALESCE(?, operation_id)"),
        cases("COALESCE(?, http_status)"),
        cases("?"),
        vec!["?"; answers.len()].join(", ")
    );
    let mut query = diesel::sql_query(sql).into_boxed::<diesel::mysql::Mysql>();
    for a in answers {
        query = query
            .bind::<Text, _>(a.key.clone())
            .bind::<Text, _>(a.status.as_str());
    }
    for a in answers {
        query = query
            .bind::<Text, _>(a.key.clone())
            .bind::<Nullable<Text>, _>(a.operation_id.clone());
    }
    for a in answers {
        query = query
            .bind::<Text, _>(a.key.clone())
            .bind::<Nullable<Unsigned<SmallInt>>, _>(a.http_status);
    }
    for a in answers {
        query = query
            .bind::<Text, _>(a.key.clone())
            .bind::<Nullable<Datetime>, _>(a.status.is_final().then_some(now));
    }
    query = query.bind::<Datetime, _>(now);
    for a in answers {
        query = query.bind::<Text, _>(a.key.clone());
    }
    query.execute(conn).await?;
    Ok(())
}
