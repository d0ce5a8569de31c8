//! The Environment section: a tab per kind of thing plans act on — data centers (机房),
//! connection configs (配置信息), product groups (产品组) and database clusters.

use crate::api::environment::{
    CreateDataCenter, DeleteDataCenter, UpdateDataCenter, list_data_centers,
};
use crate::components::record_form::RecordForm;
use crate::components::record_section::{
    Record, RecordApi, RecordLayout, RecordRow, RecordSection,
};
use crate::components::text_field::TextField;
use crate::domain::environment::{DataCenter, DataCenterForm};
use crate::domain::role::Action;
use crate::language::{self, tr, trv};
use leptos::prelude::*;
use leptos_meta::Title;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tab {
    DataCenters,
    Configs,
    ProductGroups,
    Clusters,
}

const TABS: [Tab; 4] = [
    Tab::DataCenters,
    Tab::Configs,
    Tab::ProductGroups,
    Tab::Clusters,
];

impl Tab {
    fn name(self) -> &'static str {
        match self {
            Tab::DataCenters => tr!(surroundings.environment.tab.data_centers),
            Tab::Configs => tr!(surroundings.environment.tab.configs),
            Tab::ProductGroups => tr!(surroundings.environment.tab.product_groups),
            Tab::Clusters => tr!(surroundings.environment.tab.clusters),
        }
    }
}

#[component]
pub fn EnvironmentPage() -> impl IntoView {
    let tab = RwSignal::new(Tab::DataCenters);
    view! {
        <Title text=tr!(surroundings.environment.title) />
        <h1>{tr!(surroundings.environment.title)}</h1>
        <p class="lede">{trv!(surroundings.environment.lede, <zh> = language::zh)}</p>
        <div class="tabs" role="tablist">
            {TABS
                .map(|t| {
                    view! {
                        <button type="button" role="tab" aria-selected=move || (tab.get() == t).to_string()
                            on:click=move |_| tab.set(t)>{t.name()}</button>
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

impl Record for DataCenter {
    fn key(&self) -> (u64, u32) {
        (self.id.0, self.revision)
    }

    fn matches(&self, query: &str) -> bool {
        self.name.to_lowercase().contains(query) || self.region.to_lowercase().contains(query)
    }

    fn what(&self) -> String {
        tr!(surroundings.data_center.what, name = &self.name)
    }
}

type DataCenterApi = RecordApi<DataCenter, DataCenterForm>;

#[component]
fn DataCenters() -> impl IntoView {
    let api: DataCenterApi = RecordApi::new(
        list_data_centers,
        |form| CreateDataCenter { form },
        |dc, form| UpdateDataCenter {
            id: dc.id,
            revision: dc.revision,
            form,
        },
        |dc| DeleteDataCenter {
            id: dc.id,
            revision: dc.revision,
        },
    );
    let editing = RwSignal::new(None);
    view! {
        <RecordSection
            api
            editing
            action=Action::CreateDataCenter
            plural=tr!(surroundings.data_center.plural)
            layout=RecordLayout::Table {
                testid: "data-centers",
                columns: vec![
                    tr!(surroundings.data_center.column.region),
                    tr!(surroundings.data_center.column.name),
                    tr!(surroundings.data_center.column.description),
                ],
            }
            empty=tr!(surroundings.data_center.empty)
            row=Callback::new(|RecordRow { record: dc, controls }: RecordRow<DataCenter>| view! {
                <tr data-name=dc.name.clone()>
                    <td>{dc.region}</td>
                    <td>{dc.name.clone()}</td>
                    <td>{dc.description}</td>
                    {controls.map(|controls| view! { <td>{controls}</td> })}
                </tr>
            }.into_any())
            editor=move || view! { <DataCenterEditor api editing /> }
        />
    }
}

/// Creates a data center, or edits the one chosen in the table.
#[component]
fn DataCenterEditor(api: DataCenterApi, editing: RwSignal<Option<DataCenter>>) -> impl IntoView {
    let feedback = api.feedback(editing);
    let error = feedback.error;
    let region = RwSignal::new(String::new());
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
    });

    view! {
        <RecordForm
            api
            editing
            feedback
            label=tr!(surroundings.data_center.form)
            create_title=tr!(surroundings.data_center.create_title)
            edit_title=tr!(surroundings.data_center.edit_title)
            create_label=tr!(surroundings.data_center.create)
            read=Callback::new(move |()| DataCenterForm {
                region: region.get(),
                name: name.get(),
                description: description.get(),
            })
            validate=DataCenterForm::validate
        >
            <TextField label=tr!(surroundings.data_center.region) value=region required=true error=(error, "region") />
            <TextField label=tr!(surroundings.data_center.name) value=name required=true error=(error, "name") />
            <TextField label=tr!(surroundings.data_center.description) value=description error=(error, "description") />
        </RecordForm>
    }
}
