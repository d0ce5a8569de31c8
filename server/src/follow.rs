//! Following the event table: several instances share one database, and each runs its
//! own executions. Every few hundred milliseconds this instance reads what was
//! committed — the executions whose events changed lately, then their events after the
//! last one read here — and hands it to the same bus its own commits go to, so a
//! browser on any instance sees every execution live. Its own commits reach the bus at
//! once; the bus passes each event on only once.
//!
//! A change of an execution's state or of a step (an operator paused or cancelled it,
//! perhaps on another instance) wakes this instance's runner of it, if it has one. The
//! follower cannot tell its own commits from others', and need not: a runner woken for
//! nothing only looks again.

use crate::tasks::Supervisor;
use app::bus::{EngineHandle, ExecutionBus};
use app::domain::event::Change;
use app::domain::ids::ExecutionId;
use app::store::Store;
use app::store::executions::{events_after, follow};
use std::collections::{HashMap, HashSet};
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
            read: HashMap::new(),
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
    /// The last `seq` read, per execution changed within the look-back.
    read: HashMap<ExecutionId, u64>,
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
        let changed = follow::changed_within(&self.store, LOOK_BACK).await?;
        let mut read = HashMap::with_capacity(changed.len());
        for (id, last) in changed {
            let from = match (self.read.get(&id), self.primed) {
                (Some(seen), _) => *seen,
                (None, false) => last,
                (None, true) => last.saturating_sub(FIRST_SIGHT),
            };
            read.insert(id, from);
            if last <= from {
                continue;
            }
            let events = events_after(&self.store, id, from, BATCH).await?;
            if let Some(newest) = events.last() {
                read.insert(id, newest.seq);
            }
            let moved = events
                .iter()
                .any(|e| matches!(e.change, Change::Execution(_) | Change::Step(_)));
            self.bus.publish(events);
            if moved {
                self.engine.changed(id);
            }
        }
        // Executions that left the look-back are forgotten; seen again, they are read
        // from a little before their last event.
        self.read = read;
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
