//! An execution as the engine reads it: its state, its steps with their typed specs and
//! resolved targets, the calls each step made, and the config a step calls through.

use super::CallRow;
use super::read::rows;
use crate::domain::execution::target::{StepTarget, Via};
use crate::domain::execution::view::{ExecutionStepId, StepCall};
use crate::domain::execution::{ExecutionState, StepStatus};
use crate::domain::ids::{ConnectionConfigId, ExecutionId};
use crate::domain::plan::Phase;
use crate::domain::step::StepSpec;
use crate::store::schema::execution_calls;
use crate::store::{Store, StoreError};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;

/// The connection config a step calls through `via` now (see `create::config_for`).
pub async fn config(
    store: &Store,
    via: &Via,
) -> Result<Option<(ConnectionConfigId, String)>, StoreError> {
    super::create::config_for(&mut *store.conn().await?, via).await
}

/// An execution as the engine reads it.
#[derive(Debug, Clone)]
pub struct Run {
    pub id: ExecutionId,
    /// The execution's random id, part of every idempotency key its calls carry.
    pub run_key: String,
    pub state: ExecutionState,
    pub steps: Vec<RunStep>,
}

/// A step as the engine reads it.
#[derive(Debug, Clone)]
pub struct RunStep {
    pub id: ExecutionStepId,
    pub phase: Phase,
    pub position: u32,
    pub key: String,
    pub spec: StepSpec,
    pub target: Option<StepTarget>,
    pub status: StepStatus,
    pub attempts: u32,
    pub started_at: Option<DateTime<Utc>>,
}

impl Run {
    /// The step to look at next in `phase`: the first that is not done with.
    pub fn current(&self, phase: Phase) -> Option<&RunStep> {
        self.steps
            .iter()
            .find(|s| s.phase == phase && !s.status.is_final())
    }

    /// The step to look at after `step` (of the same phase) is done with, as the steps
    /// were when read.
    pub fn after(&self, step: &RunStep) -> Option<&RunStep> {
        self.steps
            .iter()
            .skip_while(|s| s.id != step.id)
            .skip(1)
            .find(|s| s.phase == step.phase && !s.status.is_final())
    }
}

/// The execution and its steps, as they are now.
pub async fn load(store: &Store, id: ExecutionId) -> Result<Run, StoreError> {
    let (row, steps) = rows(&mut *store.conn().await?, id).await?;
    Ok(Run {
        id,
        run_key: row.run_key.clone(),
        state: row.state()?,
        steps: steps
            .iter()
            .map(|s| {
                Ok(RunStep {
                    id: ExecutionStepId(s.id),
                    phase: s.phase()?,
                    position: s.position,
                    key: s.step_key.clone(),
                    spec: s.spec()?,
                    target: s.target()?,
                    status: s.status()?,
                    attempts: s.attempts,
                    started_at: s.started_at.map(|t| t.and_utc()),
                })
            })
            .collect::<Result<_, StoreError>>()?,
    })
}

/// Every call a step made, in every attempt, oldest first: what recovery and a retry ask
/// about again before they send anything new.
pub async fn step_calls(store: &Store, step: ExecutionStepId) -> Result<Vec<StepCall>, StoreError> {
    let rows: Vec<CallRow> = execution_calls::table
        .filter(execution_calls::execution_step_id.eq(step.0))
        .order(execution_calls::id)
        .select(CallRow::as_select())
        .load(&mut *store.conn().await?)
        .await?;
    Ok(rows.into_iter().map(StepCall::from).collect())
}
