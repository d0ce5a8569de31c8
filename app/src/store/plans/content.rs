//! Writing a plan's content: a version's name, description, target and steps, a new version,
//! the plan row's status and who touched it, and the defaults pinned at approval.

use crate::domain::ids::PlanId;
use crate::domain::plan::{Phase, PlanContent, PlanStatus, VersionState};
use crate::domain::step::with_defaults;
use crate::error::ConflictCode;
use crate::store::audit::AuditRecord;
use crate::store::schema::{plan_steps, plan_version_editors, plan_versions, plans};
use crate::store::{Db, StoreError, inserted_id};
use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;

pub(super) fn now() -> NaiveDateTime {
    chrono::Utc::now().naive_utc()
}

/// Moves the plan's version counter on and records the new status, name and who.
pub(super) async fn touch(
    conn: &mut Db,
    id: PlanId,
    record: &AuditRecord,
    status: PlanStatus,
    basics: Option<&PlanContent>,
) -> Result<(), StoreError> {
    let changed = (
        plans::status.eq(status.as_str()),
        plans::updated_by.eq(record.actor_id),
    );
    let query = diesel::update(plans::table.find(id.0));
    match basics {
        Some(content) => {
            query
                .set((
                    changed,
                    plans::name.eq(&content.name),
                    plans::description.eq(&content.description),
                ))
                .execute(conn)
                .await
        }
        None => query.set(changed).execute(conn).await,
    }
    .map_err(|e| name_taken(e.into(), basics))?;
    Ok(())
}

/// A clash on the unique plan name, said in words.
pub(super) fn name_taken(error: StoreError, content: Option<&PlanContent>) -> StoreError {
    match (error, content) {
        (
            StoreError::Conflict {
                field: Some(field), ..
            },
            Some(content),
        ) if field == "name" => StoreError::conflict(
            ConflictCode::NameTaken,
            Some("name"),
            format!(
                "a plan named {:?} already exists; choose another name",
                content.name
            ),
        ),
        (error, _) => error,
    }
}

/// Replaces a version's name, description, recovery-time target and steps.
pub(super) async fn write_content(
    conn: &mut Db,
    version: u64,
    record: &AuditRecord,
    content: &PlanContent,
) -> Result<(), StoreError> {
    diesel::update(plan_versions::table.find(version))
        .set((
            plan_versions::name.eq(&content.name),
            plan_versions::description.eq(&content.description),
            plan_versions::rto_minutes.eq(content.rto_minutes),
            plan_versions::updated_by.eq(record.actor_id),
            plan_versions::updated_at.eq(now()),
        ))
        .execute(conn)
        .await?;
    diesel::delete(plan_steps::table.filter(plan_steps::plan_version_id.eq(version)))
        .execute(conn)
        .await?;
    let mut rows = Vec::new();
    for phase in Phase::ALL {
        for (index, step) in content.steps(phase).iter().enumerate() {
            rows.push((
                plan_steps::plan_version_id.eq(version),
                plan_steps::phase.eq(phase.as_str()),
                plan_steps::position.eq(index as u32 + 1),
                plan_steps::step_key.eq(step.key.clone()),
                plan_steps::opcode.eq(step.opcode.clone()),
                plan_steps::title.eq(step.title.clone()),
                plan_steps::params.eq(serde_json::Value::Object(step.params.clone())),
            ));
        }
    }
    diesel::insert_into(plan_steps::table)
        .values(rows)
        .execute(conn)
        .await?;
    if let Some(user) = record.actor_id {
        diesel::insert_or_ignore_into(plan_version_editors::table)
            .values((
                plan_version_editors::plan_version_id.eq(version),
                plan_version_editors::user_id.eq(user),
            ))
            .execute(conn)
            .await?;
    }
    Ok(())
}

/// Adds version `number` to a plan as a draft holding `content`.
pub(super) async fn new_version(
    conn: &mut Db,
    plan: u64,
    number: u32,
    record: &AuditRecord,
    content: &PlanContent,
) -> Result<u64, StoreError> {
    diesel::insert_into(plan_versions::table)
        .values((
            plan_versions::plan_id.eq(plan),
            plan_versions::number.eq(number),
            plan_versions::state.eq(VersionState::Draft.as_str()),
            plan_versions::name.eq(&content.name),
            plan_versions::description.eq(&content.description),
            plan_versions::created_by.eq(record.actor_id),
            plan_versions::updated_by.eq(record.actor_id),
        ))
        .execute(conn)
        .await?;
    let version = inserted_id(conn).await?;
    write_content(conn, version, record, content).await?;
    Ok(version)
}

pub(super) async fn newest_number(conn: &mut Db, plan: u64) -> Result<u32, StoreError> {
    Ok(plan_versions::table
        .filter(plan_versions::plan_id.eq(plan))
        .select(diesel::dsl::max(plan_versions::number))
        .first::<Option<u32>>(conn)
        .await?
        .unwrap_or(0))
}

/// Writes the catalog's default into every parameter a step of `version` leaves out, so
/// that what was approved keeps doing the same when a default changes in code later.
pub(super) async fn write_defaults(conn: &mut Db, version: u64) -> Result<(), StoreError> {
    let steps: Vec<(u64, String, serde_json::Value)> = plan_steps::table
        .filter(plan_steps::plan_version_id.eq(version))
        .select((plan_steps::id, plan_steps::opcode, plan_steps::params))
        .load(conn)
        .await?;
    for (id, opcode, params) in steps {
        let serde_json::Value::Object(params) = params else {
            return Err(StoreError::internal(format!(
                "plan step {id} has no parameter object"
            )));
        };
        let filled = with_defaults(&opcode, &params).map_err(StoreError::internal)?;
        if filled != params {
            diesel::update(plan_steps::table.find(id))
                .set(plan_steps::params.eq(serde_json::Value::Object(filled)))
                .execute(conn)
                .await?;
        }
    }
    Ok(())
}

/// Puts a version in `state`.
pub(super) async fn set_version_state(
    conn: &mut Db,
    version: u64,
    state: VersionState,
) -> Result<(), StoreError> {
    diesel::update(plan_versions::table.find(version))
        .set(plan_versions::state.eq(state.as_str()))
        .execute(conn)
        .await?;
    Ok(())
}

/// Makes `version` the one that runs (or none).
pub(super) async fn set_active_version(
    conn: &mut Db,
    plan: PlanId,
    version: Option<u64>,
) -> Result<(), StoreError> {
    diesel::update(plans::table.find(plan.0))
        .set(plans::active_version_id.eq(version))
        .execute(conn)
        .await?;
    Ok(())
}
