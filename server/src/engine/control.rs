//! The control steps: `wait` waits (counting from when the step started, so a restart
//! does not wait again from zero, and stopping early when the execution is cancelled),
//! and `manual.confirm` hands over to a person: the step waits until someone with the
//! right role confirms it (`executions/confirm_step`).

use super::step::StepRun;
use app::domain::execution::ExecutionState;
use app::domain::execution::view::LogLevel;
use app::store::executions::engine::StepEnd;
use std::time::Duration;

pub(super) async fn wait(run: &StepRun<'_>, seconds: u32) -> StepEnd {
    let total = Duration::from_secs(seconds.into());
    let waited = run
        .step
        .started_at
        .and_then(|at| (chrono::Utc::now() - at).to_std().ok())
        .unwrap_or_default();
    let until = tokio::time::Instant::now() + total.saturating_sub(waited);
    run.log(LogLevel::Info, format!("waiting {seconds} s"))
        .await;
    loop {
        tokio::select! {
            () = tokio::time::sleep_until(until) => return StepEnd::Succeeded,
            () = run.mailbox.notify.notified() => {
                let state = app::store::executions::engine::load(&run.engine.store, run.fence.execution)
                    .await
                    .map(|r| r.state);
                if matches!(state, Ok(ExecutionState::Cancelled)) {
                    return StepEnd::Failed("the execution was cancelled during the wait".to_owned());
                }
                // Woken for something else (a pause takes effect after the wait).
                run.mailbox.dirty.store(true, std::sync::atomic::Ordering::SeqCst);
            }
        }
    }
}

pub(super) async fn confirm(run: &StepRun<'_>, instruction: &str) -> StepEnd {
    run.log(
        LogLevel::Info,
        format!("waiting for an operator or admin to confirm: {instruction}"),
    )
    .await;
    StepEnd::Waiting
}
