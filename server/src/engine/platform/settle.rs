//! What a call made before this try left, and what to do about it: reuse its outcome,
//! follow its operation, or send it again with its own key.

use super::{CallError, Endpoint};
use crate::engine::step::StepRun;
use app::domain::execution::view::{CallStatus, LogLevel, StepCall};
use app::domain::platform::Operation;
use tokio::time::Instant;

/// What settling an earlier try of a call came to.
pub(super) enum Settled {
    /// Its outcome (or its operation's, followed to the end) is the call's.
    Done(Result<Operation, CallError>),
    /// Send it again, with its key.
    SendAgain(String),
}

impl Endpoint {
    /// What to do about `call`, made before this try: reuse its outcome, follow its
    /// operation, or send it again with its own key.
    pub(super) async fn settle(
        &self,
        run: &StepRun<'_>,
        call: StepCall,
        path: &str,
        deadline: Instant,
    ) -> Settled {
        let key = &call.idempotency_key;
        let before = if call.attempt == run.attempt {
            "before the restart".to_owned()
        } else {
            format!("in attempt {}", call.attempt)
        };
        match (call.status, &call.operation_id) {
            (CallStatus::Succeeded, id) => {
                let id = id.as_deref().unwrap_or("-");
                run.log(
                    LogLevel::Info,
                    format!("{key}: succeeded {before} (operation {id}); not made again"),
                )
                .await;
                Settled::Done(Ok(finished(id)))
            }
            (CallStatus::Failed, _) => Settled::Done(Err(CallError::Refused(format!(
                "{path} failed {before} (HTTP {})",
                call.http_status.map_or("-".to_owned(), |s| s.to_string())
            )))),
            // The same attempt's operation, after a restart: followed. The platform that
            // no longer knows it cannot say whether it acted: an operator decides.
            (_, Some(operation)) if call.attempt == run.attempt => {
                run.log(
                    LogLevel::Info,
                    format!(
                        "asking {} about operation {operation} again {before}",
                        self.name()
                    ),
                )
                .await;
                Settled::Done(self.follow(run, key, operation, deadline).await)
            }
            _ => {
                run.log(
                    LogLevel::Warn,
                    format!(
                        "{path} may have reached {} {before} without an answer: asking again with the same key {key}, which the platform acts on at most once",
                        self.name()
                    ),
                )
                .await;
                Settled::SendAgain(key.clone())
            }
        }
    }
}

/// A stand-in for an operation that succeeded before a restart.
fn finished(id: &str) -> Operation {
    Operation {
        id: id.to_owned(),
        kind: String::new(),
        state: app::domain::platform::OperationState::Succeeded,
        message: "succeeded before the restart".to_owned(),
        log: Vec::new(),
    }
}
