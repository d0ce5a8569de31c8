//! Pages need a session: a browser without one is sent to the sign-in page, and comes
//! back to where it was going afterwards. Server functions check sessions themselves.

use crate::AppState;
use app::auth::session;
use axum::extract::{Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};

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
