//! (tests) An execution's row and a step, plain, for tests to change what they need of.

use super::ExecutionState;
use super::StepStatus;
use super::view::{ExecutionStep, ExecutionStepId, ExecutionSummary};
use crate::domain::environment::DataCenterRef;
use crate::domain::ids::{DataCenterId, ExecutionId};
use crate::domain::plan::Phase;
use crate::domain::step::StepSpec;

/// Execution `id`, created (not started), from data center A to A, holding `last_seq`.
pub fn summary(id: u64, last_seq: u64) -> ExecutionSummary {
    let dc = DataCenterRef {
        id: DataCenterId(1),
        name: "A".into(),
    };
    ExecutionSummary {
        id: ExecutionId(id),
        plan_id: None,
        plan_name: "plan".into(),
        plan_version: 1,
        rto_minutes: None,
        failed: dc.clone(),
        emergency: dc,
        description: String::new(),
        drill: false,
        state: ExecutionState::Created,
        created_by: None,
        created_at: chrono::DateTime::UNIX_EPOCH,
        started_at: None,
        started_by: None,
        switchover_done_at: None,
        recovery_started_at: None,
        finished_at: None,
        last_seq,
    }
}

/// Switchover step `id` (at position `id`): a one-second wait, pending.
pub fn step(id: u64) -> ExecutionStep {
    ExecutionStep {
        id: ExecutionStepId(id),
        phase: Phase::Switchover,
        position: id as u32,
        title: String::new(),
        spec: StepSpec::Wait { seconds: 1 },
        target: None,
        status: StepStatus::Pending,
        attempts: 0,
        started_at: None,
        finished_at: None,
        last_error: None,
        decided_by: None,
        reason: None,
    }
}
