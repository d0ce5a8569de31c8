//! What every server function does on the server besides its own work: answering with the
//! error's own HTTP status.

use crate::error::AppError;
use leptos::prelude::*;

/// Runs a server function's body and, when it fails, answers with the error's own HTTP
/// status (404, 409, 422, ...) instead of a blanket 500.
pub async fn answer<T>(body: impl Future<Output = Result<T, AppError>>) -> Result<T, AppError> {
    let result = body.await;
    if let Err(error) = &result
        && let Some(response) = use_context::<leptos_axum::ResponseOptions>()
        && let Ok(status) = http::StatusCode::from_u16(error.status_code())
    {
        response.set_status(status);
    }
    result
}
