//! The report of an execution, for the auditors and product owners who ask afterwards
//! "how long were we down, who did what, and where did the time go": the run's facts,
//! each step's timeline replayed from its stored events (platform work, waits for a
//! person's confirmation and time blocked on an operator's decision told apart), each
//! restart's applications side by side, the log of every failed attempt, every control
//! people used and their comments.

use super::StepStatus;
use super::target::StepTarget;
use super::view::{
    CallStatus, ExecutionComment, ExecutionStep, ExecutionStepId, ExecutionSummary, StepCall,
    StepLogLine,
};
use crate::domain::plan::Phase;
use crate::domain::role::Role;
use chrono::{DateTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Everything the report page and its downloads show.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExecutionReport {
    pub summary: ExecutionSummary,
    /// Both phases' steps, in order.
    pub steps: Vec<StepReport>,
    /// Every control people used on it, oldest first (the audit log's entries).
    pub controls: Vec<ControlUse>,
    pub comments: Vec<ExecutionComment>,
    /// When the report was made: where the timeline ends while the run goes on.
    pub made_at: DateTime<Utc>,
}

/// One step of the report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepReport {
    pub id: ExecutionStepId,
    pub phase: Phase,
    pub position: u32,
    pub heading: String,
    /// The step's opcode ("app.restart").
    pub opcode: String,
    pub status: StepStatus,
    pub attempts: u32,
    /// What its time went to, in order.
    pub spans: Vec<StepSpan>,
    /// A restart's applications, level by level: each one's latest call.
    pub applications: Vec<ApplicationBar>,
    /// Attempts that failed or were interrupted, with their logs.
    pub failures: Vec<FailedAttempt>,
    /// Who confirmed, skipped or marked it done, and why.
    pub decided_by: Option<String>,
    pub reason: Option<String>,
}

/// What a stretch of a step's time went to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SpanKind {
    /// The step ran: platform calls, or a timed wait.
    Work,
    /// It waited for a person's confirmation.
    Confirmation,
    /// It failed or was interrupted, and waited for an operator to retry, skip or mark
    /// it done.
    Decision,
}

impl SpanKind {
    /// What the legend calls it.
    pub fn label(self) -> &'static str {
        match self {
            Self::Work => "Running (platform work)",
            Self::Confirmation => "Waiting for confirmation",
            Self::Decision => "Blocked, waiting for an operator",
        }
    }

    /// Whether the time waited for people rather than platforms.
    pub fn is_people(self) -> bool {
        self != Self::Work
    }

    fn of(status: StepStatus) -> Option<Self> {
        match status {
            StepStatus::Running => Some(Self::Work),
            StepStatus::Waiting => Some(Self::Confirmation),
            StepStatus::Failed | StepStatus::Interrupted => Some(Self::Decision),
            _ => None,
        }
    }
}

/// One stretch of a step's time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepSpan {
    pub attempt: u32,
    pub kind: SpanKind,
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
}

impl StepSpan {
    pub fn took(&self) -> TimeDelta {
        self.to - self.from
    }
}

/// One application of a restart step: its latest call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApplicationBar {
    /// 1-based restart level.
    pub level: u32,
    pub application: String,
    pub attempt: u32,
    pub status: CallStatus,
    pub from: DateTime<Utc>,
    /// `None` while it has no answer.
    pub to: Option<DateTime<Utc>>,
}

/// An attempt that failed or was interrupted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FailedAttempt {
    pub attempt: u32,
    pub at: DateTime<Utc>,
    pub error: Option<String>,
    /// Its log, the newest `FAILED_LOG_LINES` lines at most.
    pub lines: Vec<StepLogLine>,
    /// How many older lines the report leaves out (the step's page has them all).
    pub left_out: usize,
}

/// The most log lines the report keeps of one failed attempt.
pub const FAILED_LOG_LINES: usize = 100;

/// A control someone used: an audited command on the execution.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ControlUse {
    pub at: DateTime<Utc>,
    pub who: String,
    pub role: Option<Role>,
    /// The endpoint ("executions/retry").
    pub action: String,
    /// What it did, with the reason given ("retry step 3: the gateway was back").
    pub note: Option<String>,
}

/// A step as one of its events carried it, and when.
pub type StepEvent = (DateTime<Utc>, ExecutionStep);

/// How the run ended, in the words of a history report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// It has not finished: the report holds what happened so far.
    InProgress,
    Succeeded,
    /// Finished, with steps people skipped, marked done or retried.
    Warnings(Vec<String>),
    Cancelled,
}

impl ExecutionReport {
    /// Puts the report together: `step_events` are the execution's step events in order,
    /// `calls` and `lines` the calls and log lines of its steps.
    pub fn build(
        detail: super::view::ExecutionDetail,
        step_events: &[StepEvent],
        calls: &[(ExecutionStepId, StepCall)],
        lines: &[(ExecutionStepId, StepLogLine)],
        controls: Vec<ControlUse>,
        made_at: DateTime<Utc>,
    ) -> Self {
        let end = detail.summary.finished_at.unwrap_or(made_at);
        let mut replayed = replay(step_events, end);
        let steps = detail
            .steps
            .iter()
            .map(|step| {
                let (spans, failed) = replayed.remove(&step.id).unwrap_or_default();
                StepReport {
                    id: step.id,
                    phase: step.phase,
                    position: step.position,
                    heading: step.heading(),
                    opcode: step.spec.opcode().as_str().to_owned(),
                    status: step.status,
                    attempts: step.attempts,
                    spans,
                    applications: applications(step, calls),
                    failures: failed
                        .into_iter()
                        .map(|(attempt, at, error)| {
                            failed_attempt(step.id, attempt, at, error, lines)
                        })
                        .collect(),
                    decided_by: step.decided_by.clone(),
                    reason: step.reason.clone(),
                }
            })
            .collect();
        Self {
            summary: detail.summary,
            steps,
            controls,
            comments: detail.comments,
            made_at,
        }
    }

    /// Where the timeline starts and ends: from the start (or creation) to the finish, or
    /// to when the report was made.
    pub fn window(&self) -> (DateTime<Utc>, DateTime<Utc>) {
        let from = self.summary.started_at.unwrap_or(self.summary.created_at);
        let to = self.summary.finished_at.unwrap_or(self.made_at).max(from);
        (from, to)
    }

    /// The `n` steps that took longest, longest first (steps that never ran left out).
    pub fn longest(&self, n: usize) -> Vec<&StepReport> {
        let mut ran: Vec<&StepReport> = self.steps.iter().filter(|s| s.took().is_some()).collect();
        ran.sort_by_key(|s| std::cmp::Reverse(s.took()));
        ran.truncate(n);
        ran
    }

    pub fn outcome(&self) -> Outcome {
        use super::ExecutionState;
        match self.summary.state {
            ExecutionState::Cancelled => Outcome::Cancelled,
            ExecutionState::Completed => {
                let count = |what: &str, n: usize| match n {
                    0 => None,
                    1 => Some(format!("1 step {what}")),
                    n => Some(format!("{n} steps {what}")),
                };
                let skipped = self
                    .steps
                    .iter()
                    .filter(|s| s.status == StepStatus::Skipped);
                let marked = self.steps.iter().filter(|s| s.was_marked_done());
                let retried = self.steps.iter().filter(|s| s.attempts > 1);
                let warnings: Vec<String> = [
                    count("skipped", skipped.count()),
                    count("marked done", marked.count()),
                    count("retried", retried.count()),
                ]
                .into_iter()
                .flatten()
                .collect();
                if warnings.is_empty() {
                    Outcome::Succeeded
                } else {
                    Outcome::Warnings(warnings)
                }
            }
            _ => Outcome::InProgress,
        }
    }
}

impl StepReport {
    /// From its first start to its last stretch's end.
    pub fn took(&self) -> Option<TimeDelta> {
        Some(self.spans.last()?.to - self.spans.first()?.from)
    }

    /// How much of its time waited for people (confirmation, decisions).
    pub fn people_took(&self) -> TimeDelta {
        self.spans
            .iter()
            .filter(|s| s.kind.is_people())
            .map(StepSpan::took)
            .sum()
    }

    /// Whether an operator marked it done after it failed (a confirmation is decided
    /// too, but from waiting).
    pub fn was_marked_done(&self) -> bool {
        self.status == StepStatus::Succeeded
            && self
                .spans
                .last()
                .is_some_and(|s| s.kind == SpanKind::Decision)
    }
}

/// Each step's spans, and its failed attempts (attempt, when, why), from its events.
type Replayed =
    BTreeMap<ExecutionStepId, (Vec<StepSpan>, Vec<(u32, DateTime<Utc>, Option<String>)>)>;

/// Replays the step events: every change of status closes the stretch before it and
/// opens the next; what is still open at `end` closes there.
fn replay(events: &[StepEvent], end: DateTime<Utc>) -> Replayed {
    // Each step's status, and the stretch it is in: (attempt, kind, since).
    type Open = (StepStatus, Option<(u32, SpanKind, DateTime<Utc>)>);
    let mut open: BTreeMap<ExecutionStepId, Open> = BTreeMap::new();
    let mut done = Replayed::new();
    for (at, step) in events {
        let (status, stretch) = open.entry(step.id).or_insert((StepStatus::Pending, None));
        if *status == step.status {
            continue;
        }
        let entry = done.entry(step.id).or_default();
        if let Some((attempt, kind, from)) = stretch.take() {
            entry.0.push(StepSpan {
                attempt,
                kind,
                from,
                to: (*at).max(from),
            });
        }
        if matches!(step.status, StepStatus::Failed | StepStatus::Interrupted) {
            entry.1.push((step.attempts, *at, step.last_error.clone()));
        }
        *status = step.status;
        *stretch = SpanKind::of(step.status).map(|kind| (step.attempts, kind, *at));
    }
    for (id, (_, stretch)) in open {
        if let Some((attempt, kind, from)) = stretch {
            done.entry(id).or_default().0.push(StepSpan {
                attempt,
                kind,
                from,
                to: end.max(from),
            });
        }
    }
    done
}

/// A restart's applications, each with its latest call (a retry sends again only what
/// did not come back, so an application's latest call may be an earlier attempt's).
fn applications(
    step: &ExecutionStep,
    calls: &[(ExecutionStepId, StepCall)],
) -> Vec<ApplicationBar> {
    let Some(StepTarget::Restart { levels, .. }) = &step.target else {
        return Vec::new();
    };
    let mut latest: BTreeMap<usize, &StepCall> = BTreeMap::new();
    for (_, call) in calls.iter().filter(|(id, _)| *id == step.id) {
        if let Some(n) = call.index() {
            let newer = latest
                .get(&n)
                .is_none_or(|held| held.attempt <= call.attempt);
            if newer {
                latest.insert(n, call);
            }
        }
    }
    levels
        .iter()
        .enumerate()
        .flat_map(|(level, apps)| apps.iter().map(move |app| (level as u32 + 1, app)))
        .enumerate()
        .filter_map(|(n, (level, application))| {
            let call = latest.get(&n)?;
            Some(ApplicationBar {
                level,
                application: application.clone(),
                attempt: call.attempt,
                status: call.status,
                from: call.sent_at,
                to: call.finished_at,
            })
        })
        .collect()
}

fn failed_attempt(
    step: ExecutionStepId,
    attempt: u32,
    at: DateTime<Utc>,
    error: Option<String>,
    lines: &[(ExecutionStepId, StepLogLine)],
) -> FailedAttempt {
    let mut kept: Vec<StepLogLine> = lines
        .iter()
        .filter(|(id, line)| *id == step && line.attempt == attempt)
        .map(|(_, line)| line.clone())
        .collect();
    let left_out = kept.len().saturating_sub(FAILED_LOG_LINES);
    kept.drain(..left_out);
    FailedAttempt {
        attempt,
        at,
        error,
        lines: kept,
        left_out,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::execution::ExecutionState;
    use crate::domain::execution::examples;
    use crate::domain::execution::view::{ExecutionDetail, LogLevel};

    fn at(seconds: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000 + seconds, 0).unwrap()
    }

    fn moved(seconds: i64, status: StepStatus, attempts: u32) -> StepEvent {
        let mut step = examples::step(1);
        step.status = status;
        step.attempts = attempts;
        if status == StepStatus::Failed {
            step.last_error = Some(format!("attempt {attempts} failed"));
        }
        (at(seconds), step)
    }

    fn line(id: u64, attempt: u32, message: &str) -> (ExecutionStepId, StepLogLine) {
        let line = StepLogLine {
            id,
            attempt,
            at: at(0),
            level: LogLevel::Error,
            message: message.into(),
        };
        (ExecutionStepId(1), line)
    }

    #[test]
    fn a_retried_step_shows_work_and_the_wait_for_a_decision_apart() {
        use StepStatus::*;
        let mut step = examples::step(1);
        step.status = Succeeded;
        step.attempts = 2;
        let mut summary = examples::summary(1, 9);
        summary.state = ExecutionState::Completed;
        summary.started_at = Some(at(0));
        summary.finished_at = Some(at(100));
        let detail = ExecutionDetail {
            summary,
            steps: vec![step],
            comments: Vec::new(),
        };
        let events = [
            moved(0, Running, 1),
            moved(10, Failed, 1),
            moved(70, Pending, 1),
            moved(70, Running, 2),
            moved(90, Succeeded, 2),
        ];
        let lines = [line(1, 1, "gateway said no"), line(2, 2, "fine")];
        let report = ExecutionReport::build(detail, &events, &[], &lines, Vec::new(), at(200));
        let step = &report.steps[0];
        let kinds: Vec<(u32, SpanKind, i64)> = step
            .spans
            .iter()
            .map(|s| (s.attempt, s.kind, s.took().num_seconds()))
            .collect();
        assert_eq!(
            kinds,
            [
                (1, SpanKind::Work, 10),
                (1, SpanKind::Decision, 60),
                (2, SpanKind::Work, 20)
            ]
        );
        assert_eq!(step.took(), Some(TimeDelta::seconds(90)));
        assert_eq!(step.people_took(), TimeDelta::seconds(60));
        assert_eq!(step.failures.len(), 1);
        assert_eq!(step.failures[0].error.as_deref(), Some("attempt 1 failed"));
        assert_eq!(step.failures[0].lines.len(), 1, "only that attempt's log");
        assert!(!step.was_marked_done());
        assert_eq!(
            report.outcome(),
            Outcome::Warnings(vec!["1 step retried".into()])
        );
        assert_eq!(report.window(), (at(0), at(100)));
    }

    #[test]
    fn what_is_still_open_ends_when_the_report_is_made() {
        use StepStatus::*;
        let mut summary = examples::summary(1, 9);
        summary.state = ExecutionState::Running(Phase::Switchover);
        summary.started_at = Some(at(0));
        let detail = ExecutionDetail {
            summary,
            steps: vec![examples::step(1)],
            comments: Vec::new(),
        };
        let events = [moved(5, Running, 1), moved(8, Waiting, 1)];
        let report = ExecutionReport::build(detail, &events, &[], &[], Vec::new(), at(30));
        let spans = &report.steps[0].spans;
        assert_eq!(spans.len(), 2);
        assert_eq!(
            (spans[1].kind, spans[1].to),
            (SpanKind::Confirmation, at(30))
        );
        assert_eq!(report.outcome(), Outcome::InProgress);
    }

    #[test]
    fn a_long_failed_log_keeps_its_newest_lines() {
        let lines: Vec<_> = (0..150).map(|i| line(i, 1, &format!("line {i}"))).collect();
        let failed = failed_attempt(ExecutionStepId(1), 1, at(0), None, &lines);
        assert_eq!(failed.lines.len(), FAILED_LOG_LINES);
        assert_eq!(failed.left_out, 50);
        assert_eq!(failed.lines[0].message, "line 50");
    }
}
