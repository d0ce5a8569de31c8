//! Liveness and readiness probes for load balancers and orchestrators.

use crate::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde_json::{Value, json};

/// `GET /healthz`: the process is alive and answering.
pub async fn healthz() -> Json<Value> {
    Json(json!({ "status": "ok" }))
}

/// `GET /readyz`: the database answers and the execution engine runs; 503 with the
/// reason when either does not. In degraded mode the instance still serves without the
/// database: 200 with `"status": "degraded"`, since when and why.
pub async fn readyz(State(state): State<AppState>) -> (StatusCode, Json<Value>) {
    if !state.services.engine.is_running() {
        let reason = "the execution engine is not running";
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({ "status": "unavailable", "reason": reason })),
        );
    }
    let mode = state.services.store().mode().now();
    if mode.is_degraded() {
        return (
            StatusCode::OK,
            Json(json!({
                "status": "degraded",
                "since": mode.since,
                "reason": mode.switched.describe(),
            })),
        );
    }
    match state.services.store().ping().await {
        Ok(()) => (StatusCode::OK, Json(json!({ "status": "ready" }))),
        Err(error) => (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({ "status": "unavailable", "reason": error.to_string() })),
        ),
    }
}
