//! Executions (预案执行单): everyone signed in reads them (auditors included: they watch);
//! operators and admins run the pre-check, create them and drive them. Each control is
//! its own server function, checked against the role table and audited; whether the
//! execution's state allows it is the state table's answer (`domain::execution`). After
//! a change commits, its events go on the bus (the live channel) and the engine is woken.

use crate::domain::execution::view::{
    ExecutionDetail, ExecutionFilter, ExecutionStepId, ExecutionSummary, NewExecution, PreCheck,
    StepRecord,
};
use crate::domain::ids::ExecutionId;
use crate::error::AppError;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

#[cfg(feature = "ssr")]
use crate::domain::execution::Command;
#[cfg(feature = "ssr")]
use crate::domain::role::Action;

/// The newest executions first (at most 500), optionally only those in one state.
#[server(endpoint = "executions/list", input = Json, output = Json)]
pub async fn list_executions(filter: ExecutionFilter) -> Result<Vec<ExecutionSummary>, AppError> {
    super::server_side::run(Action::ListExecutions, None, async |actor| {
        Ok(crate::store::executions::list(&actor.auth.store, &filter).await?)
    })
    .await
}

/// The run history the filter selects, newest first (at most 10,000 runs), as CSV text
/// (`domain::execution::history_csv`).
#[server(endpoint = "executions/export", input = Json, output = Json)]
pub async fn export_executions(filter: ExecutionFilter) -> Result<String, AppError> {
    super::server_side::run(Action::ExportExecutions, None, async |actor| {
        let runs = crate::store::executions::history(&actor.auth.store, &filter).await?;
        Ok(crate::domain::execution::history_csv::history_csv(&runs))
    })
    .await
}

/// Adds a comment to an execution (while it runs or after); watchers get it live.
#[server(endpoint = "executions/comment", input = Json, output = Json)]
pub async fn comment_execution(
    id: ExecutionId,
    text: String,
) -> Result<crate::domain::execution::view::ExecutionComment, AppError> {
    use crate::store::audit::Target;
    super::server_side::run(
        Action::CommentExecution,
        Some(Target::new("execution", id)),
        async |actor| {
            let services = crate::services::Services::current()?;
            let (comment, event) =
                crate::store::executions::comment(&actor.auth.store, &actor.record(), id, &text)
                    .await?;
            services.bus.publish([event]);
            Ok(comment)
        },
    )
    .await
}

/// One execution with the steps of both phases.
#[server(endpoint = "executions/get", input = Json, output = Json)]
pub async fn get_execution(id: ExecutionId) -> Result<ExecutionDetail, AppError> {
    super::server_side::run(Action::GetExecution, None, async |actor| {
        Ok(crate::store::executions::get(&actor.auth.store, id).await?)
    })
    .await
}

/// A step's log and the platform calls it made.
#[server(endpoint = "executions/step_record", input = Json, output = Json)]
pub async fn get_step_record(
    execution: ExecutionId,
    step: ExecutionStepId,
) -> Result<StepRecord, AppError> {
    super::server_side::run(Action::GetStepRecord, None, async |actor| {
        Ok(crate::store::executions::step_record(&actor.auth.store, execution, step).await?)
    })
    .await
}

/// The report of an execution: its facts, each step's timeline, the controls people
/// used, comments and the logs of failed attempts (`domain::execution::report`).
#[server(endpoint = "executions/report", input = Json, output = Json)]
pub async fn execution_report(
    id: ExecutionId,
) -> Result<crate::domain::execution::report::ExecutionReport, AppError> {
    super::server_side::run(Action::GetExecutionReport, None, async |actor| {
        Ok(crate::store::executions::report(&actor.auth.store, id).await?)
    })
    .await
}

/// The report's steps as CSV text (`domain::execution::report_csv`).
#[server(endpoint = "executions/report_csv", input = Json, output = Json)]
pub async fn execution_report_csv(id: ExecutionId) -> Result<String, AppError> {
    super::server_side::run(Action::ExportExecutionReport, None, async |actor| {
        let report = crate::store::executions::report(&actor.auth.store, id).await?;
        Ok(crate::domain::execution::report_csv::report_csv(&report))
    })
    .await
}

/// Every connection config the plan's steps will call for these data centers, and
/// whether each answers now (asked in parallel, a few seconds at most).
#[server(endpoint = "executions/pre_check", input = Json, output = Json)]
pub async fn pre_check_execution(new: NewExecution) -> Result<PreCheck, AppError> {
    super::server_side::run(Action::PreCheckExecution, None, async |actor| {
        let store = &actor.auth.store;
        let needs = crate::store::executions::needs(
            store,
            new.plan_id,
            new.failed,
            new.emergency,
            new.drill,
        )
        .await?;
        // Each config is asked with its stored credentials, recorded as such.
        let asks = needs.iter().enumerate().filter_map(|(index, need)| {
            let id = need.config.as_ref()?.0;
            let actor = &actor;
            Some(async move { (index, crate::probe::test_stored(actor, id).await) })
        });
        let mut answers = vec![None; needs.len()];
        for (index, answer) in futures::future::join_all(asks).await {
            answers[index] = Some(answer?);
        }
        Ok(PreCheck {
            items: needs
                .into_iter()
                .zip(answers)
                .map(
                    |(need, answer)| crate::domain::execution::view::PreCheckItem {
                        data_center: need.via.data_center,
                        platform: need.via.platform,
                        config: need.config,
                        needed_by: need.needed_by,
                        answer,
                    },
                )
                .collect(),
        })
    })
    .await
}

/// Creates an execution of the plan's active version (state `created`; nothing runs
/// until it is started).
#[server(endpoint = "executions/create", input = Json, output = Json)]
pub async fn create_execution(new: NewExecution) -> Result<ExecutionDetail, AppError> {
    super::server_side::run(Action::CreateExecution, None, async |actor| {
        let services = crate::services::Services::current()?;
        let (detail, event) =
            crate::store::executions::create(&actor.auth.store, &actor.record(), &new).await?;
        services.bus.publish([event]);
        Ok(detail)
    })
    .await
}

/// Carries out an operator's command and tells the live channel and the engine.
#[cfg(feature = "ssr")]
async fn control(
    action: Action,
    id: ExecutionId,
    command: Command,
) -> Result<Option<ExecutionDetail>, AppError> {
    use crate::store::audit::Target;
    super::server_side::run(action, Some(Target::new("execution", id)), async |actor| {
        let services = crate::services::Services::current()?;
        let done = crate::store::executions::command(
            &actor.auth.store,
            &actor.record(),
            id,
            &command,
            services.engine.claimant(),
        )
        .await?;
        match &done.detail {
            Some(_) => services.bus.publish(done.events),
            None => services.bus.removed(id),
        }
        services.engine.wake(id);
        Ok(done.detail)
    })
    .await
}

/// `control` for commands that always leave the execution in place.
#[cfg(feature = "ssr")]
async fn kept(
    action: Action,
    id: ExecutionId,
    command: Command,
) -> Result<ExecutionDetail, AppError> {
    control(action, id, command)
        .await?
        .ok_or_else(|| AppError::not_found(format!("execution {id}")))
}

/// Starts switchover (a created execution) or recovery (after switchover is done).
#[server(endpoint = "executions/start", input = Json, output = Json)]
pub async fn start_execution(id: ExecutionId) -> Result<ExecutionDetail, AppError> {
    kept(Action::StartExecution, id, Command::Start).await
}

/// Stops after the step that runs now.
#[server(endpoint = "executions/pause", input = Json, output = Json)]
pub async fn pause_execution(id: ExecutionId) -> Result<ExecutionDetail, AppError> {
    kept(Action::PauseExecution, id, Command::Pause).await
}

#[server(endpoint = "executions/resume", input = Json, output = Json)]
pub async fn resume_execution(id: ExecutionId) -> Result<ExecutionDetail, AppError> {
    kept(Action::ResumeExecution, id, Command::Resume).await
}

/// Cancels it: before the start it is removed (the audit log keeps it, and `None` comes
/// back); after, it stops at once: a wait or a confirmation is cancelled, a step whose
/// calls are under way stops following them and is interrupted.
#[server(endpoint = "executions/cancel", input = Json, output = Json)]
pub async fn cancel_execution(id: ExecutionId) -> Result<Option<ExecutionDetail>, AppError> {
    control(Action::CancelExecution, id, Command::Cancel).await
}

/// Tries the failed or interrupted step again.
#[server(endpoint = "executions/retry_step", input = Json, output = Json)]
pub async fn retry_step(
    id: ExecutionId,
    step: ExecutionStepId,
) -> Result<ExecutionDetail, AppError> {
    kept(Action::RetryStep, id, Command::Retry { step }).await
}

/// Skips the failed or interrupted step, saying why.
#[server(endpoint = "executions/skip_step", input = Json, output = Json)]
pub async fn skip_step(
    id: ExecutionId,
    step: ExecutionStepId,
    reason: String,
) -> Result<ExecutionDetail, AppError> {
    kept(Action::SkipStep, id, Command::Skip { step, reason }).await
}

/// Records that the failed or interrupted step was done outside Switchyard, and why.
#[server(endpoint = "executions/mark_step_done", input = Json, output = Json)]
pub async fn mark_step_done(
    id: ExecutionId,
    step: ExecutionStepId,
    reason: String,
) -> Result<ExecutionDetail, AppError> {
    kept(Action::MarkStepDone, id, Command::MarkDone { step, reason }).await
}

/// Gives up on a running step whose calls hang, saying why: they are no longer followed,
/// and the step is interrupted (what they did is unknown) for a retry, skip or mark-done.
#[server(endpoint = "executions/abandon_step", input = Json, output = Json)]
pub async fn abandon_step(
    id: ExecutionId,
    step: ExecutionStepId,
    reason: String,
) -> Result<ExecutionDetail, AppError> {
    kept(Action::AbandonStep, id, Command::Abandon { step, reason }).await
}

/// Confirms a manual step that waits for a person; who confirmed is recorded.
#[server(endpoint = "executions/confirm_step", input = Json, output = Json)]
pub async fn confirm_step(
    id: ExecutionId,
    step: ExecutionStepId,
) -> Result<ExecutionDetail, AppError> {
    kept(Action::ConfirmStep, id, Command::Confirm { step }).await
}
