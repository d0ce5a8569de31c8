//! The built-in simulator's control API: what a person (through the console's Simulator
//! page) or a test reads and changes on the simulator — its world, its timing, the
//! faults it injects and the calls it received. It is not part of the platform API: a
//! real platform has none of it. Paths are under `/sim/`, with the same basic auth.

use super::choice::choice;
use super::platform::{ApplicationState, ClusterState, TrafficState};
use crate::error::FieldError;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The control API's paths.
pub mod paths {
    /// `GET`: the whole [`super::SimulatorState`].
    pub const STATE: &str = "/sim/state";
    /// `POST`: the world back to the estate it started from (faults and timing stay).
    pub const RESET: &str = "/sim/reset";
    /// `POST` a [`super::FaultSpec`] to inject it; `DELETE` to clear them all.
    pub const FAULTS: &str = "/sim/faults";
    /// `PUT` a [`super::Timing`].
    pub const TIMING: &str = "/sim/timing";

    /// `DELETE`: clears one fault.
    pub fn fault(id: u64) -> String {
        format!("/sim/faults/{id}")
    }
}

/// The fields of a fault spec and a timing, as their refusals name them.
pub mod fields {
    pub const DATA_CENTER: &str = "data_center";
    pub const TARGET: &str = "target";
    pub const EFFECT: &str = "effect";
    pub const TIMES: &str = "times";
    pub const DELAY_MS: &str = "delay_ms";
    /// A problem with the spec or the timing as a whole.
    pub const SPEC: &str = "spec";
}

/// The most faults active at once.
pub const MAX_FAULTS: usize = 100;
/// The longest a `slow` fault delays an answer, and the longest latency, in milliseconds.
pub const MAX_DELAY_MS: u32 = 120_000;
/// The most calls a `fail` fault can count down.
pub const MAX_TIMES: u32 = 1_000;
/// The longest data center or target name a fault may name.
const MAX_NAME: usize = 100;

choice! {
    /// Every call of the platform API, as faults and the call log name them.
    Call {
        Health = "health", "Platform health";
        TrafficRead = "traffic.read", "Read traffic";
        TrafficCut = "traffic.cut", "Cut traffic";
        TrafficRestore = "traffic.restore", "Restore traffic";
        ApplicationRead = "application.read", "Read application health";
        ApplicationRestart = "application.restart", "Restart application";
        ClusterRead = "cluster.read", "Read cluster";
        ClusterSwitchover = "cluster.switchover", "Switch cluster over";
        ClusterSwitchback = "cluster.switchback", "Switch cluster back";
        OperationRead = "operation.read", "Follow operation";
    }
}

impl Call {
    /// Whether the call changes the world (and so makes an operation).
    pub fn mutates(self) -> bool {
        matches!(
            self,
            Self::TrafficCut
                | Self::TrafficRestore
                | Self::ApplicationRestart
                | Self::ClusterSwitchover
                | Self::ClusterSwitchback
        )
    }
}

choice! {
    /// What an injected fault does to a call it matches.
    FaultEffect {
        /// A change is accepted, runs its latency and ends `failed`, changing nothing; a
        /// read answers `503 unavailable`.
        Fail = "fail", "Fail";
        /// No answer ever (until the caller gives up); nothing changes.
        Hang = "hang", "Hang";
        /// The answer comes `delay_ms` late.
        Slow = "slow", "Slow down";
        /// `500 internal` before anything changes.
        Error500 = "error_500", "Answer 500";
        /// The change is made, then the connection closes without an answer: the caller
        /// must ask again with the same key to learn the outcome.
        Drop = "drop", "Drop the connection";
        /// Health reads alternate: `health` answers 503 every other call, `application.read`
        /// reports `unhealthy` every other call.
        Flap = "flap", "Flap health";
    }
}

/// A fault to inject: which calls it matches and what it does to them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FaultSpec {
    pub call: Call,
    /// Only calls for this data center (the one a call names; a switchover's `to`).
    #[serde(default)]
    pub data_center: Option<String>,
    /// Only calls naming this product group, application or cluster.
    #[serde(default)]
    pub target: Option<String>,
    pub effect: FaultEffect,
    /// The next this many matching calls; none means every call until cleared.
    #[serde(default)]
    pub times: Option<u32>,
    /// For `slow`: how late the answer comes.
    #[serde(default)]
    pub delay_ms: Option<u32>,
}

impl FaultSpec {
    /// The spec with names trimmed (an empty name means any), or the field that is wrong
    /// and why.
    pub fn checked(mut self) -> Result<Self, FieldError> {
        for (field, name) in [
            (fields::DATA_CENTER, &mut self.data_center),
            (fields::TARGET, &mut self.target),
        ] {
            *name = name
                .take()
                .map(|n| n.trim().to_owned())
                .filter(|n| !n.is_empty());
            if name.as_ref().is_some_and(|n| n.chars().count() > MAX_NAME) {
                let message = format!("{field} is at most {MAX_NAME} characters");
                return Err(FieldError::new(field, message));
            }
        }
        if let Some(times) = self.times
            && !(1..=MAX_TIMES).contains(&times)
        {
            let message = format!("times must be between 1 and {MAX_TIMES}");
            return Err(FieldError::new(fields::TIMES, message));
        }
        match (self.effect, self.delay_ms) {
            (FaultEffect::Slow, Some(ms)) if (1..=MAX_DELAY_MS).contains(&ms) => {}
            (FaultEffect::Slow, _) => {
                let message = format!("a slow fault needs delay_ms between 1 and {MAX_DELAY_MS}");
                return Err(FieldError::new(fields::DELAY_MS, message));
            }
            (_, Some(_)) => {
                let message = "only a slow fault takes delay_ms";
                return Err(FieldError::new(fields::DELAY_MS, message));
            }
            (_, None) => {}
        }
        if self.effect == FaultEffect::Flap
            && !matches!(self.call, Call::Health | Call::ApplicationRead)
        {
            let message = "only health and application.read calls can flap";
            return Err(FieldError::new(fields::EFFECT, message));
        }
        if self.effect == FaultEffect::Drop && !self.call.mutates() {
            let message = "only calls that change something can drop after acting";
            return Err(FieldError::new(fields::EFFECT, message));
        }
        Ok(self)
    }

    /// For people: "Fail the next 2 Restart application calls for Hangzhou-B".
    pub fn describe(&self) -> String {
        let mut text = format!("{}: {}", self.effect.label(), self.call.label());
        if let Some(dc) = &self.data_center {
            text.push_str(&format!(" in {dc}"));
        }
        if let Some(target) = &self.target {
            text.push_str(&format!(" of {target}"));
        }
        if let Some(ms) = self.delay_ms {
            text.push_str(&format!(", {ms} ms late"));
        }
        text
    }
}

/// An active fault.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fault {
    pub id: u64,
    pub spec: FaultSpec,
    /// How many more calls it will hit; none means until cleared.
    pub remaining: Option<u32>,
    /// How many calls it has hit so far.
    pub hits: u64,
}

/// How long an operation takes: a uniform pick between the two bounds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Latency {
    pub min_ms: u32,
    pub max_ms: u32,
}

impl Latency {
    pub const ZERO: Latency = Latency {
        min_ms: 0,
        max_ms: 0,
    };
}

/// How long each kind of operation takes before it ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Timing {
    /// Traffic cuts and restores.
    pub traffic: Latency,
    /// Application restarts (the application reports `restarting` meanwhile).
    pub restart: Latency,
    /// Cluster switchovers and switchbacks.
    pub cluster: Latency,
    /// Whether a traffic cut also takes the drain time its step gives (`drain_seconds`),
    /// as a gateway does: a drill's measured times then mean something.
    #[serde(default)]
    pub drains: bool,
}

impl Timing {
    /// Everything ends at once: for tests and benchmarks.
    pub const ZERO: Timing = Timing {
        traffic: Latency::ZERO,
        restart: Latency::ZERO,
        cluster: Latency::ZERO,
        drains: false,
    };

    /// Small and realistic, for rehearsals and drills: restarts take 1 to 3 s, and a
    /// traffic cut takes its drain time.
    pub const REALISTIC: Timing = Timing {
        traffic: Latency {
            min_ms: 200,
            max_ms: 600,
        },
        restart: Latency {
            min_ms: 1_000,
            max_ms: 3_000,
        },
        cluster: Latency {
            min_ms: 1_500,
            max_ms: 4_000,
        },
        drains: true,
    };

    /// `REALISTIC` without the drain times: for automated browser tests, which would
    /// otherwise wait out every cut's half minute.
    pub const QUICK: Timing = Timing {
        drains: false,
        ..Self::REALISTIC
    };

    /// The timing, or the kind (`traffic`, `restart`, `cluster`) that is wrong and why.
    pub fn checked(self) -> Result<Self, FieldError> {
        for (kind, latency) in [
            ("traffic", self.traffic),
            ("restart", self.restart),
            ("cluster", self.cluster),
        ] {
            if latency.min_ms > latency.max_ms || latency.max_ms > MAX_DELAY_MS {
                let message = format!(
                    "{kind}: min_ms must not exceed max_ms, which is at most {MAX_DELAY_MS}"
                );
                return Err(FieldError::new(kind, message));
            }
        }
        Ok(self)
    }
}

/// One call the simulator received, for the call log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallRecord {
    pub at: DateTime<Utc>,
    pub call: Call,
    /// What it named: "Payments in Shanghai-A".
    pub subject: String,
    /// The HTTP status answered (0 when the connection was dropped or hung).
    pub status: u16,
    /// The fault that hit it, if one did.
    pub fault: Option<u64>,
    /// A mutating call whose idempotency key came before: answered with the operation
    /// that key made, nothing done again.
    #[serde(default)]
    pub replay: bool,
    /// A mutating call taken as new work: its key was new and an operation was made (even
    /// when the answer was then dropped). A hung call acted on nothing.
    #[serde(default)]
    pub acted: bool,
}

/// Everything the simulator holds, for the Simulator page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SimulatorState {
    pub data_centers: Vec<String>,
    pub traffic: Vec<TrafficState>,
    pub applications: Vec<ApplicationState>,
    pub clusters: Vec<ClusterState>,
    pub faults: Vec<Fault>,
    pub timing: Timing,
    /// The latest calls, newest first.
    pub calls: Vec<CallRecord>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(effect: FaultEffect) -> FaultSpec {
        FaultSpec {
            call: Call::ApplicationRestart,
            data_center: Some("  Hangzhou-B ".into()),
            target: Some(String::new()),
            effect,
            times: Some(2),
            delay_ms: None,
        }
    }

    #[test]
    fn a_fault_spec_is_trimmed_and_checked() {
        let checked = spec(FaultEffect::Fail).checked().unwrap();
        assert_eq!(checked.data_center.as_deref(), Some("Hangzhou-B"));
        assert_eq!(checked.target, None);
        assert!(spec(FaultEffect::Slow).checked().is_err());
        let slow = FaultSpec {
            delay_ms: Some(500),
            ..spec(FaultEffect::Slow)
        };
        assert!(slow.checked().is_ok());
        assert!(spec(FaultEffect::Flap).checked().is_err());
        let never = FaultSpec {
            times: Some(0),
            ..spec(FaultEffect::Fail)
        };
        assert!(never.checked().is_err());
        let read_drop = FaultSpec {
            call: Call::TrafficRead,
            ..spec(FaultEffect::Drop)
        };
        assert!(read_drop.checked().is_err());
    }

    #[test]
    fn timing_bounds_are_ordered() {
        assert!(Timing::REALISTIC.checked().is_ok());
        let backwards = Timing {
            restart: Latency {
                min_ms: 10,
                max_ms: 5,
            },
            ..Timing::ZERO
        };
        assert!(backwards.checked().is_err());
    }
}
