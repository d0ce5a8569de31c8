//! Product groups with their applications and dependencies. An edit replaces the group's
//! applications as a whole, in one transaction with its audit entry.

use super::audit::AuditRecord;
use super::checks::{delete_unless_named, rename_unless_named};
use super::schema::{application_dependencies, applications, product_groups};
use super::tx::{Stored, Table};
use super::{Db, Store, StoreError, inserted_id};
use crate::domain::environment::{Application, ProductGroup, ProductGroupForm};
use crate::domain::ids::ProductGroupId;
use crate::domain::valid::Valid;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use scoped_futures::ScopedFutureExt;
use std::collections::HashMap;

/// A product group as stored, without its applications.
#[derive(Queryable, Selectable)]
#[diesel(table_name = product_groups, check_for_backend(diesel::mysql::Mysql))]
struct ProductGroupRow {
    id: u64,
    name: String,
    description: String,
    revision: u32,
}

impl ProductGroupRow {
    /// The group with its applications (already resolved to names).
    fn with_applications(self, applications: Vec<Application>) -> ProductGroup {
        ProductGroup {
            id: ProductGroupId(self.id),
            name: self.name,
            description: self.description,
            applications,
            revision: self.revision,
        }
    }
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = applications, check_for_backend(diesel::mysql::Mysql))]
struct ApplicationRow {
    id: u64,
    product_group_id: u64,
    name: String,
    description: String,
}

/// One "needs": `application_id` is restarted after `depends_on_id`.
#[derive(Queryable, Selectable)]
#[diesel(table_name = application_dependencies, check_for_backend(diesel::mysql::Mysql))]
struct DependencyRow {
    application_id: u64,
    depends_on_id: u64,
}

/// Groups (all, or the one with `only`), with applications and needs, by name.
async fn load(conn: &mut Db, only: Option<u64>) -> Result<Vec<ProductGroup>, StoreError> {
    let mut groups = product_groups::table
        .select(ProductGroupRow::as_select())
        .order(product_groups::name)
        .into_boxed();
    let mut apps = applications::table
        .select(ApplicationRow::as_select())
        .order(applications::name)
        .into_boxed();
    if let Some(id) = only {
        groups = groups.filter(product_groups::id.eq(id));
        apps = apps.filter(applications::product_group_id.eq(id));
    }
    let groups: Vec<ProductGroupRow> = groups.load(conn).await?;
    let apps: Vec<ApplicationRow> = apps.load(conn).await?;
    let app_ids: Vec<u64> = apps.iter().map(|a| a.id).collect();
    let needs: Vec<DependencyRow> = application_dependencies::table
        .filter(application_dependencies::application_id.eq_any(&app_ids))
        .select(DependencyRow::as_select())
        .load(conn)
        .await?;
    let name_of: HashMap<u64, &str> = apps.iter().map(|a| (a.id, a.name.as_str())).collect();
    let application = |app: &ApplicationRow| {
        let mut needed: Vec<String> = needs
            .iter()
            .filter(|need| need.application_id == app.id)
            .filter_map(|need| name_of.get(&need.depends_on_id).map(|n| (*n).to_owned()))
            .collect();
        needed.sort();
        Application {
            name: app.name.clone(),
            description: app.description.clone(),
            needs: needed,
        }
    };
    Ok(groups
        .into_iter()
        .map(|group| {
            let applications = apps
                .iter()
                .filter(|app| app.product_group_id == group.id)
                .map(application)
                .collect();
            group.with_applications(applications)
        })
        .collect())
}

pub async fn list(store: &Store) -> Result<Vec<ProductGroup>, StoreError> {
    if let Some(mirrored) = super::mirror::degraded(store, |c| Ok(c.product_groups.clone())) {
        return mirrored;
    }
    load(&mut *store.conn().await?, None).await
}

pub async fn get(store: &Store, id: ProductGroupId) -> Result<ProductGroup, StoreError> {
    if let Some(mirrored) = super::mirror::degraded(store, |c| {
        super::mirror::find(&c.product_groups, id, |g| g.id, "product group")
    }) {
        return mirrored;
    }
    read(&mut *store.conn().await?, id).await
}

async fn read(conn: &mut Db, id: ProductGroupId) -> Result<ProductGroup, StoreError> {
    load(conn, Some(id.0))
        .await?
        .pop()
        .ok_or_else(|| StoreError::not_found(format!("product group {id}")))
}

/// Makes the group's applications those of `apps`. An application that keeps its name
/// keeps its row and id (executions and logs refer to it); one that is gone is deleted,
/// a new one inserted. The dependencies are written anew.
async fn save_applications(
    conn: &mut Db,
    group: u64,
    apps: &[Application],
) -> Result<(), StoreError> {
    let stored: Vec<ApplicationRow> = applications::table
        .filter(applications::product_group_id.eq(group))
        .select(ApplicationRow::as_select())
        .load(conn)
        .await?;
    let stored_ids: Vec<u64> = stored.iter().map(|app| app.id).collect();
    diesel::delete(
        application_dependencies::table
            .filter(application_dependencies::application_id.eq_any(&stored_ids)),
    )
    .execute(conn)
    .await?;
    let mut ids: HashMap<&str, u64> = HashMap::new();
    for row in &stored {
        match apps.iter().find(|app| app.name == row.name) {
            Some(app) => {
                diesel::update(applications::table.find(row.id))
                    .set(applications::description.eq(&app.description))
                    .execute(conn)
                    .await?;
                ids.insert(app.name.as_str(), row.id);
            }
            None => {
                diesel::delete(applications::table.find(row.id))
                    .execute(conn)
                    .await?;
            }
        }
    }
    let new: Vec<&Application> = apps
        .iter()
        .filter(|app| !ids.contains_key(app.name.as_str()))
        .collect();
    for app in new {
        diesel::insert_into(applications::table)
            .values((
                applications::product_group_id.eq(group),
                applications::name.eq(&app.name),
                applications::description.eq(&app.description),
            ))
            .execute(conn)
            .await?;
        ids.insert(app.name.as_str(), inserted_id(conn).await?);
    }
    for app in apps {
        for needed in &app.needs {
            diesel::insert_into(application_dependencies::table)
                .values((
                    application_dependencies::application_id.eq(ids[app.name.as_str()]),
                    application_dependencies::depends_on_id.eq(ids[needed.as_str()]),
                ))
                .execute(conn)
                .await?;
        }
    }
    Ok(())
}

pub async fn create(
    store: &Store,
    record: &AuditRecord,
    form: &Valid<ProductGroupForm>,
) -> Result<ProductGroup, StoreError> {
    store
        .create(record, Table::ProductGroups, move |conn| {
            async move {
                diesel::insert_into(product_groups::table)
                    .values((
                        product_groups::name.eq(&form.name),
                        product_groups::description.eq(&form.description),
                    ))
                    .execute(conn)
                    .await?;
                let id = inserted_id(conn).await?;
                save_applications(conn, id, &form.applications).await?;
                Ok((id, read(conn, ProductGroupId(id)).await?))
            }
            .scope_boxed()
        })
        .await
}

pub async fn update(
    store: &Store,
    record: &AuditRecord,
    id: ProductGroupId,
    revision: u32,
    form: &Valid<ProductGroupForm>,
) -> Result<ProductGroup, StoreError> {
    let row = Stored::new(Table::ProductGroups, id.0, revision);
    store
        .change(record, row, move |conn, current| {
            async move {
                rename_unless_named(conn, "product_group", &current.name, &form.name).await?;
                diesel::update(product_groups::table.find(id.0))
                    .set((
                        product_groups::name.eq(&form.name),
                        product_groups::description.eq(&form.description),
                    ))
                    .execute(conn)
                    .await?;
                save_applications(conn, id.0, &form.applications).await?;
                read(conn, id).await
            }
            .scope_boxed()
        })
        .await
}

pub async fn delete(
    store: &Store,
    record: &AuditRecord,
    id: ProductGroupId,
    revision: u32,
) -> Result<(), StoreError> {
    let row = Stored::new(Table::ProductGroups, id.0, revision);
    delete_unless_named(store, record, row, "product_group").await
}
