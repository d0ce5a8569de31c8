//! Creating an execution: the plan's active version is pinned, its steps are copied with
//! their targets resolved for the chosen data centers, and the interlocks are checked —
//! the plan is active, failed and emergency differ, and the plan has no other live
//! execution (the plan row is locked, so two creations cannot both pass). Also what the
//! pre-check asks: which connection configs the run will need.

use super::ExecutionRow;
use super::events;
use super::read::detail;
use crate::domain::connection::ConfigKind;
use crate::domain::environment::{DataCenterRef, DatabaseCluster, ProductGroup};
use crate::domain::event::{Change, ExecutionEvent};
use crate::domain::execution::ExecutionState;
use crate::domain::execution::target::{self, Sites, StepTarget, Via};
use crate::domain::execution::view::{ExecutionDetail, NewExecution, SAME_SITE};
use crate::domain::ids::{ConnectionConfigId, DataCenterId, ExecutionId, PlanId};
use crate::domain::plan::{Phase, PlanStatus};
use crate::domain::step::StepSpec;
use crate::error::{ConflictCode, FieldError};
use crate::store::audit::AuditRecord;
use crate::store::schema::{
    connection_configs, data_centers, execution_leases, execution_steps, executions, plan_steps,
    plan_versions, plans,
};
use crate::store::tx::Table;
use crate::store::{Db, Store, StoreError, inserted_id};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use scoped_futures::ScopedFutureExt;

/// A connection config the run will need: where, which platform, which steps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Need {
    pub via: Via,
    /// The config the steps will use now, or `None` when there is none.
    pub config: Option<(ConnectionConfigId, String)>,
    /// "Switchover 1: Cut traffic", ...
    pub needed_by: Vec<String>,
}

/// A plan step of the pinned version.
struct PinnedStep {
    phase: Phase,
    position: u32,
    key: String,
    opcode: String,
    title: String,
    params: serde_json::Value,
    spec: StepSpec,
}

/// The active version of an active plan.
struct Pinned {
    plan_id: u64,
    version_id: u64,
    number: u32,
    rto_minutes: Option<u32>,
    name: String,
    steps: Vec<PinnedStep>,
}

/// Refuses to start the switchover of an execution whose copy is no longer what its
/// plan's reviewers stand behind: the plan was deleted, deactivated or sent back, or a
/// newer version was approved since the execution was created. Locks the plan row, so a
/// deactivation waits for the start or comes after it.
pub(super) async fn still_approved(conn: &mut Db, row: &ExecutionRow) -> Result<(), StoreError> {
    let refuse = |why: String| {
        Err(StoreError::conflict(
            ConflictCode::WrongState,
            None,
            format!("{why}: create a new execution from the plan's active version"),
        ))
    };
    let Some(plan) = row.plan_id else {
        return refuse(format!("{} was deleted", row.plan_name));
    };
    let (status, active): (String, Option<u64>) = plans::table
        .find(plan)
        .select((plans::status, plans::active_version_id))
        .for_update()
        .first(conn)
        .await?;
    if status != PlanStatus::Active.as_str() {
        let status =
            PlanStatus::parse(&status).map_or(status.clone(), |s| s.label().to_lowercase());
        return refuse(format!(
            "{} is {status} now, and only an active plan's executions start",
            row.plan_name
        ));
    }
    if active != row.plan_version_id {
        return refuse(format!(
            "{} has a newer approved version than this execution's copy (version {})",
            row.plan_name, row.plan_version_number
        ));
    }
    Ok(())
}

/// The plan's active version with its steps, or why the plan cannot be executed.
async fn pinned(conn: &mut Db, plan: PlanId) -> Result<Pinned, StoreError> {
    let row: Option<(String, String, Option<u64>)> = plans::table
        .find(plan.0)
        .select((plans::name, plans::status, plans::active_version_id))
        .for_update()
        .first(conn)
        .await
        .optional()?;
    let (name, status, active) =
        row.ok_or_else(|| StoreError::not_found(format!("plan {plan}")))?;
    let version_id = match active {
        Some(id) if status == PlanStatus::Active.as_str() => id,
        _ => {
            let status =
                PlanStatus::parse(&status).map_or(status.clone(), |s| s.label().to_lowercase());
            return Err(StoreError::conflict(
                ConflictCode::WrongState,
                None,
                format!("{name} is {status}: only an active plan can be executed"),
            ));
        }
    };
    let (number, rto_minutes): (u32, Option<u32>) = plan_versions::table
        .find(version_id)
        .select((plan_versions::number, plan_versions::rto_minutes))
        .first(conn)
        .await?;
    let rows: Vec<(String, u32, String, String, String, serde_json::Value)> = plan_steps::table
        .filter(plan_steps::plan_version_id.eq(version_id))
        .order((plan_steps::phase.desc(), plan_steps::position))
        .select((
            plan_steps::phase,
            plan_steps::position,
            plan_steps::step_key,
            plan_steps::opcode,
            plan_steps::title,
            plan_steps::params,
        ))
        .load(conn)
        .await?;
    let steps = rows
        .into_iter()
        .map(|(phase, position, key, opcode, title, params)| {
            let broken = |what: String| {
                StoreError::internal(format!(
                    "plan {plan} version {number} step {position}: {what}"
                ))
            };
            let phase = Phase::parse(&phase).ok_or_else(|| broken(format!("phase {phase:?}")))?;
            let spec = StepSpec::parse(
                &opcode,
                params.as_object().ok_or_else(|| broken("params".into()))?,
            )
            .map_err(broken)?;
            Ok(PinnedStep {
                phase,
                position,
                key,
                opcode,
                title,
                params,
                spec,
            })
        })
        .collect::<Result<_, StoreError>>()?;
    Ok(Pinned {
        plan_id: plan.0,
        version_id,
        number,
        rto_minutes,
        name,
        steps,
    })
}

/// The two data centers, checked: both given, both existing, not the same.
async fn sites(
    conn: &mut Db,
    failed: Option<DataCenterId>,
    emergency: Option<DataCenterId>,
) -> Result<Sites, StoreError> {
    let mut errors = Vec::new();
    let mut find = async |field: &str,
                          id: Option<DataCenterId>|
           -> Result<Option<DataCenterRef>, StoreError> {
        let Some(id) = id else {
            errors.push(FieldError::new(field, "choose a data center"));
            return Ok(None);
        };
        let name: Option<String> = data_centers::table
            .find(id.0)
            .select(data_centers::name)
            .first(conn)
            .await
            .optional()?;
        if name.is_none() {
            errors.push(FieldError::new(field, "there is no such data center"));
        }
        Ok(name.map(|name| DataCenterRef { id, name }))
    };
    let failed = find("failed", failed).await?;
    let emergency = find("emergency", emergency).await?;
    match (failed, emergency) {
        (Some(failed), Some(emergency)) if failed.id == emergency.id => Err(StoreError::Invalid(
            vec![FieldError::new("emergency", SAME_SITE)],
        )),
        (Some(failed), Some(emergency)) if errors.is_empty() => Ok(Sites { failed, emergency }),
        _ => Err(StoreError::Invalid(errors)),
    }
}

/// Every step's target for these sites; a step that cannot run there is an error on
/// the data center it concerns.
fn targets(
    pinned: &Pinned,
    sites: &Sites,
    groups: &[ProductGroup],
    clusters: &[DatabaseCluster],
) -> Result<Vec<Option<StepTarget>>, StoreError> {
    let mut errors = Vec::new();
    let targets = pinned
        .steps
        .iter()
        .map(|step| {
            target::resolve(&step.spec, sites, groups, clusters).unwrap_or_else(|problem| {
                let field = match step.spec {
                    StepSpec::DbSwitchback { .. } => "failed",
                    _ => "emergency",
                };
                errors.push(FieldError::new(
                    field,
                    format!("{} step {}: {problem}", step.phase.label(), step.position),
                ));
                None
            })
        })
        .collect();
    if errors.is_empty() {
        Ok(targets)
    } else {
        Err(StoreError::Invalid(errors))
    }
}

/// The config a step calls through `via` now (`ConfigKind::choose`: a real one before a
/// simulator, only a simulator in a drill).
pub(crate) async fn config_for(
    conn: &mut Db,
    via: &Via,
    drill: bool,
) -> Result<Option<(ConnectionConfigId, String)>, StoreError> {
    Ok(ConfigKind::choose(configs_for(conn, via).await?, drill))
}

/// The config a real run would call through `via` now.
pub async fn config_for_run(
    store: &Store,
    via: &Via,
) -> Result<Option<(ConnectionConfigId, String)>, StoreError> {
    config_for(&mut *store.conn().await?, via, false).await
}

/// The data center's configs for the platform `via` names, with their kinds.
async fn configs_for(
    conn: &mut Db,
    via: &Via,
) -> Result<Vec<(ConfigKind, (ConnectionConfigId, String))>, StoreError> {
    let found: Vec<(u64, String, String)> = connection_configs::table
        .filter(connection_configs::data_center_id.eq(via.data_center.id.0))
        .filter(connection_configs::platform.eq(via.platform.as_str()))
        .select((
            connection_configs::id,
            connection_configs::name,
            connection_configs::kind,
        ))
        .load(conn)
        .await?;
    found
        .into_iter()
        .map(|(id, name, kind)| {
            let kind = ConfigKind::parse(&kind)
                .ok_or_else(|| StoreError::internal(format!("config {name}: kind {kind:?}")))?;
            Ok((kind, (ConnectionConfigId(id), name)))
        })
        .collect()
}

/// Refuses a drill whose steps would call a real platform: every platform it calls
/// through a `cloud` config with no `test` one beside it, named.
async fn refuse_real_calls_in_a_drill(
    conn: &mut Db,
    targets: &[Option<StepTarget>],
) -> Result<(), StoreError> {
    let mut real: Vec<String> = Vec::new();
    let mut asked: Vec<&Via> = Vec::new();
    for via in targets.iter().flatten().map(StepTarget::via) {
        // Many steps call through the same platform: each is asked once.
        if asked.contains(&via) {
            continue;
        }
        asked.push(via);
        let configs = configs_for(conn, via).await?;
        if ConfigKind::choose(configs.clone(), true).is_none() {
            for (_, (_, name)) in configs {
                let named = format!(
                    "{name} ({} in {})",
                    via.platform.label().to_lowercase(),
                    via.data_center.name
                );
                if !real.contains(&named) {
                    real.push(named);
                }
            }
        }
    }
    if real.is_empty() {
        return Ok(());
    }
    Err(StoreError::Invalid(vec![FieldError::new(
        "drill",
        format!(
            "a drill calls only test (simulator) configs, and these are real (cloud) ones: {}; \
             add a test config beside each, or run it for real",
            real.join(", ")
        ),
    )]))
}

/// What the pre-check asks: every config the plan's steps will call for these data
/// centers (in a drill, only test ones), in the order the steps first need them.
pub async fn needs(
    store: &Store,
    plan: PlanId,
    failed: Option<DataCenterId>,
    emergency: Option<DataCenterId>,
    drill: bool,
) -> Result<Vec<Need>, StoreError> {
    let groups = crate::store::product_groups::list(store).await?;
    let clusters = crate::store::database_clusters::list(store).await?;
    let mut conn = store.conn().await?;
    let pinned = pinned(&mut conn, plan).await?;
    let sites = sites(&mut conn, failed, emergency).await?;
    let targets = targets(&pinned, &sites, &groups, &clusters)?;
    let mut needs: Vec<Need> = Vec::new();
    for (step, target) in pinned.steps.iter().zip(&targets) {
        let Some(target) = target else { continue };
        let by = format!(
            "{} {}: {}",
            step.phase.label(),
            step.position,
            heading(step)
        );
        match needs.iter_mut().find(|n| &n.via == target.via()) {
            Some(need) => need.needed_by.push(by),
            None => needs.push(Need {
                via: target.via().clone(),
                config: config_for(&mut conn, target.via(), drill).await?,
                needed_by: vec![by],
            }),
        }
    }
    Ok(needs)
}

fn heading(step: &PinnedStep) -> String {
    if step.title.trim().is_empty() {
        step.spec.opcode().label().to_owned()
    } else {
        step.title.clone()
    }
}

/// Creates the execution (state `created`) with its copy of the steps, its lease row and
/// its first event; the audit entry is written in the same transaction.
pub async fn create(
    store: &Store,
    record: &AuditRecord,
    new: &NewExecution,
) -> Result<(ExecutionDetail, ExecutionEvent), StoreError> {
    new.check().map_err(StoreError::Invalid)?;
    let description = &new.description.trim().to_owned();
    let groups = &crate::store::product_groups::list(store).await?;
    let clusters = &crate::store::database_clusters::list(store).await?;
    let record = &match new.drill {
        true => record.noted(Some("a drill (演练)".to_owned())),
        false => record.clone(),
    };
    store
        .create(record, Table::Executions, move |conn| {
            async move {
                let pinned = pinned(conn, new.plan_id).await?;
                let sites = sites(conn, new.failed, new.emergency).await?;
                let targets = targets(&pinned, &sites, groups, clusters)?;
                if new.drill {
                    refuse_real_calls_in_a_drill(conn, &targets).await?;
                }
                refuse_second_live(conn, &pinned).await?;
                diesel::insert_into(executions::table)
                    .values((
                        executions::run_key.eq(uuid::Uuid::new_v4().to_string()),
                        executions::plan_id.eq(pinned.plan_id),
                        executions::plan_version_id.eq(pinned.version_id),
                        executions::plan_name.eq(&pinned.name),
                        executions::plan_version_number.eq(pinned.number),
                        executions::rto_minutes.eq(pinned.rto_minutes),
                        executions::failed_data_center_id.eq(sites.failed.id.0),
                        executions::emergency_data_center_id.eq(sites.emergency.id.0),
                        executions::description.eq(&description),
                        executions::drill.eq(new.drill),
                        executions::state.eq(ExecutionState::Created.as_str()),
                        executions::created_by.eq(record.actor_id),
                    ))
                    .execute(conn)
                    .await?;
                let id = inserted_id(conn).await?;
                diesel::insert_into(execution_leases::table)
                    .values(execution_leases::execution_id.eq(id))
                    .execute(conn)
                    .await?;
                for (step, target) in pinned.steps.iter().zip(&targets) {
                    let resolved = target
                        .as_ref()
                        .map(serde_json::to_value)
                        .transpose()
                        .map_err(|e| StoreError::internal(e.to_string()))?;
                    diesel::insert_into(execution_steps::table)
                        .values((
                            execution_steps::execution_id.eq(id),
                            execution_steps::phase.eq(step.phase.as_str()),
                            execution_steps::position.eq(step.position),
                            execution_steps::step_key.eq(&step.key),
                            execution_steps::opcode.eq(&step.opcode),
                            execution_steps::title.eq(&step.title),
                            execution_steps::params.eq(&step.params),
                            execution_steps::resolved.eq(resolved),
                        ))
                        .execute(conn)
                        .await?;
                }
                let detail = detail(conn, ExecutionId(id)).await?;
                let event =
                    events::append(conn, id, Change::Execution(detail.summary.clone())).await?;
                let mut detail = detail;
                detail.summary.last_seq = event.seq;
                Ok((id, (detail, event)))
            }
            .scope_boxed()
        })
        .await
}

/// The plan's one live execution, if there is one, refuses another.
async fn refuse_second_live(conn: &mut Db, pinned: &Pinned) -> Result<(), StoreError> {
    let finished = [
        ExecutionState::Completed.as_str(),
        ExecutionState::Cancelled.as_str(),
    ];
    let live: Option<(u64, String)> = executions::table
        .filter(executions::plan_id.eq(pinned.plan_id))
        .filter(executions::state.ne_all(finished))
        .select((executions::id, executions::state))
        .first(conn)
        .await
        .optional()?;
    match live {
        None => Ok(()),
        Some((id, state)) => {
            let state = ExecutionState::parse(&state).map_or(state, |s| s.label().to_lowercase());
            Err(StoreError::conflict(
                ConflictCode::WrongState,
                None,
                format!(
                    "{} already has a live execution (#{id}, {state}): finish or cancel it first",
                    pinned.name
                ),
            ))
        }
    }
}
