//! A plan's status as a coloured tag, with the state of a version in the works beside it.

use crate::domain::plan::{PlanStatus, VersionState};
use crate::i18n::{t_string, use_i18n};
use crate::language::labels::Localized;
use leptos::prelude::*;

#[component]
pub fn PlanStatusBadge(status: PlanStatus, working: Option<VersionState>) -> impl IntoView {
    let i18n = use_i18n();
    // An active or inactive plan can have a new version in the works; say so.
    let pending = match (status, working) {
        (
            PlanStatus::Active | PlanStatus::Inactive,
            Some(state @ (VersionState::InReview | VersionState::Draft)),
        ) => Some(state),
        _ => None,
    };
    let pending_text = move |state| match state {
        VersionState::InReview => t_string!(i18n, common.plan_status.new_version_in_review),
        _ => t_string!(i18n, common.plan_status.new_version_in_draft),
    };
    view! {
        <span class=format!("badge status-{}", status.as_str()) data-testid="plan-status">
            {move || status.localized(i18n.get_locale())}
        </span>
        {pending.map(|state| view! { " " <span class="muted small">{move || pending_text(state)}</span> })}
    }
}
