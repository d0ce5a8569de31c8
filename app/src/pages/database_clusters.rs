//! Environment → Database clusters: which data centers hold a copy, and which is primary.

use crate::api::environment::{
    CreateDatabaseCluster, DeleteDatabaseCluster, UpdateDatabaseCluster, list_data_centers,
    list_database_clusters,
};
use crate::components::confirm_delete::ConfirmDelete;
use crate::components::console_layout::use_current_user;
use crate::components::editor_buttons::EditorButtons;
use crate::components::error_view::ErrorView;
use crate::components::form_feedback::{
    EditorFeedback, FieldMessage, FormMessage, editor_feedback, last_error,
};
use crate::components::text_field::TextField;
use crate::domain::environment::{DataCenter, DatabaseCluster, DatabaseClusterForm};
use crate::domain::ids::DataCenterId;
use crate::domain::role::Action;
use crate::error::AppError;
use leptos::prelude::*;

#[component]
pub fn DatabaseClusters() -> impl IntoView {
    let me = use_current_user();
    let create = ServerAction::<CreateDatabaseCluster>::new();
    let update = ServerAction::<UpdateDatabaseCluster>::new();
    let delete = ServerAction::<DeleteDatabaseCluster>::new();
    let clusters = Resource::new(
        move || {
            (
                create.version().get(),
                update.version().get(),
                delete.version().get(),
            )
        },
        |_| list_database_clusters(),
    );
    let centers = Resource::new(|| (), |_| list_data_centers());
    let editing = RwSignal::new(None::<DatabaseCluster>);
    let query = RwSignal::new(String::new());
    let delete_error = last_error(delete.value());
    let can_edit = move || async move {
        me.0.await
            .ok()
            .is_some_and(|u| Action::CreateDatabaseCluster.allowed_for(u.role))
    };

    view! {
        <div class="toolbar" role="search">
            <TextField label="Search" kind="search" value=query />
        </div>
        <FormMessage error=delete_error />
        <Transition fallback=|| view! { <p class="muted">"Loading database clusters…"</p> }>
            <ErrorBoundary fallback=|errors| view! { <ErrorView errors /> }>
                {move || Suspend::new(async move {
                    let can_edit = can_edit().await;
                    clusters.await.map(|clusters| view! { <ClusterTable clusters query can_edit editing delete /> })
                })}
            </ErrorBoundary>
        </Transition>
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                if !can_edit().await {
                    return None;
                }
                let centers = centers.await.unwrap_or_default();
                Some(view! { <ClusterEditor centers create update editing /> })
            })}
        </Transition>
    }
}

#[component]
fn ClusterTable(
    clusters: Vec<DatabaseCluster>,
    query: RwSignal<String>,
    can_edit: bool,
    editing: RwSignal<Option<DatabaseCluster>>,
    delete: ServerAction<DeleteDatabaseCluster>,
) -> impl IntoView {
    let confirming = RwSignal::new(None::<DatabaseCluster>);
    view! {
        <table class="data-table" data-testid="database-clusters">
            <thead>
                <tr>
                    <th scope="col">"Cluster"</th>
                    <th scope="col">"Primary"</th>
                    <th scope="col">"Copies in"</th>
                    <th scope="col">"Description"</th>
                    {can_edit.then(|| view! { <th scope="col">"Actions"</th> })}
                </tr>
            </thead>
            <tbody>
                {clusters.into_iter().map(|cluster| {
                    let members = cluster.members.iter().map(|m| m.name.clone()).collect::<Vec<_>>().join(", ");
                    let for_edit = cluster.clone();
                    let for_delete = cluster.clone();
                    let searchable = format!("{} {members}", cluster.name).to_lowercase();
                    let shown = move || searchable.contains(query.get().trim().to_lowercase().as_str());
                    view! {
                        <tr data-name=cluster.name.clone() hidden=move || !shown()>
                            <td>{cluster.name.clone()}</td>
                            <td>{cluster.primary.name.clone()}</td>
                            <td>{members}</td>
                            <td>{cluster.description.clone()}</td>
                            {can_edit.then(|| view! {
                                <td>
                                    <button type="button" on:click=move |_| editing.set(Some(for_edit.clone()))>"Edit"</button>
                                    " "
                                    <button type="button" on:click=move |_| confirming.set(Some(for_delete.clone()))>"Delete"</button>
                                </td>
                            })}
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
        {move || confirming.get().map(|cluster| {
            let (id, version) = (cluster.id, cluster.version);
            view! {
                <ConfirmDelete
                    what=format!("the database cluster {}", cluster.name)
                    on_confirm=Callback::new(move |()| {
                        delete.dispatch(DeleteDatabaseCluster { id, version });
                        confirming.set(None);
                    })
                    on_cancel=Callback::new(move |()| confirming.set(None))
                />
            }
        })}
    }
}

#[component]
fn ClusterEditor(
    centers: Vec<DataCenter>,
    create: ServerAction<CreateDatabaseCluster>,
    update: ServerAction<UpdateDatabaseCluster>,
    editing: RwSignal<Option<DatabaseCluster>>,
) -> impl IntoView {
    let EditorFeedback { local, error } = editor_feedback(editing, create.value(), update.value());
    let name = RwSignal::new(String::new());
    let description = RwSignal::new(String::new());
    let members = RwSignal::new(Vec::<DataCenterId>::new());
    let primary = RwSignal::new(None::<DataCenterId>);
    Effect::new(move || {
        let chosen = editing.get();
        name.set(chosen.as_ref().map(|c| c.name.clone()).unwrap_or_default());
        description.set(
            chosen
                .as_ref()
                .map(|c| c.description.clone())
                .unwrap_or_default(),
        );
        members.set(
            chosen
                .as_ref()
                .map(|c| c.members.iter().map(|m| m.id).collect())
                .unwrap_or_default(),
        );
        primary.set(chosen.map(|c| c.primary.id));
        local.set(None);
    });
    let center_names = StoredValue::new(centers.clone());

    view! {
        <form
            class="stacked-form"
            aria-label="Database cluster"
            on:submit=move |ev| {
                ev.prevent_default();
                let form = DatabaseClusterForm {
                    name: name.get(),
                    description: description.get(),
                    members: members.get(),
                    primary: primary.get(),
                };
                if let Err(errors) = form.validate() {
                    local.set(Some(AppError::invalid(errors)));
                    return;
                }
                local.set(None);
                match editing.get() {
                    Some(c) => { update.dispatch(UpdateDatabaseCluster { id: c.id, version: c.version, form }); }
                    None => { create.dispatch(CreateDatabaseCluster { form }); }
                }
            }
        >
            <h2>{move || if editing.with(Option::is_some) { "Edit database cluster" } else { "Create a database cluster" }}</h2>
            <FormMessage error />
            <TextField label="Cluster name" value=name required=true error=(error, "name") />
            <TextField label="Description" value=description error=(error, "description") />
            <fieldset aria-label="Copies in">
                <legend>"Data centers holding a copy"</legend>
                {centers.into_iter().map(|dc| {
                    let id = dc.id;
                    view! {
                        <label class="inline">
                            <input type="checkbox"
                                prop:checked=move || members.with(|m| m.contains(&id))
                                on:change=move |_| members.update(|m| {
                                    if let Some(at) = m.iter().position(|x| *x == id) { m.remove(at); } else { m.push(id); }
                                }) />
                            {dc.name}
                        </label>
                    }
                }).collect_view()}
                <FieldMessage error field="members" />
            </fieldset>
            <label>
                "Primary data center"
                <select on:change=move |ev| primary.set(event_target_value(&ev).parse().ok().map(DataCenterId))>
                    <option value="" selected=move || primary.get().is_none()>"Choose the primary"</option>
                    {move || center_names.get_value().into_iter().map(|dc| {
                        let id = dc.id;
                        view! { <option value=id.0.to_string() selected=move || primary.get() == Some(id)>{dc.name}</option> }
                    }).collect_view()}
                </select>
                <FieldMessage error field="primary" />
            </label>
            <EditorButtons editing create_label="Create database cluster" />
        </form>
    }
}
