//! The audit log as the console shows it: who did what, when, to what, with which outcome.

use super::choice::choice;
use super::role::Role;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

choice! {
    /// How an audited call ended.
    Outcome {
        Ok = "ok", "OK";
        /// The caller was not allowed (not signed in, wrong role, bad origin, throttled).
        Refused = "refused", "Refused";
        /// Allowed, but it did not succeed (invalid input, conflict, fault).
        Failed = "failed", "Failed";
    }
}

/// One entry of the audit log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub id: u64,
    pub at: DateTime<Utc>,
    pub actor_name: String,
    pub actor_role: Option<Role>,
    /// The endpoint of the server function, such as `users/create`.
    pub action: String,
    pub target_kind: Option<String>,
    pub target_id: Option<String>,
    pub outcome: Outcome,
    pub reason: Option<String>,
    pub client_addr: Option<String>,
}

/// A filter over the audit log; empty fields match everything.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditQuery {
    pub actor: Option<String>,
    pub action: Option<String>,
    pub target_kind: Option<String>,
    pub target_id: Option<String>,
    /// From this instant on (inclusive).
    #[serde(default, deserialize_with = "super::time::deserialize_optional")]
    pub from: Option<DateTime<Utc>>,
    /// Up to this instant (exclusive).
    #[serde(default, deserialize_with = "super::time::deserialize_optional")]
    pub to: Option<DateTime<Utc>>,
    /// Zero-based page number; pages hold `AUDIT_PAGE_SIZE` entries, newest first.
    #[serde(default)]
    pub page: u32,
}

pub const AUDIT_PAGE_SIZE: u32 = 50;

/// One page of the audit log, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditPage {
    pub entries: Vec<AuditEntry>,
    pub page: u32,
    pub page_size: u32,
    /// Entries matching the filter, on all pages.
    pub total: u64,
}
