//! One open live channel: the socket, the watcher feeding it, and what keeps it honest —
//! frames sent as JSON within a size and a time limit, a ping now and then whose echo
//! shows the browser read everything sent before it, no more than a budget of bytes
//! sent past the last echo, a browser that stops echoing dropped, and the session asked
//! again (from memory) so a signed-out or disabled user stops receiving.

use super::hub::{Delivery, Watcher};
use super::limits::{self, LiveLimits};
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
    pub const NOT_READING: Self = Self::Close(close::IDLE, "the browser does not read");
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
    tick: Interval,
    reading: Reading,
    pong_timeout: Duration,
    unread_bytes: u64,
    page_bytes: usize,
}

/// What the browser has shown it read. A ping carries a fresh random number; only a pong
/// echoing it counts, and it proves every byte sent before that ping was read (a pong
/// the browser makes up proves nothing).
#[derive(Debug, Default)]
struct Reading {
    /// Bytes sent on the channel so far.
    sent: u64,
    /// Of those, how many the browser has shown it read.
    read: u64,
    /// The ping awaiting its echo: its number, when it went, and `sent` then.
    awaiting: Option<(u64, Instant, u64)>,
}

impl Reading {
    fn unread(&self) -> u64 {
        self.sent - self.read
    }

    /// Takes `pong`: when it echoes the ping awaited, what was sent before that ping
    /// counts as read.
    fn pong(&mut self, pong: &[u8]) {
        if let Some((nonce, _, mark)) = self.awaiting
            && pong == nonce.to_be_bytes()
        {
            self.read = mark;
            self.awaiting = None;
        }
    }

    /// Whether the ping awaited has waited longer than `timeout`.
    fn overdue(&self, timeout: Duration) -> bool {
        self.awaiting
            .is_some_and(|(_, at, _)| at.elapsed() > timeout)
    }
}

impl Connection {
    pub fn new(
        socket: WebSocket,
        watcher: Watcher,
        auth: Auth,
        headers: HeaderMap,
        action: Action,
        limits: &LiveLimits,
    ) -> Self {
        let every = limits.ping_every;
        let mut tick = tokio::time::interval_at(Instant::now() + every, every);
        tick.set_missed_tick_behavior(MissedTickBehavior::Delay);
        Self {
            socket,
            watcher,
            auth,
            headers,
            action,
            tick,
            reading: Reading::default(),
            pong_timeout: limits.pong_timeout,
            unread_bytes: limits.unread_bytes as u64,
            page_bytes: limits.snapshot_page_bytes,
        }
    }

    /// About how many bytes of a snapshot's steps to send in one frame.
    pub fn page_bytes(&self) -> usize {
        self.page_bytes
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
        while self.reading.unread() > 0
            && self.reading.unread() + text.len() as u64 > self.unread_bytes
        {
            self.until_read().await?;
        }
        self.reading.sent += text.len() as u64;
        self.send_raw(Message::Text(text.into())).await
    }

    /// Waits for the echo of a ping (sent now, if none is awaited), reading nothing but
    /// the browser's answers meanwhile.
    async fn until_read(&mut self) -> Result<(), End> {
        if self.reading.awaiting.is_none() {
            self.ping().await?;
        }
        let deadline = self
            .reading
            .awaiting
            .map(|(_, at, _)| at + self.pong_timeout);
        let deadline = deadline.unwrap_or_else(Instant::now);
        while self.reading.awaiting.is_some() {
            match tokio::time::timeout_at(deadline, self.socket.recv()).await {
                Err(_) => return Err(End::NOT_READING),
                Ok(received) => self.heard(received)?,
            }
        }
        Ok(())
    }

    /// Takes what the browser sent.
    fn heard(&mut self, received: Option<Result<Message, axum::Error>>) -> Result<(), End> {
        match received {
            Some(Ok(Message::Close(_))) | Some(Err(_)) | None => Err(End::Gone),
            Some(Ok(Message::Pong(pong))) => {
                self.reading.pong(&pong);
                Ok(())
            }
            // Browsers send nothing else; anything else is read (within the size limit)
            // and ignored.
            Some(Ok(_)) => Ok(()),
        }
    }

    async fn ping(&mut self) -> Result<(), End> {
        let nonce = getrandom::u64().unwrap_or_default();
        self.reading.awaiting = Some((nonce, Instant::now(), self.reading.sent));
        let payload = nonce.to_be_bytes().to_vec();
        self.send_raw(Message::Ping(payload.into())).await
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
                received = self.socket.recv() => self.heard(received)?,
                _ = self.tick.tick() => self.keep_alive().await?,
            }
        }
    }

    async fn keep_alive(&mut self) -> Result<(), End> {
        if self.reading.overdue(self.pong_timeout) {
            return Err(End::NOT_READING);
        }
        if !guard::still_allowed(&self.auth, &self.headers, self.action) {
            return Err(End::Close(close::SESSION_ENDED, "the session has ended"));
        }
        if self.reading.awaiting.is_none() {
            self.ping().await?;
        }
        Ok(())
    }

    /// Ends the connection as `end` says.
    pub async fn finish(mut self, end: End) {
        let End::Close(code, reason) = end else {
            return;
        };
        close(&mut self.socket, code, Utf8Bytes::from_static(reason)).await;
    }
}

/// Closes `socket` with `code` and `reason`, waiting briefly for the browser's answer so
/// the close is read, not reset.
pub async fn close(socket: &mut WebSocket, code: u16, reason: Utf8Bytes) {
    let frame = CloseFrame { code, reason };
    let closing = socket.send(Message::Close(Some(frame)));
    if tokio::time::timeout(limits::SEND_TIMEOUT, closing)
        .await
        .is_err()
    {
        return;
    }
    let _ = tokio::time::timeout(Duration::from_secs(1), async {
        while let Some(Ok(_)) = socket.recv().await {}
    })
    .await;
}
