//! A plan's status as a coloured tag, with the state of a version in the works beside it.

use crate::domain::plan::{PlanStatus, VersionState};
use leptos::prelude::*;

#[component]
pub fn PlanStatusBadge(status: PlanStatus, working: Option<VersionState>) -> impl IntoView {
    // An active or inactive plan can have a new version in the works; say so.
    let pending = match (status, working) {
        (PlanStatus::Active | PlanStatus::Inactive, Some(VersionState::InReview)) => {
            Some("new version in review")
        }
        (PlanStatus::Active | PlanStatus::Inactive, Some(VersionState::Draft)) => {
            Some("new version in draft")
        }
        _ => None,
    };
    view! {
        <span class=format!("badge status-{}", status.as_str()) data-testid="plan-status">
            {status.label()}
        </span>
        {pending.map(|text| view! { " " <span class="muted small">{text}</span> })}
    }
}
