//! Where execution changes go once committed: the bus carries every event (and the
//! removal of an execution cancelled before it started) to the live channel, and the
//! engine handle wakes the engine for an execution an operator just moved. Both are
//! handed to server functions in `Services`; the server implements what listens.
//!
//! Events reach the bus twice over when several instances share the database: once from
//! the instance that committed them, and once from every instance's follower of the
//! event table. The bus passes each execution's events on once and in `seq` order.

use crate::domain::cluster::Claimant;
use crate::domain::event::ExecutionEvent;
use crate::domain::ids::ExecutionId;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use tokio::sync::{broadcast, mpsc};

/// How many messages the bus holds for a listener that has not read them yet; one that
/// falls further behind is told so (and catches up from the database).
pub const BUS_CAPACITY: usize = 8192;

/// A committed change of an execution.
#[derive(Debug, Clone, PartialEq, Eq)]
#[expect(
    clippy::large_enum_variant,
    reason = "each message is put in an Arc once and shared by every listener"
)]
pub enum BusMessage {
    Event(ExecutionEvent),
    /// Cancelled before it started: it is gone (the audit log keeps it).
    Removed(ExecutionId),
}

/// Every committed execution change, each execution's in `seq` order.
#[derive(Debug, Clone)]
pub struct ExecutionBus {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    sender: broadcast::Sender<Arc<BusMessage>>,
    /// The last `seq` passed on, per execution. Sending happens under this lock, so
    /// listeners get each execution's events in the order they were let through.
    passed: Mutex<HashMap<ExecutionId, u64>>,
}

impl Default for ExecutionBus {
    fn default() -> Self {
        Self {
            inner: Arc::new(Inner {
                sender: broadcast::channel(BUS_CAPACITY).0,
                passed: Mutex::default(),
            }),
        }
    }
}

impl ExecutionBus {
    /// Sends committed events, in order, leaving out any at or below a `seq` already
    /// passed on for its execution (a watcher that misses one fills the gap from the
    /// database). Nobody listening is fine.
    pub fn publish(&self, events: impl IntoIterator<Item = ExecutionEvent>) {
        let mut passed = self.passed();
        for event in events {
            let last = passed.entry(event.execution_id).or_default();
            if event.seq <= *last {
                continue;
            }
            *last = event.seq;
            let _ = self.inner.sender.send(Arc::new(BusMessage::Event(event)));
        }
    }

    pub fn removed(&self, id: ExecutionId) {
        let mut passed = self.passed();
        passed.remove(&id);
        let _ = self.inner.sender.send(Arc::new(BusMessage::Removed(id)));
    }

    fn passed(&self) -> std::sync::MutexGuard<'_, HashMap<ExecutionId, u64>> {
        self.inner.passed.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Arc<BusMessage>> {
        self.inner.sender.subscribe()
    }
}

/// How many wake-ups may wait for the engine; more are dropped, and the engine's own
/// periodic look at running executions picks them up.
pub const WAKE_CAPACITY: usize = 1024;

/// Why the engine looks at an execution again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wake {
    /// An operator moved it here (started, resumed, retried, skipped, confirmed ...): run
    /// it, unless another instance does.
    Run(ExecutionId),
    /// Its state or a step changed, perhaps on another instance: a runner of it here
    /// looks again (it may have been paused or cancelled); no runner is started for it.
    Changed(ExecutionId),
}

/// Tells the engine to look at an execution again; knows under which name and lease the
/// engine holds executions (an operator's command keeps the lease for it).
#[derive(Debug, Clone)]
pub struct EngineHandle {
    wake: mpsc::Sender<Wake>,
    claimant: Claimant,
}

impl EngineHandle {
    /// The handle and the receiving end the engine reads.
    pub fn new(claimant: Claimant) -> (Self, mpsc::Receiver<Wake>) {
        let (wake, receiver) = mpsc::channel(WAKE_CAPACITY);
        (Self { wake, claimant }, receiver)
    }

    /// How the engine this handle wakes holds executions.
    pub fn claimant(&self) -> &Claimant {
        &self.claimant
    }

    /// Whether the engine still reads its wake-ups (it runs).
    pub fn is_running(&self) -> bool {
        !self.wake.is_closed()
    }

    pub fn wake(&self, id: ExecutionId) {
        self.send(Wake::Run(id));
    }

    /// `id` changed (see [`Wake::Changed`]).
    pub fn changed(&self, id: ExecutionId) {
        self.send(Wake::Changed(id));
    }

    fn send(&self, wake: Wake) {
        if self.wake.try_send(wake).is_err() {
            tracing::debug!(?wake, "engine wake-up dropped; its periodic look finds it");
        }
    }
}
