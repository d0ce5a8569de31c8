//! The language switch in the header: one button that names the other language in that
//! language ("中文" on an English page, "English" on a Chinese one). The choice is kept in
//! this browser's cookie and in the signed-in user's profile, so it follows them to
//! another browser; then the page reloads, and the server renders all of it in the new
//! language at once.

use crate::api::auth::set_preferences;
use crate::components::console_layout::use_current_user;
use crate::domain::user::Preferences;
use crate::i18n::{Locale, td_string, use_i18n};
use crate::language;
use leptos::prelude::*;
use leptos::task::spawn_local;

/// The language the switch offers: the one the page is not in.
fn other(locale: Locale) -> Locale {
    match locale {
        Locale::en => Locale::zh_CN,
        Locale::zh_CN => Locale::en,
    }
}

#[component]
pub fn LanguageSwitch() -> impl IntoView {
    let i18n = use_i18n();
    let me = use_current_user();
    let offered = other(i18n.get_locale_untracked());
    let switch = move |_| {
        // Writes the cookie the server reads for the next page.
        i18n.set_locale(offered);
        let user = me.0.get_untracked().and_then(Result::ok);
        spawn_local(async move {
            if let Some(user) = user {
                let preferences = Preferences {
                    language: Some(language::code(offered).to_owned()),
                    ..user.preferences
                };
                // While the database is away the profile cannot change; the cookie holds.
                let _ = set_preferences(preferences).await;
            }
            let _ = window().location().reload();
        });
    };
    view! {
        <button
            type="button"
            class="language-switch"
            data-testid="language-switch"
            lang=language::code(offered)
            title=td_string!(i18n.get_locale_untracked(), common.language.switch_to)
            on:click=switch
        >
            {match offered {
                Locale::en => td_string!(Locale::en, common.language.en),
                Locale::zh_CN => td_string!(Locale::zh_CN, common.language.zh_CN),
            }}
        </button>
    }
}
