//! The console's languages, on top of the generated `i18n` module: where the choice is
//! kept (a cookie per browser, a column per user), and the names of the closed sets of
//! values (`labels`) in the reader's language.
//!
//! Translations live in `app/locales/<language>/<area>.json`; the terms they must use are
//! in `app/locales/glossary.json`.

pub mod labels;
#[cfg(test)]
mod tests;

use crate::i18n::Locale;
use leptos::prelude::*;
use leptos_i18n::context::CookieOptions;

/// The cookie that remembers a browser's language. The server reads it (before
/// `Accept-Language`) to render the first page in that language.
pub const COOKIE: &str = "switchyard_language";

/// A year: the choice outlives the browser session.
pub const COOKIE_MAX_AGE_MS: i64 = 365 * 24 * 60 * 60 * 1000;

/// How the language cookie is written: for the whole site, kept for a year, never sent
/// along with another site's request.
pub fn cookie_options() -> CookieOptions<Locale> {
    CookieOptions::default()
        .max_age(COOKIE_MAX_AGE_MS)
        .path("/")
        .same_site(leptos_use::SameSite::Lax)
}

pub use crate::domain::language::{code, parse};

/// A Chinese term inside an English text (`<zh>降级模式</zh>` in a translation): marked as
/// Chinese, so it is read and drawn as Simplified Chinese, not with Japanese glyphs.
pub fn zh(children: ChildrenFn) -> impl IntoView {
    view! { <span lang="zh-CN">{children()}</span> }
}

/// A value that stands out inside a sentence (`<b>{{ name }}</b>` in a translation).
pub fn strong(children: ChildrenFn) -> impl IntoView {
    view! { <strong>{children()}</strong> }
}
