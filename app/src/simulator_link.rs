//! The console's line to the built-in simulator's control API (`domain::simulator`),
//! over HTTP with basic auth, whether the simulator runs inside this process or alone.
//! Server only.

use crate::domain::platform::PlatformError;
use crate::domain::simulator::{Fault, FaultSpec, SimulatorState, Timing, paths};
use reqwest::{Method, RequestBuilder};
use serde::de::DeserializeOwned;
use std::net::SocketAddr;
use std::time::Duration;

/// How long the console waits for the simulator.
const TIMEOUT: Duration = Duration::from_secs(5);

/// Where the simulator listens and the credentials it wants.
#[derive(Debug, Clone)]
pub struct SimulatorLink {
    address: SocketAddr,
    base: String,
    username: String,
    password: String,
    client: reqwest::Client,
}

/// Why a control call did not work.
#[derive(Debug, thiserror::Error)]
pub enum LinkError {
    /// Nothing answered (not started, or another address).
    #[error("the simulator at {0} does not answer")]
    Unreachable(String),
    /// The simulator refused the call, with its reason.
    #[error("{}", .0.message)]
    Refused(PlatformError),
    /// It answered something the control API does not say.
    #[error("the simulator answered unexpectedly: {0}")]
    Unexpected(String),
}

impl SimulatorLink {
    /// A link to `http://{address}`.
    pub fn new(address: SocketAddr, username: &str, password: &str) -> Self {
        let client = reqwest::Client::builder()
            .timeout(TIMEOUT)
            .connect_timeout(TIMEOUT)
            .build()
            .unwrap_or_default();
        Self {
            address,
            base: format!("http://{address}"),
            username: username.to_owned(),
            password: password.to_owned(),
            client,
        }
    }

    /// The user name and password the simulator wants.
    pub fn credentials(&self) -> (&str, &str) {
        (&self.username, &self.password)
    }

    /// Where the simulator listens.
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// `http://host:port`, for messages.
    pub fn base(&self) -> &str {
        &self.base
    }

    fn request(&self, method: Method, path: &str) -> RequestBuilder {
        self.client
            .request(method, format!("{}{path}", self.base))
            .basic_auth(&self.username, Some(&self.password))
    }

    async fn send<T: DeserializeOwned>(&self, request: RequestBuilder) -> Result<T, LinkError> {
        let response = request
            .send()
            .await
            .map_err(|_| LinkError::Unreachable(self.base.clone()))?;
        let status = response.status();
        let body = response
            .bytes()
            .await
            .map_err(|e| LinkError::Unexpected(e.to_string()))?;
        if status.is_success() {
            serde_json::from_slice(&body).map_err(|e| LinkError::Unexpected(e.to_string()))
        } else {
            Err(serde_json::from_slice(&body)
                .map(LinkError::Refused)
                .unwrap_or_else(|_| LinkError::Unexpected(format!("HTTP {status}"))))
        }
    }

    /// The world, timing, faults and latest calls.
    pub async fn state(&self) -> Result<SimulatorState, LinkError> {
        self.send(self.request(Method::GET, paths::STATE)).await
    }

    /// Injects a fault; answers it with its id.
    pub async fn inject(&self, spec: &FaultSpec) -> Result<Fault, LinkError> {
        self.send(self.request(Method::POST, paths::FAULTS).json(spec))
            .await
    }

    /// Clears one fault; answers the state after.
    pub async fn clear(&self, id: u64) -> Result<SimulatorState, LinkError> {
        self.send(self.request(Method::DELETE, &paths::fault(id)))
            .await
    }

    /// Clears every fault; answers the state after.
    pub async fn clear_all(&self) -> Result<SimulatorState, LinkError> {
        self.send(self.request(Method::DELETE, paths::FAULTS)).await
    }

    /// Puts the world back as the estate says; answers the state after.
    pub async fn reset(&self) -> Result<SimulatorState, LinkError> {
        self.send(self.request(Method::POST, paths::RESET)).await
    }

    /// Sets how long operations take; answers the state after.
    pub async fn set_timing(&self, timing: &Timing) -> Result<SimulatorState, LinkError> {
        self.send(self.request(Method::PUT, paths::TIMING).json(timing))
            .await
    }
}
