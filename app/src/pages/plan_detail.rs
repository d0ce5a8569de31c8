//! Plan detail (预案详情): basic information, the steps of each phase (each expandable to
//! its configuration), the review — diff, approve, reject — and the history of versions
//! and reviews. The actions shown are those the caller's role and the plan's state allow;
//! an active plan's Execute opens the New execution dialog.

use super::execution::new_execution::NewExecutionDialog;
use super::plan_readiness::ReadinessSection;
use crate::api::plans::{
    ApprovePlan, DeactivatePlan, DeletePlan, RejectPlan, SubmitPlan, diff_plan, export_plan,
    get_plan, plan_readiness,
};
use crate::components::console_layout::use_current_user;
use crate::components::delete_button::DeleteButton;
use crate::components::download_button::DownloadButton;
use crate::components::error_view::ErrorView;
use crate::components::form_feedback::{FieldMessage, FormMessage};
use crate::components::plan_diff_view::PlanDiffView;
use crate::components::plan_status_badge::PlanStatusBadge;
use crate::components::step_view::StepView;
use crate::domain::ids::PlanId;
use crate::domain::plan::lifecycle::{PlanCommand, PlanFacts};
use crate::domain::plan::{Phase, PlanDetail, PlanStatus, PlanVersion, VersionState};
use crate::domain::role::{Action, Role};
use crate::error::AppError;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_navigate, use_params_map};

#[component]
pub fn PlanDetailPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || {
        params
            .read()
            .get("id")
            .and_then(|t| t.parse().ok())
            .map(PlanId)
    };
    let me = use_current_user();
    let submit = ServerAction::<SubmitPlan>::new();
    let approve = ServerAction::<ApprovePlan>::new();
    let reject = ServerAction::<RejectPlan>::new();
    let deactivate = ServerAction::<DeactivatePlan>::new();
    let actions = Actions {
        submit,
        approve,
        reject,
        deactivate,
    };
    let plan = Resource::new(
        move || (id(), actions.changes()),
        |(id, _)| async move {
            match id {
                Some(id) => get_plan(id).await,
                None => Err(AppError::not_found("that plan")),
            }
        },
    );
    let readiness = Resource::new(move || actions.changes(), |_| plan_readiness());
    let diff = Resource::new(
        move || (id(), actions.changes()),
        |(id, _)| async move {
            match id {
                Some(id) => diff_plan(id, None, None).await,
                None => Err(AppError::not_found("that plan")),
            }
        },
    );

    view! {
        <Transition fallback=|| view! { <p class="muted">"Loading the plan…"</p> }>
            <ErrorBoundary fallback=|errors| view! { <ErrorView errors /> }>
                {move || Suspend::new(async move {
                    let role = me.0.await?.role;
                    let detail = plan.await?;
                    let diff = diff.await?;
                    // Not while degraded: the section then says nothing rather than guess.
                    let readiness = readiness.await.ok();
                    let active = detail.plan.status == PlanStatus::Active;
                    let can_evaluate = Action::EvaluatePlan.allowed_for(role);
                    let plan_id = detail.plan.id;
                    let readiness = readiness.map(|all| all.into_iter().find(|r| r.plan_id == plan_id));
                    let review = detail.working().is_some_and(|w| w.state == VersionState::InReview);
                    let show_diff = detail.working().is_some();
                    Ok::<_, AppError>(view! {
                        <PlanHeader detail=detail.clone() role actions />
                        {(active && readiness.is_some()).then(|| view! {
                            <ReadinessSection plan=plan_id readiness=readiness.flatten() can_evaluate />
                        })}
                        {show_diff.then(|| view! {
                            {review.then(|| view! { <p class="notice" role="status">"This version waits for a reviewer. The diff below shows what approving it changes."</p> })}
                            <PlanDiffView diff />
                        })}
                        <PlanSteps detail=detail.clone() />
                        <History detail />
                    })
                })}
            </ErrorBoundary>
        </Transition>
    }
}

/// The lifecycle actions of the page; any of them finishing reloads the plan.
#[derive(Clone, Copy)]
struct Actions {
    submit: ServerAction<SubmitPlan>,
    approve: ServerAction<ApprovePlan>,
    reject: ServerAction<RejectPlan>,
    deactivate: ServerAction<DeactivatePlan>,
}

impl Actions {
    fn changes(&self) -> usize {
        self.submit.version().get()
            + self.approve.version().get()
            + self.reject.version().get()
            + self.deactivate.version().get()
    }

    /// The error of whichever action ran last and failed.
    fn error(&self) -> Signal<Option<AppError>> {
        let this = *self;
        Signal::derive(move || {
            [
                this.submit.value().get().and_then(Result::err),
                this.approve.value().get().and_then(Result::err),
                this.reject.value().get().and_then(Result::err),
                this.deactivate.value().get().and_then(Result::err),
            ]
            .into_iter()
            .flatten()
            .next()
        })
    }
}

#[component]
fn PlanHeader(detail: PlanDetail, role: Role, actions: Actions) -> impl IntoView {
    let plan = detail.plan.clone();
    let (id, revision) = (plan.id, plan.revision);
    // What the role may do, and what the plan's lifecycle allows now.
    let facts = PlanFacts::of(&detail);
    let can = |action: Action| action.allowed_for(role);
    let can_now = |action: Action, command| can(action) && facts.allows(command);
    let can_submit = can_now(Action::SubmitPlan, PlanCommand::Submit);
    let can_review = can_now(Action::ApprovePlan, PlanCommand::Reject);
    let can_deactivate = can_now(Action::DeactivatePlan, PlanCommand::Deactivate);
    let can_execute = can(Action::CreateExecution) && plan.status == PlanStatus::Active;
    let executing = RwSignal::new(false);
    let hydrated = RwSignal::new(false);
    Effect::new(move || hydrated.set(true));
    let comment = RwSignal::new(String::new());
    let error = actions.error();
    let delete = ServerAction::<DeletePlan>::new();
    let navigate = use_navigate();
    Effect::new(move || {
        if let Some(Ok(())) = delete.value().get() {
            navigate("/plans", Default::default());
        }
    });
    let delete_error = Signal::derive(move || delete.value().get().and_then(Result::err));
    let name = plan.name.clone();
    let executed = plan.name.clone();
    let changed = format!(
        "Last changed {} UTC{}",
        plan.updated_at.format("%Y-%m-%d %H:%M"),
        plan.updated_by
            .as_ref()
            .map(|u| format!(" by {u}"))
            .unwrap_or_default()
    );
    let running = detail.active_version.map_or(
        "No version is active: this plan cannot be executed.".to_owned(),
        |n| format!("Version {n} is active: it is the one that runs."),
    );

    view! {
        <Title text=plan.name.clone() />
        <p><a href="/plans">"← Plans"</a></p>
        <h1>{plan.name.clone()} " " <PlanStatusBadge status=plan.status working=plan.working /></h1>
        <p class="lede">{plan.description.clone()}</p>
        <p class="muted small">{changed} ". " {running}</p>
        <FormMessage error />
        <FormMessage error=delete_error />
        <div class="toolbar" aria-label="Plan actions">
            {can_execute.then(|| view! {
                <button type="button" class="primary" disabled=move || !hydrated.get()
                    on:click=move |_| executing.set(true)>"Execute"</button>
            })}
            {can(Action::UpdatePlan).then(|| view! { <a class="button" href=format!("/plans/{id}/edit")>"Edit"</a> })}
            {can_submit.then(|| view! {
                <button type="button" class="primary" on:click=move |_| { actions.submit.dispatch(SubmitPlan { id, revision }); }>
                    "Submit for review"
                </button>
            })}
            {can(Action::ClonePlan).then(|| view! { <a class="button" href=format!("/plans/new?from={id}")>"Clone"</a> })}
            <ExportButton id />
            {can(Action::DeletePlan).then(|| view! {
                <DeleteButton what=format!("the plan {name} with all its versions")
                    on_confirm=Callback::new(move |()| { delete.dispatch(DeletePlan { id, revision }); }) />
            })}
        </div>
        <Show when=move || executing.get()>
            <NewExecutionDialog plan=id plan_name=executed.clone() on_close=Callback::new(move |()| executing.set(false)) />
        </Show>
        {(can_review || can_deactivate).then(|| view! {
            <section class="card review" aria-label="Review">
                <h2>{if can_review { "Review" } else { "Take out of service" }}</h2>
                <label>
                    {if can_review { "Comment (required to reject)" } else { "Reason" }}
                    <textarea rows="2" prop:value=comment on:input=move |ev| comment.set(event_target_value(&ev))></textarea>
                    <FieldMessage error field="comment" />
                </label>
                {can_review.then(|| view! {
                    <button type="button" class="primary" on:click=move |_| {
                        actions.approve.dispatch(ApprovePlan { id, revision, comment: comment.get() });
                    }>"Approve"</button>
                    " "
                    <button type="button" on:click=move |_| {
                        actions.reject.dispatch(RejectPlan { id, revision, comment: comment.get() });
                    }>"Reject"</button>
                })}
                " "
                {can_deactivate.then(|| view! {
                    <button type="button" class="danger" on:click=move |_| {
                        actions.deactivate.dispatch(DeactivatePlan { id, revision, comment: comment.get() });
                    }>"Deactivate"</button>
                })}
            </section>
        })}
    }
}

/// Fetches the plan's newest version as a document and offers it to download.
#[component]
fn ExportButton(id: PlanId) -> impl IntoView {
    let fetch = move || async move {
        export_plan(id, None)
            .await
            .map(|document| serde_json::to_string_pretty(&document).unwrap_or_default())
    };
    view! {
        <DownloadButton label="Export JSON" file_name=format!("plan-{id}.json")
            media_type="application/json" fetch />
    }
}

/// The steps of the version that runs (or, with none active, the newest), per phase.
#[component]
fn PlanSteps(detail: PlanDetail) -> impl IntoView {
    let shown: Option<PlanVersion> = detail.active().or(detail.latest()).cloned();
    let phase = RwSignal::new(Phase::Switchover);
    let Some(version) = shown else {
        return view! { <p class="muted">"This plan has no versions."</p> }.into_any();
    };
    let heading = format!(
        "Steps of version {} ({})",
        version.number,
        version.state.label()
    );
    let target = match version.content.rto_minutes {
        Some(minutes) => {
            format!("Recovery-time target (RTO): {minutes} minutes for the switchover.")
        }
        None => "No recovery-time target (RTO) is set.".to_owned(),
    };
    let content = StoredValue::new(version.content);
    view! {
        <section class="card" aria-label="Steps">
            <h2>{heading}</h2>
            <p data-testid="rto-target">{target}</p>
            <div class="tabs" role="tablist" aria-label="Phases">
                {Phase::ALL.into_iter().map(|p| view! {
                    <button type="button" role="tab" aria-selected=move || (phase.get() == p).to_string()
                        class:selected=move || phase.get() == p on:click=move |_| phase.set(p)>
                        {p.label()} " " <span class="muted">{content.with_value(|c| c.steps(p).len())}</span>
                    </button>
                }).collect_view()}
            </div>
            {move || {
                let p = phase.get();
                let steps = content.with_value(|c| c.steps(p).to_vec());
                view! {
                    <ol class="plain" role="tabpanel" aria-label=p.label()>
                        {steps.is_empty().then(|| view! { <li class="muted">"No steps in this phase."</li> })}
                        {steps.into_iter().enumerate().map(|(i, step)| view! {
                            <li><StepView position=i as u32 + 1 step /></li>
                        }).collect_view()}
                    </ol>
                }
            }}
        </section>
    }
    .into_any()
}

#[component]
fn History(detail: PlanDetail) -> impl IntoView {
    let when = |at: chrono::DateTime<chrono::Utc>| at.format("%Y-%m-%d %H:%M").to_string();
    view! {
        <section class="card" aria-label="History">
            <h2>"Versions"</h2>
            <table class="data-table">
                <thead><tr>
                    <th scope="col">"Version"</th><th scope="col">"State"</th><th scope="col">"Created"</th>
                    <th scope="col">"Last edit"</th><th scope="col">"Submitted"</th><th scope="col">"Edited by"</th>
                </tr></thead>
                <tbody>
                    {detail.versions.iter().map(|v| view! {
                        <tr>
                            <td>{v.number}{(Some(v.number) == detail.active_version).then_some(" (active)")}</td>
                            <td>{v.state.label()}</td>
                            <td>{when(v.created_at)} " " {v.created_by.clone().unwrap_or_default()}</td>
                            <td>{when(v.updated_at)} " " {v.updated_by.clone().unwrap_or_default()}</td>
                            <td>{v.submitted_at.map(when).unwrap_or_default()} " " {v.submitted_by.clone().unwrap_or_default()}</td>
                            <td>{v.editors.join(", ")}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
            <h2>"Reviews"</h2>
            {detail.reviews.is_empty().then(|| view! { <p class="muted">"No reviews yet."</p> })}
            <ul class="plain reviews">
                {detail.reviews.iter().map(|r| view! {
                    <li data-decision=r.decision.as_str()>
                        <strong>{r.decision.label()}</strong> " version " {r.version_number} " by " {r.reviewer.clone()}
                        " at " {when(r.at)} " UTC"
                        {(!r.comment.is_empty()).then(|| view! { ": " <q>{r.comment.clone()}</q> })}
                    </li>
                }).collect_view()}
            </ul>
        </section>
    }
}
