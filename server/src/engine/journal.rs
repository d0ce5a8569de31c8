//! A runner's journal: its steps' log lines and call records go to the store in batches
//! (group commit). Writes that arrive while a batch commits share the next one, so a
//! hundred parallel restarts take a few commits, not hundreds. Order is kept: a batch
//! is written, and its events published, in the order its writes arrived.
//!
//! A call's record is awaited (`write`): it is committed before the call leaves. Log
//! lines and answers are queued (`queue`) and need not hold the step up; `flush` waits
//! until everything queued is committed, which the runner does before a step ends.

use super::Engine;
use app::store::StoreError;
use app::store::executions::engine::Fence;
use app::store::executions::journal::{self, Write, Written};
use std::sync::Arc;
use tokio::sync::{mpsc, oneshot};

/// At most this many writes share one transaction.
const BATCH: usize = 500;
/// Writes waiting for the next batch before writers wait their turn.
const QUEUE: usize = 4096;

type Reply = oneshot::Sender<Result<Option<Written>, StoreError>>;

/// Something for the journal: a write, or (`None`) only a wish to hear when everything
/// before it is committed.
struct Entry {
    write: Option<Write>,
    reply: Option<Reply>,
}

pub(super) struct Journal {
    entries: mpsc::Sender<Entry>,
}

impl Journal {
    /// Starts the journal of the runner holding `fence`; it ends when dropped, after
    /// writing what it was given.
    pub fn start(engine: Arc<Engine>, fence: Fence) -> Self {
        let (entries, queued) = mpsc::channel(QUEUE);
        tokio::spawn(commit(engine, fence, queued));
        Self { entries }
    }

    /// Writes `write` and returns once it is committed.
    pub async fn write(&self, write: Write) -> Result<Written, StoreError> {
        self.send(Some(write))
            .await?
            .ok_or_else(|| StoreError::internal("the journal wrote nothing"))
    }

    /// Queues `write`: it is committed with the next batch.
    pub async fn queue(&self, write: Write) {
        let _ = self
            .entries
            .send(Entry {
                write: Some(write),
                reply: None,
            })
            .await;
    }

    /// Returns once everything queued before is committed.
    pub async fn flush(&self) -> Result<(), StoreError> {
        self.send(None).await.map(|_| ())
    }

    async fn send(&self, write: Option<Write>) -> Result<Option<Written>, StoreError> {
        let (reply, answer) = oneshot::channel();
        let entry = Entry {
            write,
            reply: Some(reply),
        };
        let stopped = || StoreError::internal("the journal has stopped");
        self.entries.send(entry).await.map_err(|_| stopped())?;
        answer.await.map_err(|_| stopped())?
    }
}

/// Takes what has arrived (at most `BATCH` writes), writes it in one transaction,
/// publishes its events and answers each writer; until every sender is gone.
async fn commit(engine: Arc<Engine>, fence: Fence, mut queued: mpsc::Receiver<Entry>) {
    let mut entries = Vec::with_capacity(BATCH);
    while queued.recv_many(&mut entries, BATCH).await > 0 {
        let writes: Vec<Write> = entries.iter().filter_map(|e| e.write.clone()).collect();
        let result = journal::write(&engine.store, fence, writes).await;
        match result {
            Ok(written) => {
                engine.publish(written.iter().map(|w| w.event.clone()));
                let mut written = written.into_iter();
                for entry in entries.drain(..) {
                    let this = entry.write.is_some().then(|| written.next()).flatten();
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
}

/// The same failure, for each writer that shared the batch.
fn again(error: &StoreError) -> StoreError {
    match error {
        StoreError::Fenced => StoreError::Fenced,
        StoreError::Unavailable(why) => StoreError::Unavailable(why.clone()),
        other => StoreError::internal(other.to_string()),
    }
}
