//! What an execution's report is made of, read in one go: the execution, its step events
//! (each carrying the step whole, so its timeline replays), its calls and the logs of its
//! failed attempts, and the audited controls people used on it. The report is read from
//! the database only: while degraded, the execution page still shows the run as this
//! instance knows it.

use super::read::detail;
use super::{CallRow, LogRow};
use crate::domain::event::Change;
use crate::domain::execution::StepStatus;
use crate::domain::execution::report::{ControlUse, ExecutionReport, StepEvent};
use crate::domain::execution::view::{ExecutionStepId, StepCall, StepLogLine};
use crate::domain::ids::ExecutionId;
use crate::store::audit::{self, Target};
use crate::store::schema::{
    execution_calls, execution_events, execution_step_logs, execution_steps,
};
use crate::store::{Store, StoreError};
use chrono::{NaiveDateTime, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;

/// The most audited controls a report lists.
const CONTROLS_LIMIT: i64 = 1000;

/// The report of execution `id`, as it stands now.
pub async fn report(store: &Store, id: ExecutionId) -> Result<ExecutionReport, StoreError> {
    if store.mode().is_degraded() {
        return Err(StoreError::Degraded(
            "reports are read from the database, and this instance is in degraded mode; \
             the execution's own page shows the run"
                .to_owned(),
        ));
    }
    let conn = &mut *store.conn().await?;
    let detail = detail(conn, id).await?;
    let events: Vec<(NaiveDateTime, serde_json::Value)> = execution_events::table
        .filter(execution_events::execution_id.eq(id.0))
        .filter(execution_events::kind.eq("step"))
        .order(execution_events::seq)
        .select((execution_events::at, execution_events::payload))
        .load(conn)
        .await?;
    let step_events = events
        .into_iter()
        .map(|(at, payload)| match serde_json::from_value(payload) {
            Ok(Change::Step(step)) => Ok((at.and_utc(), step)),
            _ => Err(StoreError::internal(format!(
                "a step event of execution {id} is unreadable"
            ))),
        })
        .collect::<Result<Vec<StepEvent>, _>>()?;
    let steps = execution_steps::table
        .filter(execution_steps::execution_id.eq(id.0))
        .select(execution_steps::id);
    let calls: Vec<CallRow> = execution_calls::table
        .filter(execution_calls::execution_step_id.eq_any(steps))
        .order(execution_calls::id)
        .select(CallRow::as_select())
        .load(conn)
        .await?;
    let calls: Vec<(ExecutionStepId, StepCall)> = calls
        .into_iter()
        .map(|row| (ExecutionStepId(row.execution_step_id), row.into()))
        .collect();
    // Only the logs of steps that ever failed: the report shows failed attempts' logs.
    let failed: Vec<u64> = step_events
        .iter()
        .filter(|(_, step)| matches!(step.status, StepStatus::Failed | StepStatus::Interrupted))
        .map(|(_, step)| step.id.0)
        .collect();
    let lines: Vec<(u64, LogRow)> = execution_step_logs::table
        .filter(execution_step_logs::execution_step_id.eq_any(failed))
        .order(execution_step_logs::id)
        .select((execution_step_logs::execution_step_id, LogRow::as_select()))
        .load(conn)
        .await?;
    let lines: Vec<(ExecutionStepId, StepLogLine)> = lines
        .into_iter()
        .map(|(step, row)| (ExecutionStepId(step), row.into()))
        .collect();
    let controls = audit::people_about(
        conn,
        &Target::new("execution", id),
        "executions/",
        "executions/comment",
        CONTROLS_LIMIT,
    )
    .await?
    .into_iter()
    .map(|entry| ControlUse {
        at: entry.at,
        who: entry.actor_name,
        role: entry.actor_role,
        action: entry.action,
        note: entry.reason,
    })
    .collect();
    Ok(ExecutionReport::build(
        detail,
        &step_events,
        &calls,
        &lines,
        controls,
        Utc::now(),
    ))
}
