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
        let error = Self::Transport {
            message: value.to_string(),
        };
        // On the server this is a request the function could not even read: the
        // client's fault, so answer 400 rather than server_fn's default 500.
        #[cfg(feature = "ssr")]
        if let Some(response) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() {
            response.set_status(http::StatusCode::BAD_REQUEST);
        }
        error
    }
}
