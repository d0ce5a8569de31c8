//! `http.call`: one request to the URL the plan gives, succeeding when the answer has the
//! expected status. A URL's service promises nothing about repeats, so only a request
//! that never left (no connection) is sent again, within the step's timeout; one that
//! may have arrived and got no answer (or that a restart cut short) leaves the step
//! interrupted for an operator to decide. Any answer, 5xx included, is an answer.

use super::step::{Outcome, StepRun};
use app::domain::execution::view::{CallStatus, LogLevel};
use app::domain::platform::IDEMPOTENCY_KEY;
use app::domain::step::HttpMethod;
use app::redact::Redactor;
use app::store::executions::step_records::{NewCall, Write};
use app::store::executions::transitions::StepEnd;
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
) -> Outcome {
    let key = run.key(0);
    // A URL's user-info (refused in plans now, kept in versions approved before) is
    // sent, never shown: logs, records and reasons show the URL without it.
    let redactor = Redactor::of_url(url);
    let shown = Redactor::shown_url(url);
    let said = |error: &reqwest::Error| redactor.text(&error.to_string());
    if run.recovering
        && let Some(call) = run
            .earlier_call(0)
            .await?
            .filter(|call| call.attempt == run.attempt)
    {
        return Ok(match call.status {
            CallStatus::Succeeded => StepEnd::Succeeded,
            CallStatus::Failed => StepEnd::Failed(format!(
                "{shown} answered HTTP {} before the restart",
                call.http_status.map_or("-".to_owned(), |s| s.to_string())
            )),
            _ => StepEnd::Interrupted(format!(
                "the server restarted during the call to {shown}; whether it arrived is unknown"
            )),
        });
    }
    // Nothing is sent (nor recorded as sent) where the rule does not allow it.
    let destination = match run.engine.config.outbound.check(url).await {
        Ok(destination) => destination,
        Err(why) => {
            let why = redactor.text(&why);
            run.log(LogLevel::Error, &why).await;
            return Ok(StepEnd::Failed(why));
        }
    };
    let client = match destination.client(reqwest::Client::builder()) {
        Ok(client) => client,
        Err(error) => {
            return Ok(StepEnd::Failed(format!(
                "{shown}: {}; nothing was sent",
                said(&error)
            )));
        }
    };
    let new = NewCall {
        step: run.step.id,
        attempt: run.attempt,
        idempotency_key: key.clone(),
        config: None,
        method: method.as_str(),
        path: shown.clone(),
    };
    run.records.write(Write::Sent(new)).await?;
    let method = Method::from_bytes(method.as_str().as_bytes()).unwrap_or(Method::GET);
    let limit = Duration::from_secs(timeout_seconds.into());
    run.log(
        LogLevel::Info,
        format!("{method} {shown}, expecting HTTP {expect_status}"),
    )
    .await;
    let send = || async {
        let mut request = client
            .request(method.clone(), url)
            .timeout(limit)
            .header(IDEMPOTENCY_KEY, &key);
        if !body.is_empty() {
            request = request
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .body(body.to_owned());
        }
        request.send().await.map(|response| response.status())
    };
    // Only a request that never left (no connection) is sent again: the URL's service
    // promises nothing about repeats, so one that may have arrived is never repeated.
    let backoff = ExponentialBuilder::default()
        .with_min_delay(Duration::from_millis(200))
        .with_max_delay(Duration::from_secs(5))
        .with_jitter()
        .without_max_times();
    let last_error = std::sync::Mutex::new(None::<String>);
    let sent = send
        .retry(backoff)
        .sleep(tokio::time::sleep)
        .when(reqwest::Error::is_connect)
        .notify(|error, _| {
            *last_error.lock().unwrap_or_else(|e| e.into_inner()) = Some(said(error))
        });
    let answered = tokio::time::timeout(limit, sent).await;
    let never_left = |why: String| (CallStatus::Failed, StepEnd::Failed(why), None);
    let (status, end, http) = match answered {
        Ok(Ok(status)) if status.as_u16() == expect_status => (
            CallStatus::Succeeded,
            StepEnd::Succeeded,
            Some(status.as_u16()),
        ),
        Ok(Ok(status)) => (
            CallStatus::Failed,
            StepEnd::Failed(format!(
                "{shown} answered HTTP {status}, not {expect_status}"
            )),
            Some(status.as_u16()),
        ),
        Ok(Err(error)) if error.is_connect() => never_left(format!(
            "{shown}: cannot connect ({}); nothing was sent",
            said(&error)
        )),
        Ok(Err(error)) => (
            CallStatus::Unknown,
            StepEnd::Interrupted(format!(
                "{shown}: {}; the request may have arrived, so it is not sent again",
                said(&error)
            )),
            None,
        ),
        Err(_) => match last_error.lock().unwrap_or_else(|e| e.into_inner()).take() {
            Some(error) => never_left(format!(
                "{shown}: cannot connect within {timeout_seconds} s ({error}); nothing was sent"
            )),
            None => (
                CallStatus::Unknown,
                StepEnd::Interrupted(format!(
                    "{shown} gave no answer within {timeout_seconds} s; the request may have arrived, so it is not sent again"
                )),
                None,
            ),
        },
    };
    run.records
        .queue(Write::Answered {
            key: key.clone(),
            status,
            operation_id: None,
            http_status: http,
        })
        .await;
    Ok(end)
}
