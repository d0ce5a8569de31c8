//! The run mode (运行模式): whether the console works from MySQL or, while MySQL is down,
//! from memory; why it is in that mode; and what the switch back wrote.

use super::choice::choice;
use super::ids::ExecutionId;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

choice! {
    RunMode {
        /// Data lives in MySQL; configuration is mirrored into memory.
        Normal = "normal", "Normal";
        /// MySQL is unavailable: work continues from memory and is written back later.
        Degraded = "degraded", "Degraded";
    }
}

impl RunMode {
    /// The manual's name of the mode.
    pub fn manual_name(self) -> &'static str {
        match self {
            Self::Normal => "正常模式",
            Self::Degraded => "降级模式",
        }
    }
}

/// Who or what put the instance in its mode.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "by", rename_all = "snake_case")]
pub enum Switched {
    /// The instance started in this mode.
    AtStart,
    /// The instance switched by itself: the database failed its health checks (or, back
    /// to normal, passed them again).
    Automatically { reason: String },
    /// An admin switched it, and in degraded mode takes responsibility that no other
    /// instance drives this instance's executions.
    ByAdmin { name: String },
}

impl Switched {
    /// How the console says it.
    pub fn describe(&self) -> String {
        match self {
            Self::AtStart => "since this instance started".to_owned(),
            Self::Automatically { reason } => format!("automatically: {reason}"),
            Self::ByAdmin { name } => format!("by {name}"),
        }
    }
}

/// The instance's run mode now, as the settings page and `/readyz` show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunModeStatus {
    pub mode: RunMode,
    pub since: DateTime<Utc>,
    pub switched: Switched,
    /// When the in-memory copy of the configuration was last refreshed from MySQL.
    pub mirrored_at: Option<DateTime<Utc>>,
    /// How old that copy was when this status was read, in whole seconds.
    pub mirror_age_seconds: Option<i64>,
    pub journal: JournalStatus,
    /// What the last switch back to normal wrote, if there was one since the start.
    pub last_reconcile: Option<Reconciled>,
}

/// The local journal: what degraded mode wrote that MySQL does not hold yet.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct JournalStatus {
    /// Records not yet written to MySQL.
    pub unwritten: u64,
    /// The journal file's size on disk.
    pub bytes: u64,
    /// When the oldest unwritten record was made.
    pub oldest_unwritten: Option<DateTime<Utc>>,
}

/// What a reconcile wrote from the journal into MySQL, and what it refused.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reconciled {
    pub at: DateTime<Utc>,
    /// Execution events written (their changes applied to steps and executions).
    pub events: u64,
    /// Step log lines and platform call records written.
    pub step_records: u64,
    pub audit_entries: u64,
    /// Executions whose events were written.
    pub executions: Vec<ExecutionId>,
    /// Journal records found already written (a reconcile repeated): nothing new.
    pub already_written: u64,
    /// Records not written, and why.
    pub refused: Vec<Refusal>,
}

/// A journal record reconcile did not write.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Refusal {
    /// What it was (`execution 12, events 40..52`).
    pub what: String,
    pub why: String,
}
