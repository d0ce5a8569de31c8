//! The control steps: `wait` waits (counting from when the step started, so a restart
//! does not wait again from zero; the runner ends it early when the execution is
//! cancelled),
//! and `manual.confirm` hands over to a person: the step waits until someone with the
//! right role confirms it (`executions/confirm_step`).

use super::step::{Outcome, StepRun};
use app::domain::execution::view::LogLevel;
use app::store::executions::transitions::StepEnd;
use std::time::Duration;

pub(super) async fn wait(run: &StepRun<'_>, seconds: u32) -> Outcome {
    let total = Duration::from_secs(seconds.into());
    let waited = run
        .step
        .started_at
        .and_then(|at| (chrono::Utc::now() - at).to_std().ok())
        .unwrap_or_default();
    let until = tokio::time::Instant::now() + total.saturating_sub(waited);
    run.log(LogLevel::Info, format!("waiting {seconds} s"))
        .await;
    // Cancelling the execution ends the wait early (the runner watches for it).
    tokio::time::sleep_until(until).await;
    Ok(StepEnd::Succeeded)
}

pub(super) async fn confirm(run: &StepRun<'_>, instruction: &str) -> Outcome {
    run.log(
        LogLevel::Info,
        format!("waiting for an operator or admin to confirm: {instruction}"),
    )
    .await;
    Ok(StepEnd::Waiting)
}
