//! Times in the reader's time zone. Every time the console shows is stored and sent in
//! UTC (the API keeps RFC 3339 in UTC); only the page turns it into wall-clock time, in
//! the zone of the reader's profile or, without one, of their browser, names the zone's
//! offset beside it, and keeps UTC on hover.
//!
//! The zone travels in a cookie, so the server renders the first page in it and the
//! browser hydrates with the same text: `ReaderZone` (the profile's choice when there is
//! one; what the browser's own `Intl` says otherwise).

pub use crate::domain::zone::{Wall, is_known_zone};

use crate::domain::user::SessionUser;
use chrono::{DateTime, Utc};
use codee::string::FromToStringCodec;
use leptos::prelude::*;

/// The cookie that carries the reader's time zone (an IANA name).
pub const COOKIE: &str = "switchyard_time_zone";

/// The zone when none is known yet (a browser's first visit, before it says its own).
pub const UTC: &str = "UTC";

/// The reader's time zone for every time on the page.
#[derive(Clone, Copy)]
pub struct ReaderZone {
    cookie: Signal<Option<String>>,
    set_cookie: WriteSignal<Option<String>>,
}

impl ReaderZone {
    /// Reads the zone from the request's (or the document's) cookie and shares it.
    pub fn provide() -> Self {
        let (cookie, set_cookie) = leptos_use::use_cookie_with_options::<String, FromToStringCodec>(
            COOKIE,
            leptos_use::UseCookieOptions::default()
                .max_age(crate::language::COOKIE_MAX_AGE_MS)
                .path("/")
                .same_site(leptos_use::SameSite::Lax),
        );
        let zone = Self { cookie, set_cookie };
        provide_context(zone);
        zone
    }

    /// The zone's IANA name; UTC until one is known, or when the cookie names no zone.
    pub fn name(self) -> String {
        self.cookie
            .get()
            .filter(|name| is_known_zone(name))
            .unwrap_or_else(|| UTC.to_owned())
    }

    /// Once the browser knows who reads: their profile's zone, or the browser's own. A
    /// change is kept in the cookie, so the next page is rendered in it from the start.
    pub fn follow(self, user: &SessionUser) {
        let wanted = user
            .preferences
            .time_zone
            .clone()
            .or_else(crate::domain::zone::browser_zone);
        if let Some(wanted) = wanted.filter(|name| is_known_zone(name))
            && self.cookie.get_untracked().as_deref() != Some(wanted.as_str())
        {
            self.set_cookie.set(Some(wanted));
        }
    }
}

/// The reader's zone; UTC where none was provided (a test rendering one component).
pub fn use_reader_zone() -> String {
    use_context::<ReaderZone>().map_or_else(|| UTC.to_owned(), ReaderZone::name)
}

/// How much of a time to show.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Precision {
    /// "2026-12-07 14:03:22".
    #[default]
    Seconds,
    /// "2026-12-07 14:03", where seconds would be noise (plan changes).
    Minutes,
    /// "14:03:22", for times within one run.
    TimeOfDay,
}

/// `at` as the reader's wall clock says it, with the offset: "2026-12-07 14:03:22 UTC+8".
pub fn local(at: DateTime<Utc>, zone: &str, precision: Precision) -> String {
    let wall = Wall::of(at, zone);
    let format = match precision {
        Precision::Seconds => "%Y-%m-%d %H:%M:%S",
        Precision::Minutes => "%Y-%m-%d %H:%M",
        Precision::TimeOfDay => "%H:%M:%S",
    };
    format!("{} {}", wall.local.format(format), wall.offset_label())
}

/// `at` in UTC, as the hover text says it.
pub fn utc(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%d %H:%M:%S UTC").to_string()
}

/// A time on a page: the reader's wall clock with its offset, UTC on hover, and the exact
/// instant in `datetime` for machines.
#[component]
pub fn LocalTime(at: DateTime<Utc>, #[prop(optional)] precision: Precision) -> impl IntoView {
    view! {
        <time datetime=at.to_rfc3339() title=utc(at)>
            {move || local(at, &use_reader_zone(), precision)}
        </time>
    }
}

/// Which zone the page's times are in ("Times are in Asia/Shanghai (UTC+8)."), for the
/// pages that list many times and for reports.
#[component]
pub fn ZoneNote() -> impl IntoView {
    let i18n = crate::i18n::use_i18n();
    view! {
        <span class="zone-note" data-testid="zone-note">
            {move || {
                let zone = use_reader_zone();
                let offset = Wall::of(crate::domain::zone::now(), &zone).offset_label();
                crate::i18n::td_string!(i18n.get_locale(), common.time.zone_note, zone = zone, offset = offset)
            }}
        </span>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text).unwrap().to_utc()
    }

    #[test]
    fn times_read_in_the_zone_with_its_offset() {
        let t = at("2026-12-07T06:03:22Z");
        assert_eq!(
            local(t, "Asia/Shanghai", Precision::Seconds),
            "2026-12-07 14:03:22 UTC+8"
        );
        assert_eq!(local(t, "UTC", Precision::Minutes), "2026-12-07 06:03 UTC");
        assert_eq!(
            local(t, "Asia/Kolkata", Precision::TimeOfDay),
            "11:33:22 UTC+5:30"
        );
        assert_eq!(
            local(t, "America/New_York", Precision::Seconds),
            "2026-12-07 01:03:22 UTC-5"
        );
        // Summer time is the zone's own business.
        let summer = at("2026-07-01T12:00:00Z");
        assert_eq!(
            local(summer, "Europe/Berlin", Precision::TimeOfDay),
            "14:00:00 UTC+2"
        );
        assert_eq!(utc(t), "2026-12-07 06:03:22 UTC");
    }

    #[test]
    fn an_unknown_zone_reads_as_utc() {
        let t = at("2026-12-07T06:03:22Z");
        assert!(!is_known_zone("Mars/Olympus_Mons"));
        assert!(!is_known_zone(&"A".repeat(10_000)));
        assert_eq!(
            local(t, "Mars/Olympus_Mons", Precision::Seconds),
            "2026-12-07 06:03:22 UTC"
        );
    }
}
