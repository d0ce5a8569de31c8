//! The languages the console speaks, by the codes the language cookie and a profile store
//! (`en`, `zh-CN`). The languages themselves are the generated `i18n::Locale`.

use crate::i18n::Locale;

/// The language's stored code.
pub fn code(locale: Locale) -> &'static str {
    leptos_i18n::Locale::as_str(locale)
}

/// The language stored as `code`, if the console speaks it.
pub fn parse(code: &str) -> Option<Locale> {
    <Locale as leptos_i18n::Locale>::get_all()
        .iter()
        .copied()
        .find(|locale| leptos_i18n::Locale::as_str(*locale) == code)
}
