//! The live channel's websocket routes. The handshake is decided like a server function
//! call — the same session cookie, the same guard and role table — plus an Origin check
//! (a read over a websocket needs one; see `guard::authorize_same_origin`); a refusal is
//! a plain 401 or 403 before anything is upgraded. Then the watcher is registered with
//! the hub (when the session, the user or the instance has all the channels it may,
//! the socket is closed at once saying which), and only then does the connection read
//! the database.

use super::connection::{self, Connection};
use super::hub::{LiveHub, Topic, Viewer};
use super::limits::{self, LiveLimits};
use super::{execution, list};
use app::auth::guard;
use app::domain::ids::ExecutionId;
use app::domain::live::{WatchQuery, close};
use app::domain::role::{Action, Capability};
use app::services::Services;
use app::store::Store;
use axum::extract::ws::{Utf8Bytes, WebSocketUpgrade};
use axum::extract::{ConnectInfo, FromRequestParts, Path, Query, Request, State};
use axum::http::header::{COOKIE, SET_COOKIE};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use std::net::SocketAddr;

/// What the live routes reach.
#[derive(Debug, Clone)]
pub struct LiveState {
    pub services: Services,
    pub hub: LiveHub,
    pub limits: LiveLimits,
}

/// `GET /live/executions/{id}?after={seq}`: one execution.
pub async fn watch_execution(
    State(live): State<LiveState>,
    Path(id): Path<u64>,
    Query(query): Query<WatchQuery>,
    request: Request,
) -> Response {
    let id = ExecutionId(id);
    let serve = move |conn, store| execution::run(conn, store, id, query.after);
    handshake(
        &live,
        request,
        Action::GetExecution,
        Topic::Execution(id),
        serve,
    )
    .await
}

/// `GET /live/executions`: the executions list.
pub async fn watch_list(State(live): State<LiveState>, request: Request) -> Response {
    handshake(
        &live,
        request,
        Action::ListExecutions,
        Topic::List,
        list::run,
    )
    .await
}

/// Authorises `request` for `action`, registers a watcher of `topic` and upgrades, the
/// connection then served by `serve`.
async fn handshake<F>(
    live: &LiveState,
    request: Request,
    action: Action,
    topic: Topic,
    serve: impl FnOnce(Connection, Store) -> F + Send + 'static,
) -> Response
where
    F: Future<Output = ()> + Send + 'static,
{
    let (mut parts, _) = request.into_parts();
    let auth = &live.services.auth;
    let peer = parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|info| info.0.ip());
    let client = auth
        .proxies
        .client(peer, &parts.headers, parts.uri.scheme_str());
    let actor = match guard::authorize_same_origin(auth, &parts.headers, &client, action).await {
        Ok(actor) => actor,
        Err(error) => {
            let status = StatusCode::from_u16(error.status_code()).unwrap_or(StatusCode::FORBIDDEN);
            return (status, error.to_string()).into_response();
        }
    };
    let upgrade = match WebSocketUpgrade::from_request_parts(&mut parts, &()).await {
        Ok(upgrade) => upgrade,
        Err(rejection) => return rejection.into_response(),
    };
    let viewer = Viewer {
        user: actor.user.id,
        session: actor.session,
        acts: actor.user.role.can(Capability::Operate),
    };
    let upgrade = upgrade
        .max_message_size(limits::MAX_INCOMING_BYTES)
        .max_frame_size(limits::MAX_INCOMING_BYTES)
        .read_buffer_size(limits::READ_BUFFER_BYTES)
        // Each frame is written out as it is sent, so the buffer holds one frame at most.
        .write_buffer_size(0)
        .max_write_buffer_size(2 * limits::MAX_FRAME_BYTES);
    let watcher = match live.hub.watch(topic, viewer) {
        Ok(watcher) => watcher,
        Err(refused) => {
            tracing::warn!(user = %actor.user.username, "live channel refused: {refused}");
            // Let in and closed at once: a browser cannot read a refused handshake's
            // status, but it reads a close code, and can say why it is not live.
            let code = if refused.instance_full() {
                close::FULL
            } else {
                close::TOO_MANY
            };
            let reason = Utf8Bytes::from(refused.to_string());
            return upgrade.on_upgrade(move |mut socket| async move {
                connection::close(&mut socket, code, reason).await;
            });
        }
    };
    tracing::debug!(user = %actor.user.username, ?topic, "live watcher joins");
    // Only the cookie is needed to ask about the session again later.
    let mut cookies = HeaderMap::new();
    for value in parts.headers.get_all(COOKIE) {
        cookies.append(COOKIE, value.clone());
    }
    let (auth, store) = (auth.clone(), auth.store.clone());
    let timing = live.limits.clone();
    let mut response = upgrade.on_upgrade(move |socket| {
        serve(
            Connection::new(socket, watcher, auth, cookies, action, &timing),
            store,
        )
    });
    if let Some(cookie) = actor.renewed_cookie
        && let Ok(value) = HeaderValue::from_str(&cookie)
    {
        response.headers_mut().append(SET_COOKIE, value);
    }
    response
}
