//! Times as the execution pages show them (in the reader's time zone), how long
//! something took, and a clock that ticks once a second in the browser so what is still
//! running shows its time growing. The tick is the browser's clock, not a server poll.

use crate::language::tr;
use crate::local_time::{Precision, local, use_reader_zone};
use chrono::{DateTime, TimeDelta, Utc};
use leptos::prelude::*;
use std::time::Duration;

/// "2026-11-22 16:00:03 UTC+8", in the reader's time zone.
pub fn when(at: DateTime<Utc>) -> String {
    local(at, &use_reader_zone(), Precision::Seconds)
}

/// "16:00:03 UTC+8", for times within one run.
pub fn time_of_day(at: DateTime<Utc>) -> String {
    local(at, &use_reader_zone(), Precision::TimeOfDay)
}

/// "42 s", "3 min 05 s", "1 h 02 min" in the reader's words ("3 分 05 秒"); a negative
/// span (clocks apart) reads as 0 s.
pub fn span(took: TimeDelta) -> String {
    let seconds = took.num_seconds().max(0);
    match seconds {
        0..60 => tr!(common.duration.seconds, s = seconds),
        60..3600 => tr!(
            common.duration.minutes,
            m = seconds / 60,
            s = format!("{:02}", seconds % 60)
        ),
        _ => tr!(
            common.duration.hours,
            h = seconds / 3600,
            m = format!("{:02}", seconds % 3600 / 60)
        ),
    }
}

/// How long from `start` to `end`, or to `now` while it has not ended; `None` when it has
/// not started, or has not ended and the clock does not tick yet (while rendering on the
/// server, so the page hydrates with the same text).
pub fn elapsed(
    start: Option<DateTime<Utc>>,
    end: Option<DateTime<Utc>>,
    now: impl FnOnce() -> Option<DateTime<Utc>>,
) -> Option<String> {
    let start = start?;
    let end = end.or_else(now)?;
    Some(span(end - start))
}

/// The browser's time, once a second; `None` on the server and until the page hydrates.
pub fn ticking() -> ReadSignal<Option<DateTime<Utc>>> {
    let now = RwSignal::new(None);
    Effect::new(move || {
        let tick = move || now.set(browser_now());
        tick();
        let handle = set_interval_with_handle(tick, Duration::from_secs(1)).ok();
        on_cleanup(move || {
            if let Some(handle) = handle {
                handle.clear();
            }
        });
    });
    now.read_only()
}

/// The browser's clock (chrono reads none there).
fn browser_now() -> Option<DateTime<Utc>> {
    Some(crate::domain::zone::now())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(seconds: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000 + seconds, 0).unwrap()
    }

    #[test]
    fn spans_read_in_the_largest_units_that_matter() {
        assert_eq!(span(TimeDelta::seconds(0)), "0 s");
        assert_eq!(span(TimeDelta::seconds(59)), "59 s");
        assert_eq!(span(TimeDelta::seconds(65)), "1 min 05 s");
        assert_eq!(span(TimeDelta::seconds(3599)), "59 min 59 s");
        assert_eq!(span(TimeDelta::seconds(3720)), "1 h 02 min");
        assert_eq!(span(TimeDelta::seconds(-5)), "0 s");
    }

    #[test]
    fn elapsed_runs_to_the_end_or_to_now() {
        assert_eq!(elapsed(None, None, || Some(at(9))), None);
        assert_eq!(
            elapsed(Some(at(0)), Some(at(12)), || None).as_deref(),
            Some("12 s")
        );
        assert_eq!(
            elapsed(Some(at(0)), None, || Some(at(70))).as_deref(),
            Some("1 min 10 s")
        );
        assert_eq!(elapsed(Some(at(0)), None, || None), None, "no clock yet");
    }
}
