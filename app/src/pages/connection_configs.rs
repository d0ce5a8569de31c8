//! Environment → Connection configs (配置信息): how steps reach each platform. The
//! password is write-only: the page shows whether one is set, never what it is.

use crate::api::connections::{
    CreateConnectionConfig, DeleteConnectionConfig, TestConnectionConfig, UpdateConnectionConfig,
    list_connection_configs,
};
use crate::api::environment::list_data_centers;
use crate::components::confirm_delete::ConfirmDelete;
use crate::components::console_layout::use_current_user;
use crate::components::editor_buttons::EditorButtons;
use crate::components::error_view::ErrorView;
use crate::components::form_feedback::{
    EditorFeedback, FieldMessage, FormMessage, editor_feedback, last_error,
};
use crate::components::text_field::TextField;
use crate::domain::connection::{
    ConfigKind, ConnectionConfig, ConnectionConfigForm, PasswordChange, Platform, Protocol,
};
use crate::domain::environment::DataCenter;
use crate::domain::ids::DataCenterId;
use crate::domain::role::Action;
use crate::error::AppError;
use leptos::prelude::*;

#[component]
pub fn ConnectionConfigs() -> impl IntoView {
    let me = use_current_user();
    let create = ServerAction::<CreateConnectionConfig>::new();
    let update = ServerAction::<UpdateConnectionConfig>::new();
    let delete = ServerAction::<DeleteConnectionConfig>::new();
    let configs = Resource::new(
        move || {
            (
                create.version().get(),
                update.version().get(),
                delete.version().get(),
            )
        },
        |_| list_connection_configs(),
    );
    let centers = Resource::new(|| (), |_| list_data_centers());
    let editing = RwSignal::new(None::<ConnectionConfig>);
    let query = RwSignal::new(String::new());
    let delete_error = last_error(delete.value());
    let can_edit = move || async move {
        me.0.await
            .ok()
            .is_some_and(|u| Action::CreateConnectionConfig.allowed_for(u.role))
    };

    view! {
        <div class="toolbar" role="search">
            <TextField label="Search" kind="search" value=query />
        </div>
        <FormMessage error=delete_error />
        <Transition fallback=|| view! { <p class="muted">"Loading connection configs…"</p> }>
            <ErrorBoundary fallback=|errors| view! { <ErrorView errors /> }>
                {move || Suspend::new(async move {
                    let can_edit = can_edit().await;
                    configs.await.map(|configs| view! { <ConfigTable configs query can_edit editing delete /> })
                })}
            </ErrorBoundary>
        </Transition>
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                if !can_edit().await {
                    return None;
                }
                let centers = centers.await.unwrap_or_default();
                Some(view! { <ConfigEditor centers create update editing /> })
            })}
        </Transition>
    }
}

#[component]
fn ConfigTable(
    configs: Vec<ConnectionConfig>,
    query: RwSignal<String>,
    can_edit: bool,
    editing: RwSignal<Option<ConnectionConfig>>,
    delete: ServerAction<DeleteConnectionConfig>,
) -> impl IntoView {
    let test = ServerAction::<TestConnectionConfig>::new();
    let tested = RwSignal::new(None::<crate::domain::ids::ConnectionConfigId>);
    let confirming = RwSignal::new(None::<ConnectionConfig>);
    let matches = move |config: &ConnectionConfig| {
        let q = query.get().trim().to_lowercase();
        q.is_empty()
            || [&config.name, &config.host, &config.data_center.name]
                .iter()
                .any(|field| field.to_lowercase().contains(&q))
    };
    view! {
        <table class="data-table" data-testid="connection-configs">
            <thead>
                <tr>
                    <th scope="col">"Name"</th>
                    <th scope="col">"Data center"</th>
                    <th scope="col">"Platform"</th>
                    <th scope="col">"Kind"</th>
                    <th scope="col">"Address"</th>
                    <th scope="col">"Username"</th>
                    <th scope="col">"Password"</th>
                    {can_edit.then(|| view! { <th scope="col">"Actions"</th> })}
                </tr>
            </thead>
            <tbody>
                {configs.into_iter().map(|config| {
                    let id = config.id;
                    let for_edit = config.clone();
                    let for_delete = config.clone();
                    let shown = {
                        let config = config.clone();
                        move || matches(&config)
                    };
                    let result = move || {
                        (tested.get() == Some(id)).then(|| match test.value().get() {
                            Some(Ok(outcome)) => outcome.message(),
                            Some(Err(error)) => error.to_string(),
                            None => "testing…".to_owned(),
                        })
                    };
                    view! {
                        <tr data-name=config.name.clone() hidden=move || !shown()>
                            <td>{config.name.clone()}</td>
                            <td>{config.data_center.name.clone()}</td>
                            <td>{config.platform.label()}</td>
                            <td>{config.kind.label()}</td>
                            <td><code>{format!("{}://{}:{}", config.protocol.as_str(), config.host, config.port)}</code></td>
                            <td>{config.username.clone().unwrap_or_else(|| "hidden".to_owned())}</td>
                            <td>{if config.password_set { "set" } else { "not set" }}</td>
                            {can_edit.then(|| view! {
                                <td>
                                    <button type="button" on:click=move |_| { tested.set(Some(id)); test.dispatch(TestConnectionConfig { id }); }>"Test connection"</button>
                                    " "
                                    <button type="button" on:click=move |_| editing.set(Some(for_edit.clone()))>"Edit"</button>
                                    " "
                                    <button type="button" on:click=move |_| confirming.set(Some(for_delete.clone()))>"Delete"</button>
                                    <div class="muted" role="status" data-testid="test-result">{result}</div>
                                </td>
                            })}
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
        {move || confirming.get().map(|config| {
            let (id, version) = (config.id, config.version);
            view! {
                <ConfirmDelete
                    what=format!("the connection config {}", config.name)
                    on_confirm=Callback::new(move |()| {
                        delete.dispatch(DeleteConnectionConfig { id, version });
                        confirming.set(None);
                    })
                    on_cancel=Callback::new(move |()| confirming.set(None))
                />
            }
        })}
    }
}

fn select_of<T: Copy + PartialEq + Send + Sync + 'static>(
    label: &'static str,
    options: &'static [T],
    value: RwSignal<T>,
    text: fn(T) -> &'static str,
    name: fn(T) -> &'static str,
    parse: fn(&str) -> Option<T>,
) -> impl IntoView {
    view! {
        <label>
            {label}
            <select on:change=move |ev| { if let Some(v) = parse(&event_target_value(&ev)) { value.set(v); } }>
                {options.iter().map(|o| {
                    let o = *o;
                    view! { <option value=name(o) selected=move || value.get() == o>{text(o)}</option> }
                }).collect_view()}
            </select>
        </label>
    }
}

#[component]
fn ConfigEditor(
    centers: Vec<DataCenter>,
    create: ServerAction<CreateConnectionConfig>,
    update: ServerAction<UpdateConnectionConfig>,
    editing: RwSignal<Option<ConnectionConfig>>,
) -> impl IntoView {
    let EditorFeedback { local, error } = editor_feedback(editing, create.value(), update.value());
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
        local.set(None);
    });
    let password_set = move || editing.with(|e| e.as_ref().is_some_and(|c| c.password_set));

    view! {
        <form
            class="stacked-form"
            aria-label="Connection config"
            on:submit=move |ev| {
                ev.prevent_default();
                let typed = password.get();
                let form = ConnectionConfigForm {
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
                };
                if let Err(errors) = form.validate() {
                    local.set(Some(AppError::invalid(errors)));
                    return;
                }
                local.set(None);
                match editing.get() {
                    Some(c) => { update.dispatch(UpdateConnectionConfig { id: c.id, version: c.version, form }); }
                    None => { create.dispatch(CreateConnectionConfig { form }); }
                }
            }
        >
            <h2>{move || if editing.with(Option::is_some) { "Edit connection config" } else { "Add a connection config" }}</h2>
            <FormMessage error />
            <TextField label="Config name" value=name required=true error=(error, "name") />
            <label>
                "Data center"
                <select on:change=move |ev| data_center.set(event_target_value(&ev).parse().ok().map(DataCenterId))>
                    <option value="" selected=move || data_center.get().is_none()>"Choose a data center"</option>
                    {centers.into_iter().map(|dc| {
                        let id = dc.id;
                        view! { <option value=id.0.to_string() selected=move || data_center.get() == Some(id)>{dc.name}</option> }
                    }).collect_view()}
                </select>
                <FieldMessage error field="data_center" />
            </label>
            {select_of("Platform", &Platform::ALL, platform, Platform::label, Platform::as_str, Platform::parse)}
            <FieldMessage error field="platform" />
            {select_of("Kind", &ConfigKind::ALL, kind, ConfigKind::label, ConfigKind::as_str, ConfigKind::parse)}
            {select_of("Protocol", &Protocol::ALL, protocol, Protocol::label, Protocol::as_str, Protocol::parse)}
            <TextField label="Host" value=host required=true error=(error, "host") />
            <TextField label="Port" value=port required=true error=(error, "port") />
            <TextField label="Username" value=username autocomplete="off" error=(error, "username") />
            <TextField label="Password" kind="password" value=password autocomplete="new-password" error=(error, "password") />
            <p class="muted" data-testid="password-state">
                {move || if password_set() { "A password is set; leave the field empty to keep it. Changing the kind, protocol, host, port or username needs it again." } else { "No password is set." }}
            </p>
            <Show when=password_set>
                <label class="inline">
                    <input type="checkbox" prop:checked=clear_password on:change=move |_| clear_password.update(|c| *c = !*c) />
                    "Clear the stored password"
                </label>
            </Show>
            <EditorButtons editing create_label="Add connection config" />
        </form>
    }
}
