//! Where execution changes go once committed: the bus carries every event (and the
//! removal of an execution cancelled before it started) to the live channel, and the
//! engine handle wakes the engine for an execution an operator just moved. Both are
//! handed to server functions in `Services`; the server implements what listens.

use crate::domain::event::ExecutionEvent;
use crate::domain::ids::ExecutionId;
use std::sync::Arc;
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

/// Every committed execution change, in commit order.
#[derive(Debug, Clone)]
pub struct ExecutionBus {
    sender: broadcast::Sender<Arc<BusMessage>>,
}

impl Default for ExecutionBus {
    fn default() -> Self {
        Self {
            sender: broadcast::channel(BUS_CAPACITY).0,
        }
    }
}

impl ExecutionBus {
    /// Sends committed events, in order. Nobody listening is fine.
    pub fn publish(&self, events: impl IntoIterator<Item = ExecutionEvent>) {
        for event in events {
            let _ = self.sender.send(Arc::new(BusMessage::Event(event)));
        }
    }

    pub fn removed(&self, id: ExecutionId) {
        let _ = self.sender.send(Arc::new(BusMessage::Removed(id)));
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Arc<BusMessage>> {
        self.sender.subscribe()
    }
}

/// How many wake-ups may wait for the engine; more are dropped, and the engine's own
/// periodic look at running executions picks them up.
pub const WAKE_CAPACITY: usize = 1024;

/// Tells the engine to look at an execution again (an operator started, resumed,
/// retried, skipped, confirmed ...).
#[derive(Debug, Clone)]
pub struct EngineHandle {
    wake: mpsc::Sender<ExecutionId>,
}

impl EngineHandle {
    /// The handle and the receiving end the engine reads.
    pub fn new() -> (Self, mpsc::Receiver<ExecutionId>) {
        let (wake, receiver) = mpsc::channel(WAKE_CAPACITY);
        (Self { wake }, receiver)
    }

    /// Whether the engine still reads its wake-ups (it runs).
    pub fn is_running(&self) -> bool {
        !self.wake.is_closed()
    }

    pub fn wake(&self, id: ExecutionId) {
        if self.wake.try_send(id).is_err() {
            tracing::debug!(execution.id = %id, "engine wake-up dropped; its periodic look finds it");
        }
    }
}
