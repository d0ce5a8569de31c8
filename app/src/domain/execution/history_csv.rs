//! The run history as CSV (the Executions list's filter, downloaded): one row per
//! execution with its times, measured switchover and recovery and the verdict against
//! the target. Times are RFC 3339 in UTC, durations whole seconds. A text cell that a
//! spreadsheet would take for a formula (`=`, `+`, `-`, `@`, tab, carriage return first)
//! is written with a leading `'`, so a description cannot run in an auditor's
//! spreadsheet.

use super::timing::RtoVerdict;
use super::view::ExecutionSummary;
use chrono::{DateTime, Utc};

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
    let mut writer = csv::Writer::from_writer(Vec::new());
    // Writing into memory cannot fail; the rows all have the header's length.
    writer
        .write_record(COLUMNS)
        .expect("a CSV row is written to memory");
    for summary in executions {
        writer
            .write_record(row(summary))
            .expect("a CSV row is written to memory");
    }
    let bytes = writer.into_inner().expect("a CSV buffer in memory flushes");
    String::from_utf8(bytes).expect("CSV of UTF-8 cells is UTF-8")
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

/// Text a person wrote, made inert for spreadsheets.
fn text(value: &str) -> String {
    match value.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{value}"),
        _ => value.to_owned(),
    }
}

fn time(at: Option<DateTime<Utc>>) -> String {
    at.map(|at| at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
        .unwrap_or_default()
}

fn seconds(took: Option<chrono::TimeDelta>) -> String {
    took.map(|t| t.num_seconds().max(0).to_string())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::execution::ExecutionState;
    use crate::domain::execution::examples;

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
