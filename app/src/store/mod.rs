//! All data access: diesel-async on MySQL/MariaDB. The `Store` is the one door: nothing
//! outside this module touches diesel or holds a connection (store functions take
//! `&Store` and borrow one inside), so how data is kept (and later, the run mode) can
//! change underneath in one place. Every write goes through `tx.rs`.

pub mod audit;
pub mod catalog;
mod checks;
pub mod connection_configs;
pub mod data_centers;
pub mod database_clusters;
pub mod demo;
mod error;
pub mod executions;
pub mod instances;
pub mod mirror;
pub mod plans;
pub mod product_groups;
pub mod reconcile;
mod retry;
mod reuse;
pub mod run_mode;
pub mod schema;
pub mod settings;
pub mod stored_secret;
mod tx;
pub mod users;
pub mod webhooks;

use crate::mode::{self, Mode};
use diesel::ConnectionError;
use diesel_async::pooled_connection::deadpool::{Object, Pool};
use diesel_async::pooled_connection::{
    AsyncDieselConnectionManager, ManagerConfig, RecyclingMethod,
};
use diesel_async::{AsyncConnection, AsyncMysqlConnection, SimpleAsyncConnection};
use std::time::Duration;

pub use error::StoreError;

/// A connection, as the store's own helpers take it (a pooled `Conn` derefs to it).
type Db = AsyncMysqlConnection;

/// A pooled connection.
type Conn = Object<AsyncMysqlConnection>;

/// How long a caller waits for a connection before the database counts as unavailable.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(3);

/// The handle every server function and the engine use to reach stored data.
#[derive(Clone)]
pub struct Store {
    pool: Pool<AsyncMysqlConnection>,
    mode: Mode,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("pool", &self.pool.status())
            .finish()
    }
}

impl Store {
    /// Builds the pool, in the instance's run `mode`. No connection is made until one is
    /// needed.
    pub fn new(database_url: &str, max_connections: usize, mode: Mode) -> Result<Self, StoreError> {
        let mut config = ManagerConfig::default();
        config.custom_setup = Box::new(|url| Box::pin(establish_utc(url.to_owned())));
        config.recycling_method = RecyclingMethod::CustomFunction(Box::new(reuse::check));
        let manager = AsyncDieselConnectionManager::<AsyncMysqlConnection>::new_with_config(
            database_url,
            config,
        );
        let pool = Pool::builder(manager)
            .max_size(max_connections)
            .runtime(deadpool::Runtime::Tokio1)
            .wait_timeout(Some(CONNECT_TIMEOUT))
            .create_timeout(Some(CONNECT_TIMEOUT))
            .recycle_timeout(Some(CONNECT_TIMEOUT))
            .build()
            .map_err(|e| StoreError::Internal(Box::new(e)))?;
        Ok(Self { pool, mode })
    }

    /// The instance's run mode.
    pub fn mode(&self) -> &Mode {
        &self.mode
    }

    /// A connection from the pool; `Unavailable` when the database cannot be reached, and
    /// `Degraded` in degraded mode, which does not use the database at all. Only store
    /// code borrows one.
    async fn conn(&self) -> Result<Conn, StoreError> {
        let now = self.mode.now();
        if now.is_degraded() {
            return Err(StoreError::Degraded(now.refusal()));
        }
        Ok(self.pool.get().await?)
    }

    /// A connection whatever the mode: for reconcile, which runs before the switch back.
    async fn database(&self) -> Result<Conn, StoreError> {
        Ok(self.pool.get().await?)
    }

    /// Writes `records` to the degraded-mode journal, durably, off the async threads
    /// (it waits for the disk); `false`, writing nothing, when the instance is no longer
    /// degraded (it switched back meanwhile: the caller writes to MySQL instead). A
    /// journal that cannot be written is as unavailable as the database: the writer
    /// tries again.
    async fn journal(&self, records: &[mode::journal::Record]) -> Result<bool, StoreError> {
        let records = records.to_vec();
        let written = self.journaled(move || Ok((records, ())), |()| ()).await?;
        Ok(written.is_some())
    }

    /// A change made while degraded: `decide` says what to journal (and what else it
    /// made), the records are written durably, then `keep` keeps the change in memory —
    /// all under the journal's gate, so changes are journaled and kept in one order, and
    /// none after the switch back to normal. `None`, doing nothing, when the instance is
    /// no longer degraded.
    async fn journaled<T, R>(
        &self,
        decide: impl FnOnce() -> Result<(Vec<mode::journal::Record>, T), StoreError>,
        keep: impl FnOnce(T) -> R,
    ) -> Result<Option<R>, StoreError> {
        let _gate = self.mode.gate().await;
        if !self.mode.is_degraded() {
            return Ok(None);
        }
        let (records, made) = decide()?;
        self.on_disk(move |mode| mode.journal(&records))
            .await
            .map_err(|e| StoreError::Unavailable(e.to_string()))?;
        Ok(Some(keep(made)))
    }

    /// Works on the mode's journal file off the async threads (it waits for the disk).
    async fn on_disk<T: Send + 'static>(
        &self,
        work: impl FnOnce(&Mode) -> Result<T, mode::journal::JournalError> + Send + 'static,
    ) -> Result<T, StoreError> {
        let mode = self.mode.clone();
        tokio::task::spawn_blocking(move || work(&mode))
            .await
            .map_err(|e| StoreError::internal(format!("the journal work stopped: {e}")))?
            .map_err(|e| StoreError::internal(e.to_string()))
    }

    /// Whether the database answers a trivial query now, whatever the mode: the health
    /// check that switches modes asks this.
    pub async fn ping(&self) -> Result<(), StoreError> {
        let mut conn = self.pool.get().await?;
        conn.batch_execute("SELECT 1")
            .await
            .map_err(|e| StoreError::Unavailable(e.to_string()))
    }
}

/// Opens a connection whose session speaks UTC, so `CURRENT_TIMESTAMP` defaults and the
/// `NaiveDateTime`s we write agree whatever the server's own time zone is.
async fn establish_utc(url: String) -> diesel::ConnectionResult<AsyncMysqlConnection> {
    let mut conn = AsyncMysqlConnection::establish(&url).await?;
    conn.batch_execute("SET time_zone = '+00:00'")
        .await
        .map_err(ConnectionError::CouldntSetupConfiguration)?;
    Ok(conn)
}

diesel::define_sql_function! {
    /// MySQL's id of the row the last `INSERT` on this connection created.
    fn last_insert_id() -> diesel::sql_types::Unsigned<diesel::sql_types::BigInt>;
}

/// The id the last insert on this connection created (MySQL has no `RETURNING`).
async fn inserted_id(conn: &mut Db) -> Result<u64, StoreError> {
    use diesel_async::RunQueryDsl;
    Ok(diesel::select(last_insert_id()).get_result(conn).await?)
}
