//! Changing plans: create, save, submit, approve (four eyes), reject, deactivate and
//! delete. Each goes through `Store::change` (lock, revision check, work, audit entry in
//! one transaction); what a lifecycle command may do is decided by
//! `domain::plan::lifecycle`, and this module only applies the decision.

use super::content::{
    name_taken, new_version, newest_number, now, set_active_version, set_version_state, touch,
    write_content, write_defaults,
};
use super::parse;
use super::read::{get, read};
use crate::domain::ids::PlanId;
use crate::domain::plan::lifecycle::{
    Decision, PlanCommand, PlanFacts, Refusal, VersionChange, decide,
};
use crate::domain::plan::{PlanDetail, PlanStatus, ReviewDecision, VersionState};
use crate::domain::valid::ValidPlan;
use crate::error::{ConflictCode, FieldError};
use crate::store::audit::AuditRecord;
use crate::store::schema::{plan_reviews, plan_version_editors, plan_versions, plans};
use crate::store::tx::{Stored, Table, Work, delete_row};
use crate::store::{Db, Store, StoreError, inserted_id};
use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use scoped_futures::ScopedFutureExt;

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
    F: for<'c> Fn(&'c mut Db, Locked) -> Work<'a, 'c, ()> + Send + Sync + 'a,
{
    let row = Stored::new(Table::Plans, id.0, revision);
    let work = &work;
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

/// Creates a plan whose first version is a draft holding `content` (already validated).
pub async fn create(
    store: &Store,
    record: &AuditRecord,
    content: &ValidPlan,
) -> Result<PlanDetail, StoreError> {
    let id = store
        .create(record, Table::Plans, move |conn| {
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
    content: &ValidPlan,
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

/// What the plan lifecycle (`domain::plan::lifecycle`) decides for `command`, or its
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
            write_defaults(conn, working).await?;
            set_version_state(conn, working, VersionState::Approved).await?;
            record_review(conn, working, record, ReviewDecision::Approved, comment).await?;
            set_active_version(conn, id, Some(working)).await?;
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
            set_version_state(conn, working, VersionState::Draft).await?;
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
            set_active_version(conn, id, None).await?;
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
                set_active_version(conn, id, None).await?;
                delete_row(conn, row).await
            }
            .scope_boxed()
        })
        .await
}
