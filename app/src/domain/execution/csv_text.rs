//! How the console's CSV downloads are written (the run history, a run's report): a
//! header row, then rows of the same length; times RFC 3339 in UTC, durations whole
//! seconds. A text cell that a spreadsheet would take for a formula (`=`, `+`, `-`, `@`,
//! tab, carriage return first) is written with a leading `'`, so what a person typed
//! cannot run in an auditor's spreadsheet.

use chrono::{DateTime, TimeDelta, Utc};

/// `header` and `rows` as CSV text.
pub fn table<const N: usize>(
    header: &[&str; N],
    rows: impl Iterator<Item = [String; N]>,
) -> String {
    let mut writer = csv::Writer::from_writer(Vec::new());
    // Writing into memory cannot fail; the rows all have the header's length.
    writer
        .write_record(header)
        .expect("a CSV row is written to memory");
    for row in rows {
        writer
            .write_record(row)
            .expect("a CSV row is written to memory");
    }
    let bytes = writer.into_inner().expect("a CSV buffer in memory flushes");
    String::from_utf8(bytes).expect("CSV of UTF-8 cells is UTF-8")
}

/// Text a person (or a platform) wrote, made inert for spreadsheets.
pub fn text(value: &str) -> String {
    match value.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{value}"),
        _ => value.to_owned(),
    }
}

pub fn time(at: Option<DateTime<Utc>>) -> String {
    at.map(|at| at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
        .unwrap_or_default()
}

pub fn seconds(took: Option<TimeDelta>) -> String {
    took.map(|t| t.num_seconds().max(0).to_string())
        .unwrap_or_default()
}
