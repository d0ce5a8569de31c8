//! One audited change: the only way a store function writes. `Store::create` runs the
//! insert and its `ok` audit entry in one transaction; `Store::change` first locks the
//! stored row, refuses a change made from another revision than the stored one (saying
//! whose change it would overwrite), moves the revision on, then runs the work and its
//! audit entry in the same transaction. Either all of it is written or none of it.
//! Executions use the same change, and add their events (see `executions::events`).

use super::audit::{self, AuditRecord, Target};
use super::retry::retrying;
use super::{Db, Store, StoreError};
use crate::error::ConflictCode;
use chrono::NaiveDateTime;
use diesel::sql_types::{Bigint, Datetime, Nullable, Text, Unsigned};
use diesel::{OptionalExtension, QueryableByName};
use diesel_async::{AsyncConnection, RunQueryDsl};
use scoped_futures::ScopedBoxFuture;

/// The tables whose rows carry a revision (the optimistic-concurrency counter).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Table {
    DataCenters,
    ProductGroups,
    DatabaseClusters,
    ConnectionConfigs,
    Plans,
    Users,
    Executions,
    Webhooks,
}

impl Table {
    fn sql_name(self) -> &'static str {
        match self {
            Self::DataCenters => "data_centers",
            Self::ProductGroups => "product_groups",
            Self::DatabaseClusters => "database_clusters",
            Self::ConnectionConfigs => "connection_configs",
            Self::Plans => "plans",
            Self::Users => "users",
            Self::Executions => "executions",
            Self::Webhooks => "webhooks",
        }
    }

    /// The column people know a row by.
    fn name_column(self) -> &'static str {
        match self {
            Self::Users => "username",
            Self::Executions => "plan_name",
            _ => "name",
        }
    }

    /// What the audit log calls a row of this table.
    pub(super) fn kind(self) -> &'static str {
        match self {
            Self::DataCenters => "data_center",
            Self::ProductGroups => "product_group",
            Self::DatabaseClusters => "database_cluster",
            Self::ConnectionConfigs => "connection_config",
            Self::Plans => "plan",
            Self::Users => "user",
            Self::Executions => "execution",
            Self::Webhooks => "webhook",
        }
    }

    /// Whether rows say who changed them last.
    fn records_who(self) -> bool {
        self == Self::Plans
    }

    /// Whether a change of its rows is a change of the configuration others follow (the
    /// mirror, plan readiness). Where the console sends its messages is not.
    fn configures(self) -> bool {
        self != Self::Webhooks
    }
}

/// A stored row a change is made to, and the revision the caller read it at.
#[derive(Debug, Clone, Copy)]
pub(super) struct Stored {
    pub table: Table,
    pub id: u64,
    /// `None` for a change that applies whatever the row holds now (signing out).
    pub revision: Option<u32>,
}

impl Stored {
    pub fn new(table: Table, id: u64, revision: u32) -> Self {
        Self {
            table,
            id,
            revision: Some(revision),
        }
    }

    /// The row at whatever revision it holds.
    pub fn as_it_is(table: Table, id: u64) -> Self {
        Self {
            table,
            id,
            revision: None,
        }
    }

    fn target(&self) -> Target {
        Target::new(self.table.kind(), self.id)
    }
}

/// The locked row, as the change found it.
#[derive(Debug, Clone, QueryableByName)]
pub(super) struct Locked {
    #[diesel(sql_type = Unsigned<diesel::sql_types::Integer>)]
    pub revision: u32,
    #[diesel(sql_type = Text)]
    pub name: String,
    #[diesel(sql_type = Datetime)]
    pub updated_at: NaiveDateTime,
    #[diesel(sql_type = Nullable<Unsigned<Bigint>>)]
    pub updated_by: Option<u64>,
}

/// The work of a change, given the transaction's connection.
pub(super) type Work<'a, 'c, T> = ScopedBoxFuture<'a, 'c, Result<T, StoreError>>;

impl Store {
    /// Creates a record (`work` may run more than once: see `retry`): `work` inserts it and returns its id with what the caller gets
    /// back; the `ok` entry for (`kind`, id) is written in the same transaction.
    pub(super) async fn create<'a, T, F>(
        &self,
        record: &'a AuditRecord,
        table: Table,
        work: F,
    ) -> Result<T, StoreError>
    where
        T: Send + 'a,
        F: for<'c> Fn(&'c mut Db) -> Work<'a, 'c, (u64, T)> + Send + Sync + 'a,
    {
        let mut conn = self.conn().await?;
        let work = &work;
        let value = retrying!(
            conn.transaction(async move |conn| {
                let (id, value) = work(conn).await?;
                audit::write_ok(conn, record, Target::new(table.kind(), id)).await?;
                Ok::<_, StoreError>(value)
            })
            .await
        )?;
        if table.configures() {
            self.mode.configuration_changed();
        }
        Ok(value)
    }

    /// Changes a stored record (`work` may run more than once: see `retry`): locks its row, refuses a change made from another
    /// revision, moves the revision on, runs `work` (given the row as it was found) and
    /// writes the `ok` entry, all in one transaction.
    pub(super) async fn change<'a, T, F>(
        &self,
        record: &'a AuditRecord,
        row: Stored,
        work: F,
    ) -> Result<T, StoreError>
    where
        T: Send + 'a,
        F: for<'c> Fn(&'c mut Db, Locked) -> Work<'a, 'c, T> + Send + Sync + 'a,
    {
        let mut conn = self.conn().await?;
        let work = &work;
        let value = retrying!(
            conn.transaction(async move |conn| {
                let locked = lock(conn, row).await?;
                let value = work(conn, locked).await?;
                audit::write_ok(conn, record, row.target()).await?;
                Ok::<_, StoreError>(value)
            })
            .await
        )?;
        if row.table != Table::Executions && row.table.configures() {
            self.mode.configuration_changed();
        }
        Ok(value)
    }
}

/// Deletes the stored row (inside a change, after its checks).
pub(super) async fn delete_row(conn: &mut Db, row: Stored) -> Result<(), StoreError> {
    diesel::sql_query(format!("DELETE FROM {} WHERE id = ?", row.table.sql_name()))
        .bind::<Unsigned<Bigint>, _>(row.id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Locks the row, checks the revision the caller read and moves it on.
async fn lock(conn: &mut Db, row: Stored) -> Result<Locked, StoreError> {
    let table = row.table.sql_name();
    let who = if row.table.records_who() {
        "updated_by"
    } else {
        "NULL"
    };
    let locked: Option<Locked> = diesel::sql_query(format!(
        "SELECT revision, {name} AS name, updated_at, {who} AS updated_by \
         FROM {table} WHERE id = ? FOR UPDATE",
        name = row.table.name_column(),
    ))
    .bind::<Unsigned<Bigint>, _>(row.id)
    .get_result(conn)
    .await
    .optional()?;
    let Some(locked) = locked else {
        return Err(StoreError::not_found(format!(
            "{} {}",
            row.table.kind().replace('_', " "),
            row.id
        )));
    };
    if row.revision.is_some_and(|read| read != locked.revision) {
        return Err(stale(conn, &locked).await);
    }
    diesel::sql_query(format!(
        "UPDATE {table} SET revision = revision + 1, updated_at = ? WHERE id = ?"
    ))
    .bind::<Datetime, _>(chrono::Utc::now().naive_utc())
    .bind::<Unsigned<Bigint>, _>(row.id)
    .execute(conn)
    .await?;
    Ok(locked)
}

#[derive(QueryableByName)]
struct Username {
    #[diesel(sql_type = Text)]
    username: String,
}

/// The refusal of a change made from an older revision: nothing is overwritten, and the
/// caller learns when (and, where rows record it, by whom) the record changed.
async fn stale(conn: &mut Db, locked: &Locked) -> StoreError {
    let who = match locked.updated_by {
        Some(id) => diesel::sql_query("SELECT username FROM users WHERE id = ?")
            .bind::<Unsigned<Bigint>, _>(id)
            .get_result::<Username>(conn)
            .await
            .ok()
            .map(|u| u.username),
        None => None,
    };
    StoreError::conflict(
        ConflictCode::StaleRevision,
        None,
        format!(
            "{} was changed by {} at {} UTC since you opened it; nothing was saved — reload \
             to see that change",
            locked.name,
            who.as_deref().unwrap_or("someone else"),
            locked.updated_at.format("%Y-%m-%d %H:%M:%S"),
        ),
    )
}
