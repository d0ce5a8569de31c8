//! An execution's state as a coloured tag; the colour says how it is going (running,
//! waiting for a person, finished), the text says where.

use crate::domain::execution::ExecutionState;
use crate::i18n::{t, td_string, use_i18n};
use crate::language;
use crate::language::labels::Localized;
use leptos::prelude::*;

/// The tone of a state: one colour for every phase's "running", another for "blocked".
fn tone(state: ExecutionState) -> &'static str {
    match state {
        ExecutionState::Created => "created",
        ExecutionState::Running(_) => "running",
        ExecutionState::Paused(_) => "paused",
        ExecutionState::Blocked(_) => "blocked",
        ExecutionState::SwitchoverDone | ExecutionState::Completed => "done",
        ExecutionState::Cancelled => "cancelled",
    }
}

/// The tag; it follows `state` when that changes (a live execution).
#[component]
pub fn ExecutionStateBadge(#[prop(into)] state: Signal<ExecutionState>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <span
            class=move || format!("badge state-{}", tone(state.get()))
            data-testid="execution-state"
            data-state=move || state.get().as_str()
        >
            {move || state.get().localized(i18n.get_locale())}
        </span>
    }
}

/// Marks a drill (演练) wherever an execution is named: it calls only simulators.
#[component]
pub fn DrillBadge() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <span class="badge drill" data-testid="drill-badge"
            title=move || td_string!(i18n.get_locale(), common.drill.hint)>
            {t!(i18n, common.drill.badge, <zh> = language::zh)}
        </span>
    }
}
