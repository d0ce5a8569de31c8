//! Executions (预案执行单): created from an active plan's active version with every step
//! copied and its targets resolved (`create`), read for the pages and the live channel
//! (`read`) and reported on afterwards (`report`), driven by operators (`control`) and by the engine: who runs one (`leases`),
//! what the engine reads (`run`), its moves of steps and executions (`transitions`), and
//! a running step's log lines and call records (`step_records`), every engine write
//! fenced by the execution's lease; what other instances committed (`follow`). Every change writes its event (`events`, the next
//! `seq`) and its audit entry in the same transaction as the change itself.

mod comments;
mod control;
mod create;
mod degraded;
mod events;
pub mod follow;
pub mod leases;
mod read;
mod report;
pub mod run;
pub mod step_records;
pub mod transitions;

pub use comments::comment;
pub use control::{Commanded, command};
pub use create::{Need, config_for_run, create, needs};
pub use events::events_after;
pub(crate) use read::last_drills;
pub(crate) use read::summary_in;
pub use read::{HISTORY_LIMIT, get, history, last_seq, list, step_record};
pub use report::report;

use super::StoreError;
use crate::domain::environment::DataCenterRef;
use crate::domain::execution::target::StepTarget;
use crate::domain::execution::view::{
    CallStatus, ExecutionStep, ExecutionStepId, ExecutionSummary, LogLevel, StepCall, StepLogLine,
};
use crate::domain::execution::{ExecutionState, StepStatus};
use crate::domain::ids::{DataCenterId, ExecutionId, PlanId};
use crate::domain::plan::Phase;
use crate::domain::step::StepSpec;
use crate::store::schema::{execution_calls, execution_step_logs, execution_steps, executions};
use chrono::NaiveDateTime;
use diesel::prelude::*;
use std::collections::HashMap;

/// An execution row as read.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = executions, check_for_backend(diesel::mysql::Mysql))]
pub(crate) struct ExecutionRow {
    pub id: u64,
    /// A random id, unique beyond this database: every idempotency key carries it.
    pub run_key: String,
    pub plan_id: Option<u64>,
    pub plan_version_id: Option<u64>,
    pub plan_name: String,
    pub plan_version_number: u32,
    pub rto_minutes: Option<u32>,
    pub failed_data_center_id: u64,
    pub emergency_data_center_id: u64,
    pub description: String,
    pub drill: bool,
    pub state: String,
    pub created_by: Option<u64>,
    pub created_at: NaiveDateTime,
    pub started_at: Option<NaiveDateTime>,
    pub started_by: Option<u64>,
    pub switchover_done_at: Option<NaiveDateTime>,
    pub recovery_started_at: Option<NaiveDateTime>,
    pub finished_at: Option<NaiveDateTime>,
    pub last_seq: u64,
}

impl ExecutionRow {
    pub fn state(&self) -> Result<ExecutionState, StoreError> {
        ExecutionState::parse(&self.state).ok_or_else(|| {
            StoreError::internal(format!(
                "unknown state {:?} of execution {}",
                self.state, self.id
            ))
        })
    }
}

/// Names the rows refer to by id: data centers and users.
#[derive(Debug, Default)]
pub(crate) struct Names {
    pub data_centers: HashMap<u64, String>,
    pub users: HashMap<u64, String>,
}

impl Names {
    fn data_center(&self, id: u64) -> DataCenterRef {
        DataCenterRef {
            id: DataCenterId(id),
            name: self
                .data_centers
                .get(&id)
                .cloned()
                .unwrap_or_else(|| format!("data center {id}")),
        }
    }

    fn user(&self, id: Option<u64>) -> Option<String> {
        id.map(|id| {
            self.users
                .get(&id)
                .cloned()
                .unwrap_or_else(|| format!("user {id}"))
        })
    }

    pub fn summary(&self, row: &ExecutionRow) -> Result<ExecutionSummary, StoreError> {
        Ok(ExecutionSummary {
            id: ExecutionId(row.id),
            plan_id: row.plan_id.map(PlanId),
            plan_name: row.plan_name.clone(),
            plan_version: row.plan_version_number,
            rto_minutes: row.rto_minutes,
            failed: self.data_center(row.failed_data_center_id),
            emergency: self.data_center(row.emergency_data_center_id),
            description: row.description.clone(),
            drill: row.drill,
            state: row.state()?,
            created_by: self.user(row.created_by),
            created_at: row.created_at.and_utc(),
            started_at: row.started_at.map(|t| t.and_utc()),
            started_by: self.user(row.started_by),
            switchover_done_at: row.switchover_done_at.map(|t| t.and_utc()),
            recovery_started_at: row.recovery_started_at.map(|t| t.and_utc()),
            finished_at: row.finished_at.map(|t| t.and_utc()),
            last_seq: row.last_seq,
        })
    }

    pub fn step(&self, row: &StepRow) -> Result<ExecutionStep, StoreError> {
        row.view(self)
    }
}

/// An execution step row as read.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = execution_steps, check_for_backend(diesel::mysql::Mysql))]
pub(crate) struct StepRow {
    pub id: u64,
    pub phase: String,
    pub position: u32,
    pub step_key: String,
    pub opcode: String,
    pub title: String,
    pub params: serde_json::Value,
    pub resolved: Option<serde_json::Value>,
    pub status: String,
    pub attempts: u32,
    pub started_at: Option<NaiveDateTime>,
    pub finished_at: Option<NaiveDateTime>,
    pub last_error: Option<String>,
    pub decided_by: Option<u64>,
    pub reason: Option<String>,
}

impl StepRow {
    fn broken(&self, what: &str) -> StoreError {
        StoreError::internal(format!("execution step {}: {what}", self.id))
    }

    pub fn status(&self) -> Result<StepStatus, StoreError> {
        StepStatus::parse(&self.status).ok_or_else(|| self.broken("unknown status"))
    }

    pub fn phase(&self) -> Result<Phase, StoreError> {
        Phase::parse(&self.phase).ok_or_else(|| self.broken("unknown phase"))
    }

    pub fn spec(&self) -> Result<StepSpec, StoreError> {
        let params = self
            .params
            .as_object()
            .ok_or_else(|| self.broken("parameters are not an object"))?;
        StepSpec::parse(&self.opcode, params).map_err(|e| self.broken(&e))
    }

    pub fn target(&self) -> Result<Option<StepTarget>, StoreError> {
        self.resolved
            .as_ref()
            .map(|value| serde_json::from_value(value.clone()))
            .transpose()
            .map_err(|e| self.broken(&format!("unreadable target: {e}")))
    }

    fn view(&self, names: &Names) -> Result<ExecutionStep, StoreError> {
        Ok(ExecutionStep {
            id: ExecutionStepId(self.id),
            phase: self.phase()?,
            position: self.position,
            title: self.title.clone(),
            spec: self.spec()?,
            target: self.target()?,
            status: self.status()?,
            attempts: self.attempts,
            started_at: self.started_at.map(|t| t.and_utc()),
            finished_at: self.finished_at.map(|t| t.and_utc()),
            last_error: self.last_error.clone(),
            decided_by: names.user(self.decided_by),
            reason: self.reason.clone(),
        })
    }
}

/// A step log row as read.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = execution_step_logs, check_for_backend(diesel::mysql::Mysql))]
pub(crate) struct LogRow {
    pub id: u64,
    pub attempt: u32,
    pub at: NaiveDateTime,
    pub level: String,
    pub message: String,
}

impl From<LogRow> for StepLogLine {
    fn from(row: LogRow) -> Self {
        StepLogLine {
            id: row.id,
            attempt: row.attempt,
            at: row.at.and_utc(),
            level: LogLevel::parse(&row.level).unwrap_or(LogLevel::Info),
            message: row.message,
        }
    }
}

/// A platform call row as read.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = execution_calls, check_for_backend(diesel::mysql::Mysql))]
pub(crate) struct CallRow {
    pub id: u64,
    pub execution_step_id: u64,
    pub attempt: u32,
    pub idempotency_key: String,
    pub connection_config_name: Option<String>,
    pub method: String,
    pub path: String,
    pub operation_id: Option<String>,
    pub status: String,
    pub http_status: Option<u16>,
    pub sent_at: NaiveDateTime,
    pub finished_at: Option<NaiveDateTime>,
}

impl From<CallRow> for StepCall {
    fn from(row: CallRow) -> Self {
        StepCall {
            id: row.id,
            attempt: row.attempt,
            idempotency_key: row.idempotency_key,
            config_name: row.connection_config_name,
            method: row.method,
            path: row.path,
            operation_id: row.operation_id,
            status: CallStatus::parse(&row.status).unwrap_or(CallStatus::Unknown),
            http_status: row.http_status,
            sent_at: row.sent_at.and_utc(),
            finished_at: row.finished_at.map(|t| t.and_utc()),
        }
    }
}
