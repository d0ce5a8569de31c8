//! A step's status as a coloured tag.

use crate::domain::execution::StepStatus;
use leptos::prelude::*;

/// The tag; it follows `status` when that changes (a step that runs).
#[component]
pub fn StepStatusBadge(#[prop(into)] status: Signal<StepStatus>) -> impl IntoView {
    view! {
        <span class=move || format!("badge step-{}", status.get().as_str()) data-testid="step-status">
            {move || status.get().label()}
        </span>
    }
}
