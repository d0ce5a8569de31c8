//! The mirror: the configuration (plans, data centers, product groups, database clusters,
//! connection configs, the step catalog, the user directory) as MySQL last held it, in memory, so that
//! reading it goes on in degraded mode. In normal mode it is refreshed after every change
//! this instance commits and on a timer (changes made by other instances), and written
//! atomically to a local snapshot file beside the journal; in degraded mode it is not
//! refreshed (the manual says synchronisation stops).

use crate::domain::connection::ConnectionConfig;
use crate::domain::environment::{DataCenter, DatabaseCluster, ProductGroup};
use crate::domain::ids::ConnectionConfigId;
use crate::domain::plan::{PlanDetail, PlanSummary};
use crate::domain::step::StepType;
use crate::domain::user::UserState;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

/// The configuration, as read from MySQL at `taken_at`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Configuration {
    pub taken_at: DateTime<Utc>,
    pub data_centers: Vec<DataCenter>,
    pub product_groups: Vec<ProductGroup>,
    pub database_clusters: Vec<DatabaseCluster>,
    /// Without passwords: those stay sealed in MySQL (and the mirror never holds them).
    pub connection_configs: Vec<ConnectionConfig>,
    /// Connection config passwords as MySQL keeps them, sealed with the instance's
    /// stored-secrets key (never in the clear): the engine opens them while degraded.
    #[serde(default)]
    pub sealed_passwords: Vec<SealedPassword>,
    pub plans: Vec<PlanSummary>,
    pub plan_details: Vec<PlanDetail>,
    pub step_types: Vec<StepType>,
    /// Every user's role, state and session generation (no password hashes): a restart
    /// in degraded mode checks existing sessions against it.
    #[serde(default)]
    pub users: Vec<UserState>,
    /// The newest migration the database had applied: a restart in degraded mode is
    /// refused to a build that expects another schema.
    #[serde(default)]
    pub schema_version: Option<String>,
}

/// A connection config's stored password, sealed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SealedPassword {
    pub config: ConnectionConfigId,
    pub sealed: Vec<u8>,
}

/// Writes `configuration` to `path` atomically: a temporary file beside it, synced, then
/// renamed over it and the directory synced, so a crash leaves the old snapshot or the
/// new one, never a torn one.
pub fn write_snapshot(path: &Path, configuration: &Configuration) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or_else(|| Path::new("."));
    std::fs::create_dir_all(dir)?;
    let temporary = path.with_extension("json.tmp");
    {
        // Readable by this instance's user only: it holds the sealed passwords.
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            .open(&temporary)?;
        serde_json::to_writer(&mut file, configuration)?;
        file.flush()?;
        file.sync_all()?;
    }
    std::fs::rename(&temporary, path)?;
    std::fs::File::open(dir)?.sync_all()
}

/// The snapshot at `path`, if there is a readable one.
pub fn read_snapshot(path: &Path) -> std::io::Result<Option<Configuration>> {
    match std::fs::read(path) {
        Ok(bytes) => Ok(Some(serde_json::from_slice(&bytes)?)),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(error) => Err(error),
    }
}
