//! What one account, or one browser that does not read, can take of the live channel:
//! each session and each user has a cap, readers leave room for operators and admins, a
//! snapshot goes out in pages, and a browser that does not show it reads (by echoing
//! our pings) is sent little and then dropped — over a real websocket. A channel over a
//! cap is let in and closed at once with a code saying which, so a browser can say so.

use crate::live::{Socket, catch_up, next, open, session_cookie};
use crate::support::builders::{PlanBuilder, execution};
use crate::support::test_app::TestApp;
use crate::support::wait::eventually;
use app::domain::ids::ExecutionId;
use app::domain::live::{LIST_PATH, LiveFrame, SnapshotPages, close, execution_path};
use app::domain::role::Role;
use futures_util::{SinkExt, StreamExt};
use serde_json::json;
use server::live::limits::LiveLimits;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

/// Opens the list's channel: the socket, caught up (what came before `Live`), or the
/// close code it was turned away with.
async fn watch_list(app: &TestApp, cookie: &str) -> Result<(Socket, Vec<LiveFrame>), u16> {
    let mut socket = open(app, LIST_PATH, Some(cookie), None)
        .await
        .expect("the handshake");
    let mut frames = Vec::new();
    loop {
        match next(&mut socket).await? {
            LiveFrame::Live => return Ok((socket, frames)),
            frame => frames.push(frame),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sessions_and_users_are_capped_and_readers_leave_room_for_operators() {
    let app = TestApp::spawn_with_live_limits(LiveLimits {
        live_max_watchers: 10,
        live_watchers_per_user: 4,
        live_watchers_per_session: 3,
        live_reserved_for_operators: 4,
        ..LiveLimits::default()
    })
    .await;
    let mut open_now = Vec::new();

    // One auditor session takes its three, a second session of the same user one more.
    let auditor = session_cookie(&app, Role::Auditor).await;
    for _ in 0..3 {
        open_now.push(watch_list(&app, &auditor).await.unwrap().0);
    }
    assert_eq!(
        watch_list(&app, &auditor).await.err(),
        Some(close::TOO_MANY),
        "session cap"
    );
    let auditor_again = session_cookie(&app, Role::Auditor).await;
    open_now.push(watch_list(&app, &auditor_again).await.unwrap().0);
    assert_eq!(
        watch_list(&app, &auditor_again).await.err(),
        Some(close::TOO_MANY),
        "the user's cap counts both sessions"
    );

    // Readers may fill all but the room kept for operators.
    let reviewer = session_cookie(&app, Role::Reviewer).await;
    for _ in 0..2 {
        open_now.push(watch_list(&app, &reviewer).await.unwrap().0);
    }
    assert_eq!(
        watch_list(&app, &reviewer).await.err(),
        Some(close::FULL),
        "the rest is kept for operators"
    );

    // The operator still watches, and gets the channel's frames.
    let operator = session_cookie(&app, Role::Operator).await;
    for _ in 0..3 {
        let (socket, caught_up) = watch_list(&app, &operator).await.unwrap();
        assert!(matches!(caught_up.as_slice(), [LiveFrame::Listing(_)]));
        open_now.push(socket);
    }
    let admin = session_cookie(&app, Role::Admin).await;
    let _admin_watching = watch_list(&app, &admin).await.unwrap();
    assert_eq!(
        watch_list(&app, &admin).await.err(),
        Some(close::FULL),
        "the instance is full"
    );

    // A channel closed is counted out again: the admin gets the operator's place.
    let mut operator_watching = open_now.pop().unwrap();
    operator_watching.close(None).await.unwrap();
    let reopened = eventually(
        "the admin opens a channel in the place freed",
        Duration::from_secs(10),
        || async {
            watch_list(&app, &admin)
                .await
                .map_err(|status| format!("closed with {status}"))
        },
    )
    .await;
    open_now.push(reopened.0);
}

/// A plan of `steps` steps with long titles, and an execution of it (not started).
async fn large_execution(app: &TestApp, steps: usize) -> ExecutionId {
    let operator = app.as_role(Role::Operator).await;
    let reviewer = app.as_role(Role::Reviewer).await;
    let title = "Wait for the storage replicas to settle ".repeat(5);
    let mut plan = PlanBuilder::new("Large");
    for _ in 0..steps {
        plan = plan
            .switchover("wait", json!({ "seconds": 1 }))
            .titled(&title[..200]);
    }
    let plan = plan.active(&app.base, &operator, &reviewer).await;
    let id = execution(&app.base, &operator, plan, "Shanghai-A", "Hangzhou-B").await;
    ExecutionId(id)
}

/// Limits small enough for a test to reach: 4 KiB pages, 16 KiB unread, a ping every
/// 200 ms that must be echoed within a second.
fn tight() -> LiveLimits {
    LiveLimits {
        live_watchers_per_session: 1,
        ping_every: Duration::from_millis(200),
        pong_timeout: Duration::from_secs(1),
        unread_bytes: 16 << 10,
        snapshot_page_bytes: 4 << 10,
        ..LiveLimits::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_large_snapshot_comes_in_pages_that_a_reading_browser_puts_together() {
    let limits = tight();
    let app = TestApp::spawn_with_live_limits(limits.clone()).await;
    let id = large_execution(&app, 150).await;
    let cookie = session_cookie(&app, Role::Auditor).await;
    let mut socket = open(&app, &execution_path(id, 0), Some(&cookie), None)
        .await
        .unwrap();
    let mut pages = SnapshotPages::default();
    let (mut frames, mut assembled) = (0, None);
    for frame in catch_up(&mut socket).await {
        let bytes = serde_json::to_vec(&frame).unwrap().len();
        assert!(
            bytes < limits.snapshot_page_bytes + 1024,
            "a frame of {bytes} bytes"
        );
        frames += 1;
        assembled = pages.assemble(frame).or(assembled);
    }
    let Some(LiveFrame::Snapshot(detail)) = assembled else {
        panic!("no snapshot");
    };
    assert!(frames > 10, "{frames} frames");
    assert_eq!(detail.steps.len(), 150);
    let positions: Vec<u32> = detail.steps.iter().map(|s| s.position).collect();
    assert_eq!(positions, (1..=150).collect::<Vec<u32>>(), "in order");
}

/// A TCP stream whose writes, once muted, are dropped: a browser that reads but never
/// answers.
struct Muted {
    inner: tokio::net::TcpStream,
    muted: Arc<AtomicBool>,
}

impl AsyncRead for Muted {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl AsyncWrite for Muted {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        if self.muted.load(Ordering::Acquire) {
            return Poll::Ready(Ok(buf.len()));
        }
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_browser_that_never_echoes_is_sent_little_and_then_dropped() {
    let limits = tight();
    let app = TestApp::spawn_with_live_limits(limits.clone()).await;
    let id = large_execution(&app, 150).await;
    let cookie = session_cookie(&app, Role::Auditor).await;
    let url = format!(
        "{}{}",
        app.base.replacen("http", "ws", 1),
        execution_path(id, 0)
    );
    let mut request = url.into_client_request().unwrap();
    request
        .headers_mut()
        .insert("cookie", cookie.parse().unwrap());
    let tcp = tokio::net::TcpStream::connect(app.base.trim_start_matches("http://"))
        .await
        .unwrap();
    let muted = Arc::new(AtomicBool::new(false));
    let stream = Muted {
        inner: tcp,
        muted: Arc::clone(&muted),
    };
    let (mut socket, _) = tokio_tungstenite::client_async(request, stream)
        .await
        .unwrap();
    muted.store(true, Ordering::Release);

    let mut received = 0;
    let code = loop {
        let message = tokio::time::timeout(Duration::from_secs(10), socket.next())
            .await
            .expect("the server neither sent nor closed for 10 s")
            .and_then(Result::ok);
        match message {
            Some(Message::Text(text)) => {
                let frame: LiveFrame = serde_json::from_str(&text).unwrap();
                assert_ne!(frame, LiveFrame::Live, "the snapshot was not all sent");
                received += text.len();
            }
            Some(Message::Close(frame)) => break frame.map_or(1005, |f| u16::from(f.code)),
            Some(_) => {}
            None => panic!("the channel ended without a close frame"),
        }
    };
    assert_eq!(code, close::IDLE);
    let allowed = limits.unread_bytes + limits.snapshot_page_bytes + 1024;
    assert!(
        received <= allowed,
        "{received} bytes sent to a browser that never echoed"
    );
    assert!(
        received > limits.unread_bytes / 2,
        "only {received} bytes sent"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pongs_a_browser_makes_up_do_not_keep_a_channel_it_does_not_read() {
    let app = TestApp::spawn_with_live_limits(tight()).await;
    let cookie = session_cookie(&app, Role::Auditor).await;
    let mut socket = open(&app, LIST_PATH, Some(&cookie), None).await.unwrap();
    // Unsolicited pongs, and never a read (so never an echo of the server's pings).
    let pongs = tokio::spawn(async move {
        while socket.send(Message::Pong(vec![0; 8].into())).await.is_ok() {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    });
    // The session may hold one channel: it can open another once that one is dropped.
    assert_eq!(watch_list(&app, &cookie).await.err(), Some(close::TOO_MANY));
    let (mut replacement, caught_up) = eventually(
        "the channel that is not read is dropped",
        Duration::from_secs(15),
        || async {
            watch_list(&app, &cookie)
                .await
                .map_err(|code| format!("closed with {code}"))
        },
    )
    .await;
    pongs.abort();
    // A browser that reads (and so echoes) keeps its channel across many pings.
    assert!(matches!(caught_up.as_slice(), [LiveFrame::Listing(_)]));
    let quiet = tokio::time::timeout(Duration::from_secs(3), next(&mut replacement)).await;
    assert!(quiet.is_err(), "the reading browser was dropped: {quiet:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn watchers_held_to_a_tiny_unread_budget_still_see_every_event_once_and_in_order() {
    // 1 KiB unread: sending waits for an echo every frame or two, while 300 changes pile
    // up past what the hub holds for a watcher, so it resynchronises by a snapshot too.
    let app = TestApp::spawn_with_live_limits(LiveLimits {
        unread_bytes: 1 << 10,
        ..LiveLimits::default()
    })
    .await;
    crate::live::join_while_it_changes(&app, 150).await;
}
