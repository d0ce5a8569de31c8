//! Reading executions: the list (newest first, by state), one execution with its steps,
//! and an expanded step's log and calls.

use super::{CallRow, ExecutionRow, LogRow, Names, StepRow};
use crate::domain::execution::view::{
    ExecutionDetail, ExecutionFilter, ExecutionStep, ExecutionStepId, ExecutionSummary, StepRecord,
};
use crate::domain::ids::ExecutionId;
use crate::store::schema::{
    data_centers, execution_calls, execution_step_logs, execution_steps, executions, users,
};
use crate::store::{Db, Store, StoreError};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;

/// The most executions one list shows: the newest (as many as the live channel's list).
pub const LIST_LIMIT: i64 = crate::domain::live::LISTING_LIMIT as i64;
/// The most log lines and calls an expanded step shows: the latest.
pub const RECORD_LIMIT: i64 = 2000;

/// The names of the data centers and people that `rows` and `steps` refer to.
pub(crate) async fn names(
    conn: &mut Db,
    rows: &[ExecutionRow],
    steps: &[StepRow],
) -> Result<Names, StoreError> {
    let data_centers = data_centers::table
        .select((data_centers::id, data_centers::name))
        .load::<(u64, String)>(conn)
        .await?
        .into_iter()
        .collect();
    let mut ids: Vec<u64> = rows
        .iter()
        .flat_map(|r| [r.created_by, r.started_by])
        .flatten()
        .chain(steps.iter().filter_map(|s| s.decided_by))
        .collect();
    ids.sort_unstable();
    ids.dedup();
    let users = users::table
        .filter(users::id.eq_any(ids))
        .select((users::id, users::username))
        .load::<(u64, String)>(conn)
        .await?
        .into_iter()
        .collect();
    Ok(Names {
        data_centers,
        users,
    })
}

/// The newest executions first, at most [`LIST_LIMIT`].
pub async fn list(
    store: &Store,
    filter: &ExecutionFilter,
) -> Result<Vec<ExecutionSummary>, StoreError> {
    newest(store, filter, LIST_LIMIT).await
}

/// How many executions the history export holds at most; a narrower filter gets the rest.
pub const HISTORY_LIMIT: i64 = 10_000;

/// The newest executions first, at most [`HISTORY_LIMIT`]: the history export.
pub async fn history(
    store: &Store,
    filter: &ExecutionFilter,
) -> Result<Vec<ExecutionSummary>, StoreError> {
    newest(store, filter, HISTORY_LIMIT).await
}

async fn newest(
    store: &Store,
    filter: &ExecutionFilter,
    limit: i64,
) -> Result<Vec<ExecutionSummary>, StoreError> {
    if store.mode().is_degraded() {
        return Ok(super::degraded::list(store, filter));
    }
    let mut conn = store.conn().await?;
    let mut query = executions::table
        .select(ExecutionRow::as_select())
        .order(executions::id.desc())
        .limit(limit)
        .into_boxed();
    // The SQL form of `ExecutionFilter::matches`.
    if let Some(state) = filter.state {
        query = query.filter(executions::state.eq(state.as_str()));
    }
    if let Some(plan) = filter.plan {
        query = query.filter(executions::plan_id.eq(plan.0));
    }
    if let Some(drill) = filter.drill {
        query = query.filter(executions::drill.eq(drill));
    }
    if let Some(from) = filter.from {
        query = query.filter(executions::created_at.ge(from.naive_utc()));
    }
    if let Some(to) = filter.to {
        query = query.filter(executions::created_at.lt(to.naive_utc()));
    }
    let rows: Vec<ExecutionRow> = query.load(&mut conn).await?;
    let names = names(&mut conn, &rows, &[]).await?;
    rows.iter().map(|row| names.summary(row)).collect()
}

/// The execution row and its steps, in phase and position order.
pub(crate) async fn rows(
    conn: &mut Db,
    id: ExecutionId,
) -> Result<(ExecutionRow, Vec<StepRow>), StoreError> {
    let row: ExecutionRow = executions::table
        .find(id.0)
        .select(ExecutionRow::as_select())
        .first(conn)
        .await
        .optional()?
        .ok_or_else(|| StoreError::not_found(format!("execution {id}")))?;
    let steps: Vec<StepRow> = execution_steps::table
        .filter(execution_steps::execution_id.eq(id.0))
        // Descending puts "switchover" before "recovery".
        .order((execution_steps::phase.desc(), execution_steps::position))
        .select(StepRow::as_select())
        .load(conn)
        .await?;
    Ok((row, steps))
}

/// The execution as `conn` sees it now.
pub(crate) async fn detail(conn: &mut Db, id: ExecutionId) -> Result<ExecutionDetail, StoreError> {
    let (row, steps) = rows(conn, id).await?;
    let names = names(conn, std::slice::from_ref(&row), &steps).await?;
    Ok(ExecutionDetail {
        summary: names.summary(&row)?,
        steps: steps
            .iter()
            .map(|step| names.step(step))
            .collect::<Result<_, _>>()?,
        comments: super::comments::of(conn, id).await?,
    })
}

/// The execution's row as its summary, and the given steps' views: what a write that
/// changed only those reads back for its events (not every step of the execution).
pub(crate) async fn changed(
    conn: &mut Db,
    id: ExecutionId,
    steps: &[ExecutionStepId],
) -> Result<(ExecutionSummary, Vec<ExecutionStep>), StoreError> {
    let row: ExecutionRow = executions::table
        .find(id.0)
        .select(ExecutionRow::as_select())
        .first(conn)
        .await?;
    let ids: Vec<u64> = steps.iter().map(|s| s.0).collect();
    let rows: Vec<StepRow> = execution_steps::table
        .filter(execution_steps::execution_id.eq(id.0))
        .filter(execution_steps::id.eq_any(ids))
        .select(StepRow::as_select())
        .load(conn)
        .await?;
    let names = names(conn, std::slice::from_ref(&row), &rows).await?;
    Ok((
        names.summary(&row)?,
        rows.iter()
            .map(|r| names.step(r))
            .collect::<Result<_, _>>()?,
    ))
}

/// The execution's summary as `conn` sees it now.
pub(crate) async fn summary_in(
    conn: &mut Db,
    id: ExecutionId,
) -> Result<ExecutionSummary, StoreError> {
    Ok(changed(conn, id, &[]).await?.0)
}

/// One execution with all its steps.
pub async fn get(store: &Store, id: ExecutionId) -> Result<ExecutionDetail, StoreError> {
    if store.mode().is_degraded() {
        return super::degraded::get(store, id);
    }
    detail(&mut *store.conn().await?, id).await
}

/// The number of the execution's latest event (0 before any), without reading the rest
/// of it: how far behind a watcher is.
pub async fn last_seq(store: &Store, id: ExecutionId) -> Result<u64, StoreError> {
    if store.mode().is_degraded() {
        return super::degraded::last_seq(store, id);
    }
    executions::table
        .find(id.0)
        .select(executions::last_seq)
        .first(&mut *store.conn().await?)
        .await
        .optional()?
        .ok_or_else(|| StoreError::not_found(format!("execution {id}")))
}

/// An execution step's log and calls, oldest first (the latest [`RECORD_LIMIT`] of each).
pub async fn step_record(
    store: &Store,
    execution: ExecutionId,
    step: ExecutionStepId,
) -> Result<StepRecord, StoreError> {
    if store.mode().is_degraded() {
        return super::degraded::step_record(store, execution, step);
    }
    let mut conn = store.conn().await?;
    let belongs: Option<u64> = execution_steps::table
        .find(step.0)
        .filter(execution_steps::execution_id.eq(execution.0))
        .select(execution_steps::id)
        .first(&mut conn)
        .await
        .optional()?;
    if belongs.is_none() {
        return Err(StoreError::not_found(format!(
            "step {step} of execution {execution}"
        )));
    }
    let mut lines: Vec<LogRow> = execution_step_logs::table
        .filter(execution_step_logs::execution_step_id.eq(step.0))
        .order(execution_step_logs::id.desc())
        .limit(RECORD_LIMIT)
        .select(LogRow::as_select())
        .load(&mut conn)
        .await?;
    lines.reverse();
    let mut calls: Vec<CallRow> = execution_calls::table
        .filter(execution_calls::execution_step_id.eq(step.0))
        .order(execution_calls::id.desc())
        .limit(RECORD_LIMIT)
        .select(CallRow::as_select())
        .load(&mut conn)
        .await?;
    calls.reverse();
    Ok(StepRecord {
        lines: lines.into_iter().map(Into::into).collect(),
        calls: calls.into_iter().map(Into::into).collect(),
    })
}

/// The newest drill of each of `plans` that has ended (completed or cancelled).
pub(crate) async fn last_drills(
    conn: &mut Db,
    plans: &[u64],
) -> Result<std::collections::HashMap<crate::domain::ids::PlanId, ExecutionSummary>, StoreError> {
    let newest: Vec<Option<u64>> = executions::table
        .filter(executions::plan_id.eq_any(plans))
        .filter(executions::drill.eq(true))
        .filter(executions::finished_at.is_not_null())
        .group_by(executions::plan_id)
        .select(diesel::dsl::max(executions::id))
        .load(conn)
        .await?;
    let rows: Vec<ExecutionRow> = executions::table
        .filter(executions::id.eq_any(newest.into_iter().flatten()))
        .select(ExecutionRow::as_select())
        .load(conn)
        .await?;
    let names = names(conn, &rows, &[]).await?;
    rows.iter()
        .map(|row| {
            let summary = names.summary(row)?;
            Ok((
                summary.plan_id.unwrap_or(crate::domain::ids::PlanId(0)),
                summary,
            ))
        })
        .collect()
}
