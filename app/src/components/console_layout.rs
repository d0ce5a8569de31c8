//! The console frame: brand, who is signed in, navigation to the sections their role may
//! use, and the page beside it. It also shares the signed-in user with every page.

use crate::api::auth::{SignOut, current_user};
use crate::api::cluster::this_instance;
use crate::components::language_switch::LanguageSwitch;
use crate::components::run_mode_banner::RunModeBanner;
use crate::domain::cluster::InstanceIdentity;
use crate::domain::role::{Capability, Role};
use crate::domain::user::SessionUser;
use crate::error::AppError;
use crate::i18n::{t, td_string, use_i18n};
use crate::language;
use crate::language::labels::Localized;
use crate::local_time::ReaderZone;
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
const SECTIONS: &[(&str, Capability)] = &[
    ("/plans", Capability::Read),
    ("/executions", Capability::Read),
    ("/steps", Capability::Read),
    ("/environment", Capability::Read),
    ("/simulator", Capability::Read),
    ("/cluster", Capability::Read),
    ("/audit", Capability::ReadAudit),
    ("/settings", Capability::Administer),
];

/// A section's name in the navigation.
fn section_name(href: &'static str) -> AnyView {
    let i18n = use_i18n();
    match href {
        "/plans" => t!(i18n, common.nav.plans).into_any(),
        "/executions" => t!(i18n, common.nav.executions).into_any(),
        "/steps" => t!(i18n, common.nav.steps).into_any(),
        "/environment" => t!(i18n, common.nav.environment).into_any(),
        "/simulator" => t!(i18n, common.nav.simulator).into_any(),
        "/cluster" => t!(i18n, common.nav.cluster).into_any(),
        "/audit" => t!(i18n, common.nav.audit).into_any(),
        _ => t!(i18n, common.nav.settings).into_any(),
    }
}

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
    // In the browser, once the reader is known: times in their profile's zone or the
    // browser's own (kept in a cookie for the next page the server renders).
    if let Some(zone) = use_context::<ReaderZone>() {
        Effect::new(move || {
            if let Some(Ok(user)) = me.0.get() {
                zone.follow(&user);
            }
        });
    }
    // Which instance serves: several run over one database, one per data center.
    let here = Resource::new_blocking(|| (), |_| this_instance());
    let i18n = use_i18n();

    view! {
        <div class="console" data-hydrated=move || interactive().to_string()>
            <header class="console-header">
                <a class="brand" href="/">
                    <span class="brand-mark" aria-hidden="true">"⇄"</span>
                    "Switchyard"
                </a>
                <span class="brand-tagline">{t!(i18n, common.brand.tagline)}</span>
                <LanguageSwitch />
                <Transition fallback=|| ()>
                    {move || Suspend::new(async move {
                        me.0.await.ok().map(|user| view! { <SignedInAs user /> })
                    })}
                </Transition>
            </header>
            <Transition fallback=move || view! { <nav class="console-nav" aria-label=move || td_string!(i18n.get_locale(), common.nav.sections)></nav> }>
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
    let i18n = use_i18n();
    let InstanceIdentity {
        name,
        data_center,
        version,
        ..
    } = instance;
    view! {
        <span data-testid="served-by">
            {t!(i18n, common.served_by.instance, name = name.clone(), <b> = language::strong)}
            {data_center.map(|data_center| t!(i18n, common.served_by.data_center, data_center = data_center.clone(), <b> = language::strong))}
            {t!(i18n, common.served_by.version, version = version.clone())}
            <a href="/cluster">{t!(i18n, common.nav.cluster)}</a>
        </span>
    }
}

#[component]
fn SectionNav(role: Option<Role>) -> impl IntoView {
    let on_sign_in_page = move || use_location().pathname.get() == "/sign-in";
    let i18n = use_i18n();
    view! {
        <nav class="console-nav" aria-label=move || td_string!(i18n.get_locale(), common.nav.sections)>
            <Show when=move || role.is_some() && !on_sign_in_page()>
                <ul>
                    {SECTIONS
                        .iter()
                        .filter(|(_, needs)| role.is_some_and(|r| r.can(*needs)))
                        .map(|(href, _)| view! { <li><A href=*href>{section_name(href)}</A></li> })
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
    let i18n = use_i18n();
    let role = user.role;
    view! {
        <div class="signed-in" data-testid="signed-in-as">
            <span class="user-name">{user.display_name.clone()} " (" {user.username.clone()} ")"</span>
            <span class=format!("badge role-{}", role.as_str())>{move || role.localized(i18n.get_locale())}</span>
            <a href="/account">{t!(i18n, common.user.account)}</a>
            <button type="button" on:click=move |_| { sign_out.dispatch(SignOut {}); }>{t!(i18n, common.user.sign_out)}</button>
        </div>
        <Show when=move || user.must_change_password>
            <p class="banner" role="alert">
                {t!(i18n, common.user.one_time_password, <a> = |children: ChildrenFn| view! { <a href="/account">{children()}</a> })}
            </p>
        </Show>
    }
}
