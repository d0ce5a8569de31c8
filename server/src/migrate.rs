//! Preparing the database at start: create it when missing, apply pending migrations,
//! and give the serving account (when it is not the owner) only what serving needs.
//! Instances that start together prepare it one at a time, under the start lock.

use anyhow::Context;
use diesel_async::RunQueryDsl;
use diesel_async::{
    AsyncConnection, AsyncMigrationHarness, AsyncMysqlConnection, SimpleAsyncConnection,
};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

/// Every migration in `migrations/`, embedded in the binary.
pub const MIGRATIONS: EmbeddedMigrations = embed_migrations!("../migrations");

/// The version of the newest migration this build embeds, as the database records it
/// once applied.
pub fn newest_version() -> Option<String> {
    use diesel::migration::MigrationSource;
    let migrations: Vec<_> =
        MigrationSource::<diesel::mysql::Mysql>::migrations(&MIGRATIONS).ok()?;
    migrations
        .iter()
        .map(|m| m.name().version().to_string())
        .max()
}

/// Creates the database named in `database_url` when it does not exist yet.
pub async fn create_database_if_missing(database_url: &str) -> anyhow::Result<()> {
    let name = database_name(database_url)?;
    let mut url = url::Url::parse(database_url).context("the database URL is not a valid URL")?;
    url.set_path("");
    let mut conn = AsyncMysqlConnection::establish(url.as_str())
        .await
        .with_context(|| format!("cannot reach the database server at {}", redact(&url)))?;
    // Only when missing: on Galera a `CREATE DATABASE` is run on every node in turn and
    // aborts what another instance is doing in that database meanwhile (its migrations).
    let existing: Count = diesel::sql_query(
        "SELECT COUNT(*) AS n FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?",
    )
    .bind::<diesel::sql_types::Text, _>(&name)
    .get_result(&mut conn)
    .await
    .context("cannot ask the database server which databases exist")?;
    if existing.n > 0 {
        return Ok(());
    }
    conn.batch_execute(&format!(
        "CREATE DATABASE IF NOT EXISTS `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
    ))
    .await
    .with_context(|| format!("cannot create database {name}"))?;
    Ok(())
}

/// Applies every pending migration under the start lock; returns how many were applied.
/// Instances that start together take turns: the first migrates, the others find nothing
/// left to do.
pub async fn run_pending(database_url: &str) -> anyhow::Result<usize> {
    let lock = StartLock::take(database_url).await?;
    let applied = apply_pending(database_url).await;
    lock.release().await;
    applied
}

/// Applies every pending migration (the caller holds the start lock).
pub async fn apply_pending(database_url: &str) -> anyhow::Result<usize> {
    let conn = AsyncMysqlConnection::establish(database_url)
        .await
        .context("cannot connect to the database to migrate it")?;
    let mut harness = AsyncMigrationHarness::new(conn);
    let applied = tokio::task::block_in_place(|| harness.run_pending_migrations(MIGRATIONS))
        .map_err(|e| anyhow::anyhow!("migrating the database failed: {e}"))?;
    Ok(applied.len())
}

/// The start lock: one instance at a time prepares the database (migrations, the step
/// catalog, demo data, the users that must exist). It is a row under a fixed primary
/// key: `GET_LOCK` would not do, as a Galera cluster keeps it on one node, while two
/// nodes inserting the same key cannot both commit. Its table sits beside diesel's own,
/// outside the migrations (it must exist before they run).
pub struct StartLock {
    conn: AsyncMysqlConnection,
    holder: String,
}

const LOCK_TABLE: &str = "__switchyard_start_lock";

/// A lock held this long was left by an instance that died while preparing.
const LOCK_LAPSES_AFTER: std::time::Duration = std::time::Duration::from_secs(600);

impl StartLock {
    /// Waits until this instance holds the lock of the database at `database_url`.
    pub async fn take(database_url: &str) -> anyhow::Result<Self> {
        let mut conn = AsyncMysqlConnection::establish(database_url)
            .await
            .context("cannot connect to the database to prepare it")?;
        // Created only when missing, for the same reason as the database.
        let existing: Count = diesel::sql_query(format!(
            "SELECT COUNT(*) AS n FROM information_schema.TABLES \
             WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = '{LOCK_TABLE}'"
        ))
        .get_result(&mut conn)
        .await
        .context("cannot ask the database which tables exist")?;
        if existing.n == 0 {
            conn.batch_execute(&format!(
                "CREATE TABLE IF NOT EXISTS {LOCK_TABLE} (\
                   id TINYINT UNSIGNED NOT NULL PRIMARY KEY, \
                   holder VARCHAR(64) NOT NULL, \
                   taken_at DATETIME(6) NOT NULL) ENGINE=InnoDB"
            ))
            .await
            .context("cannot create the start lock table")?;
        }
        let holder = format!("{:016x}", getrandom::u64().context("no randomness")?);
        let mut waited = std::time::Instant::now();
        loop {
            conn.batch_execute(&format!(
                "DELETE FROM {LOCK_TABLE} WHERE id = 1 AND taken_at < NOW(6) - INTERVAL {} SECOND",
                LOCK_LAPSES_AFTER.as_secs()
            ))
            .await
            .context("cannot clear a lapsed start lock")?;
            let taken = diesel::sql_query(format!(
                "INSERT INTO {LOCK_TABLE} (id, holder, taken_at) VALUES (1, ?, NOW(6))"
            ))
            .bind::<diesel::sql_types::Text, _>(&holder)
            .execute(&mut conn)
            .await;
            match taken {
                Ok(_) => {
                    caught_up(&mut conn).await?;
                    return Ok(Self { conn, holder });
                }
                // Held (a duplicate key), or taken on another node at the same moment (a
                // certification conflict): wait for the holder to finish.
                Err(diesel::result::Error::DatabaseError(kind, info))
                    if kind == diesel::result::DatabaseErrorKind::UniqueViolation
                        || info.message().contains("try restarting transaction") =>
                {
                    if waited.elapsed() >= std::time::Duration::from_secs(5) {
                        tracing::info!(
                            "waiting for another instance to finish preparing the database"
                        );
                        waited = std::time::Instant::now();
                    }
                    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
                }
                Err(error) => return Err(error).context("cannot take the start lock"),
            }
        }
    }

    /// Gives the lock up; one left behind (the database went away) lapses by itself.
    pub async fn release(mut self) {
        let released = diesel::sql_query(format!(
            "DELETE FROM {LOCK_TABLE} WHERE id = 1 AND holder = ?"
        ))
        .bind::<diesel::sql_types::Text, _>(&self.holder)
        .execute(&mut self.conn)
        .await;
        if let Err(error) = released {
            tracing::warn!(%error, "the start lock was not released; it lapses by itself");
        }
    }
}

/// Gives the account that `serving_url` signs in as exactly what serving needs in the
/// database of `owner_url`: read and write every table, but only read and append to the
/// audit log; no schema changes, no DROP or TRUNCATE, nothing in other databases. Run as
/// the owner after every migration, so new tables are covered.
pub async fn grant_least_privilege(owner_url: &str, serving_url: &str) -> anyhow::Result<()> {
    let mut server_only =
        url::Url::parse(serving_url).context("DATABASE_URL is not a valid URL")?;
    server_only.set_path("");
    let mut serving = AsyncMysqlConnection::establish(server_only.as_str())
        .await
        .with_context(|| format!("cannot sign in to the database as {}", redact(&server_only)))?;
    let account: Account = diesel::sql_query("SELECT CURRENT_USER() AS name")
        .get_result(&mut serving)
        .await
        .context("cannot ask the database who the serving account is")?;
    let account = quoted_account(&account.name)?;

    let mut owner = AsyncMysqlConnection::establish(owner_url)
        .await
        .context("cannot connect to the database as its owner")?;
    let tables: Vec<TableName> = diesel::sql_query(
        "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = DATABASE()",
    )
    .load(&mut owner)
    .await
    .context("cannot list the tables")?;
    // Privileges granted on the whole database would outweigh the per-table ones.
    let database = database_name(owner_url)?;
    if let Err(error) = owner
        .batch_execute(&format!(
            "REVOKE ALL PRIVILEGES ON `{database}`.* FROM {account}"
        ))
        .await
    {
        tracing::debug!(%error, "no database-wide privileges to revoke");
    }
    for table in tables {
        let rights = match table.name.as_str() {
            "audit_log" => "SELECT, INSERT",
            "__diesel_schema_migrations" | LOCK_TABLE => "SELECT",
            _ => "SELECT, INSERT, UPDATE, DELETE",
        };
        owner
            .batch_execute(&format!(
                "GRANT {rights} ON `{database}`.`{}` TO {account}",
                table.name
            ))
            .await
            .with_context(|| format!("cannot grant {account} {rights} on {}", table.name))?;
    }
    Ok(())
}

/// On a Galera node, waits until the node has applied what the cluster committed before
/// now (a causal read), so this instance sees everything the lock's previous holder wrote
/// through another node. Elsewhere the setting is unknown or idle, and the read is plain.
async fn caught_up(conn: &mut AsyncMysqlConnection) -> anyhow::Result<()> {
    let _ = conn.batch_execute("SET SESSION wsrep_sync_wait = 1").await;
    let _: Count = diesel::sql_query(format!("SELECT COUNT(*) AS n FROM {LOCK_TABLE}"))
        .get_result(conn)
        .await
        .context("cannot read the start lock")?;
    Ok(())
}

#[derive(diesel::QueryableByName)]
struct Count {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

#[derive(diesel::QueryableByName)]
struct Account {
    #[diesel(sql_type = diesel::sql_types::Text)]
    name: String,
}

#[derive(diesel::QueryableByName)]
struct TableName {
    #[diesel(sql_type = diesel::sql_types::Text)]
    name: String,
}

/// `user@host` as `'user'@'host'`, refusing anything that would need escaping.
fn quoted_account(account: &str) -> anyhow::Result<String> {
    let (user, host) = account
        .rsplit_once('@')
        .with_context(|| format!("{account:?} is not an account name"))?;
    let plain = |part: &str| {
        part.chars()
            .all(|c| c.is_ascii_alphanumeric() || "_-.%:".contains(c))
    };
    anyhow::ensure!(
        plain(user) && plain(host),
        "the serving account {account:?} has characters this start-up will not put into a GRANT"
    );
    Ok(format!("'{user}'@'{host}'"))
}

fn database_name(database_url: &str) -> anyhow::Result<String> {
    let url = url::Url::parse(database_url).context("the database URL is not a valid URL")?;
    let name = url.path().trim_start_matches('/').to_owned();
    anyhow::ensure!(
        !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'),
        "the database URL must name a database made of letters, digits and underscores"
    );
    Ok(name)
}

/// The URL without its password, for messages.
pub fn redact(url: &url::Url) -> String {
    let mut shown = url.clone();
    if shown.password().is_some() {
        let _ = shown.set_password(Some("***"));
    }
    shown.to_string()
}
