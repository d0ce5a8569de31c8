//! Calls to the platforms (platform API v1): every call is recorded before it leaves,
//! carries its idempotency key and the run context, is repeated with backoff while the
//! platform does not answer or answers 5xx (until the step's deadline), and its
//! operation is followed until it ends. After a restart the same call is asked about
//! again by its key: a recorded outcome is reused, a known operation is followed, and a
//! call that may or may not have arrived is sent again with the same key (the platform
//! acts at most once per key).

use super::step::StepRun;
use app::domain::execution::target::Via;
use app::domain::execution::view::{CallStatus, LogLevel};
use app::domain::ids::ConnectionConfigId;
use app::domain::platform::{
    ErrorCode, IDEMPOTENCY_KEY, Operation, PlatformError, RUN_CONTEXT_HEADERS, paths,
};
use app::store::executions::engine::{self as store, StepEnd};
use app::store::executions::journal::{NewCall, Write};
use backon::{ExponentialBuilder, Retryable};
use reqwest::{Method, RequestBuilder, StatusCode};
use std::time::Duration;
use tokio::time::Instant;

/// How long one request may take before it counts as unanswered (and is repeated).
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(3);
/// Backoff between repeats of an unanswered call.
const RETRY_MIN: Duration = Duration::from_millis(100);
const RETRY_MAX: Duration = Duration::from_secs(5);
/// How long the platform is asked to hold its answer while an operation runs (a long
/// poll, `?wait_ms=`): it answers as soon as the operation ends.
const FOLLOW_WAIT: Duration = Duration::from_secs(5);
/// How often a running operation is asked about, at most, when the platform answers at
/// once (it ignores `wait_ms`): quickly at first, then calmly.
const FOLLOW_FIRST: Duration = Duration::from_millis(10);
const FOLLOW_MAX: Duration = Duration::from_secs(1);

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
pub(super) async fn endpoint(run: &StepRun<'_>, via: &Via) -> Result<Endpoint, StepEnd> {
    let store = &run.engine.store;
    let trouble = |what: String| StepEnd::Failed(what);
    let config = store::config(store, via)
        .await
        .map_err(|e| run.unanswered(format!("cannot read the connection configs: {e}")))?
        .ok_or_else(|| {
            trouble(format!(
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
    .map_err(|e| trouble(format!("cannot read connection config {}: {e}", config.1)))?;
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
    /// The platform refused it, or its operation failed: a definite answer.
    Refused(String),
    /// No answer that says what happened, until the deadline.
    Unanswered(String),
}

impl CallError {
    pub fn into_end(self, run: &StepRun<'_>) -> StepEnd {
        match self {
            Self::Refused(why) => StepEnd::Failed(why),
            Self::Unanswered(why) => run.unanswered(why),
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

    /// Makes the call `n` of the step (`POST path` with `body`), or asks about it again
    /// after a restart, and follows its operation to the end. `Ok` when it succeeded.
    pub async fn operate(
        &self,
        run: &StepRun<'_>,
        n: usize,
        path: &'static str,
        body: &serde_json::Value,
        deadline: Instant,
    ) -> Result<Operation, CallError> {
        let key = run.key(n);
        let store = &run.engine.store;
        let recorded = if run.recovering {
            store::calls(store, run.step.id, run.attempt)
                .await
                .map_err(|e| CallError::Unanswered(format!("cannot read the call record: {e}")))?
                .into_iter()
                .find(|c| c.idempotency_key == key)
        } else {
            None
        };
        let call_id = match &recorded {
            Some(call) => match (call.status, &call.operation_id) {
                (CallStatus::Succeeded, Some(id)) => {
                    run.log(
                        LogLevel::Info,
                        format!("{key}: succeeded before the restart (operation {id})"),
                    )
                    .await;
                    return Ok(finished(id));
                }
                (CallStatus::Failed, _) => {
                    return Err(CallError::Refused(format!(
                        "{path} failed before the restart (HTTP {})",
                        call.http_status.map_or("-".to_owned(), |s| s.to_string())
                    )));
                }
                (_, Some(operation)) => {
                    run.log(
                        LogLevel::Info,
                        format!(
                            "asking {} about operation {operation} again after a restart",
                            self.config.1
                        ),
                    )
                    .await;
                    return self.follow(run, call.id, operation, deadline).await;
                }
                _ => {
                    run.log(LogLevel::Warn, format!("{path} may not have reached {} before the restart: sending it again with the same key {key}", self.config.1)).await;
                    call.id
                }
            },
            None => self.record(run, &key, path).await?,
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
        let operation = self.repeat(run, path, deadline, attempt).await?;
        if operation.is_final() {
            return self.ended(run, call_id, operation).await;
        }
        let id = operation.id.clone();
        self.follow(run, call_id, &id, deadline).await
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
            .ok()
            .and_then(|written| written.call)
            .ok_or_else(|| CallError::Unanswered("cannot record the call".to_owned()))
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
            let operation: Operation = response.json().await.map_err(|e| {
                Try::Again(format!("unreadable answer from {}: {e}", self.config.1))
            })?;
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
        let refusal = response
            .json::<PlatformError>()
            .await
            .map(|e| format!("{}: {}", e.code, e.message))
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
        let path = paths::operation(id);
        let mut pause = FOLLOW_FIRST;
        loop {
            let asked = Instant::now();
            let wait = FOLLOW_WAIT.min(deadline.saturating_duration_since(asked));
            let waiting = paths::operation_waiting(id, wait.as_millis() as u64);
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
                    let known = response
                        .json::<PlatformError>()
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
                response.json::<Operation>().await.map_err(|e| {
                    Try::Again(format!("unreadable operation from {}: {e}", self.config.1))
                })
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
