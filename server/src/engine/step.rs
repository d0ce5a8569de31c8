//! What a step's code works with while it runs: its execution's fence, its attempt, a
//! durable log that everyone watching sees grow, and the idempotency keys of its calls.

use super::journal::Journal;
use super::{Engine, Mailbox};
use app::domain::execution::view::LogLevel;
use app::domain::plan::Phase;
use app::store::executions::engine::{Fence, RunStep, StepEnd};
use app::store::executions::journal::Write;

/// One attempt of one step, running.
pub(super) struct StepRun<'a> {
    pub engine: &'a Engine,
    pub fence: Fence,
    pub step: &'a RunStep,
    pub attempt: u32,
    /// The step was found running after a restart: its calls are asked about again by
    /// their keys, and an outcome nobody can tell makes it interrupted, not failed.
    pub recovering: bool,
    pub mailbox: &'a Mailbox,
    /// Where the step's log lines and call records are written.
    pub journal: &'a Journal,
}

impl StepRun<'_> {
    /// Adds a line to the step's log (and sends it to watchers). The line is queued in
    /// the journal: the step goes on while it is written, in order.
    pub async fn log(&self, level: LogLevel, message: impl Into<String>) {
        self.journal
            .queue(Write::Log {
                step: self.step.id,
                attempt: self.attempt,
                level,
                message: message.into(),
            })
            .await;
    }

    /// The idempotency key of the step's `n`-th call in this attempt: the same for the
    /// same call after a restart, different for another attempt.
    pub fn key(&self, n: usize) -> String {
        format!(
            "switchyard-e{}-s{}-a{}-c{n}",
            self.fence.execution, self.step.id, self.attempt
        )
    }

    pub fn phase(&self) -> Phase {
        self.step.phase
    }

    /// The end for an outcome nobody can tell: after a restart the step is interrupted
    /// (an operator decides), otherwise it failed.
    pub fn unanswered(&self, why: String) -> StepEnd {
        if self.recovering {
            StepEnd::Interrupted(why)
        } else {
            StepEnd::Failed(why)
        }
    }
}
