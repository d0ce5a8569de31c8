//! Every bound of the live channel in one place: how many watch (in all, per user, per
//! session, and the room kept for those who act), how much each may hold back, how much
//! is replayed, how large and how slow things may get.

use std::time::Duration;

/// Most live channels one instance serves at once; beyond, a handshake gets 503.
pub const MAX_WATCHERS: usize = 2000;
/// Channels one user may have open at once (all their sessions together).
pub const PER_USER: usize = 32;
/// Channels one session (one sign-in: a browser's tabs) may have open at once.
pub const PER_SESSION: usize = 16;
/// Channels of the total only operators and admins may take, so the people who act can
/// always watch whatever readers do.
pub const RESERVED_FOR_OPERATORS: usize = 200;

/// Messages the hub holds for one watcher; a watcher that lets more pile up is behind
/// and gets a snapshot.
pub const WATCHER_BUFFER: usize = 256;
/// Most events replayed to a returning watcher; one further behind gets a snapshot.
pub const MAX_REPLAY: u64 = 1000;
/// Events read from the database at a time while replaying.
pub const REPLAY_BATCH: i64 = 200;
/// A snapshot's steps go out in frames of about this many bytes (the first frames carry
/// steps only, the last one the execution with its remaining steps), so no frame, and
/// no buffer that keeps the size of the largest frame it held, grows with the plan.
pub const SNAPSHOT_PAGE_BYTES: usize = 64 << 10;
/// Bytes a watcher may be sent that its browser has not yet shown it read (by echoing a
/// ping sent after them); beyond, sending waits for that echo. What a browser that does
/// not read can cost is this, not what the execution produces.
pub const UNREAD_BYTES: usize = 256 << 10;
/// The largest frame sent (one step larger than a page); larger ends the channel with
/// 1009 rather than buffering without bound.
pub const MAX_FRAME_BYTES: usize = 8 << 20;
/// The largest message a browser may send (it has nothing to say but pongs).
pub const MAX_INCOMING_BYTES: usize = 4 << 10;
/// What the socket reads at a time (it is allocated per channel).
pub const READ_BUFFER_BYTES: usize = 8 << 10;
/// How long one frame may take to go out before the browser counts as gone.
pub const SEND_TIMEOUT: Duration = Duration::from_secs(10);
/// How often the server pings, and asks the session again.
pub const PING_EVERY: Duration = Duration::from_secs(20);
/// A browser that has not echoed a ping within this is gone (or not reading).
pub const PONG_TIMEOUT: Duration = Duration::from_secs(60);

/// The limits that an operator may set, with the timings tests shorten.
#[derive(Debug, Clone, clap::Args)]
pub struct LiveLimits {
    /// Most live channels (execution and list watchers) this instance serves at once.
    #[arg(long, env = "SWITCHYARD_LIVE_MAX_WATCHERS", default_value_t = MAX_WATCHERS)]
    pub live_max_watchers: usize,

    /// Most live channels one user may have open at once.
    #[arg(long, env = "SWITCHYARD_LIVE_WATCHERS_PER_USER", default_value_t = PER_USER)]
    pub live_watchers_per_user: usize,

    /// Most live channels one session may have open at once.
    #[arg(long, env = "SWITCHYARD_LIVE_WATCHERS_PER_SESSION", default_value_t = PER_SESSION)]
    pub live_watchers_per_session: usize,

    /// Live channels kept for operators and admins: readers may take only the rest.
    #[arg(long, env = "SWITCHYARD_LIVE_RESERVED_FOR_OPERATORS", default_value_t = RESERVED_FOR_OPERATORS)]
    pub live_reserved_for_operators: usize,

    /// How often the server pings each channel.
    #[arg(skip = PING_EVERY)]
    pub ping_every: Duration,

    /// How long a ping may go unanswered.
    #[arg(skip = PONG_TIMEOUT)]
    pub pong_timeout: Duration,

    /// Bytes a watcher may be sent past what its browser showed it read.
    #[arg(skip = UNREAD_BYTES)]
    pub unread_bytes: usize,

    /// About how many bytes of a snapshot's steps go in one frame.
    #[arg(skip = SNAPSHOT_PAGE_BYTES)]
    pub snapshot_page_bytes: usize,
}

impl LiveLimits {
    /// Refuses limits that would lock people out: no room at all, or the room kept for
    /// operators taking all of it, so readers could never watch.
    pub fn check(&self) -> anyhow::Result<()> {
        anyhow::ensure!(
            self.live_max_watchers > 0
                && self.live_watchers_per_user > 0
                && self.live_watchers_per_session > 0,
            "SWITCHYARD_LIVE_MAX_WATCHERS, SWITCHYARD_LIVE_WATCHERS_PER_USER and \
             SWITCHYARD_LIVE_WATCHERS_PER_SESSION must each be at least 1"
        );
        anyhow::ensure!(
            self.live_reserved_for_operators < self.live_max_watchers,
            "SWITCHYARD_LIVE_RESERVED_FOR_OPERATORS ({}) must be less than \
             SWITCHYARD_LIVE_MAX_WATCHERS ({}), or readers could never watch",
            self.live_reserved_for_operators,
            self.live_max_watchers
        );
        Ok(())
    }
}

impl Default for LiveLimits {
    fn default() -> Self {
        Self {
            live_max_watchers: MAX_WATCHERS,
            live_watchers_per_user: PER_USER,
            live_watchers_per_session: PER_SESSION,
            live_reserved_for_operators: RESERVED_FOR_OPERATORS,
            ping_every: PING_EVERY,
            pong_timeout: PONG_TIMEOUT,
            unread_bytes: UNREAD_BYTES,
            snapshot_page_bytes: SNAPSHOT_PAGE_BYTES,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_that_lock_people_out_are_refused() {
        assert!(LiveLimits::default().check().is_ok());
        let all_kept = LiveLimits {
            live_reserved_for_operators: MAX_WATCHERS,
            ..LiveLimits::default()
        };
        let refused = all_kept.check().unwrap_err().to_string();
        assert!(refused.contains("readers could never watch"), "{refused}");
        let none = LiveLimits {
            live_watchers_per_session: 0,
            ..LiveLimits::default()
        };
        assert!(none.check().is_err());
    }
}
