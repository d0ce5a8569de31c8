//! Run-mode benchmark: the degraded-mode journal and the way back to normal. It prints
//! figures; it asserts nothing. Run it with `cargo bench -p server --bench run_mode`
//! (BENCH_DATABASE_URL, or TEST_DATABASE_URL, names the MySQL/MariaDB server).
//!
//! - **Durable journal appends per second**: one record (an event carrying one log line)
//!   per append, each committed to disk before the next. Goal: ≥ 100/s, the pace of a
//!   large restart's records.
//! - **Database gone → degraded mode**: from the moment a TCP proxy cuts the database to
//!   the instance's switch, with the default setting (5 s of failed health checks, asked
//!   every second, each given up to a second to answer). Goal: ≤ 6.5 s, the setting plus
//!   one check and its wait.
//! - **Reconcile of 100,000 journal records** (log-line events of one execution, one in
//!   ten with an audit entry) into MySQL. Goal: ≤ 10 s.

use app::domain::audit::Outcome;
use app::domain::event::{Change, ExecutionEvent};
use app::domain::execution::view::{ExecutionStepId, LogLevel, NewExecution, StepLogLine};
use app::domain::ids::ExecutionId;
use app::domain::role::Action;
use app::mode::journal::{AuditLine, Fenced, Journal, Record};
use app::store::Store;
use app::store::audit::AuditRecord;
use chrono::Utc;
use std::time::{Duration, Instant};

mod common;
#[path = "../tests/support/db_proxy.rs"]
#[allow(dead_code)]
mod db_proxy;

use common::{cores, verdict};

const APPENDS: usize = 300;
const RECORDS: u64 = 100_000;
const DEGRADE_AFTER_SECONDS: f64 = 5.0;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    common::with_fresh_database(|url| async move { run(&url).await }).await
}

async fn run(url: &str) -> anyhow::Result<()> {
    let scratch =
        std::env::temp_dir().join(format!("switchyard-bench-mode-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&scratch);
    let simulator: std::net::SocketAddr = "127.0.0.1:9".parse()?;

    let appends = appends_per_second(&scratch.join("appends.redb"))?;
    let prepared =
        common::prepare_with_journal(url, simulator, scratch.join("direct/journal.redb")).await?;
    let store = prepared.services.store().clone();
    let degraded_after = time_to_degraded(url, simulator, &scratch).await?;
    let (reconciled, written) = reconcile_time(&store).await?;
    let _ = std::fs::remove_dir_all(&scratch);

    println!("run-mode benchmark ({} cores)", cores());
    println!("| metric | measured | goal | |");
    println!("|---|---|---|---|");
    println!(
        "| degraded mode: durable journal appends, one record each | {appends:.0}/s | ≥ 100/s | {} |",
        verdict(appends >= 100.0)
    );
    println!(
        "| degraded mode: database cut → instance degraded (setting {DEGRADE_AFTER_SECONDS} s) | {:.1} s | ≤ 6.5 s | {} |",
        degraded_after.as_secs_f64(),
        verdict(degraded_after <= Duration::from_millis(6500))
    );
    println!(
        "| reconcile of {RECORDS} journal records into MySQL ({written} events) | {:.1} s | ≤ 10 s | {} |",
        reconciled.as_secs_f64(),
        verdict(reconciled <= Duration::from_secs(10))
    );
    Ok(())
}

/// Appends one record at a time, each durably.
fn appends_per_second(path: &std::path::Path) -> anyhow::Result<f64> {
    let journal = Journal::open(path)?;
    let record = |i: usize| Record {
        at: Utc::now(),
        execution: None,
        events: Vec::new(),
        audit: vec![audit_line(&format!("append {i}"))],
    };
    let started = Instant::now();
    for i in 0..APPENDS {
        journal.append(&[record(i)])?;
    }
    Ok(APPENDS as f64 / started.elapsed().as_secs_f64())
}

fn audit_line(key: &str) -> AuditLine {
    AuditLine {
        key: key.to_owned(),
        at: Utc::now(),
        actor_id: None,
        actor_name: "(engine)".to_owned(),
        actor_role: None,
        action: "bench/journaled".to_owned(),
        target_kind: None,
        target_id: None,
        outcome: Outcome::Ok.as_str().to_owned(),
        reason: None,
        client_addr: None,
    }
}

/// Cuts the database under an instance whose health check runs with the default setting;
/// how long until it is degraded.
async fn time_to_degraded(
    url: &str,
    simulator: std::net::SocketAddr,
    scratch: &std::path::Path,
) -> anyhow::Result<Duration> {
    let proxy = db_proxy::DbProxy::start(url).await;
    let prepared =
        common::prepare_with_journal(&proxy.url, simulator, scratch.join("cut/journal.redb"))
            .await?;
    let supervisor = server::tasks::Supervisor::default();
    let config = server::mode::ModeConfig {
        state_dir: None,
        degrade_after_seconds: DEGRADE_AFTER_SECONDS,
        restore_automatically: false,
    };
    server::mode::start(&supervisor, &prepared.services, config);
    // The health check has answered once.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let store = prepared.services.store().clone();
    let cut = Instant::now();
    proxy.cut();
    while !store.mode().is_degraded() {
        anyhow::ensure!(cut.elapsed() < Duration::from_secs(60), "never degraded");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    Ok(cut.elapsed())
}

/// Fills the journal with records of one real execution (its lease taken), and times
/// reconcile writing them.
async fn reconcile_time(store: &Store) -> anyhow::Result<(Duration, u64)> {
    let user = app::store::users::find_by_username(store, "operator")
        .await?
        .ok_or_else(|| anyhow::anyhow!("no demo operator"))?;
    let record = AuditRecord::of(&user.session_user(), Action::CreateExecution, None);
    let plans = app::store::plans::list(store).await?;
    let plan = plans
        .iter()
        .find(|p| p.name == "Data center power loss")
        .ok_or_else(|| anyhow::anyhow!("no demo plan"))?;
    let sites = app::store::data_centers::list(store).await?;
    let site = |name: &str| sites.iter().find(|d| d.name == name).map(|d| d.id);
    let new = NewExecution {
        plan_id: plan.id,
        failed: site("Shanghai-A"),
        emergency: site("Hangzhou-B"),
        description: "reconcile bench".to_owned(),
        drill: false,
    };
    let (detail, _) = app::store::executions::create(store, &record, &new).await?;
    let id: ExecutionId = detail.summary.id;
    let fence = app::store::executions::leases::claim(
        store,
        id,
        &app::domain::cluster::Claimant::new("bench", Duration::from_secs(600)),
    )
    .await?
    .ok_or_else(|| anyhow::anyhow!("lease not granted"))?;
    let step: ExecutionStepId = detail.steps[0].id;
    let first = detail.summary.last_seq + 1;
    let journal = store.mode().journal_file().clone();
    let records: Vec<Record> = (0..RECORDS)
        .map(|i| {
            let at = Utc::now();
            Record {
                at,
                execution: Some(Fenced {
                    execution: id,
                    token: fence.token,
                }),
                events: vec![ExecutionEvent {
                    execution_id: id,
                    seq: first + i,
                    at,
                    change: Change::Logged {
                        step,
                        line: StepLogLine {
                            id: 0,
                            attempt: 1,
                            at,
                            level: LogLevel::Info,
                            message: format!("line {i} of the bench"),
                        },
                    },
                }],
                audit: match i % 10 {
                    0 => vec![audit_line(&format!("reconcile-{i}"))],
                    _ => Vec::new(),
                },
            }
        })
        .collect();
    for chunk in records.chunks(1000) {
        journal.append(chunk)?;
    }
    let started = Instant::now();
    let done = app::store::reconcile::reconcile(store).await?;
    let took = started.elapsed();
    anyhow::ensure!(done.refused.is_empty(), "refused: {:?}", done.refused);
    Ok((took, done.events))
}
