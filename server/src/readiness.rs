//! Plan readiness, kept current: every active plan is evaluated (`app::readiness`) when
//! this instance commits a change of plans or the environment, and on a schedule. With
//! several instances the scheduled round is claimed in the database, so one instance
//! runs it each period; a change is evaluated by the instance that made it. While
//! degraded nothing is evaluated: the verdicts wait for the database.

use crate::tasks::Supervisor;
use app::services::Services;
use std::time::Duration;

/// How long a burst of changes is let settle before one evaluation covers them all.
const SETTLE: Duration = Duration::from_secs(1);

pub fn start(supervisor: &Supervisor, services: &Services, every: Duration) {
    let store = services.store().clone();
    let secrets = services.auth.keys.clone();
    supervisor.spawn("plan readiness", move |stop| async move {
        let mut changes = store.mode().configuration_changes();
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            let scheduled = tokio::select! {
                () = stop.cancelled() => return,
                _ = tick.tick() => true,
                changed = changes.changed() => {
                    if changed.is_err() {
                        return;
                    }
                    tokio::time::sleep(SETTLE).await;
                    changes.mark_unchanged();
                    false
                }
            };
            if store.mode().is_degraded() {
                continue;
            }
            let round = async {
                if scheduled && !app::store::plans::readiness::claim_round(&store, every).await? {
                    return Ok(0);
                }
                let record = app::readiness::scheduled();
                app::readiness::evaluate(&store, &secrets.stored_secrets, None, &record).await
            };
            match round.await {
                Ok(plans) => tracing::debug!(plans, scheduled, "plan readiness evaluated"),
                Err(error) => tracing::warn!(%error, "plan readiness was not evaluated"),
            }
        }
    });
}
