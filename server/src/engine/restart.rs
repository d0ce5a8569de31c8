//! `app.restart`: the product group's applications in one data center, level by level
//! (dependencies first); the applications of one level restart in parallel, at most
//! `restart_parallelism` at once, each waited for until it reports healthy. A level with
//! a failure ends the step: the next level never starts on a broken dependency.

use super::platform::CallError;
use super::platform::endpoint;
use super::step::{Outcome, StepRun};
use app::domain::execution::target::StepTarget;
use app::domain::execution::view::LogLevel;
use app::domain::platform::{ApplicationRestart, paths};
use app::store::executions::transitions::StepEnd;
use futures_util::StreamExt;
use std::time::Duration;
use tokio::time::Instant;

pub(super) async fn restart(
    run: &StepRun<'_>,
    target: &StepTarget,
    timeout_seconds: u32,
) -> Outcome {
    let StepTarget::Restart {
        product_group,
        data_center,
        levels,
        via,
    } = target
    else {
        return Ok(StepEnd::Failed(
            "the step's target is not a restart".to_owned(),
        ));
    };
    let endpoint = match endpoint(run, via).await {
        Ok(endpoint) => endpoint,
        Err(error) => return error.into_end(),
    };
    let started = run.step.started_at.map_or_else(Instant::now, |at| {
        let ran = (chrono::Utc::now() - at).to_std().unwrap_or_default();
        Instant::now().checked_sub(ran).unwrap_or_else(Instant::now)
    });
    let deadline = started + Duration::from_secs(timeout_seconds.into());
    let mut n = 0;
    for (index, level) in levels.iter().enumerate() {
        run.log(
            LogLevel::Info,
            format!(
                "level {} of {} in {}: restarting {}",
                index + 1,
                levels.len(),
                data_center.name,
                level.join(", ")
            ),
        )
        .await;
        let mut calls: Vec<futures_util::future::BoxFuture<'_, _>> = Vec::new();
        for application in level {
            let call = n;
            n += 1;
            let endpoint = &endpoint;
            calls.push(Box::pin(async move {
                let body = serde_json::json!(ApplicationRestart {
                    product_group: product_group.clone(),
                    application: application.clone(),
                    data_center: data_center.name.clone(),
                });
                let outcome = endpoint
                    .operate(run, call, paths::APPLICATION_RESTART, &body, deadline)
                    .await;
                (application, outcome)
            }));
        }
        let results: Vec<_> = futures_util::stream::iter(calls)
            .buffer_unordered(run.engine.config.restart_parallelism.max(1))
            .collect()
            .await;
        let healthy = results
            .iter()
            .filter(|(_, outcome)| outcome.is_ok())
            .count();
        run.log(
            LogLevel::Info,
            format!("level {}: {healthy} of {} healthy", index + 1, level.len()),
        )
        .await;
        let mut failures = Vec::new();
        let mut unanswered = false;
        for (application, outcome) in results {
            let why = match outcome {
                Ok(_) => continue,
                Err(CallError::Engine(error)) => return Err(error),
                Err(CallError::Refused(why)) => why,
                Err(CallError::Unanswered(why)) => {
                    unanswered = true;
                    why
                }
            };
            run.log(LogLevel::Error, format!("{application}: {why}"))
                .await;
            failures.push(format!("{application} ({why})"));
        }
        if !failures.is_empty() {
            let why = format!(
                "level {} did not come back: {}; later levels were not restarted",
                index + 1,
                failures.join("; ")
            );
            // One application whose restart may have happened unseen makes the whole
            // step's outcome unknown: an operator decides, and a retry asks first.
            return Ok(if unanswered {
                StepEnd::Interrupted(why)
            } else {
                StepEnd::Failed(why)
            });
        }
    }
    Ok(StepEnd::Succeeded)
}
