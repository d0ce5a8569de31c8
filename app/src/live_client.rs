//! The browser's end of the live channel: keeps an execution (or the executions list)
//! current from the server's pushed frames (`domain::live`), reconnecting by itself and
//! resuming from the last `seq` it holds. Pages give it the signals to keep current; on
//! the server (rendering) it does nothing. What to do with each frame is decided here,
//! in plain functions; `browser` owns the socket.

#[cfg(feature = "hydrate")]
mod browser;

use crate::domain::event::ExecutionEvent;
use crate::domain::execution::view::{ExecutionDetail, ExecutionSummary};
use crate::domain::ids::ExecutionId;
use crate::domain::live::{LISTING_LIMIT, LiveFrame};
use leptos::prelude::*;
use std::time::Duration;

/// How the live channel is doing, for the page to show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LiveStatus {
    Connecting,
    Live,
    /// Lost; trying again (the `attempt`-th time).
    Reconnecting {
        attempt: u32,
    },
    /// The server would not serve one more live channel; trying again.
    Refused {
        why: Crowded,
        attempt: u32,
    },
}

/// Why the server would not serve one more live channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Crowded {
    /// This session or user has all it may: another tab must close.
    TooMany,
    /// The instance has all it may.
    Full,
}

impl Crowded {
    /// The refusal a close code means, if it is one.
    pub fn from_close(code: u16) -> Option<Self> {
        match code {
            crate::domain::live::close::TOO_MANY => Some(Self::TooMany),
            crate::domain::live::close::FULL => Some(Self::Full),
            _ => None,
        }
    }
}

/// Keeps `detail` current with execution `id`: every event is applied to it and also
/// handed to `on_event` (an expanded step's log grows from `Logged` and `Called`). It
/// resumes from the `seq` that `detail` holds (a snapshot when it holds nothing), so a
/// page should fill `detail` only while it is `None`. A snapshot replaces `detail` —
/// after a long absence too, when the events between are not replayed (re-read what was
/// built from events, such as an open step log). When the execution is removed,
/// `detail` becomes `None` and watching stops; it also stops at once for an execution
/// that does not exist, and when the calling owner (page, effect) is cleaned up.
pub fn watch_execution(
    id: ExecutionId,
    detail: RwSignal<Option<ExecutionDetail>>,
    status: RwSignal<LiveStatus>,
    on_event: Callback<ExecutionEvent>,
) {
    #[cfg(feature = "hydrate")]
    browser::watch_execution(id, detail, status, on_event);
    #[cfg(not(feature = "hydrate"))]
    let _ = (id, detail, status, on_event);
}

/// Keeps `list` (newest first, at most [`LISTING_LIMIT`]) current with every execution's
/// changes; it is replaced whole when the channel (re)connects.
pub fn watch_list(list: RwSignal<Vec<ExecutionSummary>>, status: RwSignal<LiveStatus>) {
    #[cfg(feature = "hydrate")]
    browser::watch_list(list, status);
    #[cfg(not(feature = "hydrate"))]
    let _ = (list, status);
}

/// What the watcher does after a frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    Go,
    /// What arrived does not follow what is held: reconnect, resuming from it.
    Resync,
    /// The execution is gone: stop watching.
    Stop,
}

/// Applies one frame of execution `id`'s channel to what is held; says what to do next
/// and hands back the event that applied (to pass on).
pub fn apply_frame(
    id: ExecutionId,
    frame: LiveFrame,
    held: &mut Option<ExecutionDetail>,
) -> (Flow, Option<ExecutionEvent>) {
    match frame {
        LiveFrame::Snapshot(detail) if detail.summary.id == id => {
            *held = Some(detail);
            (Flow::Go, None)
        }
        LiveFrame::Event(event) => match held {
            Some(detail) if event.seq <= detail.summary.last_seq => (Flow::Go, None),
            Some(detail) if event.seq == detail.summary.last_seq + 1 => {
                let applied = detail.apply(&event);
                (Flow::Go, applied.then_some(event))
            }
            _ => (Flow::Resync, None),
        },
        LiveFrame::Removed(gone) if gone == id => {
            *held = None;
            (Flow::Stop, None)
        }
        _ => (Flow::Go, None),
    }
}

/// Applies one frame of the list's channel to the list (newest first).
pub fn apply_list_frame(frame: LiveFrame, list: &mut Vec<ExecutionSummary>) {
    match frame {
        LiveFrame::Listing(all) => *list = all,
        LiveFrame::Summary(summary) => match list.iter_mut().find(|s| s.id == summary.id) {
            // Two changes can cross on the way; the later one wins.
            Some(held) if held.last_seq > summary.last_seq => {}
            Some(held) => *held = summary,
            None => {
                let at = list.partition_point(|s| s.id > summary.id);
                list.insert(at, summary);
                list.truncate(LISTING_LIMIT);
            }
        },
        LiveFrame::Removed(id) => list.retain(|s| s.id != id),
        _ => {}
    }
}

/// The first wait before reconnecting, doubled each attempt up to [`MAX_BACKOFF`].
pub const FIRST_BACKOFF: Duration = Duration::from_millis(500);
pub const MAX_BACKOFF: Duration = Duration::from_secs(30);

/// How long to wait before reconnecting attempt `attempt` (1, 2, ...), with `jitter`
/// (0..1) taking up to half of it off so a restarted server is not met by every
/// browser at once.
pub fn backoff(attempt: u32, jitter: f64) -> Duration {
    let doubled = FIRST_BACKOFF.saturating_mul(1 << attempt.saturating_sub(1).min(16));
    doubled
        .min(MAX_BACKOFF)
        .mul_f64(1.0 - jitter.clamp(0.0, 1.0) / 2.0)
}

/// The websocket URL of `path` on the page's own origin (`protocol` as the page's
/// `location.protocol`, `https:` or `http:`).
pub fn socket_url(protocol: &str, host: &str, path: &str) -> String {
    let scheme = if protocol == "https:" { "wss" } else { "ws" };
    format!("{scheme}://{host}{path}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::event::Change;
    use crate::domain::execution::examples::summary;

    fn event(seq: u64) -> LiveFrame {
        LiveFrame::Event(ExecutionEvent {
            execution_id: ExecutionId(1),
            seq,
            at: chrono::DateTime::UNIX_EPOCH,
            change: Change::Execution(summary(1, seq)),
        })
    }

    #[test]
    fn events_apply_in_order_and_a_gap_asks_for_a_resync() {
        let id = ExecutionId(1);
        let mut held = None;
        assert_eq!(apply_frame(id, event(1), &mut held), (Flow::Resync, None));
        let snapshot = ExecutionDetail {
            summary: summary(1, 2),
            steps: Vec::new(),
            comments: Vec::new(),
        };
        apply_frame(id, LiveFrame::Snapshot(snapshot), &mut held);
        assert_eq!(apply_frame(id, event(2), &mut held), (Flow::Go, None));
        let (flow, handed) = apply_frame(id, event(3), &mut held);
        assert_eq!((flow, handed.map(|e| e.seq)), (Flow::Go, Some(3)));
        assert_eq!(held.as_ref().unwrap().summary.last_seq, 3);
        assert_eq!(apply_frame(id, event(5), &mut held).0, Flow::Resync);
        assert_eq!(
            apply_frame(id, LiveFrame::Removed(id), &mut held),
            (Flow::Stop, None)
        );
        assert_eq!(held, None);
    }

    #[test]
    fn the_list_keeps_newest_first_and_the_later_row() {
        let mut list = vec![summary(5, 1), summary(2, 1)];
        apply_list_frame(LiveFrame::Summary(summary(3, 1)), &mut list);
        apply_list_frame(LiveFrame::Summary(summary(7, 1)), &mut list);
        apply_list_frame(LiveFrame::Summary(summary(5, 4)), &mut list);
        apply_list_frame(LiveFrame::Summary(summary(5, 3)), &mut list);
        apply_list_frame(LiveFrame::Removed(ExecutionId(2)), &mut list);
        let ids: Vec<(u64, u64)> = list.iter().map(|s| (s.id.0, s.last_seq)).collect();
        assert_eq!(ids, [(7, 1), (5, 4), (3, 1)]);
    }

    #[test]
    fn backoff_doubles_up_to_its_cap_and_jitter_only_shortens_it() {
        assert_eq!(backoff(1, 0.0), FIRST_BACKOFF);
        assert_eq!(backoff(3, 0.0), FIRST_BACKOFF * 4);
        assert_eq!(backoff(40, 0.0), MAX_BACKOFF);
        assert_eq!(backoff(40, 1.0), MAX_BACKOFF / 2);
    }

    #[test]
    fn a_crowded_close_is_told_from_a_lost_channel() {
        use crate::domain::live::close;
        assert_eq!(Crowded::from_close(close::TOO_MANY), Some(Crowded::TooMany));
        assert_eq!(Crowded::from_close(close::FULL), Some(Crowded::Full));
        assert_eq!(Crowded::from_close(close::IDLE), None);
        assert_eq!(Crowded::from_close(1011), None);
    }

    #[test]
    fn the_socket_follows_the_page_protocol() {
        assert_eq!(
            socket_url("https:", "dr.example", "/live/executions"),
            "wss://dr.example/live/executions"
        );
        assert_eq!(
            socket_url("http:", "127.0.0.1:3000", "/x"),
            "ws://127.0.0.1:3000/x"
        );
    }
}
