//! Every bound of the live channel in one place: how many watch, how much each may hold
//! back, how much is replayed, how large and how slow things may get.

use std::time::Duration;

/// Most live channels one instance serves at once; beyond, a handshake gets 503.
pub const MAX_WATCHERS: usize = 2000;
/// Messages the hub holds for one watcher; a watcher that lets more pile up is behind
/// and gets a snapshot.
pub const WATCHER_BUFFER: usize = 256;
/// Most events replayed to a returning watcher; one further behind gets a snapshot.
pub const MAX_REPLAY: u64 = 1000;
/// Events read from the database at a time while replaying.
pub const REPLAY_BATCH: i64 = 200;
/// The largest frame sent (a snapshot of a very large execution); larger ends the
/// channel with 1009 rather than buffering without bound.
pub const MAX_FRAME_BYTES: usize = 8 << 20;
/// The largest message a browser may send (it has nothing to say but pongs).
pub const MAX_INCOMING_BYTES: usize = 4 << 10;
/// How long one frame may take to go out before the browser counts as gone.
pub const SEND_TIMEOUT: Duration = Duration::from_secs(10);
/// How often the server pings, and asks the session again.
pub const PING_EVERY: Duration = Duration::from_secs(20);
/// A browser silent this long (not even a pong) is gone.
pub const IDLE_TIMEOUT: Duration = Duration::from_secs(60);
