//! This instance's heartbeat: every few seconds it writes its row in the instances table
//! (name, data center, version, run mode, which database node it uses), so every
//! instance's Cluster page knows who is live. While degraded it writes nothing: the
//! others see it go quiet, which is what it is to them.

use crate::tasks::{Supervisor, every};
use app::domain::cluster::{HEARTBEAT_SECONDS, InstanceIdentity};
use app::store::Store;
use std::time::Duration;

pub fn start(supervisor: &Supervisor, store: Store, identity: InstanceIdentity) {
    let started_at = chrono::Utc::now();
    supervisor.spawn("heartbeat", move |stop| async move {
        every(Duration::from_secs(HEARTBEAT_SECONDS), stop, || async {
            if store.mode().is_degraded() {
                return;
            }
            if let Err(error) =
                app::store::instances::heartbeat(&store, &identity, started_at).await
            {
                tracing::debug!(%error, "heartbeat not written");
            }
        })
        .await
    });
}
