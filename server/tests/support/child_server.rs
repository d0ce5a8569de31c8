//! The real server binary as a child process, so a test can kill it with SIGKILL (no
//! shutdown, no last writes) and start it again on the same database, as an operator's
//! machine would after a crash. Its platform is a simulator in the test process, which
//! outlives the kills.

use reqwest::{Client, StatusCode};
use server::sim::{self, Credentials, EstateSource, Simulator};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::process::{Child, Command};

/// A server process and the address it serves.
pub struct ChildServer {
    child: Child,
    pub base: String,
}

/// A free port on the loopback address.
pub async fn free_addr() -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    listener.local_addr().unwrap()
}

impl ChildServer {
    /// Starts `server` with demo data on `database_url`, its demo configs pointing at
    /// `simulator`, and waits until it is ready.
    pub async fn start(database_url: &str, addr: SocketAddr, simulator: SocketAddr) -> Self {
        Self::start_in(
            &super::state_dir::fresh(),
            &[],
            database_url,
            addr,
            simulator,
        )
        .await
    }

    /// Like `start`, keeping its journal and snapshot in `state_dir` (a restart given the
    /// same one goes on from them), with `env` on top of the usual settings.
    pub async fn start_in(
        state_dir: &std::path::Path,
        env: &[(&str, &str)],
        database_url: &str,
        addr: SocketAddr,
        simulator: SocketAddr,
    ) -> Self {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let child = Command::new(env!("CARGO_BIN_EXE_server"))
            .current_dir(root)
            .env("DATABASE_URL", database_url)
            .env("SWITCHYARD_ADDR", addr.to_string())
            .env("LEPTOS_SITE_ADDR", addr.to_string())
            .env("SWITCHYARD_DEMO", "1")
            .env("SWITCHYARD_SECRET_KEY", "5a".repeat(32))
            .env("SWITCHYARD_SIMULATOR_ADDR", simulator.to_string())
            .env(
                "SWITCHYARD_SIMULATOR_PASSWORD",
                super::test_app::SIMULATOR_PASSWORD,
            )
            .env("SWITCHYARD_HTTP_CALL_ALLOW", "127.0.0.1")
            .env("SWITCHYARD_INSTANCE", "crash-test")
            .env("SWITCHYARD_STATE_DIR", state_dir)
            .env("SWITCHYARD_LOG", "warn")
            .env("LEPTOS_OUTPUT_NAME", "switchyard")
            .envs(env.iter().copied())
            .env_remove("SWITCHYARD_SIMULATOR")
            .kill_on_drop(true)
            .spawn()
            .expect("the server binary starts");
        let server = Self {
            child,
            base: format!("http://{addr}"),
        };
        let probe = reqwest::Client::new();
        let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
        loop {
            let ready = probe.get(format!("{}/readyz", server.base)).send().await;
            if ready.is_ok_and(|r| r.status() == StatusCode::OK) {
                return server;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "the server never became ready"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// SIGTERM, as an orchestrator stops a server, and waits until it has exited.
    pub async fn terminate(&mut self) {
        self.signal("TERM").await;
        let exited = self.child.wait().await.unwrap();
        assert!(exited.success(), "a clean stop: {exited}");
    }

    /// Sends the signal `name` (`TERM`, `STOP`, `CONT` ...) to the process.
    pub async fn signal(&self, name: &str) {
        let pid = self.child.id().expect("the server runs").to_string();
        let sent = Command::new("kill")
            .args([&format!("-{name}"), &pid])
            .status()
            .await
            .unwrap();
        assert!(sent.success(), "kill -{name} {pid}");
    }

    /// SIGKILL: the process ends at once, mid-whatever.
    pub async fn kill9(&mut self) {
        self.child.start_kill().unwrap();
        self.child.wait().await.unwrap();
    }

    pub async fn signed_in(&self, username: &str) -> Client {
        super::test_app::signed_in_client(&self.base, username).await
    }
}

/// The platform simulator over the estate in `database_url` (zero latency), serving on
/// `listener` with the credentials the child server gives its demo configs, until `stop`
/// fires.
pub async fn simulator(
    database_url: &str,
    listener: tokio::net::TcpListener,
    stop: tokio_util::sync::CancellationToken,
) -> Arc<Simulator> {
    let store = app::store::Store::new(database_url, 2, crate::support::state_dir::mode()).unwrap();
    let credentials = Credentials {
        username: super::test_app::SIMULATOR_USER.to_owned(),
        password: super::test_app::SIMULATOR_PASSWORD.to_owned(),
    };
    let simulator = Simulator::new(
        EstateSource::Database(store),
        credentials,
        app::domain::simulator::Timing::ZERO,
    )
    .await
    .unwrap();
    tokio::spawn(sim::serve(listener, simulator.clone(), stop));
    simulator
}
