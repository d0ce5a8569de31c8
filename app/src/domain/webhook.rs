//! Webhooks: the console tells other systems (chat, paging, a ticket queue) what happened.
//! An admin names a URL, a secret and the events it wants; each message is a signed JSON
//! POST. This module holds what is shared with the browser: the events, the form and its
//! rules, the views of webhooks and deliveries, which execution change tells which event
//! (pure), the payloads, and the retry schedule.

use crate::domain::choice::choice;
use crate::domain::event::{Change, ExecutionEvent};
use crate::domain::execution::view::ExecutionSummary;
use crate::domain::execution::{ExecutionState, StepStatus};
use crate::domain::ids::{ExecutionId, PlanId, WebhookId};
use crate::domain::plan::Phase;
use crate::domain::plan::readiness::ReadinessState;
use crate::domain::valid::Valid;
use crate::error::FieldError;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::time::Duration;

choice! {
    /// What a webhook can be told.
    WebhookEvent {
        /// A phase was started: the switchover, or later the recovery.
        ExecutionStarted = "execution.started", "Execution started";
        /// A step failed or was interrupted: the execution is blocked until an operator
        /// retries, skips or marks it done.
        StepFailed = "step.failed", "Step failed or interrupted";
        /// A manual confirmation step waits for a person.
        ExecutionWaiting = "execution.waiting", "Waiting for confirmation";
        /// The switchover phase finished; the recovery waits to be started.
        SwitchoverDone = "execution.switchover_done", "Switchover done";
        ExecutionCompleted = "execution.completed", "Execution completed";
        ExecutionCancelled = "execution.cancelled", "Execution cancelled";
        /// A plan's readiness evaluation found problems (it was ready or not evaluated).
        PlanNeedsAttention = "plan.needs_attention", "Plan needs attention";
        /// A plan that needed attention is ready again.
        PlanReady = "plan.ready", "Plan ready again";
        /// Sent only when an admin asks (Send a test message), whatever the webhook's events.
        Ping = "ping", "Test message";
    }
}

choice! {
    /// Where one delivery stands.
    DeliveryStatus {
        /// Not delivered yet: its next attempt is due at `next_attempt_at`.
        Pending = "pending", "Pending";
        Delivered = "delivered", "Delivered";
        /// Every attempt failed; no more are made.
        Failed = "failed", "Failed";
    }
}

/// The header carrying the signature: `sha256=` and the hex HMAC-SHA256 of the body,
/// keyed with the webhook's secret.
pub const SIGNATURE_HEADER: &str = "X-Switchyard-Signature";
/// The header naming the event (`step.failed`, …).
pub const EVENT_HEADER: &str = "X-Switchyard-Event";
/// The header carrying the delivery's number: the same on every attempt of one message,
/// so a receiver can drop a message it already has.
pub const DELIVERY_HEADER: &str = "X-Switchyard-Delivery";

/// How many attempts a delivery gets before it is recorded as failed.
pub const MAX_ATTEMPTS: u32 = 7;

/// How long to wait after failed attempt `attempts` (1 for the first) before the next,
/// given the first wait; `None` once no attempt is left. The waits grow 1, 3, 12, 60,
/// 180, 360 times the first (10 s by default: 10 s, 30 s, 2 min, 10 min, 30 min, 1 h).
pub fn retry_after(attempts: u32, first: Duration) -> Option<Duration> {
    const FACTORS: [u32; MAX_ATTEMPTS as usize - 1] = [1, 3, 12, 60, 180, 360];
    let index = usize::try_from(attempts.checked_sub(1)?).ok()?;
    FACTORS.get(index).map(|factor| first * *factor)
}

/// A webhook as admins see it; the secret is never sent back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Webhook {
    pub id: WebhookId,
    pub name: String,
    pub url: String,
    pub events: Vec<WebhookEvent>,
    pub enabled: bool,
    pub revision: u32,
    pub created_at: DateTime<Utc>,
}

/// The form that creates or edits a webhook.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookForm {
    pub name: String,
    pub url: String,
    /// The signing secret; `None` on edit keeps the stored one.
    pub secret: Option<String>,
    pub events: Vec<WebhookEvent>,
    pub enabled: bool,
}

/// The events a webhook may subscribe to (a test message is sent only on request).
pub fn subscribable() -> impl Iterator<Item = WebhookEvent> {
    WebhookEvent::ALL
        .into_iter()
        .filter(|event| *event != WebhookEvent::Ping)
}

impl WebhookForm {
    /// The trimmed form, or every problem next to its field. The URL's address is
    /// checked again when a message is sent (the same rule as an `http.call` step's).
    pub fn validate(&self) -> Result<Valid<Self>, Vec<FieldError>> {
        let mut errors = Vec::new();
        let name = self.name.trim();
        if name.is_empty() || name.chars().count() > 100 {
            errors.push(FieldError::new(
                "name",
                "is required, at most 100 characters",
            ));
        }
        let url = self.url.trim();
        if let Some(problem) = url_problem(url) {
            errors.push(FieldError::new("url", problem));
        }
        if let Some(secret) = &self.secret
            && !(16..=200).contains(&secret.chars().count())
        {
            errors.push(FieldError::new("secret", "must be 16 to 200 characters"));
        }
        // In the one order of the list, each once.
        let events: Vec<WebhookEvent> = subscribable()
            .filter(|event| self.events.contains(event))
            .collect();
        if events.is_empty() {
            errors.push(FieldError::new("events", "choose at least one event"));
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(Valid::vouch(Self {
            name: name.to_owned(),
            url: url.to_owned(),
            events,
            ..self.clone()
        }))
    }
}

/// Why `url` cannot be a webhook's address, if it cannot.
fn url_problem(url: &str) -> Option<&'static str> {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"));
    let Some(rest) = rest else {
        return Some("must start with http:// or https://");
    };
    if url.len() > 2000 {
        return Some("must be at most 2000 characters");
    }
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Some("must not contain spaces");
    }
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if authority.is_empty() || authority.contains('@') {
        return Some("must name a host (and no user name or password)");
    }
    None
}

/// One message to one webhook, as the deliveries page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Delivery {
    pub id: u64,
    pub webhook_id: WebhookId,
    pub webhook: String,
    pub event: WebhookEvent,
    /// What it is about: "execution 12, event 45", "plan 3".
    pub subject: String,
    pub status: DeliveryStatus,
    pub attempts: u32,
    /// The receiver's HTTP status on the latest attempt, if it answered.
    pub last_status: Option<u16>,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    /// When the next attempt is due (pending only).
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
}

/// A message to be sent to every webhook that wants its event.
#[derive(Debug, Clone, PartialEq)]
pub struct Notification {
    pub event: WebhookEvent,
    pub subject: String,
    pub payload: Payload,
}

/// The JSON body of every delivery (README: Webhooks).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Payload {
    pub event: WebhookEvent,
    /// When it happened (not when it was sent).
    pub at: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub execution: Option<ExecutionPart>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step: Option<StepPart>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plan: Option<PlanPart>,
    /// The human sentence a chat message can show as it is.
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExecutionPart {
    pub id: ExecutionId,
    /// The console's page of it, from the console's root.
    pub path: String,
    pub plan_id: Option<PlanId>,
    pub plan: String,
    pub plan_version: u32,
    pub failed_data_center: String,
    pub emergency_data_center: String,
    pub drill: bool,
    pub state: ExecutionState,
    pub started_by: Option<String>,
    pub rto_minutes: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepPart {
    pub phase: Phase,
    pub position: u32,
    /// The title the plan gave it, or what it does ("Cut traffic").
    pub title: String,
    pub status: StepStatus,
    pub attempts: u32,
    pub error: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanPart {
    pub id: PlanId,
    pub name: String,
    pub path: String,
    pub readiness: ReadinessState,
    pub problems: Vec<String>,
}

impl ExecutionPart {
    fn of(summary: &ExecutionSummary) -> Self {
        Self {
            id: summary.id,
            path: format!("/executions/{}", summary.id),
            plan_id: summary.plan_id,
            plan: summary.plan_name.clone(),
            plan_version: summary.plan_version,
            failed_data_center: summary.failed.name.clone(),
            emergency_data_center: summary.emergency.name.clone(),
            drill: summary.drill,
            state: summary.state,
            started_by: summary.started_by.clone(),
            rto_minutes: summary.rto_minutes,
        }
    }

    /// "Drill #12 of Data center power loss (Shanghai-A → Hangzhou-B)".
    fn named(&self) -> String {
        format!(
            "{} #{} of {} ({} → {})",
            if self.drill { "Drill" } else { "Execution" },
            self.id,
            self.plan,
            self.failed_data_center,
            self.emergency_data_center
        )
    }
}

/// The event an execution change may tell. A move to running tells a start only when it
/// came from created or from switchover done (not a resume or a retry): see
/// [`for_execution_event`], which is given the state before.
pub fn candidate(change: &Change) -> Option<WebhookEvent> {
    match change {
        Change::Execution(summary) => match summary.state {
            ExecutionState::Running(_) => Some(WebhookEvent::ExecutionStarted),
            ExecutionState::SwitchoverDone => Some(WebhookEvent::SwitchoverDone),
            ExecutionState::Completed => Some(WebhookEvent::ExecutionCompleted),
            ExecutionState::Cancelled => Some(WebhookEvent::ExecutionCancelled),
            ExecutionState::Created | ExecutionState::Paused(_) | ExecutionState::Blocked(_) => {
                None
            }
        },
        Change::Step(step) => match step.status {
            StepStatus::Failed | StepStatus::Interrupted => Some(WebhookEvent::StepFailed),
            StepStatus::Waiting => Some(WebhookEvent::ExecutionWaiting),
            _ => None,
        },
        _ => None,
    }
}

/// What one committed execution event tells webhooks, if anything. `summary` is the
/// execution as of this event; `before` is its state before the event (needed only when
/// [`candidate`] says `ExecutionStarted`).
pub fn for_execution_event(
    event: &ExecutionEvent,
    summary: &ExecutionSummary,
    before: Option<ExecutionState>,
) -> Option<Notification> {
    let kind = candidate(&event.change)?;
    let started = matches!(
        before,
        Some(ExecutionState::Created | ExecutionState::SwitchoverDone)
    );
    if kind == WebhookEvent::ExecutionStarted && !started {
        return None;
    }
    let execution = ExecutionPart::of(summary);
    let subject = format!("execution {}, event {}", event.execution_id, event.seq);
    let (step, what) = match &event.change {
        Change::Step(step) => {
            let outcome = match kind {
                WebhookEvent::ExecutionWaiting => "waits for confirmation".to_owned(),
                _ => format!(
                    "{}{}",
                    step.status.label().to_lowercase(),
                    step.last_error
                        .as_deref()
                        .map(|e| format!(": {e}"))
                        .unwrap_or_default()
                ),
            };
            let title = step.heading();
            let what = format!(
                "{} step {} ({title}) {outcome}",
                step.phase.label(),
                step.position,
            );
            let part = StepPart {
                phase: step.phase,
                position: step.position,
                title,
                status: step.status,
                attempts: step.attempts,
                error: step.last_error.clone(),
            };
            (Some(part), what)
        }
        _ => {
            let what = match summary.state {
                ExecutionState::Running(phase) => format!("{} started", phase.label()),
                state => state.label().to_lowercase(),
            };
            (None, what)
        }
    };
    let text = format!("{}: {what}", execution.named());
    Some(Notification {
        event: kind,
        subject,
        payload: Payload {
            event: kind,
            at: event.at,
            execution: Some(execution),
            step,
            plan: None,
            text: crate::domain::text::cut(&text, 1000),
        },
    })
}

/// What a new readiness verdict tells webhooks, if anything: only a change from ready
/// (or never evaluated) to needing attention, and back.
pub fn for_readiness(
    plan: PlanId,
    name: &str,
    before: Option<ReadinessState>,
    now: ReadinessState,
    problems: &[String],
    at: DateTime<Utc>,
) -> Option<Notification> {
    let needed_attention = before == Some(ReadinessState::NeedsAttention);
    let kind = match now {
        ReadinessState::NeedsAttention if !needed_attention => WebhookEvent::PlanNeedsAttention,
        ReadinessState::Ready if needed_attention => WebhookEvent::PlanReady,
        _ => return None,
    };
    let text = match kind {
        WebhookEvent::PlanReady => format!("Plan {name} is ready again"),
        _ => format!("Plan {name} needs attention: {}", problems.join("; ")),
    };
    Some(Notification {
        event: kind,
        subject: format!("plan {plan}"),
        payload: Payload {
            event: kind,
            at,
            execution: None,
            step: None,
            plan: Some(PlanPart {
                id: plan,
                name: name.to_owned(),
                path: format!("/plans/{plan}"),
                readiness: now,
                problems: problems.to_vec(),
            }),
            text: crate::domain::text::cut(&text, 1000),
        },
    })
}

/// The test message an admin sends to check a webhook.
pub fn ping(webhook: &str, asked_by: &str, at: DateTime<Utc>) -> Notification {
    Notification {
        event: WebhookEvent::Ping,
        subject: format!("test by {asked_by}"),
        payload: Payload {
            event: WebhookEvent::Ping,
            at,
            execution: None,
            step: None,
            plan: None,
            text: format!("Test message to webhook {webhook}, sent by {asked_by}"),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_wait_longer_each_time_and_stop() {
        let first = Duration::from_secs(10);
        assert_eq!(retry_after(1, first), Some(Duration::from_secs(10)));
        assert_eq!(retry_after(2, first), Some(Duration::from_secs(30)));
        assert_eq!(retry_after(6, first), Some(Duration::from_secs(3600)));
        assert_eq!(retry_after(MAX_ATTEMPTS, first), None);
        assert_eq!(retry_after(0, first), None);
    }

    #[test]
    fn the_form_wants_a_url_a_secret_and_an_event() {
        let form = WebhookForm {
            name: " Pager ".into(),
            url: "https://hooks.example.com/dr".into(),
            secret: Some("a-secret-of-16-chars".into()),
            events: vec![WebhookEvent::StepFailed, WebhookEvent::Ping],
            enabled: true,
        };
        let valid = form.validate().unwrap();
        assert_eq!(valid.name, "Pager");
        assert_eq!(valid.events, vec![WebhookEvent::StepFailed], "no ping");

        for (url, field) in [
            ("ftp://x", "url"),
            ("https://", "url"),
            ("https://user:pw@host/", "url"),
            ("https://host/a b", "url"),
        ] {
            let bad = WebhookForm {
                url: url.into(),
                ..form.clone()
            };
            let errors = bad.validate().unwrap_err();
            assert!(errors.iter().any(|e| e.field == field), "{url}: {errors:?}");
        }
        let short = WebhookForm {
            secret: Some("short".into()),
            events: vec![],
            ..form.clone()
        };
        let errors = short.validate().unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["secret", "events"]);
        let keep = WebhookForm {
            secret: None,
            ..form
        };
        assert!(keep.validate().is_ok(), "an edit may keep the secret");
    }

    #[test]
    fn a_start_is_told_only_from_created_or_switchover_done_and_a_failed_step_with_its_error() {
        use crate::domain::execution::examples;
        use ExecutionState::*;
        let event = |change: Change| ExecutionEvent {
            execution_id: ExecutionId(7),
            seq: 4,
            at: Utc::now(),
            change,
        };
        let mut running = examples::summary(7, 4);
        running.state = Running(Phase::Switchover);
        let moved = event(Change::Execution(running.clone()));
        let told = |before| for_execution_event(&moved, &running, before).map(|n| n.event);
        assert_eq!(told(Some(Created)), Some(WebhookEvent::ExecutionStarted));
        assert_eq!(
            told(Some(SwitchoverDone)),
            Some(WebhookEvent::ExecutionStarted)
        );
        assert_eq!(told(Some(Blocked(Phase::Switchover))), None, "a retry");
        assert_eq!(told(Some(Paused(Phase::Switchover))), None, "a resume");

        let mut step = examples::step(2);
        step.status = StepStatus::Interrupted;
        step.title = "Cut traffic".into();
        step.last_error = Some("no answer".into());
        let failed =
            for_execution_event(&event(Change::Step(step.clone())), &running, None).unwrap();
        assert_eq!(failed.event, WebhookEvent::StepFailed);
        assert_eq!(failed.subject, "execution 7, event 4");
        let part = failed.payload.step.unwrap();
        assert_eq!(
            (part.position, part.error.as_deref()),
            (2, Some("no answer"))
        );
        assert!(
            failed
                .payload
                .text
                .contains("step 2 (Cut traffic) interrupted: no answer")
        );

        step.status = StepStatus::Succeeded;
        assert_eq!(
            for_execution_event(&event(Change::Step(step)), &running, None),
            None
        );
    }

    #[test]
    fn readiness_tells_only_a_flip() {
        use ReadinessState::*;
        let at = Utc::now();
        let problems = vec!["config sim-a does not answer".to_owned()];
        let tell = |before, now| {
            for_readiness(PlanId(3), "Power loss", before, now, &problems, at).map(|n| n.event)
        };
        assert_eq!(
            tell(None, NeedsAttention),
            Some(WebhookEvent::PlanNeedsAttention)
        );
        assert_eq!(
            tell(Some(Ready), NeedsAttention),
            Some(WebhookEvent::PlanNeedsAttention)
        );
        assert_eq!(tell(Some(NeedsAttention), NeedsAttention), None);
        assert_eq!(
            tell(Some(NeedsAttention), Ready),
            Some(WebhookEvent::PlanReady)
        );
        assert_eq!(tell(Some(Ready), Ready), None);
        assert_eq!(tell(None, Ready), None);
    }
}
