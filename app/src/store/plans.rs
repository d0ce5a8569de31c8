//! DR plans: a plan row with its versions, their steps, editors and reviews.
//!
//! A plan has at most one working version (draft or in review) beside its approved ones;
//! an approved version is never written again. Every change goes through
//! `Store::change` (lock, revision check, work, audit entry in one transaction); what a
//! lifecycle command may do is decided by `domain::plan_lifecycle`.

use super::audit::AuditRecord;
use super::schema::{
    database_clusters, plan_reviews, plan_steps, plan_version_editors, plan_versions, plans,
    product_groups, users,
};
use super::tx::{Stored, Table, Work};
use super::{Db, Store, StoreError, inserted_id};
use crate::domain::ids::{PlanId, PlanVersionId};
use crate::domain::plan::{
    Phase, PlanContent, PlanDetail, PlanRefs, PlanReview, PlanStatus, PlanStep, PlanSummary,
    PlanVersion, ReviewDecision, VersionState,
};
use crate::domain::plan_lifecycle::{
    Decision, PlanCommand, PlanFacts, Refusal, VersionChange, decide,
};
use crate::error::{ConflictCode, FieldError};
use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use scoped_futures::ScopedFutureExt;
use std::collections::HashMap;

type PlanRow = (
    u64,
    String,
    String,
    String,
    Option<u64>,
    Option<u64>,
    NaiveDateTime,
    u32,
);

fn plan_columns() -> (
    plans::id,
    plans::name,
    plans::description,
    plans::status,
    plans::active_version_id,
    plans::updated_by,
    plans::updated_at,
    plans::version,
) {
    (
        plans::id,
        plans::name,
        plans::description,
        plans::status,
        plans::active_version_id,
        plans::updated_by,
        plans::updated_at,
        plans::version,
    )
}

type VersionRow = (
    u64,
    u64,
    u32,
    String,
    String,
    String,
    Option<u64>,
    NaiveDateTime,
    Option<u64>,
    NaiveDateTime,
    Option<u64>,
    Option<NaiveDateTime>,
);

fn version_columns() -> (
    plan_versions::id,
    plan_versions::plan_id,
    plan_versions::number,
    plan_versions::state,
    plan_versions::name,
    plan_versions::description,
    plan_versions::created_by,
    plan_versions::created_at,
    plan_versions::updated_by,
    plan_versions::updated_at,
    plan_versions::submitted_by,
    plan_versions::submitted_at,
) {
    (
        plan_versions::id,
        plan_versions::plan_id,
        plan_versions::number,
        plan_versions::state,
        plan_versions::name,
        plan_versions::description,
        plan_versions::created_by,
        plan_versions::created_at,
        plan_versions::updated_by,
        plan_versions::updated_at,
        plan_versions::submitted_by,
        plan_versions::submitted_at,
    )
}

fn parse<T>(value: Option<T>, what: &str, text: &str) -> Result<T, StoreError> {
    value
        .ok_or_else(|| StoreError::internal(format!("unknown {what} {text:?} in the plans tables")))
}

/// User names by id, for everyone in `ids`.
async fn user_names(
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
    let conn = &mut *store.conn().await?;
    let rows: Vec<PlanRow> = plans::table
        .select(plan_columns())
        .order(plans::name)
        .load(conn)
        .await?;
    summaries(conn, rows).await
}

async fn summaries(conn: &mut Db, rows: Vec<PlanRow>) -> Result<Vec<PlanSummary>, StoreError> {
    let plan_ids: Vec<u64> = rows.iter().map(|r| r.0).collect();
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
            let version = working.get(&r.0).map(|w| w.0).or(r.4)?;
            Some((r.0, version))
        })
        .collect();
    let version_ids: Vec<u64> = shown.values().copied().collect();
    let counts = step_counts(conn, &version_ids).await?;
    let names = user_names(conn, rows.iter().map(|r| r.5)).await?;
    rows.into_iter()
        .map(
            |(id, name, description, status, _active, updated_by, updated_at, version)| {
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
                    version,
                })
            },
        )
        .collect()
}

/// A plan with every version, its steps, editors and reviews.
pub async fn get(store: &Store, id: PlanId) -> Result<PlanDetail, StoreError> {
    read(&mut *store.conn().await?, id).await
}

async fn read(conn: &mut Db, id: PlanId) -> Result<PlanDetail, StoreError> {
    let row: PlanRow = plans::table
        .find(id.0)
        .select(plan_columns())
        .first(conn)
        .await
        .optional()?
        .ok_or_else(|| StoreError::not_found(format!("plan {id}")))?;
    let active = row.4;
    let plan = summaries(conn, vec![row])
        .await?
        .pop()
        .ok_or_else(|| StoreError::internal(format!("plan {id} has no summary")))?;
    let version_rows: Vec<VersionRow> = plan_versions::table
        .filter(plan_versions::plan_id.eq(id.0))
        .select(version_columns())
        .order(plan_versions::number.desc())
        .load(conn)
        .await?;
    let version_ids: Vec<u64> = version_rows.iter().map(|v| v.0).collect();
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
    let names = user_names(conn, version_rows.iter().flat_map(|v| [v.6, v.8, v.10])).await?;
    let name_of = |user: Option<u64>| user.and_then(|u| names.get(&u).cloned());
    let mut versions = Vec::new();
    let mut active_version = None;
    for v in version_rows {
        if Some(v.0) == active {
            active_version = Some(v.2);
        }
        let (switchover, recovery) = steps.remove(&v.0).unwrap_or_default();
        versions.push(PlanVersion {
            id: PlanVersionId(v.0),
            number: v.2,
            state: parse(VersionState::parse(&v.3), "version state", &v.3)?,
            content: PlanContent {
                name: v.4,
                description: v.5,
                switchover,
                recovery,
            },
            created_by: name_of(v.6),
            created_at: v.7.and_utc(),
            updated_by: name_of(v.8),
            updated_at: v.9.and_utc(),
            submitted_by: name_of(v.10),
            submitted_at: v.11.map(|at| at.and_utc()),
            editors: editors
                .iter()
                .filter(|(version, _)| *version == v.0)
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

/// The plan row as a change finds it (locked by `Store::change` until the transaction ends).
struct Locked {
    name: String,
    status: PlanStatus,
    active: Option<u64>,
    /// The working version: id, number, state.
    working: Option<(u64, u32, VersionState)>,
}

/// What the lifecycle needs to know about the plan being changed.
async fn load_locked(conn: &mut Db, id: PlanId) -> Result<Locked, StoreError> {
    let (name, status, active): (String, String, Option<u64>) = plans::table
        .find(id.0)
        .select((plans::name, plans::status, plans::active_version_id))
        .first(conn)
        .await?;
    let working: Option<(u64, u32, String)> = plan_versions::table
        .filter(plan_versions::plan_id.eq(id.0))
        .filter(plan_versions::state.ne(VersionState::Approved.as_str()))
        .select((
            plan_versions::id,
            plan_versions::number,
            plan_versions::state,
        ))
        .first(conn)
        .await
        .optional()?;
    let working = match working {
        Some((id, number, state)) => Some((
            id,
            number,
            parse(VersionState::parse(&state), "version state", &state)?,
        )),
        None => None,
    };
    Ok(Locked {
        name,
        status: parse(PlanStatus::parse(&status), "plan status", &status)?,
        active,
        working,
    })
}

/// Runs a lifecycle change of plan `id` made from `revision`: `Store::change` locks the
/// row and checks the revision; `work` gets the plan as found.
async fn change_plan<'a, F>(
    store: &Store,
    record: &'a AuditRecord,
    id: PlanId,
    revision: u32,
    work: F,
) -> Result<PlanDetail, StoreError>
where
    F: for<'c> FnOnce(&'c mut Db, Locked) -> Work<'a, 'c, ()> + Send + 'a,
{
    let row = Stored::new(Table::Plans, id.0, revision);
    store
        .change(record, row, move |conn, _| {
            async move {
                let plan = load_locked(conn, id).await?;
                work(conn, plan).await
            }
            .scope_boxed()
        })
        .await?;
    get(store, id).await
}

fn now() -> NaiveDateTime {
    chrono::Utc::now().naive_utc()
}

/// Moves the plan's version counter on and records the new status, name and who.
async fn touch(
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
fn name_taken(error: StoreError, content: Option<&PlanContent>) -> StoreError {
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

/// Replaces a version's name, description and steps.
async fn write_content(
    conn: &mut Db,
    version: u64,
    record: &AuditRecord,
    content: &PlanContent,
) -> Result<(), StoreError> {
    diesel::update(plan_versions::table.find(version))
        .set((
            plan_versions::name.eq(&content.name),
            plan_versions::description.eq(&content.description),
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
async fn new_version(
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

async fn newest_number(conn: &mut Db, plan: u64) -> Result<u32, StoreError> {
    Ok(plan_versions::table
        .filter(plan_versions::plan_id.eq(plan))
        .select(diesel::dsl::max(plan_versions::number))
        .first::<Option<u32>>(conn)
        .await?
        .unwrap_or(0))
}

/// Creates a plan whose first version is a draft holding `content` (already validated).
pub async fn create(
    store: &Store,
    record: &AuditRecord,
    content: &PlanContent,
) -> Result<PlanDetail, StoreError> {
    let id = store
        .create(record, Table::Plans.kind(), move |conn| {
            async move {
                diesel::insert_into(plans::table)
                    .values((
                        plans::name.eq(&content.name),
                        plans::description.eq(&content.description),
                        plans::status.eq(PlanStatus::Draft.as_str()),
                        plans::created_by.eq(record.actor_id),
                        plans::updated_by.eq(record.actor_id),
                    ))
                    .execute(conn)
                    .await
                    .map_err(|e| name_taken(e.into(), Some(content)))?;
                let id = inserted_id(conn).await?;
                new_version(conn, id, 1, record, content).await?;
                Ok((id, PlanId(id)))
            }
            .scope_boxed()
        })
        .await?;
    get(store, id).await
}

/// Saves `content` as the plan's working version: the draft (or version in review, which
/// goes back to draft) is changed in place; a plan with none gets a new draft version,
/// and its active version keeps running until that one is approved.
pub async fn update(
    store: &Store,
    record: &AuditRecord,
    id: PlanId,
    revision: u32,
    content: &PlanContent,
) -> Result<PlanDetail, StoreError> {
    change_plan(store, record, id, revision, move |conn, plan| {
        async move {
            let decision = decided(&plan, PlanCommand::Edit)?;
            match (decision.change, plan.working) {
                (VersionChange::ReviseWorking, Some((working, _, _))) => {
                    write_content(conn, working, record, content).await?;
                    diesel::update(plan_versions::table.find(working))
                        .set((
                            plan_versions::state.eq(VersionState::Draft.as_str()),
                            plan_versions::submitted_by.eq(None::<u64>),
                            plan_versions::submitted_at.eq(None::<NaiveDateTime>),
                        ))
                        .execute(conn)
                        .await?;
                }
                _ => {
                    let number = newest_number(conn, id.0).await? + 1;
                    new_version(conn, id.0, number, record, content).await?;
                }
            }
            touch(conn, id, record, decision.status, Some(content)).await
        }
        .scope_boxed()
    })
    .await
}

impl Locked {
    fn facts(&self) -> PlanFacts {
        PlanFacts {
            name: self.name.clone(),
            status: self.status,
            active: self.active.is_some(),
            working: self.working.map(|(_, number, state)| (number, state)),
        }
    }
}

/// What the plan lifecycle (`domain::plan_lifecycle`) decides for `command`, or its
/// refusal as the caller hears it.
fn decided(plan: &Locked, command: PlanCommand) -> Result<Decision, StoreError> {
    decide(&plan.facts(), command).map_err(|refusal| match refusal {
        Refusal::Conflict(message) => StoreError::conflict(ConflictCode::WrongState, None, message),
        Refusal::Forbidden(message) => StoreError::Refused(message),
    })
}

/// Puts the working version in review. A plan with no working version (say, one that was
/// deactivated) gets a copy of its newest approved version to review again.
pub async fn submit(
    store: &Store,
    record: &AuditRecord,
    id: PlanId,
    revision: u32,
) -> Result<PlanDetail, StoreError> {
    change_plan(store, record, id, revision, move |conn, plan| {
        async move {
            let decision = decided(&plan, PlanCommand::Submit)?;
            let working = match (decision.change, plan.working) {
                (VersionChange::SubmitWorking, Some((working, _, _))) => working,
                _ => {
                    let detail = read(conn, id).await?;
                    let newest = detail.versions.as_slice().first().ok_or_else(|| {
                        StoreError::internal(format!("plan {id} has no version to resubmit"))
                    })?;
                    let content = newest.content.clone();
                    new_version(conn, id.0, newest.number + 1, record, &content).await?
                }
            };
            diesel::update(plan_versions::table.find(working))
                .set((
                    plan_versions::state.eq(VersionState::InReview.as_str()),
                    plan_versions::submitted_by.eq(record.actor_id),
                    plan_versions::submitted_at.eq(now()),
                ))
                .execute(conn)
                .await?;
            touch(conn, id, record, decision.status, None).await
        }
        .scope_boxed()
    })
    .await
}

/// The working version, which the decision just taken is about.
fn working(plan: &Locked) -> Result<u64, StoreError> {
    plan.working.map(|(id, _, _)| id).ok_or_else(|| {
        StoreError::internal(format!(
            "the lifecycle decided on a working version plan {} does not have",
            plan.name
        ))
    })
}

async fn record_review(
    conn: &mut Db,
    version: u64,
    record: &AuditRecord,
    decision: ReviewDecision,
    comment: &str,
) -> Result<(), StoreError> {
    let reviewer = record
        .actor_id
        .ok_or_else(|| StoreError::internal("a review without a reviewer"))?;
    diesel::insert_into(plan_reviews::table)
        .values((
            plan_reviews::plan_version_id.eq(version),
            plan_reviews::reviewer_id.eq(reviewer),
            plan_reviews::decision.eq(decision.as_str()),
            plan_reviews::comment.eq(comment),
        ))
        .execute(conn)
        .await?;
    Ok(())
}

/// Approves the version in review: it becomes the active one, immutable from now on.
/// Nobody who edited that version may approve it (four eyes).
pub async fn approve(
    store: &Store,
    record: &AuditRecord,
    id: PlanId,
    revision: u32,
    comment: &str,
) -> Result<PlanDetail, StoreError> {
    change_plan(store, record, id, revision, move |conn, plan| {
        async move {
            let edited: i64 = match plan.working {
                Some((working, _, _)) => {
                    plan_version_editors::table
                        .filter(plan_version_editors::plan_version_id.eq(working))
                        .filter(plan_version_editors::user_id.nullable().eq(record.actor_id))
                        .count()
                        .get_result(conn)
                        .await?
                }
                None => 0,
            };
            let command = PlanCommand::Approve {
                caller_edited: edited > 0,
            };
            let decision = decided(&plan, command)?;
            let working = working(&plan)?;
            diesel::update(plan_versions::table.find(working))
                .set(plan_versions::state.eq(VersionState::Approved.as_str()))
                .execute(conn)
                .await?;
            record_review(conn, working, record, ReviewDecision::Approved, comment).await?;
            diesel::update(plans::table.find(id.0))
                .set(plans::active_version_id.eq(Some(working)))
                .execute(conn)
                .await?;
            touch(conn, id, record, decision.status, None).await
        }
        .scope_boxed()
    })
    .await
}

/// Returns the version in review to draft, with the reviewer's reason (required).
pub async fn reject(
    store: &Store,
    record: &AuditRecord,
    id: PlanId,
    revision: u32,
    comment: &str,
) -> Result<PlanDetail, StoreError> {
    let comment = comment.trim();
    if comment.is_empty() {
        let error = FieldError::new("comment", "say what needs to change");
        return Err(StoreError::Invalid(vec![error]));
    }
    change_plan(store, record, id, revision, move |conn, plan| {
        async move {
            let decision = decided(&plan, PlanCommand::Reject)?;
            let working = working(&plan)?;
            diesel::update(plan_versions::table.find(working))
                .set(plan_versions::state.eq(VersionState::Draft.as_str()))
                .execute(conn)
                .await?;
            record_review(conn, working, record, ReviewDecision::Rejected, comment).await?;
            touch(conn, id, record, decision.status, None).await
        }
        .scope_boxed()
    })
    .await
}

/// Takes an active plan out of service: it cannot run until a version is approved again.
pub async fn deactivate(
    store: &Store,
    record: &AuditRecord,
    id: PlanId,
    revision: u32,
    comment: &str,
) -> Result<PlanDetail, StoreError> {
    let comment = comment.trim();
    change_plan(store, record, id, revision, move |conn, plan| {
        async move {
            let decision = decided(&plan, PlanCommand::Deactivate)?;
            let active = plan
                .active
                .ok_or_else(|| StoreError::internal(format!("plan {id} has no active version")))?;
            record_review(conn, active, record, ReviewDecision::Deactivated, comment).await?;
            diesel::update(plans::table.find(id.0))
                .set(plans::active_version_id.eq(None::<u64>))
                .execute(conn)
                .await?;
            touch(conn, id, record, decision.status, None).await
        }
        .scope_boxed()
    })
    .await
}

/// Deletes a plan with all its versions. Executions keep their own copy of the steps and
/// the plan's name; their link to the plan becomes empty.
pub async fn delete(
    store: &Store,
    record: &AuditRecord,
    id: PlanId,
    revision: u32,
) -> Result<(), StoreError> {
    let row = Stored::new(Table::Plans, id.0, revision);
    store
        .change(record, row, move |conn, _| {
            async move {
                diesel::update(plans::table.find(id.0))
                    .set(plans::active_version_id.eq(None::<u64>))
                    .execute(conn)
                    .await?;
                diesel::delete(plans::table.find(id.0))
                    .execute(conn)
                    .await?;
                Ok(())
            }
            .scope_boxed()
        })
        .await
}
