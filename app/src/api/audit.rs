//! The audit log, for admins and auditors.

use crate::domain::audit::{AuditPage, AuditQuery};
use crate::error::AppError;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

/// One page of audit entries matching the filter, newest first.
#[server(endpoint = "audit/list", input = Json, output = Json)]
pub async fn list_audit_entries(query: AuditQuery) -> Result<AuditPage, AppError> {
    use crate::domain::role::Action;
    super::server_side::run(Action::ListAuditEntries, None, async |actor| {
        Ok(crate::store::audit::list(&actor.auth.store, &query).await?)
    })
    .await
}
