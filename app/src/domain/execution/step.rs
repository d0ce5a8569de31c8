//! Where one step of an execution is, and what moves it: one pure table, like the
//! execution's own (see the parent module).

use super::Refused;
use crate::domain::choice::choice;
use serde::{Deserialize, Serialize};

choice! {
    /// Where one step of an execution is.
    StepStatus {
        Pending = "pending", "Pending";
        Running = "running", "Running";
        /// A `manual.confirm` step waits for a person with the right role.
        Waiting = "waiting", "Waiting for confirmation";
        Succeeded = "succeeded", "Succeeded";
        Failed = "failed", "Failed";
        /// Its outcome is unknown: a call got no answer (it may have acted), or the
        /// server restarted while it ran and the platform could not say.
        Interrupted = "interrupted", "Interrupted";
        Skipped = "skipped", "Skipped";
        Cancelled = "cancelled", "Cancelled";
    }
}

/// What moves a step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StepTrigger {
    /// The engine starts it (the first attempt, or another after a retry).
    Dispatch,
    Succeed,
    Fail,
    Interrupt,
    /// The engine: it needs a person's confirmation.
    AwaitConfirmation,
    /// A person confirmed it.
    Confirm,
    /// An operator asks for another attempt.
    Retry,
    Skip,
    MarkDone,
    /// The execution was cancelled.
    Cancel,
    /// An operator gives up on the running step: its calls are no longer followed.
    Abandon,
    /// The engine: the execution was cancelled while the step ran, and the step did
    /// nothing that needs telling (a wait, a confirmation not yet given).
    Stop,
}

impl StepStatus {
    /// The status after `trigger`, or why it cannot happen now.
    pub fn next(self, trigger: StepTrigger) -> Result<Self, Refused> {
        use StepStatus::*;
        use StepTrigger::*;
        match (self, trigger) {
            (Pending, Dispatch) => Ok(Running),
            (Running, Succeed) => Ok(Succeeded),
            (Running, Fail) => Ok(Failed),
            (Running, Interrupt) => Ok(Interrupted),
            (Running, AwaitConfirmation) => Ok(Waiting),
            (Running, Stop) => Ok(Cancelled),
            (Running, Abandon) => Ok(Interrupted),
            (Waiting, Confirm) => Ok(Succeeded),
            // Retrying puts the step back in line; the engine dispatches it again.
            (Failed | Interrupted, Retry) => Ok(Pending),
            (Failed | Interrupted, Skip) => Ok(Skipped),
            (Failed | Interrupted, MarkDone) => Ok(Succeeded),
            // A running step finishes first: cancelling stops at the next safe point.
            (Pending | Waiting | Failed | Interrupted, Cancel) => Ok(Cancelled),
            (status, trigger) => Err(Refused(step_refusal(status, trigger))),
        }
    }

    /// Whether nothing more will happen to it.
    pub fn is_final(self) -> bool {
        matches!(self, Self::Succeeded | Self::Skipped | Self::Cancelled)
    }
}

fn step_refusal(status: StepStatus, trigger: StepTrigger) -> String {
    use StepTrigger::*;
    let now = status.as_str();
    match trigger {
        Retry | Skip | MarkDone => {
            format!(
                "the step is {now}: only a failed or interrupted step can be retried, skipped or marked done"
            )
        }
        Confirm => {
            format!("the step is {now}: only a step waiting for confirmation can be confirmed")
        }
        Cancel => format!("the step is {now}: it finishes before the execution stops"),
        Abandon => format!("the step is {now}: only a running step can be abandoned"),
        Dispatch => format!("the step is {now}: only a pending step can start"),
        Succeed | Fail | Interrupt | AwaitConfirmation | Stop => {
            format!("the step is {now}: only a running step can end or wait")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const STEP_TRIGGERS: [StepTrigger; 12] = [
        StepTrigger::Dispatch,
        StepTrigger::Succeed,
        StepTrigger::Fail,
        StepTrigger::Interrupt,
        StepTrigger::AwaitConfirmation,
        StepTrigger::Confirm,
        StepTrigger::Retry,
        StepTrigger::Skip,
        StepTrigger::MarkDone,
        StepTrigger::Cancel,
        StepTrigger::Stop,
        StepTrigger::Abandon,
    ];

    #[test]
    fn every_step_transition_is_allowed_or_refused_as_the_table_says() {
        use StepStatus as St;
        use StepTrigger as T;
        let allowed: &[(StepStatus, StepTrigger, StepStatus)] = &[
            (St::Pending, T::Dispatch, St::Running),
            (St::Pending, T::Cancel, St::Cancelled),
            (St::Running, T::Succeed, St::Succeeded),
            (St::Running, T::Fail, St::Failed),
            (St::Running, T::Interrupt, St::Interrupted),
            (St::Running, T::AwaitConfirmation, St::Waiting),
            (St::Running, T::Stop, St::Cancelled),
            (St::Running, T::Abandon, St::Interrupted),
            (St::Waiting, T::Confirm, St::Succeeded),
            (St::Waiting, T::Cancel, St::Cancelled),
            (St::Failed, T::Retry, St::Pending),
            (St::Failed, T::Skip, St::Skipped),
            (St::Failed, T::MarkDone, St::Succeeded),
            (St::Failed, T::Cancel, St::Cancelled),
            (St::Interrupted, T::Retry, St::Pending),
            (St::Interrupted, T::Skip, St::Skipped),
            (St::Interrupted, T::MarkDone, St::Succeeded),
            (St::Interrupted, T::Cancel, St::Cancelled),
        ];
        for status in StepStatus::ALL {
            for trigger in STEP_TRIGGERS {
                let expected = allowed
                    .iter()
                    .find(|(from, by, _)| *from == status && *by == trigger)
                    .map(|(_, _, to)| *to);
                match (status.next(trigger), expected) {
                    (Ok(next), Some(to)) => assert_eq!(next, to, "{status:?} + {trigger:?}"),
                    (Err(Refused(why)), None) => assert!(why.starts_with("the step is "), "{why}"),
                    (got, want) => panic!("{status:?} + {trigger:?}: got {got:?}, want {want:?}"),
                }
            }
        }
        for status in StepStatus::ALL {
            assert_eq!(StepStatus::parse(status.as_str()), Some(status));
            assert!(status.as_str().len() <= 16, "fits execution_steps.status");
            let stuck = STEP_TRIGGERS.iter().all(|t| status.next(*t).is_err());
            assert_eq!(status.is_final(), stuck, "{status:?}");
        }
    }
}
