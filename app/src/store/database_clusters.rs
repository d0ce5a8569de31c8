//! Database clusters: the data centers holding a copy, and the primary among them. An
//! edit replaces the members as a whole, in one transaction with its audit entry.

use super::audit::{self, AuditRecord, Target};
use super::checks::{NameChange, not_named_by_plan_steps};
use super::schema::{data_centers, database_cluster_members, database_clusters};
use super::{Db, inserted_id};
use crate::domain::environment::{DataCenterRef, DatabaseCluster, DatabaseClusterForm};
use crate::domain::ids::{DataCenterId, DatabaseClusterId};
use crate::error::AppError;
use diesel::prelude::*;
use diesel_async::{AsyncConnection, RunQueryDsl};
use std::collections::HashMap;

async fn load(conn: &mut Db, only: Option<u64>) -> Result<Vec<DatabaseCluster>, AppError> {
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

pub async fn list(conn: &mut Db) -> Result<Vec<DatabaseCluster>, AppError> {
    load(conn, None).await
}

pub async fn get(conn: &mut Db, id: u64) -> Result<DatabaseCluster, AppError> {
    load(conn, Some(id))
        .await?
        .pop()
        .ok_or_else(|| AppError::not_found(format!("database cluster {id}")))
}

async fn insert_members(
    conn: &mut Db,
    cluster: u64,
    members: &[DataCenterId],
) -> Result<(), AppError> {
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

fn primary(form: &DatabaseClusterForm) -> Result<u64, AppError> {
    form.primary.map(|p| p.0).ok_or_else(|| {
        AppError::invalid(vec![crate::error::FieldError::new(
            "primary",
            "choose the primary data center",
        )])
    })
}

async fn lock_version(
    conn: &mut Db,
    id: DatabaseClusterId,
    version: u32,
) -> Result<DatabaseCluster, AppError> {
    let stored: Option<u32> = database_clusters::table
        .find(id.0)
        .select(database_clusters::version)
        .for_update()
        .first(conn)
        .await
        .optional()?;
    let current = get(conn, id.0).await?;
    super::checks::check_version(stored, version, &current.name)?;
    Ok(current)
}

pub async fn create(
    conn: &mut Db,
    record: &AuditRecord,
    form: &DatabaseClusterForm,
) -> Result<DatabaseCluster, AppError> {
    let primary = primary(form)?;
    conn.transaction::<_, AppError, _>(async |conn| {
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
        audit::write_ok(conn, record, Target::new("database_cluster", id)).await?;
        get(conn, id).await
    })
    .await
}

pub async fn update(
    conn: &mut Db,
    record: &AuditRecord,
    id: DatabaseClusterId,
    version: u32,
    form: &DatabaseClusterForm,
) -> Result<DatabaseCluster, AppError> {
    let primary = primary(form)?;
    conn.transaction::<_, AppError, _>(async |conn| {
        let current = lock_version(conn, id, version).await?;
        if current.name != form.name {
            not_named_by_plan_steps(conn, "cluster", &current.name, NameChange::Rename).await?;
        }
        diesel::update(database_clusters::table.find(id.0))
            .set((
                database_clusters::name.eq(&form.name),
                database_clusters::description.eq(&form.description),
                database_clusters::primary_data_center_id.eq(primary),
                database_clusters::version.eq(database_clusters::version + 1),
                database_clusters::updated_at.eq(chrono::Utc::now().naive_utc()),
            ))
            .execute(conn)
            .await?;
        diesel::delete(
            database_cluster_members::table.filter(database_cluster_members::cluster_id.eq(id.0)),
        )
        .execute(conn)
        .await?;
        insert_members(conn, id.0, &form.members).await?;
        audit::write_ok(conn, record, Target::new("database_cluster", id)).await?;
        get(conn, id.0).await
    })
    .await
}

pub async fn delete(
    conn: &mut Db,
    record: &AuditRecord,
    id: DatabaseClusterId,
    version: u32,
) -> Result<(), AppError> {
    conn.transaction::<_, AppError, _>(async |conn| {
        let current = lock_version(conn, id, version).await?;
        not_named_by_plan_steps(conn, "cluster", &current.name, NameChange::Delete).await?;
        diesel::delete(database_clusters::table.find(id.0))
            .execute(conn)
            .await?;
        audit::write_ok(conn, record, Target::new("database_cluster", id)).await?;
        Ok(())
    })
    .await
}
