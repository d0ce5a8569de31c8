//! What every server function needs on the server: the store from the request context,
//! and an HTTP status that matches the error it answers with.

use crate::error::AppError;
use crate::store::Store;
use leptos::prelude::*;

/// The store the server put into the request context.
pub fn store() -> Result<Store, AppError> {
    use_context::<Store>().ok_or_else(|| {
        tracing::error!("no store in the server function context");
        AppError::Internal
    })
}

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
