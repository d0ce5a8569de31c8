//! The engine's writes. An instance runs an execution only while it holds the
//! execution's lease; every write first checks the lease's fencing token (a takeover
//! moves it on), so a stale owner's writes are refused with `StoreError::Fenced`. Step
//! and execution state changes go through the two state tables, with their events and an
//! audit entry by "(engine)" in the same transaction. Log lines and call records are
//! written in batches by `journal`, under the same fence.

use super::events;
use super::read::{changed, rows};
use super::{CallRow, ExecutionRow};
use crate::domain::event::{Change, ExecutionEvent};
use crate::domain::execution::target::{StepTarget, Via};
use crate::domain::execution::view::{ExecutionStepId, StepCall};
use crate::domain::execution::{ExecutionState, StepStatus, StepTrigger, Trigger};
use crate::domain::ids::{ConnectionConfigId, ExecutionId};
use crate::domain::plan::Phase;
use crate::domain::step_spec::StepSpec;
use crate::domain::text::{MAX_STORED, cut};
use crate::error::ConflictCode;
use crate::store::audit::{self, AuditRecord, Target};
use crate::store::schema::{execution_calls, execution_leases, execution_steps, executions};
use crate::store::{Db, Store, StoreError};
use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncConnection, RunQueryDsl};
use std::time::Duration;

/// The connection config a step calls through `via` now (see `create::config_for`).
pub async fn config(
    store: &Store,
    via: &Via,
) -> Result<Option<(ConnectionConfigId, String)>, StoreError> {
    super::create::config_for(&mut *store.conn().await?, via).await
}

/// An instance's hold on one execution: the fencing token its lease was granted with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fence {
    pub execution: ExecutionId,
    pub token: u64,
}

/// The states in which an execution's steps may be running or about to run.
const RUNNING: [&str; 2] = ["switchover_running", "recovery_running"];

/// Executions whose steps run, or ran when their owner stopped: what an instance
/// looks at when it starts, and when it looks for executions to take over.
pub async fn running(store: &Store) -> Result<Vec<ExecutionId>, StoreError> {
    let paused_or_blocked_with_running_step: Vec<u64> = execution_steps::table
        .filter(execution_steps::status.eq(StepStatus::Running.as_str()))
        .select(execution_steps::execution_id)
        .distinct()
        .load(&mut *store.conn().await?)
        .await?;
    let mut ids: Vec<u64> = executions::table
        .filter(executions::state.eq_any(RUNNING))
        .select(executions::id)
        .load(&mut *store.conn().await?)
        .await?;
    ids.extend(paused_or_blocked_with_running_step);
    ids.sort_unstable();
    ids.dedup();
    Ok(ids.into_iter().map(ExecutionId).collect())
}

/// Takes the lease of `execution` for `owner` when nobody holds it, it has expired, or
/// `owner` held it before (the same instance, restarted). The token moves on with every
/// grant. `None` when another instance holds it.
pub async fn claim(
    store: &Store,
    execution: ExecutionId,
    owner: &str,
    lease: Duration,
) -> Result<Option<Fence>, StoreError> {
    let mut conn = store.conn().await?;
    let owner = owner.to_owned();
    conn.transaction(async move |conn| {
        let held: Option<(Option<String>, u64, bool)> = execution_leases::table
            .find(execution.0)
            .select((
                execution_leases::owner,
                execution_leases::fencing_token,
                lapsed(),
            ))
            .for_update()
            .first(conn)
            .await
            .optional()?;
        let Some((holder, token, lapsed)) = held else {
            return Err(StoreError::not_found(format!("execution {execution}")));
        };
        let free = holder.is_none() || holder.as_deref() == Some(owner.as_str()) || lapsed;
        if !free {
            return Ok(None);
        }
        let token = token + 1;
        diesel::update(execution_leases::table.find(execution.0))
            .set((
                execution_leases::owner.eq(Some(&owner)),
                execution_leases::fencing_token.eq(token),
                execution_leases::expires_at.eq(until(lease)),
            ))
            .execute(conn)
            .await?;
        Ok(Some(Fence { execution, token }))
    })
    .await
}

// Lease times are the database's: instances whose clocks disagree still agree on when a
// lease lapses.

/// Whether a lease has lapsed, by the database's clock.
fn lapsed() -> diesel::expression::SqlLiteral<diesel::sql_types::Bool> {
    diesel::dsl::sql("(expires_at IS NULL OR expires_at <= NOW(6))")
}

/// `lease` from now, by the database's clock.
fn until(
    lease: Duration,
) -> diesel::expression::SqlLiteral<diesel::sql_types::Nullable<diesel::sql_types::Datetime>> {
    diesel::dsl::sql(&format!(
        "NOW(6) + INTERVAL {} MICROSECOND",
        lease.as_micros()
    ))
}

/// Extends the lease; `Fenced` when it is no longer this holder's.
pub async fn renew(store: &Store, fence: Fence, lease: Duration) -> Result<(), StoreError> {
    let renewed = diesel::update(
        execution_leases::table
            .find(fence.execution.0)
            .filter(execution_leases::fencing_token.eq(fence.token))
            .filter(execution_leases::owner.is_not_null()),
    )
    .set(execution_leases::expires_at.eq(until(lease)))
    .execute(&mut *store.conn().await?)
    .await?;
    if renewed == 1 {
        Ok(())
    } else {
        Err(StoreError::Fenced)
    }
}

/// Gives the lease up (the execution stopped running here); the token stays.
pub async fn release(store: &Store, fence: Fence) -> Result<(), StoreError> {
    diesel::update(
        execution_leases::table
            .find(fence.execution.0)
            .filter(execution_leases::fencing_token.eq(fence.token)),
    )
    .set((
        execution_leases::owner.eq(None::<String>),
        execution_leases::expires_at.eq(None::<NaiveDateTime>),
    ))
    .execute(&mut *store.conn().await?)
    .await?;
    Ok(())
}

/// Refuses the write unless `fence` still holds the lease; locks the lease row until the
/// transaction ends, so a takeover waits for it.
pub(super) async fn check(conn: &mut Db, fence: Fence) -> Result<(), StoreError> {
    let token: Option<u64> = execution_leases::table
        .find(fence.execution.0)
        .select(execution_leases::fencing_token)
        .for_update()
        .first(conn)
        .await
        .optional()?;
    if token == Some(fence.token) {
        Ok(())
    } else {
        Err(StoreError::Fenced)
    }
}

/// An execution as the engine reads it.
#[derive(Debug, Clone)]
pub struct Run {
    pub id: ExecutionId,
    /// The execution's random id, part of every idempotency key its calls carry.
    pub run_key: String,
    pub state: ExecutionState,
    pub steps: Vec<RunStep>,
}

/// A step as the engine reads it.
#[derive(Debug, Clone)]
pub struct RunStep {
    pub id: ExecutionStepId,
    pub phase: Phase,
    pub position: u32,
    pub key: String,
    pub spec: StepSpec,
    pub target: Option<StepTarget>,
    pub status: StepStatus,
    pub attempts: u32,
    pub started_at: Option<DateTime<Utc>>,
}

impl Run {
    /// The step to look at next in `phase`: the first that is not done with.
    pub fn current(&self, phase: Phase) -> Option<&RunStep> {
        self.steps
            .iter()
            .find(|s| s.phase == phase && !s.status.is_final())
    }

    /// The step to look at after `step` (of the same phase) is done with, as the steps
    /// were when read.
    pub fn after(&self, step: &RunStep) -> Option<&RunStep> {
        self.steps
            .iter()
            .skip_while(|s| s.id != step.id)
            .skip(1)
            .find(|s| s.phase == step.phase && !s.status.is_final())
    }
}

/// The execution and its steps, as they are now.
pub async fn load(store: &Store, id: ExecutionId) -> Result<Run, StoreError> {
    let (row, steps) = rows(&mut *store.conn().await?, id).await?;
    Ok(Run {
        id,
        run_key: row.run_key.clone(),
        state: row.state()?,
        steps: steps
            .iter()
            .map(|s| {
                Ok(RunStep {
                    id: ExecutionStepId(s.id),
                    phase: s.phase()?,
                    position: s.position,
                    key: s.step_key.clone(),
                    spec: s.spec()?,
                    target: s.target()?,
                    status: s.status()?,
                    attempts: s.attempts,
                    started_at: s.started_at.map(|t| t.and_utc()),
                })
            })
            .collect::<Result<_, StoreError>>()?,
    })
}

fn engine_record(action: &'static str, note: String) -> AuditRecord {
    AuditRecord {
        actor_id: None,
        actor_name: "(engine)".to_owned(),
        actor_role: None,
        action,
        client_addr: None,
        note: Some(note),
    }
}

/// Locks and reads the execution row (inside a fenced transaction).
async fn locked(conn: &mut Db, id: ExecutionId) -> Result<ExecutionRow, StoreError> {
    executions::table
        .find(id.0)
        .select(ExecutionRow::as_select())
        .for_update()
        .first(conn)
        .await
        .optional()?
        .ok_or_else(|| StoreError::not_found(format!("execution {id}")))
}

/// One step's move, asked of the step state table.
struct Move {
    step: ExecutionStepId,
    trigger: StepTrigger,
    last_error: Option<String>,
}

/// What a move did: the step's attempts now, and the audit note.
struct Moved {
    attempts: u32,
    note: String,
}

/// Moves one step (inside a fenced transaction whose execution row is locked, the
/// execution in `state`). A refusal comes before any write.
async fn move_step(
    conn: &mut Db,
    id: ExecutionId,
    state: ExecutionState,
    m: &Move,
) -> Result<Moved, StoreError> {
    let (status, attempts, phase, position): (String, u32, String, u32) = execution_steps::table
        .find(m.step.0)
        .filter(execution_steps::execution_id.eq(id.0))
        .select((
            execution_steps::status,
            execution_steps::attempts,
            execution_steps::phase,
            execution_steps::position,
        ))
        .first(conn)
        .await?;
    let step = m.step;
    let status = StepStatus::parse(&status)
        .ok_or_else(|| StoreError::internal(format!("step {step}: status {status:?}")))?;
    let dispatch = m.trigger == StepTrigger::Dispatch;
    let runs_this_phase = matches!(state, ExecutionState::Running(p) if p.as_str() == phase);
    if dispatch && !runs_this_phase {
        return Err(StoreError::conflict(
            ConflictCode::WrongState,
            None,
            format!("execution {id} is {}: no step starts", state.label()),
        ));
    }
    // A step that would wait for a person in an execution cancelled meanwhile waits for
    // nobody: it is cancelled.
    let trigger = match (m.trigger, state) {
        (StepTrigger::AwaitConfirmation, ExecutionState::Cancelled) => StepTrigger::Stop,
        (trigger, _) => trigger,
    };
    let next = status
        .next(trigger)
        .map_err(|why| StoreError::conflict(ConflictCode::WrongState, None, why.0))?;
    let now = Utc::now().naive_utc();
    let attempts = if dispatch { attempts + 1 } else { attempts };
    if dispatch {
        diesel::update(execution_steps::table.find(step.0))
            .set((
                execution_steps::status.eq(next.as_str()),
                execution_steps::attempts.eq(attempts),
                execution_steps::started_at.eq(Some(now)),
                execution_steps::finished_at.eq(None::<NaiveDateTime>),
            ))
            .execute(conn)
            .await?;
    } else {
        diesel::update(execution_steps::table.find(step.0))
            .set((
                execution_steps::status.eq(next.as_str()),
                execution_steps::finished_at.eq(matches!(
                    next,
                    StepStatus::Succeeded
                        | StepStatus::Failed
                        | StepStatus::Interrupted
                        | StepStatus::Cancelled
                )
                .then_some(now)),
                execution_steps::last_error.eq(m.last_error.as_deref().map(|e| cut(e, MAX_STORED))),
            ))
            .execute(conn)
            .await?;
    }
    let phase_label = Phase::parse(&phase).map_or(phase.clone(), |p| p.label().to_owned());
    let mut note = format!(
        "{phase_label} step {position}: {}",
        next.label().to_lowercase()
    );
    if let Some(error) = &m.last_error {
        note.push_str(&format!(" ({error})"));
    }
    Ok(Moved { attempts, note })
}

/// Moves `first` and, when given, the execution by `execution_trigger` (if its table
/// allows it now: a step may end after its execution was cancelled); then `then`, if
/// the tables allow it (it is skipped, not refused, when they do not). One fence check,
/// one set of events, one audit entry per move, by the engine. Returns the attempts of
/// `first` and, if it moved, of `then`.
async fn transition(
    conn: &mut Db,
    fence: Fence,
    first: Move,
    execution_trigger: Option<Trigger>,
    then: Option<Move>,
) -> Result<(u32, Option<u32>, Vec<ExecutionEvent>), StoreError> {
    check(conn, fence).await?;
    let id = fence.execution;
    let state = locked(conn, id).await?.state()?;
    let mut moved = vec![(first.step, move_step(conn, id, state, &first).await?)];
    let execution_moved = execution_trigger.and_then(|t| state.next(t).ok());
    let now = Utc::now().naive_utc();
    if let Some(next) = execution_moved {
        diesel::update(executions::table.find(id.0))
            .set((
                executions::state.eq(next.as_str()),
                executions::updated_at.eq(now),
                executions::finished_at.eq((next == ExecutionState::Completed).then_some(now)),
            ))
            .execute(conn)
            .await?;
    }
    let state = execution_moved.unwrap_or(state);
    if let Some(then) = then {
        match move_step(conn, id, state, &then).await {
            Ok(done) => moved.push((then.step, done)),
            Err(StoreError::Conflict {
                code: ConflictCode::WrongState,
                ..
            }) => {}
            Err(error) => return Err(error),
        }
    }
    let steps: Vec<ExecutionStepId> = moved.iter().map(|(step, _)| *step).collect();
    let (summary, views) = changed(conn, id, &steps).await?;
    let mut changes: Vec<Change> = steps
        .iter()
        .filter_map(|step| views.iter().find(|v| v.id == *step).cloned())
        .map(Change::Step)
        .collect();
    if execution_moved.is_some() {
        changes.push(Change::Execution(summary));
    }
    let written = events::append_all(conn, id.0, changes).await?;
    for (i, (_, done)) in moved.iter().enumerate() {
        let mut note = done.note.clone();
        if let (0, Some(next)) = (i, execution_moved) {
            note.push_str(&format!("; execution {}", next.label().to_lowercase()));
        }
        audit::write_ok(
            conn,
            &engine_record("engine/step", note),
            Target::new("execution", id),
        )
        .await?;
    }
    let then_attempts = moved.get(1).map(|(_, done)| done.attempts);
    Ok((moved[0].1.attempts, then_attempts, written))
}

/// Starts a pending step of the phase the execution runs: running, one more attempt.
/// Returns that attempt's number.
pub async fn dispatch(
    store: &Store,
    fence: Fence,
    step: ExecutionStepId,
) -> Result<(u32, Vec<ExecutionEvent>), StoreError> {
    let mut conn = store.conn().await?;
    conn.transaction(async move |conn| {
        let start = Move {
            step,
            trigger: StepTrigger::Dispatch,
            last_error: None,
        };
        transition(conn, fence, start, None, None)
            .await
            .map(|(attempts, _, events)| (attempts, events))
    })
    .await
}

/// How a running step ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StepEnd {
    Succeeded,
    /// It now waits for a person's confirmation.
    Waiting,
    Failed(String),
    /// Its outcome cannot be known.
    Interrupted(String),
    /// The execution was cancelled while it ran, and it did nothing (a wait).
    Cancelled,
}

/// What ending a step wrote: its events and, when the next step was started in the same
/// transaction, that step's attempt.
#[derive(Debug, Clone)]
pub struct Ended {
    pub events: Vec<ExecutionEvent>,
    pub next_attempt: Option<u32>,
}

/// Records how a running step ended; a failure or interruption blocks the execution.
/// When it succeeded and `next` is given, `next` is started in the same transaction (one
/// commit from one step to the next), unless the execution no longer runs its phase or
/// `next` is no longer pending (an operator acted meanwhile).
pub async fn end_step(
    store: &Store,
    fence: Fence,
    step: ExecutionStepId,
    end: StepEnd,
    next: Option<ExecutionStepId>,
) -> Result<Ended, StoreError> {
    let next = next.filter(|_| end == StepEnd::Succeeded);
    let (trigger, execution_trigger, last_error) = match end {
        StepEnd::Succeeded => (StepTrigger::Succeed, None, None),
        StepEnd::Waiting => (StepTrigger::AwaitConfirmation, None, None),
        StepEnd::Cancelled => (StepTrigger::Stop, None, None),
        StepEnd::Failed(why) => (StepTrigger::Fail, Some(Trigger::StepFailed), Some(why)),
        StepEnd::Interrupted(why) => (
            StepTrigger::Interrupt,
            Some(Trigger::StepInterrupted),
            Some(why),
        ),
    };
    let ending = Move {
        step,
        trigger,
        last_error,
    };
    let start = next.map(|step| Move {
        step,
        trigger: StepTrigger::Dispatch,
        last_error: None,
    });
    let mut conn = store.conn().await?;
    conn.transaction(async move |conn| {
        let (_, next_attempt, events) =
            transition(conn, fence, ending, execution_trigger, start).await?;
        Ok(Ended {
            events,
            next_attempt,
        })
    })
    .await
}

/// The phase's last step is done: switchover done, or the execution completed.
pub async fn finish_phase(store: &Store, fence: Fence) -> Result<Vec<ExecutionEvent>, StoreError> {
    let mut conn = store.conn().await?;
    conn.transaction(async move |conn| {
        check(conn, fence).await?;
        let id = fence.execution;
        let state = locked(conn, id).await?.state()?;
        let next = state
            .next(Trigger::PhaseFinished)
            .map_err(|why| StoreError::conflict(ConflictCode::WrongState, None, why.0))?;
        let now = Utc::now().naive_utc();
        diesel::update(executions::table.find(id.0))
            .set((
                executions::state.eq(next.as_str()),
                executions::updated_at.eq(now),
                executions::finished_at.eq((next == ExecutionState::Completed).then_some(now)),
            ))
            .execute(conn)
            .await?;
        let (summary, _) = changed(conn, id, &[]).await?;
        let event = events::append(conn, id.0, Change::Execution(summary)).await?;
        audit::write_ok(
            conn,
            &engine_record(
                "engine/phase",
                format!("{}: every step is done", next.label()),
            ),
            Target::new("execution", id),
        )
        .await?;
        Ok(vec![event])
    })
    .await
}

/// Every call a step made, in every attempt, oldest first: what recovery and a retry ask
/// about again before they send anything new.
pub async fn step_calls(store: &Store, step: ExecutionStepId) -> Result<Vec<StepCall>, StoreError> {
    let rows: Vec<CallRow> = execution_calls::table
        .filter(execution_calls::execution_step_id.eq(step.0))
        .order(execution_calls::id)
        .select(CallRow::as_select())
        .load(&mut *store.conn().await?)
        .await?;
    Ok(rows.into_iter().map(StepCall::from).collect())
}
