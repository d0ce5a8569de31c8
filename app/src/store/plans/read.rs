//! Reading plans: the list with step counts, one plan with every version, its steps,
//! editors and reviews, and the names steps may refer to.

use super::parse;
use crate::domain::ids::{PlanId, PlanVersionId};
use crate::domain::plan::{
    Phase, PlanContent, PlanDetail, PlanRefs, PlanReview, PlanStatus, PlanStep, PlanSummary,
    PlanVersion, ReviewDecision, VersionState,
};
use crate::store::schema::{
    database_clusters, plan_reviews, plan_steps, plan_version_editors, plan_versions, plans,
    product_groups, users,
};
use crate::store::{Db, Store, StoreError};
use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use std::collections::HashMap;

/// A plan row as read.
#[derive(Queryable, Selectable)]
#[diesel(table_name = plans, check_for_backend(diesel::mysql::Mysql))]
struct PlanRow {
    id: u64,
    name: String,
    description: String,
    status: String,
    active_version_id: Option<u64>,
    updated_by: Option<u64>,
    updated_at: NaiveDateTime,
    revision: u32,
}

/// A plan version row as read (its steps are read separately).
#[derive(Queryable, Selectable)]
#[diesel(table_name = plan_versions, check_for_backend(diesel::mysql::Mysql))]
struct VersionRow {
    id: u64,
    number: u32,
    state: String,
    name: String,
    description: String,
    rto_minutes: Option<u32>,
    created_by: Option<u64>,
    created_at: NaiveDateTime,
    updated_by: Option<u64>,
    updated_at: NaiveDateTime,
    submitted_by: Option<u64>,
    submitted_at: Option<NaiveDateTime>,
}

/// User names by id, for everyone in `ids`.
pub(super) async fn user_names(
    conn: &mut Db,
    ids: impl IntoIterator<Item = Option<u64>>,
) -> Result<HashMap<u64, String>, StoreError> {
    let mut ids: Vec<u64> = ids.into_iter().flatten().collect();
    ids.sort_unstable();
    ids.dedup();
    Ok(users::table
        .filter(users::id.eq_any(ids))
        .select((users::id, users::username))
        .load::<(u64, String)>(conn)
        .await?
        .into_iter()
        .collect())
}

/// The step counts per version and phase, for the versions in `ids`.
async fn step_counts(
    conn: &mut Db,
    ids: &[u64],
) -> Result<HashMap<(u64, String), u32>, StoreError> {
    let counts: Vec<(u64, String, i64)> = plan_steps::table
        .filter(plan_steps::plan_version_id.eq_any(ids))
        .group_by((plan_steps::plan_version_id, plan_steps::phase))
        .select((
            plan_steps::plan_version_id,
            plan_steps::phase,
            diesel::dsl::count_star(),
        ))
        .load(conn)
        .await?;
    Ok(counts
        .into_iter()
        .map(|(version, phase, n)| ((version, phase), n as u32))
        .collect())
}

/// Every plan, by name, with the step counts of its newest version.
pub async fn list(store: &Store) -> Result<Vec<PlanSummary>, StoreError> {
    if let Some(mirrored) = crate::store::mirror::degraded(store, |c| Ok(c.plans.clone())) {
        return mirrored;
    }
    let conn = &mut *store.conn().await?;
    let rows: Vec<PlanRow> = plans::table
        .select(PlanRow::as_select())
        .order(plans::name)
        .load(conn)
        .await?;
    summaries(conn, rows).await
}

async fn summaries(conn: &mut Db, rows: Vec<PlanRow>) -> Result<Vec<PlanSummary>, StoreError> {
    let plan_ids: Vec<u64> = rows.iter().map(|r| r.id).collect();
    // The working version of each plan (at most one is not approved).
    let working: HashMap<u64, (u64, String)> = plan_versions::table
        .filter(plan_versions::plan_id.eq_any(&plan_ids))
        .filter(plan_versions::state.ne(VersionState::Approved.as_str()))
        .select((
            plan_versions::plan_id,
            plan_versions::id,
            plan_versions::state,
        ))
        .load::<(u64, u64, String)>(conn)
        .await?
        .into_iter()
        .map(|(plan, id, state)| (plan, (id, state)))
        .collect();
    let shown: HashMap<u64, u64> = rows
        .iter()
        .filter_map(|r| {
            let version = working.get(&r.id).map(|w| w.0).or(r.active_version_id)?;
            Some((r.id, version))
        })
        .collect();
    let version_ids: Vec<u64> = shown.values().copied().collect();
    let counts = step_counts(conn, &version_ids).await?;
    let names = user_names(conn, rows.iter().map(|r| r.updated_by)).await?;
    rows.into_iter()
        .map(
            |PlanRow {
                 id,
                 name,
                 description,
                 status,
                 updated_by,
                 updated_at,
                 revision,
                 ..
             }| {
                let count = |phase: Phase| {
                    shown
                        .get(&id)
                        .and_then(|v| counts.get(&(*v, phase.as_str().to_owned())))
                        .copied()
                        .unwrap_or(0)
                };
                let working_state = match working.get(&id) {
                    Some((_, state)) => {
                        Some(parse(VersionState::parse(state), "version state", state)?)
                    }
                    None => None,
                };
                Ok(PlanSummary {
                    id: PlanId(id),
                    name,
                    description,
                    status: parse(PlanStatus::parse(&status), "plan status", &status)?,
                    working: working_state,
                    switchover_steps: count(Phase::Switchover),
                    recovery_steps: count(Phase::Recovery),
                    updated_at: updated_at.and_utc(),
                    updated_by: updated_by.and_then(|u| names.get(&u).cloned()),
                    revision,
                })
            },
        )
        .collect()
}

/// A plan with every version, its steps, editors and reviews.
pub async fn get(store: &Store, id: PlanId) -> Result<PlanDetail, StoreError> {
    if let Some(mirrored) = crate::store::mirror::degraded(store, |c| {
        crate::store::mirror::find(&c.plan_details, id, |p| p.plan.id, "plan")
    }) {
        return mirrored;
    }
    read(&mut *store.conn().await?, id).await
}

pub(super) async fn read(conn: &mut Db, id: PlanId) -> Result<PlanDetail, StoreError> {
    let row: PlanRow = plans::table
        .find(id.0)
        .select(PlanRow::as_select())
        .first(conn)
        .await
        .optional()?
        .ok_or_else(|| StoreError::not_found(format!("plan {id}")))?;
    let active = row.active_version_id;
    let plan = summaries(conn, vec![row])
        .await?
        .pop()
        .ok_or_else(|| StoreError::internal(format!("plan {id} has no summary")))?;
    let version_rows: Vec<VersionRow> = plan_versions::table
        .filter(plan_versions::plan_id.eq(id.0))
        .select(VersionRow::as_select())
        .order(plan_versions::number.desc())
        .load(conn)
        .await?;
    let version_ids: Vec<u64> = version_rows.iter().map(|v| v.id).collect();
    let mut steps = load_steps(conn, &version_ids).await?;
    let editors: Vec<(u64, String)> = plan_version_editors::table
        .inner_join(users::table)
        .filter(plan_version_editors::plan_version_id.eq_any(&version_ids))
        .select((plan_version_editors::plan_version_id, users::username))
        .order(users::username)
        .load(conn)
        .await?;
    let reviews: Vec<(u32, String, String, String, NaiveDateTime)> = plan_reviews::table
        .inner_join(plan_versions::table)
        .inner_join(users::table)
        .filter(plan_versions::plan_id.eq(id.0))
        .select((
            plan_versions::number,
            users::username,
            plan_reviews::decision,
            plan_reviews::comment,
            plan_reviews::created_at,
        ))
        .order((plan_reviews::created_at.desc(), plan_reviews::id.desc()))
        .load(conn)
        .await?;
    let names = user_names(
        conn,
        version_rows
            .iter()
            .flat_map(|v| [v.created_by, v.updated_by, v.submitted_by]),
    )
    .await?;
    let name_of = |user: Option<u64>| user.and_then(|u| names.get(&u).cloned());
    let mut versions = Vec::new();
    let mut active_version = None;
    for v in version_rows {
        if Some(v.id) == active {
            active_version = Some(v.number);
        }
        let (switchover, recovery) = steps.remove(&v.id).unwrap_or_default();
        versions.push(PlanVersion {
            id: PlanVersionId(v.id),
            number: v.number,
            state: parse(VersionState::parse(&v.state), "version state", &v.state)?,
            content: PlanContent {
                name: v.name,
                description: v.description,
                rto_minutes: v.rto_minutes,
                switchover,
                recovery,
            },
            created_by: name_of(v.created_by),
            created_at: v.created_at.and_utc(),
            updated_by: name_of(v.updated_by),
            updated_at: v.updated_at.and_utc(),
            submitted_by: name_of(v.submitted_by),
            submitted_at: v.submitted_at.map(|at| at.and_utc()),
            editors: editors
                .iter()
                .filter(|(version, _)| *version == v.id)
                .map(|(_, name)| name.clone())
                .collect(),
        });
    }
    let reviews = reviews
        .into_iter()
        .map(|(number, reviewer, decision, comment, at)| {
            Ok(PlanReview {
                version_number: number,
                reviewer,
                decision: parse(ReviewDecision::parse(&decision), "decision", &decision)?,
                comment,
                at: at.and_utc(),
            })
        })
        .collect::<Result<_, StoreError>>()?;
    Ok(PlanDetail {
        plan,
        active_version,
        versions,
        reviews,
    })
}

type Phases = (Vec<PlanStep>, Vec<PlanStep>);

async fn load_steps(
    conn: &mut Db,
    version_ids: &[u64],
) -> Result<HashMap<u64, Phases>, StoreError> {
    let rows: Vec<(u64, String, String, String, String, serde_json::Value)> = plan_steps::table
        .filter(plan_steps::plan_version_id.eq_any(version_ids))
        .select((
            plan_steps::plan_version_id,
            plan_steps::phase,
            plan_steps::step_key,
            plan_steps::opcode,
            plan_steps::title,
            plan_steps::params,
        ))
        .order((
            plan_steps::plan_version_id,
            plan_steps::phase,
            plan_steps::position,
        ))
        .load(conn)
        .await?;
    let mut by_version: HashMap<u64, Phases> = HashMap::new();
    for (version, phase, key, opcode, title, params) in rows {
        let step = PlanStep {
            key,
            opcode,
            title,
            params: match params {
                serde_json::Value::Object(map) => map,
                _ => Default::default(),
            },
        };
        let entry = by_version.entry(version).or_default();
        match parse(Phase::parse(&phase), "phase", &phase)? {
            Phase::Switchover => entry.0.push(step),
            Phase::Recovery => entry.1.push(step),
        }
    }
    Ok(by_version)
}

/// What steps may name: the product groups and database clusters there are now.
pub async fn refs(store: &Store) -> Result<PlanRefs, StoreError> {
    let conn = &mut *store.conn().await?;
    Ok(PlanRefs {
        product_groups: product_groups::table
            .select(product_groups::name)
            .load::<String>(conn)
            .await?
            .into_iter()
            .collect(),
        database_clusters: database_clusters::table
            .select(database_clusters::name)
            .load::<String>(conn)
            .await?
            .into_iter()
            .collect(),
    })
}
