//! The platform API, version 1: what Switchyard's engine sends to the traffic gateway,
//! the application platform and the database service of a data center, and what they
//! answer. The engine's client and the built-in simulator share these types, so they
//! cannot drift; an adapter for a real platform implements the same API (see the
//! README, "Platform API").
//!
//! Every name travels in a JSON body or a query string, never in a path, so product
//! groups such as "Customer portal" need no escaping. Long operations answer `202` with
//! an [`Operation`]; `GET /v1/operations/{id}` follows it until it ends.

use super::choice::choice;
use serde::{Deserialize, Serialize};

/// The version this module describes; every path starts with it.
pub const API_VERSION: &str = "v1";

/// The header that makes a mutating call safe to repeat: the same key twice returns the
/// first call's operation and never acts twice.
pub const IDEMPOTENCY_KEY: &str = "Idempotency-Key";

/// Headers that say which run a call belongs to, for the platform's own logs. Optional
/// for the platform to read; the engine always sends them.
pub const RUN_CONTEXT_HEADERS: [&str; 4] = [
    "X-Switchyard-Execution",
    "X-Switchyard-Phase",
    "X-Switchyard-Step",
    "X-Switchyard-Attempt",
];

/// The paths of the API, relative to a config's `http://host:port`.
pub mod paths {
    pub const HEALTH: &str = "/v1/health";
    pub const TRAFFIC: &str = "/v1/traffic";
    pub const TRAFFIC_CUT: &str = "/v1/traffic/cut";
    pub const TRAFFIC_RESTORE: &str = "/v1/traffic/restore";
    pub const APPLICATION: &str = "/v1/applications";
    pub const APPLICATION_RESTART: &str = "/v1/applications/restart";
    pub const CLUSTER: &str = "/v1/clusters";
    pub const CLUSTER_SWITCHOVER: &str = "/v1/clusters/switchover";
    pub const CLUSTER_SWITCHBACK: &str = "/v1/clusters/switchback";

    /// Where an operation is followed.
    pub fn operation(id: &str) -> String {
        format!("/v1/operations/{id}")
    }

    /// Where an operation is followed, asking the platform to hold its answer while the
    /// operation runs, for at most `wait_ms` (see [`super::MAX_WAIT_MS`]).
    pub fn operation_waiting(id: &str, wait_ms: u64) -> String {
        format!("/v1/operations/{id}?wait_ms={wait_ms}")
    }
}

/// `GET /v1/operations/{id}?wait_ms=N` (a long poll): a platform may hold its answer
/// while the operation runs, for at most N ms (capped at this), and answer as soon as it
/// ends. A platform that ignores `wait_ms` answers at once; the engine then waits a little
/// before it asks again.
pub const MAX_WAIT_MS: u64 = 10_000;

/// The query of `GET /v1/operations/{id}`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OperationQuery {
    #[serde(default)]
    pub wait_ms: Option<u64>,
}

/// `GET /v1/health`: the platform answers, and says which it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Health {
    /// `ok` when the platform can take work.
    pub status: String,
    /// Which platform answers: `traffic_gateway`, `app_platform` or `database`
    /// (a simulator answers `simulator`: it is all three).
    pub platform: String,
    pub api_version: String,
}

/// `POST /v1/traffic/cut`: stop sending a product group's traffic to a data center.
/// Refused (`no_site_left`) when no other data center would still serve the group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrafficCut {
    pub product_group: String,
    pub data_center: String,
    /// How long open connections may finish before they are cut.
    pub drain_seconds: u32,
}

/// `POST /v1/traffic/restore`: send a product group's traffic to a data center again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrafficRestore {
    pub product_group: String,
    pub data_center: String,
    /// The share of the group's traffic this data center receives (1–100).
    pub weight_percent: u8,
}

/// `GET /v1/traffic?product_group=...`: where a product group's traffic goes now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrafficState {
    pub product_group: String,
    pub serving: Vec<ServingSite>,
}

/// One data center taking a share of a product group's traffic.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServingSite {
    pub data_center: String,
    pub weight_percent: u8,
}

/// `POST /v1/applications/restart`: restart one application in one data center; the
/// operation succeeds when the application reports healthy again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApplicationRestart {
    pub product_group: String,
    pub application: String,
    pub data_center: String,
}

choice! {
    /// How an application is doing in one data center.
    ApplicationHealth {
        Running = "running", "Running";
        Stopped = "stopped", "Stopped";
        Restarting = "restarting", "Restarting";
        Unhealthy = "unhealthy", "Unhealthy";
    }
}

/// `GET /v1/applications?product_group=...&application=...&data_center=...`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApplicationState {
    pub product_group: String,
    pub application: String,
    pub data_center: String,
    pub health: ApplicationHealth,
}

/// `POST /v1/clusters/switchover` and `/v1/clusters/switchback`: make the copy in
/// `to` the cluster's primary (switchover: to the emergency data center; switchback: to
/// the recovered one, once its copy has caught up).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClusterMove {
    pub cluster: String,
    pub to: String,
}

/// `GET /v1/clusters?cluster=...`: where a cluster's primary is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClusterState {
    pub cluster: String,
    pub primary: String,
    pub members: Vec<String>,
}

choice! {
    /// Where an operation is. Running goes on; the two others are final.
    OperationState {
        Running = "running", "Running";
        Succeeded = "succeeded", "Succeeded";
        Failed = "failed", "Failed";
    }
}

/// A long operation: the `202` answer to every mutating call, and what
/// `GET /v1/operations/{id}` answers until it ends.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Operation {
    /// Chosen by the platform; stable for the idempotency key that created it.
    pub id: String,
    /// What it does, as its path says: `traffic.cut`, `application.restart`, ...
    pub kind: String,
    pub state: OperationState,
    /// For people: why it failed, or what it did.
    pub message: String,
    /// What the platform did, line by line, for the step's log.
    pub log: Vec<String>,
}

/// The longest operation id a platform may give (what the engine records).
pub const MAX_OPERATION_ID: usize = 128;
/// An operation's message is kept up to this many characters.
pub const MAX_MESSAGE: usize = 2000;
/// An operation's log is kept up to this many lines, each up to `MAX_MESSAGE` characters.
pub const MAX_LOG_LINES: usize = 200;

impl Operation {
    pub fn is_final(&self) -> bool {
        self.state != OperationState::Running
    }

    /// The operation as the engine keeps it: an id it can record and ask about again
    /// (refused otherwise, saying why), its message and log cut to size, saying where.
    pub fn bounded(mut self) -> Result<Self, String> {
        let length = self.id.chars().count();
        if length == 0 || length > MAX_OPERATION_ID {
            return Err(format!(
                "an operation id of {length} characters (1 to {MAX_OPERATION_ID} expected)"
            ));
        }
        if self.id.chars().any(char::is_control) {
            return Err("an operation id with control characters".to_owned());
        }
        self.kind = super::text::cut(&self.kind, 64);
        self.message = super::text::cut(&self.message, MAX_MESSAGE);
        let lines = self.log.len();
        self.log.truncate(MAX_LOG_LINES);
        for line in &mut self.log {
            *line = super::text::cut(line, MAX_MESSAGE);
        }
        if lines > MAX_LOG_LINES {
            self.log.push(format!(
                "… [log cut after {MAX_LOG_LINES} of {lines} lines]"
            ));
        }
        Ok(self)
    }
}

choice! {
    /// Why a platform refused a call: stable codes a program branches on.
    ErrorCode {
        /// 400: the body or query is not what the API says.
        BadRequest = "bad_request", "Bad request";
        /// 401: missing or wrong credentials.
        Unauthorized = "unauthorized", "Unauthorized";
        /// 404: no such product group.
        UnknownProductGroup = "unknown_product_group", "Unknown product group";
        /// 404: no such application in the group.
        UnknownApplication = "unknown_application", "Unknown application";
        /// 404: no such data center.
        UnknownDataCenter = "unknown_data_center", "Unknown data center";
        /// 404: no such database cluster.
        UnknownCluster = "unknown_cluster", "Unknown cluster";
        /// 404: no such operation.
        UnknownOperation = "unknown_operation", "Unknown operation";
        /// 409: the cut would leave the product group with no data center serving it.
        NoSiteLeft = "no_site_left", "No site left";
        /// 409: the target has no copy of the cluster, or the move is not possible now.
        NotPossible = "not_possible", "Not possible";
        /// 422: the idempotency key was used before for a different request.
        IdempotencyKeyReused = "idempotency_key_reused", "Idempotency key reused";
        /// 500: the platform failed; the call may be repeated with the same key.
        Internal = "internal", "Internal error";
        /// 503: the platform cannot take work now; the call may be repeated with the same key.
        Unavailable = "unavailable", "Unavailable";
    }
}

impl ErrorCode {
    /// The HTTP status that goes with the code.
    pub fn status(self) -> u16 {
        match self {
            Self::BadRequest => 400,
            Self::Unauthorized => 401,
            Self::UnknownProductGroup
            | Self::UnknownApplication
            | Self::UnknownDataCenter
            | Self::UnknownCluster
            | Self::UnknownOperation => 404,
            Self::NoSiteLeft | Self::NotPossible => 409,
            Self::IdempotencyKeyReused => 422,
            Self::Internal => 500,
            Self::Unavailable => 503,
        }
    }
}

/// Every refusal's body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlatformError {
    pub code: ErrorCode,
    pub message: String,
}

impl PlatformError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn requests_read_as_the_api_says_and_refuse_strangers() {
        let cut: TrafficCut = serde_json::from_value(json!({
            "product_group": "Customer portal", "data_center": "Shanghai-A", "drain_seconds": 30
        }))
        .unwrap();
        assert_eq!(cut.product_group, "Customer portal");
        let stranger = json!({ "cluster": "orders-db", "to": "Beijing-C", "force": true });
        assert!(serde_json::from_value::<ClusterMove>(stranger).is_err());
    }

    #[test]
    fn operations_and_errors_speak_their_stable_names() {
        let op = Operation {
            id: "op-1".into(),
            kind: "traffic.cut".into(),
            state: OperationState::Running,
            message: String::new(),
            log: vec![],
        };
        assert_eq!(serde_json::to_value(&op).unwrap()["state"], "running");
        assert!(!op.is_final());
        let error = PlatformError {
            code: ErrorCode::NoSiteLeft,
            message: "nobody would serve Payments".into(),
        };
        assert_eq!(
            serde_json::to_value(&error).unwrap()["code"],
            "no_site_left"
        );
        assert_eq!(ErrorCode::NoSiteLeft.status(), 409);
        for code in ErrorCode::ALL {
            assert!((400..600).contains(&code.status()), "{code}");
        }
    }

    #[test]
    fn an_operation_is_kept_within_bounds_or_refused() {
        let op = |id: &str, log: Vec<String>| Operation {
            id: id.into(),
            kind: "application.restart".into(),
            state: OperationState::Succeeded,
            message: "m".repeat(MAX_MESSAGE + 5),
            log,
        };
        let long_id = "x".repeat(MAX_OPERATION_ID + 1);
        assert!(
            op(&long_id, vec![])
                .bounded()
                .unwrap_err()
                .contains("129 characters")
        );
        assert!(op("", vec![]).bounded().is_err());
        assert!(op("op\n1", vec![]).bounded().is_err());
        let kept = op("op-1", vec!["l".repeat(70_000); MAX_LOG_LINES + 3])
            .bounded()
            .unwrap();
        assert!(
            kept.message
                .ends_with(&format!("[cut at {MAX_MESSAGE} of 2005 characters]"))
        );
        assert_eq!(kept.log.len(), MAX_LOG_LINES + 1);
        assert!(kept.log[0].contains("of 70000 characters"));
        assert_eq!(
            kept.log[MAX_LOG_LINES],
            "… [log cut after 200 of 203 lines]"
        );
    }

    #[test]
    fn every_path_is_under_the_version() {
        for path in [
            paths::HEALTH,
            paths::TRAFFIC,
            paths::TRAFFIC_CUT,
            paths::TRAFFIC_RESTORE,
            paths::APPLICATION,
            paths::APPLICATION_RESTART,
            paths::CLUSTER,
            paths::CLUSTER_SWITCHOVER,
            paths::CLUSTER_SWITCHBACK,
        ] {
            assert!(path.starts_with(&format!("/{API_VERSION}/")), "{path}");
        }
        assert_eq!(paths::operation("op-7"), "/v1/operations/op-7");
    }
}
