//! Execution events: every change of an execution, numbered per execution (`seq`),
//! stored with the change in one transaction and pushed to everyone watching. An event
//! carries the changed thing whole (the execution's row, a step, a log line, a call),
//! so a watcher applies it without asking for more.

use super::execution::view::{
    ExecutionComment, ExecutionDetail, ExecutionStep, ExecutionStepId, ExecutionSummary, StepCall,
    StepLogLine,
};
use super::ids::ExecutionId;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// One change of one execution.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExecutionEvent {
    pub execution_id: ExecutionId,
    /// 1, 2, 3, ... per execution, without gaps.
    pub seq: u64,
    pub at: DateTime<Utc>,
    pub change: Change,
}

/// What changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "data", rename_all = "snake_case")]
pub enum Change {
    /// The execution itself: its state, times, who created it.
    Execution(ExecutionSummary),
    /// A step: status, attempts, times, who decided.
    Step(ExecutionStep),
    /// A line added to a step's log.
    Logged {
        step: ExecutionStepId,
        line: StepLogLine,
    },
    /// A platform call recorded or answered.
    Called {
        step: ExecutionStepId,
        call: StepCall,
    },
    /// A person's comment on the execution.
    Commented(ExecutionComment),
}

impl Change {
    /// The name stored in `execution_events.kind`.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Execution(_) => "execution",
            Self::Step(_) => "step",
            Self::Logged { .. } => "logged",
            Self::Called { .. } => "called",
            Self::Commented(_) => "commented",
        }
    }
}

impl ExecutionDetail {
    /// This execution with `event` applied; events of other executions, or older than
    /// what it holds, change nothing. Says whether it applied.
    pub fn apply(&mut self, event: &ExecutionEvent) -> bool {
        if event.execution_id != self.summary.id || event.seq <= self.summary.last_seq {
            return false;
        }
        match &event.change {
            Change::Execution(summary) => self.summary = summary.clone(),
            Change::Step(step) => match self.steps.iter_mut().find(|s| s.id == step.id) {
                Some(held) => *held = step.clone(),
                None => self.steps.push(step.clone()),
            },
            // Once: the page that added it may hold it already.
            Change::Commented(comment) => {
                if !self.comments.iter().any(|c| c.id == comment.id) {
                    self.comments.push(comment.clone());
                }
            }
            Change::Logged { .. } | Change::Called { .. } => {}
        }
        self.summary.last_seq = event.seq;
        true
    }
}
