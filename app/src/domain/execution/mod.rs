//! How an execution and its steps move from state to state: one pure table for each, so
//! the engine, the store and the pages all ask the same rules and none re-derives them.
//! What may happen is an operator's command or the engine's report (a [`Trigger`] for
//! the execution, a [`StepTrigger`] for a step); the answer is the next state, or a
//! refusal that says why in the operator's terms. Who may give a command is the role
//! table's business (`domain::role`), not this one's.

use super::plan::Phase;
use serde::{Deserialize, Serialize};

mod command;
#[cfg(feature = "ssr")]
pub mod csv_text;
#[cfg(test)]
pub mod examples;
#[cfg(feature = "ssr")]
pub mod history_csv;
pub mod report;
#[cfg(feature = "ssr")]
pub mod report_csv;
mod step;
pub mod target;
pub mod timing;
pub mod view;
pub use command::Command;
pub use step::{StepStatus, StepTrigger};

/// Where an execution is. Running, paused and blocked remember their phase, so resuming
/// or retrying continues the phase it left.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(into = "String", try_from = "String")]
pub enum ExecutionState {
    /// Created with its copy of the steps; nothing has run.
    Created,
    /// Its steps run one after another, by themselves.
    Running(Phase),
    /// An operator paused it between two steps.
    Paused(Phase),
    /// A step failed or was interrupted; an operator must retry, skip or mark it done.
    Blocked(Phase),
    /// Switchover finished; recovery waits for an operator to start it.
    SwitchoverDone,
    /// Recovery finished.
    Completed,
    /// An operator cancelled it.
    Cancelled,
}

/// What moves an execution: an operator's command, or the engine's report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Trigger {
    /// Start switchover (from created) or recovery (after switchover is done).
    Start,
    /// Stop after the step that is running now.
    Pause,
    Resume,
    /// Stop for good: at once when nothing runs, else at the next safe point.
    Cancel,
    /// The blocking step is tried again.
    Retry,
    /// The blocking step is skipped, with a reason.
    Skip,
    /// The blocking step was done outside Switchyard, with a reason.
    MarkDone,
    /// An operator gave up on the running step (with a reason): the execution waits
    /// for a decision about it.
    Abandon,
    /// The engine: a step failed.
    StepFailed,
    /// The engine: a step's outcome is unknown (a call got no answer, or the server
    /// restarted while it ran and the platform could not say).
    StepInterrupted,
    /// The engine: the phase's last step is done.
    PhaseFinished,
}

/// A transition the table does not allow, with the reason for the operator.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{0}")]
pub struct Refused(pub String);

impl ExecutionState {
    pub const ALL: [ExecutionState; 10] = [
        Self::Created,
        Self::Running(Phase::Switchover),
        Self::Paused(Phase::Switchover),
        Self::Blocked(Phase::Switchover),
        Self::SwitchoverDone,
        Self::Running(Phase::Recovery),
        Self::Paused(Phase::Recovery),
        Self::Blocked(Phase::Recovery),
        Self::Completed,
        Self::Cancelled,
    ];

    /// The state after `trigger`, or why it cannot happen now.
    pub fn next(self, trigger: Trigger) -> Result<Self, Refused> {
        use ExecutionState::*;
        use Trigger::*;
        match (self, trigger) {
            (Created, Start) => Ok(Running(Phase::Switchover)),
            (SwitchoverDone, Start) => Ok(Running(Phase::Recovery)),
            (Running(phase), Pause) => Ok(Paused(phase)),
            (Paused(phase), Resume) => Ok(Running(phase)),
            (Blocked(phase), Retry | Skip | MarkDone) => Ok(Running(phase)),
            // A step that was running when the pause was asked for may still fail.
            (Running(phase) | Paused(phase), StepFailed | StepInterrupted | Abandon) => {
                Ok(Blocked(phase))
            }
            (Running(Phase::Switchover), PhaseFinished) => Ok(SwitchoverDone),
            (Running(Phase::Recovery), PhaseFinished) => Ok(Completed),
            (Created | Running(_) | Paused(_) | Blocked(_) | SwitchoverDone, Cancel) => {
                Ok(Cancelled)
            }
            (state, trigger) => Err(Refused(refusal(state, trigger))),
        }
    }

    /// Whether it still counts as the plan's one live execution.
    pub fn is_live(self) -> bool {
        !matches!(self, Self::Completed | Self::Cancelled)
    }

    /// The phase it is in, when it is in one.
    pub fn phase(self) -> Option<Phase> {
        match self {
            Self::Running(phase) | Self::Paused(phase) | Self::Blocked(phase) => Some(phase),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        use ExecutionState::*;
        use Phase::*;
        match self {
            Created => "created",
            Running(Switchover) => "switchover_running",
            Paused(Switchover) => "switchover_paused",
            Blocked(Switchover) => "switchover_blocked",
            SwitchoverDone => "switchover_done",
            Running(Recovery) => "recovery_running",
            Paused(Recovery) => "recovery_paused",
            Blocked(Recovery) => "recovery_blocked",
            Completed => "completed",
            Cancelled => "cancelled",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|state| state.as_str() == text)
    }

    /// For people: `Switchover running`, `Recovery blocked`.
    pub fn label(self) -> String {
        match self {
            Self::Running(phase) => format!("{} running", phase.label()),
            Self::Paused(phase) => format!("{} paused", phase.label()),
            Self::Blocked(phase) => format!("{} blocked", phase.label()),
            Self::Created => "Created".to_owned(),
            Self::SwitchoverDone => "Switchover done".to_owned(),
            Self::Completed => "Completed".to_owned(),
            Self::Cancelled => "Cancelled".to_owned(),
        }
    }
}

/// Why `trigger` cannot happen in `state`, said as an operator would want to hear it.
fn refusal(state: ExecutionState, trigger: Trigger) -> String {
    use ExecutionState::*;
    use Trigger::*;
    let now = state.label().to_lowercase();
    match (state, trigger) {
        (Completed | Cancelled, _) => format!("the execution is {now}; nothing more can happen"),
        (_, Start) => format!(
            "the execution is {now}: only a new execution, or a finished switchover, can be started"
        ),
        (_, Pause) => format!("the execution is {now}: only a running execution can be paused"),
        (_, Resume) => format!("the execution is {now}: only a paused execution can be resumed"),
        (_, Retry | Skip | MarkDone) => {
            format!(
                "the execution is {now}: only the step that blocks it can be retried, skipped or marked done"
            )
        }
        (_, Abandon) => {
            format!(
                "the execution is {now}: only a step of a running or paused execution can be abandoned"
            )
        }
        (_, StepFailed | StepInterrupted | PhaseFinished) => {
            format!("the execution is {now}: no step of it is running")
        }
        (_, Cancel) => format!("the execution is {now} and cannot be cancelled"),
    }
}

impl From<ExecutionState> for String {
    fn from(state: ExecutionState) -> Self {
        state.as_str().to_owned()
    }
}

impl TryFrom<String> for ExecutionState {
    type Error = String;
    fn try_from(text: String) -> Result<Self, Self::Error> {
        Self::parse(&text).ok_or_else(|| format!("{text:?} is not an execution state"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ExecutionState::*;
    use Phase::{Recovery as R, Switchover as S};
    use Trigger::*;

    const TRIGGERS: [Trigger; 11] = [
        Start,
        Pause,
        Resume,
        Cancel,
        Retry,
        Skip,
        MarkDone,
        Abandon,
        StepFailed,
        StepInterrupted,
        PhaseFinished,
    ];

    /// Every allowed transition; every other (state, trigger) pair must be refused.
    const ALLOWED: &[(ExecutionState, Trigger, ExecutionState)] = &[
        (Created, Start, Running(S)),
        (Created, Cancel, Cancelled),
        (Running(S), Pause, Paused(S)),
        (Running(S), Cancel, Cancelled),
        (Running(S), StepFailed, Blocked(S)),
        (Running(S), StepInterrupted, Blocked(S)),
        (Running(S), PhaseFinished, SwitchoverDone),
        (Paused(S), Resume, Running(S)),
        (Paused(S), Cancel, Cancelled),
        (Paused(S), StepFailed, Blocked(S)),
        (Paused(S), StepInterrupted, Blocked(S)),
        (Running(S), Abandon, Blocked(S)),
        (Paused(S), Abandon, Blocked(S)),
        (Blocked(S), Retry, Running(S)),
        (Blocked(S), Skip, Running(S)),
        (Blocked(S), MarkDone, Running(S)),
        (Blocked(S), Cancel, Cancelled),
        (SwitchoverDone, Start, Running(R)),
        (SwitchoverDone, Cancel, Cancelled),
        (Running(R), Pause, Paused(R)),
        (Running(R), Cancel, Cancelled),
        (Running(R), StepFailed, Blocked(R)),
        (Running(R), StepInterrupted, Blocked(R)),
        (Running(R), PhaseFinished, Completed),
        (Paused(R), Resume, Running(R)),
        (Paused(R), Cancel, Cancelled),
        (Paused(R), StepFailed, Blocked(R)),
        (Paused(R), StepInterrupted, Blocked(R)),
        (Running(R), Abandon, Blocked(R)),
        (Paused(R), Abandon, Blocked(R)),
        (Blocked(R), Retry, Running(R)),
        (Blocked(R), Skip, Running(R)),
        (Blocked(R), MarkDone, Running(R)),
        (Blocked(R), Cancel, Cancelled),
    ];

    #[test]
    fn every_execution_transition_is_allowed_or_refused_as_the_table_says() {
        for state in ExecutionState::ALL {
            for trigger in TRIGGERS {
                let expected = ALLOWED
                    .iter()
                    .find(|(from, by, _)| *from == state && *by == trigger)
                    .map(|(_, _, to)| *to);
                match (state.next(trigger), expected) {
                    (Ok(next), Some(to)) => assert_eq!(next, to, "{state:?} + {trigger:?}"),
                    (Err(Refused(why)), None) => {
                        assert!(why.starts_with("the execution is "), "{why}")
                    }
                    (got, want) => panic!("{state:?} + {trigger:?}: got {got:?}, want {want:?}"),
                }
            }
        }
    }

    #[test]
    fn refusals_say_what_would_be_needed() {
        assert_eq!(
            Completed.next(Start),
            Err(Refused(
                "the execution is completed; nothing more can happen".to_owned()
            ))
        );
        assert_eq!(
            Running(S).next(Resume),
            Err(Refused(
                "the execution is switchover running: only a paused execution can be resumed"
                    .to_owned()
            ))
        );
    }

    #[test]
    fn live_states_and_names_round_trip() {
        let live: Vec<_> = ExecutionState::ALL
            .into_iter()
            .filter(|s| s.is_live())
            .collect();
        assert_eq!(live.len(), 8);
        for state in ExecutionState::ALL {
            assert_eq!(ExecutionState::parse(state.as_str()), Some(state));
            let json = serde_json::to_string(&state).unwrap();
            assert_eq!(json, format!("\"{}\"", state.as_str()));
            assert_eq!(
                serde_json::from_str::<ExecutionState>(&json).unwrap(),
                state
            );
            assert!(state.as_str().len() <= 32, "fits executions.state");
        }
        assert_eq!(Blocked(R).phase(), Some(R));
        assert_eq!(SwitchoverDone.phase(), None);
    }
}
