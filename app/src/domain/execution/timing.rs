//! How long a run took, and whether it met its plan's recovery-time target (RTO). The
//! switchover is measured from the first start to the end of the switchover phase, wall
//! clock: waits for people, blocked steps and pauses count, because the service was not
//! back meanwhile. The recovery is measured from its start to the execution's end.

use super::ExecutionState;
use super::view::ExecutionSummary;
use chrono::{DateTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};

/// The switchover against the target: met or missed, and by how much.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "verdict", rename_all = "snake_case")]
pub enum RtoVerdict {
    /// Within the target, with `spare_seconds` to spare.
    Met { spare_seconds: i64 },
    /// Over the target by `over_seconds`.
    Missed { over_seconds: i64 },
}

impl RtoVerdict {
    /// `took` measured against a target of `minutes`.
    pub fn of(took: TimeDelta, minutes: u32) -> Self {
        let target = i64::from(minutes) * 60;
        let took = took.num_seconds().max(0);
        if took <= target {
            Self::Met {
                spare_seconds: target - took,
            }
        } else {
            Self::Missed {
                over_seconds: took - target,
            }
        }
    }

    pub fn is_met(self) -> bool {
        matches!(self, Self::Met { .. })
    }
}

/// The moments of a run that mark its phases: what a move into `next` stamps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Milestone {
    /// The switchover phase finished: the service runs in the emergency data center.
    SwitchoverDone,
    /// The recovery phase started (stamped once; a resume does not move it).
    RecoveryStarted,
}

impl Milestone {
    /// The milestone a move into `next` reaches, if any.
    pub fn reached_by(next: ExecutionState) -> Option<Self> {
        match next {
            ExecutionState::SwitchoverDone => Some(Self::SwitchoverDone),
            ExecutionState::Running(crate::domain::plan::Phase::Recovery) => {
                Some(Self::RecoveryStarted)
            }
            _ => None,
        }
    }
}

impl ExecutionSummary {
    /// How long the switchover took; `None` until it finished.
    pub fn switchover_took(&self) -> Option<TimeDelta> {
        between(self.started_at, self.switchover_done_at)
    }

    /// How long the recovery took; `None` until the execution completed.
    pub fn recovery_took(&self) -> Option<TimeDelta> {
        match self.state {
            ExecutionState::Completed => between(self.recovery_started_at, self.finished_at),
            _ => None,
        }
    }

    /// The switchover against the target; `None` without a target or before it finished.
    pub fn rto_verdict(&self) -> Option<RtoVerdict> {
        Some(RtoVerdict::of(self.switchover_took()?, self.rto_minutes?))
    }

    /// Stamps what a move into `next` at `now` reaches (`Milestone`): the one rule the
    /// database, the degraded book and reconcile all follow.
    pub fn reach(&mut self, next: ExecutionState, now: DateTime<Utc>) {
        match Milestone::reached_by(next) {
            Some(Milestone::SwitchoverDone) => self.switchover_done_at = Some(now),
            Some(Milestone::RecoveryStarted) => {
                self.recovery_started_at.get_or_insert(now);
            }
            None => {}
        }
    }
}

fn between(start: Option<DateTime<Utc>>, end: Option<DateTime<Utc>>) -> Option<TimeDelta> {
    Some(end? - start?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::plan::Phase;

    #[test]
    fn a_switchover_within_its_target_is_met_with_the_time_to_spare() {
        assert_eq!(
            RtoVerdict::of(TimeDelta::seconds(25 * 60), 30),
            RtoVerdict::Met { spare_seconds: 300 }
        );
        assert!(RtoVerdict::of(TimeDelta::seconds(30 * 60), 30).is_met());
        assert_eq!(
            RtoVerdict::of(TimeDelta::seconds(30 * 60 + 1), 30),
            RtoVerdict::Missed { over_seconds: 1 }
        );
    }

    #[test]
    fn the_milestones_are_the_end_of_the_switchover_and_the_start_of_the_recovery() {
        assert_eq!(
            Milestone::reached_by(ExecutionState::SwitchoverDone),
            Some(Milestone::SwitchoverDone)
        );
        assert_eq!(
            Milestone::reached_by(ExecutionState::Running(Phase::Recovery)),
            Some(Milestone::RecoveryStarted)
        );
        for none in [
            ExecutionState::Running(Phase::Switchover),
            ExecutionState::Paused(Phase::Recovery),
            ExecutionState::Completed,
            ExecutionState::Cancelled,
        ] {
            assert_eq!(Milestone::reached_by(none), None, "{none:?}");
        }
    }

    #[test]
    fn verdict_answers_the_verdict_as_json_with_its_kind() {
        assert_eq!(
            serde_json::to_value(RtoVerdict::Missed { over_seconds: 90 }).unwrap(),
            serde_json::json!({ "verdict": "missed", "over_seconds": 90 })
        );
    }
}
