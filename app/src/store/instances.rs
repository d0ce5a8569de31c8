//! The instances table: each instance's heartbeat (by the database's clock), and the
//! cluster as the heartbeats tell it.

use super::schema::instances;
use super::{Store, StoreError};
use crate::domain::cluster::{
    FORGOTTEN_AFTER_SECONDS, InstanceIdentity, InstanceStatus, LIVE_WITHIN_SECONDS,
};
use crate::domain::run_mode::RunMode;
use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::sql_types::{BigInt, Bool, Datetime, Nullable, Text, Unsigned};
use diesel_async::RunQueryDsl;

/// Writes `identity`'s heartbeat, and forgets instances long gone quiet.
pub async fn heartbeat(
    store: &Store,
    identity: &InstanceIdentity,
    started_at: DateTime<Utc>,
) -> Result<(), StoreError> {
    let mut conn = store.conn().await?;
    let run_mode = store.mode().now().mode;
    diesel::sql_query(
        "INSERT INTO instances \
           (name, data_center, version, run_mode, database_node, started_at, heartbeat_at) \
         VALUES (?, ?, ?, ?, CONCAT(@@hostname, ':', @@port), ?, NOW(6)) \
         ON DUPLICATE KEY UPDATE data_center = VALUES(data_center), version = VALUES(version), \
           run_mode = VALUES(run_mode), database_node = VALUES(database_node), \
           started_at = VALUES(started_at), heartbeat_at = VALUES(heartbeat_at)",
    )
    .bind::<Text, _>(&identity.name)
    .bind::<Nullable<Text>, _>(identity.data_center.as_deref())
    .bind::<Text, _>(&identity.version)
    .bind::<Text, _>(run_mode.as_str())
    .bind::<Datetime, _>(started_at.naive_utc())
    .execute(&mut *conn)
    .await?;
    diesel::delete(instances::table)
        .filter(diesel::dsl::sql::<Bool>(&format!(
            "heartbeat_at < NOW(6) - INTERVAL {FORGOTTEN_AFTER_SECONDS} SECOND"
        )))
        .execute(&mut *conn)
        .await?;
    Ok(())
}

#[derive(diesel::QueryableByName)]
struct Row {
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Nullable<Text>)]
    data_center: Option<String>,
    #[diesel(sql_type = Text)]
    version: String,
    #[diesel(sql_type = Text)]
    run_mode: String,
    #[diesel(sql_type = Text)]
    database_node: String,
    #[diesel(sql_type = Datetime)]
    started_at: NaiveDateTime,
    #[diesel(sql_type = Datetime)]
    heartbeat_at: NaiveDateTime,
    #[diesel(sql_type = BigInt)]
    heard_seconds_ago: i64,
    #[diesel(sql_type = Unsigned<BigInt>)]
    executions_owned: u64,
}

/// Every instance heard from within the last day, live ones first, then by name.
pub async fn list(store: &Store) -> Result<Vec<InstanceStatus>, StoreError> {
    let rows: Vec<Row> = diesel::sql_query(
        "SELECT i.name, i.data_center, i.version, i.run_mode, i.database_node, i.started_at, \
           i.heartbeat_at, \
           CAST(TIMESTAMPDIFF(SECOND, i.heartbeat_at, NOW(6)) AS SIGNED) AS heard_seconds_ago, \
           CAST((SELECT COUNT(*) FROM execution_leases l \
                 WHERE l.owner = i.name AND l.expires_at > NOW(6)) AS UNSIGNED) \
             AS executions_owned \
         FROM instances i ORDER BY i.heartbeat_at < NOW(6) - INTERVAL ? SECOND, i.name",
    )
    .bind::<Unsigned<BigInt>, _>(LIVE_WITHIN_SECONDS)
    .load(&mut *store.conn().await?)
    .await?;
    rows.into_iter()
        .map(|row| {
            Ok(InstanceStatus {
                run_mode: RunMode::parse(&row.run_mode).ok_or_else(|| {
                    StoreError::internal(format!("unknown run mode {}", row.run_mode))
                })?,
                identity: InstanceIdentity {
                    name: row.name,
                    data_center: row.data_center,
                    version: row.version,
                },
                database_node: row.database_node,
                started_at: row.started_at.and_utc(),
                heartbeat_at: row.heartbeat_at.and_utc(),
                live: row.heard_seconds_ago <= LIVE_WITHIN_SECONDS as i64,
                heard_seconds_ago: row.heard_seconds_ago,
                executions_owned: row.executions_owned,
            })
        })
        .collect()
}
