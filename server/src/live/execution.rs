//! Watching one execution: catch up from the database (the events after the watcher's
//! `seq`, or a snapshot when it holds none or is too far behind), say `Live`, then pass
//! on each new event. A cursor of the last `seq` sent drops what the watcher already has
//! and notices what is missing; a gap is filled from the database (events can reach the
//! bus out of order when two changes commit together), a watcher left behind gets a
//! snapshot.

use super::connection::{Connection, End, Next};
use super::limits::{MAX_REPLAY, REPLAY_BATCH};
use app::bus::BusMessage;
use app::domain::ids::ExecutionId;
use app::domain::live::{LiveFrame, page_snapshot};
use app::store::executions;
use app::store::{Store, StoreError};
use std::convert::Infallible;

/// What it means when the execution is not there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Missing {
    /// At the start: the watcher asked for one that does not exist.
    NeverThere,
    /// Later: it was removed while watched.
    Removed,
}

/// The last `seq` sent, and where a new one falls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Cursor {
    sent: u64,
}

#[derive(Debug, PartialEq, Eq)]
enum Place {
    /// Sent already (by replay, a snapshot or the bus): drop it.
    Sent,
    Next,
    /// Events between are missing.
    Ahead,
}

impl Cursor {
    fn place(self, seq: u64) -> Place {
        match seq.cmp(&(self.sent + 1)) {
            std::cmp::Ordering::Less => Place::Sent,
            std::cmp::Ordering::Equal => Place::Next,
            std::cmp::Ordering::Greater => Place::Ahead,
        }
    }
}

/// Serves the watcher of execution `id` holding `after` until the connection ends.
pub async fn run(mut conn: Connection, store: Store, id: ExecutionId, after: u64) {
    let Err(end) = stream(&mut conn, &store, id, after).await;
    tracing::debug!(execution.id = %id, ?end, "live watcher of an execution ends");
    conn.finish(end).await;
}

async fn stream(
    conn: &mut Connection,
    store: &Store,
    id: ExecutionId,
    after: u64,
) -> Result<Infallible, End> {
    let mut cursor = Cursor { sent: after };
    let head = executions::last_seq(store, id)
        .await
        .map_err(|e| ended(e, Missing::NeverThere))?;
    if after == 0 || after > head || head - after > MAX_REPLAY {
        snapshot(conn, store, id, &mut cursor, Missing::NeverThere).await?;
    } else {
        replay(conn, store, id, &mut cursor).await?;
    }
    conn.send(&LiveFrame::Live).await?;
    loop {
        let message = match conn.next().await? {
            Next::Behind => {
                snapshot(conn, store, id, &mut cursor, Missing::Removed).await?;
                continue;
            }
            Next::Message(message) => message,
        };
        match &*message {
            BusMessage::Removed(_) => {
                conn.send(&LiveFrame::Removed(id)).await?;
                return Err(End::REMOVED);
            }
            BusMessage::Event(event) => match cursor.place(event.seq) {
                Place::Sent => {}
                Place::Next => {
                    conn.send(&LiveFrame::Event(event.clone())).await?;
                    cursor.sent = event.seq;
                }
                Place::Ahead if event.seq - cursor.sent > MAX_REPLAY => {
                    snapshot(conn, store, id, &mut cursor, Missing::Removed).await?;
                }
                Place::Ahead => {
                    replay(conn, store, id, &mut cursor).await?;
                    if cursor.sent < event.seq {
                        // Committed before it was published, so the database must have
                        // it; if it does not, only a snapshot is sure.
                        snapshot(conn, store, id, &mut cursor, Missing::Removed).await?;
                    }
                }
            },
        }
    }
}

/// Sends the events after the cursor from the database, in bounded batches, until none
/// are left (or so many that a snapshot is cheaper, which is then sent instead).
async fn replay(
    conn: &mut Connection,
    store: &Store,
    id: ExecutionId,
    cursor: &mut Cursor,
) -> Result<(), End> {
    let start = cursor.sent;
    loop {
        let batch = match executions::events_after(store, id, cursor.sent, REPLAY_BATCH).await {
            Ok(batch) => batch,
            // Degraded mode keeps no events to replay: the execution as it is now does.
            Err(StoreError::Degraded(_)) => {
                return snapshot(conn, store, id, cursor, Missing::Removed).await;
            }
            Err(error) => return Err(ended(error, Missing::Removed)),
        };
        let complete = batch.len() < REPLAY_BATCH as usize;
        for event in batch {
            if cursor.place(event.seq) != Place::Next {
                tracing::error!(execution.id = %id, seq = event.seq, "stored events have a gap");
                return snapshot(conn, store, id, cursor, Missing::Removed).await;
            }
            let seq = event.seq;
            conn.send(&LiveFrame::Event(event)).await?;
            cursor.sent = seq;
        }
        if complete {
            return Ok(());
        }
        if cursor.sent - start > MAX_REPLAY {
            return snapshot(conn, store, id, cursor, Missing::Removed).await;
        }
    }
}

/// Sends the execution as it is now, in pages when it is large.
async fn snapshot(
    conn: &mut Connection,
    store: &Store,
    id: ExecutionId,
    cursor: &mut Cursor,
    missing: Missing,
) -> Result<(), End> {
    let mut detail = match executions::get(store, id).await {
        Ok(detail) => detail,
        Err(StoreError::NotFound(_)) if missing == Missing::Removed => {
            conn.send(&LiveFrame::Removed(id)).await?;
            return Err(End::REMOVED);
        }
        Err(error) => return Err(ended(error, missing)),
    };
    cursor.sent = detail.summary.last_seq;
    for page in page_snapshot(&mut detail, conn.page_bytes()) {
        conn.send(&LiveFrame::SnapshotSteps(page)).await?;
    }
    conn.send(&LiveFrame::Snapshot(detail)).await
}

/// How a store failure ends the channel.
fn ended(error: StoreError, missing: Missing) -> End {
    match error {
        StoreError::NotFound(_) if missing == Missing::NeverThere => End::NOT_FOUND,
        StoreError::NotFound(_) => End::REMOVED,
        error if error.is_transient() => End::UNAVAILABLE,
        error => {
            tracing::error!(%error, "the live channel could not read an execution");
            End::FAULT
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cursor_drops_what_was_sent_and_notices_gaps() {
        let cursor = Cursor { sent: 4 };
        assert_eq!(cursor.place(3), Place::Sent);
        assert_eq!(cursor.place(4), Place::Sent);
        assert_eq!(cursor.place(5), Place::Next);
        assert_eq!(cursor.place(7), Place::Ahead);
        assert_eq!(Cursor { sent: 0 }.place(1), Place::Next);
    }
}
