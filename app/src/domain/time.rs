//! Instants: every time in the domain is a `DateTime<Utc>`, and on the wire an RFC 3339
//! text with its offset (`2026-11-22T08:00:00Z`). A time without an offset names no
//! instant, so one sent to us is refused, with an example of what would do.

use chrono::{DateTime, Utc};
use serde::de::{Deserialize, Deserializer, Error, Unexpected};

/// What a caller must send, as the refusal says it.
const EXPECTED: &str = "a time with its UTC offset (RFC 3339), such as 2026-11-22T08:00:00Z";

/// Reads an optional instant (`null` or absent: `None`); use with `#[serde(default)]`.
pub fn deserialize_optional<'de, D>(deserializer: D) -> Result<Option<DateTime<Utc>>, D::Error>
where
    D: Deserializer<'de>,
{
    let Some(text) = Option::<String>::deserialize(deserializer)? else {
        return Ok(None);
    };
    DateTime::parse_from_rfc3339(&text)
        .map(|at| Some(at.with_timezone(&Utc)))
        .map_err(|_| D::Error::invalid_value(Unexpected::Str(&text), &EXPECTED))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    struct Query {
        #[serde(default, deserialize_with = "deserialize_optional")]
        from: Option<DateTime<Utc>>,
    }

    fn read(json: &str) -> Result<Option<DateTime<Utc>>, String> {
        serde_json::from_str::<Query>(json)
            .map(|q| q.from)
            .map_err(|e| e.to_string())
    }

    #[test]
    fn an_offset_names_the_instant() {
        let utc = read(r#"{"from": "2026-11-22T08:00:00Z"}"#)
            .unwrap()
            .unwrap();
        let beijing = read(r#"{"from": "2026-11-22T16:00:00+08:00"}"#)
            .unwrap()
            .unwrap();
        assert_eq!(utc, beijing);
        assert_eq!(
            serde_json::to_string(&utc).unwrap(),
            r#""2026-11-22T08:00:00Z""#
        );
    }

    #[test]
    fn absent_and_null_match_every_time() {
        assert_eq!(read("{}"), Ok(None));
        assert_eq!(read(r#"{"from": null}"#), Ok(None));
    }

    #[test]
    fn a_time_without_offset_is_refused_with_an_example() {
        let error = read(r#"{"from": "2026-11-22T08:00:00"}"#).unwrap_err();
        assert!(error.contains(EXPECTED), "{error}");
        assert!(read(r#"{"from": "yesterday"}"#).is_err());
    }
}
