//! The control API under `/sim/` (`app::domain::simulator`): read everything, inject and
//! clear faults, set the timing, reset the world. Behind the same basic auth as the
//! platform API (`super::authenticate`).

use super::{Refusal, Simulator};
use app::domain::platform::{ErrorCode, PlatformError};
use app::domain::simulator::{FaultSpec, SimulatorState, Timing, paths};
use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post, put};
use std::sync::Arc;

type Sim = State<Arc<Simulator>>;

pub(super) fn routes() -> axum::Router<Arc<Simulator>> {
    axum::Router::new()
        .route(paths::STATE, get(state))
        .route(paths::RESET, post(reset))
        .route(paths::FAULTS, post(inject).delete(clear_all))
        .route("/sim/faults/{id}", delete(clear))
        .route(paths::TIMING, put(set_timing))
}

fn body<T>(body: Result<Json<T>, JsonRejection>) -> Result<T, Refusal> {
    body.map(|Json(value)| value).map_err(|rejection| {
        Refusal(PlatformError::new(
            ErrorCode::BadRequest,
            rejection.body_text(),
        ))
    })
}

async fn state(State(sim): Sim) -> Result<Json<SimulatorState>, Refusal> {
    Ok(Json(sim.state()))
}

async fn reset(State(sim): Sim) -> Result<Json<SimulatorState>, Refusal> {
    sim.reset().await.map_err(|e| {
        tracing::warn!(error = %e, "the simulator could not read the estate");
        Refusal(PlatformError::new(
            ErrorCode::Unavailable,
            "the estate cannot be read now; the world is as it was",
        ))
    })?;
    Ok(Json(sim.state()))
}

async fn inject(
    State(sim): Sim,
    spec: Result<Json<FaultSpec>, JsonRejection>,
) -> Result<Response, Refusal> {
    let fault = sim.faults().inject(body(spec)?)?;
    Ok((StatusCode::CREATED, Json(fault)).into_response())
}

async fn clear(State(sim): Sim, Path(id): Path<String>) -> Result<Json<SimulatorState>, Refusal> {
    let cleared = id.parse().is_ok_and(|id| sim.faults().clear(id));
    if !cleared {
        return Err(Refusal(PlatformError::new(
            ErrorCode::NotPossible,
            format!("there is no active fault {id:?}; it may have run out"),
        )));
    }
    Ok(Json(sim.state()))
}

async fn clear_all(State(sim): Sim) -> Result<Json<SimulatorState>, Refusal> {
    sim.faults().clear_all();
    Ok(Json(sim.state()))
}

async fn set_timing(
    State(sim): Sim,
    timing: Result<Json<Timing>, JsonRejection>,
) -> Result<Json<SimulatorState>, Refusal> {
    let timing = body(timing)?
        .checked()
        .map_err(|e| Refusal(PlatformError::new(ErrorCode::BadRequest, e.message)))?;
    *super::locked(&sim.timing) = timing;
    Ok(Json(sim.state()))
}
