//! The fan-out from the execution bus to the live channel's watchers. One task reads the
//! bus and hands each message to the watchers of its execution (and, for a change of an
//! execution's row or a removal, to the list's watchers) through a bounded channel per
//! watcher, never waiting on any of them. A watcher whose channel is full, and every
//! watcher when the task itself falls behind the bus, is marked behind: it drops what
//! is buffered and resynchronises from the database instead of showing a gap.

use app::bus::{BusMessage, ExecutionBus};
use app::domain::event::Change;
use app::domain::ids::ExecutionId;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, Weak};
use tokio::sync::{Notify, broadcast, mpsc};

/// What a watcher watches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Topic {
    Execution(ExecutionId),
    /// Every execution's row, for the list.
    List,
}

/// The hub is full: this instance serves as many watchers as it may.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("this instance serves the most live watchers it may; try again shortly")]
pub struct Full;

/// What a watcher gets next.
#[derive(Debug)]
pub enum Delivery {
    Message(Arc<BusMessage>),
    /// Messages were lost on the way: what was buffered is dropped; resynchronise.
    Behind,
    /// The hub is gone (the server is stopping).
    Closed,
}

/// The fan-out: cheap to clone, started on the first watcher.
#[derive(Debug, Clone)]
pub struct LiveHub {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    /// Taken by the first watcher, which starts the fan-out task with it.
    bus: Mutex<Option<broadcast::Receiver<Arc<BusMessage>>>>,
    registry: Mutex<Registry>,
    max_watchers: usize,
    buffer: usize,
}

#[derive(Debug, Default)]
struct Registry {
    next_id: u64,
    count: usize,
    topics: HashMap<Topic, HashMap<u64, Slot>>,
}

#[derive(Debug)]
struct Slot {
    sender: mpsc::Sender<Arc<BusMessage>>,
    signal: Arc<Signal>,
}

/// Set by the hub when a watcher missed messages; the watcher wakes on it even while its
/// channel is empty.
#[derive(Debug, Default)]
struct Signal {
    behind: AtomicBool,
    wake: Notify,
}

impl Signal {
    fn raise(&self) {
        self.behind.store(true, Ordering::Release);
        self.wake.notify_one();
    }
}

impl LiveHub {
    /// A hub for `bus` serving at most `max_watchers`, each with room for `buffer`
    /// messages it has not taken yet.
    pub fn new(bus: &ExecutionBus, max_watchers: usize, buffer: usize) -> Self {
        Self {
            inner: Arc::new(Inner {
                bus: Mutex::new(Some(bus.subscribe())),
                registry: Mutex::default(),
                max_watchers,
                buffer: buffer.max(1),
            }),
        }
    }

    /// Registers a watcher of `topic`. Every message the bus carries from now on reaches
    /// it (or marks it behind), so what it then reads from the database and what it is
    /// handed overlap instead of leaving a gap.
    pub fn watch(&self, topic: Topic) -> Result<Watcher, Full> {
        self.start();
        let mut registry = self.inner.registry();
        if registry.count >= self.inner.max_watchers {
            return Err(Full);
        }
        let (sender, receiver) = mpsc::channel(self.inner.buffer);
        let signal = Arc::new(Signal::default());
        let id = registry.next_id;
        registry.next_id += 1;
        registry.count += 1;
        registry.topics.entry(topic).or_default().insert(
            id,
            Slot {
                sender,
                signal: Arc::clone(&signal),
            },
        );
        Ok(Watcher {
            hub: Arc::downgrade(&self.inner),
            topic,
            id,
            receiver,
            signal,
        })
    }

    /// How many watchers are registered now.
    pub fn watchers(&self) -> usize {
        self.inner.registry().count
    }

    /// Starts the fan-out task once, from inside the runtime. The bus subscription is
    /// renewed here so the task begins at the newest message, not at what piled up
    /// before anyone watched.
    fn start(&self) {
        let Some(stale) = self
            .inner
            .bus
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take()
        else {
            return;
        };
        let receiver = stale.resubscribe();
        tokio::spawn(fan_out(receiver, Arc::downgrade(&self.inner)));
    }
}

/// Reads the bus until it closes (every sender gone) or the hub is dropped.
async fn fan_out(mut bus: broadcast::Receiver<Arc<BusMessage>>, hub: Weak<Inner>) {
    loop {
        let received = bus.recv().await;
        let Some(hub) = hub.upgrade() else { return };
        match received {
            Ok(message) => hub.deliver(&message),
            Err(broadcast::error::RecvError::Lagged(missed)) => {
                tracing::warn!(
                    missed,
                    "the live hub fell behind the bus; every watcher resynchronises"
                );
                hub.all_behind();
            }
            Err(broadcast::error::RecvError::Closed) => return,
        }
    }
}

impl Inner {
    fn registry(&self) -> MutexGuard<'_, Registry> {
        // Nothing in the registry can be left half-changed by a panic.
        self.registry.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Hands `message` to its watchers without waiting for any of them.
    fn deliver(&self, message: &Arc<BusMessage>) {
        let (execution, for_list) = match &**message {
            BusMessage::Event(event) => (
                event.execution_id,
                matches!(event.change, Change::Execution(_)),
            ),
            BusMessage::Removed(id) => (*id, true),
        };
        let registry = self.registry();
        let topics = [
            Some(Topic::Execution(execution)),
            for_list.then_some(Topic::List),
        ];
        for topic in topics.into_iter().flatten() {
            for slot in registry
                .topics
                .get(&topic)
                .into_iter()
                .flat_map(|s| s.values())
            {
                if let Err(mpsc::error::TrySendError::Full(_)) =
                    slot.sender.try_send(Arc::clone(message))
                {
                    slot.signal.raise();
                }
            }
        }
    }

    fn all_behind(&self) {
        for slot in self.registry().topics.values().flat_map(|s| s.values()) {
            slot.signal.raise();
        }
    }
}

/// One watcher's end: messages for its topic, in bus order. Dropping it unregisters it.
#[derive(Debug)]
pub struct Watcher {
    hub: Weak<Inner>,
    topic: Topic,
    id: u64,
    receiver: mpsc::Receiver<Arc<BusMessage>>,
    signal: Arc<Signal>,
}

impl Watcher {
    /// The next message, or word that some were lost (everything buffered is then
    /// dropped: the watcher resynchronises from the database, which holds all of it).
    pub async fn next(&mut self) -> Delivery {
        loop {
            if self.signal.behind.swap(false, Ordering::AcqRel) {
                while self.receiver.try_recv().is_ok() {}
                return Delivery::Behind;
            }
            tokio::select! {
                biased;
                () = self.signal.wake.notified() => {}
                message = self.receiver.recv() => {
                    return message.map_or(Delivery::Closed, Delivery::Message);
                }
            }
        }
    }
}

impl Drop for Watcher {
    fn drop(&mut self) {
        let Some(hub) = self.hub.upgrade() else {
            return;
        };
        let mut registry = hub.registry();
        if let Some(slots) = registry.topics.get_mut(&self.topic)
            && slots.remove(&self.id).is_some()
        {
            if slots.is_empty() {
                registry.topics.remove(&self.topic);
            }
            registry.count -= 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use app::domain::event::ExecutionEvent;
    use std::time::Duration;

    fn log_event(execution: u64, seq: u64) -> ExecutionEvent {
        ExecutionEvent {
            execution_id: ExecutionId(execution),
            seq,
            at: chrono::Utc::now(),
            change: Change::Logged {
                step: app::domain::execution::view::ExecutionStepId(1),
                line: app::domain::execution::view::StepLogLine {
                    id: seq,
                    attempt: 1,
                    at: chrono::Utc::now(),
                    level: app::domain::execution::view::LogLevel::Info,
                    message: String::new(),
                },
            },
        }
    }

    async fn next_seq(watcher: &mut Watcher) -> Option<u64> {
        match tokio::time::timeout(Duration::from_secs(5), watcher.next()).await {
            Ok(Delivery::Message(message)) => match &*message {
                BusMessage::Event(event) => Some(event.seq),
                BusMessage::Removed(_) => None,
            },
            other => panic!("expected a message, got {other:?}"),
        }
    }

    #[tokio::test]
    async fn each_watcher_gets_its_own_execution_and_the_list_only_removals_and_rows() {
        let bus = ExecutionBus::default();
        let hub = LiveHub::new(&bus, 10, 8);
        let mut one = hub.watch(Topic::Execution(ExecutionId(1))).unwrap();
        let mut two = hub.watch(Topic::Execution(ExecutionId(2))).unwrap();
        let mut list = hub.watch(Topic::List).unwrap();
        bus.publish([log_event(1, 1), log_event(2, 1), log_event(1, 2)]);
        bus.removed(ExecutionId(2));

        assert_eq!(next_seq(&mut one).await, Some(1));
        assert_eq!(next_seq(&mut one).await, Some(2));
        assert_eq!(next_seq(&mut two).await, Some(1));
        assert_eq!(next_seq(&mut two).await, None, "then its removal");
        assert_eq!(next_seq(&mut list).await, None, "log lines skip the list");
    }

    #[tokio::test]
    async fn a_full_watcher_is_marked_behind_without_holding_up_the_others() {
        let bus = ExecutionBus::default();
        let hub = LiveHub::new(&bus, 10, 2);
        let mut slow = hub.watch(Topic::Execution(ExecutionId(1))).unwrap();
        let mut quick = hub.watch(Topic::Execution(ExecutionId(1))).unwrap();
        for seq in 1..=5 {
            bus.publish([log_event(1, seq)]);
            assert_eq!(next_seq(&mut quick).await, Some(seq));
        }
        assert!(matches!(slow.next().await, Delivery::Behind));
        bus.publish([log_event(1, 6)]);
        assert_eq!(
            next_seq(&mut slow).await,
            Some(6),
            "what was buffered is dropped"
        );
    }

    #[tokio::test]
    async fn the_hub_falling_behind_the_bus_resyncs_every_watcher() {
        let bus = ExecutionBus::default();
        let hub = LiveHub::new(&bus, 10, 4);
        let mut idle = hub.watch(Topic::Execution(ExecutionId(9))).unwrap();
        let mut list = hub.watch(Topic::List).unwrap();
        // The fan-out task shares this single-threaded runtime: it cannot read while
        // this loop floods the bus past its capacity.
        for seq in 0..=app::bus::BUS_CAPACITY as u64 {
            bus.publish([log_event(1, seq + 1)]);
        }
        assert!(matches!(
            tokio::time::timeout(Duration::from_secs(5), idle.next()).await,
            Ok(Delivery::Behind)
        ));
        assert!(matches!(list.next().await, Delivery::Behind));
    }

    #[tokio::test]
    async fn watchers_are_counted_bounded_and_released_when_dropped() {
        let bus = ExecutionBus::default();
        let hub = LiveHub::new(&bus, 2, 4);
        let first = hub.watch(Topic::List).unwrap();
        let _second = hub.watch(Topic::Execution(ExecutionId(1))).unwrap();
        assert_eq!(hub.watch(Topic::List).unwrap_err(), Full);
        drop(first);
        assert_eq!(hub.watchers(), 1);
        assert!(hub.watch(Topic::List).is_ok());
    }
}
