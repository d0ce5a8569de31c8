//! Calls to the platforms (platform API v1), and what settles them. Every call is
//! recorded before it leaves, carries its idempotency key and the run context, is
//! repeated with the same key while the platform does not answer or answers 5xx (until
//! the step's deadline), and its operation is followed until it ends ([`client`]: the
//! HTTP side, answers read within the API's bounds).
//!
//! What an earlier try left is settled before anything new is sent ([`settle`]). After a
//! restart the same call is asked about again: a recorded outcome is reused, a known
//! operation is followed, and a call that may or may not have arrived is sent again with
//! the same key (the platform acts at most once per key). On an operator's Retry, the
//! earlier attempt's call is taken when it succeeded and sent again with *its* key when
//! its outcome is unknown; only a call that failed is made anew, with a new key. A call
//! with no answer by the deadline leaves the step interrupted, never failed.

mod client;
mod settle;

pub(super) use client::{Endpoint, endpoint, http_client};

use super::step::{Outcome, StepRun};
use app::domain::execution::view::CallStatus;
use app::domain::platform::{IDEMPOTENCY_KEY, Operation};
use app::store::StoreError;
use app::store::executions::transitions::StepEnd;
use reqwest::Method;
use settle::Settled;
use tokio::time::Instant;

/// Why a call did not succeed.
#[derive(Debug)]
pub(super) enum CallError {
    /// The platform refused it, or its operation failed: a definite answer. The step
    /// fails.
    Refused(String),
    /// No answer that says what happened, until the deadline: the call may have acted.
    /// The step is interrupted; a retry asks about the call by its key first.
    Unanswered(String),
    /// The engine could not keep its records: the step stays running and is carried
    /// out again shortly.
    Engine(StoreError),
}

impl CallError {
    pub fn into_end(self) -> Outcome {
        match self {
            Self::Refused(why) => Ok(StepEnd::Failed(why)),
            Self::Unanswered(why) => Ok(StepEnd::Interrupted(why)),
            Self::Engine(error) => Err(error),
        }
    }
}

impl Endpoint {
    /// Makes the call `n` of the step (`POST path` with `body`), or settles what an
    /// earlier try of it left, and follows its operation to the end. `Ok` when it
    /// succeeded.
    pub async fn operate(
        &self,
        run: &StepRun<'_>,
        n: usize,
        path: &'static str,
        body: &serde_json::Value,
        deadline: Instant,
    ) -> Result<Operation, CallError> {
        let earlier = run.earlier_call(n).await.map_err(CallError::Engine)?;
        let key = match earlier {
            Some(call) => match self.settle(run, call, path, deadline).await {
                Settled::Done(outcome) => return outcome,
                Settled::SendAgain(key) => key,
            },
            None => {
                let key = run.key(n);
                self.record(run, &key, path).await?;
                key
            }
        };
        let attempt = || async {
            let response = self
                .request(run, Method::POST, path)
                .header(IDEMPOTENCY_KEY, &key)
                .json(body)
                .send()
                .await;
            self.answer(run, &key, response).await
        };
        let operation = match self.repeat(run, path, deadline, attempt).await {
            Ok(operation) => operation,
            Err(unknown @ CallError::Unanswered(_)) => {
                self.note(run, &key, CallStatus::Unknown, None, None).await;
                return Err(unknown);
            }
            Err(error) => return Err(error),
        };
        if operation.is_final() {
            return self.ended(run, &key, operation).await;
        }
        let id = operation.id.clone();
        self.follow(run, &key, &id, deadline).await
    }
}
