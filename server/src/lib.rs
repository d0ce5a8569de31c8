//! The Switchyard server: start-up steps and the HTTP router. `main.rs` strings them
//! together; the integration tests build the very same router.

pub mod assets;
pub mod config;
pub mod conformance;
pub mod engine;
pub mod follow;
pub mod health;
pub mod heartbeat;
pub mod listen;
pub mod live;
pub mod migrate;
pub mod mode;
pub mod readiness;
pub mod secret;
pub mod sign_in_gate;
pub mod sim;
pub mod tasks;
pub mod webhooks;

use anyhow::Context;
use app::auth::Auth;
use app::auth::client::TrustedProxies;
use app::auth::directory::Directory;
use app::auth::keys::Keys;
use app::auth::password::PasswordHasher;
use app::auth::session::SessionPolicy;
use app::services::Services;
use app::store::Store;
use app::{App, security_headers, shell};
use axum::Router;
use axum::extract::FromRef;
use axum::http::HeaderValue;
use axum::http::header::CONTENT_SECURITY_POLICY;
use axum::routing::get;
use leptos::prelude::*;
use leptos_axum::{AxumRouteListing, LeptosRoutes, generate_route_list};
use secret::SecretKey;
use std::net::SocketAddr;
use std::sync::{Arc, OnceLock};
use std::time::Duration;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

/// How often each instance reloads the user directory, so a role change or a disabled
/// user made on another instance takes effect here within this time.
pub const DIRECTORY_REFRESH: Duration = Duration::from_secs(5);

/// What every request handler can reach.
#[derive(Clone, Debug)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub services: Services,
    pub live: live::limits::LiveLimits,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}

/// The app's routes, generated once per process. Generating them sets a process-wide flag
/// that leaves any resource first polled meanwhile pending for ever (leptos-rs/leptos#4773),
/// so a second router (tests run many) must never generate them while a page renders.
fn routes() -> Vec<AxumRouteListing> {
    static ROUTES: OnceLock<Vec<AxumRouteListing>> = OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(App)).clone()
}

/// The whole HTTP surface: probes, the live channel under `/live`, server functions under
/// `/api`, pages, static files, each response with the security headers of
/// `app::security_headers`.
pub fn router(state: AppState) -> Router {
    let routes = routes();
    let services = state.services.clone();
    let context = move || provide_context(services.clone());
    let options = state.leptos_options.clone();
    let [nosniff, referrer_policy, no_frames] = security_headers::fixed()
        .map(|(name, value)| SetResponseHeaderLayer::overriding(name, value));
    Router::new()
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .merge(live::routes(state.services.clone(), state.live.clone()))
        .nest_service("/pkg", assets::bundle(&state.leptos_options))
        .leptos_routes_with_context(&state, routes, context.clone(), move || {
            shell(options.clone())
        })
        .fallback(leptos_axum::file_and_error_handler_with_context::<
            AppState,
            _,
        >(context, shell))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            sign_in_gate::redirect_anonymous,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            sign_in_gate::refuse_before_arguments,
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(security_headers::OTHER_POLICY),
        ))
        .layer(nosniff)
        .layer(referrer_policy)
        .layer(no_frames)
        .layer(assets::compression())
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// Everything the database needs before the first request (take the start lock first
/// when other instances may start meanwhile): it exists, it is migrated,
/// the step catalog is current and, with `demo` (where the simulator listens), the demo
/// estate is there, its connection configs pointing at that simulator. With an
/// `owner_url`, that account creates and migrates the database and grants the serving
/// account of `database_url` only what serving needs; without, `database_url` does all.
pub async fn prepare_database(
    database_url: &str,
    owner_url: Option<&str>,
    pool_size: usize,
    demo: Option<SocketAddr>,
    mode: app::mode::Mode,
) -> anyhow::Result<Store> {
    let owner = owner_url.unwrap_or(database_url);
    migrate::create_database_if_missing(owner).await?;
    let applied = migrate::apply_pending(owner).await?;
    tracing::info!(migrations.applied = applied, "database schema is current");
    if owner_url.is_some() {
        migrate::grant_least_privilege(owner, database_url).await?;
    }

    let store = Store::new(database_url, pool_size, mode)?;
    app::store::catalog::sync_builtin(&store)
        .await
        .context("cannot write the step catalog")?;
    if let Some(simulator) = demo
        && app::store::demo::load_once(&store, simulator)
            .await
            .context("cannot load the demo data")?
    {
        tracing::info!("loaded the demo estate");
    }
    Ok(store)
}

/// What start-up needs beyond the database's address.
#[derive(Debug, Clone)]
pub struct StartOptions {
    /// The account that owns the schema, when the serving one is kept to least privilege.
    pub owner_database_url: Option<String>,
    pub pool_size: usize,
    pub demo: bool,
    pub admin_password: Option<String>,
    pub sessions: SessionPolicy,
    pub trusted_proxies: TrustedProxies,
    /// Where the Simulator page finds the simulator's control API.
    pub simulator: app::simulator_link::SimulatorLink,
    /// Where the degraded-mode journal is kept.
    pub journal: std::path::PathBuf,
    /// Which instance this is (its name is also the engine's, in execution leases).
    pub instance: app::domain::cluster::InstanceIdentity,
    /// How long this instance's execution leases last without renewal.
    pub lease: std::time::Duration,
}

/// Services ready to serve, and the wake-ups server functions send the engine (hand
/// them to `engine::start`).
pub struct Prepared {
    pub services: Services,
    pub engine_wakes: tokio::sync::mpsc::Receiver<app::bus::Wake>,
}

/// Prepares the database and the services every request uses, with the users that must
/// exist and the user directory loaded. An instance that stopped in degraded mode starts
/// in it, without touching the database: its journal and configuration snapshot hold
/// what it needs, and the user directory comes from the snapshot, so sessions opened
/// before go on working.
pub async fn prepare(
    database_url: &str,
    secret: &SecretKey,
    options: &StartOptions,
) -> anyhow::Result<Prepared> {
    let mode = app::mode::Mode::open(&options.journal)?;
    if mode.is_degraded() {
        return prepared(database_url, secret, options, mode).await;
    }
    // Instances starting together prepare the database one at a time.
    let owner = options
        .owner_database_url
        .as_deref()
        .unwrap_or(database_url);
    migrate::create_database_if_missing(owner).await?;
    let lock = migrate::StartLock::take(owner).await?;
    let prepared = prepared(database_url, secret, options, mode).await;
    lock.release().await;
    prepared
}

/// `prepare`'s work, under the start lock when not degraded.
async fn prepared(
    database_url: &str,
    secret: &SecretKey,
    options: &StartOptions,
    mode: app::mode::Mode,
) -> anyhow::Result<Prepared> {
    let degraded = mode.is_degraded();
    let store = if degraded {
        tracing::warn!(
            run_mode = "degraded",
            why = mode.now().switched.describe(),
            since = %mode.now().since,
            "starting in degraded mode, as this instance stopped: the database is not used \
             until an admin switches back to normal mode"
        );
        same_schema(&mode)?;
        Store::new(database_url, options.pool_size, mode)?
    } else {
        prepare_database(
            database_url,
            options.owner_database_url.as_deref(),
            options.pool_size,
            options.demo.then(|| options.simulator.address()),
            mode,
        )
        .await?
    };
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let auth = Auth {
        store,
        keys: Arc::new(Keys::derive(secret.bytes())),
        hasher: PasswordHasher::new(cores.saturating_sub(1)),
        directory: Directory::default(),
        throttle: Arc::default(),
        refusals: Arc::default(),
        sessions: options.sessions,
        proxies: options.trusted_proxies.clone(),
    };
    match degraded {
        true => directory_from_snapshot(&auth),
        false => prepare_users(&auth, options).await?,
    }
    let (engine, engine_wakes) = app::bus::EngineHandle::new(app::domain::cluster::Claimant::new(
        options.instance.name.clone(),
        options.lease,
    ));
    Ok(Prepared {
        services: Services {
            auth,
            instance: options.instance.clone(),
            simulator: options.simulator.clone(),
            bus: app::bus::ExecutionBus::default(),
            engine,
        },
        engine_wakes,
    })
}

/// Refuses a degraded start by a build that expects another database schema than the
/// one the snapshot (and so the journal) was made with: reconcile would write into a
/// schema this build does not know.
fn same_schema(mode: &app::mode::Mode) -> anyhow::Result<()> {
    let expected = migrate::newest_version();
    let found = mode.mirror().and_then(|c| c.schema_version.clone());
    anyhow::ensure!(
        found.is_some() && found == expected,
        "this instance stopped in degraded mode, and its journal was made with database \
         schema {} while this build expects {}: start the build that made it, switch back \
         to normal mode once the database is back (which writes the journal into it), then \
         upgrade",
        found.as_deref().unwrap_or("(unknown)"),
        expected.as_deref().unwrap_or("(none)"),
    );
    Ok(())
}

/// The user directory as the configuration snapshot holds it (degraded start).
fn directory_from_snapshot(auth: &Auth) {
    match auth.store.mode().mirror() {
        Some(configuration) => auth.directory.replace_all(configuration.users.clone()),
        None => tracing::warn!(
            "no configuration snapshot: nobody can use this instance until it is back in \
             normal mode"
        ),
    }
}

/// The users that must exist (and, with demo data, the demo plans and the simulator's
/// password), then the user directory, all from the database.
async fn prepare_users(auth: &Auth, options: &StartOptions) -> anyhow::Result<()> {
    app::auth::bootstrap::ensure_users(
        &auth.store,
        &auth.hasher,
        options.demo,
        options.admin_password.clone(),
    )
    .await
    .context("cannot create the first users")?;
    if options.demo {
        let given = app::store::demo::give_simulator_password(
            &auth.store,
            &auth.keys.stored_secrets,
            options.simulator.address(),
            options.simulator.credentials(),
        )
        .await
        .context("cannot give the demo configs the simulator's password")?;
        if given > 0 {
            tracing::info!(
                configs = given,
                "gave the simulator's password to the demo connection configs"
            );
        }
    }
    if options.demo
        && app::store::demo::load_plans_once(&auth.store)
            .await
            .context("cannot load the demo plans")?
    {
        tracing::info!("loaded the demo plans");
    }
    auth.refresh_directory()
        .await
        .context("cannot load the users")
}

/// Starts the background work of a running server under `supervisor`: keeping the user
/// directory current (while the database is down it keeps its last state, so sessions
/// go on working), following what other instances commit, this instance's heartbeat, and
/// plan readiness every `readiness_every` and after changes, and the webhook sender.
pub fn start_background_tasks(
    supervisor: &tasks::Supervisor,
    services: &Services,
    readiness_every: Duration,
    webhooks: webhooks::WebhookSettings,
) {
    readiness::start(supervisor, services, readiness_every);
    webhooks::start(supervisor, services, webhooks);
    follow::start(
        supervisor,
        services.store().clone(),
        services.bus.clone(),
        services.engine.clone(),
    );
    heartbeat::start(
        supervisor,
        services.store().clone(),
        services.instance.clone(),
    );
    let services = services.clone();
    supervisor.spawn("user directory refresh", |stop| async move {
        tasks::every(DIRECTORY_REFRESH, stop, || async {
            if let Err(error) = services.auth.refresh_directory().await {
                tracing::debug!(%error, "user directory not refreshed");
            }
        })
        .await
    });
}
