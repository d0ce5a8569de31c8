//! The built-in platform simulator: a real HTTP server that speaks the platform API (v1,
//! `app::domain::platform`) for the traffic gateway, the application platform and the
//! database service of every data center, over one in-memory [`World`]. Connection
//! configs of kind `test` point at it; the engine cannot tell it from a real platform.
//!
//! - `platform.rs`: the v1 routes. Every mutating call needs basic auth and an
//!   `Idempotency-Key`; operations run for the configured [`Timing`] and are followed
//!   at `/v1/operations/{id}`.
//! - `control.rs`: the control API under `/sim/` (state, faults, timing, reset), which
//!   the console's Simulator page drives (`app::domain::simulator`).
//! - `faults.rs`, `operations.rs`, `world.rs`, `estate.rs`: what it holds.

mod control;
pub mod estate;
pub mod faults;
pub mod operations;
mod platform;
pub mod world;

use app::domain::platform::{ErrorCode, PlatformError};
use app::domain::simulator::{CallRecord, Latency, SimulatorState, Timing};
use app::store::Store;
use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use base64::Engine;
use estate::Estate;
use faults::Faults;
use operations::Operations;
use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard};
use tokio::time::Instant;
pub use world::World;

/// The latest calls kept for the call log.
const KEPT_CALLS: usize = 200;

/// The user name and password every call must bring.
#[derive(Debug, Clone)]
pub struct Credentials {
    pub username: String,
    pub password: String,
}

/// Where a reset takes the world's estate from.
#[derive(Debug, Clone)]
pub enum EstateSource {
    /// Always the same estate (the demo estate when running alone; tests).
    Fixed(Estate),
    /// The console's database as it is at the time of the reset.
    Database(Store),
}

impl EstateSource {
    async fn estate(&self) -> anyhow::Result<Estate> {
        match self {
            Self::Fixed(estate) => Ok(estate.clone()),
            Self::Database(store) => Estate::read(store).await,
        }
    }
}

/// The simulator's state, shared by its handlers.
#[derive(Debug)]
pub struct Simulator {
    credentials: Credentials,
    source: EstateSource,
    world: Mutex<World>,
    operations: Mutex<Operations>,
    faults: Mutex<Faults>,
    timing: Mutex<Timing>,
    calls: Mutex<VecDeque<CallRecord>>,
}

fn locked<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl Simulator {
    /// A simulator whose world starts from (and resets to) what `source` holds.
    pub async fn new(
        source: EstateSource,
        credentials: Credentials,
        timing: Timing,
    ) -> anyhow::Result<Arc<Self>> {
        let world = World::new(&source.estate().await?);
        Ok(Arc::new(Self {
            credentials,
            source,
            world: Mutex::new(world),
            operations: Mutex::default(),
            faults: Mutex::default(),
            timing: Mutex::new(timing),
            calls: Mutex::default(),
        }))
    }

    fn world(&self) -> MutexGuard<'_, World> {
        locked(&self.world)
    }

    fn operations(&self) -> MutexGuard<'_, Operations> {
        locked(&self.operations)
    }

    fn faults(&self) -> MutexGuard<'_, Faults> {
        locked(&self.faults)
    }

    /// Everything it holds, newest calls first.
    pub fn state(&self) -> SimulatorState {
        let world = self.world();
        SimulatorState {
            data_centers: world.data_centers(),
            traffic: world.all_traffic(),
            applications: world.all_applications(Instant::now()),
            clusters: world.all_clusters(),
            faults: self.faults().list(),
            timing: *locked(&self.timing),
            calls: locked(&self.calls).iter().rev().cloned().collect(),
        }
    }

    /// The world back to the estate, read afresh; faults, timing and operations stay.
    pub async fn reset(&self) -> anyhow::Result<()> {
        let world = World::new(&self.source.estate().await?);
        *self.world() = world;
        Ok(())
    }

    /// When an operation of this latency started now ends (uniform between the bounds).
    fn ends(latency: Latency) -> Instant {
        let spread = latency.max_ms.saturating_sub(latency.min_ms);
        let jitter = match spread {
            0 => 0,
            _ => getrandom::u32().unwrap_or(0) % (spread + 1),
        };
        let ms = latency.min_ms + jitter;
        Instant::now() + std::time::Duration::from_millis(u64::from(ms))
    }

    fn log(&self, record: CallRecord) {
        let mut calls = locked(&self.calls);
        calls.push_back(record);
        while calls.len() > KEPT_CALLS {
            calls.pop_front();
        }
    }
}

/// A refusal as the API answers it: the code's status and `{code, message}`.
struct Refusal(PlatformError);

impl From<PlatformError> for Refusal {
    fn from(error: PlatformError) -> Self {
        Self(error)
    }
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        let status =
            StatusCode::from_u16(self.0.code.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        (status, axum::Json(self.0)).into_response()
    }
}

/// Every call, to any path, must bring the simulator's credentials (basic auth), before
/// anything else about it is looked at.
async fn authenticate(State(sim): State<Arc<Simulator>>, request: Request, next: Next) -> Response {
    match authorised(&sim, request.headers()) {
        Ok(()) => next.run(request).await,
        Err(refusal) => refusal.into_response(),
    }
}

/// Checks basic auth against the simulator's credentials.
fn authorised(sim: &Simulator, headers: &HeaderMap) -> Result<(), Refusal> {
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
        .and_then(|b64| base64::engine::general_purpose::STANDARD.decode(b64).ok())
        .and_then(|bytes| String::from_utf8(bytes).ok());
    let expected = format!("{}:{}", sim.credentials.username, sim.credentials.password);
    if given.as_deref() == Some(expected.as_str()) {
        Ok(())
    } else {
        Err(Refusal(PlatformError::new(
            ErrorCode::Unauthorized,
            "wrong or missing credentials",
        )))
    }
}

/// The simulator's routes, as a router of its own (it listens on its own address): the
/// platform API and the control API.
pub fn router(simulator: Arc<Simulator>) -> Router {
    let authenticated = axum::middleware::from_fn_with_state(simulator.clone(), authenticate);
    platform::routes()
        .merge(control::routes())
        .fallback(|| async {
            Refusal(PlatformError::new(
                ErrorCode::BadRequest,
                "no such call in the platform API v1 or the simulator's control API",
            ))
        })
        .layer(authenticated)
        .with_state(simulator)
}

/// Serves the simulator on `listener`, within the default socket limits, until `stop`
/// fires.
pub async fn serve(
    listener: tokio::net::TcpListener,
    simulator: Arc<Simulator>,
    stop: tokio_util::sync::CancellationToken,
) -> std::io::Result<()> {
    let limits = crate::listen::SocketLimits::default();
    let grace = crate::tasks::GRACE;
    crate::listen::serve(
        listener,
        router(simulator),
        limits,
        stop.cancelled_owned(),
        grace,
    )
    .await;
    Ok(())
}
