//! The cluster (集群): which instance answered (the footer), and every instance that
//! shares the database, as their heartbeats tell (the Cluster page).

use crate::domain::cluster::{ClusterView, InstanceIdentity};
use crate::error::AppError;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

/// The instance serving this request.
#[server(endpoint = "cluster/here", input = Json, output = Json)]
pub async fn this_instance() -> Result<InstanceIdentity, AppError> {
    use crate::domain::role::Action;
    super::server_side::run(Action::ThisInstance, None, async |_| {
        Ok(crate::services::Services::current()?.instance)
    })
    .await
}

/// Every instance heard from within the last day: data center, version, run mode, last
/// heartbeat, executions owned, database node.
#[server(endpoint = "cluster/list", input = Json, output = Json)]
pub async fn list_instances() -> Result<ClusterView, AppError> {
    use crate::domain::role::Action;
    super::server_side::run(Action::ListInstances, None, async |actor| {
        Ok(ClusterView {
            here: crate::services::Services::current()?.instance,
            instances: crate::store::instances::list(&actor.auth.store).await?,
        })
    })
    .await
}
