//! DR plans: everyone signed in reads them; operators author, submit, clone, import and
//! delete; reviewers approve, reject and deactivate. Every change names the plan version
//! it was made from.

use crate::domain::ids::PlanId;
use crate::domain::plan::diff::PlanDiff;
use crate::domain::plan::document::PlanDocument;
use crate::domain::plan::{PlanContent, PlanDetail, PlanSummary, PlanVersion};
use crate::error::AppError;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

/// The plan checked against the step catalog and the Environment as they are now: the
/// cleaned plan, or the problems next to their fields.
#[cfg(feature = "ssr")]
async fn validated(
    store: &crate::store::Store,
    content: &PlanContent,
) -> Result<Result<crate::domain::valid::ValidPlan, Vec<crate::error::FieldError>>, AppError> {
    let refs = crate::store::plans::refs(store).await?;
    Ok(content.validate(crate::domain::step::builtin_step_types(), &refs))
}

/// `validated`, with the problems as the error a caller reads.
#[cfg(feature = "ssr")]
async fn checked(
    store: &crate::store::Store,
    content: &PlanContent,
) -> Result<crate::domain::valid::ValidPlan, AppError> {
    validated(store, content).await?.map_err(AppError::invalid)
}

/// Every plan, by name, with its status and step counts.
#[server(endpoint = "plans/list", input = Json, output = Json)]
pub async fn list_plans() -> Result<Vec<PlanSummary>, AppError> {
    use crate::domain::role::Action;
    super::server_side::run(Action::ListPlans, None, async |actor| {
        Ok(crate::store::plans::list(&actor.auth.store).await?)
    })
    .await
}

/// Whether each active plan would still work today (its latest evaluation), with its
/// newest ended drill.
#[server(endpoint = "plans/readiness", input = Json, output = Json)]
pub async fn plan_readiness() -> Result<Vec<crate::domain::plan::readiness::PlanReadiness>, AppError>
{
    use crate::domain::role::Action;
    super::server_side::run(Action::PlanReadiness, None, async |actor| {
        Ok(crate::store::plans::readiness::list(&actor.auth.store).await?)
    })
    .await
}

/// Evaluates an active plan's readiness now (its configs are asked with their stored
/// credentials) and answers its new verdict.
#[server(endpoint = "plans/evaluate", input = Json, output = Json)]
pub async fn evaluate_plan(
    id: PlanId,
) -> Result<crate::domain::plan::readiness::PlanReadiness, AppError> {
    use crate::domain::role::Action;
    use crate::store::audit::Target;
    super::server_side::run(
        Action::EvaluatePlan,
        Some(Target::new("plan", id)),
        async |actor| {
            let store = &actor.auth.store;
            let secrets = &actor.auth.keys.stored_secrets;
            crate::readiness::evaluate(store, secrets, Some(id), &actor.record()).await?;
            crate::store::plans::readiness::list(store)
                .await?
                .into_iter()
                .find(|r| r.plan_id == id)
                .ok_or_else(|| {
                    AppError::conflict(
                        crate::error::ConflictCode::WrongState,
                        None,
                        "only an active plan is evaluated",
                    )
                })
        },
    )
    .await
}

/// One plan with all its versions (newest first) and reviews.
#[server(endpoint = "plans/get", input = Json, output = Json)]
pub async fn get_plan(id: PlanId) -> Result<PlanDetail, AppError> {
    use crate::domain::role::Action;
    super::server_side::run(Action::GetPlan, None, async |actor| {
        Ok(crate::store::plans::get(&actor.auth.store, id).await?)
    })
    .await
}

/// Every version of a plan, newest first; approved versions never change.
#[server(endpoint = "plans/versions", input = Json, output = Json)]
pub async fn list_plan_versions(id: PlanId) -> Result<Vec<PlanVersion>, AppError> {
    use crate::domain::role::Action;
    super::server_side::run(Action::ListPlanVersions, None, async |actor| {
        Ok(crate::store::plans::get(&actor.auth.store, id)
            .await?
            .versions)
    })
    .await
}

/// Creates a plan whose first version is a draft.
#[server(endpoint = "plans/create", input = Json, output = Json)]
pub async fn create_plan(content: PlanContent) -> Result<PlanDetail, AppError> {
    use crate::domain::role::Action;
    super::server_side::run(Action::CreatePlan, None, async |actor| {
        let content = checked(&actor.auth.store, &content).await?;
        Ok(crate::store::plans::create(&actor.auth.store, &actor.record(), &content).await?)
    })
    .await
}

/// Saves the plan's working draft; an active plan gets a new draft version and keeps
/// running its active one until the draft is approved.
#[server(endpoint = "plans/update", input = Json, output = Json)]
pub async fn update_plan(
    id: PlanId,
    revision: u32,
    content: PlanContent,
) -> Result<PlanDetail, AppError> {
    use crate::domain::role::Action;
    use crate::store::audit::Target;
    super::server_side::run(
        Action::UpdatePlan,
        Some(Target::new("plan", id)),
        async |actor| {
            let content = checked(&actor.auth.store, &content).await?;
            Ok(crate::store::plans::update(
                &actor.auth.store,
                &actor.record(),
                id,
                revision,
                &content,
            )
            .await?)
        },
    )
    .await
}

/// Sends the working draft to the reviewers.
#[server(endpoint = "plans/submit", input = Json, output = Json)]
pub async fn submit_plan(id: PlanId, revision: u32) -> Result<PlanDetail, AppError> {
    use crate::domain::role::Action;
    use crate::store::audit::Target;
    super::server_side::run(
        Action::SubmitPlan,
        Some(Target::new("plan", id)),
        async |actor| {
            Ok(
                crate::store::plans::submit(&actor.auth.store, &actor.record(), id, revision)
                    .await?,
            )
        },
    )
    .await
}

/// Approves the version in review, which becomes the active one (four eyes: not by
/// anyone who edited it).
#[server(endpoint = "plans/approve", input = Json, output = Json)]
pub async fn approve_plan(
    id: PlanId,
    revision: u32,
    comment: String,
) -> Result<PlanDetail, AppError> {
    use crate::domain::role::Action;
    use crate::store::audit::Target;
    super::server_side::run(
        Action::ApprovePlan,
        Some(Target::new("plan", id)),
        async |actor| {
            Ok(crate::store::plans::approve(
                &actor.auth.store,
                &actor.record(),
                id,
                revision,
                &comment,
            )
            .await?)
        },
    )
    .await
}

/// Returns the version in review to draft; the comment says why and is required.
#[server(endpoint = "plans/reject", input = Json, output = Json)]
pub async fn reject_plan(
    id: PlanId,
    revision: u32,
    comment: String,
) -> Result<PlanDetail, AppError> {
    use crate::domain::role::Action;
    use crate::store::audit::Target;
    super::server_side::run(
        Action::RejectPlan,
        Some(Target::new("plan", id)),
        async |actor| {
            Ok(crate::store::plans::reject(
                &actor.auth.store,
                &actor.record(),
                id,
                revision,
                &comment,
            )
            .await?)
        },
    )
    .await
}

/// Takes an active plan out of service until a version is approved again.
#[server(endpoint = "plans/deactivate", input = Json, output = Json)]
pub async fn deactivate_plan(
    id: PlanId,
    revision: u32,
    comment: String,
) -> Result<PlanDetail, AppError> {
    use crate::domain::role::Action;
    use crate::store::audit::Target;
    super::server_side::run(
        Action::DeactivatePlan,
        Some(Target::new("plan", id)),
        async |actor| {
            Ok(crate::store::plans::deactivate(
                &actor.auth.store,
                &actor.record(),
                id,
                revision,
                &comment,
            )
            .await?)
        },
    )
    .await
}

/// A new draft plan named `name` with the steps of the plan's newest version.
#[server(endpoint = "plans/clone", input = Json, output = Json)]
pub async fn clone_plan(id: PlanId, name: String) -> Result<PlanDetail, AppError> {
    use crate::domain::role::Action;
    use crate::store::audit::Target;
    super::server_side::run(
        Action::ClonePlan,
        Some(Target::new("plan", id)),
        async |actor| {
            let source = crate::store::plans::get(&actor.auth.store, id).await?;
            let mut content = source.latest().ok_or(AppError::Internal)?.content.clone();
            content.name = name;
            let content = checked(&actor.auth.store, &content).await?;
            Ok(crate::store::plans::create(&actor.auth.store, &actor.record(), &content).await?)
        },
    )
    .await
}

/// Deletes a plan and its versions; executions keep their copy and the plan's name.
#[server(endpoint = "plans/delete", input = Json, output = Json)]
pub async fn delete_plan(id: PlanId, revision: u32) -> Result<(), AppError> {
    use crate::domain::role::Action;
    use crate::store::audit::Target;
    super::server_side::run(
        Action::DeletePlan,
        Some(Target::new("plan", id)),
        async |actor| {
            Ok(
                crate::store::plans::delete(&actor.auth.store, &actor.record(), id, revision)
                    .await?,
            )
        },
    )
    .await
}

/// Version `number` of a plan (its newest when `None`) as a plans-as-code document.
#[server(endpoint = "plans/export", input = Json, output = Json)]
pub async fn export_plan(id: PlanId, number: Option<u32>) -> Result<PlanDocument, AppError> {
    use crate::domain::role::Action;
    super::server_side::run(Action::ExportPlan, None, async |actor| {
        let detail = crate::store::plans::get(&actor.auth.store, id).await?;
        let version = match number {
            Some(number) => detail.versions.iter().find(|v| v.number == number),
            None => detail.latest(),
        }
        .ok_or_else(|| {
            AppError::not_found(format!("version {} of plan {id}", number.unwrap_or(0)))
        })?;
        Ok(PlanDocument::of(&version.content))
    })
    .await
}

/// Creates a draft plan from a plans-as-code document (the text, so that every problem
/// can be reported with its line and column).
#[server(endpoint = "plans/import", input = Json, output = Json)]
pub async fn import_plan(document: String) -> Result<PlanDetail, AppError> {
    use crate::domain::plan::document::{read, with_lines};
    use crate::domain::role::Action;
    super::server_side::run(Action::ImportPlan, None, async |actor| {
        let content = read(&document).map_err(AppError::invalid)?;
        let content = validated(&actor.auth.store, &content)
            .await?
            .map_err(|errors| AppError::invalid(with_lines(&document, errors)))?;
        crate::store::plans::create(&actor.auth.store, &actor.record(), &content)
            .await
            .map_err(|error| match AppError::from(error) {
                AppError::Conflict {
                    code,
                    field,
                    message,
                } => {
                    let (line, column) = crate::domain::plan::document::locate(&document, "name");
                    AppError::Conflict {
                        code,
                        field,
                        message: format!("line {line}, column {column}: {message}"),
                    }
                }
                other => other,
            })
    })
    .await
}

/// What differs between two versions of a plan: by default the active version (or
/// nothing) against the working one (or the newest).
#[server(endpoint = "plans/diff", input = Json, output = Json)]
pub async fn diff_plan(
    id: PlanId,
    old: Option<u32>,
    new: Option<u32>,
) -> Result<PlanDiff, AppError> {
    use crate::domain::role::Action;
    super::server_side::run(Action::DiffPlan, None, async |actor| {
        let detail = crate::store::plans::get(&actor.auth.store, id).await?;
        let pick = |number: Option<u32>| {
            detail
                .versions
                .iter()
                .find(|v| Some(v.number) == number)
                .ok_or_else(|| {
                    AppError::not_found(format!("version {} of plan {id}", number.unwrap_or(0)))
                })
        };
        let old = match old {
            Some(_) => Some(pick(old)?),
            None => detail.active(),
        };
        let new = match new {
            Some(_) => Some(pick(new)?),
            None => detail.latest(),
        };
        Ok(crate::domain::plan::diff::diff(
            old.map(|v| (v.number, &v.content)),
            new.map(|v| (v.number, &v.content)),
        ))
    })
    .await
}
