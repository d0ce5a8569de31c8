//! What the benches share: a fresh database of their own, the server's services prepared
//! over it with demo data, and how figures are summed up. (Each bench uses only some.)
#![allow(dead_code)]

use app::domain::ids::ExecutionId;
use app::services::Services;
use serde_json::{Value, json};
use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;

/// Runs `bench` against a fresh database on the server BENCH_DATABASE_URL (or
/// TEST_DATABASE_URL) names, default mysql://root@127.0.0.1:3306; drops it afterwards.
pub async fn with_fresh_database<F, Fut>(bench: F) -> anyhow::Result<()>
where
    F: FnOnce(String) -> Fut,
    Fut: Future<Output = anyhow::Result<()>>,
{
    let server = std::env::var("BENCH_DATABASE_URL")
        .or_else(|_| std::env::var("TEST_DATABASE_URL"))
        .unwrap_or_else(|_| "mysql://root@127.0.0.1:3306".to_owned());
    let name = format!("switchyard_bench_{}", std::process::id());
    let url = format!("{}/{name}", server.trim_end_matches('/'));
    let result = bench(url).await;
    drop_database(&server, &name).await;
    result
}

async fn drop_database(server: &str, name: &str) {
    use diesel_async::{AsyncConnection, AsyncMysqlConnection, SimpleAsyncConnection};
    if let Ok(mut conn) = AsyncMysqlConnection::establish(server).await {
        let _ = conn
            .batch_execute(&format!("DROP DATABASE IF EXISTS `{name}`"))
            .await;
    }
}

/// The server's services over `url`, prepared as at start, with demo data; the platform
/// simulator they link to listens at `simulator` (without a password).
/// The password the benchmarks' simulators want (their demo configs are given it).
pub const SIMULATOR_PASSWORD: &str = "bench";

pub async fn prepare(url: &str, simulator: SocketAddr) -> anyhow::Result<server::Prepared> {
    let journal = std::env::temp_dir()
        .join(format!("switchyard-bench-{}", std::process::id()))
        .join("journal.redb");
    prepare_with_journal(url, simulator, journal).await
}

/// `prepare`, with the degraded-mode journal at `journal` (one per set of services).
pub async fn prepare_with_journal(
    url: &str,
    simulator: SocketAddr,
    journal: std::path::PathBuf,
) -> anyhow::Result<server::Prepared> {
    let options = server::StartOptions {
        owner_database_url: None,
        pool_size: 16,
        demo: true,
        admin_password: Some("bench-admin-password".to_owned()),
        sessions: app::auth::session::SessionPolicy {
            idle: Duration::from_secs(3600),
            lifetime: Duration::from_secs(3600),
        },
        trusted_proxies: Default::default(),
        simulator: app::simulator_link::SimulatorLink::new(
            simulator,
            "switchyard",
            SIMULATOR_PASSWORD,
        ),
        journal,
        instance: app::domain::cluster::InstanceIdentity {
            name: "bench".to_owned(),
            data_center: None,
            version: env!("CARGO_PKG_VERSION").to_owned(),
        },
        lease: app::domain::cluster::Claimant::DEFAULT_LEASE,
    };
    let secret = server::secret::SecretKey::from_hex(&"5a".repeat(32))?;
    server::prepare(url, &secret, &options).await
}

/// Serves `services` with the real router on a free port of 127.0.0.1, its live channel
/// held to `live`; returns its base URL.
pub async fn serve(
    services: Services,
    live: server::live::limits::LiveLimits,
) -> anyhow::Result<String> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let options = leptos::config::LeptosOptions::builder()
        .output_name("switchyard")
        .site_root("target/site")
        .build();
    let router = server::router(server::AppState {
        leptos_options: options,
        services,
        live,
    });
    let limits = server::listen::SocketLimits::default();
    let never = std::future::pending();
    tokio::spawn(server::listen::serve(
        listener,
        router,
        limits,
        never,
        Duration::ZERO,
    ));
    Ok(format!("http://{addr}"))
}

pub fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

pub fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// The `p`-th percentile of `sorted`.
pub fn percentile(sorted: &[Duration], p: usize) -> Duration {
    sorted[(sorted.len() * p / 100).min(sorted.len() - 1)]
}

/// The table's last column: whether a measurement met its goal.
pub fn verdict(met: bool) -> &'static str {
    if met { "pass" } else { "FAIL" }
}

/// The demo users' password.
pub const DEMO_PASSWORD: &str = "switchyard";

pub async fn signed_in(base: &str, username: &str) -> anyhow::Result<reqwest::Client> {
    let client = reqwest::Client::builder().cookie_store(true).build()?;
    let (status, body) = call(
        &client,
        base,
        "auth/sign_in",
        json!({ "username": username, "password": DEMO_PASSWORD }),
    )
    .await?;
    anyhow::ensure!(status == 200, "sign-in as {username}: {body}");
    Ok(client)
}

/// The session cookie (`name=value`) of a demo user.
pub async fn session_cookie(base: &str, username: &str) -> anyhow::Result<String> {
    let response = reqwest::Client::new()
        .post(format!("{base}/api/auth/sign_in"))
        .json(&json!({ "username": username, "password": DEMO_PASSWORD }))
        .send()
        .await?;
    anyhow::ensure!(response.status() == 200, "sign-in as {username}");
    let cookie = response
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .ok_or_else(|| anyhow::anyhow!("no session cookie"))?;
    Ok(cookie.to_owned())
}

pub async fn call(
    client: &reqwest::Client,
    base: &str,
    endpoint: &str,
    body: Value,
) -> anyhow::Result<(u16, Value)> {
    let response = client
        .post(format!("{base}/api/{endpoint}"))
        .json(&body)
        .send()
        .await?;
    let status = response.status().as_u16();
    Ok((status, response.json().await.unwrap_or(Value::Null)))
}

/// Creates and starts an execution of the demo's power-loss plan (where no engine runs,
/// it stays running and can be paused and resumed).
pub async fn started_execution(
    base: &str,
    operator: &reqwest::Client,
) -> anyhow::Result<ExecutionId> {
    let (_, plans) = call(operator, base, "plans/list", json!({})).await?;
    let plan = named(&plans, "Data center power loss")?;
    started_execution_of(base, operator, plan).await
}

/// Creates and starts an execution of `plan` from Shanghai-A to Hangzhou-B.
pub async fn started_execution_of(
    base: &str,
    operator: &reqwest::Client,
    plan: Value,
) -> anyhow::Result<ExecutionId> {
    let (_, data_centers) = call(operator, base, "data_centers/list", json!({})).await?;
    let new = json!({
        "plan_id": plan,
        "failed": named(&data_centers, "Shanghai-A")?,
        "emergency": named(&data_centers, "Hangzhou-B")?,
        "description": "bench",
    });
    let (status, created) =
        call(operator, base, "executions/create", json!({ "new": new })).await?;
    anyhow::ensure!(status == 200, "create: {created}");
    let id = ExecutionId(
        created["summary"]["id"]
            .as_u64()
            .ok_or_else(|| anyhow::anyhow!("no id in {created}"))?,
    );
    let (status, body) = call(operator, base, "executions/start", json!({ "id": id })).await?;
    anyhow::ensure!(status == 200, "start: {body}");
    Ok(id)
}

/// The id of the item called `name` in a list endpoint's answer.
fn named(list: &Value, name: &str) -> anyhow::Result<Value> {
    list.as_array()
        .and_then(|items| items.iter().find(|item| item["name"] == name))
        .map(|item| item["id"].clone())
        .ok_or_else(|| anyhow::anyhow!("no demo {name}"))
}
