//! The platform API v1 routes, behind basic auth (`super::authenticate`). Each call goes
//! the same way ([`answer`]): the first fault that matches it, then its own work, then a
//! line in the call log.

use super::faults::{Hit, Subject};
use super::{Refusal, Simulator, World};
use app::domain::platform::{
    API_VERSION, ApplicationHealth, ApplicationRestart, ClusterMove, ErrorCode, Health,
    IDEMPOTENCY_KEY, MAX_WAIT_MS, OperationQuery, OperationState, PlatformError, TrafficCut,
    TrafficRestore, paths,
};
use app::domain::simulator::{Call, CallRecord, FaultEffect};
use axum::Json;
use axum::body::Body as HttpBody;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{FromRequest, Path, Query, Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use std::sync::Arc;
use std::time::Duration;
use tokio::time::Instant;

/// How long a `hang` fault holds a call before dropping it.
const HANG: Duration = Duration::from_secs(600);

type Sim = State<Arc<Simulator>>;

pub(super) fn routes() -> axum::Router<Arc<Simulator>> {
    axum::Router::new()
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
                Refusal(PlatformError::new(
                    ErrorCode::BadRequest,
                    rejection.body_text(),
                ))
            })
    }
}

fn query<T: DeserializeOwned>(query: Result<Query<T>, QueryRejection>) -> Result<T, Refusal> {
    query.map(|Query(value)| value).map_err(|rejection| {
        Refusal(PlatformError::new(
            ErrorCode::BadRequest,
            rejection.body_text(),
        ))
    })
}

/// A response that never reaches the caller: its body fails at once, so the server
/// closes the connection without an answer.
fn dropped() -> Response {
    let failing = futures_util::stream::once(async {
        Err::<axum::body::Bytes, _>(std::io::Error::other("connection dropped by a fault"))
    });
    Response::new(HttpBody::from_stream(failing))
}

/// Serves one call: the fault that hits it (if any), `work`, the call log (status 0 for a
/// call that gets no answer).
async fn answer(
    sim: &Simulator,
    call: Call,
    subject: Subject,
    replay: bool,
    work: impl FnOnce(Option<Hit>) -> Result<Response, Refusal>,
) -> Response {
    let hit = sim.faults().hit(call, &subject, replay);
    let effect = hit.map(|h| h.effect);
    let logged = |status: u16, acted: bool| {
        sim.log(CallRecord {
            at: chrono::Utc::now(),
            call,
            subject: subject.describe(),
            status,
            fault: hit.map(|h| h.fault),
            replay,
            acted,
        })
    };
    match hit {
        Some(h) if h.effect == FaultEffect::Hang => {
            logged(0, false);
            tokio::time::sleep(HANG).await;
            return dropped();
        }
        Some(h) if h.effect == FaultEffect::Slow => {
            tokio::time::sleep(Duration::from_millis(u64::from(h.delay_ms))).await;
        }
        _ => {}
    }
    let response = match effect {
        Some(FaultEffect::Error500) => Refusal(PlatformError::new(
            ErrorCode::Internal,
            "injected fault: internal error",
        ))
        .into_response(),
        Some(FaultEffect::Fail) if !call.mutates() => Refusal(PlatformError::new(
            ErrorCode::Unavailable,
            "injected fault: unavailable",
        ))
        .into_response(),
        _ => work(hit).unwrap_or_else(IntoResponse::into_response),
    };
    let acted = call.mutates() && !replay && response.status() == StatusCode::ACCEPTED;
    if effect == Some(FaultEffect::Drop) {
        logged(0, acted);
        return dropped();
    }
    logged(response.status().as_u16(), acted);
    response
}

async fn health(State(sim): Sim) -> Response {
    answer(&sim, Call::Health, Subject::default(), false, |hit| {
        if hit.is_some_and(|h| h.flapped) {
            return Err(Refusal(PlatformError::new(
                ErrorCode::Unavailable,
                "injected fault: health is flapping",
            )));
        }
        Ok(Json(Health {
            status: "ok".to_owned(),
            platform: "simulator".to_owned(),
            api_version: API_VERSION.to_owned(),
        })
        .into_response())
    })
    .await
}

#[derive(Deserialize)]
struct GroupQuery {
    product_group: String,
}

async fn traffic(
    State(sim): Sim,
    asked: Result<Query<GroupQuery>, QueryRejection>,
) -> Result<Response, Refusal> {
    let asked = query(asked)?;
    let subject = Subject {
        data_center: None,
        names: vec![asked.product_group.clone()],
    };
    Ok(answer(&sim, Call::TrafficRead, subject, false, |_| {
        Ok(Json(sim.world().traffic(&asked.product_group)?).into_response())
    })
    .await)
}

#[derive(Deserialize)]
struct ApplicationQuery {
    product_group: String,
    application: String,
    data_center: String,
}

async fn application(
    State(sim): Sim,
    asked: Result<Query<ApplicationQuery>, QueryRejection>,
) -> Result<Response, Refusal> {
    let q = query(asked)?;
    let subject = Subject {
        data_center: Some(q.data_center.clone()),
        names: vec![q.product_group.clone(), q.application.clone()],
    };
    Ok(answer(&sim, Call::ApplicationRead, subject, false, |hit| {
        let mut state = sim.world().application(
            &q.product_group,
            &q.application,
            &q.data_center,
            Instant::now(),
        )?;
        if hit.is_some_and(|h| h.flapped) {
            state.health = ApplicationHealth::Unhealthy;
        }
        Ok(Json(state).into_response())
    })
    .await)
}

#[derive(Deserialize)]
struct ClusterQuery {
    cluster: String,
}

async fn cluster(
    State(sim): Sim,
    asked: Result<Query<ClusterQuery>, QueryRejection>,
) -> Result<Response, Refusal> {
    let asked = query(asked)?;
    let subject = Subject {
        data_center: None,
        names: vec![asked.cluster.clone()],
    };
    Ok(answer(&sim, Call::ClusterRead, subject, false, |_| {
        Ok(Json(sim.world().cluster(&asked.cluster)?).into_response())
    })
    .await)
}

/// An operation; with `wait_ms`, the answer waits while it runs, up to that long.
async fn operation(
    State(sim): Sim,
    Path(id): Path<String>,
    asked: Result<Query<OperationQuery>, QueryRejection>,
) -> Result<Response, Refusal> {
    let wait = Duration::from_millis(query(asked)?.wait_ms.unwrap_or(0).min(MAX_WAIT_MS));
    let ends = sim.operations().ends(&id);
    if let Some(ends) = ends {
        tokio::time::sleep_until(ends.min(Instant::now() + wait)).await;
    }
    let subject = Subject {
        data_center: None,
        names: vec![id.clone()],
    };
    Ok(answer(&sim, Call::OperationRead, subject, false, |_| {
        let operation = sim.operations().get(&id, Instant::now());
        operation.map(|op| Json(op).into_response()).ok_or_else(|| {
            Refusal(PlatformError::new(
                ErrorCode::UnknownOperation,
                format!("no operation {id:?}"),
            ))
        })
    })
    .await)
}

/// The call's idempotency key; every mutating call must bring one.
fn idempotency_key(headers: &HeaderMap) -> Result<String, Refusal> {
    headers
        .get(IDEMPOTENCY_KEY)
        .and_then(|v| v.to_str().ok())
        .filter(|k| !k.is_empty() && k.len() <= 200)
        .map(str::to_owned)
        .ok_or_else(|| {
            Refusal(PlatformError::new(
                ErrorCode::BadRequest,
                "an Idempotency-Key header (1 to 200 characters) is required",
            ))
        })
}

/// A mutating call: once per idempotency key, answered `202` with its operation, which
/// runs for the timing's latency (and `drain_seconds` more when the timing drains). A `fail` fault makes it end `failed`. `act` changes the
/// world, given when the operation ends and whether it is to fail, and says what it did.
async fn accepted<T: serde::Serialize>(
    sim: &Simulator,
    headers: &HeaderMap,
    call: Call,
    subject: Subject,
    asked: &T,
    drain_seconds: u32,
    act: impl FnOnce(&mut World, Instant, bool) -> Result<String, PlatformError> + Send,
) -> Result<Response, Refusal> {
    let key = idempotency_key(headers)?;
    let fingerprint = format!(
        "{call} {}",
        serde_json::to_string(asked).unwrap_or_default()
    );
    let replay = sim.operations().made_by(&key, &fingerprint)?.is_some();
    Ok(answer(sim, call, subject, replay, |hit| {
        let fails = hit.is_some_and(|h| h.effect == FaultEffect::Fail);
        let timing = *super::locked(&sim.timing);
        let latency = match call {
            Call::TrafficCut | Call::TrafficRestore => timing.traffic,
            Call::ApplicationRestart => timing.restart,
            _ => timing.cluster,
        };
        // One lock over check, act and record, so the same key at once acts once.
        let mut operations = sim.operations();
        let id = match operations.made_by(&key, &fingerprint)? {
            Some(id) => id,
            None => {
                let drain = if timing.drains { drain_seconds } else { 0 };
                let ends = Simulator::ends(latency) + Duration::from_secs(drain.into());
                let outcome = if fails && call != Call::ApplicationRestart {
                    (
                        OperationState::Failed,
                        format!("injected fault: {} failed", call.label()),
                    )
                } else {
                    let message = act(&mut sim.world(), ends, fails)?;
                    let state = if fails {
                        OperationState::Failed
                    } else {
                        OperationState::Succeeded
                    };
                    (state, message)
                };
                operations.add(&key, fingerprint, call.as_str(), outcome, ends)
            }
        };
        let operation = operations.get(&id, Instant::now());
        Ok((StatusCode::ACCEPTED, Json(operation)).into_response())
    })
    .await)
}

async fn cut(
    State(sim): Sim,
    headers: HeaderMap,
    Body(asked): Body<TrafficCut>,
) -> Result<Response, Refusal> {
    let subject = Subject {
        data_center: Some(asked.data_center.clone()),
        names: vec![asked.product_group.clone()],
    };
    let act = |world: &mut World, _, _| world.cut(&asked);
    let drain = asked.drain_seconds;
    accepted(
        &sim,
        &headers,
        Call::TrafficCut,
        subject,
        &asked,
        drain,
        act,
    )
    .await
}

async fn restore(
    State(sim): Sim,
    headers: HeaderMap,
    Body(asked): Body<TrafficRestore>,
) -> Result<Response, Refusal> {
    let subject = Subject {
        data_center: Some(asked.data_center.clone()),
        names: vec![asked.product_group.clone()],
    };
    let act = |world: &mut World, _, _| world.restore(&asked);
    accepted(
        &sim,
        &headers,
        Call::TrafficRestore,
        subject,
        &asked,
        0,
        act,
    )
    .await
}

async fn restart(
    State(sim): Sim,
    headers: HeaderMap,
    Body(asked): Body<ApplicationRestart>,
) -> Result<Response, Refusal> {
    let subject = Subject {
        data_center: Some(asked.data_center.clone()),
        names: vec![asked.product_group.clone(), asked.application.clone()],
    };
    let act = |world: &mut World, ends, fails| world.restart(&asked, ends, fails);
    accepted(
        &sim,
        &headers,
        Call::ApplicationRestart,
        subject,
        &asked,
        0,
        act,
    )
    .await
}

async fn switchover(
    State(sim): Sim,
    headers: HeaderMap,
    Body(asked): Body<ClusterMove>,
) -> Result<Response, Refusal> {
    move_primary(&sim, &headers, Call::ClusterSwitchover, asked).await
}

async fn switchback(
    State(sim): Sim,
    headers: HeaderMap,
    Body(asked): Body<ClusterMove>,
) -> Result<Response, Refusal> {
    move_primary(&sim, &headers, Call::ClusterSwitchback, asked).await
}

async fn move_primary(
    sim: &Simulator,
    headers: &HeaderMap,
    call: Call,
    asked: ClusterMove,
) -> Result<Response, Refusal> {
    let subject = Subject {
        data_center: Some(asked.to.clone()),
        names: vec![asked.cluster.clone()],
    };
    let act = |world: &mut World, _, _| world.move_primary(&asked);
    accepted(sim, headers, call, subject, &asked, 0, act).await
}
