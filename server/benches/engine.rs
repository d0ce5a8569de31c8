//! Engine benchmark: step dispatch latency and a 1,000-application restart, on a fresh
//! database against the built-in simulator over real HTTP. It prints figures; it asserts
//! nothing. Run it with `cargo bench -p server --bench engine` (BENCH_DATABASE_URL, or
//! TEST_DATABASE_URL, names the MySQL/MariaDB server; default mysql://root@127.0.0.1:3306).
//!
//! - **Step dispatch**: from one step done (its recorded end) to the next step's platform
//!   call arriving at the simulator, including every durable write between (the end, the
//!   next step's start, its call's record), over ≥ 1,000 steps (`traffic.restore`, one
//!   call each) with zero platform latency.
//!   Goal: p50 ≤ 5 ms, p99 ≤ 20 ms.
//! - **Restart of 1,000 applications** in 10 dependency levels of 100, each restart
//!   taking 50 ms on the platform, the engine restarting up to 100 at once.
//!   Goal: ≤ 1.2 × the critical path (10 × 50 ms).

use app::domain::environment::{Application, ProductGroupForm};
use app::domain::execution::view::{NewExecution, StepCall};
use app::domain::execution::{Command, ExecutionState};
use app::domain::ids::{DataCenterId, ExecutionId};
use app::domain::plan::{PlanContent, PlanStep};
use app::domain::role::Action;
use app::domain::simulator::{Call, Latency, Timing};
use app::domain::step::builtin_step_types;
use app::store::Store;
use app::store::audit::AuditRecord;
use serde_json::json;
use server::engine::{self, EngineConfig};
use server::sim::{self, Credentials, EstateSource, Simulator};
use server::tasks::Supervisor;
use std::time::{Duration, Instant};

const DISPATCH_RUNS: usize = 6;
const STEPS_PER_RUN: usize = 200;
const LEVELS: usize = 10;
const PER_LEVEL: usize = 100;
const RESTART_MS: u64 = 50;

mod common;

use common::{cores, ms, percentile, verdict};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    common::with_fresh_database(|url| async move { run(&url).await }).await
}

async fn run(url: &str) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let simulator_addr = listener.local_addr()?;
    let prepared = common::prepare(url, simulator_addr).await?;
    let services = prepared.services;
    let store = services.store().clone();
    let (author, approver) = (
        record(&store, "operator").await?,
        record(&store, "reviewer").await?,
    );
    let fleet = fleet(&store, &author).await?;

    let simulator = Simulator::new(
        EstateSource::Database(store.clone()),
        Credentials {
            username: "switchyard".to_owned(),
            password: common::SIMULATOR_PASSWORD.to_owned(),
        },
        Timing::ZERO,
    )
    .await?;
    tokio::spawn(sim::serve(listener, simulator.clone(), Default::default()));
    let supervisor = Supervisor::default();
    let config = EngineConfig {
        restart_parallelism: PER_LEVEL,
        ..Default::default()
    };
    engine::start(&supervisor, &services, prepared.engine_wakes, config);
    let sites = sites(&store).await?;

    println!("engine benchmark ({} cores)", cores());
    println!("| metric | measured | goal | |");
    println!("|---|---|---|---|");

    // Step dispatch.
    let steps = (0..STEPS_PER_RUN)
        .map(|_| {
            step(
                "traffic.restore",
                json!({ "product_group": "Payments", "weight_percent": 100 }),
            )
        })
        .collect();
    let plan = approved_plan(&store, &author, &approver, "Dispatch bench", steps).await?;
    let mut gaps = Vec::new();
    for _ in 0..DISPATCH_RUNS {
        let id = execute(
            &store,
            &author,
            &services,
            plan,
            &sites,
            ExecutionState::SwitchoverDone,
        )
        .await?;
        gaps.extend(dispatch_gaps(&store, &simulator, id).await?);
    }
    gaps.sort();
    let (p50, p99) = (percentile(&gaps, 50), percentile(&gaps, 99));
    println!(
        "| step dispatch ({} steps), p50 / p99 | {:.1} ms / {:.1} ms | ≤ 5 ms / ≤ 20 ms | {} |",
        gaps.len(),
        ms(p50),
        ms(p99),
        verdict(ms(p50) <= 5.0 && ms(p99) <= 20.0)
    );

    // Restart of 1,000 applications.
    let latency = Latency {
        min_ms: RESTART_MS as u32,
        max_ms: RESTART_MS as u32,
    };
    let link = app::simulator_link::SimulatorLink::new(
        simulator_addr,
        "switchyard",
        common::SIMULATOR_PASSWORD,
    );
    link.set_timing(&Timing {
        restart: latency,
        ..Timing::ZERO
    })
    .await
    .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    link.reset().await.map_err(|e| anyhow::anyhow!("{e:?}"))?;
    let restart = vec![step(
        "app.restart",
        json!({ "product_group": fleet, "site": "emergency", "timeout_seconds": 600 }),
    )];
    let plan = approved_plan(&store, &author, &approver, "Restart bench", restart).await?;
    let id = execute(
        &store,
        &author,
        &services,
        plan,
        &sites,
        ExecutionState::SwitchoverDone,
    )
    .await?;
    let detail = app::store::executions::get(&store, id).await?;
    let step = &detail.steps[0];
    let took = (step.finished_at.unwrap() - step.started_at.unwrap()).to_std()?;
    let critical = Duration::from_millis(RESTART_MS * LEVELS as u64);
    let ratio = took.as_secs_f64() / critical.as_secs_f64();
    println!(
        "| restart of {} applications in {LEVELS} levels, {RESTART_MS} ms each | {:.0} ms ({:.2} × the critical path of {} ms) | ≤ 1.2 × | {} |",
        LEVELS * PER_LEVEL,
        ms(took),
        ratio,
        critical.as_millis(),
        verdict(ratio <= 1.2)
    );
    let calls = app::store::executions::step_record(&store, id, step.id)
        .await?
        .calls;
    where_restart_time_goes(&calls, step.finished_at.unwrap_or_else(chrono::Utc::now));
    supervisor.shut_down(Duration::from_secs(5)).await;
    Ok(())
}

/// How long a level takes on average: from its first call recorded to the next level's
/// (the last level: to the step's end), against the platform's own time per restart.
fn where_restart_time_goes(calls: &[StepCall], ended: chrono::DateTime<chrono::Utc>) {
    let mut starts = [ended; LEVELS + 1];
    for call in calls {
        let level = call
            .idempotency_key
            .rsplit("-c")
            .next()
            .and_then(|n| n.parse::<usize>().ok())
            .map(|n| (n / PER_LEVEL).min(LEVELS - 1));
        if let Some(level) = level {
            starts[level] = starts[level].min(call.sent_at);
        }
    }
    let took: f64 = starts
        .windows(2)
        .map(|w| ms((w[1] - w[0]).to_std().unwrap_or_default()))
        .sum();
    println!(
        "restart: a level takes {:.1} ms on average, of which the platform's restart is {RESTART_MS} ms",
        took / LEVELS as f64
    );
}

async fn record(store: &Store, username: &str) -> anyhow::Result<AuditRecord> {
    let user = app::store::users::find_by_username(store, username)
        .await?
        .ok_or_else(|| anyhow::anyhow!("no demo user {username}"))?;
    Ok(AuditRecord::of(
        &user.session_user(),
        Action::CreatePlan,
        None,
    ))
}

fn step(opcode: &str, params: serde_json::Value) -> PlanStep {
    PlanStep {
        key: String::new(),
        opcode: opcode.to_owned(),
        title: String::new(),
        params: params.as_object().cloned().unwrap_or_default(),
    }
}

/// A product group of LEVELS × PER_LEVEL applications, each needing one of the level
/// before. Returns its name.
async fn fleet(store: &Store, author: &AuditRecord) -> anyhow::Result<String> {
    let name = |level: usize, i: usize| format!("app-{level}-{i}");
    let applications = (0..LEVELS)
        .flat_map(|level| {
            (0..PER_LEVEL).map(move |i| Application {
                name: name(level, i),
                description: String::new(),
                needs: if level == 0 {
                    vec![]
                } else {
                    vec![name(level - 1, i)]
                },
            })
        })
        .collect();
    let form = ProductGroupForm {
        name: "Bench fleet".to_owned(),
        description: String::new(),
        applications,
    }
    .validate()
    .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    app::store::product_groups::create(store, author, &form).await?;
    Ok("Bench fleet".to_owned())
}

async fn approved_plan(
    store: &Store,
    author: &AuditRecord,
    approver: &AuditRecord,
    name: &str,
    switchover: Vec<PlanStep>,
) -> anyhow::Result<app::domain::ids::PlanId> {
    let refs = app::store::plans::refs(store).await?;
    let content = PlanContent {
        name: name.to_owned(),
        description: String::new(),
        rto_minutes: None,
        switchover,
        recovery: vec![],
    }
    .validate(builtin_step_types(), &refs)
    .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    let plan = app::store::plans::create(store, author, &content).await?;
    let id = plan.plan.id;
    let plan = app::store::plans::submit(store, author, id, plan.plan.revision).await?;
    app::store::plans::approve(store, approver, id, plan.plan.revision, "bench").await?;
    Ok(id)
}

async fn sites(store: &Store) -> anyhow::Result<(DataCenterId, DataCenterId)> {
    let dcs = app::store::data_centers::list(store).await?;
    let id = |name: &str| dcs.iter().find(|d| d.name == name).map(|d| d.id);
    Ok((
        id("Shanghai-A").ok_or_else(|| anyhow::anyhow!("no Shanghai-A"))?,
        id("Hangzhou-B").ok_or_else(|| anyhow::anyhow!("no Hangzhou-B"))?,
    ))
}

/// Creates and starts an execution of `plan`, and waits until it reaches `until`.
async fn execute(
    store: &Store,
    author: &AuditRecord,
    services: &app::services::Services,
    plan: app::domain::ids::PlanId,
    sites: &(DataCenterId, DataCenterId),
    until: ExecutionState,
) -> anyhow::Result<ExecutionId> {
    let new = NewExecution {
        plan_id: plan,
        failed: Some(sites.0),
        emergency: Some(sites.1),
        description: String::new(),
        drill: false,
    };
    let (detail, _) = app::store::executions::create(store, author, &new).await?;
    let id = detail.summary.id;
    let claimant = services.engine.claimant();
    app::store::executions::command(store, author, id, &Command::Start, claimant).await?;
    services.engine.wake(id);
    let started = Instant::now();
    loop {
        let state = app::store::executions::get(store, id).await?.summary.state;
        if state == until {
            // Done with: out of the way of the plan's next execution.
            app::store::executions::command(store, author, id, &Command::Cancel, claimant).await?;
            return Ok(id);
        }
        anyhow::ensure!(state.is_live(), "execution {id} ended {state:?}");
        anyhow::ensure!(
            started.elapsed() < Duration::from_secs(600),
            "execution {id} took too long"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// For every step after the first: when its call reached the platform (the simulator's
/// call log) minus when the step before ended (its recorded end).
async fn dispatch_gaps(
    store: &Store,
    simulator: &Simulator,
    id: ExecutionId,
) -> anyhow::Result<Vec<Duration>> {
    let detail = app::store::executions::get(store, id).await?;
    let mut arrivals: Vec<_> = simulator
        .state()
        .calls
        .iter()
        .filter(|c| c.call == Call::TrafficRestore)
        .map(|c| c.at)
        .collect();
    arrivals.reverse();
    let wanted = detail.steps.len() - 1;
    anyhow::ensure!(
        arrivals.len() >= wanted,
        "the simulator kept {} calls, {wanted} are needed",
        arrivals.len()
    );
    let arrivals = &arrivals[arrivals.len() - wanted..];
    let mut gaps = Vec::new();
    for (pair, arrived) in detail.steps.windows(2).zip(arrivals) {
        let done = pair[0]
            .finished_at
            .ok_or_else(|| anyhow::anyhow!("step not finished"))?;
        gaps.push((*arrived - done).to_std().unwrap_or_default());
    }
    Ok(gaps)
}
