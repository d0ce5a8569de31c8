//! Everything server functions reach on the server, provided into each request's context
//! by the router: the auth services (with the store), the line to the simulator, the bus
//! of committed execution events and the handle that wakes the engine.

use crate::auth::Auth;
use crate::bus::{EngineHandle, ExecutionBus};
use crate::error::AppError;
use crate::simulator_link::SimulatorLink;
use crate::store::Store;
use leptos::prelude::*;

#[derive(Debug, Clone)]
pub struct Services {
    pub auth: Auth,
    /// Which instance this is (the footer, the Cluster page).
    pub instance: crate::domain::cluster::InstanceIdentity,
    /// The built-in simulator's control API, for the Simulator page.
    pub simulator: SimulatorLink,
    /// Committed execution events, for the live channel.
    pub bus: ExecutionBus,
    /// Wakes the engine for an execution an operator moved.
    pub engine: EngineHandle,
}

impl Services {
    /// The services of the current request.
    pub fn current() -> Result<Self, AppError> {
        use_context::<Self>().ok_or_else(|| {
            tracing::error!("no services in the request context");
            AppError::Internal
        })
    }

    pub fn store(&self) -> &Store {
        &self.auth.store
    }
}
