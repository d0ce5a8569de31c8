//! The real router, served on 127.0.0.1:0 over a fresh, prepared database, and HTTP
//! clients signed in as the demo users.

use super::test_db::TestDb;
use app::auth::session::SessionPolicy;
use app::domain::role::Role;
use app::domain::simulator::Timing;
use app::services::Services;
use app::simulator_link::SimulatorLink;
use leptos::prelude::LeptosOptions;
use reqwest::StatusCode;
use serde_json::{Value, json};
use server::live::limits::LiveLimits;
use server::secret::SecretKey;
use server::sim::{self, Credentials, EstateSource, Simulator};
use server::{AppState, StartOptions, prepare, router};
use std::net::SocketAddr;
use std::time::Duration;

/// The password of the demo users (and of the admin in non-demo test apps).
pub const PASSWORD: &str = "switchyard";

/// The secret every test server shares, so tests can seal tokens of their own.
pub fn secret() -> SecretKey {
    SecretKey::from_hex(&"5a".repeat(32)).unwrap()
}

pub fn sessions() -> SessionPolicy {
    SessionPolicy {
        idle: Duration::from_secs(3600),
        lifetime: Duration::from_secs(12 * 3600),
    }
}

#[derive(Debug)]
pub struct TestApp {
    pub base: String,
    pub services: Services,
    pub db: TestDb,
}

/// Site options as cargo-leptos would give them; tests need no built assets.
pub fn leptos_options() -> LeptosOptions {
    LeptosOptions::builder()
        .output_name("switchyard")
        .site_root("target/site")
        .build()
}

/// Serves `services` with the real router; returns the base URL.
pub async fn serve(services: Services) -> String {
    serve_with_live(services, LiveLimits::default()).await
}

/// `serve`, with the live channel held to `live`.
pub async fn serve_with_live(services: Services, live: LiveLimits) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let app = router(AppState {
        leptos_options: leptos_options(),
        services,
        live,
    });
    let limits = server::listen::SocketLimits::default();
    let never = std::future::pending();
    tokio::spawn(server::listen::serve(
        listener,
        app,
        limits,
        never,
        Duration::ZERO,
    ));
    format!("http://{addr}")
}

/// An address nothing answers at, for services that need no simulator.
pub const NO_SIMULATOR: SocketAddr =
    SocketAddr::new(std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST), 9);

/// The credentials of every test simulator.
pub const SIMULATOR_USER: &str = "switchyard";
pub const SIMULATOR_PASSWORD: &str = "simulated";

/// Services over a database URL, prepared the way the server does at start, with a
/// simulator of their own (zero latency, its world from that database's estate).
pub async fn services(database_url: &str, demo: bool) -> Services {
    let supervisor = server::tasks::Supervisor::default();
    let lease = app::domain::cluster::Claimant::DEFAULT_LEASE;
    services_under(database_url, demo, &supervisor, lease).await
}

/// `services`, with the engine under `supervisor` (whose shutdown stops it), holding
/// execution leases for `lease`.
/// The server's warnings and errors go to the output a failing test shows (`RUST_LOG`
/// asks for more): a 500 in a test says why.
fn log_to_test_output() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let filter = tracing_subscriber::EnvFilter::try_from_default_env()
            .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
        let _ = tracing_subscriber::fmt()
            .with_test_writer()
            .with_env_filter(filter)
            .try_init();
    });
}

pub async fn services_under(
    database_url: &str,
    demo: bool,
    supervisor: &server::tasks::Supervisor,
    lease: Duration,
) -> Services {
    log_to_test_output();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let simulator = SimulatorLink::new(address, SIMULATOR_USER, SIMULATOR_PASSWORD);
    let mut options = start_options(demo, simulator, crate::support::state_dir::journal());
    // Each test app runs its own engine, named after its port, on its own database.
    options.instance.name = format!("test-{}", address.port());
    options.lease = lease;
    let prepared = prepare(database_url, &secret(), &options).await.unwrap();
    let services = prepared.services;
    let mut engine = server::engine::EngineConfig {
        look_every: Duration::from_millis(500),
        ..Default::default()
    };
    // The fake services steps call listen here; the rest of loopback stays refused.
    engine.outbound.allow = app::networks::Networks::parse("127.0.0.1").unwrap();
    server::engine::start(supervisor, &services, prepared.engine_wakes, engine);
    server::follow::start(
        supervisor,
        services.store().clone(),
        services.bus.clone(),
        services.engine.clone(),
    );
    let credentials = Credentials {
        username: SIMULATOR_USER.to_owned(),
        password: SIMULATOR_PASSWORD.to_owned(),
    };
    let source = EstateSource::Database(services.store().clone());
    let simulator = Simulator::new(source, credentials, Timing::ZERO)
        .await
        .unwrap();
    tokio::spawn(sim::serve(listener, simulator, Default::default()));
    services
}

/// What a test server starts with: `demo` data or not, the demo users' password, the
/// tests' session policy, the serving account owning the schema, its journal at `journal`.
pub fn start_options(
    demo: bool,
    simulator: SimulatorLink,
    journal: std::path::PathBuf,
) -> StartOptions {
    StartOptions {
        owner_database_url: None,
        pool_size: 4,
        demo,
        admin_password: Some(PASSWORD.to_owned()),
        sessions: sessions(),
        trusted_proxies: Default::default(),
        simulator,
        journal,
        instance: test_instance(),
        lease: app::domain::cluster::Claimant::DEFAULT_LEASE,
    }
}

/// A test server's identity (`services_under` names it after its port).
pub fn test_instance() -> app::domain::cluster::InstanceIdentity {
    app::domain::cluster::InstanceIdentity {
        name: "test".to_owned(),
        data_center: None,
        version: env!("CARGO_PKG_VERSION").to_owned(),
    }
}

/// A client signed in as the demo user `username` on the server at `base`.
pub async fn signed_in_client(base: &str, username: &str) -> reqwest::Client {
    sign_in(base, username, PASSWORD).await
}

/// A client signed in as `username` with `password` on the server at `base`.
pub async fn sign_in(base: &str, username: &str, password: &str) -> reqwest::Client {
    let client = client();
    let (status, body) = call(
        &client,
        base,
        "auth/sign_in",
        json!({ "username": username, "password": password }),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "signing in as {username}: {body}");
    client
}

/// A client that keeps cookies and does not follow redirects.
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// Calls a server function the way an API client would: POST, JSON in and out.
pub async fn call(
    client: &reqwest::Client,
    base: &str,
    endpoint: &str,
    body: Value,
) -> (StatusCode, Value) {
    let response = client
        .post(format!("{base}/api/{endpoint}"))
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = response.status();
    let body = response.json().await.unwrap_or(Value::Null);
    (status, body)
}

impl TestApp {
    /// An app with the first admin (`admin` / `PASSWORD`) and no demo data.
    pub async fn spawn() -> Self {
        Self::start(false).await
    }

    /// An app with the demo estate and the demo users, one per role.
    pub async fn spawn_with_demo() -> Self {
        Self::start(true).await
    }

    async fn start(demo: bool) -> Self {
        let db = TestDb::empty().await;
        let services = services(&db.url, demo).await;
        let base = serve(services.clone()).await;
        Self { base, services, db }
    }

    /// A demo app whose live channel is held to `live`.
    pub async fn spawn_with_live_limits(live: LiveLimits) -> Self {
        let db = TestDb::empty().await;
        let services = services(&db.url, true).await;
        let base = serve_with_live(services.clone(), live).await;
        Self { base, services, db }
    }

    /// An app (no demo data) that believes the forwarding headers of requests from
    /// 127.0.0.1, as behind a reverse proxy on the same machine.
    pub async fn spawn_behind_web_proxy() -> Self {
        let db = TestDb::empty().await;
        let mut services = services(&db.url, false).await;
        services.auth.proxies = app::auth::client::TrustedProxies::parse("127.0.0.1").unwrap();
        let base = serve(services.clone()).await;
        Self { base, services, db }
    }

    /// A demo app that reaches its database through a proxy the test can cut.
    pub async fn spawn_behind_proxy() -> (Self, super::db_proxy::DbProxy) {
        let db = TestDb::empty().await;
        let proxy = super::db_proxy::DbProxy::start(&db.url).await;
        let services = services(&proxy.url, true).await;
        let base = serve(services.clone()).await;
        (Self { base, services, db }, proxy)
    }

    /// A demo app behind a database proxy the test can cut, whose run mode follows the
    /// database's health as `mode` says (the health check runs under the app's own
    /// supervisor, stopped with the test's runtime), and whose engine holds execution
    /// leases for `lease`.
    pub async fn spawn_with_run_mode(
        mode: server::mode::ModeConfig,
        lease: Duration,
    ) -> (Self, super::db_proxy::DbProxy) {
        let db = TestDb::empty().await;
        let proxy = super::db_proxy::DbProxy::start(&db.url).await;
        let supervisor = server::tasks::Supervisor::default();
        let services = services_under(&proxy.url, true, &supervisor, lease).await;
        server::mode::start(&supervisor, &services, mode);
        let base = serve(services.clone()).await;
        (Self { base, services, db }, proxy)
    }

    /// A client signed in as `username`.
    pub async fn signed_in(&self, username: &str, password: &str) -> reqwest::Client {
        sign_in(&self.base, username, password).await
    }

    /// A client signed in as the demo user of `role` (demo apps only).
    pub async fn as_role(&self, role: Role) -> reqwest::Client {
        self.signed_in(role.as_str(), PASSWORD).await
    }

    pub async fn call(
        &self,
        client: &reqwest::Client,
        endpoint: &str,
        body: Value,
    ) -> (StatusCode, Value) {
        call(client, &self.base, endpoint, body).await
    }

    /// Fetches a page with `client`; returns its status, `Location` and HTML.
    pub async fn page(
        &self,
        client: &reqwest::Client,
        path: &str,
    ) -> (StatusCode, Option<String>, String) {
        let response = client
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .unwrap();
        let location = response
            .headers()
            .get("location")
            .map(|l| l.to_str().unwrap().to_owned());
        (response.status(), location, response.text().await.unwrap())
    }

    /// The audit log's entries for `action`, newest first, as an admin reads them.
    pub async fn audit_entries(&self, action: &str) -> Vec<Value> {
        let admin = self.as_role(Role::Admin).await;
        let (status, page) = self
            .call(
                &admin,
                "audit/list",
                json!({ "query": { "action": action } }),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{page}");
        page["entries"].as_array().unwrap().clone()
    }

    /// The id of the user called `username`.
    pub async fn user_id(&self, username: &str) -> u64 {
        app::store::users::find_by_username(self.services.store(), username)
            .await
            .unwrap()
            .unwrap()
            .session_user()
            .id
            .0
    }
}
