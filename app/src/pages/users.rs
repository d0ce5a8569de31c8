//! Settings (admins only): the run mode (`run_mode`), Users: every account, its role
//! and state; create users and reset passwords; and webhooks (`webhooks`). Everyone else
//! is told this section is for admins.

use crate::api::users::{CreateUser, ResetUserPassword, SetUserEnabled, SetUserRole, list_users};
use crate::components::error_view::ErrorView;
use crate::components::form_feedback::{FormMessage, last_error};
use crate::components::role_gate::RoleGate;
use crate::components::text_field::TextField;
use crate::domain::ids::UserId;
use crate::domain::role::{Action, Role};
use crate::domain::user::{NewUser, UserSummary};
use crate::language::labels::Localized;
use crate::language::{self, tr};
use crate::pages::run_mode::RunModeSection;
use crate::pages::webhooks::WebhooksSection;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn UsersPage() -> impl IntoView {
    view! {
        <Title text=tr!(administration.users.settings) />
        <h1>{tr!(administration.users.settings)}</h1>
        <RoleGate action=Action::ListUsers refusal=tr!(administration.users.refusal)>
            <RunModeSection />
            <UserAdministration />
            <WebhooksSection />
        </RoleGate>
    }
}

#[component]
fn UserAdministration() -> impl IntoView {
    let set_role = ServerAction::<SetUserRole>::new();
    let set_enabled = ServerAction::<SetUserEnabled>::new();
    let reset = ServerAction::<ResetUserPassword>::new();
    let create = ServerAction::<CreateUser>::new();
    let users = Resource::new(
        move || {
            (
                set_role.version().get(),
                set_enabled.version().get(),
                reset.version().get(),
                create.version().get(),
            )
        },
        |_| list_users(),
    );
    let row_error = Signal::derive(move || {
        last_error(set_role.value())
            .get()
            .or_else(|| last_error(set_enabled.value()).get())
    });

    view! {
        <h2>{tr!(administration.users.title)}</h2>
        <FormMessage error=row_error />
        <Transition fallback=|| view! { <p class="muted">{tr!(administration.users.loading)}</p> }>
            <ErrorBoundary fallback=|errors| view! { <ErrorView errors /> }>
                {move || Suspend::new(async move {
                    users.await.map(|users| view! { <UserTable users set_role set_enabled /> })
                })}
            </ErrorBoundary>
        </Transition>
        <div class="form-row">
            <CreateUserForm create />
            <ResetPasswordForm reset users />
        </div>
    }
}

#[component]
fn UserTable(
    users: Vec<UserSummary>,
    set_role: ServerAction<SetUserRole>,
    set_enabled: ServerAction<SetUserEnabled>,
) -> impl IntoView {
    view! {
        <table class="data-table" data-testid="users">
            <thead>
                <tr>
                    <th scope="col">{tr!(administration.users.username)}</th>
                    <th scope="col">{tr!(administration.users.name)}</th>
                    <th scope="col">{tr!(administration.users.role)}</th>
                    <th scope="col">{tr!(administration.users.state)}</th>
                    <th scope="col">{tr!(administration.users.actions)}</th>
                </tr>
            </thead>
            <tbody>
                {users
                    .into_iter()
                    .map(|user| {
                        let UserSummary { id, revision, enabled, role, .. } = user;
                        let label = tr!(administration.users.role_of, name = &user.username);
                        view! {
                            <tr data-username=user.username.clone()>
                                <td>{user.username.clone()}</td>
                                <td>{user.display_name}</td>
                                <td>
                                    <select
                                        aria-label=label
                                        on:change=move |ev| {
                                            if let Some(role) = Role::parse(&event_target_value(&ev)) {
                                                set_role.dispatch(SetUserRole { id, role, revision });
                                            }
                                        }
                                    >
                                        {Role::ALL
                                            .map(|r| view! { <option value=r.as_str() selected=r == role>{r.localized(language::locale())}</option> })
                                            .collect_view()}
                                    </select>
                                </td>
                                <td>
                                    {if enabled { tr!(administration.users.enabled) } else { tr!(administration.users.disabled) }}
                                    {user.must_change_password.then(|| tr!(administration.users.one_time))}
                                </td>
                                <td>
                                    <button
                                        type="button"
                                        on:click=move |_| {
                                            set_enabled.dispatch(SetUserEnabled { id, enabled: !enabled, revision });
                                        }
                                    >
                                        {if enabled { tr!(administration.users.disable) } else { tr!(administration.users.enable) }}
                                    </button>
                                </td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
    }
}

#[component]
fn CreateUserForm(create: ServerAction<CreateUser>) -> impl IntoView {
    let username = RwSignal::new(String::new());
    let display_name = RwSignal::new(String::new());
    let role = RwSignal::new(Role::Operator);
    let password = RwSignal::new(String::new());
    let error = last_error(create.value());
    let created = move || {
        create
            .value()
            .get()
            .and_then(|r| r.ok())
            .map(|u| u.username)
    };

    view! {
        <form
            class="stacked-form"
            aria-label=tr!(administration.users.create_title)
            on:submit=move |ev| {
                ev.prevent_default();
                create.dispatch(CreateUser {
                    user: NewUser {
                        username: username.get(),
                        display_name: display_name.get(),
                        role: role.get(),
                        password: password.get(),
                    },
                });
            }
        >
            <h2>{tr!(administration.users.create_title)}</h2>
            <FormMessage error />
            {move || created().map(|name| view! { <p class="form-ok" role="status">{tr!(administration.users.created, name = name)}</p> })}
            <TextField label=tr!(administration.users.username) value=username required=true error=(error, "username") />
            <TextField label=tr!(administration.users.full_name) value=display_name error=(error, "display_name") />
            <label>
                {tr!(administration.users.role)}
                <select on:change=move |ev| {
                    if let Some(r) = Role::parse(&event_target_value(&ev)) {
                        role.set(r);
                    }
                }>
                    {Role::ALL
                        .map(|r| view! { <option value=r.as_str() selected=r == Role::Operator>{r.localized(language::locale())}</option> })
                        .collect_view()}
                </select>
            </label>
            <TextField label=tr!(administration.users.one_time_password) kind="password" value=password autocomplete="new-password"
                required=true error=(error, "password") />
            <button type="submit" class="primary" disabled=move || create.pending().get()>{tr!(administration.users.create)}</button>
        </form>
    }
}

#[component]
fn ResetPasswordForm(
    reset: ServerAction<ResetUserPassword>,
    users: Resource<Result<Vec<UserSummary>, crate::error::AppError>>,
) -> impl IntoView {
    let user = RwSignal::new(None::<UserId>);
    let password = RwSignal::new(String::new());
    let error = last_error(reset.value());
    let done = move || reset.value().get().and_then(|r| r.ok()).map(|u| u.username);

    view! {
        <form
            class="stacked-form"
            aria-label=tr!(administration.users.reset_title)
            on:submit=move |ev| {
                ev.prevent_default();
                if let Some(id) = user.get() {
                    reset.dispatch(ResetUserPassword { id, new_password: password.get() });
                }
            }
        >
            <h2>{tr!(administration.users.reset_title)}</h2>
            <p class="muted">{tr!(administration.users.must_choose)}</p>
            <FormMessage error />
            {move || done().map(|name| view! { <p class="form-ok" role="status">{tr!(administration.users.reset_done, name = name)}</p> })}
            <label>
                {tr!(administration.users.user)}
                <select required on:change=move |ev| user.set(event_target_value(&ev).parse().ok().map(UserId))>
                    <option value="">{tr!(administration.users.choose)}</option>
                    <Transition fallback=|| ()>
                        {move || Suspend::new(async move {
                            users.await.unwrap_or_default().into_iter()
                                .map(|u| view! { <option value=u.id.0.to_string()>{u.username}</option> })
                                .collect_view()
                        })}
                    </Transition>
                </select>
            </label>
            <TextField label=tr!(administration.users.new_one_time_password) kind="password" value=password autocomplete="new-password"
                required=true error=(error, "new_password") />
            <button type="submit" disabled=move || reset.pending().get()>{tr!(administration.users.reset)}</button>
        </form>
    }
}
