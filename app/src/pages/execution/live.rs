//! How the live channel is doing, shown on the pages it keeps current.

use crate::live_client::{Crowded, LiveStatus};
use leptos::prelude::*;

/// A stable name for tests and styles, and what a person reads.
fn describe(status: LiveStatus) -> (&'static str, String) {
    match status {
        LiveStatus::Connecting => ("connecting", "Connecting…".to_owned()),
        LiveStatus::Live => ("live", "Live".to_owned()),
        LiveStatus::Reconnecting { attempt } if attempt > 1 => {
            ("reconnecting", format!("Reconnecting… (attempt {attempt})"))
        }
        LiveStatus::Reconnecting { .. } => ("reconnecting", "Reconnecting…".to_owned()),
        LiveStatus::Refused {
            why: Crowded::TooMany,
            ..
        } => (
            "refused",
            "Not live: this account has all the live views it may open; close another tab (trying again)".to_owned(),
        ),
        LiveStatus::Refused {
            why: Crowded::Full, ..
        } => (
            "refused",
            "Not live: the console serves all the live views it can; trying again".to_owned(),
        ),
    }
}

/// "Live" or "Reconnecting…", with `data-live` saying which.
#[component]
pub fn LiveIndicator(status: RwSignal<LiveStatus>) -> impl IntoView {
    let shown = move || describe(status.get());
    view! {
        <span
            class=move || format!("live live-{}", shown().0)
            data-testid="live-status"
            data-live=move || shown().0
            role="status"
        >
            {move || shown().1}
        </span>
    }
}
