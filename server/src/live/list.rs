//! Watching the executions list: the newest executions, `Live`, then each execution's
//! row as it changes and each removal. A watcher left behind gets the list again.

use super::connection::{Connection, End, Next};
use app::bus::BusMessage;
use app::domain::event::Change;
use app::domain::execution::view::ExecutionFilter;
use app::domain::live::LiveFrame;
use app::store::Store;
use std::convert::Infallible;

/// Serves a list watcher until the connection ends.
pub async fn run(mut conn: Connection, store: Store) {
    let Err(end) = stream(&mut conn, &store).await;
    tracing::debug!(?end, "live watcher of the list ends");
    conn.finish(end).await;
}

async fn stream(conn: &mut Connection, store: &Store) -> Result<Infallible, End> {
    listing(conn, store).await?;
    conn.send(&LiveFrame::Live).await?;
    loop {
        let message = match conn.next().await? {
            Next::Behind => {
                listing(conn, store).await?;
                continue;
            }
            Next::Message(message) => message,
        };
        match &*message {
            BusMessage::Event(event) => {
                if let Change::Execution(summary) = &event.change {
                    conn.send(&LiveFrame::Summary(summary.clone())).await?;
                }
            }
            BusMessage::Removed(id) => conn.send(&LiveFrame::Removed(*id)).await?,
        }
    }
}

async fn listing(conn: &mut Connection, store: &Store) -> Result<(), End> {
    let list = app::store::executions::list(store, &ExecutionFilter::default())
        .await
        .map_err(|error| match error {
            error if error.is_transient() => End::UNAVAILABLE,
            error => {
                tracing::error!(%error, "the live channel could not read the executions");
                End::FAULT
            }
        })?;
    conn.send(&LiveFrame::Listing(list)).await
}
