//! Several instances over one database, two figures:
//!
//! - **Takeover.** Two servers (the real binary, as processes) share a fresh database with
//!   demo data. An execution whose one step waits ten minutes runs on one of them; that
//!   one is killed with SIGKILL, and the time until the other holds the execution's lease
//!   (read from the database every 10 ms) is noted; the killed one starts again, and the
//!   next round kills the other. 20 kills. Goal: p99 ≤ 10 s.
//! - **Live across instances.** Two instances' services over one database, each serving
//!   the real router. An operator pauses and resumes an execution on A, again and again;
//!   a watcher on B notes when each event arrives: the time from its commit on A (the
//!   event's own timestamp, taken just before the commit) until B's watcher has it.
//!   Goal: p99 ≤ 1 s.
//!
//! Run it with `cargo bench -p server --bench instances` (BENCH_DATABASE_URL, or
//! TEST_DATABASE_URL, names the MySQL/MariaDB server). It prints figures; it asserts
//! nothing.

mod common;

use app::domain::ids::ExecutionId;
use app::domain::live::{LiveFrame, execution_path};
use app::store::schema::execution_leases;
use common::{
    call, cores, ms, percentile, session_cookie, signed_in, started_execution,
    started_execution_of, verdict,
};
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncMysqlConnection, RunQueryDsl};
use futures_util::StreamExt;
use serde_json::json;
use std::time::{Duration, Instant};
use tokio::process::{Child, Command};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

const KILLS: usize = 20;
/// Pause-resume pairs for the live figure.
const CHANGES: usize = 100;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    common::with_fresh_database(|url| async move { live_across_instances(&url).await }).await?;
    common::with_fresh_database(|url| async move { takeover(&url).await }).await
}

async fn live_across_instances(url: &str) -> anyhow::Result<()> {
    let nowhere = "127.0.0.1:9".parse()?;
    let supervisor = server::tasks::Supervisor::default();
    let journals =
        std::env::temp_dir().join(format!("switchyard-bench-instances-{}", std::process::id()));
    let journal = |name: &str| journals.join(name).join("journal.redb");
    let a = common::prepare_with_journal(url, nowhere, journal("a"))
        .await?
        .services;
    let b = common::prepare_with_journal(url, nowhere, journal("b"))
        .await?
        .services;
    // B follows the event table, as every instance does; no engine runs the execution,
    // so it stays running and can be paused and resumed.
    server::follow::start(
        &supervisor,
        b.store().clone(),
        b.bus.clone(),
        b.engine.clone(),
    );
    let live = server::live::limits::LiveLimits::default();
    let base_a = common::serve(a, live.clone()).await?;
    let base_b = common::serve(b, live).await?;
    let operator = signed_in(&base_a, "operator").await?;
    let id = started_execution(&base_a, &operator).await?;

    let cookie = session_cookie(&base_b, "auditor").await?;
    let mut request = format!(
        "{}{}",
        base_b.replacen("http", "ws", 1),
        execution_path(id, 0)
    )
    .into_client_request()?;
    request.headers_mut().insert("cookie", cookie.parse()?);
    let (mut socket, _) = tokio_tungstenite::connect_async(request).await?;
    loop {
        let Some(Message::Text(text)) = socket.next().await.transpose()? else {
            continue;
        };
        if serde_json::from_str::<LiveFrame>(&text)? == LiveFrame::Live {
            break;
        }
    }

    let mut lags = Vec::new();
    for n in 0..CHANGES * 2 {
        let verb = if n % 2 == 0 { "pause" } else { "resume" };
        let (status, body) = call(
            &operator,
            &base_a,
            &format!("executions/{verb}"),
            json!({ "id": id }),
        )
        .await?;
        anyhow::ensure!(status == 200, "{verb}: {body}");
        let seq = body["summary"]["last_seq"].as_u64().unwrap_or(0);
        // Until B's watcher has this change's event.
        loop {
            let message = tokio::time::timeout(Duration::from_secs(10), socket.next())
                .await
                .map_err(|_| anyhow::anyhow!("an event did not reach B in 10 s"))?;
            let Some(Message::Text(text)) = message.transpose()? else {
                continue;
            };
            let arrived = chrono::Utc::now();
            if let LiveFrame::Event(event) = serde_json::from_str::<LiveFrame>(&text)? {
                lags.push((arrived - event.at).to_std().unwrap_or_default());
                if event.seq >= seq {
                    break;
                }
            }
        }
    }
    supervisor.shut_down(Duration::from_secs(5)).await;
    let _ = std::fs::remove_dir_all(&journals);
    lags.sort();
    let p99 = percentile(&lags, 99);
    println!("several instances benchmark ({} cores)", cores());
    println!("| metric | measured | goal | |");
    println!("|---|---|---|---|");
    println!(
        "| live across instances: event committed on A → watcher on B has it ({} events; B reads the event table every {} ms), p50 / p99 | {:.0} ms / {:.0} ms | p99 ≤ 1000 ms | {} |",
        lags.len(),
        server::follow::FOLLOW_EVERY.as_millis(),
        ms(percentile(&lags, 50)),
        ms(p99),
        verdict(ms(p99) <= 1000.0)
    );
    Ok(())
}

/// A server process, instance `name`, on `url`.
struct Instance {
    name: &'static str,
    base: String,
    child: Child,
}

impl Instance {
    async fn start(name: &'static str, url: &str, state: &std::path::Path) -> anyhow::Result<Self> {
        let port = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await?
            .local_addr()?
            .port();
        let addr = format!("127.0.0.1:{port}");
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let child = Command::new(env!("CARGO_BIN_EXE_server"))
            .current_dir(root)
            .env("DATABASE_URL", url)
            .env("SWITCHYARD_ADDR", &addr)
            .env("LEPTOS_SITE_ADDR", &addr)
            .env("LEPTOS_OUTPUT_NAME", "switchyard")
            .env("SWITCHYARD_DEMO", "1")
            .env("SWITCHYARD_SECRET_KEY", "5a".repeat(32))
            .env("SWITCHYARD_SIMULATOR_ADDR", "127.0.0.1:9")
            .env("SWITCHYARD_SIMULATOR_PASSWORD", common::SIMULATOR_PASSWORD)
            .env("SWITCHYARD_INSTANCE", name)
            .env("SWITCHYARD_STATE_DIR", state.join(name))
            .env("SWITCHYARD_LOG", "error")
            .env_remove("SWITCHYARD_SIMULATOR")
            .kill_on_drop(true)
            .spawn()?;
        let instance = Self {
            name,
            base: format!("http://{addr}"),
            child,
        };
        let probe = reqwest::Client::new();
        for _ in 0..600 {
            let ready = probe.get(format!("{}/readyz", instance.base)).send().await;
            if ready.is_ok_and(|r| r.status() == 200) {
                return Ok(instance);
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        anyhow::bail!("{name} never became ready")
    }
}

async fn takeover(url: &str) -> anyhow::Result<()> {
    let state =
        std::env::temp_dir().join(format!("switchyard-bench-instances-{}", std::process::id()));
    let mut owner = Instance::start("bench-a", url, &state).await?;
    let mut other = Instance::start("bench-b", url, &state).await?;
    let operator = signed_in(&owner.base, "operator").await?;
    let reviewer = signed_in(&owner.base, "reviewer").await?;
    let plan = waiting_plan(&owner.base, &operator, &reviewer).await?;
    let mut conn = AsyncMysqlConnection::establish(url).await?;

    let mut takeovers = Vec::new();
    for _ in 0..KILLS {
        let operator = signed_in(&owner.base, "operator").await?;
        let id = started_execution_of(&owner.base, &operator, json!(plan)).await?;
        while lease_owner(&mut conn, id).await?.as_deref() != Some(owner.name) {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        owner.child.start_kill()?;
        let killed = Instant::now();
        owner.child.wait().await?;
        while lease_owner(&mut conn, id).await?.as_deref() != Some(other.name) {
            anyhow::ensure!(
                killed.elapsed() < Duration::from_secs(60),
                "no takeover in 60 s"
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        takeovers.push(killed.elapsed());
        let survivor = signed_in(&other.base, "operator").await?;
        let (status, body) = call(
            &survivor,
            &other.base,
            "executions/cancel",
            json!({ "id": id, "reason": "bench" }),
        )
        .await?;
        anyhow::ensure!(status == 200, "cancel: {body}");
        let restarted = Instance::start(owner.name, url, &state).await?;
        owner = other;
        other = restarted;
    }
    let _ = std::fs::remove_dir_all(&state);
    takeovers.sort();
    let lease = app::domain::cluster::Claimant::DEFAULT_LEASE;
    let p99 = percentile(&takeovers, 99);
    println!(
        "| takeover: owner killed (SIGKILL) mid-step → another instance holds the execution ({KILLS} kills; lease {} s renewed every {} s, one write per running execution each time; a look for free leases each {} s), p50 / p99 | {:.1} s / {:.1} s | p99 ≤ 10 s | {} |",
        lease.as_secs(),
        (lease / 3).as_secs(),
        server::engine::EngineConfig::DEFAULT_LOOK_EVERY.as_secs(),
        ms(percentile(&takeovers, 50)) / 1000.0,
        ms(p99) / 1000.0,
        verdict(ms(p99) <= 10_000.0)
    );
    Ok(())
}

async fn lease_owner(
    conn: &mut AsyncMysqlConnection,
    id: ExecutionId,
) -> anyhow::Result<Option<String>> {
    Ok(execution_leases::table
        .find(id.0)
        .select(execution_leases::owner)
        .first(conn)
        .await?)
}

/// An active plan whose one step waits ten minutes.
async fn waiting_plan(
    base: &str,
    operator: &reqwest::Client,
    reviewer: &reqwest::Client,
) -> anyhow::Result<u64> {
    let content = json!({ "content": {
        "name": "Waits", "description": "",
        "switchover": [{ "opcode": "wait", "params": { "seconds": 600 } }],
        "recovery": [],
    }});
    let (status, plan) = call(operator, base, "plans/create", content).await?;
    anyhow::ensure!(status == 200, "create: {plan}");
    let id = plan["plan"]["id"].clone();
    let (status, plan) = call(
        operator,
        base,
        "plans/submit",
        json!({ "id": id, "revision": plan["plan"]["revision"] }),
    )
    .await?;
    anyhow::ensure!(status == 200, "submit: {plan}");
    let (status, body) = call(
        reviewer,
        base,
        "plans/approve",
        json!({ "id": id, "revision": plan["plan"]["revision"], "comment": "" }),
    )
    .await?;
    anyhow::ensure!(status == 200, "approve: {body}");
    id.as_u64().ok_or_else(|| anyhow::anyhow!("no plan id"))
}
