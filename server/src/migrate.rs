//! Preparing the database at start: create it when missing, apply pending migrations.

use anyhow::Context;
use diesel_async::{
    AsyncConnection, AsyncMigrationHarness, AsyncMysqlConnection, SimpleAsyncConnection,
};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

/// Every migration in `migrations/`, embedded in the binary.
pub const MIGRATIONS: EmbeddedMigrations = embed_migrations!("../migrations");

/// Creates the database named in `database_url` when it does not exist yet.
pub async fn create_database_if_missing(database_url: &str) -> anyhow::Result<()> {
    let mut url = url::Url::parse(database_url).context("DATABASE_URL is not a valid URL")?;
    let name = url.path().trim_start_matches('/').to_owned();
    anyhow::ensure!(
        !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'),
        "DATABASE_URL must name a database made of letters, digits and underscores"
    );
    url.set_path("");
    let mut conn = AsyncMysqlConnection::establish(url.as_str())
        .await
        .with_context(|| format!("cannot reach the database server at {}", redact(&url)))?;
    conn.batch_execute(&format!(
        "CREATE DATABASE IF NOT EXISTS `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
    ))
    .await
    .with_context(|| format!("cannot create database {name}"))?;
    Ok(())
}

/// Applies every pending migration; returns how many were applied.
pub async fn run_pending(database_url: &str) -> anyhow::Result<usize> {
    let conn = AsyncMysqlConnection::establish(database_url)
        .await
        .context("cannot connect to the database to migrate it")?;
    let mut harness = AsyncMigrationHarness::new(conn);
    let applied = tokio::task::block_in_place(|| harness.run_pending_migrations(MIGRATIONS))
        .map_err(|e| anyhow::anyhow!("migrating the database failed: {e}"))?;
    Ok(applied.len())
}

/// The URL without its password, for messages.
pub fn redact(url: &url::Url) -> String {
    let mut shown = url.clone();
    if shown.password().is_some() {
        let _ = shown.set_password(Some("***"));
    }
    shown.to_string()
}
