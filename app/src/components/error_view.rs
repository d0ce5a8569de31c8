//! Shows what went wrong, in the words of the `AppError` the server answered with.

use crate::language::tr;
use leptos::prelude::*;

/// The fallback of an `<ErrorBoundary>`: each error's message, as an alert.
#[component]
pub fn ErrorView(errors: ArcRwSignal<Errors>) -> impl IntoView {
    view! {
        <div class="error-panel" role="alert">
            <h2>{tr!(common.error_view.title)}</h2>
            <ul>
                {move || {
                    errors
                        .get()
                        .into_iter()
                        .map(|(_, error)| view! { <li>{error.to_string()}</li> })
                        .collect_view()
                }}
            </ul>
        </div>
    }
}
