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
use crate::language::labels::Localized;
use crate::language::{self, tr};
use crate::local_time::{Precision, local, use_reader_zone};
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
        <Transition fallback=|| view! { <p class="muted">{tr!(plans.detail.loading)}</p> }>
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
                            {review.then(|| view! { <p class="notice" role="status">{tr!(plans.detail.waits_for_review)}</p> })}
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
    let at = local(plan.updated_at, &use_reader_zone(), Precision::Minutes);
    let changed = match &plan.updated_by {
        Some(name) => tr!(plans.detail.last_changed_by, at = at, name = name),
        None => tr!(plans.detail.last_changed, at = at),
    };
    let running = detail
        .active_version
        .map_or(tr!(plans.detail.no_active).to_owned(), |n| {
            tr!(plans.detail.active_version, n = n)
        });
    let delete_what = tr!(plans.list.delete_what, name = name);

    view! {
        <Title text=plan.name.clone() />
        <p><a href="/plans">{tr!(plans.detail.back)}</a></p>
        <h1>{plan.name.clone()} " " <PlanStatusBadge status=plan.status working=plan.working /></h1>
        <p class="lede">{plan.description.clone()}</p>
        <p class="muted small">{changed} ". " {running}</p>
        <FormMessage error />
        <FormMessage error=delete_error />
        <div class="toolbar" aria-label=tr!(plans.detail.actions)>
            {can_execute.then(|| view! {
                <button type="button" class="primary" disabled=move || !hydrated.get()
                    on:click=move |_| executing.set(true)>{tr!(plans.list.execute)}</button>
            })}
            {can(Action::UpdatePlan).then(|| view! { <a class="button" href=format!("/plans/{id}/edit")>{tr!(common.action.edit)}</a> })}
            {can_submit.then(|| view! {
                <button type="button" class="primary" on:click=move |_| { actions.submit.dispatch(SubmitPlan { id, revision }); }>
                    {tr!(plans.detail.submit)}
                </button>
            })}
            {can(Action::ClonePlan).then(|| view! { <a class="button" href=format!("/plans/new?from={id}")>{tr!(plans.list.clone)}</a> })}
            <ExportButton id />
            {can(Action::DeletePlan).then(|| view! {
                <DeleteButton what=delete_what.clone()
                    on_confirm=Callback::new(move |()| { delete.dispatch(DeletePlan { id, revision }); }) />
            })}
        </div>
        <Show when=move || executing.get()>
            <NewExecutionDialog plan=id plan_name=executed.clone() on_close=Callback::new(move |()| executing.set(false)) />
        </Show>
        {(can_review || can_deactivate).then(|| view! {
            <section class="card review" aria-label=tr!(plans.detail.review)>
                <h2>{if can_review { tr!(plans.detail.review) } else { tr!(plans.detail.take_out) }}</h2>
                <label>
                    {if can_review { tr!(plans.detail.comment_required) } else { tr!(plans.detail.reason) }}
                    <textarea rows="2" prop:value=comment on:input=move |ev| comment.set(event_target_value(&ev))></textarea>
                    <FieldMessage error field="comment" />
                </label>
                {can_review.then(|| view! {
                    <button type="button" class="primary" on:click=move |_| {
                        actions.approve.dispatch(ApprovePlan { id, revision, comment: comment.get() });
                    }>{tr!(plans.detail.approve)}</button>
                    " "
                    <button type="button" on:click=move |_| {
                        actions.reject.dispatch(RejectPlan { id, revision, comment: comment.get() });
                    }>{tr!(plans.detail.reject)}</button>
                })}
                " "
                {can_deactivate.then(|| view! {
                    <button type="button" class="danger" on:click=move |_| {
                        actions.deactivate.dispatch(DeactivatePlan { id, revision, comment: comment.get() });
                    }>{tr!(plans.detail.deactivate)}</button>
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
        <DownloadButton label=tr!(plans.detail.export) file_name=format!("plan-{id}.json")
            media_type="application/json" fetch />
    }
}

/// The steps of the version that runs (or, with none active, the newest), per phase.
#[component]
fn PlanSteps(detail: PlanDetail) -> impl IntoView {
    let shown: Option<PlanVersion> = detail.active().or(detail.latest()).cloned();
    let phase = RwSignal::new(Phase::Switchover);
    let Some(version) = shown else {
        return view! { <p class="muted">{tr!(plans.detail.no_versions)}</p> }.into_any();
    };
    let heading = tr!(
        plans.detail.steps_of,
        n = version.number,
        state = version.state.localized(language::locale())
    );
    let target = match version.content.rto_minutes {
        Some(minutes) => tr!(plans.detail.rto, minutes = minutes),
        None => tr!(plans.detail.no_rto).to_owned(),
    };
    let content = StoredValue::new(version.content);
    view! {
        <section class="card" aria-label=tr!(plans.detail.steps)>
            <h2>{heading}</h2>
            <p data-testid="rto-target">{target}</p>
            <div class="tabs" role="tablist" aria-label=tr!(plans.detail.phases)>
                {Phase::ALL.into_iter().map(|p| view! {
                    <button type="button" role="tab" aria-selected=move || (phase.get() == p).to_string()
                        class:selected=move || phase.get() == p on:click=move |_| phase.set(p)>
                        {p.localized(language::locale())} " " <span class="muted">{content.with_value(|c| c.steps(p).len())}</span>
                    </button>
                }).collect_view()}
            </div>
            {move || {
                let p = phase.get();
                let steps = content.with_value(|c| c.steps(p).to_vec());
                view! {
                    <ol class="plain" role="tabpanel" aria-label=p.localized(language::locale())>
                        {steps.is_empty().then(|| view! { <li class="muted">{tr!(plans.detail.no_steps)}</li> })}
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
    let zone = use_reader_zone();
    let when = move |at: chrono::DateTime<chrono::Utc>| local(at, &zone, Precision::Minutes);
    let locale = language::locale();
    view! {
        <section class="card" aria-label=tr!(plans.detail.history)>
            <h2>{tr!(plans.detail.versions)}</h2>
            <table class="data-table">
                <thead><tr>
                    <th scope="col">{tr!(plans.detail.column.version)}</th><th scope="col">{tr!(plans.detail.column.state)}</th>
                    <th scope="col">{tr!(plans.detail.column.created)}</th><th scope="col">{tr!(plans.detail.column.last_edit)}</th>
                    <th scope="col">{tr!(plans.detail.column.submitted)}</th><th scope="col">{tr!(plans.detail.column.edited_by)}</th>
                </tr></thead>
                <tbody>
                    {detail.versions.iter().map(|v| view! {
                        <tr>
                            <td>{v.number}{(Some(v.number) == detail.active_version).then(|| tr!(plans.detail.active))}</td>
                            <td>{v.state.localized(locale)}</td>
                            <td>{when(v.created_at)} " " {v.created_by.clone().unwrap_or_default()}</td>
                            <td>{when(v.updated_at)} " " {v.updated_by.clone().unwrap_or_default()}</td>
                            <td>{v.submitted_at.map(when.clone()).unwrap_or_default()} " " {v.submitted_by.clone().unwrap_or_default()}</td>
                            <td>{v.editors.join(", ")}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
            <h2>{tr!(plans.detail.reviews)}</h2>
            {detail.reviews.is_empty().then(|| view! { <p class="muted">{tr!(plans.detail.no_reviews)}</p> })}
            <ul class="plain reviews">
                {detail.reviews.iter().map(|r| view! {
                    <li data-decision=r.decision.as_str()>
                        <strong>{r.decision.localized(locale)}</strong>
                        {tr!(plans.detail.review_line, n = r.version_number, who = r.reviewer.clone(), at = when(r.at))}
                        {(!r.comment.is_empty()).then(|| view! { ": " <q>{r.comment.clone()}</q> })}
                    </li>
                }).collect_view()}
            </ul>
        </section>
    }
}
