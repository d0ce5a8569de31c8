//! The door. Pages need a session: a browser without one is sent to the sign-in page,
//! and comes back to where it was going afterwards. A server function that needs a role
//! refuses a caller without one before its arguments are read, so an anonymous caller
//! hears 401 whatever it sent, never what is wrong with its arguments; the function then
//! decides again, with the same guard, for the caller it serves.

use crate::AppState;
use app::auth::{guard, session};
use app::domain::role::{Access, Action};
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Json, Redirect, Response};
use std::net::SocketAddr;

pub const SIGN_IN_PATH: &str = "/sign-in";

/// Paths anyone may fetch: probes, server functions and the live channel (they answer
/// 401 themselves), assets.
fn is_open(path: &str) -> bool {
    path.starts_with("/api/")
        || path == app::domain::live::LIST_PATH
        || path.starts_with("/live/")
        || path.starts_with("/pkg/")
        || matches!(path, "/healthz" | "/readyz" | "/favicon.svg")
}

pub async fn redirect_anonymous(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let path = request.uri().path();
    if request.method() != Method::GET || is_open(path) {
        return next.run(request).await;
    }
    let signed_in =
        session::read(&state.services.auth, request.headers(), session::now()).is_some();
    match (signed_in, path == SIGN_IN_PATH) {
        (true, true) => Redirect::to("/").into_response(),
        (false, false) => {
            let wanted = request
                .uri()
                .path_and_query()
                .map_or(path, |pq| pq.as_str());
            let next: String = url::form_urlencoded::byte_serialize(wanted.as_bytes()).collect();
            Redirect::to(&format!("{SIGN_IN_PATH}?next={next}")).into_response()
        }
        _ => next.run(request).await,
    }
}

/// Refuses a call of a server function that needs a role, before its arguments are read,
/// when the guard refuses the caller (recorded as any refusal is).
pub async fn refuse_before_arguments(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let action = request
        .uri()
        .path()
        .strip_prefix("/api/")
        .and_then(Action::at);
    let Some(action) = action.filter(|a| a.access() != Access::Public) else {
        return next.run(request).await;
    };
    let auth = &state.services.auth;
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|info| info.0.ip());
    let client = auth
        .proxies
        .client(peer, request.headers(), request.uri().scheme_str());
    match guard::authorize(auth, request.headers(), &client, action).await {
        Ok(_) => next.run(request).await,
        Err(refusal) => {
            let status =
                StatusCode::from_u16(refusal.status_code()).unwrap_or(StatusCode::FORBIDDEN);
            (status, Json(refusal)).into_response()
        }
    }
}
