//! The names of the closed sets of values (roles, states, statuses) in the reader's
//! language. The `label()` of each set stays English: CSV, webhooks, audit and logs use it.

use crate::domain::execution::ExecutionState;
use crate::domain::plan::{Phase, PlanStatus};
use crate::domain::role::Role;
use crate::i18n::Locale;
use leptos_i18n::td_string;

/// A value's name as a reader of `locale` reads it.
pub trait Localized: Copy {
    fn localized(self, locale: Locale) -> String;
}

impl Localized for Role {
    fn localized(self, locale: Locale) -> String {
        match self {
            Role::Admin => td_string!(locale, common.role.admin),
            Role::Operator => td_string!(locale, common.role.operator),
            Role::Reviewer => td_string!(locale, common.role.reviewer),
            Role::Auditor => td_string!(locale, common.role.auditor),
        }
        .to_owned()
    }
}

impl Localized for Phase {
    fn localized(self, locale: Locale) -> String {
        match self {
            Phase::Switchover => td_string!(locale, common.phase.switchover),
            Phase::Recovery => td_string!(locale, common.phase.recovery),
        }
        .to_owned()
    }
}

impl Localized for ExecutionState {
    fn localized(self, locale: Locale) -> String {
        use ExecutionState::*;
        match self {
            Created => td_string!(locale, common.execution_state.created).to_owned(),
            Running(phase) => td_string!(
                locale,
                common.execution_state.running,
                phase = phase.localized(locale)
            ),
            Paused(phase) => td_string!(
                locale,
                common.execution_state.paused,
                phase = phase.localized(locale)
            ),
            Blocked(phase) => td_string!(
                locale,
                common.execution_state.blocked,
                phase = phase.localized(locale)
            ),
            SwitchoverDone => td_string!(locale, common.execution_state.switchover_done).to_owned(),
            Completed => td_string!(locale, common.execution_state.completed).to_owned(),
            Cancelled => td_string!(locale, common.execution_state.cancelled).to_owned(),
        }
    }
}

impl Localized for PlanStatus {
    fn localized(self, locale: Locale) -> String {
        match self {
            PlanStatus::Draft => td_string!(locale, common.plan_status.draft),
            PlanStatus::InReview => td_string!(locale, common.plan_status.in_review),
            PlanStatus::Active => td_string!(locale, common.plan_status.active),
            PlanStatus::Inactive => td_string!(locale, common.plan_status.inactive),
        }
        .to_owned()
    }
}
