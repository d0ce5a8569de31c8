//! The built-in platform simulator: a real HTTP server that speaks the platform API (v1,
//! `app::domain::platform`) for the traffic gateway, the application platform and the
//! database service of every data center, over one in-memory [`World`]. Connection
//! configs of kind `test` point at it; the engine cannot tell it from a real platform.
//!
//! Every mutating call needs basic auth and an `Idempotency-Key`: the same key again
//! answers the first call's operation and changes nothing; the same key for another
//! request is refused. (Latency and fault injection come next.)

pub mod world;

use app::domain::platform::{
    API_VERSION, ApplicationRestart, ClusterMove, ErrorCode, Health, IDEMPOTENCY_KEY, Operation,
    OperationState, PlatformError, TrafficCut, TrafficRestore, paths,
};
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{FromRequest, Path, Query, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::Engine;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
pub use world::World;

/// At most this many operations (and their idempotency keys) are kept; the oldest go
/// first, so a flood of calls cannot grow the simulator without bound.
const KEPT_OPERATIONS: usize = 10_000;

/// The user name and password every call must bring.
#[derive(Debug, Clone)]
pub struct Credentials {
    pub username: String,
    pub password: String,
}

/// The simulator's state, shared by its handlers.
#[derive(Debug)]
pub struct Simulator {
    credentials: Credentials,
    world: Mutex<World>,
    operations: Mutex<Operations>,
}

#[derive(Debug, Default)]
struct Operations {
    next: u64,
    by_id: HashMap<String, Operation>,
    /// Idempotency key → (what was asked, the operation it made).
    by_key: HashMap<String, (String, String)>,
    /// (id, key), oldest first, for trimming.
    order: std::collections::VecDeque<(String, String)>,
}

impl Simulator {
    pub fn new(world: World, credentials: Credentials) -> Arc<Self> {
        Arc::new(Self {
            credentials,
            world: Mutex::new(world),
            operations: Mutex::default(),
        })
    }

    fn world(&self) -> std::sync::MutexGuard<'_, World> {
        self.world
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn operations(&self) -> std::sync::MutexGuard<'_, Operations> {
        self.operations
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Runs a mutating call once per idempotency key: a repeat answers the operation the
    /// first call made.
    fn once(
        &self,
        key: &str,
        kind: &'static str,
        asked: String,
        act: impl FnOnce(&mut World) -> Result<String, PlatformError>,
    ) -> Result<Operation, PlatformError> {
        let mut operations = self.operations();
        if let Some((first, id)) = operations.by_key.get(key) {
            if *first != asked {
                return Err(error(
                    ErrorCode::IdempotencyKeyReused,
                    "this Idempotency-Key was used for another request",
                ));
            }
            if let Some(operation) = operations.by_id.get(id) {
                return Ok(operation.clone());
            }
        }
        let message = act(&mut self.world())?;
        operations.next += 1;
        let operation = Operation {
            id: format!("op-{}", operations.next),
            kind: kind.to_owned(),
            state: OperationState::Succeeded,
            log: vec![message.clone()],
            message,
        };
        operations
            .by_key
            .insert(key.to_owned(), (asked, operation.id.clone()));
        operations
            .by_id
            .insert(operation.id.clone(), operation.clone());
        operations
            .order
            .push_back((operation.id.clone(), key.to_owned()));
        while operations.order.len() > KEPT_OPERATIONS {
            if let Some((old_id, old_key)) = operations.order.pop_front() {
                operations.by_id.remove(&old_id);
                operations.by_key.remove(&old_key);
            }
        }
        Ok(operation)
    }
}

fn error(code: ErrorCode, message: impl Into<String>) -> PlatformError {
    PlatformError {
        code,
        message: message.into(),
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
        (status, Json(self.0)).into_response()
    }
}

/// A JSON body whose rejection is the API's `400 bad_request`, not axum's plain text.
struct Body<T>(T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for Body<T> {
    type Rejection = Refusal;

    async fn from_request(request: Request, state: &S) -> Result<Self, Refusal> {
        Json::<T>::from_request(request, state)
            .await
            .map(|Json(value)| Body(value))
            .map_err(|rejection: JsonRejection| {
                Refusal(error(ErrorCode::BadRequest, rejection.body_text()))
            })
    }
}

fn query<T: DeserializeOwned>(query: Result<Query<T>, QueryRejection>) -> Result<T, Refusal> {
    query
        .map(|Query(value)| value)
        .map_err(|rejection| Refusal(error(ErrorCode::BadRequest, rejection.body_text())))
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
        Err(Refusal(error(
            ErrorCode::Unauthorized,
            "wrong or missing credentials",
        )))
    }
}

/// The call's idempotency key; every mutating call must bring one.
fn idempotency_key(headers: &HeaderMap) -> Result<String, Refusal> {
    headers
        .get(IDEMPOTENCY_KEY)
        .and_then(|v| v.to_str().ok())
        .filter(|k| !k.is_empty() && k.len() <= 200)
        .map(str::to_owned)
        .ok_or_else(|| {
            Refusal(error(
                ErrorCode::BadRequest,
                "an Idempotency-Key header (1 to 200 characters) is required",
            ))
        })
}

type Sim = State<Arc<Simulator>>;

/// The simulator's routes, as a router of its own (it listens on its own address).
pub fn router(simulator: Arc<Simulator>) -> Router {
    Router::new()
        .route(paths::HEALTH, get(health))
        .route(paths::TRAFFIC, get(traffic))
        .route(paths::TRAFFIC_CUT, post(cut))
        .route(paths::TRAFFIC_RESTORE, post(restore))
        .route(paths::APPLICATION, get(application))
        .route(paths::APPLICATION_RESTART, post(restart))
        .route(paths::CLUSTER, get(cluster))
        .route(paths::CLUSTER_SWITCHOVER, post(switchover))
        .route(paths::CLUSTER_SWITCHBACK, post(switchback))
        .route("/v1/operations/{id}", get(operation))
        .fallback(|| async {
            Refusal(error(
                ErrorCode::BadRequest,
                "no such call in the platform API v1",
            ))
        })
        .with_state(simulator)
}

async fn health(State(sim): Sim, headers: HeaderMap) -> Result<Json<Health>, Refusal> {
    authorised(&sim, &headers)?;
    Ok(Json(Health {
        status: "ok".to_owned(),
        platform: "simulator".to_owned(),
        api_version: API_VERSION.to_owned(),
    }))
}

#[derive(Deserialize)]
struct GroupQuery {
    product_group: String,
}

async fn traffic(
    State(sim): Sim,
    headers: HeaderMap,
    asked: Result<Query<GroupQuery>, QueryRejection>,
) -> Result<Response, Refusal> {
    authorised(&sim, &headers)?;
    let asked = query(asked)?;
    Ok(Json(sim.world().traffic(&asked.product_group)?).into_response())
}

#[derive(Deserialize)]
struct ApplicationQuery {
    product_group: String,
    application: String,
    data_center: String,
}

async fn application(
    State(sim): Sim,
    headers: HeaderMap,
    asked: Result<Query<ApplicationQuery>, QueryRejection>,
) -> Result<Response, Refusal> {
    authorised(&sim, &headers)?;
    let q = query(asked)?;
    let state = sim
        .world()
        .application(&q.product_group, &q.application, &q.data_center)?;
    Ok(Json(state).into_response())
}

#[derive(Deserialize)]
struct ClusterQuery {
    cluster: String,
}

async fn cluster(
    State(sim): Sim,
    headers: HeaderMap,
    asked: Result<Query<ClusterQuery>, QueryRejection>,
) -> Result<Response, Refusal> {
    authorised(&sim, &headers)?;
    let asked = query(asked)?;
    Ok(Json(sim.world().cluster(&asked.cluster)?).into_response())
}

async fn operation(
    State(sim): Sim,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, Refusal> {
    authorised(&sim, &headers)?;
    let operation = sim.operations().by_id.get(&id).cloned();
    operation.map(|op| Json(op).into_response()).ok_or_else(|| {
        Refusal(error(
            ErrorCode::UnknownOperation,
            format!("no operation {id:?}"),
        ))
    })
}

/// A mutating call: checked, run once per key, answered `202` with its operation.
fn accepted<T: serde::Serialize>(
    sim: &Simulator,
    headers: &HeaderMap,
    kind: &'static str,
    asked: &T,
    act: impl FnOnce(&mut World) -> Result<String, PlatformError>,
) -> Result<Response, Refusal> {
    authorised(sim, headers)?;
    let key = idempotency_key(headers)?;
    let fingerprint = format!(
        "{kind} {}",
        serde_json::to_string(asked).unwrap_or_default()
    );
    let operation = sim.once(&key, kind, fingerprint, act)?;
    Ok((StatusCode::ACCEPTED, Json(operation)).into_response())
}

async fn cut(
    State(sim): Sim,
    headers: HeaderMap,
    Body(asked): Body<TrafficCut>,
) -> Result<Response, Refusal> {
    accepted(&sim, &headers, "traffic.cut", &asked, |world| {
        world.cut(&asked)
    })
}

async fn restore(
    State(sim): Sim,
    headers: HeaderMap,
    Body(asked): Body<TrafficRestore>,
) -> Result<Response, Refusal> {
    accepted(&sim, &headers, "traffic.restore", &asked, |world| {
        world.restore(&asked)
    })
}

async fn restart(
    State(sim): Sim,
    headers: HeaderMap,
    Body(asked): Body<ApplicationRestart>,
) -> Result<Response, Refusal> {
    accepted(&sim, &headers, "application.restart", &asked, |world| {
        world.restart(&asked)
    })
}

async fn switchover(
    State(sim): Sim,
    headers: HeaderMap,
    Body(asked): Body<ClusterMove>,
) -> Result<Response, Refusal> {
    accepted(&sim, &headers, "cluster.switchover", &asked, |world| {
        world.move_primary(&asked)
    })
}

async fn switchback(
    State(sim): Sim,
    headers: HeaderMap,
    Body(asked): Body<ClusterMove>,
) -> Result<Response, Refusal> {
    accepted(&sim, &headers, "cluster.switchback", &asked, |world| {
        world.move_primary(&asked)
    })
}
