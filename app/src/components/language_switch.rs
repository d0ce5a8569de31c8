//! The language switch in the header: one button that names the other language in that
//! language ("中文" on an English page, "English" on a Chinese one). The choice is kept in
//! this browser's cookie (the generated context writes it) and in the signed-in user's
//! profile, so it follows them to another browser.

use crate::i18n::{Locale, td_string, use_i18n};
use crate::language;
use leptos::prelude::*;

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
    let offered = move || other(i18n.get_locale());
    view! {
        <button
            type="button"
            class="language-switch"
            data-testid="language-switch"
            lang=move || language::code(offered())
            title=move || td_string!(i18n.get_locale(), common.language.switch_to)
            on:click=move |_| i18n.set_locale(offered())
        >
            {move || match offered() {
                Locale::en => td_string!(Locale::en, common.language.en),
                Locale::zh_CN => td_string!(Locale::zh_CN, common.language.zh_CN),
            }}
        </button>
    }
}
