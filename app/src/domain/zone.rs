//! Time zones: an instant as a wall clock in a named (IANA) zone shows it. On the server the IANA database
//! comes with `chrono-tz`; the browser has its own in `Intl`, so the bundle carries none.
//! Both give the same wall time and offset, so a page hydrates with the text the server
//! wrote.

use chrono::{DateTime, NaiveDateTime, Utc};

/// Zone names are short; a longer "name" is not one and is not looked up.
const MAX_ZONE_NAME: usize = 64;

/// What a wall clock in a zone shows at an instant, and how far it is from UTC.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Wall {
    pub local: NaiveDateTime,
    /// Local time minus UTC, in seconds (+28800 in Shanghai).
    pub offset_seconds: i32,
}

impl Wall {
    /// `at` in `zone`; in UTC when the zone is unknown.
    pub fn of(at: DateTime<Utc>, zone: &str) -> Self {
        lookup(at, zone).unwrap_or(Wall {
            local: at.naive_utc(),
            offset_seconds: 0,
        })
    }

    /// "UTC", "UTC+8", "UTC+5:30", "UTC-3".
    pub fn offset_label(self) -> String {
        let seconds = self.offset_seconds;
        let sign = if seconds < 0 { '-' } else { '+' };
        let (hours, minutes) = (seconds.abs() / 3600, seconds.abs() % 3600 / 60);
        match (hours, minutes) {
            (0, 0) => "UTC".to_owned(),
            (_, 0) => format!("UTC{sign}{hours}"),
            _ => format!("UTC{sign}{hours}:{minutes:02}"),
        }
    }
}

/// Now, by this side's clock: chrono reads no clock in the browser (it panics there), the
/// browser's own is at hand.
pub fn now() -> DateTime<Utc> {
    #[cfg(target_arch = "wasm32")]
    {
        DateTime::from_timestamp_millis(leptos::web_sys::js_sys::Date::now() as i64)
            .unwrap_or_default()
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        Utc::now()
    }
}

/// Whether `name` is a time zone this side knows.
pub fn is_known_zone(name: &str) -> bool {
    name.len() <= MAX_ZONE_NAME && lookup(DateTime::UNIX_EPOCH, name).is_some()
}

#[cfg(not(target_arch = "wasm32"))]
fn lookup(at: DateTime<Utc>, zone: &str) -> Option<Wall> {
    use chrono::Offset;
    if zone.len() > MAX_ZONE_NAME {
        return None;
    }
    let zone: chrono_tz::Tz = zone.parse().ok()?;
    let local = at.with_timezone(&zone);
    Some(Wall {
        local: local.naive_local(),
        offset_seconds: local.offset().fix().local_minus_utc(),
    })
}

/// The zone the machine runs in; a server has none that matters to a reader.
#[cfg(not(target_arch = "wasm32"))]
pub fn browser_zone() -> Option<String> {
    None
}

/// Every zone the browser knows, to choose from; none outside a browser.
#[cfg(not(target_arch = "wasm32"))]
pub fn browser_zones() -> Vec<String> {
    Vec::new()
}

#[cfg(target_arch = "wasm32")]
fn lookup(at: DateTime<Utc>, zone: &str) -> Option<Wall> {
    browser::lookup(at, zone)
}

/// The browser's own time zone, as its `Intl` names it.
#[cfg(target_arch = "wasm32")]
pub fn browser_zone() -> Option<String> {
    browser::zone()
}

/// Every zone the browser's `Intl` knows (none in a browser too old to say).
#[cfg(target_arch = "wasm32")]
pub fn browser_zones() -> Vec<String> {
    browser::zones()
}

#[cfg(target_arch = "wasm32")]
mod browser {
    use super::{MAX_ZONE_NAME, Wall};
    use chrono::Timelike;
    use chrono::{DateTime, NaiveDate, Utc};
    use leptos::wasm_bindgen::JsCast;
    use leptos::wasm_bindgen::JsValue;
    use leptos::web_sys::js_sys::{Array, Date, Function, Intl, Object, Reflect, global};
    use std::cell::RefCell;

    thread_local! {
        /// The last zone's formatter: making one costs far more than using it.
        static FORMATTER: RefCell<Option<(String, Intl::DateTimeFormat)>> = const { RefCell::new(None) };
    }

    fn formatter(zone: &str) -> Option<Intl::DateTimeFormat> {
        if zone.len() > MAX_ZONE_NAME {
            return None;
        }
        FORMATTER.with_borrow_mut(|cached| {
            if let Some((name, formatter)) = cached.as_ref()
                && name == zone
            {
                return Some(formatter.clone());
            }
            let options = Object::new();
            let set = |key: &str, value: &str| {
                Reflect::set(&options, &JsValue::from_str(key), &JsValue::from_str(value)).ok()
            };
            set("timeZone", zone)?;
            set("hourCycle", "h23")?;
            for part in ["year", "month", "day", "hour", "minute", "second"] {
                set(part, "numeric")?;
            }
            // An unknown zone makes the constructor throw a RangeError: no formatter.
            let formatter = new_formatter(&options)?;
            *cached = Some((zone.to_owned(), formatter.clone()));
            Some(formatter)
        })
    }

    /// `new Intl.DateTimeFormat("en-US", options)`, or `None` where it throws (the plain
    /// binding would abort on the throw).
    fn new_formatter(options: &Object) -> Option<Intl::DateTimeFormat> {
        let class = Reflect::get(&global(), &JsValue::from_str("Intl"))
            .and_then(|intl| Reflect::get(&intl, &JsValue::from_str("DateTimeFormat")))
            .ok()?;
        let args = Array::of2(&Array::of1(&JsValue::from_str("en-US")), options);
        let class: &Function = class.unchecked_ref();
        Reflect::construct(class, &args)
            .ok()
            .map(JsCast::unchecked_into)
    }

    pub fn lookup(at: DateTime<Utc>, zone: &str) -> Option<Wall> {
        let formatter = formatter(zone)?;
        let date = Date::new(&JsValue::from_f64(at.timestamp_millis() as f64));
        let parts = formatter.format_to_parts(&date);
        let mut fields = [0u32; 6];
        for part in parts.iter() {
            let kind = Reflect::get(&part, &JsValue::from_str("type"))
                .ok()?
                .as_string()?;
            let value = Reflect::get(&part, &JsValue::from_str("value"))
                .ok()?
                .as_string()?;
            let slot = ["year", "month", "day", "hour", "minute", "second"]
                .iter()
                .position(|name| *name == kind);
            if let Some(slot) = slot {
                fields[slot] = value.parse().ok()?;
            }
        }
        let [year, month, day, hour, minute, second] = fields;
        let local =
            NaiveDate::from_ymd_opt(year as i32, month, day)?.and_hms_opt(hour, minute, second)?;
        let whole_seconds = at.naive_utc().with_nanosecond(0)?;
        let offset_seconds = (local - whole_seconds).num_seconds() as i32;
        let local = local.with_nanosecond(at.timestamp_subsec_nanos())?;
        Some(Wall {
            local,
            offset_seconds,
        })
    }

    pub fn zones() -> Vec<String> {
        let listed = Reflect::get(&global(), &JsValue::from_str("Intl"))
            .and_then(|intl| Reflect::get(&intl, &JsValue::from_str("supportedValuesOf")))
            .ok()
            .filter(JsValue::is_function)
            .and_then(|list| {
                let list: &Function = list.unchecked_ref();
                list.call1(&JsValue::NULL, &JsValue::from_str("timeZone"))
                    .ok()
            });
        listed
            .map(|zones| {
                Array::from(&zones)
                    .iter()
                    .filter_map(|zone| zone.as_string())
                    .collect()
            })
            .unwrap_or_default()
    }

    pub fn zone() -> Option<String> {
        let options = Intl::DateTimeFormat::new(&Array::new(), &Object::new()).resolved_options();
        Reflect::get(&options, &JsValue::from_str("timeZone"))
            .ok()?
            .as_string()
    }
}

/// The instant a wall clock in `zone` shows as `local` (UTC where the zone is unknown).
/// In the hour a summer-time change skips or repeats, one of the two readings.
pub fn from_wall(local: NaiveDateTime, zone: &str) -> DateTime<Utc> {
    // The offset at the wall time read as UTC is right but for a few hours around a
    // change of offset; read again at the first guess, it is right there too.
    let guess = local.and_utc();
    let first = guess - chrono::TimeDelta::seconds(Wall::of(guess, zone).offset_seconds.into());
    guess - chrono::TimeDelta::seconds(Wall::of(first, zone).offset_seconds.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wall(text: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M").unwrap()
    }

    #[test]
    fn a_wall_time_reads_back_as_the_instant_it_shows() {
        for (zone, local, utc) in [
            ("UTC", "2026-11-22 08:00", "2026-11-22T08:00:00+00:00"),
            (
                "Asia/Shanghai",
                "2026-11-22 08:00",
                "2026-11-22T00:00:00+00:00",
            ),
            (
                "America/New_York",
                "2026-07-01 08:00",
                "2026-07-01T12:00:00+00:00",
            ),
            // The day summer time ends in Berlin, after the change.
            (
                "Europe/Berlin",
                "2026-10-25 12:00",
                "2026-10-25T11:00:00+00:00",
            ),
            (
                "Nowhere/Special",
                "2026-11-22 08:00",
                "2026-11-22T08:00:00+00:00",
            ),
        ] {
            assert_eq!(from_wall(wall(local), zone).to_rfc3339(), utc, "{zone}");
        }
    }
}
