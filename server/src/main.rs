//! Starts the console: config -> tracing -> secret -> database -> (simulator) -> serve
//! until told to stop. `server simulator` runs the platform simulator alone.

use anyhow::Context;
use clap::Parser;
use leptos::prelude::get_configuration;
use server::config::{Command, Config};
use server::secret::SecretKey;
use server::sim::estate::Estate;
use server::sim::{self, EstateSource, Simulator};
use server::tasks::{GRACE, Supervisor};
use server::{AppState, StartOptions, prepare, router, start_background_tasks};
use tracing_subscriber::EnvFilter;

/// jemalloc, with a background thread that hands freed memory back to the system within
/// about a second (`.cargo/config.toml` sets the decay), whether or not the threads that
/// freed it run again. With glibc's allocator, the 19 MiB a password check takes stayed
/// resident once freed; with mimalloc it was given back only on the freeing thread's next
/// allocations, so an idle server kept about 90 MB after a sign-in flood (39 MB now).
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let mut config = Config::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_new(&config.log).context("SWITCHYARD_LOG is not a valid filter")?,
        )
        .init();
    if !matches!(config.command, Some(Command::Conformance(_))) {
        config.settle_simulator_password()?;
    }
    match &config.command {
        Some(Command::Simulator) => return run_simulator_alone(&config).await,
        Some(Command::Conformance(target)) => return check_conformance(target).await,
        None => {}
    }

    config.live.check()?;
    config.mode.check()?;
    config.check_identity()?;
    let secret = SecretKey::load(config.secret_key.as_deref(), &config.secret_key_file)?;
    let options = StartOptions {
        owner_database_url: config.owner_database_url.clone(),
        pool_size: config.db_pool_size,
        demo: config.demo,
        admin_password: config.admin_password.clone(),
        sessions: config.sessions(),
        trusted_proxies: config.trusted_proxies.clone(),
        simulator: config.simulator.link(),
        journal: config
            .mode
            .journal_path(&config.database_url, config.addr.port()),
        instance: config.identity(),
        lease: config.lease(),
    };
    let prepared = prepare(&config.database_url, &secret, &options).await?;
    let services = prepared.services;
    let supervisor = Supervisor::default();
    start_background_tasks(
        &supervisor,
        &services,
        config.readiness_every(),
        config.webhooks(),
    );
    server::mode::start(&supervisor, &services, config.mode.clone());
    server::engine::start(
        &supervisor,
        &services,
        prepared.engine_wakes,
        config.engine(),
    );
    if config.simulator.start {
        let source = EstateSource::Database(services.store().clone());
        start_simulator(&config, source, &supervisor).await?;
    }

    let mut leptos_options = get_configuration(None)
        .context("cannot read the site configuration (run from the repository, or set LEPTOS_* variables)")?
        .leptos_options;
    leptos_options.site_addr = config.addr;
    let leptos_options = server::assets::with_hashed_names(leptos_options);

    let listener = tokio::net::TcpListener::bind(config.addr)
        .await
        .with_context(|| format!("cannot listen on {}", config.addr))?;
    tracing::info!("Switchyard is ready at http://{}", config.addr);
    let app = router(AppState {
        leptos_options,
        services,
        live: config.live.clone(),
    });
    server::listen::serve(
        listener,
        app,
        config.socket_limits(),
        stop_on_signal(supervisor.stop_signal()),
        GRACE,
    )
    .await;
    supervisor.shut_down(GRACE).await;
    tracing::info!("stopped");
    Ok(())
}

/// Starts the simulator on its address, under `supervisor`, with its world from `source`.
async fn start_simulator(
    config: &Config,
    source: EstateSource,
    supervisor: &Supervisor,
) -> anyhow::Result<()> {
    let settings = &config.simulator;
    let simulator = Simulator::new(source, settings.credentials(), settings.timing())
        .await
        .context("the simulator cannot read the estate")?;
    let listener = tokio::net::TcpListener::bind(settings.addr)
        .await
        .with_context(|| {
            format!(
                "the simulator cannot listen on {} (set SWITCHYARD_SIMULATOR_ADDR)",
                settings.addr
            )
        })?;
    tracing::info!("the platform simulator listens at http://{}", settings.addr);
    supervisor.spawn("platform simulator", |stop| async move {
        if let Err(error) = sim::serve(listener, simulator, stop).await {
            tracing::error!(%error, "the platform simulator stopped");
        }
    });
    Ok(())
}

/// `server simulator`: the simulator alone, on the demo estate, until told to stop.
async fn run_simulator_alone(config: &Config) -> anyhow::Result<()> {
    let supervisor = Supervisor::default();
    start_simulator(config, EstateSource::Fixed(Estate::demo()), &supervisor).await?;
    shutdown_signal().await;
    supervisor.shut_down(GRACE).await;
    Ok(())
}

/// `server conformance`: one line per check; fails when any check does.
async fn check_conformance(target: &server::conformance::Target) -> anyhow::Result<()> {
    let checks = server::conformance::run(target).await;
    for check in &checks {
        match &check.outcome {
            Ok(()) => println!("pass  {}", check.name),
            Err(problem) => println!("FAIL  {}: {problem}", check.name),
        }
    }
    let failed = checks.iter().filter(|c| c.outcome.is_err()).count();
    println!(
        "{} of {} checks passed",
        checks.len() - failed,
        checks.len()
    );
    anyhow::ensure!(failed == 0, "{failed} conformance checks failed");
    Ok(())
}

/// Resolves on Ctrl-C or SIGTERM (firing `stop`, for the background tasks), so requests
/// in flight can finish.
async fn stop_on_signal(stop: tokio_util::sync::CancellationToken) {
    shutdown_signal().await;
    stop.cancel();
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}
