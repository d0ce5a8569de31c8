//! `AppError`: the one error every server function returns, shared by browser and server.

use serde::{Deserialize, Serialize};

/// A problem with one input field, shown next to that field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    /// The field's name as the form knows it (`name`, `steps[2].params.seconds`).
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}

/// Which kind of clash a 409 is: stable names a program can branch on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConflictCode {
    /// The record changed since the caller read it; reload and try again.
    StaleRevision,
    /// The name (or another value that must be unique) is taken.
    NameTaken,
    /// Something still refers to it (or it refers to something that is gone).
    InUse,
    /// Its current state does not allow this (a plan with nothing in review, ...).
    WrongState,
    /// It would leave the console without an enabled admin.
    LastAdmin,
    /// Another instance owns the execution now; this one's write was refused.
    Fenced,
}

/// Everything a server function can answer instead of a result.
///
/// `Internal` carries no detail to the client: the detail is logged once, where it happened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum AppError {
    #[error("{what} was not found")]
    NotFound { what: String },
    #[error("{}", validation_summary(.errors))]
    Validation { errors: Vec<FieldError> },
    #[error("{message}")]
    Conflict {
        /// Which kind of clash, for programs to branch on.
        code: ConflictCode,
        field: Option<String>,
        message: String,
    },
    #[error("{message}")]
    Forbidden { message: String },
    #[error("{message}")]
    Unauthenticated { message: String },
    /// Too many attempts (failed sign-ins); try again later.
    #[error("{message}")]
    Throttled { message: String },
    #[error("{message}")]
    Unavailable { message: String },
    #[error("something went wrong on the server; the details are in its log")]
    Internal,
    /// The request never reached the server function or its answer could not be read
    /// (network down, malformed arguments).
    #[error("{message}")]
    Transport { message: String },
}

fn validation_summary(errors: &[FieldError]) -> String {
    match errors {
        [one] => format!("{}: {}", one.field, one.message),
        many => format!("{} fields need attention", many.len()),
    }
}

impl AppError {
    pub fn not_found(what: impl Into<String>) -> Self {
        Self::NotFound { what: what.into() }
    }

    /// The caller has no valid session.
    pub fn unauthenticated() -> Self {
        Self::Unauthenticated {
            message: "sign in to continue".to_owned(),
        }
    }

    /// A clash of `code`, shown next to `field` when there is one.
    pub fn conflict(code: ConflictCode, field: Option<&str>, message: impl Into<String>) -> Self {
        Self::Conflict {
            code,
            field: field.map(str::to_owned),
            message: message.into(),
        }
    }

    /// Invalid input: each problem next to its field.
    pub fn invalid(errors: Vec<FieldError>) -> Self {
        Self::Validation { errors }
    }

    /// The HTTP status this error is answered with, so API clients can branch on it.
    pub fn status_code(&self) -> u16 {
        match self {
            Self::NotFound { .. } => 404,
            Self::Validation { .. } => 422,
            Self::Conflict { .. } => 409,
            Self::Forbidden { .. } => 403,
            Self::Unauthenticated { .. } => 401,
            Self::Throttled { .. } => 429,
            Self::Unavailable { .. } => 503,
            Self::Internal => 500,
            Self::Transport { .. } => 400,
        }
    }
}

impl leptos::server_fn::error::FromServerFnError for AppError {
    type Encoder = leptos::server_fn::codec::JsonEncoding;

    fn from_server_fn_error(value: leptos::server_fn::error::ServerFnErrorErr) -> Self {
        #[cfg(feature = "ssr")]
        {
            use leptos::server_fn::error::ServerFnErrorErr::{Args, Deserialization, MissingArg};
            // On the server this is a request the function could not even read: the
            // client's fault, so answer 400 rather than server_fn's default 500, and say
            // what is wrong with it in JSON's terms.
            if let Some(response) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() {
                response.set_status(http::StatusCode::BAD_REQUEST);
            }
            if let Args(detail) | Deserialization(detail) | MissingArg(detail) = &value {
                return Self::Transport {
                    message: arguments_error(detail),
                };
            }
        }
        Self::Transport {
            message: value.to_string(),
        }
    }
}

/// What is wrong with a request's JSON arguments, from serde's `detail`, in the terms of
/// JSON rather than of the server's Rust types (`u64`, `struct GetPlan`).
#[cfg(feature = "ssr")]
fn arguments_error(detail: &str) -> String {
    let (what, place) = match detail.rsplit_once(" at line ") {
        Some((what, place)) => (what, format!(" (at line {place})")),
        None => (detail, String::new()),
    };
    let syntax = [
        "expected ",
        "EOF ",
        "trailing ",
        "key must",
        "control character",
    ];
    if syntax.iter().any(|start| what.starts_with(start)) {
        return format!("the request body is not valid JSON: {what}{place}");
    }
    let what = match what.split_once(", expected ") {
        Some((found, expected)) => {
            let found = match found.strip_prefix("invalid length ") {
                Some(length) => format!("a list of {length}"),
                None => found.to_owned(),
            };
            format!("{found}, expected {}", json_kind(expected))
        }
        None => what.to_owned(),
    };
    format!("the request's arguments are not valid: {what}{place}")
}

/// serde's name for an expected value, as a JSON kind.
#[cfg(feature = "ssr")]
fn json_kind(expected: &str) -> &str {
    match expected {
        "u8" | "u16" | "u32" | "u64" | "u128" | "usize" => "a whole number, 0 or more",
        "i8" | "i16" | "i32" | "i64" | "i128" | "isize" => "a whole number",
        "f32" | "f64" => "a number",
        _ if expected.starts_with("struct ") || expected.starts_with("map") => "an object",
        _ if expected.contains("enum") => "one of the allowed values",
        _ if expected.starts_with("tuple") => "a list",
        other => other,
    }
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::arguments_error;

    #[test]
    fn argument_errors_speak_json_not_rust() {
        assert_eq!(
            arguments_error("invalid type: string \"seven\", expected u64 at line 1 column 14"),
            "the request's arguments are not valid: invalid type: string \"seven\", \
             expected a whole number, 0 or more (at line 1 column 14)"
        );
        assert_eq!(
            arguments_error(
                "invalid length 0, expected struct GetPlan with 1 element at line 1 column 2"
            ),
            "the request's arguments are not valid: a list of 0, expected an object (at line 1 column 2)"
        );
        assert_eq!(
            arguments_error("missing field `password` at line 1 column 17"),
            "the request's arguments are not valid: missing field `password` (at line 1 column 17)"
        );
        assert_eq!(
            arguments_error("expected ident at line 1 column 2"),
            "the request body is not valid JSON: expected ident (at line 1 column 2)"
        );
        assert_eq!(
            arguments_error("unknown variant `x`, expected one of `http`, `https`"),
            "the request's arguments are not valid: unknown variant `x`, expected one of `http`, `https`"
        );
    }
}
