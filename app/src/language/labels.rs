//! The names of the closed sets of values (roles, states, statuses, kinds) in the
//! reader's language. Each set's `label()` stays English: CSV, webhooks, audit entries
//! and logs use it. The names live under `common.label.<set>` in the translations.

use crate::domain::audit::Outcome;
use crate::domain::connection::{ConfigKind, Platform, Protocol};
use crate::domain::execution::view::{CallStatus, LogLevel};
use crate::domain::execution::{ExecutionState, StepStatus};
use crate::domain::plan::readiness::ReadinessState;
use crate::domain::plan::{Phase, PlanStatus, ReviewDecision, StatusFilter, VersionState};
use crate::domain::role::Role;
use crate::domain::run_mode::RunMode;
use crate::domain::simulator::{Call, FaultEffect};
use crate::domain::step::{Layer, Opcode, Site};
use crate::i18n::Locale;
use leptos_i18n::td_string;

/// A value's name as a reader of `locale` reads it.
pub trait Localized: Copy {
    fn localized(self, locale: Locale) -> String;
}

/// `Localized` for a set: each variant and the key of its name under `common.label`.
macro_rules! localized {
    ($set:ident in $group:ident { $($variant:ident => $key:ident),+ $(,)? }) => {
        impl Localized for $set {
            fn localized(self, locale: Locale) -> String {
                match self {
                    $($set::$variant => td_string!(locale, common.label.$group.$key)),+
                }
                .to_owned()
            }
        }
    };
}

localized!(Role in role { Admin => admin, Operator => operator, Reviewer => reviewer, Auditor => auditor });
localized!(Phase in phase { Switchover => switchover, Recovery => recovery });
localized!(PlanStatus in plan_status {
    Draft => draft, InReview => in_review, Active => active, Inactive => inactive,
});
localized!(VersionState in version_state { Draft => draft, InReview => in_review, Approved => approved });
localized!(ReviewDecision in review_decision {
    Approved => approved, Rejected => rejected, Deactivated => deactivated,
});
localized!(StatusFilter in status_filter {
    All => all, Draft => draft, AwaitingReview => awaiting_review, Active => active, Inactive => inactive,
});
localized!(ReadinessState in readiness {
    Ready => ready, NeedsAttention => needs_attention, NotEvaluated => not_evaluated,
});
localized!(RunMode in run_mode { Normal => normal, Degraded => degraded });
localized!(Outcome in outcome { Ok => ok, Refused => refused, Failed => failed });
localized!(Platform in platform {
    TrafficGateway => traffic_gateway, AppPlatform => app_platform, Database => database,
});
localized!(ConfigKind in config_kind { Test => test, Cloud => cloud });
localized!(Protocol in protocol { Http => http });
localized!(Layer in layer { Network => network, Application => application, Data => data, Control => control });
localized!(Opcode in opcode {
    TrafficCut => traffic_cut, TrafficRestore => traffic_restore, AppRestart => app_restart,
    DbSwitchover => db_switchover, DbSwitchback => db_switchback, Wait => wait,
    ManualConfirm => manual_confirm, HttpCall => http_call,
});
localized!(Site in site { Failed => failed, Emergency => emergency });
localized!(StepStatus in step_status {
    Pending => pending, Running => running, Waiting => waiting, Succeeded => succeeded,
    Failed => failed, Interrupted => interrupted, Skipped => skipped, Cancelled => cancelled,
});
localized!(LogLevel in log_level { Info => info, Warn => warn, Error => error });
localized!(CallStatus in call_status {
    Sent => sent, Accepted => accepted, Succeeded => succeeded, Failed => failed, Unknown => unknown,
});
localized!(Call in call {
    Health => health, TrafficRead => traffic_read, TrafficCut => traffic_cut,
    TrafficRestore => traffic_restore, ApplicationRead => application_read,
    ApplicationRestart => application_restart, ClusterRead => cluster_read,
    ClusterSwitchover => cluster_switchover, ClusterSwitchback => cluster_switchback,
    OperationRead => operation_read,
});
localized!(FaultEffect in fault_effect {
    Fail => fail, Hang => hang, Slow => slow, Error500 => error_500, Drop => drop, Flap => flap,
});

impl Localized for ExecutionState {
    fn localized(self, locale: Locale) -> String {
        use ExecutionState::*;
        let phase = |phase: Phase| phase.localized(locale);
        match self {
            Created => td_string!(locale, common.execution_state.created).to_owned(),
            Running(p) => td_string!(locale, common.execution_state.running, phase = phase(p)),
            Paused(p) => td_string!(locale, common.execution_state.paused, phase = phase(p)),
            Blocked(p) => td_string!(locale, common.execution_state.blocked, phase = phase(p)),
            SwitchoverDone => td_string!(locale, common.execution_state.switchover_done).to_owned(),
            Completed => td_string!(locale, common.execution_state.completed).to_owned(),
            Cancelled => td_string!(locale, common.execution_state.cancelled).to_owned(),
        }
    }
}
