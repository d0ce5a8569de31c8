//! The browser's end of the live channel: keeps an execution (or the executions list)
//! current from the server's pushed events, reconnecting by itself. Pages give it the
//! signals to keep current; on the server (rendering) it does nothing.

use crate::domain::event::ExecutionEvent;
use crate::domain::execution::view::{ExecutionDetail, ExecutionSummary};
use crate::domain::ids::ExecutionId;
use leptos::prelude::*;

/// How the live channel is doing, for the page to show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LiveStatus {
    Connecting,
    Live,
    /// Lost; trying again (the `attempt`-th time).
    Reconnecting {
        attempt: u32,
    },
}

/// Keeps `detail` current with execution `id`: every event is applied to it and also
/// handed to `on_event` (an expanded step's log grows from `Logged` and `Called`).
pub fn watch_execution(
    id: ExecutionId,
    detail: RwSignal<Option<ExecutionDetail>>,
    status: RwSignal<LiveStatus>,
    on_event: Callback<ExecutionEvent>,
) {
    let _ = (id, detail, status, on_event);
}

/// Keeps `list` (newest first) current with every execution's changes.
pub fn watch_list(list: RwSignal<Vec<ExecutionSummary>>, status: RwSignal<LiveStatus>) {
    let _ = (list, status);
}
