//! The live channel's wire format, shared by the server that sends it and the browser
//! that reads it. One websocket per watch, JSON text messages, server to browser only:
//!
//! - `GET /live/executions/{id}?after={seq}` watches one execution. `after` is the last
//!   `seq` the browser holds (0 or absent: none). The server replays every event after
//!   it — or sends a [`LiveFrame::Snapshot`] when it holds none, or is too far behind —
//!   then [`LiveFrame::Live`], then each new [`LiveFrame::Event`] as it commits: in
//!   `seq` order, none twice, none skipped. A watcher that falls behind gets a fresh
//!   `Snapshot` instead of a gap. A large execution's snapshot comes in pages: first
//!   [`LiveFrame::SnapshotSteps`] frames with its leading steps, then the `Snapshot`
//!   with the rest (see [`SnapshotPages`]).
//! - `GET /live/executions` watches the list: a [`LiveFrame::Listing`] (again after
//!   falling behind), `Live`, then a [`LiveFrame::Summary`] for each change of an
//!   execution's row and a [`LiveFrame::Removed`] for each execution that goes.
//!
//! Each message is `{"type": "<frame>", "data": ...}` (`data` absent for `live`). A
//! refused handshake is a plain 401 or 403; a watcher over a cap is let in and closed at
//! once with a code that says which (so a browser, which cannot read a refusal's
//! status, can say it); once open, the server's close code says whether coming back
//! makes sense (see [`close`]).

use super::event::ExecutionEvent;
use super::execution::view::{ExecutionDetail, ExecutionStep, ExecutionSummary};
use super::ids::ExecutionId;
use serde::{Deserialize, Serialize};

/// The path of the executions list's live channel.
pub const LIST_PATH: &str = "/live/executions";

/// The path and query of one execution's live channel, for a watcher holding `after`.
pub fn execution_path(id: ExecutionId, after: u64) -> String {
    format!("{LIST_PATH}/{id}?after={after}")
}

/// The query of one execution's live channel.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WatchQuery {
    /// The last `seq` the watcher holds; 0 for none.
    #[serde(default)]
    pub after: u64,
}

/// The most executions a `Listing` holds (the newest); a list kept current from the
/// channel keeps no more than this either.
pub const LISTING_LIMIT: usize = 500;

/// One message from the server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", content = "data", rename_all = "snake_case")]
pub enum LiveFrame {
    /// The whole execution as it is now: replaces what the watcher holds. Its steps
    /// follow those of the `SnapshotSteps` frames sent just before it, if any.
    Snapshot(ExecutionDetail),
    /// Leading steps of the `Snapshot` that follows, in order.
    SnapshotSteps(Vec<ExecutionStep>),
    /// One change, the next after what the watcher holds.
    Event(ExecutionEvent),
    /// The newest executions, newest first: replaces the watcher's list.
    Listing(Vec<ExecutionSummary>),
    /// An execution's row as it is now (list watchers); older than what the watcher
    /// holds (by `last_seq`) when two changes crossed, so keep the newer.
    Summary(ExecutionSummary),
    /// The execution is gone (cancelled before it started).
    Removed(ExecutionId),
    /// Caught up: everything before was replay, everything after happens now.
    Live,
}

/// Puts a paged snapshot together: the steps of `SnapshotSteps` frames wait for their
/// `Snapshot` and go in front of its own. Keep one per connection.
#[derive(Debug, Default)]
pub struct SnapshotPages {
    steps: Vec<ExecutionStep>,
}

impl SnapshotPages {
    /// `frame` as the watcher applies it, or `None` while a snapshot is incomplete.
    pub fn assemble(&mut self, frame: LiveFrame) -> Option<LiveFrame> {
        match frame {
            LiveFrame::SnapshotSteps(mut steps) => {
                self.steps.append(&mut steps);
                None
            }
            LiveFrame::Snapshot(mut detail) => {
                let mut steps = std::mem::take(&mut self.steps);
                steps.append(&mut detail.steps);
                detail.steps = steps;
                Some(LiveFrame::Snapshot(detail))
            }
            other => Some(other),
        }
    }
}

/// Splits the leading steps off `detail` into pages of about `page_bytes` of JSON each
/// (a single larger step is a page of its own), leaving the last page in `detail`: sent
/// as `SnapshotSteps` frames, then the `Snapshot`, they make `detail` again.
pub fn page_snapshot(detail: &mut ExecutionDetail, page_bytes: usize) -> Vec<Vec<ExecutionStep>> {
    let mut pages = Vec::new();
    let mut page = Vec::new();
    let mut size = 0;
    for step in std::mem::take(&mut detail.steps) {
        let bytes = serde_json::to_vec(&step).map_or(0, |json| json.len());
        if !page.is_empty() && size + bytes > page_bytes {
            pages.push(std::mem::take(&mut page));
            size = 0;
        }
        size += bytes;
        page.push(step);
    }
    detail.steps = page;
    pages
}

/// Close codes the server ends a live channel with, beyond the standard ones (1000 after
/// `Removed`, 1001 going away, 1009 a frame too large, 1011 a fault of ours, 1013 the
/// database unavailable: try again later).
pub mod close {
    /// The session ended, or no longer allows watching: reconnecting works after the
    /// person signs in again.
    pub const SESSION_ENDED: u16 = 4401;
    /// No such execution: do not come back.
    pub const NOT_FOUND: u16 = 4404;
    /// The browser did not echo a ping in time: it is gone, or does not read.
    pub const IDLE: u16 = 4408;
    /// This session, or this user, has all the live channels it may: one must close
    /// before another opens.
    pub const TOO_MANY: u16 = 4429;
    /// The instance serves all the live channels it may (for readers: all but the room
    /// kept for operators and admins).
    pub const FULL: u16 = 4503;

    /// Whether a watcher closed with `code` should stop instead of reconnecting.
    pub fn is_final(code: u16) -> bool {
        matches!(code, NOT_FOUND | 1000)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_are_tagged_with_their_type() {
        let removed = serde_json::to_value(LiveFrame::Removed(ExecutionId(7))).unwrap();
        assert_eq!(removed, serde_json::json!({"type": "removed", "data": 7}));
        let live = serde_json::to_string(&LiveFrame::Live).unwrap();
        assert_eq!(live, r#"{"type":"live"}"#);
        assert_eq!(
            serde_json::from_str::<LiveFrame>(&live).unwrap(),
            LiveFrame::Live
        );
    }

    #[test]
    fn a_paged_snapshot_is_put_together_again_in_order() {
        use crate::domain::execution::examples::{step, summary};
        let steps = (1..=40).map(|id| ExecutionStep {
            title: "t".repeat(if id == 7 { 5000 } else { 100 }),
            ..step(id)
        });
        let whole = ExecutionDetail {
            summary: summary(1, 9),
            steps: steps.collect(),
            comments: Vec::new(),
        };
        let mut sent = whole.clone();
        let pages = page_snapshot(&mut sent, 1000);
        assert!(pages.len() > 4, "{} pages", pages.len());
        for page in &pages {
            let bytes = serde_json::to_vec(page).unwrap().len();
            assert!(page.len() == 1 || bytes <= 1000 + 2 * page.len(), "{bytes}");
        }
        let mut assembly = SnapshotPages::default();
        for page in pages {
            assert_eq!(assembly.assemble(LiveFrame::SnapshotSteps(page)), None);
        }
        assert_eq!(
            assembly.assemble(LiveFrame::Snapshot(sent)),
            Some(LiveFrame::Snapshot(whole.clone()))
        );
        let mut small = whole.clone();
        assert!(page_snapshot(&mut small, 1 << 20).is_empty());
        assert_eq!(small, whole, "a small snapshot is one frame");
        assert_eq!(assembly.assemble(LiveFrame::Live), Some(LiveFrame::Live));
    }

    #[test]
    fn the_path_carries_what_the_watcher_holds() {
        assert_eq!(
            execution_path(ExecutionId(3), 12),
            "/live/executions/3?after=12"
        );
    }
}
