//! The socket side of the live channel in the browser: open it on the page's origin,
//! read frames into the watcher, and reconnect with a capped, jittered backoff (reset
//! once the channel is live again) until the owner that started it is cleaned up.

use super::{Crowded, Flow, LiveStatus, apply_frame, apply_list_frame, backoff, socket_url};
use crate::domain::event::ExecutionEvent;
use crate::domain::execution::view::{ExecutionDetail, ExecutionSummary};
use crate::domain::ids::ExecutionId;
use crate::domain::live::{LIST_PATH, LiveFrame, SnapshotPages, close, execution_path};
use futures::StreamExt;
use futures::future::{AbortHandle, Abortable};
use gloo_net::websocket::futures::WebSocket;
use gloo_net::websocket::{Message, WebSocketError};
use leptos::prelude::*;
use std::time::Duration;

pub fn watch_execution(
    id: ExecutionId,
    detail: RwSignal<Option<ExecutionDetail>>,
    status: RwSignal<LiveStatus>,
    on_event: Callback<ExecutionEvent>,
) {
    let path = move || {
        let held = detail.try_with_untracked(|held| {
            held.as_ref()
                .filter(|d| d.summary.id == id)
                .map_or(0, |d| d.summary.last_seq)
        });
        execution_path(id, held.unwrap_or(0))
    };
    let on_frame = move |frame| {
        let outcome = detail.try_maybe_update(|held| {
            let before = held.as_ref().map(|d| d.summary.last_seq);
            let is_snapshot = matches!(frame, LiveFrame::Snapshot(_));
            let (flow, applied) = apply_frame(id, frame, held);
            let changed = is_snapshot
                || applied.is_some()
                || before != held.as_ref().map(|d| d.summary.last_seq);
            (changed, (flow, applied))
        });
        let Some((flow, applied)) = outcome else {
            return Flow::Stop;
        };
        if let Some(event) = applied {
            on_event.run(event);
        }
        flow
    };
    watch(path, status, on_frame);
}

pub fn watch_list(list: RwSignal<Vec<ExecutionSummary>>, status: RwSignal<LiveStatus>) {
    let on_frame = move |frame| {
        let updated = list.try_update(|list| apply_list_frame(frame, list));
        if updated.is_some() {
            Flow::Go
        } else {
            Flow::Stop
        }
    };
    watch(|| LIST_PATH.to_owned(), status, on_frame);
}

/// How one connection ended.
enum Ended {
    Lost,
    Refused(Crowded),
    Final,
}

/// Runs the channel at `path()` (asked again at each reconnect) until the current owner
/// is cleaned up or a frame says stop.
fn watch(
    path: impl Fn() -> String + 'static,
    status: RwSignal<LiveStatus>,
    mut on_frame: impl FnMut(LiveFrame) -> Flow + 'static,
) {
    let (handle, registration) = AbortHandle::new_pair();
    on_cleanup(move || handle.abort());
    leptos::task::spawn_local(async move {
        let run = async move {
            status.try_set(LiveStatus::Connecting);
            let mut attempt = 0;
            loop {
                let ended = connect(&path(), status, &mut on_frame, &mut attempt).await;
                attempt += 1;
                match ended {
                    Ended::Final => return,
                    Ended::Lost => status.try_set(LiveStatus::Reconnecting { attempt }),
                    Ended::Refused(why) => status.try_set(LiveStatus::Refused { why, attempt }),
                };
                sleep(backoff(attempt, js_sys::Math::random())).await;
            }
        };
        let _ = Abortable::new(run, registration).await;
    });
}

/// One connection: frames go to `on_frame` until it ends.
async fn connect(
    path: &str,
    status: RwSignal<LiveStatus>,
    on_frame: &mut impl FnMut(LiveFrame) -> Flow,
    attempt: &mut u32,
) -> Ended {
    let location = window().location();
    let (Ok(protocol), Ok(host)) = (location.protocol(), location.host()) else {
        return Ended::Final;
    };
    let Ok(mut socket) = WebSocket::open(&socket_url(&protocol, &host, path)) else {
        return Ended::Lost;
    };
    let mut pages = SnapshotPages::default();
    while let Some(received) = socket.next().await {
        let text = match received {
            Ok(Message::Text(text)) => text,
            Ok(Message::Bytes(_)) => continue,
            Err(WebSocketError::ConnectionClose(event)) if close::is_final(event.code) => {
                return Ended::Final;
            }
            Err(WebSocketError::ConnectionClose(event)) => {
                return Crowded::from_close(event.code).map_or(Ended::Lost, Ended::Refused);
            }
            Err(_) => return Ended::Lost,
        };
        let frame = match serde_json::from_str::<LiveFrame>(&text) {
            Ok(frame) => frame,
            Err(error) => {
                // Skipping a frame could skip a change: start again from what is held.
                leptos::logging::warn!("unreadable live frame: {error}");
                return Ended::Lost;
            }
        };
        let Some(frame) = pages.assemble(frame) else {
            continue;
        };
        if matches!(frame, LiveFrame::Live) {
            *attempt = 0;
            status.try_set(LiveStatus::Live);
            continue;
        }
        match on_frame(frame) {
            Flow::Go => {}
            Flow::Resync => return Ended::Lost,
            Flow::Stop => return Ended::Final,
        }
    }
    Ended::Lost
}

async fn sleep(duration: Duration) {
    let (done, wait) = futures::channel::oneshot::channel();
    set_timeout(
        move || {
            let _ = done.send(());
        },
        duration,
    );
    let _ = wait.await;
}
