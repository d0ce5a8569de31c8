//! One open live channel: the socket, the watcher feeding it, and what keeps it honest —
//! frames sent as JSON within a size and a time limit, a ping now and then, a browser
//! that stops answering dropped, and the session asked again (from memory) so a
//! signed-out or disabled user stops receiving.

use super::hub::{Delivery, Watcher};
use super::limits;
use app::auth::Auth;
use app::auth::guard;
use app::domain::live::{LiveFrame, close};
use app::domain::role::Action;
use axum::extract::ws::{CloseFrame, Message, Utf8Bytes, WebSocket};
use axum::http::HeaderMap;
use std::time::Duration;
use tokio::time::{Instant, Interval, MissedTickBehavior};

/// Why a connection ends; each becomes its close frame.
#[derive(Debug)]
pub enum End {
    /// The browser left (closed, vanished, or stopped reading): nothing more to send.
    Gone,
    /// Closed by us with a code and a reason for the browser.
    Close(u16, &'static str),
}

impl End {
    pub const REMOVED: Self = Self::Close(1000, "the execution was removed");
    pub const NOT_FOUND: Self = Self::Close(close::NOT_FOUND, "no such execution");
    pub const UNAVAILABLE: Self = Self::Close(1013, "the database is unavailable; try again");
    pub const FAULT: Self = Self::Close(1011, "the server could not read the execution");
}

/// What the watcher or the browser brought next.
#[derive(Debug)]
pub enum Next {
    Message(std::sync::Arc<app::bus::BusMessage>),
    Behind,
}

/// An open live channel for the session in `headers`, allowed `action`.
pub struct Connection {
    socket: WebSocket,
    watcher: Watcher,
    auth: Auth,
    headers: HeaderMap,
    action: Action,
    heard_at: Instant,
    tick: Interval,
}

impl Connection {
    pub fn new(
        socket: WebSocket,
        watcher: Watcher,
        auth: Auth,
        headers: HeaderMap,
        action: Action,
    ) -> Self {
        let mut tick =
            tokio::time::interval_at(Instant::now() + limits::PING_EVERY, limits::PING_EVERY);
        tick.set_missed_tick_behavior(MissedTickBehavior::Delay);
        Self {
            socket,
            watcher,
            auth,
            headers,
            action,
            heard_at: Instant::now(),
            tick,
        }
    }

    /// Sends `frame`, or ends the connection: a browser that does not take it within
    /// [`limits::SEND_TIMEOUT`] is too slow to keep (it reconnects and catches up).
    pub async fn send(&mut self, frame: &LiveFrame) -> Result<(), End> {
        let text = serde_json::to_string(frame).map_err(|error| {
            tracing::error!(%error, "a live frame could not be written");
            End::FAULT
        })?;
        if text.len() > limits::MAX_FRAME_BYTES {
            tracing::error!(bytes = text.len(), "a live frame is too large to send");
            return Err(End::Close(1009, "a frame is too large to send"));
        }
        self.send_raw(Message::Text(text.into())).await
    }

    async fn send_raw(&mut self, message: Message) -> Result<(), End> {
        match tokio::time::timeout(limits::SEND_TIMEOUT, self.socket.send(message)).await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(_)) | Err(_) => Err(End::Gone),
        }
    }

    /// Waits for the watcher's next message, answering the browser and keeping the
    /// connection alive meanwhile.
    pub async fn next(&mut self) -> Result<Next, End> {
        loop {
            tokio::select! {
                delivery = self.watcher.next() => {
                    return match delivery {
                        Delivery::Message(message) => Ok(Next::Message(message)),
                        Delivery::Behind => Ok(Next::Behind),
                        Delivery::Closed => Err(End::Close(1001, "the server is stopping")),
                    };
                }
                received = self.socket.recv() => match received {
                    // Browsers send nothing but pongs and the closing handshake; anything
                    // else is read (within the size limit) and ignored.
                    Some(Ok(Message::Close(_))) | Some(Err(_)) | None => return Err(End::Gone),
                    Some(Ok(_)) => self.heard_at = Instant::now(),
                },
                _ = self.tick.tick() => self.keep_alive().await?,
            }
        }
    }

    async fn keep_alive(&mut self) -> Result<(), End> {
        if self.heard_at.elapsed() > limits::IDLE_TIMEOUT {
            return Err(End::Close(close::IDLE, "nothing heard from the browser"));
        }
        if !guard::still_allowed(&self.auth, &self.headers, self.action) {
            return Err(End::Close(close::SESSION_ENDED, "the session has ended"));
        }
        self.send_raw(Message::Ping(Default::default())).await
    }

    /// Ends the connection as `end` says.
    pub async fn finish(mut self, end: End) {
        let End::Close(code, reason) = end else {
            return;
        };
        let frame = CloseFrame {
            code,
            reason: Utf8Bytes::from_static(reason),
        };
        let _ = self.send_raw(Message::Close(Some(frame))).await;
        // The browser answers the close; wait briefly so it is read, not reset.
        let _ = tokio::time::timeout(Duration::from_secs(1), async {
            while let Some(Ok(_)) = self.socket.recv().await {}
        })
        .await;
    }
}
