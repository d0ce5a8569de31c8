//! Product groups with their applications and dependencies. An edit replaces the group's
//! applications as a whole, in one transaction with its audit entry.

use super::audit::AuditRecord;
use super::checks::{NameChange, not_named_by_plan_steps};
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

/// Groups (all, or the one with `only`), with applications and needs, by name.
async fn load(conn: &mut Db, only: Option<u64>) -> Result<Vec<ProductGroup>, StoreError> {
    let mut groups = product_groups::table
        .select((
            product_groups::id,
            product_groups::name,
            product_groups::description,
            product_groups::version,
        ))
        .order(product_groups::name)
        .into_boxed();
    let mut apps = applications::table
        .select((
            applications::id,
            applications::product_group_id,
            applications::name,
            applications::description,
        ))
        .order(applications::name)
        .into_boxed();
    if let Some(id) = only {
        groups = groups.filter(product_groups::id.eq(id));
        apps = apps.filter(applications::product_group_id.eq(id));
    }
    let groups: Vec<(u64, String, String, u32)> = groups.load(conn).await?;
    let apps: Vec<(u64, u64, String, String)> = apps.load(conn).await?;
    let app_ids: Vec<u64> = apps.iter().map(|a| a.0).collect();
    let needs: Vec<(u64, u64)> = application_dependencies::table
        .filter(application_dependencies::application_id.eq_any(&app_ids))
        .select((
            application_dependencies::application_id,
            application_dependencies::depends_on_id,
        ))
        .load(conn)
        .await?;
    let name_of: HashMap<u64, &str> = apps.iter().map(|a| (a.0, a.2.as_str())).collect();
    Ok(groups
        .into_iter()
        .map(|(id, name, description, version)| ProductGroup {
            id: ProductGroupId(id),
            name,
            description,
            version,
            applications: apps
                .iter()
                .filter(|a| a.1 == id)
                .map(|(app_id, _, name, description)| {
                    let mut needed: Vec<String> = needs
                        .iter()
                        .filter(|(app, _)| app == app_id)
                        .filter_map(|(_, dep)| name_of.get(dep).map(|n| (*n).to_owned()))
                        .collect();
                    needed.sort();
                    Application {
                        name: name.clone(),
                        description: description.clone(),
                        needs: needed,
                    }
                })
                .collect(),
        })
        .collect())
}

pub async fn list(store: &Store) -> Result<Vec<ProductGroup>, StoreError> {
    load(&mut *store.conn().await?, None).await
}

pub async fn get(store: &Store, id: ProductGroupId) -> Result<ProductGroup, StoreError> {
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
    let stored: Vec<(u64, String)> = applications::table
        .filter(applications::product_group_id.eq(group))
        .select((applications::id, applications::name))
        .load(conn)
        .await?;
    let stored_ids: Vec<u64> = stored.iter().map(|(id, _)| *id).collect();
    diesel::delete(
        application_dependencies::table
            .filter(application_dependencies::application_id.eq_any(&stored_ids)),
    )
    .execute(conn)
    .await?;
    let mut ids: HashMap<&str, u64> = HashMap::new();
    for (id, name) in &stored {
        match apps.iter().find(|app| &app.name == name) {
            Some(app) => {
                diesel::update(applications::table.find(id))
                    .set(applications::description.eq(&app.description))
                    .execute(conn)
                    .await?;
                ids.insert(app.name.as_str(), *id);
            }
            None => {
                diesel::delete(applications::table.find(id))
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
        .create(record, Table::ProductGroups.kind(), move |conn| {
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
                if current.name != form.name {
                    let rename = NameChange::Rename;
                    not_named_by_plan_steps(conn, "product_group", &current.name, rename).await?;
                }
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
    store
        .change(record, row, move |conn, current| {
            async move {
                let delete = NameChange::Delete;
                not_named_by_plan_steps(conn, "product_group", &current.name, delete).await?;
                diesel::delete(product_groups::table.find(id.0))
                    .execute(conn)
                    .await?;
                Ok(())
            }
            .scope_boxed()
        })
        .await
}
