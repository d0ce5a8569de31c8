//! The console frame: brand, who is signed in, navigation to the sections their role may
//! use, and the page beside it. It also shares the signed-in user with every page.

use crate::api::auth::{SignOut, current_user};
use crate::api::cluster::this_instance;
use crate::components::run_mode_banner::RunModeBanner;
use crate::domain::cluster::InstanceIdentity;
use crate::domain::role::{Capability, Role};
use crate::domain::user::SessionUser;
use crate::error::AppError;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_location;

/// The signed-in user, loaded once per page load; pages read it with `use_current_user`.
#[derive(Clone, Copy)]
pub struct CurrentUser(pub Resource<Result<SessionUser, AppError>>);

pub fn use_current_user() -> CurrentUser {
    expect_context::<CurrentUser>()
}

/// The sections of the console, in the order the navigation lists them, with what a
/// role needs to see them.
const SECTIONS: &[(&str, &str, Capability)] = &[
    ("/plans", "Plans", Capability::Read),
    ("/executions", "Executions", Capability::Read),
    ("/steps", "Step catalog", Capability::Read),
    ("/environment", "Environment", Capability::Read),
    ("/simulator", "Simulator", Capability::Read),
    ("/cluster", "Cluster", Capability::Read),
    ("/audit", "Audit log", Capability::ReadAudit),
    ("/settings", "Settings", Capability::Administer),
];

/// Whether the page's lazily loaded code is still on its way: a lazy route sets it when
/// the router picks the route, and clears it once its view is shown (`app/src/routes.rs`).
#[derive(Clone, Copy, Debug)]
pub struct PageLoading(pub RwSignal<bool>);

impl PageLoading {
    /// The router picked a lazy route: its code may still be loading.
    pub fn started() {
        if let Some(PageLoading(loading)) = use_context::<PageLoading>() {
            loading.set(true);
        }
    }

    /// The lazy route's view is shown (an effect, so only once it is in the page).
    pub fn shown() {
        if let Some(PageLoading(loading)) = use_context::<PageLoading>() {
            Effect::new(move || loading.set(false));
        }
    }
}

#[component]
pub fn ConsoleLayout(children: Children) -> impl IntoView {
    // Effects run only in the browser: the attribute tells tests (and people debugging)
    // that the page is interactive: the layout is, and the page's lazily loaded code has
    // arrived and is shown (see `PageLoading`).
    let hydrated = RwSignal::new(false);
    Effect::new(move || hydrated.set(true));
    let loading = PageLoading(RwSignal::new(false));
    provide_context(loading);
    let interactive = move || hydrated.get() && !loading.0.get();
    // Blocking: the page is sent once the user is known, so the header, the navigation and
    // every role gate render at once, and never wait on one shared pending resource.
    let me = CurrentUser(Resource::new_blocking(|| (), |_| current_user()));
    provide_context(me);
    // Which instance serves: several run over one database, one per data center.
    let here = Resource::new_blocking(|| (), |_| this_instance());

    view! {
        <div class="console" data-hydrated=move || interactive().to_string()>
            <header class="console-header">
                <a class="brand" href="/">
                    <span class="brand-mark" aria-hidden="true">"⇄"</span>
                    "Switchyard"
                </a>
                <span class="brand-tagline">"Disaster-recovery orchestration"</span>
                <Transition fallback=|| ()>
                    {move || Suspend::new(async move {
                        me.0.await.ok().map(|user| view! { <SignedInAs user /> })
                    })}
                </Transition>
            </header>
            <Transition fallback=|| view! { <nav class="console-nav" aria-label="Sections"></nav> }>
                {move || Suspend::new(async move {
                    let role = me.0.await.ok().map(|user| user.role);
                    view! { <SectionNav role /> }
                })}
            </Transition>
            <main class="console-main" id="main"><RunModeBanner />{children()}</main>
            <footer class="console-footer">
                <Transition fallback=|| ()>
                    {move || Suspend::new(async move {
                        here.await.ok().map(|instance| view! { <ServedBy instance /> })
                    })}
                </Transition>
            </footer>
        </div>
    }
}

#[component]
fn ServedBy(instance: InstanceIdentity) -> impl IntoView {
    view! {
        <span data-testid="served-by">
            "Served by " <strong>{instance.name.clone()}</strong>
            {instance.data_center.clone().map(|dc| view! { " · data center " <strong>{dc}</strong> })}
            " · Switchyard " {instance.version.clone()} " · " <a href="/cluster">"Cluster"</a>
        </span>
    }
}

#[component]
fn SectionNav(role: Option<Role>) -> impl IntoView {
    let on_sign_in_page = move || use_location().pathname.get() == "/sign-in";
    view! {
        <nav class="console-nav" aria-label="Sections">
            <Show when=move || role.is_some() && !on_sign_in_page()>
                <ul>
                    {SECTIONS
                        .iter()
                        .filter(|(_, _, needs)| role.is_some_and(|r| r.can(*needs)))
                        .map(|(href, label, _)| view! { <li><A href=*href>{*label}</A></li> })
                        .collect_view()}
                </ul>
            </Show>
        </nav>
    }
}

#[component]
fn SignedInAs(user: SessionUser) -> impl IntoView {
    let sign_out = ServerAction::<SignOut>::new();
    Effect::new(move || {
        if sign_out.value().get().is_some() {
            let _ = window().location().set_href("/sign-in");
        }
    });
    view! {
        <div class="signed-in" data-testid="signed-in-as">
            <span class="user-name">{user.display_name.clone()} " (" {user.username.clone()} ")"</span>
            <span class=format!("badge role-{}", user.role.as_str())>{user.role.label()}</span>
            <a href="/account">"Account"</a>
            <button type="button" on:click=move |_| { sign_out.dispatch(SignOut {}); }>"Sign out"</button>
        </div>
        <Show when=move || user.must_change_password>
            <p class="banner" role="alert">
                "Your password is one-time. " <a href="/account">"Choose a new password"</a>
                " before you continue."
            </p>
        </Show>
    }
}
