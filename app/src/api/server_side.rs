//! What every server function does on the server besides its own work, in one place:
//! read the request, ask the guard (`auth::guard`), set cookies, write the `failed`
//! audit entry of a change that did not happen, and answer with the error's own HTTP
//! status. A server function's body is then its work only:
//! `run(Action::X, target, async |actor| ...)`.

use crate::auth::account::Cookie;
use crate::auth::client::Client;
use crate::auth::guard::{self, Actor, Visitor};
use crate::domain::audit::Outcome;
use crate::domain::role::Action;
use crate::error::AppError;
use crate::services::Services;
use crate::store::audit::{self, Target};
use http::request::Parts;
use leptos::prelude::*;

/// Runs the work of `action` for a signed-in caller whose role allows it. A change that
/// fails (invalid, conflicting, unavailable) gets its `failed` entry in the audit log
/// here, after its transaction rolled back; its `ok` entry is written by the store,
/// inside the change's own transaction.
pub async fn run<T>(
    action: Action,
    target: Option<Target>,
    work: impl AsyncFnOnce(Actor) -> Result<T, AppError>,
) -> Result<T, AppError> {
    answer(async {
        let actor = require(action).await?;
        let record = actor.record();
        let store = actor.auth.store.clone();
        let result = work(actor).await;
        if let Err(error) = &result
            && action.changes_state()
        {
            let reason = Some(error.to_string());
            let failed =
                audit::record(&store, &record, target, Outcome::Failed, reason.as_deref()).await;
            if let Err(audit_error) = failed {
                tracing::warn!(action = action.endpoint(), %audit_error, "could not record a failure in the audit log");
            }
        }
        result
    })
    .await
}

/// Runs the work of a public action (signing in) for anyone, signed in or not.
pub async fn run_public<T>(
    action: Action,
    work: impl AsyncFnOnce(Visitor) -> Result<T, AppError>,
) -> Result<T, AppError> {
    answer(async {
        let services = Services::current()?;
        let (parts, client) = request(&services)?;
        let visitor = guard::admit(&services.auth, &parts.headers, &client, action).await?;
        if let Some(cookie) = &visitor.renewed_cookie {
            set_cookie(cookie.clone());
        }
        work(visitor).await
    })
    .await
}

/// A signed-in caller whose role may perform `action`, or the refusal: the guard's
/// decision for the current server function's request, its renewed cookie set on the
/// response.
async fn require(action: Action) -> Result<Actor, AppError> {
    let services = Services::current()?;
    let (parts, client) = request(&services)?;
    let actor = guard::authorize(&services.auth, &parts.headers, &client, action).await?;
    if let Some(cookie) = &actor.renewed_cookie {
        set_cookie(cookie.clone());
    }
    Ok(actor)
}

/// The current server function's request, and who sent it.
fn request(services: &Services) -> Result<(Parts, Client), AppError> {
    let parts = use_context::<Parts>().ok_or_else(|| {
        tracing::error!("no request parts in the server function context");
        AppError::Internal
    })?;
    let peer = parts
        .extensions
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|info| info.0.ip());
    let client = services
        .auth
        .proxies
        .client(peer, &parts.headers, parts.uri.scheme_str());
    Ok((parts, client))
}

/// Adds a `Set-Cookie` header to the response of this server function.
pub fn set_cookie(value: Cookie) {
    if let (Some(response), Ok(value)) = (
        use_context::<leptos_axum::ResponseOptions>(),
        http::HeaderValue::from_str(&value),
    ) {
        response.append_header(http::header::SET_COOKIE, value);
    }
}

/// Runs a server function's body and, when it fails, answers with the error's own HTTP
/// status (404, 409, 422, ...) instead of a blanket 500. When a page calls the function
/// while rendering on the server, the page keeps its own status: it shows the error.
async fn answer<T>(body: impl Future<Output = Result<T, AppError>>) -> Result<T, AppError> {
    let result = body.await;
    let called_over_http =
        use_context::<Parts>().is_some_and(|parts| parts.uri.path().starts_with("/api/"));
    if let Err(error) = &result
        && called_over_http
        && let Some(response) = use_context::<leptos_axum::ResponseOptions>()
        && let Ok(status) = http::StatusCode::from_u16(error.status_code())
    {
        response.set_status(status);
    }
    result
}
