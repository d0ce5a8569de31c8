//! The page for a path the console does not have, answered with HTTP 404.

use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn NotFoundPage() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::NOT_FOUND);
    }
    view! {
        <Title text="Not found" />
        <section class="not-found">
            <h1>"Page not found"</h1>
            <p>"There is no page at this address. Use the navigation to find your way back."</p>
            <p><a href="/">"Go to the overview"</a></p>
        </section>
    }
}
