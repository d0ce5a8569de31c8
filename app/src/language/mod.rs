//! The console's languages, on top of the generated `i18n` module: where the choice is
//! kept (a cookie per browser, a column per user), and the names of the closed sets of
//! values (`labels`) in the reader's language.
//!
//! Translations live in `app/locales/<language>/<area>.json`; the terms they must use are
//! in `app/locales/glossary.json`.

pub mod labels;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod untranslated;

use crate::i18n::Locale;
use leptos::prelude::*;
use leptos_i18n::context::CookieOptions;

/// The cookie that remembers a browser's language. The server reads it (before
/// `Accept-Language`) to render the first page in that language.
pub const COOKIE: &str = "switchyard_language";

/// A year: the choice outlives the browser session.
pub const COOKIE_MAX_AGE_MS: i64 = 365 * 24 * 60 * 60 * 1000;

/// Shares the page's language with everything below (`use_i18n`, `tr!`) and gives its
/// code for `<html lang>`. Not the generated `I18nContextProvider`: it also writes an
/// empty inline `<script>` without the page's nonce, which the page policy refuses.
pub fn provide() -> Signal<&'static str> {
    let options = leptos_i18n::context::I18nContextOptions::<Locale>::default()
        .cookie_name(COOKIE)
        .cookie_options(cookie_options());
    let context = leptos_i18n::context::init_i18n_context_with_options(options);
    provide_context(context);
    Signal::derive(move || code(context.get_locale()))
}

/// How the language cookie is written: for the whole site, kept for a year, never sent
/// along with another site's request.
pub fn cookie_options() -> CookieOptions<Locale> {
    CookieOptions::default()
        .max_age(COOKIE_MAX_AGE_MS)
        .path("/")
        .same_site(leptos_use::SameSite::Lax)
}

pub use crate::domain::language::{code, parse};

/// The page's language. It is fixed for the page's life: switching reloads the page, so
/// the server renders all of it, every string at once, in the new language. Where no
/// context can be reached (an event handler in the browser), the language the page
/// started in.
pub fn locale() -> Locale {
    match use_context::<leptos_i18n::I18nContext<Locale>>() {
        Some(context) => {
            let locale = context.get_locale_untracked();
            #[cfg(not(feature = "ssr"))]
            PAGE.set(Some(locale));
            locale
        }
        #[cfg(not(feature = "ssr"))]
        None => PAGE.get().unwrap_or_default(),
        #[cfg(feature = "ssr")]
        None => Locale::default(),
    }
}

#[cfg(not(feature = "ssr"))]
thread_local! {
    /// The browser's page language, as last read from the context.
    static PAGE: std::cell::Cell<Option<Locale>> = const { std::cell::Cell::new(None) };
}

/// A translation in the page's language, as text: `tr!(plans.list.title)`, or with the
/// values it names: `tr!(plans.list.changed, at = when, by = who)`.
macro_rules! tr {
    ($($key:ident).+ $(, $($args:tt)*)?) => {
        $crate::i18n::td_string!($crate::language::locale(), $($key).+ $(, $($args)*)?)
    };
}
pub(crate) use tr;

/// A translation in the page's language as a view, for one that wraps parts of itself in
/// elements: `trv!(common.degraded.title, <zh> = language::zh)`.
macro_rules! trv {
    ($($key:ident).+ $(, $($args:tt)*)?) => {
        $crate::i18n::td!($crate::language::locale(), $($key).+ $(, $($args)*)?)
    };
}
pub(crate) use trv;

/// A Chinese term inside an English text (`<zh>降级模式</zh>` in a translation): marked as
/// Chinese, so it is read and drawn as Simplified Chinese, not with Japanese glyphs.
pub fn zh(children: ChildrenFn) -> impl IntoView {
    view! { <span lang="zh-CN">{children()}</span> }
}

/// A value that stands out inside a sentence (`<b>{{ name }}</b>` in a translation).
pub fn strong(children: ChildrenFn) -> impl IntoView {
    view! { <strong>{children()}</strong> }
}
