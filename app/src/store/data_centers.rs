//! Regions and data centers. A region exists while a data center names it; a data center
//! can be deleted only when nothing refers to it any more.

use super::audit::AuditRecord;
use super::schema::{
    connection_configs, data_centers, database_cluster_members, database_clusters, executions,
    regions,
};
use super::tx::{Stored, Table};
use super::{Db, Store, StoreError, inserted_id};
use crate::domain::environment::{DataCenter, DataCenterForm};
use crate::domain::ids::DataCenterId;
use crate::domain::valid::Valid;
use crate::error::ConflictCode;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use scoped_futures::ScopedFutureExt;

/// A data center as read, with its region's name.
#[derive(Queryable)]
struct DataCenterRow {
    id: u64,
    region: String,
    name: String,
    description: String,
    revision: u32,
}

impl From<DataCenterRow> for DataCenter {
    fn from(row: DataCenterRow) -> Self {
        DataCenter {
            id: DataCenterId(row.id),
            region: row.region,
            name: row.name,
            description: row.description,
            revision: row.revision,
        }
    }
}

#[diesel::dsl::auto_type]
fn select() -> _ {
    data_centers::table.inner_join(regions::table).select((
        data_centers::id,
        regions::name,
        data_centers::name,
        data_centers::description,
        data_centers::revision,
    ))
}

/// Every data center, by region and name.
pub async fn list(store: &Store) -> Result<Vec<DataCenter>, StoreError> {
    if let Some(mirrored) = super::mirror::degraded(store, |c| Ok(c.data_centers.clone())) {
        return mirrored;
    }
    let mut conn = store.conn().await?;
    let rows: Vec<DataCenterRow> = select()
        .order((regions::name, data_centers::name))
        .load(&mut conn)
        .await?;
    Ok(rows.into_iter().map(DataCenter::from).collect())
}

pub async fn get(store: &Store, id: DataCenterId) -> Result<DataCenter, StoreError> {
    if let Some(mirrored) = super::mirror::degraded(store, |c| {
        super::mirror::find(&c.data_centers, id, |d| d.id, "data center")
    }) {
        return mirrored;
    }
    read(&mut *store.conn().await?, id).await
}

async fn read(conn: &mut Db, id: DataCenterId) -> Result<DataCenter, StoreError> {
    let row: Option<DataCenterRow> = select()
        .filter(data_centers::id.eq(id.0))
        .first(conn)
        .await
        .optional()?;
    row.map(DataCenter::from)
        .ok_or_else(|| StoreError::not_found(format!("data center {id}")))
}

/// The id of the region called `name`, created when it is new.
async fn region_id(conn: &mut Db, name: &str) -> Result<u64, StoreError> {
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
async fn drop_empty_regions(conn: &mut Db) -> Result<(), StoreError> {
    let used = data_centers::table.select(data_centers::region_id);
    diesel::delete(regions::table.filter(regions::id.ne_all(used)))
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn create(
    store: &Store,
    record: &AuditRecord,
    form: &Valid<DataCenterForm>,
) -> Result<DataCenter, StoreError> {
    store
        .create(record, Table::DataCenters, move |conn| {
            async move {
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
                Ok((id, read(conn, DataCenterId(id)).await?))
            }
            .scope_boxed()
        })
        .await
}

pub async fn update(
    store: &Store,
    record: &AuditRecord,
    id: DataCenterId,
    revision: u32,
    form: &Valid<DataCenterForm>,
) -> Result<DataCenter, StoreError> {
    let row = Stored::new(Table::DataCenters, id.0, revision);
    store
        .change(record, row, move |conn, _| {
            async move {
                let region = region_id(conn, &form.region).await?;
                diesel::update(data_centers::table.find(id.0))
                    .set((
                        data_centers::region_id.eq(region),
                        data_centers::name.eq(&form.name),
                        data_centers::description.eq(&form.description),
                    ))
                    .execute(conn)
                    .await?;
                drop_empty_regions(conn).await?;
                read(conn, id).await
            }
            .scope_boxed()
        })
        .await
}

/// What still refers to a data center, as a person reads it ("2 connection configs, 1 execution").
async fn references(conn: &mut Db, id: u64) -> Result<Vec<String>, StoreError> {
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
    store: &Store,
    record: &AuditRecord,
    id: DataCenterId,
    revision: u32,
) -> Result<(), StoreError> {
    let row = Stored::new(Table::DataCenters, id.0, revision);
    store
        .change(record, row, move |conn, current| {
            async move {
                let used_by = references(conn, id.0).await?;
                if !used_by.is_empty() {
                    return Err(StoreError::conflict(
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
                drop_empty_regions(conn).await
            }
            .scope_boxed()
        })
        .await
}
