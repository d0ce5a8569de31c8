//! An execution as the console shows it: the list row, the whole execution with its
//! steps, a step's log and calls, and what creating one asks and checks first.

use super::target::StepTarget;
use super::{ExecutionState, StepStatus};
use crate::domain::choice::choice;
use crate::domain::connection::{ConnectionTest, Platform};
use crate::domain::environment::DataCenterRef;
use crate::domain::ids::{ConnectionConfigId, DataCenterId, ExecutionId, PlanId};
use crate::domain::plan::Phase;
use crate::domain::step::StepSpec;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// One step of an execution; ids are per execution step, not per plan step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ExecutionStepId(pub u64);

impl std::fmt::Display for ExecutionStepId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// A row of the Executions page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExecutionSummary {
    pub id: ExecutionId,
    /// `None` once the plan is deleted; the name stays.
    pub plan_id: Option<PlanId>,
    pub plan_name: String,
    pub plan_version: u32,
    /// The plan version's recovery-time target in minutes, copied at creation like its
    /// steps (`timing`).
    #[serde(default)]
    pub rto_minutes: Option<u32>,
    pub failed: DataCenterRef,
    pub emergency: DataCenterRef,
    pub description: String,
    /// A drill (演练): it calls only test (simulator) configs.
    #[serde(default)]
    pub drill: bool,
    pub state: ExecutionState,
    pub created_by: Option<String>,
    pub created_at: DateTime<Utc>,
    pub started_at: Option<DateTime<Utc>>,
    /// Who pressed Start (the creator may be someone else).
    pub started_by: Option<String>,
    /// When the switchover phase finished (`timing::Milestone`).
    #[serde(default)]
    pub switchover_done_at: Option<DateTime<Utc>>,
    /// When the recovery phase first started.
    #[serde(default)]
    pub recovery_started_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
    /// The number of the latest event: what a watcher holds when it is up to date.
    pub last_seq: u64,
}

/// An execution with every step of both phases, in order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExecutionDetail {
    pub summary: ExecutionSummary,
    pub steps: Vec<ExecutionStep>,
    /// What people noted on it, oldest first.
    #[serde(default)]
    pub comments: Vec<ExecutionComment>,
}

/// A comment an operator, admin or auditor added to an execution, while it ran or after.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExecutionComment {
    pub id: u64,
    /// `None` once the user is deleted.
    pub author: Option<String>,
    pub at: DateTime<Utc>,
    pub text: String,
}

/// The longest comment, in characters.
pub const MAX_COMMENT: usize = 2000;
/// How many comments one execution holds at most, and how many bytes of text in all:
/// they travel with it to every watcher, in the snapshot's last frame, which stays
/// within about 64 KiB.
pub const MAX_COMMENTS: usize = 200;
pub const MAX_COMMENT_BYTES: usize = 48 * 1024;

/// A comment as written: refused when empty or too long; trimmed.
pub fn check_comment(text: &str) -> Result<String, String> {
    let text = text.trim();
    if text.is_empty() {
        return Err("write something first".to_owned());
    }
    if text.chars().count() > MAX_COMMENT {
        return Err(format!("must be at most {MAX_COMMENT} characters"));
    }
    Ok(text.to_owned())
}

impl ExecutionDetail {
    pub fn phase_steps(&self, phase: Phase) -> impl Iterator<Item = &ExecutionStep> {
        self.steps.iter().filter(move |s| s.phase == phase)
    }

    /// The step that keeps the execution blocked, or waits for a person.
    pub fn step(&self, id: ExecutionStepId) -> Option<&ExecutionStep> {
        self.steps.iter().find(|s| s.id == id)
    }
}

/// Which executions the list shows and the history export holds; empty fields match
/// everything.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExecutionFilter {
    /// Only executions in this state.
    #[serde(default)]
    pub state: Option<ExecutionState>,
    /// Only runs of this plan.
    #[serde(default)]
    pub plan: Option<PlanId>,
    /// Only drills (`true`) or only real runs (`false`).
    #[serde(default)]
    pub drill: Option<bool>,
    /// Created from this instant on (inclusive).
    #[serde(
        default,
        deserialize_with = "crate::domain::time::deserialize_optional"
    )]
    pub from: Option<DateTime<Utc>>,
    /// Created before this instant (exclusive).
    #[serde(
        default,
        deserialize_with = "crate::domain::time::deserialize_optional"
    )]
    pub to: Option<DateTime<Utc>>,
}

impl ExecutionFilter {
    /// Whether `summary` is one the filter asks for: the rule the database query, the
    /// degraded book and the live list all follow.
    pub fn matches(&self, summary: &ExecutionSummary) -> bool {
        self.state.is_none_or(|state| summary.state == state)
            && self.plan.is_none_or(|plan| summary.plan_id == Some(plan))
            && self.drill.is_none_or(|drill| summary.drill == drill)
            && self.from.is_none_or(|from| summary.created_at >= from)
            && self.to.is_none_or(|to| summary.created_at < to)
    }
}

/// One step as it runs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExecutionStep {
    pub id: ExecutionStepId,
    pub phase: Phase,
    /// 1-based within its phase.
    pub position: u32,
    pub title: String,
    pub spec: StepSpec,
    pub target: Option<StepTarget>,
    pub status: StepStatus,
    pub attempts: u32,
    pub started_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
    /// Why it failed or was interrupted, last time.
    pub last_error: Option<String>,
    /// Who confirmed, skipped or marked it done.
    pub decided_by: Option<String>,
    /// Why it was skipped or marked done.
    pub reason: Option<String>,
}

impl ExecutionStep {
    /// The title the plan gave it, or what it does.
    pub fn heading(&self) -> String {
        if self.title.trim().is_empty() {
            self.spec.opcode().label().to_owned()
        } else {
            self.title.clone()
        }
    }
}

choice! {
    /// How much a step log line matters.
    LogLevel {
        Info = "info", "Info";
        Warn = "warn", "Warning";
        Error = "error", "Error";
    }
}

/// One line of a step's log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepLogLine {
    pub id: u64,
    pub attempt: u32,
    pub at: DateTime<Utc>,
    pub level: LogLevel,
    pub message: String,
}

choice! {
    /// Where a platform call stands: written before it leaves, moved on as answers come.
    CallStatus {
        /// Recorded; the request may or may not have reached the platform.
        Sent = "sent", "Sent";
        /// The platform took it and named its operation.
        Accepted = "accepted", "Accepted";
        Succeeded = "succeeded", "Succeeded";
        Failed = "failed", "Failed";
        /// Nobody can say what happened (the platform could not answer for the key).
        Unknown = "unknown", "Unknown";
    }
}

impl CallStatus {
    /// Whether the call's outcome is known.
    pub fn is_final(self) -> bool {
        matches!(self, Self::Succeeded | Self::Failed)
    }
}

/// One call a step made: to which config, what, and what came back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepCall {
    pub id: u64,
    pub attempt: u32,
    pub idempotency_key: String,
    /// `None` for an `http.call` step, which calls its own URL.
    pub config_name: Option<String>,
    pub method: String,
    pub path: String,
    pub operation_id: Option<String>,
    pub status: CallStatus,
    pub http_status: Option<u16>,
    pub sent_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
}

impl StepCall {
    /// The idempotency key of call `n` of a step's attempt: the same for the same call
    /// after a restart, different for another attempt or another execution (`run_key`
    /// is the execution's own random id).
    pub fn key(run_key: &str, step: ExecutionStepId, attempt: u32, n: usize) -> String {
        format!("sy-{run_key}-s{step}{}", Self::key_end(attempt, n))
    }

    /// How the key of call `n` of `attempt` ends, whatever the execution.
    pub fn key_end(attempt: u32, n: usize) -> String {
        format!("-a{attempt}-c{n}")
    }

    /// Which call of its attempt this is: the `n` its key ends with.
    pub fn index(&self) -> Option<usize> {
        let (_, n) = self.idempotency_key.rsplit_once("-c")?;
        n.parse().ok()
    }
}

/// What an expanded step shows below its status: its log and its calls.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepRecord {
    pub lines: Vec<StepLogLine>,
    pub calls: Vec<StepCall>,
}

/// The new-execution form (新建预案执行单).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewExecution {
    pub plan_id: PlanId,
    pub failed: Option<DataCenterId>,
    pub emergency: Option<DataCenterId>,
    pub description: String,
    /// Run as a drill (演练): only test (simulator) configs may be called.
    #[serde(default)]
    pub drill: bool,
}

/// The longest description an execution takes.
pub const MAX_DESCRIPTION: usize = 2000;

/// Why the same data center cannot be both.
pub const SAME_SITE: &str = "must be another data center than the failed one";

impl NewExecution {
    /// What the form can tell before asking the server (which checks it again, and
    /// that the data centers exist): both data centers chosen and different, the
    /// description not too long.
    pub fn check(&self) -> Result<(), Vec<crate::error::FieldError>> {
        use crate::error::FieldError;
        let mut errors = Vec::new();
        if self.failed.is_none() {
            errors.push(FieldError::new("failed", "choose a data center"));
        }
        match self.emergency {
            None => errors.push(FieldError::new("emergency", "choose a data center")),
            Some(emergency) if self.failed == Some(emergency) => {
                errors.push(FieldError::new("emergency", SAME_SITE));
            }
            Some(_) => {}
        }
        if self.description.trim().chars().count() > MAX_DESCRIPTION {
            errors.push(FieldError::new(
                "description",
                format!("at most {MAX_DESCRIPTION} characters"),
            ));
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }
}

/// A connection config a run will need, and whether it answers now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PreCheckItem {
    pub data_center: DataCenterRef,
    pub platform: Platform,
    /// The config the steps will use, or `None` when the data center has none.
    pub config: Option<(ConnectionConfigId, String)>,
    /// The steps that call it ("Switchover 1: Cut traffic").
    pub needed_by: Vec<String>,
    /// `None` when there is no config to ask.
    pub answer: Option<ConnectionTest>,
}

impl PreCheckItem {
    pub fn is_ready(&self) -> bool {
        matches!(self.answer, Some(ConnectionTest::Reachable { .. }))
    }

    /// What a person reads next to it.
    pub fn verdict(&self) -> String {
        match (&self.config, &self.answer) {
            (None, _) => format!(
                "missing: {} has no {} config; add one on the Environment page",
                self.data_center.name,
                self.platform.label().to_lowercase()
            ),
            (Some(_), Some(answer)) => answer.message(),
            (Some(_), None) => "not asked".to_owned(),
        }
    }
}

/// What the pre-check found for a plan and two data centers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PreCheck {
    pub items: Vec<PreCheckItem>,
}

impl PreCheck {
    pub fn all_ready(&self) -> bool {
        self.items.iter().all(PreCheckItem::is_ready)
    }
}
