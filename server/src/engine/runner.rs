//! One execution's runner: takes the execution's lease, keeps it renewed, and moves the
//! execution on one step at a time — the phase's next pending step is dispatched, run
//! and ended; a step found running (the server stopped during it) is asked about again;
//! when the phase has no step left, the phase is finished. It stops when there is
//! nothing to do (paused, blocked, waiting for a person, done) and gives the lease back.
//! When the server stops, it starts no new step and lets the running one end (a wait
//! is left running: it goes on counting after the restart); when the lease is lost, it
//! stops at once and leaves a running step running: the next owner asks about it again.
//! A runner that panics gives its lease back; the engine starts it again.

use super::step::{Outcome, StepRun};
use super::step_records::StepRecords;
use super::{Engine, Mailbox, control, database, http, restart, traffic};
use app::domain::execution::{ExecutionState, StepStatus};
use app::domain::ids::ExecutionId;
use app::domain::step::StepSpec;
use app::store::StoreError;
use app::store::executions::leases::{self, Fence};
use app::store::executions::run::{self, Run, RunStep};
use app::store::executions::transitions::{self, StepEnd};
use futures_util::FutureExt;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// What one look at the execution did.
enum Progress {
    /// Something moved; look again.
    Moved,
    /// Nothing to do until someone wakes the runner.
    Idle,
    /// The server stops or the lease is gone.
    Stopped,
}

/// The runner panicked (after giving its lease back).
pub(super) struct Panicked;

/// Holds the execution's lease and moves the execution on until there is nothing to do.
pub(super) async fn run(
    engine: &Arc<Engine>,
    id: ExecutionId,
    mailbox: &Mailbox,
) -> Result<(), Panicked> {
    let fence = match leases::claim(&engine.store, id, &engine.claimant).await {
        Ok(Some(fence)) => fence,
        Ok(None) => return Ok(()),
        Err(error) => {
            tracing::warn!(execution.id = %id, %error, "cannot take the execution's lease");
            return Ok(());
        }
    };
    let held = CancellationToken::new();
    let renewal = tokio::spawn(renew(engine.clone(), fence, held.clone()));
    let holding = AssertUnwindSafe(hold(engine, fence, mailbox, &held));
    let outcome = holding.catch_unwind().await.map_err(|_| Panicked);
    renewal.abort();
    // Given back even when stopping mid-step: whoever takes it next asks about that step
    // again. A lease already lost is not ours to give (the token no longer matches).
    let _ = leases::release(&engine.store, fence).await;
    outcome
}

/// Moves the execution on while `fence` holds its lease (until `held` is cancelled).
async fn hold(engine: &Arc<Engine>, fence: Fence, mailbox: &Mailbox, held: &CancellationToken) {
    let id = fence.execution;
    let records = StepRecords::start(engine.clone(), fence);
    let holding = Holding {
        engine,
        fence,
        mailbox,
        held,
        records: &records,
    };
    loop {
        mailbox
            .dirty
            .store(false, std::sync::atomic::Ordering::SeqCst);
        match step_once(&holding).await {
            Ok(Progress::Moved) => continue,
            Ok(Progress::Stopped) => break,
            Ok(Progress::Idle) => {
                if engine.may_stop(id, mailbox) {
                    break;
                }
            }
            Err(StoreError::Fenced) => {
                tracing::info!(execution.id = %id, "another instance runs this execution now");
                held.cancel();
                break;
            }
            Err(error) if records.is_broken() => {
                // Records were given up: start afresh (new records; the running step is
                // asked about by its calls' keys), as after a restart.
                tracing::warn!(execution.id = %id, %error, "the runner starts afresh");
                break;
            }
            Err(error) => {
                tracing::warn!(execution.id = %id, %error, "engine step failed; trying again shortly");
                tokio::select! {
                    () = held.cancelled() => break,
                    () = engine.stop.cancelled() => break,
                    () = tokio::time::sleep(Duration::from_secs(1)) => {}
                }
            }
        }
    }
    // Whatever the step's records still hold is written before the lease goes.
    records.close().await;
}

/// Renews the lease every third of its length; cancels `held` when it is lost.
async fn renew(engine: Arc<Engine>, fence: Fence, held: CancellationToken) {
    let every = engine.claimant.lease / 3;
    loop {
        tokio::select! {
            () = held.cancelled() => return,
            () = tokio::time::sleep(every) => {}
        }
        match leases::renew(&engine.store, fence, engine.claimant.lease).await {
            Ok(()) => {}
            Err(StoreError::Fenced) => {
                held.cancel();
                return;
            }
            Err(error) => {
                tracing::warn!(execution.id = %fence.execution, %error, "lease not renewed")
            }
        }
    }
}

/// What a runner works with while it holds the execution's lease.
struct Holding<'a> {
    engine: &'a Engine,
    fence: Fence,
    mailbox: &'a Mailbox,
    /// Cancelled when the lease is lost.
    held: &'a CancellationToken,
    records: &'a StepRecords,
}

/// Looks at the execution once and does the one thing due.
async fn step_once(holding: &Holding<'_>) -> Result<Progress, StoreError> {
    let Holding { engine, fence, .. } = *holding;
    // Shutting down: no step starts, and one found running is left to the next start.
    if engine.stop.is_cancelled() {
        return Ok(Progress::Stopped);
    }
    let run = run::load(&engine.store, fence.execution).await?;
    if let Some(step) = run.steps.iter().find(|s| s.status == StepStatus::Running) {
        return carry_out(holding, &run, step.clone(), step.attempts, true).await;
    }
    let ExecutionState::Running(phase) = run.state else {
        return Ok(Progress::Idle);
    };
    match Run::current(&run, phase) {
        None => {
            let events = or_moved_meanwhile(transitions::finish_phase(&engine.store, fence).await)?;
            engine.publish(events);
            Ok(Progress::Moved)
        }
        Some(step) if step.status == StepStatus::Pending => {
            let Some((attempt, events)) = or_moved_meanwhile(
                transitions::dispatch(&engine.store, fence, step.id)
                    .await
                    .map(Some),
            )?
            else {
                return Ok(Progress::Moved);
            };
            engine.publish(events);
            carry_out(holding, &run, started(step), attempt, false).await
        }
        Some(_) => Ok(Progress::Idle),
    }
}

/// `step` as it is once dispatched.
fn started(step: &RunStep) -> RunStep {
    let mut started = step.clone();
    started.status = StepStatus::Running;
    started.started_at = Some(chrono::Utc::now());
    started
}

/// An operator moved the execution between the runner's look and its write (paused it,
/// say): the write was refused by the state table, and the runner simply looks again.
fn or_moved_meanwhile<T: Default>(result: Result<T, StoreError>) -> Result<T, StoreError> {
    match result {
        Err(StoreError::Conflict {
            code: app::error::ConflictCode::WrongState,
            ..
        }) => Ok(T::default()),
        other => other,
    }
}

/// Runs (or, `recovering`, asks again about) one attempt of `step` and records its end,
/// unless the server stops or the lease is lost first. When it succeeds, the phase's next
/// step is started in the same write and run at once, and so on while they succeed.
async fn carry_out(
    holding: &Holding<'_>,
    run: &Run,
    mut step: RunStep,
    mut attempt: u32,
    mut recovering: bool,
) -> Result<Progress, StoreError> {
    let Holding { engine, fence, .. } = *holding;
    loop {
        let step_run = StepRun::new(
            engine,
            fence,
            run,
            &step,
            attempt,
            recovering,
            holding.records,
        );
        let end = if run.state == ExecutionState::Cancelled {
            Some(cancelled(&step))
        } else {
            tokio::select! {
                end = perform(&step_run) => Some(end?),
                stopped = stopped_by_operator(holding, &step) => stopped?,
                () = holding.held.cancelled() => return Ok(Progress::Stopped),
                // A wait goes on counting after the restart; a platform step is let end.
                () = engine.stop.cancelled(), if waits(&step) => return Ok(Progress::Stopped),
            }
        };
        // Ended by an operator meanwhile (abandoned): nothing of this attempt is recorded
        // as its end.
        let Some(end) = end else {
            holding.records.flush().await?;
            return Ok(Progress::Moved);
        };
        holding.records.flush().await?;
        let next = run
            .after(&step)
            .filter(|next| next.status == StepStatus::Pending)
            .filter(|_| !engine.stop.is_cancelled());
        let ended =
            transitions::end_step(&engine.store, fence, step.id, end, next.map(|s| s.id)).await?;
        engine.publish(ended.events);
        match (next, ended.next_attempt) {
            (Some(next), Some(next_attempt)) => {
                step = started(next);
                attempt = next_attempt;
                recovering = false;
            }
            _ => return Ok(Progress::Moved),
        }
    }
}

/// Whether the step only waits (for time or for a person): stopping it loses nothing.
fn waits(step: &RunStep) -> bool {
    matches!(
        step.spec,
        StepSpec::Wait { .. } | StepSpec::ManualConfirm { .. }
    )
}

/// How a running step ends when its execution is cancelled: a wait or a confirmation did
/// nothing and is cancelled; a step with calls under way stops following them, and what
/// they did is unknown.
fn cancelled(step: &RunStep) -> StepEnd {
    match waits(step) {
        true => StepEnd::Cancelled,
        false => StepEnd::Interrupted(
            "the execution was cancelled while the step's calls were under way: they are no \
             longer followed, and what they did is unknown (see the platform)"
                .to_owned(),
        ),
    }
}

/// Returns when an operator's command ends the running `step` from outside: the
/// execution was cancelled (`Some`: how the step ends), or the step is no longer running
/// (`None`: abandoned). Other wake-ups (a pause) are left for after the step.
async fn stopped_by_operator(
    holding: &Holding<'_>,
    step: &RunStep,
) -> Result<Option<StepEnd>, StoreError> {
    loop {
        holding.mailbox.notify.notified().await;
        // This future is dropped when the step ends first; the look it started runs to
        // its end on its own task, rather than being cut off (which costs the pool that
        // connection: the driver closes a connection whose query was cut off).
        let (store, id) = (holding.engine.store.clone(), holding.fence.execution);
        let now = tokio::spawn(async move { run::load(&store, id).await })
            .await
            .map_err(|e| {
                StoreError::internal(format!("the look at the execution failed: {e}"))
            })??;
        if now.state == ExecutionState::Cancelled {
            return Ok(Some(cancelled(step)));
        }
        if now
            .steps
            .iter()
            .any(|s| s.id == step.id && s.status != StepStatus::Running)
        {
            return Ok(None);
        }
        holding
            .mailbox
            .dirty
            .store(true, std::sync::atomic::Ordering::SeqCst);
    }
}

/// What the step does, by its type.
async fn perform(run: &StepRun<'_>) -> Outcome {
    let step = run.step;
    let target = step.target.as_ref();
    let needs_target = || {
        Ok(StepEnd::Failed(
            "the step has no resolved target".to_owned(),
        ))
    };
    match &step.spec {
        StepSpec::TrafficCut { drain_seconds, .. } => match target {
            Some(target) => traffic::cut(run, target, *drain_seconds).await,
            None => needs_target(),
        },
        StepSpec::TrafficRestore { weight_percent, .. } => match target {
            Some(target) => traffic::restore(run, target, *weight_percent).await,
            None => needs_target(),
        },
        StepSpec::AppRestart {
            timeout_seconds, ..
        } => match target {
            Some(target) => restart::restart(run, target, *timeout_seconds).await,
            None => needs_target(),
        },
        StepSpec::DbSwitchover { .. } => match target {
            Some(target) => database::move_primary(run, target, true).await,
            None => needs_target(),
        },
        StepSpec::DbSwitchback { .. } => match target {
            Some(target) => database::move_primary(run, target, false).await,
            None => needs_target(),
        },
        StepSpec::Wait { seconds } => control::wait(run, *seconds).await,
        StepSpec::ManualConfirm { instruction } => control::confirm(run, instruction).await,
        StepSpec::HttpCall {
            method,
            url,
            body,
            expect_status,
            timeout_seconds,
        } => http::call(run, *method, url, body, *expect_status, *timeout_seconds).await,
    }
}
