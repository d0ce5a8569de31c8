//! The steps that are one platform operation (`traffic.cut`, `traffic.restore`,
//! `db.switchover`, `db.switchback`): the call is made through the step's config and
//! followed to its end; the step ends as the operation does.

use super::platform::endpoint;
use super::step::{Outcome, StepRun};
use app::domain::execution::target::Via;
use app::domain::execution::view::LogLevel;
use app::store::executions::transitions::StepEnd;
use tokio::time::Instant;

/// One platform operation as the whole step: succeeded, or why not.
pub(super) async fn call(
    run: &StepRun<'_>,
    via: &Via,
    path: &'static str,
    body: &impl serde::Serialize,
    deadline: Instant,
) -> Outcome {
    let endpoint = match endpoint(run, via).await {
        Ok(endpoint) => endpoint,
        Err(error) => return error.into_end(),
    };
    let body = match serde_json::to_value(body) {
        Ok(body) => body,
        Err(error) => {
            return Ok(StepEnd::Failed(format!(
                "cannot write the request: {error}"
            )));
        }
    };
    match endpoint.operate(run, 0, path, &body, deadline).await {
        Ok(operation) => {
            run.log(LogLevel::Info, format!("done: {}", operation.message))
                .await;
            Ok(StepEnd::Succeeded)
        }
        Err(error) => error.into_end(),
    }
}
