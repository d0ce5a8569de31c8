//! The store's side of the mirror (`mode::mirror`): refreshing it from MySQL in normal
//! mode, and answering reads of the configuration from it in degraded mode.

use super::{Store, StoreError, catalog, connection_configs, data_centers, database_clusters};
use super::{plans, product_groups, users};
use crate::mode::mirror::Configuration;
use chrono::Utc;

/// Reads the configuration from MySQL, keeps it as the mirror and writes the snapshot
/// file. Does nothing in degraded mode (synchronisation stops there).
pub async fn refresh(store: &Store) -> Result<(), StoreError> {
    if store.mode().is_degraded() {
        return Ok(());
    }
    let taken_at = Utc::now();
    let plans = plans::list(store).await?;
    let mut plan_details = Vec::with_capacity(plans.len());
    for plan in &plans {
        match plans::get(store, plan.id).await {
            Ok(detail) => plan_details.push(detail),
            // Deleted since the list was read.
            Err(StoreError::NotFound(_)) => {}
            Err(error) => return Err(error),
        }
    }
    let configuration = Configuration {
        taken_at,
        data_centers: data_centers::list(store).await?,
        product_groups: product_groups::list(store).await?,
        database_clusters: database_clusters::list(store).await?,
        connection_configs: connection_configs::list(store).await?,
        sealed_passwords: connection_configs::sealed_passwords(store).await?,
        plans,
        plan_details,
        step_types: catalog::list(store).await?,
        users: users::session_states(store).await?,
        schema_version: schema_version(store).await?,
    };
    if store.mode().is_degraded() {
        return Ok(());
    }
    let mode = store.mode().clone();
    tokio::task::spawn_blocking(move || mode.keep_mirror(configuration))
        .await
        .map_err(|e| StoreError::internal(format!("the snapshot write stopped: {e}")))?
        .map_err(|e| {
            StoreError::internal(format!("the configuration snapshot cannot be written: {e}"))
        })
}

/// The newest migration the database has applied.
async fn schema_version(store: &Store) -> Result<Option<String>, StoreError> {
    use diesel::sql_types::{Nullable, Text};
    use diesel_async::RunQueryDsl;
    #[derive(diesel::QueryableByName)]
    struct Newest {
        #[diesel(sql_type = Nullable<Text>)]
        version: Option<String>,
    }
    let conn = &mut *store.conn().await?;
    let newest: Newest =
        diesel::sql_query("SELECT MAX(version) AS version FROM __diesel_schema_migrations")
            .get_result(conn)
            .await?;
    Ok(newest.version)
}

/// In degraded mode, the answer `read` finds in the mirror (`Some`); in normal mode
/// `None`: the caller reads MySQL.
pub(super) fn degraded<T>(
    store: &Store,
    read: impl FnOnce(&Configuration) -> Result<T, StoreError>,
) -> Option<Result<T, StoreError>> {
    let now = store.mode().now();
    if !now.is_degraded() {
        return None;
    }
    Some(match store.mode().mirror() {
        Some(configuration) => read(&configuration),
        None => Err(StoreError::Degraded(format!(
            "{} (this instance never read the configuration, so it has no copy to show)",
            now.refusal()
        ))),
    })
}

/// The record with `id` among `records`, or `NotFound` naming it.
pub(super) fn find<T: Clone, I: PartialEq + std::fmt::Display + Copy>(
    records: &[T],
    id: I,
    id_of: impl Fn(&T) -> I,
    what: &str,
) -> Result<T, StoreError> {
    records
        .iter()
        .find(|r| id_of(r) == id)
        .cloned()
        .ok_or_else(|| StoreError::not_found(format!("{what} {id}")))
}
