//! An execution as the engine reads it: its state, its steps with their typed specs and
//! resolved targets, the calls each step made, and the config a step calls through.

use super::read::{names, rows};
use super::{CallRow, ExecutionRow, LogRow, StepRow};
use crate::domain::connection::ConfigKind;
use crate::domain::execution::target::{StepTarget, Via};
use crate::domain::execution::view::{ExecutionDetail, ExecutionStepId, StepCall};
use crate::domain::execution::{ExecutionState, StepStatus};
use crate::domain::ids::{ConnectionConfigId, ExecutionId};
use crate::domain::plan::Phase;
use crate::domain::step::StepSpec;
use crate::mode::book::{Known, LINES_KEPT};
use crate::store::schema::{execution_calls, execution_step_logs};
use crate::store::{Db, Store, StoreError};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;

/// The connection config a step calls through `via` now (see `create::config_for`).
pub async fn config(
    store: &Store,
    via: &Via,
    drill: bool,
) -> Result<Option<(ConnectionConfigId, String)>, StoreError> {
    let mirrored = crate::store::mirror::degraded(store, |c| {
        let found = c.connection_configs.iter().filter(|config| {
            config.data_center.id == via.data_center.id && config.platform == via.platform
        });
        Ok(ConfigKind::choose(
            found.map(|config| (config.kind, (config.id, config.name.clone()))),
            drill,
        ))
    });
    if let Some(mirrored) = mirrored {
        return mirrored;
    }
    super::create::config_for(&mut *store.conn().await?, via, drill).await
}

/// An execution as the engine reads it.
#[derive(Debug, Clone)]
pub struct Run {
    pub id: ExecutionId,
    /// The execution's random id, part of every idempotency key its calls carry.
    pub run_key: String,
    pub state: ExecutionState,
    /// A drill calls only test (simulator) configs.
    pub drill: bool,
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

/// The execution and its steps, as they are now (in degraded mode, as the execution book
/// knows them). In normal mode the book's copy is kept up to date on the way.
pub async fn load(store: &Store, id: ExecutionId) -> Result<Run, StoreError> {
    if store.mode().is_degraded() {
        return super::degraded::load(store, id);
    }
    let mut conn = store.conn().await?;
    let (row, steps) = rows(&mut conn, id).await?;
    let run = Run {
        id,
        run_key: row.run_key.clone(),
        state: row.state()?,
        drill: row.drill,
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
    };
    remember(store, &mut conn, &row, &steps).await?;
    Ok(run)
}

/// Keeps the book's copy of an execution whose lease this instance holds: read in full
/// when the book does not know it, or knows an older state than MySQL holds (another
/// instance's change, or an event it missed); otherwise the events kept it up to date.
async fn remember(
    store: &Store,
    conn: &mut Db,
    row: &ExecutionRow,
    steps: &[StepRow],
) -> Result<(), StoreError> {
    let id = ExecutionId(row.id);
    let book = store.mode().book();
    let Some(token) = book.token(id) else {
        return Ok(());
    };
    if book.known_seq(id) == Some(row.last_seq) {
        return Ok(());
    }
    let names = names(conn, std::slice::from_ref(row), steps).await?;
    let detail = ExecutionDetail {
        summary: names.summary(row)?,
        steps: steps
            .iter()
            .map(|step| names.step(step))
            .collect::<Result<_, _>>()?,
        comments: super::comments::of(conn, id).await?,
    };
    let step_ids: Vec<u64> = steps.iter().map(|s| s.id).collect();
    let calls: Vec<CallRow> = execution_calls::table
        .filter(execution_calls::execution_step_id.eq_any(&step_ids))
        .order(execution_calls::id)
        .select(CallRow::as_select())
        .load(conn)
        .await?;
    let mut lines: Vec<(u64, LogRow)> = execution_step_logs::table
        .filter(execution_step_logs::execution_step_id.eq_any(&step_ids))
        .order(execution_step_logs::id.desc())
        .limit(LINES_KEPT as i64)
        .select((execution_step_logs::execution_step_id, LogRow::as_select()))
        .load(conn)
        .await?;
    lines.reverse();
    book.know(
        id,
        token,
        Known {
            run_key: row.run_key.clone(),
            step_keys: steps
                .iter()
                .map(|s| (ExecutionStepId(s.id), s.step_key.clone()))
                .collect(),
            detail,
            calls: calls
                .into_iter()
                .map(|c| (ExecutionStepId(c.execution_step_id), StepCall::from(c)))
                .collect(),
            lines: lines
                .into_iter()
                .map(|(step, line)| (ExecutionStepId(step), line.into()))
                .collect(),
        },
    );
    Ok(())
}

/// Keeps the book's copies of executions whose lease this instance gave back up to date
/// with MySQL (another instance may have moved them on), forgetting those that are over:
/// what degraded mode shows of them is at most as old as the configuration mirror.
pub async fn refresh_book(store: &Store) -> Result<(), StoreError> {
    let book = store.mode().book();
    let now = Utc::now();
    for (id, held) in book.all() {
        if held.lease_until > now || store.mode().is_degraded() {
            continue;
        }
        let mut conn = store.conn().await?;
        match rows(&mut conn, id).await {
            Ok((row, steps)) => {
                let over = !row.state()?.is_live()
                    && !steps
                        .iter()
                        .any(|s| s.status == StepStatus::Running.as_str());
                match over {
                    true => book.forget(id),
                    false => remember(store, &mut conn, &row, &steps).await?,
                }
            }
            Err(StoreError::NotFound(_)) => book.forget(id),
            Err(error) => return Err(error),
        }
    }
    Ok(())
}

/// Every call a step made, in every attempt, oldest first: what recovery and a retry ask
/// about again before they send anything new.
pub async fn step_calls(store: &Store, step: ExecutionStepId) -> Result<Vec<StepCall>, StoreError> {
    if store.mode().is_degraded() {
        return Ok(super::degraded::step_calls(store, step));
    }
    let rows: Vec<CallRow> = execution_calls::table
        .filter(execution_calls::execution_step_id.eq(step.0))
        .order(execution_calls::id)
        .select(CallRow::as_select())
        .load(&mut *store.conn().await?)
        .await?;
    Ok(rows.into_iter().map(StepCall::from).collect())
}
