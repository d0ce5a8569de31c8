//! The engine's HTTP side of a platform call: where and as whom a step calls, the
//! request with its key and run context, repeats with backoff until the deadline, the
//! operation followed by long poll, and answers read up to `MAX_ANSWER` bytes, kept
//! within the API's bounds (`Operation::bounded`) and with the config's credentials
//! hidden (`Redactor`) before anything logs, stores or streams them. What each answer
//! means for the call's record is noted here too, as it arrives.

use super::CallError;
use crate::engine::step::StepRun;
use app::domain::execution::target::Via;
use app::domain::execution::view::{CallStatus, LogLevel};
use app::domain::ids::ConnectionConfigId;
use app::domain::platform::{
    ErrorCode, MAX_LOG_LINES, MAX_MESSAGE, Operation, PlatformError, RUN_CONTEXT_HEADERS, paths,
};
use app::platform_answer::{Unread, read_json, transport};
use app::redact::Redactor;
use app::store::StoreError;
use app::store::executions::run;
use app::store::executions::step_records::{NewCall, Write};
use backon::{ExponentialBuilder, Retryable};
use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
use reqwest::{Method, RequestBuilder, StatusCode};
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

/// The engine's one HTTP client (connection pool shared by every step).
pub(in crate::engine) fn http_client() -> reqwest::Client {
    reqwest::Client::builder()
        .connect_timeout(CONNECT_TIMEOUT)
        .timeout(REQUEST_TIMEOUT)
        .build()
        .unwrap_or_default()
}

/// Where and as whom a step calls a platform.
pub(in crate::engine) struct Endpoint {
    base: String,
    username: String,
    password: Option<String>,
    config: (ConnectionConfigId, String),
    redactor: Redactor,
}

/// The config a step calls through `via`, with its credentials; a step whose data
/// center has no such config fails, saying which is missing.
pub(in crate::engine) async fn endpoint(
    run: &StepRun<'_>,
    via: &Via,
) -> Result<Endpoint, CallError> {
    let store = &run.engine.store;
    let config = run::config(store, via, run.run.drill)
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
    let redactor = Redactor::new(&username, password.as_deref());
    Ok(Endpoint {
        base: format!("http://{host}:{port}"),
        username,
        password,
        config,
        redactor,
    })
}

/// One failed try: worth repeating or not.
pub(super) enum Try {
    Again(String),
    Final(CallError),
}

impl Endpoint {
    /// The config's name, for logs and reasons.
    pub(super) fn name(&self) -> &str {
        &self.config.1
    }

    pub(super) fn request(&self, run: &StepRun<'_>, method: Method, path: &str) -> RequestBuilder {
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

    /// Writes the call's record before it leaves.
    pub(super) async fn record(
        &self,
        run: &StepRun<'_>,
        key: &str,
        path: &str,
    ) -> Result<(), CallError> {
        let call = NewCall {
            step: run.step.id,
            attempt: run.attempt,
            idempotency_key: key.to_owned(),
            config: Some(self.config.clone()),
            method: "POST",
            path: path.to_owned(),
        };
        run.records
            .write(Write::Sent(call))
            .await
            .map(|_| ())
            .map_err(CallError::Engine)
    }

    /// Queues what an answer said about the call (written before the step ends).
    pub(super) async fn note(
        &self,
        run: &StepRun<'_>,
        call: &str,
        status: CallStatus,
        operation: Option<&str>,
        http: Option<u16>,
    ) {
        run.records
            .queue(Write::Answered {
                key: call.to_owned(),
                status,
                operation_id: operation.map(str::to_owned),
                http_status: http,
            })
            .await;
    }

    /// What one answer to a POST means.
    pub(super) async fn answer(
        &self,
        run: &StepRun<'_>,
        call: &str,
        response: reqwest::Result<reqwest::Response>,
    ) -> Result<Operation, Try> {
        let response = response.map_err(|e| Try::Again(transport(&e)))?;
        let status = response.status();
        if status.is_server_error() {
            return Err(Try::Again(format!("HTTP {status} from {}", self.config.1)));
        }
        let http = Some(status.as_u16());
        if status.is_success() {
            let operation = self
                .read_operation(response)
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
                // Hidden before it is cut, so no cut leaves part of a credential.
                let message = app::domain::text::cut(&self.redactor.text(&e.message), MAX_MESSAGE);
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
    pub(super) async fn repeat<T, F, Fut>(
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
    pub(super) async fn follow(
        &self,
        run: &StepRun<'_>,
        call: &str,
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
                self.read_operation(response)
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
    pub(super) async fn ended(
        &self,
        run: &StepRun<'_>,
        call: &str,
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

impl Endpoint {
    /// A success the engine cannot use. Cut short on the way, it is asked again (with
    /// the same key) while the deadline allows; whole and unusable, asking again would
    /// bring the same, so the call's outcome is unknown at once: it was accepted, and
    /// may have acted.
    fn unclear(&self, unread: Unread) -> Try {
        let unread = match unread {
            Unread::Lost(why) => Unread::Lost(self.redactor.text(&why)),
            Unread::Unusable(why) => Unread::Unusable(self.redactor.text(&why)),
        };
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

impl Endpoint {
    /// Reads an operation, keeps it within the API's bounds and hides the config's
    /// credentials in its text. An id that holds them cannot be recorded or shown: the
    /// answer is unusable.
    async fn read_operation(&self, response: reqwest::Response) -> Result<Operation, Unread> {
        let mut operation = read_json::<Operation>(response).await?;
        if self.redactor.reveals(&operation.id) {
            return Err(Unread::Unusable(
                "an operation id that holds the config's credentials".to_owned(),
            ));
        }
        // Hidden before it is cut, so no cut leaves part of a credential.
        operation.kind = self.redactor.text(&operation.kind);
        operation.message = self.redactor.text(&operation.message);
        for line in operation.log.iter_mut().take(MAX_LOG_LINES) {
            *line = self.redactor.text(line);
        }
        operation.bounded().map_err(Unread::Unusable)
    }
}
