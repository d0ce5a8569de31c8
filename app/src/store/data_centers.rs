//! Regions and data centers. A region exists while a data center names it; a data center
//! can be deleted only when nothing refers to it any more.

use super::audit::{self, AuditRecord, Target};
use super::schema::{
    connection_configs, data_centers, database_cluster_members, database_clusters, executions,
    regions,
};
use super::{Db, inserted_id};
use crate::domain::environment::{DataCenter, DataCenterForm};
use crate::domain::ids::DataCenterId;
use crate::error::{AppError, ConflictCode};
use diesel::prelude::*;
use diesel_async::{AsyncConnection, RunQueryDsl};

type Row = (u64, String, String, String, u32);

fn to_domain((id, region, name, description, version): Row) -> DataCenter {
    DataCenter {
        id: DataCenterId(id),
        region,
        name,
        description,
        version,
    }
}

#[diesel::dsl::auto_type]
fn select() -> _ {
    data_centers::table.inner_join(regions::table).select((
        data_centers::id,
        regions::name,
        data_centers::name,
        data_centers::description,
        data_centers::version,
    ))
}

/// Every data center, by region and name.
pub async fn list(conn: &mut Db) -> Result<Vec<DataCenter>, AppError> {
    let rows: Vec<Row> = select()
        .order((regions::name, data_centers::name))
        .load(conn)
        .await?;
    Ok(rows.into_iter().map(to_domain).collect())
}

pub async fn get(conn: &mut Db, id: u64) -> Result<DataCenter, AppError> {
    let row: Option<Row> = select()
        .filter(data_centers::id.eq(id))
        .first(conn)
        .await
        .optional()?;
    row.map(to_domain)
        .ok_or_else(|| AppError::not_found(format!("data center {id}")))
}

/// The id of the region called `name`, created when it is new.
async fn region_id(conn: &mut Db, name: &str) -> Result<u64, AppError> {
    let existing = regions::table
        .filter(regions::name.eq(name))
        .select(regions::id)
        .first(conn)
        .await
        .optional()?;
    if let Some(id) = existing {
        return Ok(id);
    }
    diesel::insert_into(regions::table)
        .values(regions::name.eq(name))
        .execute(conn)
        .await?;
    inserted_id(conn).await
}

/// Regions no data center names any more.
async fn drop_empty_regions(conn: &mut Db) -> Result<(), AppError> {
    let used = data_centers::table.select(data_centers::region_id);
    diesel::delete(regions::table.filter(regions::id.ne_all(used)))
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn create(
    conn: &mut Db,
    record: &AuditRecord,
    form: &DataCenterForm,
) -> Result<DataCenter, AppError> {
    conn.transaction::<_, AppError, _>(async |conn| {
        let region = region_id(conn, &form.region).await?;
        diesel::insert_into(data_centers::table)
            .values((
                data_centers::region_id.eq(region),
                data_centers::name.eq(&form.name),
                data_centers::description.eq(&form.description),
            ))
            .execute(conn)
            .await?;
        let id = inserted_id(conn).await?;
        audit::write_ok(conn, record, Target::new("data_center", id)).await?;
        get(conn, id).await
    })
    .await
}

/// Refuses a change made from an older version than the stored one.
async fn lock_version(
    conn: &mut Db,
    id: DataCenterId,
    version: u32,
) -> Result<DataCenter, AppError> {
    let stored: Option<u32> = data_centers::table
        .find(id.0)
        .select(data_centers::version)
        .for_update()
        .first(conn)
        .await
        .optional()?;
    let current = get(conn, id.0).await?;
    super::checks::check_version(stored, version, &current.name)?;
    Ok(current)
}

pub async fn update(
    conn: &mut Db,
    record: &AuditRecord,
    id: DataCenterId,
    version: u32,
    form: &DataCenterForm,
) -> Result<DataCenter, AppError> {
    conn.transaction::<_, AppError, _>(async |conn| {
        lock_version(conn, id, version).await?;
        let region = region_id(conn, &form.region).await?;
        diesel::update(data_centers::table.find(id.0))
            .set((
                data_centers::region_id.eq(region),
                data_centers::name.eq(&form.name),
                data_centers::description.eq(&form.description),
                data_centers::version.eq(data_centers::version + 1),
                data_centers::updated_at.eq(chrono::Utc::now().naive_utc()),
            ))
            .execute(conn)
            .await?;
        drop_empty_regions(conn).await?;
        audit::write_ok(conn, record, Target::new("data_center", id)).await?;
        get(conn, id.0).await
    })
    .await
}

/// What still refers to a data center, as a person reads it ("2 connection configs, 1 execution").
async fn references(conn: &mut Db, id: u64) -> Result<Vec<String>, AppError> {
    let configs: i64 = connection_configs::table
        .filter(connection_configs::data_center_id.eq(id))
        .count()
        .get_result(conn)
        .await?;
    let clusters: i64 = database_clusters::table
        .filter(database_clusters::primary_data_center_id.eq(id))
        .select(database_clusters::id)
        .union(
            database_cluster_members::table
                .filter(database_cluster_members::data_center_id.eq(id))
                .select(database_cluster_members::cluster_id),
        )
        .load::<u64>(conn)
        .await?
        .len() as i64;
    let runs: i64 = executions::table
        .filter(
            executions::failed_data_center_id
                .eq(id)
                .or(executions::emergency_data_center_id.eq(id)),
        )
        .count()
        .get_result(conn)
        .await?;
    let described = [
        (configs, "connection config"),
        (clusters, "database cluster"),
        (runs, "execution"),
    ];
    Ok(described
        .into_iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, what)| format!("{n} {what}{}", if n == 1 { "" } else { "s" }))
        .collect())
}

pub async fn delete(
    conn: &mut Db,
    record: &AuditRecord,
    id: DataCenterId,
    version: u32,
) -> Result<(), AppError> {
    conn.transaction::<_, AppError, _>(async |conn| {
        let current = lock_version(conn, id, version).await?;
        let used_by = references(conn, id.0).await?;
        if !used_by.is_empty() {
            return Err(AppError::conflict(
                ConflictCode::InUse,
                None,
                format!(
                    "{} is still used by {}; remove those first",
                    current.name,
                    used_by.join(", ")
                ),
            ));
        }
        diesel::delete(data_centers::table.find(id.0))
            .execute(conn)
            .await?;
        drop_empty_regions(conn).await?;
        audit::write_ok(conn, record, Target::new("data_center", id)).await?;
        Ok(())
    })
    .await
}
