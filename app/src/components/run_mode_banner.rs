//! The banner every page shows while this instance is in degraded mode (降级模式): what
//! goes on working and what is refused. Asked for again on every page change, and at once
//! after an admin switches the mode here.

use crate::api::run_mode::get_run_mode;
use crate::components::console_layout::use_current_user;
use crate::domain::run_mode::{RunMode, RunModeStatus, Switched};
use crate::i18n::{Locale, t, td_string, use_i18n};
use crate::language;
use leptos::prelude::*;
use leptos_router::hooks::use_location;

/// Bumped after this page switched the mode, so the banner asks again.
#[derive(Clone, Copy)]
pub struct RunModeChanged(pub RwSignal<u32>);

#[component]
pub fn RunModeBanner() -> impl IntoView {
    let changed = RunModeChanged(RwSignal::new(0));
    provide_context(changed);
    let path = use_location().pathname;
    let me = use_current_user();
    // Only for someone signed in: asking for a visitor would be a refusal to record.
    let signed_in = move || me.0.get().is_some_and(|user| user.is_ok());
    let status = Resource::new(
        move || (path.get(), changed.0.get(), signed_in()),
        |(_, _, signed_in)| async move {
            match signed_in {
                true => get_run_mode().await.ok(),
                false => None,
            }
        },
    );
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                status.await.filter(|s| s.mode == RunMode::Degraded).map(|s| view! { <Degraded status=s /> })
            })}
        </Transition>
    }
}

#[component]
fn Degraded(status: RunModeStatus) -> impl IntoView {
    let i18n = use_i18n();
    let since = crate::local_time::local(
        status.since,
        &crate::local_time::use_reader_zone(),
        crate::local_time::Precision::Seconds,
    );
    let switched = status.switched;
    view! {
        <div class="banner degraded-banner" role="status" data-testid="degraded-banner">
            <strong>{t!(i18n, common.degraded.title, <zh> = language::zh)}</strong>
            {move || td_string!(i18n.get_locale(), common.degraded.since, since = since.clone(), how = how_switched(&switched, i18n.get_locale()))}
            {t!(i18n, common.degraded.body)}
        </div>
    }
}

/// How the mode came to be, in the reader's language.
pub fn how_switched(switched: &Switched, locale: Locale) -> String {
    match switched {
        Switched::AtStart => td_string!(locale, common.degraded.at_start).to_owned(),
        Switched::Automatically { reason } => {
            td_string!(locale, common.degraded.automatically, reason = reason)
        }
        Switched::ByAdmin { name } => td_string!(locale, common.degraded.by_admin, name = name),
    }
}
