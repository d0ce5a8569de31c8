//! The execution engine: runs every running execution's steps, in order, against the
//! platforms. One runner task per execution this instance holds the lease of
//! ([`runner`]); the engine starts runners when an operator's command wakes it, and looks
//! at every running execution at start (recovery after a restart) and then every few
//! seconds (executions whose owner died, wake-ups that were dropped).
//!
//! Steps come in families, one module each: [`traffic`], [`restart`], [`database`],
//! [`control`] (wait, manual confirmation) and [`http`]; a step that is one platform
//! operation goes through [`operation`]. Every platform call goes through [`platform`],
//! which records it before it leaves, repeats it by its idempotency key and settles
//! what an earlier try left. A running step's log lines and call records are written in
//! batches by [`step_records`].

mod control;
mod database;
mod http;
mod operation;
pub mod outbound;
mod platform;
mod restart;
mod runner;
mod step;
mod step_records;
mod traffic;

use crate::tasks::Supervisor;
use app::auth::keys::Keys;
use app::bus::{ExecutionBus, Wake};
use app::domain::cluster::Claimant;
use app::domain::ids::ExecutionId;
use app::services::Services;
use app::store::Store;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{Notify, mpsc};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

/// How the engine runs. Under which name and for how long it holds execution leases
/// is the services' (`EngineHandle::claimant`): operators' commands keep leases for it.
#[derive(Debug, Clone)]
pub struct EngineConfig {
    /// How often the engine looks for running executions nobody runs.
    pub look_every: Duration,
    /// How many applications of one restart level restart at once.
    pub restart_parallelism: usize,
    /// Where `http.call` steps may send their requests.
    pub outbound: outbound::Outbound,
}

impl EngineConfig {
    /// A look is one indexed read (`leases::claimable`), cheap enough to do each second.
    pub const DEFAULT_LOOK_EVERY: Duration = Duration::from_secs(1);
    pub const DEFAULT_RESTART_PARALLELISM: usize = 32;
}

impl Default for EngineConfig {
    fn default() -> Self {
        Self {
            look_every: Self::DEFAULT_LOOK_EVERY,
            restart_parallelism: Self::DEFAULT_RESTART_PARALLELISM,
            outbound: outbound::Outbound::default(),
        }
    }
}

/// How long a runner that panicked waits before it starts again.
const RESTART_AFTER_PANIC: Duration = Duration::from_secs(1);

/// A runner's mailbox: `dirty` is set (under the runners lock) whenever it is woken, so
/// a runner about to stop sees a wake-up that came meanwhile.
#[derive(Debug, Default)]
struct Mailbox {
    notify: Notify,
    dirty: AtomicBool,
}

impl Mailbox {
    /// Called under the runners lock.
    fn wake(&self) {
        self.dirty.store(true, Ordering::SeqCst);
        self.notify.notify_one();
    }
}

/// What every runner shares.
#[derive(Debug)]
pub(crate) struct Engine {
    store: Store,
    keys: Arc<Keys>,
    bus: ExecutionBus,
    config: EngineConfig,
    /// Under which name and for how long this engine holds execution leases.
    claimant: Claimant,
    http: reqwest::Client,
    runners: Mutex<HashMap<ExecutionId, Arc<Mailbox>>>,
    tracker: TaskTracker,
    stop: CancellationToken,
}

/// Starts the engine under `supervisor`: it reads `wakes` (sent by server functions
/// through `Services::engine`) and looks at running executions now and periodically.
pub fn start(
    supervisor: &Supervisor,
    services: &Services,
    wakes: mpsc::Receiver<Wake>,
    config: EngineConfig,
) {
    let stop = supervisor.stop_signal();
    let engine = Arc::new(Engine {
        store: services.store().clone(),
        keys: services.auth.keys.clone(),
        bus: services.bus.clone(),
        http: platform::http_client(),
        config,
        claimant: services.engine.claimant().clone(),
        runners: Mutex::default(),
        tracker: TaskTracker::new(),
        stop: stop.clone(),
    });
    supervisor.spawn("execution engine", move |_| engine.run(wakes));
}

impl Engine {
    async fn run(self: Arc<Self>, mut wakes: mpsc::Receiver<Wake>) {
        let mut look = tokio::time::interval(self.config.look_every);
        loop {
            tokio::select! {
                () = self.stop.cancelled() => break,
                Some(wake) = wakes.recv() => match wake {
                    Wake::Run(id) => self.ensure(id),
                    Wake::Changed(id) => self.nudge(id),
                },
                _ = look.tick() => self.look().await,
            }
        }
        self.tracker.close();
        self.tracker.wait().await;
    }

    /// Starts a runner for every execution that has steps to run, nobody to run them and
    /// no runner here.
    async fn look(self: &Arc<Self>) {
        let claimable =
            app::store::executions::leases::claimable(&self.store, &self.claimant.owner).await;
        match claimable {
            Ok(ids) => ids
                .into_iter()
                .filter(|id| !self.runs(*id))
                .for_each(|id| self.ensure(id)),
            Err(error) => tracing::debug!(%error, "engine cannot look for running executions"),
        }
    }

    /// Wakes the runner of `id`, starting one when there is none (and the server is not
    /// stopping). A runner that panics is started again after a pause.
    fn ensure(self: &Arc<Self>, id: ExecutionId) {
        if self.stop.is_cancelled() {
            return;
        }
        let mut runners = self.runners.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(mailbox) = runners.get(&id) {
            mailbox.wake();
            return;
        }
        let mailbox = Arc::new(Mailbox::default());
        runners.insert(id, mailbox.clone());
        let engine = self.clone();
        self.tracker.spawn(async move {
            let outcome = runner::run(&engine, id, &mailbox).await;
            engine.forget(id, &mailbox);
            if let Err(runner::Panicked) = outcome {
                tracing::error!(execution.id = %id, "the execution's runner panicked; it starts again shortly");
                tokio::select! {
                    () = engine.stop.cancelled() => {}
                    () = tokio::time::sleep(RESTART_AFTER_PANIC) => engine.ensure(id),
                }
            }
        });
    }

    /// Whether a runner of `id` is here.
    fn runs(&self, id: ExecutionId) -> bool {
        let runners = self.runners.lock().unwrap_or_else(|e| e.into_inner());
        runners.contains_key(&id)
    }

    /// Wakes the runner of `id` if there is one here.
    fn nudge(&self, id: ExecutionId) {
        let runners = self.runners.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(mailbox) = runners.get(&id) {
            mailbox.wake();
        }
    }

    /// Ends the bookkeeping of a runner that stopped (unless a new one took its place).
    fn forget(&self, id: ExecutionId, mailbox: &Arc<Mailbox>) {
        let mut runners = self.runners.lock().unwrap_or_else(|e| e.into_inner());
        if runners
            .get(&id)
            .is_some_and(|held| Arc::ptr_eq(held, mailbox))
        {
            runners.remove(&id);
        }
    }

    /// Whether a runner may stop: no wake-up came since it last looked. Removes it from
    /// the runners under the same lock `ensure` takes, so no wake-up falls in between.
    fn may_stop(&self, id: ExecutionId, mailbox: &Mailbox) -> bool {
        let mut runners = self.runners.lock().unwrap_or_else(|e| e.into_inner());
        if mailbox.dirty.swap(false, Ordering::SeqCst) {
            return false;
        }
        runners.remove(&id);
        true
    }

    /// Sends committed events to everyone watching.
    fn publish(&self, events: impl IntoIterator<Item = app::domain::event::ExecutionEvent>) {
        self.bus.publish(events);
    }
}
