//! Operators' commands: start, pause, resume, cancel, retry, skip, mark done, abandon,
//! confirm.
//! Each is one audited change of the execution row: both state tables decide (a command
//! the current state does not allow is refused with the table's reason), the steps and
//! the execution are written, then one event per changed thing — all in one transaction.

use super::events;
use super::read::{detail, rows};
use crate::domain::cluster::Claimant;
use crate::domain::event::{Change, ExecutionEvent};
use crate::domain::execution::view::ExecutionDetail;
use crate::domain::execution::{Command, ExecutionState, Refused, StepStatus, StepTrigger};
use crate::domain::ids::ExecutionId;
use crate::domain::plan::Phase;
use crate::error::{ConflictCode, FieldError};
use crate::store::audit::AuditRecord;
use crate::store::schema::{execution_steps, executions};
use crate::store::tx::{Stored, Table};
use crate::store::{Store, StoreError};
use chrono::Utc;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use scoped_futures::ScopedFutureExt;

/// What a command did: the execution as it is now (`None` when cancelling before the
/// start removed it) and the events it wrote, in order.
#[derive(Debug)]
pub struct Commanded {
    pub detail: Option<ExecutionDetail>,
    pub events: Vec<ExecutionEvent>,
}

pub(super) fn refused(why: Refused) -> StoreError {
    StoreError::conflict(ConflictCode::WrongState, None, why.0)
}

/// What an abandoned step's error says.
pub(super) const ABANDONED: &str = "abandoned by an operator: its calls are no longer \
    followed, and what they did is unknown (see the platform)";

/// A command's move of one step, wherever the step is kept (MySQL, or the execution book
/// while degraded).
pub(super) struct StepDecision {
    pub status: StepStatus,
    /// A person decided the step's outcome (skip, mark done, confirm, abandon): they are
    /// named with it.
    pub decided: bool,
    pub abandoned: bool,
}

/// The rules of a command's step move: only a step of the phase the execution is in, by
/// the step state table.
pub(super) fn decide_step(
    state: ExecutionState,
    phase: Phase,
    status: StepStatus,
    trigger: StepTrigger,
) -> Result<StepDecision, StoreError> {
    if let Some(now_in) = state.phase()
        && now_in != phase
    {
        return Err(refused(Refused(format!(
            "that step belongs to {}, and the execution is in {}",
            phase.label().to_lowercase(),
            now_in.label().to_lowercase()
        ))));
    }
    Ok(StepDecision {
        status: status.next(trigger).map_err(refused)?,
        decided: matches!(
            trigger,
            StepTrigger::Skip | StepTrigger::MarkDone | StepTrigger::Confirm | StepTrigger::Abandon
        ),
        abandoned: trigger == StepTrigger::Abandon,
    })
}

/// Carries out `command` on execution `id` for the person in `record`, on the instance
/// of `claimant`: a command that sets the execution running keeps its lease for that
/// instance when nobody holds it (`leases::reserve`).
pub async fn command(
    store: &Store,
    record: &AuditRecord,
    id: ExecutionId,
    command: &Command,
    claimant: &Claimant,
) -> Result<Commanded, StoreError> {
    command
        .check()
        .map_err(|message| StoreError::Invalid(vec![FieldError::new("reason", message)]))?;
    let record = record.noted(Some(match command.reason() {
        Some(reason) => format!("{}: {}", command.describe(), reason.trim()),
        None => command.describe(),
    }));
    let Some(_writing) = store.mode().book().sql_write(id) else {
        return super::degraded::command(store, &record, id, command).await;
    };
    let actor = record.actor_id;
    let commanded = store
        .change(
            &record,
            Stored::as_it_is(Table::Executions, id.0),
            move |conn, _| {
                async move {
                    let (row, steps) = rows(conn, id).await?;
                    let state = row.state()?;
                    let next = command
                        .trigger()
                        .map(|trigger| state.next(trigger))
                        .transpose()
                        .map_err(refused)?;
                    if *command == Command::Start && state == ExecutionState::Created {
                        super::create::still_approved(conn, &row).await?;
                    }
                    if *command == Command::Cancel && state == ExecutionState::Created {
                        diesel::delete(executions::table.find(id.0))
                            .execute(conn)
                            .await?;
                        return Ok(Commanded {
                            detail: None,
                            events: Vec::new(),
                        });
                    }
                    let now = Utc::now().naive_utc();
                    let mut changed = Vec::new();
                    if let Some((step_id, trigger)) = command.step() {
                        let step = steps.iter().find(|s| s.id == step_id.0).ok_or_else(|| {
                            StoreError::not_found(format!("step {step_id} of execution {id}"))
                        })?;
                        let decision = decide_step(state, step.phase()?, step.status()?, trigger)?;
                        let (status, decided, abandoned) =
                            (decision.status, decision.decided, decision.abandoned);
                        let last_error = if abandoned {
                            Some(ABANDONED.to_owned())
                        } else {
                            step.last_error.clone()
                        };
                        diesel::update(execution_steps::table.find(step.id))
                            .set((
                                execution_steps::status.eq(status.as_str()),
                                execution_steps::finished_at
                                    .eq((status.is_final() || abandoned).then_some(now)),
                                execution_steps::last_error.eq(last_error),
                                execution_steps::decided_by.eq(if decided {
                                    actor
                                } else {
                                    step.decided_by
                                }),
                                execution_steps::reason.eq(command
                                    .reason()
                                    .map(|r| r.trim().to_owned())
                                    .or_else(|| step.reason.clone())),
                            ))
                            .execute(conn)
                            .await?;
                        changed.push(step.id);
                    }
                    if next == Some(ExecutionState::Cancelled) {
                        for step in &steps {
                            if step.status()?.next(StepTrigger::Cancel).is_ok() {
                                diesel::update(execution_steps::table.find(step.id))
                                    .set((
                                        execution_steps::status.eq(StepStatus::Cancelled.as_str()),
                                        execution_steps::finished_at.eq(Some(now)),
                                    ))
                                    .execute(conn)
                                    .await?;
                                changed.push(step.id);
                            }
                        }
                    }
                    if let Some(next) = next {
                        super::transitions::set_state(conn, id, next, now).await?;
                        if matches!(next, ExecutionState::Running(_)) {
                            super::leases::reserve(conn, id, claimant).await?;
                        }
                    }
                    if *command == Command::Start && row.started_at.is_none() {
                        diesel::update(executions::table.find(id.0))
                            .set((
                                executions::started_at.eq(now),
                                executions::started_by.eq(actor),
                            ))
                            .execute(conn)
                            .await?;
                    }
                    let mut detail = detail(conn, id).await?;
                    let mut changes: Vec<Change> = changed
                        .iter()
                        .filter_map(|step_id| detail.steps.iter().find(|s| s.id.0 == *step_id))
                        .map(|step| Change::Step(step.clone()))
                        .collect();
                    if next.is_some() {
                        changes.push(Change::Execution(detail.summary.clone()));
                    }
                    let written = events::append_all(conn, id.0, changes).await?;
                    if let Some(last) = written.last() {
                        detail.summary.last_seq = last.seq;
                    }
                    Ok(Commanded {
                        detail: Some(detail),
                        events: written,
                    })
                }
                .scope_boxed()
            },
        )
        .await?;
    store.mode().book().apply(&commanded.events);
    Ok(commanded)
}
