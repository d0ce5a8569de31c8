//! A run's recovery time against its plan's target, as the execution page says it in
//! full and the Executions list in short.

use super::clock::span;
use crate::domain::execution::timing::RtoVerdict;
use crate::domain::execution::view::ExecutionSummary;
use crate::language::tr;
use chrono::TimeDelta;

/// The measured switchover (and recovery) against the plan's target, and a class that
/// colours a verdict: "Switchover took 12 min 05 s · target 30 min: met, 17 min 55 s to
/// spare".
pub fn recovery_time(summary: &ExecutionSummary) -> (String, &'static str) {
    let target = summary.rto_minutes;
    let Some(took) = summary.switchover_took() else {
        let text = match target {
            Some(minutes) => tr!(executions.rto.target, minutes = minutes),
            None => tr!(executions.rto.no_target).to_owned(),
        };
        return (text, "");
    };
    let (verdict, class) = match (target, summary.rto_verdict()) {
        (Some(minutes), Some(RtoVerdict::Met { spare_seconds })) => (
            tr!(
                executions.rto.met,
                minutes = minutes,
                spare = span(TimeDelta::seconds(spare_seconds))
            ),
            "rto-met",
        ),
        (Some(minutes), Some(RtoVerdict::Missed { over_seconds })) => (
            tr!(
                executions.rto.missed,
                minutes = minutes,
                over = span(TimeDelta::seconds(over_seconds))
            ),
            "rto-missed",
        ),
        _ => (tr!(executions.rto.none).to_owned(), ""),
    };
    let recovery = summary
        .recovery_took()
        .map(|took| tr!(executions.rto.recovery_took, took = span(took)))
        .unwrap_or_default();
    (
        tr!(
            executions.rto.switchover_took,
            took = span(took),
            verdict = verdict,
            recovery = recovery
        ),
        class,
    )
}

/// The list's cell: "12 min 05 s · met (30 min)", "32 min 10 s · missed (30 min)", with
/// the same class; "— (30 min)" before the switchover is done; "—" with no target either.
pub fn switchover_cell(summary: &ExecutionSummary) -> (String, &'static str) {
    let target = summary
        .rto_minutes
        .map(|m| tr!(executions.rto.cell_target, minutes = m))
        .unwrap_or_default();
    match (summary.switchover_took(), summary.rto_verdict()) {
        (Some(took), Some(verdict)) if verdict.is_met() => (
            tr!(executions.rto.cell_met, took = span(took), target = target),
            "rto-met",
        ),
        (Some(took), Some(_)) => (
            tr!(
                executions.rto.cell_missed,
                took = span(took),
                target = target
            ),
            "rto-missed",
        ),
        (Some(took), None) => (span(took), ""),
        (None, _) => (format!("—{target}"), ""),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::execution::ExecutionState;
    use crate::domain::execution::examples;
    use chrono::DateTime;

    fn at(seconds: i64) -> Option<DateTime<chrono::Utc>> {
        DateTime::from_timestamp(1_800_000_000 + seconds, 0)
    }

    #[test]
    fn the_switchover_is_measured_against_the_target_once_it_is_done() {
        let running = ExecutionSummary {
            rto_minutes: Some(30),
            started_at: at(0),
            state: ExecutionState::Running(crate::domain::plan::Phase::Switchover),
            ..examples::summary(1, 1)
        };
        assert_eq!(
            recovery_time(&running),
            ("Target: the switchover within 30 min".to_owned(), "")
        );
        let met = ExecutionSummary {
            switchover_done_at: at(725),
            state: ExecutionState::SwitchoverDone,
            ..running.clone()
        };
        assert_eq!(
            recovery_time(&met),
            (
                "Switchover took 12 min 05 s · target 30 min: met, 17 min 55 s to spare".to_owned(),
                "rto-met"
            )
        );
        let missed = ExecutionSummary {
            switchover_done_at: at(1930),
            recovery_started_at: at(2000),
            finished_at: at(2090),
            state: ExecutionState::Completed,
            ..running.clone()
        };
        assert_eq!(
            recovery_time(&missed),
            (
                "Switchover took 32 min 10 s · target 30 min: missed by 2 min 10 s; \
                 recovery took 1 min 30 s"
                    .to_owned(),
                "rto-missed"
            )
        );
        let untargeted = ExecutionSummary {
            rto_minutes: None,
            ..met
        };
        assert_eq!(
            recovery_time(&untargeted).0,
            "Switchover took 12 min 05 s · no target set"
        );
    }

    #[test]
    fn the_list_says_it_in_short() {
        let running = ExecutionSummary {
            rto_minutes: Some(30),
            started_at: at(0),
            ..examples::summary(1, 1)
        };
        assert_eq!(switchover_cell(&running), ("— (30 min)".to_owned(), ""));
        let met = ExecutionSummary {
            switchover_done_at: at(725),
            ..running.clone()
        };
        assert_eq!(
            switchover_cell(&met),
            ("12 min 05 s · met (30 min)".to_owned(), "rto-met")
        );
        let missed = ExecutionSummary {
            switchover_done_at: at(1930),
            ..running.clone()
        };
        assert_eq!(
            switchover_cell(&missed),
            ("32 min 10 s · missed (30 min)".to_owned(), "rto-missed")
        );
        let untargeted = ExecutionSummary {
            rto_minutes: None,
            ..met
        };
        assert_eq!(switchover_cell(&untargeted), ("12 min 05 s".to_owned(), ""));
    }
}
