//! Environment → Connection configs (配置信息): how steps reach each platform. The
//! password is write-only: the page shows whether one is set, never what it is.

use crate::api::connections::{
    CreateConnectionConfig, DeleteConnectionConfig, TestConnectionConfig, UpdateConnectionConfig,
    list_connection_configs,
};
use crate::api::environment::list_data_centers;
use crate::components::choice_select::choice_select;
use crate::components::form_feedback::FieldMessage;
use crate::components::record_form::RecordForm;
use crate::components::record_section::{
    Record, RecordApi, RecordLayout, RecordRow, RecordSection,
};
use crate::components::text_field::TextField;
use crate::domain::connection::{
    ConfigKind, ConnectionConfig, ConnectionConfigForm, PasswordChange, Platform, Protocol,
};
use crate::domain::environment::DataCenter;
use crate::domain::ids::{ConnectionConfigId, DataCenterId};
use crate::domain::role::Action;
use crate::language::labels::Localized;
use crate::language::{self, tr};
use leptos::prelude::*;

impl Record for ConnectionConfig {
    fn key(&self) -> (u64, u32) {
        (self.id.0, self.revision)
    }

    fn matches(&self, query: &str) -> bool {
        [&self.name, &self.host, &self.data_center.name]
            .iter()
            .any(|field| field.to_lowercase().contains(query))
    }

    fn what(&self) -> String {
        tr!(surroundings.config.what, name = &self.name)
    }
}

type ConfigApi = RecordApi<ConnectionConfig, ConnectionConfigForm>;

#[component]
pub fn ConnectionConfigs() -> impl IntoView {
    let api: ConfigApi = RecordApi::new(
        list_connection_configs,
        |form| CreateConnectionConfig { form },
        |c, form| UpdateConnectionConfig {
            id: c.id,
            revision: c.revision,
            form,
        },
        |c| DeleteConnectionConfig {
            id: c.id,
            revision: c.revision,
        },
    );
    let centers = Resource::new(|| (), |_| list_data_centers());
    let editing = RwSignal::new(None);
    let test = ServerAction::<TestConnectionConfig>::new();
    let tested = RwSignal::new(None::<ConnectionConfigId>);
    view! {
        <RecordSection
            api
            editing
            action=Action::CreateConnectionConfig
            plural=tr!(surroundings.config.plural)
            layout=RecordLayout::Table {
                testid: "connection-configs",
                columns: vec![
                    tr!(surroundings.config.column.name),
                    tr!(surroundings.config.column.data_center),
                    tr!(surroundings.config.column.platform),
                    tr!(surroundings.config.column.kind),
                    tr!(surroundings.config.column.address),
                    tr!(surroundings.config.column.username),
                    tr!(surroundings.config.column.password),
                ],
            }
            row=Callback::new(move |row| view! { <ConfigRow row test tested /> }.into_any())
            editor=move || view! {
                <Transition fallback=|| ()>
                    {move || Suspend::new(async move {
                        let centers = centers.await.unwrap_or_default();
                        view! { <ConfigEditor centers api editing /> }
                    })}
                </Transition>
            }
        />
    }
}

/// A config's row; those who may change configs can also test whether its platform
/// answers, the outcome shown under the buttons of the config last tested.
#[component]
fn ConfigRow(
    row: RecordRow<ConnectionConfig>,
    test: ServerAction<TestConnectionConfig>,
    tested: RwSignal<Option<ConnectionConfigId>>,
) -> impl IntoView {
    let RecordRow {
        record: config,
        controls,
    } = row;
    let id = config.id;
    let result = move || {
        (tested.get() == Some(id)).then(|| match test.value().get() {
            Some(Ok(outcome)) => outcome.message(),
            Some(Err(error)) => error.to_string(),
            None => tr!(surroundings.config.testing).to_owned(),
        })
    };
    let locale = language::locale();
    view! {
        <tr data-name=config.name.clone()>
            <td>{config.name.clone()}</td>
            <td>{config.data_center.name.clone()}</td>
            <td>{config.platform.localized(locale)}</td>
            <td>{config.kind.localized(locale)}</td>
            <td><code>{format!("{}://{}:{}", config.protocol.as_str(), config.host, config.port)}</code></td>
            <td>{config.username.clone().unwrap_or_else(|| tr!(surroundings.config.hidden).to_owned())}</td>
            <td>{if config.password_set { tr!(surroundings.config.password_set) } else { tr!(surroundings.config.password_not_set) }}</td>
            {controls.map(|controls| view! {
                <td>
                    <button type="button" on:click=move |_| { tested.set(Some(id)); test.dispatch(TestConnectionConfig { id }); }>{tr!(surroundings.config.test)}</button>
                    " "
                    {controls}
                    <div class="muted" role="status" data-testid="test-result">{result}</div>
                </td>
            })}
        </tr>
    }
}

#[component]
fn ConfigEditor(
    centers: Vec<DataCenter>,
    api: ConfigApi,
    editing: RwSignal<Option<ConnectionConfig>>,
) -> impl IntoView {
    let feedback = api.feedback(editing);
    let error = feedback.error;
    let name = RwSignal::new(String::new());
    let data_center = RwSignal::new(None::<DataCenterId>);
    let platform = RwSignal::new(Platform::TrafficGateway);
    let kind = RwSignal::new(ConfigKind::Cloud);
    let protocol = RwSignal::new(Protocol::Http);
    let host = RwSignal::new(String::new());
    let port = RwSignal::new(String::new());
    let username = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let clear_password = RwSignal::new(false);
    Effect::new(move || {
        let chosen = editing.get();
        name.set(chosen.as_ref().map(|c| c.name.clone()).unwrap_or_default());
        data_center.set(chosen.as_ref().map(|c| c.data_center.id));
        platform.set(
            chosen
                .as_ref()
                .map_or(Platform::TrafficGateway, |c| c.platform),
        );
        kind.set(chosen.as_ref().map_or(ConfigKind::Cloud, |c| c.kind));
        host.set(chosen.as_ref().map(|c| c.host.clone()).unwrap_or_default());
        port.set(
            chosen
                .as_ref()
                .map(|c| c.port.to_string())
                .unwrap_or_default(),
        );
        username.set(chosen.and_then(|c| c.username).unwrap_or_default());
        password.set(String::new());
        clear_password.set(false);
    });
    let password_set = move || editing.with(|e| e.as_ref().is_some_and(|c| c.password_set));

    view! {
        <RecordForm
            api
            editing
            feedback
            label=tr!(surroundings.config.form)
            create_title=tr!(surroundings.config.create_title)
            edit_title=tr!(surroundings.config.edit_title)
            create_label=tr!(surroundings.config.create)
            read=Callback::new(move |()| {
                let typed = password.get();
                ConnectionConfigForm {
                    name: name.get(),
                    data_center: data_center.get(),
                    platform: platform.get(),
                    kind: kind.get(),
                    protocol: protocol.get(),
                    host: host.get(),
                    port: port.get().trim().parse().unwrap_or(0),
                    username: username.get(),
                    password: if clear_password.get() {
                        PasswordChange::Clear
                    } else if typed.is_empty() {
                        PasswordChange::Keep
                    } else {
                        PasswordChange::Set(typed)
                    },
                }
            })
            validate=ConnectionConfigForm::validate
        >
            <TextField label=tr!(surroundings.config.name) value=name required=true error=(error, "name") />
            <label>
                {tr!(surroundings.config.data_center)}
                <select on:change=move |ev| data_center.set(event_target_value(&ev).parse().ok().map(DataCenterId))>
                    <option value="" selected=move || data_center.get().is_none()>{tr!(surroundings.config.choose_data_center)}</option>
                    {centers.into_iter().map(|dc| {
                        let id = dc.id;
                        view! { <option value=id.0.to_string() selected=move || data_center.get() == Some(id)>{dc.name}</option> }
                    }).collect_view()}
                </select>
                <FieldMessage error field="data_center" />
            </label>
            {choice_select(tr!(surroundings.config.platform), platform)}
            <FieldMessage error field="platform" />
            {choice_select(tr!(surroundings.config.kind), kind)}
            {choice_select(tr!(surroundings.config.protocol), protocol)}
            <TextField label=tr!(surroundings.config.host) value=host required=true error=(error, "host") />
            <TextField label=tr!(surroundings.config.port) value=port required=true error=(error, "port") />
            <TextField label=tr!(surroundings.config.username) value=username autocomplete="off" error=(error, "username") />
            <TextField label=tr!(surroundings.config.password) kind="password" value=password autocomplete="new-password" error=(error, "password") />
            <p class="muted" data-testid="password-state">
                {move || if password_set() { tr!(surroundings.config.password_kept) } else { tr!(surroundings.config.no_password) }}
            </p>
            <Show when=password_set>
                <label class="inline">
                    <input type="checkbox" prop:checked=clear_password on:change=move |_| clear_password.update(|c| *c = !*c) />
                    {tr!(surroundings.config.clear_password)}
                </label>
            </Show>
        </RecordForm>
    }
}
