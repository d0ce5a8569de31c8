//! Executions while degraded: the engine's reads and writes go to the execution book
//! (`mode::book`) instead of MySQL, by the same rules as in MySQL
//! (`transitions::decide`), and every change is journaled durably before it is kept
//! and published. Reads of the executions this instance drives answer from the book.
//!
//! Never two drivers: only executions whose lease this instance held when it left the
//! database are driven, and only until that lease would have lapsed (when its last
//! renewal was sent, plus its length, less a margin) — after that another instance that
//! still reaches the database may take it over. An admin who switched to degraded mode
//! by hand took responsibility for driving them: then the book's leases do not lapse.

use super::control::{ABANDONED, Commanded, decide_step, refused};
use super::leases::Fence;
use super::run::{Run, RunStep};
use super::step_records::{Write, Written};
use super::transitions::{self, Move, Moved, decide, engine_record, has_ended, move_note};
use crate::domain::audit::Outcome;
use crate::domain::event::{Change, ExecutionEvent};
use crate::domain::execution::view::{
    CallStatus, ExecutionDetail, ExecutionFilter, ExecutionStepId, ExecutionSummary, StepCall,
    StepLogLine, StepRecord,
};
use crate::domain::execution::{Command, ExecutionState, StepStatus, StepTrigger, Trigger};
use crate::domain::ids::ExecutionId;
use crate::domain::text::{MAX_STORED, cut};
use crate::error::ConflictCode;
use crate::mode::book::{Held, Known};
use crate::mode::journal::{Fenced, Record};
use crate::store::audit::{AuditRecord, Target, journal_line};
use crate::store::{Store, StoreError};
use chrono::{DateTime, SubsecRound, Utc};

/// Why the book cannot answer for `id`.
fn unknown(store: &Store, id: ExecutionId) -> StoreError {
    StoreError::Degraded(format!(
        "{} (execution {id} was not running on this instance when it left the database)",
        store.mode().now().refusal()
    ))
}

/// Whether this instance may drive `held` now.
fn drives(store: &Store, held: &Held) -> bool {
    store.mode().by_admin() || Utc::now() < held.lease_until
}

/// What the book knows of `id`.
fn known(store: &Store, id: ExecutionId) -> Result<Known, StoreError> {
    store
        .mode()
        .book()
        .held(id)
        .and_then(|h| h.known)
        .ok_or_else(|| unknown(store, id))
}

/// What the book knows of the execution `fence` holds; `Fenced` when the lease is not
/// this instance's to drive any more.
fn fenced(store: &Store, fence: Fence) -> Result<Known, StoreError> {
    let held = store
        .mode()
        .book()
        .held(fence.execution)
        .filter(|h| h.token == fence.token && drives(store, h))
        .ok_or(StoreError::Fenced)?;
    held.known.ok_or_else(|| unknown(store, fence.execution))
}

/// The execution as the engine reads it.
pub(super) fn load(store: &Store, id: ExecutionId) -> Result<Run, StoreError> {
    let known = known(store, id)?;
    Ok(Run {
        id,
        run_key: known.run_key.clone(),
        state: known.detail.summary.state,
        drill: known.detail.summary.drill,
        steps: known
            .detail
            .steps
            .iter()
            .map(|s| RunStep {
                id: s.id,
                phase: s.phase,
                position: s.position,
                key: known.step_keys.get(&s.id).cloned().unwrap_or_default(),
                spec: s.spec.clone(),
                target: s.target.clone(),
                status: s.status,
                attempts: s.attempts,
                started_at: s.started_at,
            })
            .collect(),
    })
}

/// Every execution the book knows, newest first.
fn every_known(store: &Store) -> impl Iterator<Item = (ExecutionId, Known)> {
    store
        .mode()
        .book()
        .all()
        .into_iter()
        .filter_map(|(id, held)| Some((id, held.known?)))
}

/// Every call `step` made that the book knows, oldest first.
pub(super) fn step_calls(store: &Store, step: ExecutionStepId) -> Vec<StepCall> {
    every_known(store)
        .flat_map(|(_, known)| known.calls)
        .filter(|(s, _)| *s == step)
        .map(|(_, call)| call)
        .collect()
}

/// The lease, when the book holds it and may still drive it.
pub(super) fn claim(store: &Store, execution: ExecutionId) -> Option<Fence> {
    let held = store.mode().book().held(execution)?;
    (held.known.is_some() && drives(store, &held)).then_some(Fence {
        execution,
        token: held.token,
    })
}

/// `Fenced` once the book's lease may no longer drive the execution.
pub(super) fn renew(store: &Store, fence: Fence) -> Result<(), StoreError> {
    fenced(store, fence).map(|_| ())
}

/// The executions in the book whose steps run or ran.
pub(super) fn running(store: &Store) -> Vec<ExecutionId> {
    every_known(store)
        .filter(|(_, k)| {
            matches!(k.detail.summary.state, ExecutionState::Running(_))
                || k.detail
                    .steps
                    .iter()
                    .any(|s| s.status == StepStatus::Running)
        })
        .map(|(id, _)| id)
        .collect()
}

/// One execution from the book.
pub(super) fn get(store: &Store, id: ExecutionId) -> Result<ExecutionDetail, StoreError> {
    Ok(known(store, id)?.detail)
}

/// The executions in the book, newest first.
pub(super) fn list(store: &Store, filter: &ExecutionFilter) -> Vec<ExecutionSummary> {
    every_known(store)
        .map(|(_, known)| known.detail.summary)
        .filter(|summary| filter.matches(summary))
        .collect()
}

pub(super) fn last_seq(store: &Store, id: ExecutionId) -> Result<u64, StoreError> {
    Ok(known(store, id)?.detail.summary.last_seq)
}

/// A step's log lines and calls, as far as the book saw them.
pub(super) fn step_record(
    store: &Store,
    execution: ExecutionId,
    step: ExecutionStepId,
) -> Result<StepRecord, StoreError> {
    let known = known(store, execution)?;
    if !known.detail.steps.iter().any(|s| s.id == step) {
        return Err(StoreError::not_found(format!(
            "step {step} of execution {execution}"
        )));
    }
    Ok(StepRecord {
        lines: known
            .lines
            .into_iter()
            .filter(|(s, _)| *s == step)
            .map(|(_, line)| line)
            .collect(),
        calls: known
            .calls
            .into_iter()
            .filter(|(s, _)| *s == step)
            .map(|(_, call)| call)
            .collect(),
    })
}

/// What a change made while degraded writes: the execution's next events and its audit
/// entries (`ok`, the record's note as the reason), and what else the caller wants back.
type Made<T> = (Vec<Change>, Vec<AuditRecord>, T);

/// Makes one change of the execution `fence` holds: `work` decides it on a copy of what
/// the book knows; its changes become the execution's next events, journaled with the
/// engine's audit entries in one durable record, then kept in the book.
async fn commit<T: Send + 'static>(
    store: &Store,
    fence: Fence,
    work: impl FnOnce(&mut Known, DateTime<Utc>) -> Result<Made<T>, StoreError> + Send,
) -> Result<(Vec<ExecutionEvent>, T), StoreError> {
    let id = fence.execution;
    let decide = || {
        let mut known = fenced(store, fence)?;
        // To the microsecond, as MySQL keeps times: the same after reconcile.
        let at = Utc::now().trunc_subsecs(6);
        let (changes, notes, made) = work(&mut known, at)?;
        let last = known.detail.summary.last_seq;
        let events: Vec<ExecutionEvent> = changes
            .into_iter()
            .zip(last + 1..)
            .map(|(mut change, seq)| {
                if let Change::Execution(summary) = &mut change {
                    summary.last_seq = seq;
                }
                ExecutionEvent {
                    execution_id: id,
                    seq,
                    at,
                    change,
                }
            })
            .collect();
        let audit = notes
            .iter()
            .map(|record| {
                journal_line(
                    record,
                    Some(Target::new("execution", id)),
                    Outcome::Ok,
                    record.note.as_deref(),
                )
            })
            .collect();
        let record = Record {
            at,
            execution: Some(Fenced {
                execution: id,
                token: fence.token,
            }),
            events: events.clone(),
            audit,
        };
        Ok((vec![record], (events, made)))
    };
    let book = store.mode().book().clone();
    let keep = |(events, made): (Vec<ExecutionEvent>, T)| {
        book.apply(&events);
        (events, made)
    };
    store.journaled(decide, keep).await?.ok_or_else(|| {
        StoreError::Unavailable(
            "the instance switched back to normal mode meanwhile; the write is made again there"
                .to_owned(),
        )
    })
}

/// Moves one step in the book's copy.
fn move_step(
    known: &mut Known,
    id: ExecutionId,
    state: ExecutionState,
    m: &Move,
    now: DateTime<Utc>,
) -> Result<Moved, StoreError> {
    let step = known
        .detail
        .steps
        .iter_mut()
        .find(|s| s.id == m.step)
        .ok_or_else(|| StoreError::not_found(format!("step {} of execution {id}", m.step)))?;
    let phase = step.phase.as_str();
    let next = decide(id, state, phase, step.status, m)?;
    step.status = next;
    if m.trigger == StepTrigger::Dispatch {
        step.attempts += 1;
        step.started_at = Some(now);
        step.finished_at = None;
    } else {
        step.finished_at = has_ended(next).then_some(now);
        step.last_error = m
            .last_error
            .as_deref()
            .map(|e| cut(e, MAX_STORED).to_owned());
    }
    Ok(Moved {
        attempts: step.attempts,
        note: move_note(phase, step.position, next, m.last_error.as_deref()),
    })
}

/// Moves the execution's state in the book's copy.
fn set_state(known: &mut Known, next: ExecutionState, now: DateTime<Utc>) {
    let summary = &mut known.detail.summary;
    summary.state = next;
    summary.reach(next, now);
    summary.finished_at = (!next.is_live()).then_some(now);
}

/// `transitions::transition`, on the book.
pub(super) async fn transition(
    store: &Store,
    fence: Fence,
    first: Move,
    execution_trigger: Option<Trigger>,
    then: Option<Move>,
) -> Result<(u32, Option<u32>, Vec<ExecutionEvent>), StoreError> {
    let id = fence.execution;
    let (events, (first_attempts, then_attempts)) = commit(store, fence, move |known, now| {
        let state = known.detail.summary.state;
        let mut moved = vec![(first.step, move_step(known, id, state, &first, now)?)];
        let execution_moved = execution_trigger.and_then(|t| state.next(t).ok());
        if let Some(next) = execution_moved {
            set_state(known, next, now);
        }
        let state = execution_moved.unwrap_or(state);
        if let Some(then) = &then {
            match move_step(known, id, state, then, now) {
                Ok(done) => moved.push((then.step, done)),
                Err(StoreError::Conflict {
                    code: ConflictCode::WrongState,
                    ..
                }) => {}
                Err(error) => return Err(error),
            }
        }
        let mut changes: Vec<Change> = moved
            .iter()
            .filter_map(|(step, _)| known.detail.steps.iter().find(|s| s.id == *step))
            .cloned()
            .map(Change::Step)
            .collect();
        if execution_moved.is_some() {
            changes.push(Change::Execution(known.detail.summary.clone()));
        }
        let notes = transitions::notes(&moved, execution_moved)
            .into_iter()
            .map(|note| engine_record("engine/step", note))
            .collect();
        let attempts = (moved[0].1.attempts, moved.get(1).map(|(_, d)| d.attempts));
        Ok((changes, notes, attempts))
    })
    .await?;
    Ok((first_attempts, then_attempts, events))
}

/// `transitions::finish_phase`, on the book.
pub(super) async fn finish_phase(
    store: &Store,
    fence: Fence,
) -> Result<Vec<ExecutionEvent>, StoreError> {
    let (events, ()) = commit(store, fence, |known, now| {
        let next = known
            .detail
            .summary
            .state
            .next(Trigger::PhaseFinished)
            .map_err(|why| StoreError::conflict(ConflictCode::WrongState, None, why.0))?;
        set_state(known, next, now);
        let note = format!("{}: every step is done", next.label());
        Ok((
            vec![Change::Execution(known.detail.summary.clone())],
            vec![engine_record("engine/phase", note)],
            (),
        ))
    })
    .await?;
    Ok(events)
}

/// `step_records::write`, on the book: log lines and calls take local ids (MySQL gives
/// them theirs at reconcile, which knows calls by their idempotency keys).
pub(super) async fn write(
    store: &Store,
    fence: Fence,
    writes: &[Write],
) -> Result<Vec<Written>, StoreError> {
    let writes = writes.to_vec();
    let book = store.mode().book().clone();
    let (events, calls) = commit(store, fence, move |known, now| {
        let mut changes = Vec::with_capacity(writes.len());
        let mut calls = Vec::with_capacity(writes.len());
        for write in &writes {
            match write {
                Write::Log {
                    step,
                    attempt,
                    level,
                    message,
                } => {
                    let line = StepLogLine {
                        id: book.local_id(),
                        attempt: *attempt,
                        at: now,
                        level: *level,
                        message: cut(message, MAX_STORED).to_owned(),
                    };
                    changes.push(Change::Logged { step: *step, line });
                    calls.push(None);
                }
                Write::Sent(call) => {
                    let sent = StepCall {
                        id: book.local_id(),
                        attempt: call.attempt,
                        idempotency_key: call.idempotency_key.clone(),
                        config_name: call.config.as_ref().map(|c| c.1.clone()),
                        method: call.method.to_owned(),
                        path: call.path.clone(),
                        operation_id: None,
                        status: CallStatus::Sent,
                        http_status: None,
                        sent_at: now,
                        finished_at: None,
                    };
                    known.calls.push((call.step, sent.clone()));
                    calls.push(Some(sent.id));
                    changes.push(Change::Called {
                        step: call.step,
                        call: sent,
                    });
                }
                Write::Answered {
                    key,
                    status,
                    operation_id,
                    http_status,
                } => {
                    let (step, known_call) = known
                        .calls
                        .iter_mut()
                        .find(|(_, c)| c.idempotency_key == *key)
                        .ok_or_else(|| StoreError::not_found(format!("call {key}")))?;
                    known_call.status = *status;
                    if operation_id.is_some() {
                        known_call.operation_id = operation_id.clone();
                    }
                    known_call.http_status = http_status.or(known_call.http_status);
                    known_call.finished_at = status.is_final().then_some(now);
                    changes.push(Change::Called {
                        step: *step,
                        call: known_call.clone(),
                    });
                    calls.push(None);
                }
            }
        }
        Ok((changes, Vec::new(), calls))
    })
    .await?;
    Ok(events
        .into_iter()
        .zip(calls)
        .map(|(event, call)| Written { event, call })
        .collect())
}

/// An operator's command, on the book: allowed for an execution this instance may drive
/// (its lease still holds, or an admin took responsibility by switching to degraded mode
/// by hand), by the same rules as in MySQL (`control::decide_step`).
pub(super) async fn command(
    store: &Store,
    record: &AuditRecord,
    id: ExecutionId,
    command: &Command,
) -> Result<Commanded, StoreError> {
    let held = store
        .mode()
        .book()
        .held(id)
        .filter(|h| h.known.is_some())
        .ok_or_else(|| unknown(store, id))?;
    if !drives(store, &held) {
        return Err(StoreError::Degraded(format!(
            "{} (this instance no longer holds execution {id}'s lease, so another instance may \
             run it: an admin who is sure no other instance runs it can confirm degraded mode by \
             hand, and this instance then takes commands for it)",
            store.mode().now().refusal()
        )));
    }
    let fence = Fence {
        execution: id,
        token: held.token,
    };
    let (command, record) = (command.clone(), record.clone());
    let (events, ()) = commit(store, fence, move |known, now| {
        let state = known.detail.summary.state;
        let next = command
            .trigger()
            .map(|trigger| state.next(trigger))
            .transpose()
            .map_err(refused)?;
        let mut changed = Vec::new();
        if let Some((step_id, trigger)) = command.step() {
            let step = known
                .detail
                .steps
                .iter_mut()
                .find(|s| s.id == step_id)
                .ok_or_else(|| {
                    StoreError::not_found(format!("step {step_id} of execution {id}"))
                })?;
            let decision = decide_step(state, step.phase, step.status, trigger)?;
            step.status = decision.status;
            step.finished_at = (decision.status.is_final() || decision.abandoned).then_some(now);
            if decision.abandoned {
                step.last_error = Some(ABANDONED.to_owned());
            }
            if decision.decided {
                step.decided_by = Some(record.actor_name.clone());
            }
            if let Some(reason) = command.reason() {
                step.reason = Some(reason.trim().to_owned());
            }
            changed.push(step_id);
        }
        if next == Some(ExecutionState::Cancelled) {
            for step in &mut known.detail.steps {
                if step.status.next(StepTrigger::Cancel).is_ok() {
                    step.status = StepStatus::Cancelled;
                    step.finished_at = Some(now);
                    changed.push(step.id);
                }
            }
        }
        if let Some(next) = next {
            set_state(known, next, now);
        }
        let mut changes: Vec<Change> = changed
            .iter()
            .filter_map(|step| known.detail.steps.iter().find(|s| s.id == *step))
            .cloned()
            .map(Change::Step)
            .collect();
        if next.is_some() {
            changes.push(Change::Execution(known.detail.summary.clone()));
        }
        Ok((changes, vec![record], ()))
    })
    .await?;
    Ok(Commanded {
        detail: Some(known(store, id)?.detail),
        events,
    })
}
