//! The fan-out from the execution bus to the live channel's watchers. One task reads the
//! bus and hands each message to the watchers of its execution (and, for a change of an
//! execution's row or a removal, to the list's watchers) through a bounded channel per
//! watcher, never waiting on any of them. A watcher whose channel is full, and every
//! watcher when the task itself falls behind the bus, is marked behind: it drops what
//! is buffered and resynchronises from the database instead of showing a gap.
//!
//! The hub also decides who may watch: each session and each user may hold a few
//! watchers, and readers (auditors, reviewers) may not take the room kept for the
//! people who act.

use super::limits::LiveLimits;
use app::bus::{BusMessage, ExecutionBus};
use app::domain::event::Change;
use app::domain::ids::{ExecutionId, UserId};
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

/// Who watches: their user, their session and whether they act on executions
/// (operators and admins), for whom room is kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Viewer {
    pub user: UserId,
    /// The session's `sid`.
    pub session: u64,
    pub acts: bool,
}

/// Why a watcher was not registered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Refused {
    #[error("this instance serves the most live watchers it may; try again shortly")]
    Full,
    #[error(
        "the live channel's remaining room is kept for operators and admins; try again shortly"
    )]
    KeptForOperators,
    #[error("this account already has {0} live views open; close one to open another")]
    User(usize),
    #[error("this session already has {0} live views open; close one to open another")]
    Session(usize),
}

impl Refused {
    /// Whether the instance is full (try later) rather than the caller over its own cap.
    pub fn instance_full(self) -> bool {
        matches!(self, Self::Full | Self::KeptForOperators)
    }
}

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
    limits: LiveLimits,
    buffer: usize,
}

#[derive(Debug, Default)]
struct Registry {
    next_id: u64,
    count: usize,
    per_user: HashMap<UserId, usize>,
    per_session: HashMap<(UserId, u64), usize>,
    topics: HashMap<Topic, HashMap<u64, Slot>>,
}

impl Registry {
    /// Whether `viewer` may add a watcher within `limits`.
    fn admit(&self, viewer: Viewer, limits: &LiveLimits) -> Result<(), Refused> {
        let per_session = limits.live_watchers_per_session;
        let per_user = limits.live_watchers_per_user;
        let total = limits.live_max_watchers;
        if self
            .per_session
            .get(&(viewer.user, viewer.session))
            .copied()
            .unwrap_or(0)
            >= per_session
        {
            return Err(Refused::Session(per_session));
        }
        if self.per_user.get(&viewer.user).copied().unwrap_or(0) >= per_user {
            return Err(Refused::User(per_user));
        }
        if self.count >= total {
            return Err(Refused::Full);
        }
        if !viewer.acts && self.count >= total.saturating_sub(limits.live_reserved_for_operators) {
            return Err(Refused::KeptForOperators);
        }
        Ok(())
    }

    /// Counts a watcher of `viewer` in.
    fn enter(&mut self, viewer: Viewer) {
        *self.per_user.entry(viewer.user).or_default() += 1;
        *self
            .per_session
            .entry((viewer.user, viewer.session))
            .or_default() += 1;
        self.count += 1;
    }

    /// Counts a watcher of `viewer` out, forgetting users and sessions left with none.
    fn leave(&mut self, viewer: Viewer) {
        fn less<K: Eq + std::hash::Hash>(counts: &mut HashMap<K, usize>, key: K) {
            if let std::collections::hash_map::Entry::Occupied(mut count) = counts.entry(key) {
                *count.get_mut() -= 1;
                if *count.get() == 0 {
                    count.remove();
                }
            }
        }
        less(&mut self.per_user, viewer.user);
        less(&mut self.per_session, (viewer.user, viewer.session));
        self.count -= 1;
    }
}

#[derive(Debug)]
struct Slot {
    sender: mpsc::Sender<Arc<BusMessage>>,
    signal: Arc<Signal>,
    viewer: Viewer,
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
    /// A hub for `bus` serving the watchers `limits` allow, each with room for `buffer`
    /// messages it has not taken yet.
    pub fn new(bus: &ExecutionBus, limits: LiveLimits, buffer: usize) -> Self {
        Self {
            inner: Arc::new(Inner {
                bus: Mutex::new(Some(bus.subscribe())),
                registry: Mutex::default(),
                limits,
                buffer: buffer.max(1),
            }),
        }
    }

    /// Registers a watcher of `topic` for `viewer`, if the caps allow. Every message the
    /// bus carries from now on reaches it (or marks it behind), so what it then reads
    /// from the database and what it is handed overlap instead of leaving a gap.
    pub fn watch(&self, topic: Topic, viewer: Viewer) -> Result<Watcher, Refused> {
        self.start();
        let mut registry = self.inner.registry();
        registry.admit(viewer, &self.inner.limits)?;
        let (sender, receiver) = mpsc::channel(self.inner.buffer);
        let signal = Arc::new(Signal::default());
        let id = registry.next_id;
        registry.next_id += 1;
        registry.enter(viewer);
        registry.topics.entry(topic).or_default().insert(
            id,
            Slot {
                sender,
                signal: Arc::clone(&signal),
                viewer,
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
        let Some(slots) = registry.topics.get_mut(&self.topic) else {
            return;
        };
        let Some(slot) = slots.remove(&self.id) else {
            return;
        };
        if slots.is_empty() {
            registry.topics.remove(&self.topic);
        }
        registry.leave(slot.viewer);
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

    const OPERATOR: Viewer = Viewer {
        user: UserId(1),
        session: 1,
        acts: true,
    };

    fn caps(total: usize) -> LiveLimits {
        LiveLimits {
            live_max_watchers: total,
            live_reserved_for_operators: 0,
            ..LiveLimits::default()
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
        let hub = LiveHub::new(&bus, caps(10), 8);
        let mut one = hub
            .watch(Topic::Execution(ExecutionId(1)), OPERATOR)
            .unwrap();
        let mut two = hub
            .watch(Topic::Execution(ExecutionId(2)), OPERATOR)
            .unwrap();
        let mut list = hub.watch(Topic::List, OPERATOR).unwrap();
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
        let hub = LiveHub::new(&bus, caps(10), 2);
        let mut slow = hub
            .watch(Topic::Execution(ExecutionId(1)), OPERATOR)
            .unwrap();
        let mut quick = hub
            .watch(Topic::Execution(ExecutionId(1)), OPERATOR)
            .unwrap();
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
        let hub = LiveHub::new(&bus, caps(10), 4);
        let mut idle = hub
            .watch(Topic::Execution(ExecutionId(9)), OPERATOR)
            .unwrap();
        let mut list = hub.watch(Topic::List, OPERATOR).unwrap();
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
        let hub = LiveHub::new(&bus, caps(2), 4);
        let first = hub.watch(Topic::List, OPERATOR).unwrap();
        let _second = hub
            .watch(Topic::Execution(ExecutionId(1)), OPERATOR)
            .unwrap();
        assert_eq!(hub.watch(Topic::List, OPERATOR).unwrap_err(), Refused::Full);
        drop(first);
        assert_eq!(hub.watchers(), 1);
        assert!(hub.watch(Topic::List, OPERATOR).is_ok());
    }

    #[tokio::test]
    async fn sessions_and_users_have_caps_and_readers_leave_room_for_operators() {
        let bus = ExecutionBus::default();
        let caps = LiveLimits {
            live_max_watchers: 6,
            live_watchers_per_user: 3,
            live_watchers_per_session: 2,
            live_reserved_for_operators: 2,
            ..LiveLimits::default()
        };
        let hub = LiveHub::new(&bus, caps, 4);
        let auditor = |session| Viewer {
            user: UserId(7),
            session,
            acts: false,
        };
        let reviewer = Viewer {
            user: UserId(8),
            session: 1,
            acts: false,
        };
        let mut held = Vec::new();
        let mut watch = |viewer| {
            hub.watch(Topic::List, viewer)
                .map(|watcher| held.push(watcher))
        };
        watch(auditor(1)).unwrap();
        watch(auditor(1)).unwrap();
        assert_eq!(watch(auditor(1)), Err(Refused::Session(2)));
        watch(auditor(2)).unwrap();
        assert_eq!(watch(auditor(3)), Err(Refused::User(3)));
        watch(reviewer).unwrap();
        assert_eq!(watch(reviewer), Err(Refused::KeptForOperators));
        watch(OPERATOR).unwrap();
        watch(OPERATOR).unwrap();
        let other_operator = Viewer {
            user: UserId(2),
            ..OPERATOR
        };
        assert_eq!(watch(other_operator), Err(Refused::Full));
        held.clear();
        assert_eq!(hub.watchers(), 0);
        assert!(
            hub.inner.registry().per_user.is_empty(),
            "counts drop to none"
        );
        assert!(hub.inner.registry().per_session.is_empty());
    }
}
