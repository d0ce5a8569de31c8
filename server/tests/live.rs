//! The live channel over a real websocket: who may watch, from where, and that a watcher
//! sees every change of an execution exactly once and in order — across a reconnect too.
//! Changes are made by an operator's commands (the engine is not running here).

use crate::support::test_app::{PASSWORD, TestApp};
use app::domain::event::{Change, ExecutionEvent};
use app::domain::execution::ExecutionState;
use app::domain::ids::ExecutionId;
use app::domain::live::{LIST_PATH, LiveFrame, close, execution_path};
use app::domain::plan::Phase;
use app::domain::role::Role;
use futures_util::StreamExt;
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::time::Duration;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::{Error as WsError, Message};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

pub(crate) type Socket = WebSocketStream<MaybeTlsStream<tokio::net::TcpStream>>;

/// The session cookie (`name=value`) of the demo user of `role`.
pub(crate) async fn session_cookie(app: &TestApp, role: Role) -> String {
    session_cookie_at(&app.base, role).await
}

/// The session cookie of the demo user of `role` on the server at `base`.
pub(crate) async fn session_cookie_at(base: &str, role: Role) -> String {
    let response = reqwest::Client::new()
        .post(format!("{base}/api/auth/sign_in"))
        .json(&json!({ "username": role.as_str(), "password": PASSWORD }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let set_cookie = response.headers()["set-cookie"].to_str().unwrap();
    set_cookie.split(';').next().unwrap().to_owned()
}

/// Opens the live channel at `path` with these headers.
pub(crate) async fn open(
    app: &TestApp,
    path: &str,
    cookie: Option<&str>,
    origin: Option<&str>,
) -> Result<Socket, WsError> {
    open_at(&app.base, path, cookie, origin).await
}

/// Opens the live channel at `path` of the server at `base`.
pub(crate) async fn open_at(
    base: &str,
    path: &str,
    cookie: Option<&str>,
    origin: Option<&str>,
) -> Result<Socket, WsError> {
    let url = format!("{}{path}", base.replacen("http", "ws", 1));
    let mut request = url.into_client_request().unwrap();
    if let Some(cookie) = cookie {
        request
            .headers_mut()
            .insert("cookie", cookie.parse().unwrap());
    }
    if let Some(origin) = origin {
        request
            .headers_mut()
            .insert("origin", origin.parse().unwrap());
    }
    tokio_tungstenite::connect_async(request)
        .await
        .map(|(socket, _)| socket)
}

/// The HTTP status a refused handshake got.
fn refused_with(result: Result<Socket, WsError>) -> u16 {
    match result {
        Err(WsError::Http(response)) => response.status().as_u16(),
        Err(other) => panic!("expected an HTTP refusal, got {other}"),
        Ok(_) => panic!("expected a refusal, but the channel opened"),
    }
}

/// The next frame, or the close code when the server closes.
pub(crate) async fn next(socket: &mut Socket) -> Result<LiveFrame, u16> {
    loop {
        let message = tokio::time::timeout(Duration::from_secs(10), socket.next())
            .await
            .expect("the server sent nothing for 10 s")
            .expect("the channel ended without a close frame")
            .unwrap();
        match message {
            Message::Text(text) => return Ok(serde_json::from_str(&text).unwrap()),
            Message::Close(frame) => return Err(frame.map_or(1005, |f| u16::from(f.code))),
            _ => {}
        }
    }
}

pub(crate) async fn frame(socket: &mut Socket) -> LiveFrame {
    next(socket).await.expect("a frame, not the end")
}

/// The frames before `Live` (the catch-up).
pub(crate) async fn catch_up(socket: &mut Socket) -> Vec<LiveFrame> {
    let mut frames = Vec::new();
    loop {
        match frame(socket).await {
            LiveFrame::Live => return frames,
            other => frames.push(other),
        }
    }
}

async fn event(socket: &mut Socket) -> ExecutionEvent {
    match frame(socket).await {
        LiveFrame::Event(event) => event,
        other => panic!("expected an event, got {other:?}"),
    }
}

/// Reads events until the execution's row says `state`; returns them all.
async fn events_until(socket: &mut Socket, state: ExecutionState) -> Vec<ExecutionEvent> {
    let mut events = Vec::new();
    loop {
        let event = event(socket).await;
        let reached = matches!(&event.change, Change::Execution(s) if s.state == state);
        events.push(event);
        if reached {
            return events;
        }
    }
}

/// Asserts that `events` follow `after` one by one, with no gap and no repeat.
fn assert_contiguous(after: u64, events: &[ExecutionEvent]) {
    let seqs: Vec<u64> = events.iter().map(|e| e.seq).collect();
    let expected: Vec<u64> = (after + 1..=after + events.len() as u64).collect();
    assert_eq!(seqs, expected, "events after {after}");
}

/// An operator's client and a new execution (created, not started) of a demo plan that
/// is active, for the first pair of data centers that plan can run between.
async fn new_execution(app: &TestApp) -> (reqwest::Client, ExecutionId) {
    let operator = app.as_role(Role::Operator).await;
    let (_, plans) = app.call(&operator, "plans/list", json!({})).await;
    let (_, data_centers) = app.call(&operator, "data_centers/list", json!({})).await;
    let ids = |list: &Value, wanted: &dyn Fn(&Value) -> bool| -> Vec<Value> {
        list.as_array()
            .unwrap()
            .iter()
            .filter(|item| wanted(item))
            .map(|item| item["id"].clone())
            .collect()
    };
    let active = ids(&plans, &|plan| plan["status"] == "active");
    let data_centers = ids(&data_centers, &|_| true);
    for plan in &active {
        for failed in &data_centers {
            for emergency in data_centers.iter().filter(|dc| *dc != failed) {
                let new = json!({
                    "plan_id": plan,
                    "failed": failed,
                    "emergency": emergency,
                    "description": "",
                });
                let (status, created) = app
                    .call(&operator, "executions/create", json!({ "new": new }))
                    .await;
                if status == StatusCode::OK {
                    let id = ExecutionId(created["summary"]["id"].as_u64().unwrap());
                    return (operator, id);
                }
            }
        }
    }
    panic!("no active demo plan can run between any two data centers");
}

async fn command(app: &TestApp, operator: &reqwest::Client, verb: &str, id: ExecutionId) {
    let (status, body) = app
        .call(operator, &format!("executions/{verb}"), json!({ "id": id }))
        .await;
    assert_eq!(status, StatusCode::OK, "{verb}: {body}");
}

const RUNNING: ExecutionState = ExecutionState::Running(Phase::Switchover);
const PAUSED: ExecutionState = ExecutionState::Paused(Phase::Switchover);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_auditor_watches_an_execution_from_a_snapshot_then_live() {
    let app = TestApp::spawn_with_demo().await;
    let (operator, id) = new_execution(&app).await;
    let auditor = session_cookie(&app, Role::Auditor).await;

    let mut socket = open(&app, &execution_path(id, 0), Some(&auditor), None)
        .await
        .unwrap();
    let caught_up = catch_up(&mut socket).await;
    let [LiveFrame::Snapshot(detail)] = caught_up.as_slice() else {
        panic!("a watcher holding nothing gets one snapshot, got {caught_up:?}");
    };
    assert_eq!(detail.summary.id, id);
    assert_eq!(detail.summary.state, ExecutionState::Created);
    assert!(!detail.steps.is_empty());
    let held = detail.summary.last_seq;
    assert!(held >= 1, "creating it was an event");

    command(&app, &operator, "start", id).await;
    let events = events_until(&mut socket, RUNNING).await;
    assert_contiguous(held, &events);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn anyone_not_signed_in_is_refused_before_the_upgrade() {
    let app = TestApp::spawn_with_demo().await;
    let (_, id) = new_execution(&app).await;
    assert_eq!(
        refused_with(open(&app, &execution_path(id, 0), None, None).await),
        401
    );
    assert_eq!(refused_with(open(&app, LIST_PATH, None, None).await), 401);
    let forged = "switchyard_session=not-a-token";
    assert_eq!(
        refused_with(open(&app, LIST_PATH, Some(forged), None).await),
        401
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_page_of_another_site_cannot_open_the_channel_with_our_cookie() {
    let app = TestApp::spawn_with_demo().await;
    let (_, id) = new_execution(&app).await;
    let auditor = session_cookie(&app, Role::Auditor).await;
    let path = execution_path(id, 0);

    let evil = Some("http://evil.example");
    assert_eq!(
        refused_with(open(&app, &path, Some(&auditor), evil).await),
        403
    );
    assert_eq!(
        refused_with(open(&app, LIST_PATH, Some(&auditor), evil).await),
        403
    );
    let other_port = app.base.rsplit_once(':').unwrap().0.to_owned() + ":1";
    assert_eq!(
        refused_with(open(&app, &path, Some(&auditor), Some(&other_port)).await),
        403
    );
    // Our own pages are welcome.
    let mut socket = open(&app, &path, Some(&auditor), Some(&app.base))
        .await
        .unwrap();
    assert!(matches!(frame(&mut socket).await, LiveFrame::Snapshot(_)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_returning_watcher_gets_exactly_what_it_missed_then_live_changes() {
    let app = TestApp::spawn_with_demo().await;
    let (operator, id) = new_execution(&app).await;
    command(&app, &operator, "start", id).await;
    let auditor = session_cookie(&app, Role::Auditor).await;

    let mut socket = open(&app, &execution_path(id, 0), Some(&auditor), None)
        .await
        .unwrap();
    let LiveFrame::Snapshot(detail) = frame(&mut socket).await else {
        panic!("a snapshot first");
    };
    assert_eq!(frame(&mut socket).await, LiveFrame::Live);
    command(&app, &operator, "pause", id).await;
    let seen = events_until(&mut socket, PAUSED).await;
    assert_contiguous(detail.summary.last_seq, &seen);
    let held = seen.last().unwrap().seq;
    drop(socket);

    // Changes while it is away.
    command(&app, &operator, "resume", id).await;
    command(&app, &operator, "pause", id).await;
    command(&app, &operator, "resume", id).await;
    let missed = app::store::executions::events_after(app.services.store(), id, held, 1000)
        .await
        .unwrap();
    assert!(missed.len() >= 3, "each command wrote an event");

    let mut socket = open(&app, &execution_path(id, held), Some(&auditor), None)
        .await
        .unwrap();
    let replayed: Vec<ExecutionEvent> = catch_up(&mut socket)
        .await
        .into_iter()
        .map(|frame| match frame {
            LiveFrame::Event(event) => event,
            other => panic!("a watcher this close behind gets events, got {other:?}"),
        })
        .collect();
    assert_eq!(replayed, missed, "exactly the missed events, in order");

    command(&app, &operator, "pause", id).await;
    let live = events_until(&mut socket, PAUSED).await;
    assert_contiguous(replayed.last().unwrap().seq, &live);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn watching_an_execution_that_does_not_exist_ends_with_a_reason() {
    let app = TestApp::spawn_with_demo().await;
    let auditor = session_cookie(&app, Role::Auditor).await;
    let mut socket = open(
        &app,
        &execution_path(ExecutionId(999_999), 3),
        Some(&auditor),
        None,
    )
    .await
    .unwrap();
    assert_eq!(next(&mut socket).await, Err(close::NOT_FOUND));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_list_shows_new_executions_and_removals_as_they_happen() {
    let app = TestApp::spawn_with_demo().await;
    let auditor = session_cookie(&app, Role::Auditor).await;
    let mut list = open(&app, LIST_PATH, Some(&auditor), None).await.unwrap();
    assert_eq!(catch_up(&mut list).await, [LiveFrame::Listing(Vec::new())]);

    let (operator, id) = new_execution(&app).await;
    let LiveFrame::Summary(summary) = frame(&mut list).await else {
        panic!("the new execution's row");
    };
    assert_eq!((summary.id, summary.state), (id, ExecutionState::Created));

    let mut watcher = open(&app, &execution_path(id, 0), Some(&auditor), None)
        .await
        .unwrap();
    assert!(matches!(frame(&mut watcher).await, LiveFrame::Snapshot(_)));
    assert_eq!(frame(&mut watcher).await, LiveFrame::Live);

    // Cancelled before it started, it is removed.
    command(&app, &operator, "cancel", id).await;
    assert_eq!(frame(&mut list).await, LiveFrame::Removed(id));
    assert_eq!(frame(&mut watcher).await, LiveFrame::Removed(id));
    assert_eq!(next(&mut watcher).await, Err(1000));
}

/// Follows a watcher's frames until it holds `last`, checking that each event is the
/// next after what it holds (a snapshot may move it on).
async fn follow_to(socket: &mut Socket, mut held: u64, last: u64) {
    while held < last {
        match frame(socket).await {
            LiveFrame::Snapshot(detail) => held = detail.summary.last_seq,
            LiveFrame::Event(event) => {
                assert_eq!(event.seq, held + 1, "an event repeated or skipped");
                held = event.seq;
            }
            LiveFrame::Live => {}
            other => panic!("unexpected {other:?}"),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn watchers_joining_while_it_changes_see_each_event_once_and_in_order() {
    let app = TestApp::spawn_with_demo().await;
    join_while_it_changes(&app, 15).await;
}

/// Five watchers join an execution of `app` while an operator pauses and resumes it
/// `rounds` times, and read nothing until it is done: each then sees every event once
/// and in order (a snapshot may move it on).
pub(crate) async fn join_while_it_changes(app: &TestApp, rounds: usize) {
    let (operator, id) = new_execution(app).await;
    command(app, &operator, "start", id).await;
    let auditor = session_cookie(app, Role::Auditor).await;
    let driving = {
        let base = app.base.clone();
        tokio::spawn(async move {
            for verb in ["pause", "resume"].repeat(rounds) {
                let (status, body) = crate::support::test_app::call(
                    &operator,
                    &base,
                    &format!("executions/{verb}"),
                    json!({ "id": id }),
                )
                .await;
                assert_eq!(status, StatusCode::OK, "{verb}: {body}");
            }
        })
    };

    // Joining at different moments, holding nothing or the first event: whatever the
    // replay and the bus both carry is sent once.
    let mut watchers = Vec::new();
    for after in [0, 1, 0, 1, 2] {
        let socket = open(app, &execution_path(id, after), Some(&auditor), None)
            .await
            .unwrap();
        watchers.push((socket, after));
        tokio::time::sleep(Duration::from_millis(15)).await;
    }
    driving.await.unwrap();
    let last = app::store::executions::last_seq(app.services.store(), id)
        .await
        .unwrap();
    for (mut socket, after) in watchers {
        follow_to(&mut socket, after, last).await;
    }
}
