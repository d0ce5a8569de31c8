//! Calls to the platforms (platform API v1): every call is recorded before it leaves,
//! carries its idempotency key and the run context, is repeated with the same key while
//! the platform does not answer or answers 5xx (until the step's deadline), and its
//! operation is followed until it ends. An answer is read up to `MAX_ANSWER` bytes and
//! kept within the API's bounds (`Operation::bounded`).
//!
//! What an earlier try left is settled before anything new is sent. After a restart the
//! same call is asked about again: a recorded outcome is reused, a known operation is
//! followed, and a call that may or may not have arrived is sent again with the same key
//! (the platform acts at most once per key). On an operator's Retry, the earlier
//! attempt's call is taken when it succeeded and sent again with *its* key when its
//! outcome is unknown; only a call that failed is made anew, with a new key. A call with
//! no answer by the deadline leaves the step interrupted, never failed.

use super::step::{Outcome, StepRun};
use app::domain::execution::target::Via;
use app::domain::execution::view::{CallStatus, LogLevel, StepCall};
use app::domain::ids::ConnectionConfigId;
use app::domain::platform::{
    ErrorCode, IDEMPOTENCY_KEY, MAX_MESSAGE, Operation, PlatformError, RUN_CONTEXT_HEADERS, paths,
};
use app::store::StoreError;
use app::store::executions::engine::{self as store, StepEnd};
use app::store::executions::journal::{NewCall, Write};
use backon::{ExponentialBuilder, Retryable};
use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
use reqwest::{Method, RequestBuilder, StatusCode};
use serde::de::DeserializeOwned;
use std::time::Duration;
use tokio::time::Instant;

/// How long one request may take before it counts as unanswered (and is repeated).
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(3);
/// Backoff between repeats of an unanswered call.
const RETRY_MIN: Duration = Duration::from_millis(100);
const RETRY_MAX: Duration = Duration::from_secs(5);
/// How long a call found after a restart is still asked about when the step's deadline
/// has passed already.
const LAST_ASK: Duration = Duration::from_secs(10);
/// How long the platform is asked to hold its answer while an operation runs (a long
/// poll, `?wait_ms=`): it answers as soon as the operation ends.
const FOLLOW_WAIT: Duration = Duration::from_secs(5);
/// How often a running operation is asked about, at most, when the platform answers at
/// once (it ignores `wait_ms`): quickly at first, then calmly.
const FOLLOW_FIRST: Duration = Duration::from_millis(10);
const FOLLOW_MAX: Duration = Duration::from_secs(1);
/// The largest answer read from a platform; a longer one is not an answer.
const MAX_ANSWER: usize = 1 << 20;

/// The engine's one HTTP client (connection pool shared by every step).
pub(super) fn http_client() -> reqwest::Client {
    reqwest::Client::builder()
        .connect_timeout(CONNECT_TIMEOUT)
        .timeout(REQUEST_TIMEOUT)
        .build()
        .unwrap_or_default()
}

/// Where and as whom a step calls a platform.
pub(super) struct Endpoint {
    base: String,
    username: String,
    password: Option<String>,
    config: (ConnectionConfigId, String),
}

/// The config a step calls through `via`, with its credentials; a step whose data
/// center has no such config fails, saying which is missing.
pub(super) async fn endpoint(run: &StepRun<'_>, via: &Via) -> Result<Endpoint, CallError> {
    let store = &run.engine.store;
    let config = store::config(store, via)
        .await
        .map_err(CallError::Engine)?
        .ok_or_else(|| {
            CallError::Refused(format!(
                "no {} connection config in {}: add one on the Environment page, then retry",
                via.platform.label().to_lowercase(),
                via.data_center.name
            ))
        })?;
    let (host, port, username, password) = app::store::connection_configs::credentials(
        store,
        &run.engine.keys.stored_secrets,
        config.0,
    )
    .await
    .map_err(|e| match e {
        StoreError::NotFound(_) => CallError::Refused(format!(
            "connection config {} is gone: add one on the Environment page, then retry",
            config.1
        )),
        other => CallError::Engine(other),
    })?;
    let host = if host.contains(':') {
        format!("[{host}]")
    } else {
        host
    };
    Ok(Endpoint {
        base: format!("http://{host}:{port}"),
        username,
        password,
        config,
    })
}

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

/// One failed try: worth repeating or not.
enum Try {
    Again(String),
    Final(CallError),
}

impl Endpoint {
    fn request(&self, run: &StepRun<'_>, method: Method, path: &str) -> RequestBuilder {
        let client = &run.engine.http;
        let mut request = client.request(method, format!("{}{path}", self.base));
        if !self.username.is_empty() {
            request = request.basic_auth(&self.username, self.password.as_deref());
        }
        let context = [
            run.fence.execution.to_string(),
            run.phase().as_str().to_owned(),
            run.step.id.to_string(),
            run.attempt.to_string(),
        ];
        for (name, value) in RUN_CONTEXT_HEADERS.iter().zip(context) {
            request = request.header(*name, value);
        }
        request
    }

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
        let (call_id, key) = match earlier {
            Some(call) => match self.settle(run, call, path, deadline).await {
                Settled::Done(outcome) => return outcome,
                Settled::SendAgain(call_id, key) => (call_id, key),
            },
            None => {
                let key = run.key(n);
                (self.record(run, &key, path).await?, key)
            }
        };
        let attempt = || async {
            let response = self
                .request(run, Method::POST, path)
                .header(IDEMPOTENCY_KEY, &key)
                .json(body)
                .send()
                .await;
            self.answer(run, call_id, response).await
        };
        let operation = match self.repeat(run, path, deadline, attempt).await {
            Ok(operation) => operation,
            Err(unknown @ CallError::Unanswered(_)) => {
                self.note(run, call_id, CallStatus::Unknown, None, None)
                    .await;
                return Err(unknown);
            }
            Err(error) => return Err(error),
        };
        if operation.is_final() {
            return self.ended(run, call_id, operation).await;
        }
        let id = operation.id.clone();
        self.follow(run, call_id, &id, deadline).await
    }

    /// What to do about `call`, made before this try: reuse its outcome, follow its
    /// operation, or send it again with its own key.
    async fn settle(
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
                        self.config.1
                    ),
                )
                .await;
                Settled::Done(self.follow(run, call.id, operation, deadline).await)
            }
            _ => {
                run.log(
                    LogLevel::Warn,
                    format!(
                        "{path} may have reached {} {before} without an answer: asking again with the same key {key}, which the platform acts on at most once",
                        self.config.1
                    ),
                )
                .await;
                Settled::SendAgain(call.id, key.clone())
            }
        }
    }

    /// Writes the call's record before it leaves.
    async fn record(&self, run: &StepRun<'_>, key: &str, path: &str) -> Result<u64, CallError> {
        let call = NewCall {
            step: run.step.id,
            attempt: run.attempt,
            idempotency_key: key.to_owned(),
            config: Some(self.config.clone()),
            method: "POST",
            path: path.to_owned(),
        };
        run.journal
            .write(Write::Sent(call))
            .await
            .and_then(|written| {
                written
                    .call
                    .ok_or_else(|| StoreError::internal("the call's record has no id"))
            })
            .map_err(CallError::Engine)
    }

    /// Queues what an answer said about the call (written before the step ends).
    async fn note(
        &self,
        run: &StepRun<'_>,
        call: u64,
        status: CallStatus,
        operation: Option<&str>,
        http: Option<u16>,
    ) {
        run.journal
            .queue(Write::Answered {
                call,
                status,
                operation_id: operation.map(str::to_owned),
                http_status: http,
            })
            .await;
    }

    /// What one answer to a POST means.
    async fn answer(
        &self,
        run: &StepRun<'_>,
        call: u64,
        response: reqwest::Result<reqwest::Response>,
    ) -> Result<Operation, Try> {
        let response = response.map_err(|e| Try::Again(transport(&e)))?;
        let status = response.status();
        if status.is_server_error() {
            return Err(Try::Again(format!("HTTP {status} from {}", self.config.1)));
        }
        let http = Some(status.as_u16());
        if status.is_success() {
            let operation = read_operation(response)
                .await
                .map_err(|why| self.unclear(why))?;
            let state = if operation.is_final() {
                None
            } else {
                Some(CallStatus::Accepted)
            };
            if let Some(state) = state {
                self.note(run, call, state, Some(&operation.id), http).await;
            }
            return Ok(operation);
        }
        let refusal = read_json::<PlatformError>(response)
            .await
            .map(|e| {
                let message = app::domain::text::cut(&e.message, MAX_MESSAGE);
                format!("{}: {message}", e.code)
            })
            .unwrap_or_else(|_| format!("HTTP {status}"));
        self.note(run, call, CallStatus::Failed, None, http).await;
        Err(Try::Final(CallError::Refused(format!(
            "{} refused: {refusal}",
            self.config.1
        ))))
    }

    /// Repeats `attempt` with backoff while it is worth repeating, until `deadline`.
    async fn repeat<T, F, Fut>(
        &self,
        run: &StepRun<'_>,
        what: &str,
        deadline: Instant,
        attempt: F,
    ) -> Result<T, CallError>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, Try>>,
    {
        // After a restart the step's deadline may have passed long ago: the platform is
        // still asked before the outcome is called unknown.
        let deadline = if run.recovering {
            deadline.max(Instant::now() + LAST_ASK)
        } else {
            deadline
        };
        let backoff = ExponentialBuilder::default()
            .with_min_delay(RETRY_MIN)
            .with_max_delay(RETRY_MAX)
            .with_jitter()
            .without_max_times();
        let (retries_tx, mut retries_rx) = tokio::sync::mpsc::unbounded_channel::<String>();
        let repeated = attempt
            .retry(backoff)
            .sleep(tokio::time::sleep)
            .when(|e| matches!(e, Try::Again(_)))
            .notify(|e, after| {
                if let Try::Again(why) = e {
                    let _ = retries_tx.send(format!(
                        "{what}: {why}; trying again in {} ms",
                        after.as_millis()
                    ));
                }
            });
        let outcome = tokio::select! {
            outcome = repeated => Some(outcome),
            () = tokio::time::sleep_until(deadline) => None,
        };
        let mut last = None;
        while let Ok(line) = retries_rx.try_recv() {
            run.log(LogLevel::Warn, &line).await;
            last = Some(line);
        }
        match outcome {
            Some(Ok(value)) => Ok(value),
            Some(Err(Try::Final(error))) => Err(error),
            Some(Err(Try::Again(why))) => Err(CallError::Unanswered(why)),
            None => Err(CallError::Unanswered(format!(
                "no answer from {} before the step's deadline{}",
                self.config.1,
                last.map(|l| format!(" (last: {l})")).unwrap_or_default()
            ))),
        }
    }

    /// Follows operation `id` until it ends.
    async fn follow(
        &self,
        run: &StepRun<'_>,
        call: u64,
        id: &str,
        deadline: Instant,
    ) -> Result<Operation, CallError> {
        let encoded = utf8_percent_encode(id, NON_ALPHANUMERIC).to_string();
        let path = paths::operation(&encoded);
        let mut pause = FOLLOW_FIRST;
        loop {
            let asked = Instant::now();
            let wait = FOLLOW_WAIT.min(deadline.saturating_duration_since(asked));
            let waiting = paths::operation_waiting(&encoded, wait.as_millis() as u64);
            let ask = || async {
                let response = self
                    .request(run, Method::GET, &waiting)
                    .send()
                    .await
                    .map_err(|e| Try::Again(transport(&e)))?;
                let status = response.status();
                if status.is_server_error() {
                    return Err(Try::Again(format!("HTTP {status} from {}", self.config.1)));
                }
                if status == StatusCode::NOT_FOUND {
                    let known = read_json::<PlatformError>(response)
                        .await
                        .is_ok_and(|e| e.code != ErrorCode::UnknownOperation);
                    let why = if known {
                        format!("{} has no operation path {path}", self.config.1)
                    } else {
                        format!("{} no longer knows operation {id}", self.config.1)
                    };
                    return Err(Try::Final(CallError::Unanswered(why)));
                }
                if !status.is_success() {
                    return Err(Try::Final(CallError::Unanswered(format!(
                        "HTTP {status} when asking {} about operation {id}",
                        self.config.1
                    ))));
                }
                read_operation(response)
                    .await
                    .map_err(|why| self.unclear(why))
            };
            let operation = match self.repeat(run, &path, deadline, ask).await {
                Ok(operation) => operation,
                Err(error) => {
                    self.note(run, call, CallStatus::Unknown, Some(id), None)
                        .await;
                    return Err(error);
                }
            };
            if operation.is_final() {
                return self.ended(run, call, operation).await;
            }
            if Instant::now() + pause > deadline {
                self.note(run, call, CallStatus::Unknown, Some(id), None)
                    .await;
                return Err(CallError::Unanswered(format!(
                    "operation {id} on {} was still running at the step's deadline",
                    self.config.1
                )));
            }
            tokio::time::sleep(pause.saturating_sub(asked.elapsed())).await;
            pause = (pause * 2).min(FOLLOW_MAX);
        }
    }

    /// Records how the operation ended and copies its log into the step's.
    async fn ended(
        &self,
        run: &StepRun<'_>,
        call: u64,
        operation: Operation,
    ) -> Result<Operation, CallError> {
        use app::domain::platform::OperationState;
        let succeeded = operation.state == OperationState::Succeeded;
        let status = if succeeded {
            CallStatus::Succeeded
        } else {
            CallStatus::Failed
        };
        self.note(run, call, status, Some(&operation.id), Some(200))
            .await;
        for line in &operation.log {
            run.log(LogLevel::Info, format!("{}: {line}", self.config.1))
                .await;
        }
        if succeeded {
            Ok(operation)
        } else {
            Err(CallError::Refused(format!(
                "operation {} on {} failed: {}",
                operation.id, self.config.1, operation.message
            )))
        }
    }
}

/// What settling an earlier try of a call came to.
enum Settled {
    /// Its outcome (or its operation's, followed to the end) is the call's.
    Done(Result<Operation, CallError>),
    /// Send it again, with its record and key.
    SendAgain(u64, String),
}

impl Endpoint {
    /// A success the engine cannot use. Cut short on the way, it is asked again (with
    /// the same key) while the deadline allows; whole and unusable, asking again would
    /// bring the same, so the call's outcome is unknown at once: it was accepted, and
    /// may have acted.
    fn unclear(&self, unread: Unread) -> Try {
        match unread {
            Unread::Lost(why) => {
                Try::Again(format!("the answer from {} was lost: {why}", self.config.1))
            }
            Unread::Unusable(why) => Try::Final(CallError::Unanswered(format!(
                "{} answered with {why}; whether it acted is unknown",
                self.config.1
            ))),
        }
    }
}

/// Why an answer could not be read.
enum Unread {
    /// The connection failed on the way.
    Lost(String),
    /// It came whole, and is too large, not the API's JSON, or out of its bounds.
    Unusable(String),
}

/// Reads a JSON answer of at most `MAX_ANSWER` bytes.
async fn read_json<T: DeserializeOwned>(mut response: reqwest::Response) -> Result<T, Unread> {
    if let Some(length) = response.content_length()
        && length > MAX_ANSWER as u64
    {
        return Err(Unread::Unusable(format!(
            "{length} bytes (at most {MAX_ANSWER} are read)"
        )));
    }
    let mut body = Vec::new();
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| Unread::Lost(transport(&e)))?
    {
        if body.len() + chunk.len() > MAX_ANSWER {
            return Err(Unread::Unusable(format!("more than {MAX_ANSWER} bytes")));
        }
        body.extend_from_slice(&chunk);
    }
    serde_json::from_slice(&body).map_err(|e| {
        let e = app::domain::text::cut(&e.to_string(), 200);
        Unread::Unusable(format!("something unreadable ({e})"))
    })
}

/// Reads an operation and keeps it within the API's bounds.
async fn read_operation(response: reqwest::Response) -> Result<Operation, Unread> {
    read_json::<Operation>(response)
        .await?
        .bounded()
        .map_err(Unread::Unusable)
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

/// A transport failure, said briefly.
fn transport(error: &reqwest::Error) -> String {
    if error.is_timeout() {
        "no answer in time".to_owned()
    } else if error.is_connect() {
        "cannot connect".to_owned()
    } else {
        format!("the connection failed ({error})")
    }
}
