//! The cluster (集群): the instances of Switchyard that share one database, each named
//! and placed in a data center by its configuration. Every instance writes a heartbeat;
//! the Cluster page lists who is live.

use super::run_mode::RunMode;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// Which instance this is: shown in every page's footer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InstanceIdentity {
    /// Its name in execution leases (`SWITCHYARD_INSTANCE`).
    pub name: String,
    /// The data center it runs in (`SWITCHYARD_DATA_CENTER`), when configured.
    pub data_center: Option<String>,
    pub version: String,
}

/// How an instance drives executions: the name it holds execution leases under (stable across
/// its restarts, so a restarted instance takes its executions back at once) and how long
/// a lease lasts without renewal (another instance takes over after it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claimant {
    pub owner: String,
    pub lease: Duration,
}

impl Claimant {
    /// Renewed every third of it and looked for every second, a dead owner's executions
    /// are taken over 5 to 7 s after it died; each running execution costs one renewal
    /// write every 2 s.
    pub const DEFAULT_LEASE: Duration = Duration::from_secs(6);

    pub fn new(owner: impl Into<String>, lease: Duration) -> Self {
        Self {
            owner: owner.into(),
            lease,
        }
    }
}

/// One instance as its last heartbeat told.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InstanceStatus {
    pub identity: InstanceIdentity,
    pub run_mode: RunMode,
    /// The database server it writes to (`host:port`, as that server names itself).
    pub database_node: String,
    pub started_at: DateTime<Utc>,
    pub heartbeat_at: DateTime<Utc>,
    /// Seconds since its last heartbeat, by the database's clock.
    pub heard_seconds_ago: i64,
    /// Heard from within [`LIVE_WITHIN_SECONDS`].
    pub live: bool,
    /// Running executions whose lease it holds now.
    pub executions_owned: u64,
}

/// What the Cluster page shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClusterView {
    /// The instance that answered.
    pub here: InstanceIdentity,
    /// Every instance heard from within the last day, live ones first.
    pub instances: Vec<InstanceStatus>,
}

/// How often an instance writes its heartbeat.
pub const HEARTBEAT_SECONDS: u64 = 2;

/// An instance not heard from for longer is shown as gone quiet.
pub const LIVE_WITHIN_SECONDS: u64 = 10;

/// Instances not heard from for longer are left off the list.
pub const FORGOTTEN_AFTER_SECONDS: u64 = 24 * 3600;

impl InstanceIdentity {
    /// "dc-a in Shanghai-A" or "dc-a".
    pub fn describe(&self) -> String {
        match &self.data_center {
            Some(data_center) => format!("{} in {data_center}", self.name),
            None => self.name.clone(),
        }
    }
}
