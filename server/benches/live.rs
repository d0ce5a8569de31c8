//! Live fan-out benchmark: 1,000 websocket watchers of one execution, over real
//! connections to the real router, on a fresh database with demo data. An operator
//! pauses and resumes the execution over HTTP, again and again; for each event, the time
//! from its commit (the event's own timestamp, taken just before the commit, so the
//! figure includes the commit) until the last of the 1,000 watchers has it.
//! Goal: p99 ≤ 100 ms. It prints figures; it asserts nothing.
//!
//! Run it with `cargo bench -p server --bench live` (BENCH_DATABASE_URL, or
//! TEST_DATABASE_URL, names the MySQL/MariaDB server). The watchers run in the same
//! process as the server, on the same cores: the figure includes their work too.

mod common;

use app::domain::live::{LiveFrame, execution_path};
use chrono::{DateTime, Utc};
use common::{call, cores, ms, percentile, session_cookie, signed_in, started_execution, verdict};
use futures_util::StreamExt;
use serde_json::json;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

const WATCHERS: usize = 1000;
/// Handshakes in flight at once while the watchers connect.
const CONNECTING: usize = 50;
/// Pause-resume pairs: one event each.
const CHANGES: usize = 200;

/// Each event's timestamp and when each watcher received it, by seq.
type Arrivals = Arc<Mutex<HashMap<u64, (DateTime<Utc>, Vec<DateTime<Utc>>)>>>;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    common::with_fresh_database(|url| async move { run(&url).await }).await
}

async fn run(url: &str) -> anyhow::Result<()> {
    let nowhere = "127.0.0.1:9".parse()?;
    let prepared = common::prepare(url, nowhere).await?;
    // Every watcher is the same bench user in one session: let it have them all.
    let live = server::live::limits::LiveLimits {
        live_watchers_per_user: WATCHERS,
        live_watchers_per_session: WATCHERS,
        ..Default::default()
    };
    let base = common::serve(prepared.services, live).await?;
    let operator = signed_in(&base, "operator").await?;
    let auditor = session_cookie(&base, "auditor").await?;
    let id = started_execution(&base, &operator).await?;

    // Every watcher connects, takes its snapshot and waits for events.
    let arrivals: Arrivals = Arc::default();
    let (ready_tx, mut ready) = tokio::sync::mpsc::channel::<()>(WATCHERS);
    let url = format!(
        "{}{}",
        base.replacen("http", "ws", 1),
        execution_path(id, 0)
    );
    let connecting = Arc::new(tokio::sync::Semaphore::new(CONNECTING));
    for _ in 0..WATCHERS {
        let (url, cookie, arrivals, ready_tx) = (
            url.clone(),
            auditor.clone(),
            arrivals.clone(),
            ready_tx.clone(),
        );
        let connecting = connecting.clone();
        tokio::spawn(async move {
            let permit = connecting.acquire_owned().await;
            if let Err(error) = watch(&url, &cookie, arrivals, ready_tx, permit).await {
                eprintln!("a watcher stopped: {error}");
            }
        });
    }
    drop(ready_tx);
    let mut watching = 0;
    while watching < WATCHERS && ready.recv().await.is_some() {
        watching += 1;
    }
    anyhow::ensure!(watching == WATCHERS, "only {watching} watchers connected");

    // The operator changes the execution; each change is an event (or two).
    for n in 0..CHANGES * 2 {
        let verb = if n % 2 == 0 { "pause" } else { "resume" };
        let before = delivered(&arrivals)?;
        let (status, body) = call(
            &operator,
            &base,
            &format!("executions/{verb}"),
            json!({ "id": id }),
        )
        .await?;
        anyhow::ensure!(status == 200, "{verb}: {body}");
        until_delivered(&arrivals, before + 1).await?;
    }

    let arrivals = arrivals.lock().map_err(|_| anyhow::anyhow!("poisoned"))?;
    let mut lags: Vec<Duration> = arrivals
        .values()
        .filter(|(_, times)| times.len() == WATCHERS)
        .filter_map(|(at, times)| {
            let last = times.iter().max()?;
            (*last - *at).to_std().ok()
        })
        .collect();
    lags.sort();
    anyhow::ensure!(!lags.is_empty(), "no event reached every watcher");
    let p99 = percentile(&lags, 99);
    println!("live fan-out benchmark ({} cores)", cores());
    println!("| metric | measured | goal | |");
    println!("|---|---|---|---|");
    println!(
        "| live fan-out: {WATCHERS} watchers, event committed → last watcher has it ({} events), p50 / p99 | {:.1} ms / {:.1} ms | p99 ≤ 100 ms | {} |",
        lags.len(),
        ms(percentile(&lags, 50)),
        ms(p99),
        verdict(ms(p99) <= 100.0)
    );
    Ok(())
}

/// One watcher: connects, reads its snapshot, says it is ready, then notes when each
/// event arrives.
async fn watch(
    url: &str,
    cookie: &str,
    arrivals: Arrivals,
    ready: tokio::sync::mpsc::Sender<()>,
    permit: Result<tokio::sync::OwnedSemaphorePermit, tokio::sync::AcquireError>,
) -> anyhow::Result<()> {
    let mut request = url.into_client_request()?;
    request.headers_mut().insert("cookie", cookie.parse()?);
    let (mut socket, _) = tokio_tungstenite::connect_async(request).await?;
    drop(permit);
    while let Some(message) = socket.next().await {
        let Message::Text(text) = message? else {
            continue;
        };
        let arrived = Utc::now();
        match serde_json::from_str::<LiveFrame>(&text)? {
            LiveFrame::Live => {
                let _ = ready.send(()).await;
            }
            LiveFrame::Event(event) => arrivals
                .lock()
                .map_err(|_| anyhow::anyhow!("poisoned"))?
                .entry(event.seq)
                .or_insert_with(|| (event.at, Vec::new()))
                .1
                .push(arrived),
            LiveFrame::Snapshot(_) | LiveFrame::SnapshotSteps(_) => {}
            other => anyhow::bail!("unexpected frame {other:?}"),
        }
    }
    Ok(())
}

/// How many events every watcher has.
fn delivered(arrivals: &Arrivals) -> anyhow::Result<usize> {
    Ok(arrivals
        .lock()
        .map_err(|_| anyhow::anyhow!("poisoned"))?
        .values()
        .filter(|(_, times)| times.len() == WATCHERS)
        .count())
}

/// Waits until every watcher has at least `events` events (at most 10 s).
async fn until_delivered(arrivals: &Arrivals, events: usize) -> anyhow::Result<()> {
    for _ in 0..10_000 {
        if delivered(arrivals)? >= events {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    anyhow::bail!("an event did not reach every watcher in 10 s")
}
