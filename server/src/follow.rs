//! Following the event table: several instances share one database, and each runs its
//! own executions. Every few hundred milliseconds this instance reads what the others
//! committed — the executions whose events changed lately, then their events after the
//! last one passed on here — and hands it to the same bus its own commits go to, so a
//! browser on any instance sees every execution live. A change of an execution this
//! instance runs (an operator paused it on another instance, say) wakes its runner.
//! Its own commits reach the bus at once; the bus passes each event on only once.

use crate::tasks::Supervisor;
use app::bus::{EngineHandle, ExecutionBus};
use app::domain::ids::ExecutionId;
use app::store::Store;
use app::store::executions::{events_after, follow};
use std::collections::HashSet;
use std::time::Duration;

/// How often the event table is read.
pub const FOLLOW_EVERY: Duration = Duration::from_millis(200);

/// How far back, by the database's clock, a round looks for changed executions: covers a
/// transaction's time between stamping the row and committing, a replica's apply delay,
/// and clocks of database nodes that disagree.
const LOOK_BACK: Duration = Duration::from_secs(30);

/// At most this many of an execution's events are read in one round; the rest come in
/// the next.
const BATCH: i64 = 500;

/// An execution first seen after the follower started is read from at most this many
/// events back; a watcher that needs older ones reads them from the database.
const FIRST_SIGHT: u64 = 100;

/// Starts following under `supervisor`.
pub fn start(supervisor: &Supervisor, store: Store, bus: ExecutionBus, engine: EngineHandle) {
    supervisor.spawn("event table follower", move |stop| async move {
        let mut follower = Follower {
            store,
            bus,
            engine,
            primed: false,
            not_started: HashSet::new(),
        };
        let mut tick = tokio::time::interval(FOLLOW_EVERY);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                () = stop.cancelled() => return,
                _ = tick.tick() => follower.round().await,
            }
        }
    });
}

struct Follower {
    store: Store,
    bus: ExecutionBus,
    engine: EngineHandle,
    /// The first round only learns where each execution stands: what came before the
    /// start, watchers read from the database.
    primed: bool,
    /// Executions not yet started at the last round: one that vanishes was cancelled
    /// before it started, and is removed from every list.
    not_started: HashSet<ExecutionId>,
}

impl Follower {
    async fn round(&mut self) {
        // While degraded, nothing other instances commit is readable.
        if self.store.mode().is_degraded() {
            return;
        }
        if let Err(error) = self.follow().await {
            tracing::debug!(%error, "the event table was not followed this round");
        }
    }

    async fn follow(&mut self) -> Result<(), app::store::StoreError> {
        for (id, last) in follow::changed_within(&self.store, LOOK_BACK).await? {
            let passed = match (self.bus.last_passed(id), self.primed) {
                (Some(passed), _) => passed,
                (None, false) => last,
                (None, true) => last.saturating_sub(FIRST_SIGHT),
            };
            if last <= passed {
                continue;
            }
            let events = events_after(&self.store, id, passed, BATCH).await?;
            self.bus.publish(events);
            self.engine.changed_elsewhere(id);
        }
        self.primed = true;
        let now: HashSet<ExecutionId> = follow::not_started(&self.store)
            .await?
            .into_iter()
            .collect();
        let left: Vec<ExecutionId> = self.not_started.difference(&now).copied().collect();
        for id in follow::removed(&self.store, &left).await? {
            self.bus.removed(id);
        }
        self.not_started = now;
        Ok(())
    }
}
