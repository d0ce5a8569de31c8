//! Plans (容灾预案): every plan with its status and step counts, searchable and filtered
//! by status; per-row actions as the caller's role and the plan's status allow (an active
//! plan's Execute opens the New execution dialog); import.

use super::execution::new_execution::NewExecutionDialog;
use super::plan_readiness::ReadinessCell;
use crate::api::plans::{DeletePlan, ImportPlan, list_plans, plan_readiness};
use crate::components::console_layout::use_current_user;
use crate::components::delete_button::DeleteButton;
use crate::components::error_view::ErrorView;
use crate::components::form_feedback::{FormMessage, last_error};
use crate::components::plan_status_badge::PlanStatusBadge;
use crate::components::text_field::TextField;
use crate::domain::ids::PlanId;
use crate::domain::plan::readiness::PlanReadiness;
use crate::domain::plan::{PlanStatus, PlanSummary, StatusFilter};
use crate::domain::role::{Action, Role};
use crate::error::AppError;
use crate::language::labels::Localized;
use crate::language::{self, tr, trv};
use crate::local_time::{Precision, local, use_reader_zone, utc};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_navigate;

#[component]
pub fn PlanListPage() -> impl IntoView {
    let me = use_current_user();
    let delete = ServerAction::<DeletePlan>::new();
    let plans = Resource::new(move || delete.version().get(), |_| list_plans());
    let readiness = Resource::new(move || delete.version().get(), |_| plan_readiness());
    let query = RwSignal::new(String::new());
    let filter = RwSignal::new(StatusFilter::All);
    let delete_error = last_error(delete.value());
    // The plan whose New execution dialog is open.
    let executing = RwSignal::new(None::<(PlanId, String)>);
    let hydrated = RwSignal::new(false);
    Effect::new(move || hydrated.set(true));

    view! {
        <Title text=tr!(plans.list.title) />
        <h1>{tr!(plans.list.title)}</h1>
        <p class="lede">{trv!(plans.list.lede, <zh> = language::zh)}</p>
        <div class="toolbar" role="search">
            <TextField label=tr!(plans.list.search) kind="search" value=query />
            <label>
                {tr!(plans.list.status)}
                <select on:change=move |ev| {
                    filter.set(StatusFilter::parse(&event_target_value(&ev)).unwrap_or(StatusFilter::All))
                }>
                    {StatusFilter::ALL.into_iter().map(|f| view! {
                        <option value=f.as_str() selected=move || filter.get() == f>{f.localized(language::locale())}</option>
                    }).collect_view()}
                </select>
            </label>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    let can_author = me.0.await.ok().is_some_and(|u| Action::CreatePlan.allowed_for(u.role));
                    can_author.then(|| view! { <a class="button primary" href="/plans/new">{tr!(plans.list.new_plan)}</a> })
                })}
            </Transition>
        </div>
        <FormMessage error=delete_error />
        <Transition fallback=|| view! { <p class="muted">{tr!(plans.list.loading)}</p> }>
            <ErrorBoundary fallback=|errors| view! { <ErrorView errors /> }>
                {move || Suspend::new(async move {
                    let role = me.0.await.ok().map(|u| u.role);
                    // Readiness is shown when it can be read (not while degraded).
                    let readiness = readiness.await.unwrap_or_default();
                    plans.await.map(|plans| view! {
                        <table class="data-table" aria-label=tr!(plans.list.title)>
                            <thead><tr>
                                <th scope="col">{tr!(plans.list.column.name)}</th>
                                <th scope="col">{tr!(plans.list.column.status)}</th>
                                <th scope="col">{tr!(plans.list.column.readiness)}</th>
                                <th scope="col">{tr!(plans.list.column.switchover)}</th>
                                <th scope="col">{tr!(plans.list.column.recovery)}</th>
                                <th scope="col">{tr!(plans.list.column.last_change)}</th>
                                <th scope="col">{tr!(plans.list.column.actions)}</th>
                            </tr></thead>
                            <tbody>
                                {plans.into_iter().map(|plan| {
                                    let readiness = readiness.iter().find(|r| r.plan_id == plan.id).cloned();
                                    view! { <PlanRow plan readiness query filter role delete executing hydrated /> }
                                }).collect_view()}
                            </tbody>
                        </table>
                    })
                })}
            </ErrorBoundary>
        </Transition>
        {move || executing.get().map(|(plan, plan_name)| view! {
            <NewExecutionDialog plan plan_name on_close=Callback::new(move |()| executing.set(None)) />
        })}
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                let can_import = me.0.await.ok().is_some_and(|u| Action::ImportPlan.allowed_for(u.role));
                can_import.then(|| view! { <ImportForm /> })
            })}
        </Transition>
    }
}

#[component]
fn PlanRow(
    plan: PlanSummary,
    /// `None` for a plan that is not active (or when readiness cannot be read).
    readiness: Option<PlanReadiness>,
    query: RwSignal<String>,
    filter: RwSignal<StatusFilter>,
    role: Option<Role>,
    delete: ServerAction<DeletePlan>,
    executing: RwSignal<Option<(PlanId, String)>>,
    hydrated: RwSignal<bool>,
) -> impl IntoView {
    let (id, revision) = (plan.id, plan.revision);
    let can = |action: Action| role.is_some_and(|r| action.allowed_for(r));
    let name = plan.name.clone();
    let executed = plan.name.clone();
    let for_match = plan.clone();
    let shown = move || for_match.matches(&query.get(), filter.get());
    let active = plan.status == PlanStatus::Active;
    let at = local(plan.updated_at, &use_reader_zone(), Precision::Minutes);
    let changed = match &plan.updated_by {
        Some(name) => tr!(plans.list.changed_by, at = at, name = name),
        None => at,
    };
    let delete_what = tr!(plans.list.delete_what, name = name);
    view! {
        <tr data-plan=plan.name.clone() hidden=move || !shown()>
            <td>
                <a href=format!("/plans/{id}")>{plan.name.clone()}</a>
                <div class="muted small">{plan.description.clone()}</div>
            </td>
            <td><PlanStatusBadge status=plan.status working=plan.working /></td>
            <td><ReadinessCell readiness /></td>
            <td>{plan.switchover_steps}</td>
            <td>{plan.recovery_steps}</td>
            <td class="small" title=utc(plan.updated_at)>{changed}</td>
            <td class="actions">
                <a href=format!("/plans/{id}")>{tr!(common.action.view)}</a>
                {can(Action::UpdatePlan).then(|| view! { " " <a href=format!("/plans/{id}/edit")>{tr!(common.action.edit)}</a> })}
                {can(Action::ClonePlan).then(|| view! { " " <a href=format!("/plans/new?from={id}")>{tr!(plans.list.clone)}</a> })}
                {can(Action::DeletePlan).then(|| view! {
                    " " <DeleteButton class="link danger" what=delete_what.clone()
                        on_confirm=Callback::new(move |()| { delete.dispatch(DeletePlan { id, revision }); }) />
                })}
                {(active && can(Action::CreateExecution)).then(|| view! {
                    " " <button type="button" class="primary" disabled=move || !hydrated.get()
                        on:click=move |_| executing.set(Some((id, executed.clone())))>{tr!(plans.list.execute)}</button>
                })}
            </td>
        </tr>
    }
}

/// Paste a plans-as-code document; every problem comes back with its line.
#[component]
fn ImportForm() -> impl IntoView {
    let import = ServerAction::<ImportPlan>::new();
    let document = RwSignal::new(String::new());
    let navigate = use_navigate();
    Effect::new(move || {
        if let Some(Ok(detail)) = import.value().get() {
            navigate(&format!("/plans/{}", detail.plan.id), Default::default());
        }
    });
    let problems = move || match import.value().get() {
        Some(Err(AppError::Validation { errors })) => errors
            .into_iter()
            .map(|e| format!("{}: {}", e.field, e.message))
            .collect(),
        Some(Err(other)) => vec![other.to_string()],
        _ => Vec::new(),
    };
    view! {
        <details class="card import">
            <summary>{tr!(plans.import.summary)}</summary>
            <p class="muted small">{tr!(plans.import.hint)}</p>
            <label>
                {tr!(plans.import.document)}
                <textarea rows="12" class="code" prop:value=document
                    on:input=move |ev| document.set(event_target_value(&ev))></textarea>
            </label>
            <ul class="form-error" role="alert">
                {move || problems().into_iter().map(|p| view! { <li>{p}</li> }).collect_view()}
            </ul>
            <button type="button" class="primary" disabled=move || import.pending().get()
                on:click=move |_| { import.dispatch(ImportPlan { document: document.get() }); }>
                {tr!(plans.import.submit)}
            </button>
        </details>
    }
}
