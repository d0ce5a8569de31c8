//! The live channel: websockets that push every committed execution change to the
//! browsers watching (`app::domain::live` has the wire format). `hub` fans the bus out
//! to watchers, `ws` authorises and upgrades, `execution` and `list` serve one watcher
//! each over a `connection`, within `limits`.

mod connection;
mod execution;
pub mod hub;
pub mod limits;
mod list;
pub mod ws;

use app::domain::live::LIST_PATH;
use app::services::Services;
use axum::Router;
use axum::routing::get;
use hub::LiveHub;
use limits::LiveLimits;

/// The live routes over `services` within `limits`, with a hub of their own (its task
/// starts with the first watcher).
pub fn routes<S>(services: Services, limits: LiveLimits) -> Router<S>
where
    S: Clone + Send + Sync + 'static,
{
    let hub = LiveHub::new(&services.bus, limits.clone(), limits::WATCHER_BUFFER);
    Router::new()
        .route(LIST_PATH, get(ws::watch_list))
        .route(&format!("{LIST_PATH}/{{id}}"), get(ws::watch_execution))
        .with_state(ws::LiveState {
            services,
            hub,
            limits,
        })
}
