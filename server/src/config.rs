//! Server configuration: command-line flags, each with an environment variable.

use app::auth::client::TrustedProxies;
use clap::Parser;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

#[derive(Debug, Clone, Parser)]
#[command(
    name = "switchyard",
    about = "Switchyard disaster-recovery orchestration console"
)]
pub struct Config {
    /// Without a command, the console serves.
    #[command(subcommand)]
    pub command: Option<Command>,

    #[command(flatten)]
    pub simulator: SimulatorConfig,

    /// Address the console listens on.
    #[arg(long, env = "SWITCHYARD_ADDR", default_value = "127.0.0.1:3000")]
    pub addr: SocketAddr,

    /// MySQL/MariaDB database, as mysql://user:password@host:port/database.
    /// The database is created when it does not exist yet.
    #[arg(
        long,
        env = "DATABASE_URL",
        default_value = "mysql://root@127.0.0.1:3306/switchyard",
        hide_env_values = true
    )]
    pub database_url: String,

    /// The account that owns the schema (mysql://owner:password@host:port/database, same
    /// database): when set, it creates and migrates the database at start and grants the
    /// DATABASE_URL account only what serving needs (no schema changes; the audit log
    /// read and append only). When unset, DATABASE_URL does everything.
    #[arg(long, env = "SWITCHYARD_OWNER_DATABASE_URL", hide_env_values = true)]
    pub owner_database_url: Option<String>,

    /// This instance's name in execution leases (which instance runs which execution).
    /// Keep it stable across restarts and different between instances; the default is
    /// the host's name and the console's port.
    #[arg(long, env = "SWITCHYARD_INSTANCE")]
    pub instance: Option<String>,

    /// The data center this instance runs in, as people call it (shown in the footer and
    /// on the Cluster page).
    #[arg(long, env = "SWITCHYARD_DATA_CENTER")]
    pub data_center: Option<String>,

    /// How long an execution's lease lasts without renewal (renewed every third of it):
    /// another instance takes a dead owner's executions over once it lapses.
    #[arg(long, env = "SWITCHYARD_LEASE_SECONDS", default_value_t = 6,
          value_parser = clap::value_parser!(u64).range(3..=300))]
    pub lease_seconds: u64,

    /// How often, in minutes, every active plan's readiness is evaluated (besides after
    /// every change of plans or the environment).
    #[arg(long, env = "SWITCHYARD_READINESS_MINUTES", default_value_t = 15,
          value_parser = clap::value_parser!(u64).range(1..=1440))]
    pub readiness_minutes: u64,

    /// How many applications of one restart level the engine restarts at once.
    #[arg(long, env = "SWITCHYARD_RESTART_PARALLELISM", default_value_t = 32)]
    pub restart_parallelism: usize,

    /// Most connections the server opens to the database.
    #[arg(long, env = "SWITCHYARD_DB_POOL_SIZE", default_value_t = 16)]
    pub db_pool_size: usize,

    /// Secret key for sessions and for encrypting stored passwords (64 hex digits).
    /// When unset, the key in `--secret-key-file` is used, generated there on first start.
    #[arg(long, env = "SWITCHYARD_SECRET_KEY", hide_env_values = true)]
    pub secret_key: Option<String>,

    /// Where the generated secret key is kept when SWITCHYARD_SECRET_KEY is unset.
    #[arg(
        long,
        env = "SWITCHYARD_SECRET_KEY_FILE",
        default_value = ".switchyard/secret.key"
    )]
    pub secret_key_file: PathBuf,

    /// Load the demo estate into an empty database.
    #[arg(long, env = "SWITCHYARD_DEMO", default_value = "false", value_parser = clap::builder::BoolishValueParser::new())]
    pub demo: bool,

    /// Password of the first admin, created when no enabled admin exists. When unset, a
    /// one-time password is generated and printed once to the log.
    #[arg(long, env = "SWITCHYARD_ADMIN_PASSWORD", hide_env_values = true)]
    pub admin_password: Option<String>,

    /// Minutes a session may stay unused before it ends.
    #[arg(long, env = "SWITCHYARD_SESSION_IDLE_MINUTES", default_value_t = 60)]
    pub session_idle_minutes: u64,

    /// Hours a session lasts at most after sign-in.
    #[arg(long, env = "SWITCHYARD_SESSION_HOURS", default_value_t = 12)]
    pub session_hours: u64,

    /// Reverse proxies in front of the console (comma-separated addresses or networks,
    /// e.g. `10.0.0.7,192.168.0.0/24`). Only requests from these may name the client
    /// with `X-Forwarded-For` and the scheme with `X-Forwarded-Proto`; by default nobody.
    #[arg(long, env = "SWITCHYARD_TRUSTED_PROXIES", default_value = "", value_parser = TrustedProxies::parse)]
    pub trusted_proxies: TrustedProxies,

    #[command(flatten)]
    pub sockets: crate::listen::SocketLimits,

    #[command(flatten)]
    pub live: crate::live::limits::LiveLimits,

    #[command(flatten)]
    pub mode: crate::mode::ModeConfig,

    /// Addresses or networks `http.call` steps may reach although they are loopback,
    /// link-local or the console's or the simulator's own (comma-separated, e.g.
    /// `127.0.0.1,10.0.5.0/24`); by default none.
    #[arg(long, env = "SWITCHYARD_HTTP_CALL_ALLOW", default_value = "", value_parser = app::networks::Networks::parse)]
    pub http_call_allow: app::networks::Networks,

    /// Log filter, in `tracing` EnvFilter syntax (`info`, `server=debug,info`).
    #[arg(long, env = "SWITCHYARD_LOG", default_value = "info")]
    pub log: String,
}

/// What else the binary can do.
#[derive(Debug, Clone, clap::Subcommand)]
pub enum Command {
    /// Run only the platform simulator (demo estate), on --simulator-addr, until stopped.
    Simulator,
    /// Check a platform API implementation against the v1 contract (changes its state and
    /// puts it back: use a test estate).
    Conformance(crate::conformance::Target),
}

/// The built-in platform simulator: where it listens, the credentials it wants, and
/// whether the console starts it.
#[derive(Debug, Clone, clap::Args)]
pub struct SimulatorConfig {
    /// Start the built-in simulator with the console (`make run` does).
    #[arg(id = "simulator", long = "simulator", env = "SWITCHYARD_SIMULATOR", default_value = "false", value_parser = clap::builder::BoolishValueParser::new(), global = true)]
    pub start: bool,

    /// Where the simulator listens (the demo connection configs name 127.0.0.1:3900); the
    /// console's Simulator page talks to it there.
    #[arg(
        id = "simulator-addr",
        long = "simulator-addr",
        env = "SWITCHYARD_SIMULATOR_ADDR",
        default_value = "127.0.0.1:3900",
        global = true
    )]
    pub addr: SocketAddr,

    /// The user name every simulator call must bring (the demo configs' user name).
    #[arg(
        id = "simulator-username",
        long = "simulator-username",
        env = "SWITCHYARD_SIMULATOR_USERNAME",
        default_value = "switchyard",
        global = true
    )]
    pub username: String,

    /// The password every simulator call must bring. When unset, one is generated on
    /// first start and kept in `simulator.password` beside the secret key file; the demo
    /// connection configs are given it.
    #[arg(
        id = "simulator-password",
        long = "simulator-password",
        env = "SWITCHYARD_SIMULATOR_PASSWORD",
        hide_env_values = true,
        global = true
    )]
    pub password: Option<String>,

    /// How long simulated operations take at start: `realistic` (restarts 1–3 s, and a
    /// traffic cut takes its drain time), `quick` (the same without drain times) or `zero`.
    #[arg(id = "simulator-timing", long = "simulator-timing", env = "SWITCHYARD_SIMULATOR_TIMING", default_value = "realistic", value_parser = ["realistic", "quick", "zero"], global = true)]
    pub timing: String,
}

impl SimulatorConfig {
    pub fn timing(&self) -> app::domain::simulator::Timing {
        use app::domain::simulator::Timing;
        match self.timing.as_str() {
            "zero" => Timing::ZERO,
            "quick" => Timing::QUICK,
            _ => Timing::REALISTIC,
        }
    }

    /// The password settled at start (see [`Config::settle_simulator_password`]).
    fn password(&self) -> &str {
        self.password.as_deref().unwrap_or_default()
    }

    pub fn credentials(&self) -> crate::sim::Credentials {
        crate::sim::Credentials {
            username: self.username.clone(),
            password: self.password().to_owned(),
        }
    }

    pub fn link(&self) -> app::simulator_link::SimulatorLink {
        app::simulator_link::SimulatorLink::new(self.addr, &self.username, self.password())
    }
}

impl Config {
    /// Settles the simulator's password: the configured one, or the kept (or newly
    /// generated) one beside the secret key.
    pub fn settle_simulator_password(&mut self) -> anyhow::Result<()> {
        let configured = self.simulator.password.as_deref();
        let password = crate::secret::simulator_password(configured, &self.secret_key_file)?;
        self.simulator.password = Some(password);
        Ok(())
    }

    /// The console's socket limits: trusted proxies are exempt from the per-address one,
    /// and the whole fits the open files this process may have (beside the simulator's
    /// listener, when it runs here, and the live channels).
    pub fn socket_limits(&self) -> crate::listen::SocketLimits {
        let mut limits = self.sockets.clone();
        limits.exempt = self.trusted_proxies.clone();
        let listeners = if self.simulator.start { 2 } else { 1 };
        limits.fit_open_files(listeners, self.live.live_max_watchers);
        limits
    }

    /// Which instance this is: its name (also in execution leases), data center and
    /// version.
    pub fn identity(&self) -> app::domain::cluster::InstanceIdentity {
        let name = self.instance.clone().unwrap_or_else(|| {
            let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
                .ok()
                .or_else(|| std::env::var("HOSTNAME").ok())
                .map(|h| h.trim().to_owned())
                .filter(|h| !h.is_empty())
                .unwrap_or_else(|| "switchyard".to_owned());
            format!("{host}:{}", self.addr.port())
        });
        app::domain::cluster::InstanceIdentity {
            name,
            data_center: self.data_center.clone().filter(|dc| !dc.trim().is_empty()),
            version: env!("CARGO_PKG_VERSION").to_owned(),
        }
    }

    /// Refuses names the database cannot keep.
    pub fn check_identity(&self) -> anyhow::Result<()> {
        let identity = self.identity();
        anyhow::ensure!(
            !identity.name.trim().is_empty() && identity.name.chars().count() <= 64,
            "SWITCHYARD_INSTANCE must be 1 to 64 characters: {:?}",
            identity.name
        );
        anyhow::ensure!(
            identity
                .data_center
                .as_ref()
                .is_none_or(|dc| dc.chars().count() <= 100),
            "SWITCHYARD_DATA_CENTER must be at most 100 characters"
        );
        Ok(())
    }

    /// How often every active plan's readiness is evaluated.
    pub fn readiness_every(&self) -> Duration {
        Duration::from_secs(self.readiness_minutes * 60)
    }

    /// How long this instance's execution leases last without renewal.
    pub fn lease(&self) -> Duration {
        Duration::from_secs(self.lease_seconds)
    }

    /// How the execution engine runs on this instance.
    pub fn engine(&self) -> crate::engine::EngineConfig {
        crate::engine::EngineConfig {
            restart_parallelism: self.restart_parallelism.max(1),
            outbound: self.outbound(),
            ..Default::default()
        }
    }

    /// Where `http.call` steps and webhooks may send: one rule for both.
    fn outbound(&self) -> crate::engine::outbound::Outbound {
        crate::engine::outbound::Outbound {
            allow: self.http_call_allow.clone(),
            own: vec![self.addr, self.simulator.addr],
        }
    }

    /// How this instance sends webhook messages.
    pub fn webhooks(&self) -> crate::webhooks::WebhookSettings {
        crate::webhooks::WebhookSettings {
            outbound: self.outbound(),
            ..Default::default()
        }
    }

    pub fn sessions(&self) -> app::auth::session::SessionPolicy {
        app::auth::session::SessionPolicy {
            idle: Duration::from_secs(self.session_idle_minutes * 60),
            lifetime: Duration::from_secs(self.session_hours * 3600),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_flags_are_consistent() {
        Config::command().debug_assert();
    }

    #[test]
    fn the_simulator_runs_alone_with_its_own_flags() {
        let config = Config::try_parse_from([
            "server",
            "simulator",
            "--simulator-addr",
            "127.0.0.1:3999",
            "--simulator-timing",
            "zero",
        ])
        .unwrap();
        assert!(matches!(config.command, Some(Command::Simulator)));
        assert_eq!(config.simulator.addr.port(), 3999);
        assert_eq!(
            config.addr.port(),
            3000,
            "the console's own address is apart"
        );
    }
}
