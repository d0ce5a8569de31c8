//! An operator's command to an execution, and what it asks of the two state tables.

use super::view::ExecutionStepId;
use super::{StepTrigger, Trigger};
use serde::{Deserialize, Serialize};

/// The longest reason a skip or a mark-done takes.
pub const MAX_REASON: usize = 1000;

/// What a person with the right role tells an execution to do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "command", rename_all = "snake_case")]
pub enum Command {
    /// Start switchover (created) or recovery (switchover done).
    Start,
    Pause,
    Resume,
    Cancel,
    Retry {
        step: ExecutionStepId,
    },
    Skip {
        step: ExecutionStepId,
        reason: String,
    },
    MarkDone {
        step: ExecutionStepId,
        reason: String,
    },
    /// Give up on a running step whose calls hang: they are no longer followed, and the
    /// step is interrupted (what they did is unknown) for a retry, skip or mark-done.
    Abandon {
        step: ExecutionStepId,
        reason: String,
    },
    /// Confirm a `manual.confirm` step that waits for a person.
    Confirm {
        step: ExecutionStepId,
    },
}

impl Command {
    /// What it asks of the execution's table; a confirmation leaves the execution as it is.
    pub fn trigger(&self) -> Option<Trigger> {
        Some(match self {
            Self::Start => Trigger::Start,
            Self::Pause => Trigger::Pause,
            Self::Resume => Trigger::Resume,
            Self::Cancel => Trigger::Cancel,
            Self::Retry { .. } => Trigger::Retry,
            Self::Skip { .. } => Trigger::Skip,
            Self::MarkDone { .. } => Trigger::MarkDone,
            Self::Abandon { .. } => Trigger::Abandon,
            Self::Confirm { .. } => return None,
        })
    }

    /// The step it acts on, and what it asks of the step's table.
    pub fn step(&self) -> Option<(ExecutionStepId, StepTrigger)> {
        match self {
            Self::Retry { step } => Some((*step, StepTrigger::Retry)),
            Self::Skip { step, .. } => Some((*step, StepTrigger::Skip)),
            Self::MarkDone { step, .. } => Some((*step, StepTrigger::MarkDone)),
            Self::Abandon { step, .. } => Some((*step, StepTrigger::Abandon)),
            Self::Confirm { step } => Some((*step, StepTrigger::Confirm)),
            _ => None,
        }
    }

    /// The reason given, for commands that need one.
    pub fn reason(&self) -> Option<&str> {
        match self {
            Self::Skip { reason, .. }
            | Self::MarkDone { reason, .. }
            | Self::Abandon { reason, .. } => Some(reason),
            _ => None,
        }
    }

    /// A reason that is missing or too long, said for the form's `reason` field.
    pub fn check(&self) -> Result<(), String> {
        match self.reason().map(str::trim) {
            Some("") => {
                Err("say why: the reason is kept with the step and in the audit log".to_owned())
            }
            Some(reason) if reason.chars().count() > MAX_REASON => {
                Err(format!("at most {MAX_REASON} characters"))
            }
            _ => Ok(()),
        }
    }

    /// For the audit log and messages: "retry step 12".
    pub fn describe(&self) -> String {
        match self {
            Self::Start => "start".to_owned(),
            Self::Pause => "pause".to_owned(),
            Self::Resume => "resume".to_owned(),
            Self::Cancel => "cancel".to_owned(),
            Self::Retry { step } => format!("retry step {step}"),
            Self::Skip { step, .. } => format!("skip step {step}"),
            Self::MarkDone { step, .. } => format!("mark step {step} done"),
            Self::Abandon { step, .. } => format!("abandon step {step}"),
            Self::Confirm { step } => format!("confirm step {step}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skip_and_mark_done_need_a_reason_and_map_to_both_tables() {
        let step = ExecutionStepId(7);
        let skip = |reason: &str| Command::Skip {
            step,
            reason: reason.to_owned(),
        };
        assert!(skip("  ").check().is_err());
        assert!(skip(&"x".repeat(MAX_REASON + 1)).check().is_err());
        assert!(skip("moved by hand").check().is_ok());
        assert_eq!(skip("x").trigger(), Some(Trigger::Skip));
        assert_eq!(skip("x").step(), Some((step, StepTrigger::Skip)));
        assert_eq!(Command::Confirm { step }.trigger(), None);
        assert_eq!(Command::Start.step(), None);
        assert!(Command::Pause.check().is_ok());
        let abandon = Command::Abandon {
            step,
            reason: "the gateway hangs".to_owned(),
        };
        assert_eq!(abandon.trigger(), Some(Trigger::Abandon));
        assert_eq!(abandon.step(), Some((step, StepTrigger::Abandon)));
        assert!(
            Command::Abandon {
                step,
                reason: String::new()
            }
            .check()
            .is_err()
        );
    }
}
