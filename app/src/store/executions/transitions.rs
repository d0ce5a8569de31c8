//! The engine's moves of steps and executions: a step dispatched, a step ended (and the
//! next one started in the same write), a phase finished. Each goes through the two
//! state tables, under the lease's fence, with its events and an audit entry by
//! "(engine)" in the same transaction.

use super::ExecutionRow;
use super::events;
use super::leases::{Fence, check};
use super::read::changed;
use crate::domain::event::{Change, ExecutionEvent};
use crate::domain::execution::timing::Milestone;
use crate::domain::execution::view::ExecutionStepId;
use crate::domain::execution::{ExecutionState, StepStatus, StepTrigger, Trigger};
use crate::domain::ids::ExecutionId;
use crate::domain::plan::Phase;
use crate::domain::text::{MAX_STORED, cut};
use crate::error::ConflictCode;
use crate::store::audit::{self, AuditRecord, Target};
use crate::store::retry::retrying;
use crate::store::schema::{execution_steps, executions};
use crate::store::{Db, Store, StoreError};
use chrono::{NaiveDateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncConnection, RunQueryDsl};

pub(super) fn engine_record(action: &'static str, note: String) -> AuditRecord {
    AuditRecord {
        actor_id: None,
        actor_name: "(engine)".to_owned(),
        actor_role: None,
        action,
        client_addr: None,
        note: Some(note),
    }
}

/// Writes the execution's new state, when it changed, the milestone it reached
/// (`timing::Milestone`) and, once it is over, when it ended: every state change of an
/// execution, the engine's and operators', goes here.
pub(super) async fn set_state(
    conn: &mut Db,
    id: ExecutionId,
    next: ExecutionState,
    now: NaiveDateTime,
) -> Result<(), StoreError> {
    let row = executions::table.find(id.0);
    diesel::update(row)
        .set((
            executions::state.eq(next.as_str()),
            executions::updated_at.eq(now),
            executions::finished_at.eq((!next.is_live()).then_some(now)),
        ))
        .execute(conn)
        .await?;
    match Milestone::reached_by(next) {
        Some(Milestone::SwitchoverDone) => {
            diesel::update(row)
                .set(executions::switchover_done_at.eq(now))
                .execute(conn)
                .await?;
        }
        Some(Milestone::RecoveryStarted) => {
            diesel::update(row.filter(executions::recovery_started_at.is_null()))
                .set(executions::recovery_started_at.eq(now))
                .execute(conn)
                .await?;
        }
        None => {}
    }
    Ok(())
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
#[derive(Clone)]
pub(super) struct Move {
    pub step: ExecutionStepId,
    pub trigger: StepTrigger,
    pub last_error: Option<String>,
}

/// What a move did: the step's attempts now, and the audit note.
pub(super) struct Moved {
    pub attempts: u32,
    pub note: String,
}

/// The rules of one step's move, wherever the step is kept (MySQL, or the book while
/// degraded): the status it moves to, in an execution in `state`. A step starts only in
/// the phase its execution runs; one that would wait for a person in an execution
/// cancelled meanwhile is cancelled instead.
pub(super) fn decide(
    id: ExecutionId,
    state: ExecutionState,
    phase: &str,
    status: StepStatus,
    m: &Move,
) -> Result<StepStatus, StoreError> {
    let dispatch = m.trigger == StepTrigger::Dispatch;
    let runs_this_phase = matches!(state, ExecutionState::Running(p) if p.as_str() == phase);
    if dispatch && !runs_this_phase {
        return Err(StoreError::conflict(
            ConflictCode::WrongState,
            None,
            format!("execution {id} is {}: no step starts", state.label()),
        ));
    }
    let trigger = match (m.trigger, state) {
        (StepTrigger::AwaitConfirmation, ExecutionState::Cancelled) => StepTrigger::Stop,
        (trigger, _) => trigger,
    };
    status
        .next(trigger)
        .map_err(|why| StoreError::conflict(ConflictCode::WrongState, None, why.0))
}

/// Whether a step that moved to `status` has ended (its end time is set).
pub(super) fn has_ended(status: StepStatus) -> bool {
    matches!(
        status,
        StepStatus::Succeeded
            | StepStatus::Failed
            | StepStatus::Interrupted
            | StepStatus::Cancelled
    )
}

/// The audit note of a step's move: `Switchover step 3: failed (why)`.
pub(super) fn move_note(
    phase: &str,
    position: u32,
    next: StepStatus,
    last_error: Option<&str>,
) -> String {
    let phase_label = Phase::parse(phase).map_or(phase.to_owned(), |p| p.label().to_owned());
    let mut note = format!(
        "{phase_label} step {position}: {}",
        next.label().to_lowercase()
    );
    if let Some(error) = last_error {
        note.push_str(&format!(" ({error})"));
    }
    note
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
    let next = decide(id, state, &phase, status, m)?;
    let dispatch = m.trigger == StepTrigger::Dispatch;
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
                execution_steps::finished_at.eq(has_ended(next).then_some(now)),
                execution_steps::last_error.eq(m.last_error.as_deref().map(|e| cut(e, MAX_STORED))),
            ))
            .execute(conn)
            .await?;
    }
    let note = move_note(&phase, position, next, m.last_error.as_deref());
    Ok(Moved { attempts, note })
}

/// The engine's audit notes of a transition: one per moved step, the first saying
/// where the execution moved.
pub(super) fn notes(
    moved: &[(ExecutionStepId, Moved)],
    execution_moved: Option<ExecutionState>,
) -> Vec<String> {
    moved
        .iter()
        .enumerate()
        .map(|(i, (_, done))| match (i, execution_moved) {
            (0, Some(next)) => format!("{}; execution {}", done.note, next.label().to_lowercase()),
            _ => done.note.clone(),
        })
        .collect()
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
        set_state(conn, id, next, now).await?;
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
    for note in notes(&moved, execution_moved) {
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

/// A transition, in MySQL or, while degraded, in the execution book; the book takes
/// its events either way.
async fn transition_in(
    store: &Store,
    fence: Fence,
    first: Move,
    execution_trigger: Option<Trigger>,
    then: Option<Move>,
) -> Result<(u32, Option<u32>, Vec<ExecutionEvent>), StoreError> {
    let Some(_writing) = store.mode().book().sql_write(fence.execution) else {
        return super::degraded::transition(store, fence, first, execution_trigger, then).await;
    };
    let mut conn = store.conn().await?;
    let moved = retrying!(
        conn.transaction(async |conn| {
            transition(conn, fence, first.clone(), execution_trigger, then.clone()).await
        })
        .await
    )?;
    store.mode().book().apply(&moved.2);
    Ok(moved)
}

/// Starts a pending step of the phase the execution runs: running, one more attempt.
/// Returns that attempt's number.
pub async fn dispatch(
    store: &Store,
    fence: Fence,
    step: ExecutionStepId,
) -> Result<(u32, Vec<ExecutionEvent>), StoreError> {
    let start = Move {
        step,
        trigger: StepTrigger::Dispatch,
        last_error: None,
    };
    transition_in(store, fence, start, None, None)
        .await
        .map(|(attempts, _, events)| (attempts, events))
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
    let (_, next_attempt, events) =
        transition_in(store, fence, ending, execution_trigger, start).await?;
    Ok(Ended {
        events,
        next_attempt,
    })
}

/// The phase's last step is done: switchover done, or the execution completed.
pub async fn finish_phase(store: &Store, fence: Fence) -> Result<Vec<ExecutionEvent>, StoreError> {
    let Some(_writing) = store.mode().book().sql_write(fence.execution) else {
        return super::degraded::finish_phase(store, fence).await;
    };
    let mut conn = store.conn().await?;
    let events = retrying!(
        conn.transaction(
            async move |conn| -> Result<Vec<ExecutionEvent>, StoreError> {
                check(conn, fence).await?;
                let id = fence.execution;
                let state = locked(conn, id).await?.state()?;
                let next = state
                    .next(Trigger::PhaseFinished)
                    .map_err(|why| StoreError::conflict(ConflictCode::WrongState, None, why.0))?;
                set_state(conn, id, next, Utc::now().naive_utc()).await?;
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
            },
        )
        .await
    )?;
    store.mode().book().apply(&events);
    Ok(events)
}
