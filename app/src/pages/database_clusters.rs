//! Environment → Database clusters: which data centers hold a copy, and which is primary.

use crate::api::environment::{
    CreateDatabaseCluster, DeleteDatabaseCluster, UpdateDatabaseCluster, list_data_centers,
    list_database_clusters,
};
use crate::components::form_feedback::FieldMessage;
use crate::components::record_form::RecordForm;
use crate::components::record_section::{
    Record, RecordApi, RecordLayout, RecordRow, RecordSection,
};
use crate::components::text_field::TextField;
use crate::domain::environment::{DataCenter, DatabaseCluster, DatabaseClusterForm};
use crate::domain::ids::DataCenterId;
use crate::domain::role::Action;
use crate::language::tr;
use leptos::prelude::*;

fn member_names(cluster: &DatabaseCluster) -> String {
    cluster
        .members
        .iter()
        .map(|m| m.name.clone())
        .collect::<Vec<_>>()
        .join(", ")
}

impl Record for DatabaseCluster {
    fn key(&self) -> (u64, u32) {
        (self.id.0, self.revision)
    }

    fn matches(&self, query: &str) -> bool {
        format!("{} {}", self.name, member_names(self))
            .to_lowercase()
            .contains(query)
    }

    fn what(&self) -> String {
        tr!(surroundings.cluster.what, name = &self.name)
    }
}

type ClusterApi = RecordApi<DatabaseCluster, DatabaseClusterForm>;

#[component]
pub fn DatabaseClusters() -> impl IntoView {
    let api: ClusterApi = RecordApi::new(
        list_database_clusters,
        |form| CreateDatabaseCluster { form },
        |c, form| UpdateDatabaseCluster {
            id: c.id,
            revision: c.revision,
            form,
        },
        |c| DeleteDatabaseCluster {
            id: c.id,
            revision: c.revision,
        },
    );
    let centers = Resource::new(|| (), |_| list_data_centers());
    let editing = RwSignal::new(None);
    view! {
        <RecordSection
            api
            editing
            action=Action::CreateDatabaseCluster
            plural=tr!(surroundings.cluster.plural)
            layout=RecordLayout::Table {
                testid: "database-clusters",
                columns: vec![
                    tr!(surroundings.cluster.column.cluster),
                    tr!(surroundings.cluster.column.primary),
                    tr!(surroundings.cluster.column.copies),
                    tr!(surroundings.cluster.column.description),
                ],
            }
            row=Callback::new(|RecordRow { record: cluster, controls }: RecordRow<DatabaseCluster>| view! {
                <tr data-name=cluster.name.clone()>
                    <td>{cluster.name.clone()}</td>
                    <td>{cluster.primary.name.clone()}</td>
                    <td>{member_names(&cluster)}</td>
                    <td>{cluster.description.clone()}</td>
                    {controls.map(|controls| view! { <td>{controls}</td> })}
                </tr>
            }.into_any())
            editor=move || view! {
                <Transition fallback=|| ()>
                    {move || Suspend::new(async move {
                        let centers = centers.await.unwrap_or_default();
                        view! { <ClusterEditor centers api editing /> }
                    })}
                </Transition>
            }
        />
    }
}

#[component]
fn ClusterEditor(
    centers: Vec<DataCenter>,
    api: ClusterApi,
    editing: RwSignal<Option<DatabaseCluster>>,
) -> impl IntoView {
    let feedback = api.feedback(editing);
    let error = feedback.error;
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
    });
    let center_names = StoredValue::new(centers.clone());

    view! {
        <RecordForm
            api
            editing
            feedback
            label=tr!(surroundings.cluster.form)
            create_title=tr!(surroundings.cluster.create_title)
            edit_title=tr!(surroundings.cluster.edit_title)
            create_label=tr!(surroundings.cluster.create)
            read=Callback::new(move |()| DatabaseClusterForm {
                name: name.get(),
                description: description.get(),
                members: members.get(),
                primary: primary.get(),
            })
            validate=DatabaseClusterForm::validate
        >
            <TextField label=tr!(surroundings.cluster.name) value=name required=true error=(error, "name") />
            <TextField label=tr!(surroundings.cluster.description) value=description error=(error, "description") />
            <fieldset aria-label=tr!(surroundings.cluster.copies)>
                <legend>{tr!(surroundings.cluster.holding)}</legend>
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
                {tr!(surroundings.cluster.primary)}
                <select on:change=move |ev| primary.set(event_target_value(&ev).parse().ok().map(DataCenterId))>
                    <option value="" selected=move || primary.get().is_none()>{tr!(surroundings.cluster.choose_primary)}</option>
                    {move || center_names.get_value().into_iter().map(|dc| {
                        let id = dc.id;
                        view! { <option value=id.0.to_string() selected=move || primary.get() == Some(id)>{dc.name}</option> }
                    }).collect_view()}
                </select>
                <FieldMessage error field="primary" />
            </label>
        </RecordForm>
    }
}
