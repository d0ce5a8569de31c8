//! Database clusters: the data centers holding a copy, and the primary among them. An
//! edit replaces the members as a whole, in one transaction with its audit entry.

use super::audit::AuditRecord;
use super::checks::{NameChange, not_named_by_plan_steps};
use super::schema::{data_centers, database_cluster_members, database_clusters};
use super::tx::{Stored, Table};
use super::{Db, Store, StoreError, inserted_id};
use crate::domain::environment::{DataCenterRef, DatabaseCluster, DatabaseClusterForm};
use crate::domain::ids::{DataCenterId, DatabaseClusterId};
use crate::domain::valid::Valid;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use scoped_futures::ScopedFutureExt;
use std::collections::HashMap;

async fn load(conn: &mut Db, only: Option<u64>) -> Result<Vec<DatabaseCluster>, StoreError> {
    let mut clusters = database_clusters::table
        .inner_join(data_centers::table)
        .select((
            database_clusters::id,
            database_clusters::name,
            database_clusters::description,
            database_clusters::primary_data_center_id,
            data_centers::name,
            database_clusters::version,
        ))
        .order(database_clusters::name)
        .into_boxed();
    if let Some(id) = only {
        clusters = clusters.filter(database_clusters::id.eq(id));
    }
    let clusters: Vec<(u64, String, String, u64, String, u32)> = clusters.load(conn).await?;
    let ids: Vec<u64> = clusters.iter().map(|c| c.0).collect();
    let members: Vec<(u64, u64, String)> = database_cluster_members::table
        .inner_join(data_centers::table)
        .filter(database_cluster_members::cluster_id.eq_any(&ids))
        .select((
            database_cluster_members::cluster_id,
            data_centers::id,
            data_centers::name,
        ))
        .order(data_centers::name)
        .load(conn)
        .await?;
    let mut by_cluster: HashMap<u64, Vec<DataCenterRef>> = HashMap::new();
    for (cluster, id, name) in members {
        by_cluster.entry(cluster).or_default().push(DataCenterRef {
            id: DataCenterId(id),
            name,
        });
    }
    Ok(clusters
        .into_iter()
        .map(
            |(id, name, description, primary_id, primary_name, version)| DatabaseCluster {
                id: DatabaseClusterId(id),
                name,
                description,
                members: by_cluster.remove(&id).unwrap_or_default(),
                primary: DataCenterRef {
                    id: DataCenterId(primary_id),
                    name: primary_name,
                },
                version,
            },
        )
        .collect())
}

pub async fn list(store: &Store) -> Result<Vec<DatabaseCluster>, StoreError> {
    load(&mut *store.conn().await?, None).await
}

pub async fn get(store: &Store, id: DatabaseClusterId) -> Result<DatabaseCluster, StoreError> {
    read(&mut *store.conn().await?, id).await
}

async fn read(conn: &mut Db, id: DatabaseClusterId) -> Result<DatabaseCluster, StoreError> {
    load(conn, Some(id.0))
        .await?
        .pop()
        .ok_or_else(|| StoreError::not_found(format!("database cluster {id}")))
}

async fn insert_members(
    conn: &mut Db,
    cluster: u64,
    members: &[DataCenterId],
) -> Result<(), StoreError> {
    let rows: Vec<_> = members
        .iter()
        .map(|dc| {
            (
                database_cluster_members::cluster_id.eq(cluster),
                database_cluster_members::data_center_id.eq(dc.0),
            )
        })
        .collect();
    diesel::insert_into(database_cluster_members::table)
        .values(rows)
        .execute(conn)
        .await?;
    Ok(())
}

/// The primary a checked form names (its check guarantees one).
fn primary(form: &Valid<DatabaseClusterForm>) -> Result<u64, StoreError> {
    form.primary
        .map(|p| p.0)
        .ok_or_else(|| StoreError::internal("a checked database cluster without a primary"))
}

pub async fn create(
    store: &Store,
    record: &AuditRecord,
    form: &Valid<DatabaseClusterForm>,
) -> Result<DatabaseCluster, StoreError> {
    let primary = primary(form)?;
    store
        .create(record, Table::DatabaseClusters.kind(), move |conn| {
            async move {
                diesel::insert_into(database_clusters::table)
                    .values((
                        database_clusters::name.eq(&form.name),
                        database_clusters::description.eq(&form.description),
                        database_clusters::primary_data_center_id.eq(primary),
                    ))
                    .execute(conn)
                    .await?;
                let id = inserted_id(conn).await?;
                insert_members(conn, id, &form.members).await?;
                Ok((id, read(conn, DatabaseClusterId(id)).await?))
            }
            .scope_boxed()
        })
        .await
}

pub async fn update(
    store: &Store,
    record: &AuditRecord,
    id: DatabaseClusterId,
    revision: u32,
    form: &Valid<DatabaseClusterForm>,
) -> Result<DatabaseCluster, StoreError> {
    let primary = primary(form)?;
    let row = Stored::new(Table::DatabaseClusters, id.0, revision);
    store
        .change(record, row, move |conn, current| {
            async move {
                if current.name != form.name {
                    let rename = NameChange::Rename;
                    not_named_by_plan_steps(conn, "cluster", &current.name, rename).await?;
                }
                diesel::update(database_clusters::table.find(id.0))
                    .set((
                        database_clusters::name.eq(&form.name),
                        database_clusters::description.eq(&form.description),
                        database_clusters::primary_data_center_id.eq(primary),
                    ))
                    .execute(conn)
                    .await?;
                diesel::delete(
                    database_cluster_members::table
                        .filter(database_cluster_members::cluster_id.eq(id.0)),
                )
                .execute(conn)
                .await?;
                insert_members(conn, id.0, &form.members).await?;
                read(conn, id).await
            }
            .scope_boxed()
        })
        .await
}

pub async fn delete(
    store: &Store,
    record: &AuditRecord,
    id: DatabaseClusterId,
    revision: u32,
) -> Result<(), StoreError> {
    let row = Stored::new(Table::DatabaseClusters, id.0, revision);
    store
        .change(record, row, move |conn, current| {
            async move {
                let delete = NameChange::Delete;
                not_named_by_plan_steps(conn, "cluster", &current.name, delete).await?;
                diesel::delete(database_clusters::table.find(id.0))
                    .execute(conn)
                    .await?;
                Ok(())
            }
            .scope_boxed()
        })
        .await
}
