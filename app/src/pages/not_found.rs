//! The page for a path the console does not have, answered with HTTP 404.

use crate::language::tr;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn NotFoundPage() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::NOT_FOUND);
    }
    view! {
        <Title text=tr!(common.not_found.title) />
        <section class="not-found">
            <h1>{tr!(common.not_found.heading)}</h1>
            <p>{tr!(common.not_found.text)}</p>
            <p><a href="/">{tr!(common.not_found.home)}</a></p>
        </section>
    }
}
