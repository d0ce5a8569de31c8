//! A runner's journal: its steps' log lines and call records go to the store in batches
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

use super::Engine;
use app::store::StoreError;
use app::store::executions::engine::Fence;
use app::store::executions::journal::{self, Write, Written};
use std::sync::Arc;
use tokio::sync::{mpsc, oneshot};

/// At most this many awaited writes share one transaction.
const AWAITED_BATCH: usize = 500;
/// At most this many queued writes share one transaction.
const QUEUED_BATCH: usize = 100;
/// Writes waiting in a lane before writers wait their turn.
const LANE: usize = 4096;

type Reply = oneshot::Sender<Result<Option<Written>, StoreError>>;

/// Something for the journal: a write, or (`None`) only a wish to hear when everything
/// queued before it is committed.
struct Entry {
    write: Option<Write>,
    reply: Option<Reply>,
}

pub(super) struct Journal {
    awaited: mpsc::Sender<Entry>,
    queued: mpsc::Sender<Entry>,
}

impl Journal {
    /// Starts the journal of the runner holding `fence`; it ends when dropped, after
    /// writing what it was given.
    pub fn start(engine: Arc<Engine>, fence: Fence) -> Self {
        let (awaited, awaited_lane) = mpsc::channel(LANE);
        let (queued, queued_lane) = mpsc::channel(LANE);
        tokio::spawn(commit(engine, fence, awaited_lane, queued_lane));
        Self { awaited, queued }
    }

    /// Writes `write` ahead of what is queued and returns once it is committed.
    pub async fn write(&self, write: Write) -> Result<Written, StoreError> {
        self.send(&self.awaited, Some(write))
            .await?
            .ok_or_else(|| StoreError::internal("the journal wrote nothing"))
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
        let stopped = || StoreError::internal("the journal has stopped");
        lane.send(entry).await.map_err(|_| stopped())?;
        answer.await.map_err(|_| stopped())?
    }
}

/// Commits awaited writes first, then queued ones in order, one batch at a time, until
/// every sender is gone.
async fn commit(
    engine: Arc<Engine>,
    fence: Fence,
    mut awaited: mpsc::Receiver<Entry>,
    mut queued: mpsc::Receiver<Entry>,
) {
    let mut urgent = Vec::with_capacity(AWAITED_BATCH);
    let mut ordered = Vec::with_capacity(QUEUED_BATCH);
    loop {
        let taken = tokio::select! {
            biased;
            n = awaited.recv_many(&mut urgent, AWAITED_BATCH) => n,
            n = queued.recv_many(&mut ordered, QUEUED_BATCH) => n,
        };
        if taken == 0 {
            // One lane is closed (both close together, when the journal is dropped):
            // write what the other still holds, then stop.
            while awaited.recv_many(&mut urgent, AWAITED_BATCH).await > 0 {
                write_batch(&engine, fence, &mut urgent).await;
            }
            while queued.recv_many(&mut ordered, QUEUED_BATCH).await > 0 {
                write_batch(&engine, fence, &mut ordered).await;
            }
            return;
        }
        write_batch(&engine, fence, &mut urgent).await;
        write_batch(&engine, fence, &mut ordered).await;
    }
}

/// Writes `entries` in one transaction, publishes their events and answers each writer.
async fn write_batch(engine: &Engine, fence: Fence, entries: &mut Vec<Entry>) {
    if entries.is_empty() {
        return;
    }
    let wrote: Vec<bool> = entries.iter().map(|e| e.write.is_some()).collect();
    let writes: Vec<Write> = entries.iter_mut().filter_map(|e| e.write.take()).collect();
    match journal::write(&engine.store, fence, writes).await {
        Ok(written) => {
            engine.publish(written.iter().map(|w| w.event.clone()));
            let mut written = written.into_iter();
            for (entry, wrote) in entries.drain(..).zip(wrote) {
                let this = wrote.then(|| written.next()).flatten();
                if let Some(reply) = entry.reply {
                    let _ = reply.send(Ok(this));
                }
            }
        }
        Err(error) => {
            tracing::warn!(execution.id = %fence.execution, %error, "step log and call records not written");
            for entry in entries.drain(..) {
                if let Some(reply) = entry.reply {
                    let _ = reply.send(Err(again(&error)));
                }
            }
        }
    }
}

/// The same failure, for each writer that shared the batch.
fn again(error: &StoreError) -> StoreError {
    match error {
        StoreError::Fenced => StoreError::Fenced,
        StoreError::Unavailable(why) => StoreError::Unavailable(why.clone()),
        other => StoreError::internal(other.to_string()),
    }
}
