//! A runner's step records: its steps' log lines and call records go to the store in batches
//! (group commit). Writes that arrive while a batch commits share the next one, so a
//! hundred parallel restarts take a few commits, not hundreds.
//!
//! Two lanes. A call's record is awaited (`write`): it must be committed before the call
//! leaves, so these writes go ahead of everything queued and are committed as soon as
//! the batch in flight is done. Log lines and answers are queued (`queue`) and need not
//! hold a step up; they are committed in the order they were queued, in batches of at
//! most `QUEUED_BATCH` so an awaited write never waits long behind them. `flush` waits
//! until everything queued before it is committed, which the runner does before a step
//! ends.
//!
//! A batch that cannot be written is tried again (with backoff) while the database is
//! unavailable, and a few times for any other error; a batch given up breaks the
//! records: every later write and flush fails, so no step's end is ever recorded over
//! lines or answers that were dropped. The runner then stops and starts afresh, asking
//! about its step's calls by their keys. In memory, and so lost to a kill -9, are at most
//! the batch being written and the lane waiting behind it: `QUEUED_BATCH + QUEUED_LANE`
//! (1,100) lines and answers (the answers are asked for again by key).

use super::Engine;
use app::store::StoreError;
use app::store::executions::leases::Fence;
use app::store::executions::step_records::{self, Write, Written};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;

/// At most this many awaited writes share one transaction.
const AWAITED_BATCH: usize = 500;
/// At most this many queued writes share one transaction.
const QUEUED_BATCH: usize = 100;
/// Queued writes waiting behind the batch being written before a writer waits its turn:
/// room for a restart level's lines, so its calls do not wait on their logs (a lane of
/// one batch made a 100-application level take 90 ms instead of 70).
const QUEUED_LANE: usize = 10 * QUEUED_BATCH;
/// Awaited writes waiting before writers wait their turn.
const AWAITED_LANE: usize = 4096;
/// How often a batch that failed for another reason than an unavailable database is
/// tried in all.
const TRIES: u32 = 5;
const BACKOFF_MIN: Duration = Duration::from_millis(100);
const BACKOFF_MAX: Duration = Duration::from_secs(5);

type Reply = oneshot::Sender<Result<Option<Written>, StoreError>>;

/// Something for the writer: a write, or (`None`) only a wish to hear when everything
/// queued before it is committed.
struct Entry {
    write: Option<Write>,
    reply: Option<Reply>,
}

pub(super) struct StepRecords {
    awaited: mpsc::Sender<Entry>,
    queued: mpsc::Sender<Entry>,
    broken: Arc<AtomicBool>,
    /// The writer: tracked by the engine, so shutdown waits until it has written all.
    writer: JoinHandle<()>,
}

impl StepRecords {
    /// Starts the records of the runner holding `fence`; they end when dropped, after
    /// writing what it was given.
    pub fn start(engine: Arc<Engine>, fence: Fence) -> Self {
        let tracker = engine.tracker.clone();
        let (awaited, awaited_lane) = mpsc::channel(AWAITED_LANE);
        let (queued, queued_lane) = mpsc::channel(QUEUED_LANE);
        let broken = Arc::new(AtomicBool::new(false));
        let writer = Writer {
            engine,
            fence,
            broken: broken.clone(),
        };
        let writer = tracker.spawn(writer.commit(awaited_lane, queued_lane));
        Self {
            awaited,
            queued,
            broken,
            writer,
        }
    }

    /// Ends the records once everything given to them is written (or given up).
    pub async fn close(self) {
        let Self {
            awaited,
            queued,
            writer,
            ..
        } = self;
        drop((awaited, queued));
        let _ = writer.await;
    }

    /// Whether a batch was given up (or the writer died): nothing more is written, and
    /// every flush fails.
    pub fn is_broken(&self) -> bool {
        self.broken.load(Ordering::SeqCst) || self.writer.is_finished()
    }

    /// Writes `write` ahead of what is queued and returns once it is committed.
    pub async fn write(&self, write: Write) -> Result<Written, StoreError> {
        self.send(&self.awaited, Some(write))
            .await?
            .ok_or_else(|| StoreError::internal("the step's records wrote nothing"))
    }

    /// Queues `write`: it is committed after everything queued before it.
    pub async fn queue(&self, write: Write) {
        let entry = Entry {
            write: Some(write),
            reply: None,
        };
        let _ = self.queued.send(entry).await;
    }

    /// Returns once everything queued before is committed.
    pub async fn flush(&self) -> Result<(), StoreError> {
        self.send(&self.queued, None).await.map(|_| ())
    }

    async fn send(
        &self,
        lane: &mpsc::Sender<Entry>,
        write: Option<Write>,
    ) -> Result<Option<Written>, StoreError> {
        let (reply, answer) = oneshot::channel();
        let entry = Entry {
            write,
            reply: Some(reply),
        };
        let stopped = || StoreError::internal("the step's records have stopped");
        lane.send(entry).await.map_err(|_| stopped())?;
        answer.await.map_err(|_| stopped())?
    }
}

/// The task that writes the batches.
struct Writer {
    engine: Arc<Engine>,
    fence: Fence,
    broken: Arc<AtomicBool>,
}

impl Writer {
    /// Commits awaited writes first, then queued ones in order, one batch at a time,
    /// until every sender is gone.
    async fn commit(self, mut awaited: mpsc::Receiver<Entry>, mut queued: mpsc::Receiver<Entry>) {
        let mut urgent = Vec::with_capacity(AWAITED_BATCH);
        let mut ordered = Vec::with_capacity(QUEUED_BATCH);
        loop {
            let taken = tokio::select! {
                biased;
                n = awaited.recv_many(&mut urgent, AWAITED_BATCH) => n,
                n = queued.recv_many(&mut ordered, QUEUED_BATCH) => n,
            };
            if taken == 0 {
                // One lane is closed (both close together, when the records are dropped):
                // write what the other still holds, then stop.
                while awaited.recv_many(&mut urgent, AWAITED_BATCH).await > 0 {
                    self.write_batch(&mut urgent).await;
                }
                while queued.recv_many(&mut ordered, QUEUED_BATCH).await > 0 {
                    self.write_batch(&mut ordered).await;
                }
                return;
            }
            self.write_batch(&mut urgent).await;
            self.write_batch(&mut ordered).await;
        }
    }

    /// Writes `entries` in one transaction (trying again as the module says), publishes
    /// their events and answers each writer.
    async fn write_batch(&self, entries: &mut Vec<Entry>) {
        if entries.is_empty() {
            return;
        }
        let fence = self.fence;
        let wrote: Vec<bool> = entries.iter().map(|e| e.write.is_some()).collect();
        let outcome = if self.broken.load(Ordering::SeqCst) {
            Err(StoreError::internal(
                "an earlier batch of this step's log and call records was not written",
            ))
        } else {
            self.write_with_retries(entries).await
        };
        match outcome {
            Ok(written) => {
                self.engine.publish(written.iter().map(|w| w.event.clone()));
                let mut written = written.into_iter();
                for (entry, wrote) in entries.drain(..).zip(wrote) {
                    let this = wrote.then(|| written.next()).flatten();
                    if let Some(reply) = entry.reply {
                        let _ = reply.send(Ok(this));
                    }
                }
            }
            Err(error) => {
                if !self.broken.swap(true, Ordering::SeqCst) {
                    tracing::error!(execution.id = %fence.execution, %error, "step log and call records not written; the runner starts afresh");
                }
                for entry in entries.drain(..) {
                    if let Some(reply) = entry.reply {
                        let _ = reply.send(Err(again(&error)));
                    }
                }
            }
        }
    }

    /// Writes the batch, again after a pause while the database is unavailable (until
    /// the lease is lost or the server stops) and up to `TRIES` times in all otherwise.
    async fn write_with_retries(&self, entries: &mut [Entry]) -> Result<Vec<Written>, StoreError> {
        let writes: Vec<Write> = entries.iter_mut().filter_map(|e| e.write.take()).collect();
        let mut pause = BACKOFF_MIN;
        let mut tries = 0;
        loop {
            tries += 1;
            let error = match step_records::write(&self.engine.store, self.fence, &writes).await {
                Ok(written) => return Ok(written),
                Err(error) => error,
            };
            let transient = error.is_transient();
            if matches!(error, StoreError::Fenced)
                || (!transient && tries >= TRIES)
                || self.engine.stop.is_cancelled()
            {
                return Err(error);
            }
            tracing::warn!(execution.id = %self.fence.execution, %error, "step log and call records not written yet; trying again");
            tokio::time::sleep(pause).await;
            pause = (pause * 2).min(BACKOFF_MAX);
        }
    }
}

/// The same failure, for each writer that shared the batch.
fn again(error: &StoreError) -> StoreError {
    match error {
        StoreError::Fenced => StoreError::Fenced,
        StoreError::Unavailable(why) => StoreError::Unavailable(why.clone()),
        StoreError::Degraded(why) => StoreError::Degraded(why.clone()),
        other => StoreError::internal(other.to_string()),
    }
}
