//! The run history as CSV (the Executions list's filter, downloaded): one row per
//! execution with its times, measured switchover and recovery and the verdict against
//! the target, written as `csv_text` writes every download.

use super::csv_text::{self, seconds, text, time};
use super::timing::RtoVerdict;
use super::view::ExecutionSummary;

/// The header row, in column order.
pub const COLUMNS: [&str; 19] = [
    "id",
    "plan",
    "plan_version",
    "drill",
    "failed_data_center",
    "emergency_data_center",
    "state",
    "description",
    "created_by",
    "created_at",
    "started_by",
    "started_at",
    "switchover_done_at",
    "finished_at",
    "switchover_seconds",
    "rto_minutes",
    "rto_verdict",
    "rto_margin_seconds",
    "recovery_seconds",
];

/// The history of `executions` as CSV text, header first.
pub fn history_csv(executions: &[ExecutionSummary]) -> String {
    csv_text::table(&COLUMNS, executions.iter().map(row))
}

fn row(s: &ExecutionSummary) -> [String; 19] {
    let (verdict, margin) = match s.rto_verdict() {
        Some(RtoVerdict::Met { spare_seconds }) => ("met", spare_seconds.to_string()),
        Some(RtoVerdict::Missed { over_seconds }) => ("missed", (-over_seconds).to_string()),
        None => ("", String::new()),
    };
    [
        s.id.0.to_string(),
        text(&s.plan_name),
        s.plan_version.to_string(),
        s.drill.to_string(),
        text(&s.failed.name),
        text(&s.emergency.name),
        s.state.as_str().to_owned(),
        text(&s.description),
        text(s.created_by.as_deref().unwrap_or_default()),
        time(Some(s.created_at)),
        text(s.started_by.as_deref().unwrap_or_default()),
        time(s.started_at),
        time(s.switchover_done_at),
        time(s.finished_at),
        seconds(s.switchover_took()),
        s.rto_minutes.map(|m| m.to_string()).unwrap_or_default(),
        verdict.to_owned(),
        margin,
        seconds(s.recovery_took()),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::execution::ExecutionState;
    use crate::domain::execution::examples;
    use chrono::{DateTime, Utc};

    fn at(seconds: i64) -> Option<DateTime<Utc>> {
        DateTime::from_timestamp(1_800_000_000 + seconds, 0)
    }

    #[test]
    fn each_run_is_a_row_with_its_times_and_verdict() {
        let run = ExecutionSummary {
            plan_name: "Power loss, \"dark\"".into(),
            description: "=HYPERLINK(\"http://evil\")".into(),
            state: ExecutionState::Completed,
            rto_minutes: Some(1),
            started_at: at(0),
            switchover_done_at: at(75),
            recovery_started_at: at(80),
            finished_at: at(100),
            ..examples::summary(7, 9)
        };
        let csv = history_csv(&[run]);
        let mut reader = csv::Reader::from_reader(csv.as_bytes());
        assert_eq!(reader.headers().unwrap(), COLUMNS.as_slice());
        let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        assert_eq!(rows.len(), 1);
        let cell =
            |name: &str| rows[0][COLUMNS.iter().position(|c| *c == name).unwrap()].to_owned();
        assert_eq!(cell("id"), "7");
        assert_eq!(cell("drill"), "false");
        assert_eq!(
            cell("plan"),
            "Power loss, \"dark\"",
            "quoted, read back whole"
        );
        assert_eq!(cell("description"), "'=HYPERLINK(\"http://evil\")");
        assert_eq!(cell("started_at"), "2027-01-15T08:00:00Z");
        assert_eq!(cell("switchover_seconds"), "75");
        assert_eq!(cell("rto_verdict"), "missed");
        assert_eq!(cell("rto_margin_seconds"), "-15");
        assert_eq!(cell("recovery_seconds"), "20");
    }

    #[test]
    fn an_empty_history_is_the_header_alone() {
        assert_eq!(history_csv(&[]).lines().count(), 1);
    }
}
