//! Switchyard's console: the Leptos application shared by the server (`ssr`) and the
//! browser (`hydrate`). The two features are never built into one artifact.

// Leptos view types nest deeply; the larger pages exceed the default query depth.
#![recursion_limit = "256"]

pub mod api;
#[cfg(feature = "ssr")]
pub mod auth;
#[cfg(feature = "ssr")]
pub mod bus;
pub mod components;
#[cfg(feature = "ssr")]
pub mod crypto;
pub mod domain;
pub mod error;
// The generated `i18n` module: the languages, their translations (`locales/`), the context
// and the `t!` family of macros. `language` holds what Switchyard adds to it. Generated
// code is not ours to lint (a key named `new` becomes a method `new`).
#[allow(clippy::all)]
mod generated {
    include!(concat!(env!("OUT_DIR"), "/i18n/mod.rs"));
}
pub use generated::i18n;
pub mod language;
#[cfg(test)]
mod layering;
pub mod live_client;
pub mod local_time;
#[cfg(feature = "ssr")]
pub mod mode;
#[cfg(feature = "ssr")]
pub mod networks;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod platform_answer;
#[cfg(feature = "ssr")]
pub mod probe;
#[cfg(feature = "ssr")]
pub mod readiness;
#[cfg(feature = "ssr")]
pub mod redact;
mod routes;
#[cfg(feature = "ssr")]
pub mod security_headers;
#[cfg(feature = "ssr")]
pub mod services;
#[cfg(feature = "ssr")]
pub mod simulator_link;
#[cfg(feature = "ssr")]
pub mod store;

use leptos::prelude::*;
use leptos_meta::{HashedStylesheet, Html, Link, MetaTags, Title, provide_meta_context};

/// The HTML document around the app, rendered on the server. Its `lang` is set by `App`,
/// to the language the page is written in.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    security_headers::set_page_policy();
    view! {
        <!DOCTYPE html>
        <html>
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <meta name="color-scheme" content="dark light" />
                <AutoReload options=options.clone() />
                <HashedStylesheet options=options.clone() id="leptos" />
                <HydrationScripts options />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

/// The console: its language and the reader's time zone, icon, title, and the route table
/// inside the console layout.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    let page_language = language::provide();
    local_time::ReaderZone::provide();
    view! {
        <Html attr:lang=page_language attr:dir="ltr" />
        <Link rel="icon" type_="image/svg+xml" href="/favicon.svg" />
        <Title formatter=|page: String| format!("{page} · Switchyard") />
        <routes::AppRoutes />
    }
}
