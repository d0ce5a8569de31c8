//! Database clusters: the data centers holding a copy, and the primary among them. An
//! edit replaces the members as a whole, in one transaction with its audit entry.

use super::audit::AuditRecord;
use super::checks::{delete_unless_named, rename_unless_named};
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

/// A cluster as stored, with its primary data center's name, without its members.
#[derive(Queryable, Selectable)]
#[diesel(table_name = database_clusters, check_for_backend(diesel::mysql::Mysql))]
struct DatabaseClusterRow {
    id: u64,
    name: String,
    description: String,
    primary_data_center_id: u64,
    #[diesel(select_expression = data_centers::name)]
    primary_data_center_name: String,
    revision: u32,
}

impl DatabaseClusterRow {
    fn with_members(self, members: Vec<DataCenterRef>) -> DatabaseCluster {
        DatabaseCluster {
            id: DatabaseClusterId(self.id),
            name: self.name,
            description: self.description,
            members,
            primary: DataCenterRef {
                id: DataCenterId(self.primary_data_center_id),
                name: self.primary_data_center_name,
            },
            revision: self.revision,
        }
    }
}

/// A data center holding a copy of a cluster, with its name.
#[derive(Queryable, Selectable)]
#[diesel(table_name = database_cluster_members, check_for_backend(diesel::mysql::Mysql))]
struct MemberRow {
    cluster_id: u64,
    data_center_id: u64,
    #[diesel(select_expression = data_centers::name)]
    data_center_name: String,
}

impl From<MemberRow> for DataCenterRef {
    fn from(row: MemberRow) -> Self {
        DataCenterRef {
            id: DataCenterId(row.data_center_id),
            name: row.data_center_name,
        }
    }
}

async fn load(conn: &mut Db, only: Option<u64>) -> Result<Vec<DatabaseCluster>, StoreError> {
    let mut clusters = database_clusters::table
        .inner_join(data_centers::table)
        .select(DatabaseClusterRow::as_select())
        .order(database_clusters::name)
        .into_boxed();
    if let Some(id) = only {
        clusters = clusters.filter(database_clusters::id.eq(id));
    }
    let clusters: Vec<DatabaseClusterRow> = clusters.load(conn).await?;
    let ids: Vec<u64> = clusters.iter().map(|c| c.id).collect();
    let members: Vec<MemberRow> = database_cluster_members::table
        .inner_join(data_centers::table)
        .filter(database_cluster_members::cluster_id.eq_any(&ids))
        .select(MemberRow::as_select())
        .order(data_centers::name)
        .load(conn)
        .await?;
    let mut by_cluster: HashMap<u64, Vec<DataCenterRef>> = HashMap::new();
    for member in members {
        by_cluster
            .entry(member.cluster_id)
            .or_default()
            .push(member.into());
    }
    Ok(clusters
        .into_iter()
        .map(|cluster| {
            let members = by_cluster.remove(&cluster.id).unwrap_or_default();
            cluster.with_members(members)
        })
        .collect())
}

pub async fn list(store: &Store) -> Result<Vec<DatabaseCluster>, StoreError> {
    if let Some(mirrored) = super::mirror::degraded(store, |c| Ok(c.database_clusters.clone())) {
        return mirrored;
    }
    load(&mut *store.conn().await?, None).await
}

pub async fn get(store: &Store, id: DatabaseClusterId) -> Result<DatabaseCluster, StoreError> {
    if let Some(mirrored) = super::mirror::degraded(store, |c| {
        super::mirror::find(&c.database_clusters, id, |d| d.id, "database cluster")
    }) {
        return mirrored;
    }
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
        .create(record, Table::DatabaseClusters, move |conn| {
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
                rename_unless_named(conn, "cluster", &current.name, &form.name).await?;
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
    delete_unless_named(store, record, row, "cluster").await
}
