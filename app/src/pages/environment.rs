//! The Environment section: a tab per kind of thing plans act on — data centers (机房),
//! connection configs (配置信息), product groups (产品组) and database clusters.

use crate::api::environment::{
    CreateDataCenter, DeleteDataCenter, UpdateDataCenter, list_data_centers,
};
use crate::components::confirm_delete::ConfirmDelete;
use crate::components::console_layout::use_current_user;
use crate::components::editor_buttons::EditorButtons;
use crate::components::error_view::ErrorView;
use crate::components::form_feedback::{EditorFeedback, FormMessage, editor_feedback, last_error};
use crate::components::text_field::TextField;
use crate::domain::environment::{DataCenter, DataCenterForm};
use crate::domain::role::Action;
use crate::error::AppError;
use leptos::prelude::*;
use leptos_meta::Title;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tab {
    DataCenters,
    Configs,
    ProductGroups,
    Clusters,
}

const TABS: [(Tab, &str); 4] = [
    (Tab::DataCenters, "Data centers"),
    (Tab::Configs, "Connection configs"),
    (Tab::ProductGroups, "Product groups"),
    (Tab::Clusters, "Database clusters"),
];

#[component]
pub fn EnvironmentPage() -> impl IntoView {
    let tab = RwSignal::new(Tab::DataCenters);
    view! {
        <Title text="Environment" />
        <h1>"Environment"</h1>
        <p class="lede">
            "Regions and data centers (机房), connection configs (配置信息), product groups (产品组) and database clusters."
        </p>
        <div class="tabs" role="tablist">
            {TABS
                .map(|(t, label)| {
                    view! {
                        <button type="button" role="tab" aria-selected=move || (tab.get() == t).to_string()
                            on:click=move |_| tab.set(t)>{label}</button>
                    }
                })
                .collect_view()}
        </div>
        {move || match tab.get() {
            Tab::DataCenters => view! { <DataCenters /> }.into_any(),
            Tab::ProductGroups => view! { <super::product_groups::ProductGroups /> }.into_any(),
            Tab::Clusters => view! { <super::database_clusters::DatabaseClusters /> }.into_any(),
            Tab::Configs => view! { <super::connection_configs::ConnectionConfigs /> }.into_any(),
        }}
    }
}

#[component]
fn DataCenters() -> impl IntoView {
    let me = use_current_user();
    let create = ServerAction::<CreateDataCenter>::new();
    let update = ServerAction::<UpdateDataCenter>::new();
    let delete = ServerAction::<DeleteDataCenter>::new();
    let centers = Resource::new(
        move || {
            (
                create.version().get(),
                update.version().get(),
                delete.version().get(),
            )
        },
        |_| list_data_centers(),
    );
    let query = RwSignal::new(String::new());
    let editing = RwSignal::new(None::<DataCenter>);
    let confirming = RwSignal::new(None::<DataCenter>);
    let delete_error = last_error(delete.value());

    view! {
        <div class="toolbar" role="search">
            <TextField label="Search" kind="search" value=query />
        </div>
        <FormMessage error=delete_error />
        <Transition fallback=|| view! { <p class="muted">"Loading data centers…"</p> }>
            <ErrorBoundary fallback=|errors| view! { <ErrorView errors /> }>
                {move || Suspend::new(async move {
                    let can_edit = me.0.await.ok().is_some_and(|u| Action::CreateDataCenter.allowed_for(u.role));
                    centers.await.map(|centers| {
                        view! { <DataCenterTable centers query can_edit editing confirming /> }
                            .into_any()
                    })
                })}
            </ErrorBoundary>
        </Transition>
        {move || confirming.get().map(|dc| {
            let (id, version) = (dc.id, dc.version);
            view! {
                <ConfirmDelete
                    what=format!("the data center {}", dc.name)
                    on_confirm=Callback::new(move |()| {
                        delete.dispatch(DeleteDataCenter { id, version });
                        confirming.set(None);
                    })
                    on_cancel=Callback::new(move |()| confirming.set(None))
                />
            }
        })}
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                let can_edit = me.0.await.ok().is_some_and(|u| Action::CreateDataCenter.allowed_for(u.role));
                can_edit.then(|| view! { <DataCenterEditor create update editing /> })
            })}
        </Transition>
    }
}

#[component]
fn DataCenterTable(
    centers: Vec<DataCenter>,
    query: RwSignal<String>,
    can_edit: bool,
    editing: RwSignal<Option<DataCenter>>,
    confirming: RwSignal<Option<DataCenter>>,
) -> impl IntoView {
    let shown = Memo::new(move |_| {
        let q = query.get().trim().to_lowercase();
        centers
            .iter()
            .filter(|dc| {
                q.is_empty()
                    || dc.name.to_lowercase().contains(&q)
                    || dc.region.to_lowercase().contains(&q)
            })
            .cloned()
            .collect::<Vec<_>>()
    });
    view! {
        <table class="data-table" data-testid="data-centers">
            <thead>
                <tr>
                    <th scope="col">"Region"</th>
                    <th scope="col">"Data center"</th>
                    <th scope="col">"Description"</th>
                    {can_edit.then(|| view! { <th scope="col">"Actions"</th> })}
                </tr>
            </thead>
            <tbody>
                <For each=move || shown.get() key=|dc| (dc.id, dc.version) let:dc>
                    {
                        let row = dc.clone();
                        let for_delete = dc.clone();
                        view! {
                            <tr data-name=dc.name.clone()>
                                <td>{dc.region.clone()}</td>
                                <td>{dc.name.clone()}</td>
                                <td>{dc.description.clone()}</td>
                                {can_edit.then(|| view! {
                                    <td>
                                        <button type="button" on:click=move |_| editing.set(Some(row.clone()))>"Edit"</button>
                                        " "
                                        <button type="button" on:click=move |_| confirming.set(Some(for_delete.clone()))>"Delete"</button>
                                    </td>
                                })}
                            </tr>
                        }
                    }
                </For>
            </tbody>
        </table>
        <Show when=move || shown.with(Vec::is_empty)>
            <p class="empty" role="status">"No data center matches."</p>
        </Show>
    }
}

/// Creates a data center, or edits the one chosen in the table.
#[component]
fn DataCenterEditor(
    create: ServerAction<CreateDataCenter>,
    update: ServerAction<UpdateDataCenter>,
    editing: RwSignal<Option<DataCenter>>,
) -> impl IntoView {
    let region = RwSignal::new(String::new());
    let EditorFeedback { local, error } = editor_feedback(editing, create.value(), update.value());
    let name = RwSignal::new(String::new());
    let description = RwSignal::new(String::new());
    Effect::new(move || {
        let chosen = editing.get();
        region.set(
            chosen
                .as_ref()
                .map(|d| d.region.clone())
                .unwrap_or_default(),
        );
        name.set(chosen.as_ref().map(|d| d.name.clone()).unwrap_or_default());
        description.set(chosen.map(|d| d.description).unwrap_or_default());
        local.set(None);
    });

    view! {
        <form
            class="stacked-form"
            aria-label="Data center"
            on:submit=move |ev| {
                ev.prevent_default();
                let form = DataCenterForm { region: region.get(), name: name.get(), description: description.get() };
                // The same check the server runs: errors show before the round trip.
                if let Err(errors) = form.validate() {
                    local.set(Some(AppError::invalid(errors)));
                    return;
                }
                local.set(None);
                match editing.get() {
                    Some(dc) => { update.dispatch(UpdateDataCenter { id: dc.id, version: dc.version, form }); }
                    None => { create.dispatch(CreateDataCenter { form }); }
                }
            }
        >
            <h2>{move || if editing.with(Option::is_some) { "Edit data center" } else { "Create a data center" }}</h2>
            <FormMessage error />
            <TextField label="Region" value=region required=true error=(error, "region") />
            <TextField label="Data center name" value=name required=true error=(error, "name") />
            <TextField label="Description" value=description error=(error, "description") />
            <EditorButtons editing create_label="Create data center" />
        </form>
    }
}
