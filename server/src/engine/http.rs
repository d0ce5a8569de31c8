//! `http.call`: one request to the URL the plan gives, repeated while it gets no answer
//! or a 5xx (within the step's timeout), succeeding when the status is the expected one.
//! A URL's service promises nothing about repeats, so after a restart a call that may
//! have arrived is not sent again: the step is interrupted for an operator to decide.

use super::step::StepRun;
use app::domain::execution::view::{CallStatus, LogLevel};
use app::domain::platform::IDEMPOTENCY_KEY;
use app::domain::step_spec::HttpMethod;
use app::store::executions::engine::{self as store, StepEnd};
use app::store::executions::journal::{NewCall, Write, Written};
use backon::{ExponentialBuilder, Retryable};
use reqwest::Method;
use std::time::Duration;

pub(super) async fn call(
    run: &StepRun<'_>,
    method: HttpMethod,
    url: &str,
    body: &str,
    expect_status: u16,
    timeout_seconds: u32,
) -> StepEnd {
    let key = run.key(0);
    let engine_store = &run.engine.store;
    if run.recovering {
        let recorded = store::calls(engine_store, run.step.id, run.attempt)
            .await
            .unwrap_or_default();
        if let Some(call) = recorded.into_iter().find(|c| c.idempotency_key == key) {
            return match call.status {
                CallStatus::Succeeded => StepEnd::Succeeded,
                CallStatus::Failed => StepEnd::Failed(format!(
                    "{url} answered HTTP {} before the restart",
                    call.http_status.map_or("-".to_owned(), |s| s.to_string())
                )),
                _ => StepEnd::Interrupted(format!(
                    "the server restarted during the call to {url}; whether it arrived is unknown"
                )),
            };
        }
    }
    let new = NewCall {
        step: run.step.id,
        attempt: run.attempt,
        idempotency_key: key.clone(),
        config: None,
        method: method.as_str(),
        path: url.to_owned(),
    };
    let call_id = match run.journal.write(Write::Sent(new)).await {
        Ok(Written { call: Some(id), .. }) => id,
        Ok(_) => return run.unanswered("cannot record the call".to_owned()),
        Err(error) => return run.unanswered(format!("cannot record the call: {error}")),
    };
    let method = Method::from_bytes(method.as_str().as_bytes()).unwrap_or(Method::GET);
    let limit = Duration::from_secs(timeout_seconds.into());
    run.log(
        LogLevel::Info,
        format!("{method} {url}, expecting HTTP {expect_status}"),
    )
    .await;
    let send = || async {
        let mut request = run
            .engine
            .http
            .request(method.clone(), url)
            .timeout(limit)
            .header(IDEMPOTENCY_KEY, &key);
        if !body.is_empty() {
            request = request
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .body(body.to_owned());
        }
        let response = request.send().await.map_err(|e| e.to_string())?;
        let status = response.status();
        if status.is_server_error() {
            return Err(format!("HTTP {status}"));
        }
        Ok(status)
    };
    let backoff = ExponentialBuilder::default()
        .with_min_delay(Duration::from_millis(200))
        .with_max_delay(Duration::from_secs(5))
        .with_jitter()
        .without_max_times();
    let answered = tokio::time::timeout(limit, send.retry(backoff).sleep(tokio::time::sleep)).await;
    let http = match &answered {
        Ok(Ok(status)) => Some(status.as_u16()),
        _ => None,
    };
    let (status, end) = match answered {
        Ok(Ok(status)) if status.as_u16() == expect_status => {
            (CallStatus::Succeeded, StepEnd::Succeeded)
        }
        Ok(Ok(status)) => (
            CallStatus::Failed,
            StepEnd::Failed(format!("{url} answered HTTP {status}, not {expect_status}")),
        ),
        Ok(Err(why)) => (
            CallStatus::Unknown,
            StepEnd::Failed(format!("{url}: {why}")),
        ),
        Err(_) => (
            CallStatus::Unknown,
            StepEnd::Failed(format!(
                "{url} gave no usable answer within {timeout_seconds} s"
            )),
        ),
    };
    run.journal
        .queue(Write::Answered {
            call: call_id,
            status,
            operation_id: None,
            http_status: http,
        })
        .await;
    end
}
