//! How the live channel is doing, shown on the pages it keeps current.

use crate::language::tr;
use crate::live_client::{Crowded, LiveStatus};
use leptos::prelude::*;

/// A stable name for tests and styles, and what a person reads.
fn describe(status: LiveStatus) -> (&'static str, String) {
    match status {
        LiveStatus::Connecting => ("connecting", tr!(executions.live.connecting).to_owned()),
        LiveStatus::Live => ("live", tr!(executions.live.live).to_owned()),
        LiveStatus::Reconnecting { attempt } if attempt > 1 => (
            "reconnecting",
            tr!(executions.live.reconnecting_attempt, attempt = attempt),
        ),
        LiveStatus::Reconnecting { .. } => {
            ("reconnecting", tr!(executions.live.reconnecting).to_owned())
        }
        LiveStatus::Refused {
            why: Crowded::TooMany,
            ..
        } => ("refused", tr!(executions.live.too_many).to_owned()),
        LiveStatus::Refused {
            why: Crowded::Full, ..
        } => ("refused", tr!(executions.live.full).to_owned()),
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
