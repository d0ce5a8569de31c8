//! What every server function does on the server besides its own work: answering with the
//! error's own HTTP status.

use crate::error::AppError;
use leptos::prelude::*;

/// Runs a server function's body and, when it fails, answers with the error's own HTTP
/// status (404, 409, 422, ...) instead of a blanket 500. When a page calls the function
/// while rendering on the server, the page keeps its own status: it shows the error.
pub async fn answer<T>(body: impl Future<Output = Result<T, AppError>>) -> Result<T, AppError> {
    let result = body.await;
    let called_over_http = use_context::<http::request::Parts>()
        .is_some_and(|parts| parts.uri.path().starts_with("/api/"));
    if let Err(error) = &result
        && called_over_http
        && let Some(response) = use_context::<leptos_axum::ResponseOptions>()
        && let Ok(status) = http::StatusCode::from_u16(error.status_code())
    {
        response.set_status(status);
    }
    result
}
