//! Create, edit and clone a plan: basic information, then the Switchover and Recovery
//! phases built from a palette of step types grouped by layer. Steps reorder by drag and
//! drop or from the keyboard (arrow keys on a step's handle); each step's parameters get
//! a form drawn from the catalog. The domain's check runs before anything is sent, the
//! server runs it again, and every problem shows next to its step and field.

mod draft;
mod leave_guard;
mod palette;
mod param_field;
mod plan_form;
mod step_list;

use crate::api::catalog::list_step_types;
use crate::api::environment::{list_database_clusters, list_product_groups};
use crate::api::plans::get_plan;
use crate::components::error_view::ErrorView;
use crate::components::role_gate::RoleGate;
use crate::domain::ids::PlanId;
use crate::domain::plan::PlanRefs;
use crate::domain::role::Action;
use crate::error::AppError;
use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};
use plan_form::PlanForm;

fn plan_id(text: Option<String>) -> Option<PlanId> {
    text.and_then(|t| t.parse().ok()).map(PlanId)
}

fn editing_untracked(params: &Memo<leptos_router::params::ParamsMap>) -> bool {
    params.with_untracked(|p| p.get("id").is_some())
}

/// `/plans/new`, `/plans/new?from=ID` (a clone) and `/plans/ID/edit`.
#[component]
pub fn PlanEditorPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let editing = move || plan_id(params.read().get("id"));
    let source_id = move || editing().or_else(|| plan_id(query.read().get("from")));
    let source = Resource::new(source_id, |id| async move {
        match id {
            Some(id) => get_plan(id).await.map(Some),
            None => Ok(None),
        }
    });
    let catalog = Resource::new(|| (), |_| list_step_types());
    let groups = Resource::new(|| (), |_| list_product_groups());
    let clusters = Resource::new(|| (), |_| list_database_clusters());

    // Editing and creating (or cloning) are separate rights in the role table.
    let right = if editing_untracked(&params) {
        Action::UpdatePlan
    } else {
        Action::CreatePlan
    };
    view! {
        <RoleGate action=right refusal="Plans are written by operators and admins; you can read them on the Plans page.">
            <Transition fallback=|| view! { <p class="muted">"Loading the editor…"</p> }>
                <ErrorBoundary fallback=|errors| view! { <ErrorView errors /> }>
                    {move || Suspend::new(async move {
                        let source = source.await?;
                        let catalog = catalog.await?;
                        let refs = PlanRefs {
                            product_groups: groups.await?.into_iter().map(|g| g.name).collect(),
                            database_clusters: clusters.await?.into_iter().map(|c| c.name).collect(),
                        };
                        Ok::<_, AppError>(view! { <PlanForm editing=editing() source catalog refs /> })
                    })}
                </ErrorBoundary>
            </Transition>
        </RoleGate>
    }
}
