//! A run's report as CSV (the report page's download): one row per step, in order, with
//! the run's facts repeated on each so every row stands alone in a spreadsheet. The
//! time a step waited for people (a confirmation, an operator's decision after a
//! failure) is a column of its own, beside its whole time.

use super::csv_text::{self, seconds, text, time};
use super::report::{ExecutionReport, StepReport};

/// The header row, in column order.
pub const COLUMNS: [&str; 17] = [
    "execution",
    "plan",
    "plan_version",
    "drill",
    "phase",
    "position",
    "step",
    "opcode",
    "status",
    "attempts",
    "started_at",
    "ended_at",
    "seconds",
    "waiting_for_people_seconds",
    "decided_by",
    "reason",
    "last_error",
];

/// The report's steps as CSV text, header first.
pub fn report_csv(report: &ExecutionReport) -> String {
    csv_text::table(&COLUMNS, report.steps.iter().map(|step| row(report, step)))
}

fn row(report: &ExecutionReport, step: &StepReport) -> [String; 17] {
    let s = &report.summary;
    let last_error = step
        .failures
        .last()
        .and_then(|f| f.error.as_deref())
        .unwrap_or_default();
    [
        s.id.0.to_string(),
        text(&s.plan_name),
        s.plan_version.to_string(),
        s.drill.to_string(),
        step.phase.as_str().to_owned(),
        step.position.to_string(),
        text(&step.heading),
        step.opcode.clone(),
        step.status.as_str().to_owned(),
        step.attempts.to_string(),
        time(step.spans.first().map(|s| s.from)),
        time(step.spans.last().map(|s| s.to)),
        seconds(step.took()),
        seconds(step.took().map(|_| step.people_took())),
        text(step.decided_by.as_deref().unwrap_or_default()),
        text(step.reason.as_deref().unwrap_or_default()),
        text(last_error),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::execution::examples;
    use crate::domain::execution::view::ExecutionDetail;

    #[test]
    fn each_step_is_a_row_and_typed_text_stays_inert() {
        let mut step = examples::step(1);
        step.title = "=cmd|' /C calc'!A0".into();
        step.reason = Some("+1 it was fine".into());
        let detail = ExecutionDetail {
            summary: examples::summary(4, 1),
            steps: vec![step, examples::step(2)],
            comments: Vec::new(),
        };
        let report = ExecutionReport::build(detail, &[], &[], &[], Vec::new(), chrono::Utc::now());
        let csv = report_csv(&report);
        let mut reader = csv::Reader::from_reader(csv.as_bytes());
        assert_eq!(reader.headers().unwrap(), COLUMNS.as_slice());
        let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        assert_eq!(rows.len(), 2);
        assert_eq!(&rows[0][6], "'=cmd|' /C calc'!A0");
        assert_eq!(&rows[0][15], "'+1 it was fine");
        assert_eq!(&rows[1][12], "", "a step that never ran has no time");
    }
}
