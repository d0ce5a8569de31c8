//! The Switchyard server: start-up steps and the HTTP router. `main.rs` strings them
//! together; the integration tests build the very same router.

pub mod config;
pub mod health;
pub mod migrate;
pub mod secret;

use anyhow::Context;
use app::store::Store;
use app::{App, shell};
use axum::Router;
use axum::extract::FromRef;
use axum::routing::get;
use leptos::prelude::*;
use leptos_axum::{LeptosRoutes, generate_route_list};
use tower_http::trace::TraceLayer;

/// What every request handler can reach.
#[derive(Clone, Debug)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub store: Store,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}

/// The whole HTTP surface: probes, server functions under `/api`, pages, static files.
pub fn router(state: AppState) -> Router {
    let routes = generate_route_list(App);
    let store = state.store.clone();
    let context = move || provide_context(store.clone());
    let options = state.leptos_options.clone();
    Router::new()
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .leptos_routes_with_context(&state, routes, context.clone(), move || {
            shell(options.clone())
        })
        .fallback(leptos_axum::file_and_error_handler_with_context::<
            AppState,
            _,
        >(context, shell))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// Everything the database needs before the first request: it exists, it is migrated,
/// the step catalog is current and, in demo mode, the demo estate is there.
pub async fn prepare_database(
    database_url: &str,
    pool_size: usize,
    demo: bool,
) -> anyhow::Result<Store> {
    migrate::create_database_if_missing(database_url).await?;
    let applied = migrate::run_pending(database_url).await?;
    tracing::info!(migrations.applied = applied, "database schema is current");

    let store = Store::new(database_url, pool_size)?;
    let mut conn = store
        .conn()
        .await
        .context("cannot connect to the database")?;
    app::store::catalog::sync_builtin(&mut conn)
        .await
        .context("cannot write the step catalog")?;
    if demo
        && app::store::demo::load_once(&mut conn)
            .await
            .context("cannot load the demo data")?
    {
        tracing::info!("loaded the demo estate");
    }
    drop(conn);
    Ok(store)
}
