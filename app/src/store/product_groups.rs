//! Product groups with their applications and dependencies. An edit replaces the group's
//! applications as a whole, in one transaction with its audit entry.

use super::audit::{self, AuditRecord, Target};
use super::checks::{NameChange, not_named_by_plan_steps};
use super::schema::{application_dependencies, applications, product_groups};
use super::{Db, inserted_id};
use crate::domain::environment::{Application, ProductGroup, ProductGroupForm};
use crate::domain::ids::ProductGroupId;
use crate::error::AppError;
use diesel::prelude::*;
use diesel_async::{AsyncConnection, RunQueryDsl};
use std::collections::HashMap;

/// Groups (all, or the one with `only`), with applications and needs, by name.
async fn load(conn: &mut Db, only: Option<u64>) -> Result<Vec<ProductGroup>, AppError> {
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

pub async fn list(conn: &mut Db) -> Result<Vec<ProductGroup>, AppError> {
    load(conn, None).await
}

pub async fn get(conn: &mut Db, id: u64) -> Result<ProductGroup, AppError> {
    load(conn, Some(id))
        .await?
        .pop()
        .ok_or_else(|| AppError::not_found(format!("product group {id}")))
}

async fn insert_applications(
    conn: &mut Db,
    group: u64,
    apps: &[Application],
) -> Result<(), AppError> {
    let mut ids = HashMap::new();
    for app in apps {
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

/// Refuses a change made from an older version than the stored one.
async fn lock_version(
    conn: &mut Db,
    id: ProductGroupId,
    version: u32,
) -> Result<ProductGroup, AppError> {
    let stored: Option<u32> = product_groups::table
        .find(id.0)
        .select(product_groups::version)
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
    form: &ProductGroupForm,
) -> Result<ProductGroup, AppError> {
    conn.transaction::<_, AppError, _>(async |conn| {
        diesel::insert_into(product_groups::table)
            .values((
                product_groups::name.eq(&form.name),
                product_groups::description.eq(&form.description),
            ))
            .execute(conn)
            .await?;
        let id = inserted_id(conn).await?;
        insert_applications(conn, id, &form.applications).await?;
        audit::write_ok(conn, record, Target::new("product_group", id)).await?;
        get(conn, id).await
    })
    .await
}

pub async fn update(
    conn: &mut Db,
    record: &AuditRecord,
    id: ProductGroupId,
    version: u32,
    form: &ProductGroupForm,
) -> Result<ProductGroup, AppError> {
    conn.transaction::<_, AppError, _>(async |conn| {
        let current = lock_version(conn, id, version).await?;
        if current.name != form.name {
            not_named_by_plan_steps(conn, "product_group", &current.name, NameChange::Rename)
                .await?;
        }
        diesel::update(product_groups::table.find(id.0))
            .set((
                product_groups::name.eq(&form.name),
                product_groups::description.eq(&form.description),
                product_groups::version.eq(product_groups::version + 1),
                product_groups::updated_at.eq(chrono::Utc::now().naive_utc()),
            ))
            .execute(conn)
            .await?;
        diesel::delete(applications::table.filter(applications::product_group_id.eq(id.0)))
            .execute(conn)
            .await?;
        insert_applications(conn, id.0, &form.applications).await?;
        audit::write_ok(conn, record, Target::new("product_group", id)).await?;
        get(conn, id.0).await
    })
    .await
}

pub async fn delete(
    conn: &mut Db,
    record: &AuditRecord,
    id: ProductGroupId,
    version: u32,
) -> Result<(), AppError> {
    conn.transaction::<_, AppError, _>(async |conn| {
        let current = lock_version(conn, id, version).await?;
        not_named_by_plan_steps(conn, "product_group", &current.name, NameChange::Delete).await?;
        diesel::delete(product_groups::table.find(id.0))
            .execute(conn)
            .await?;
        audit::write_ok(conn, record, Target::new("product_group", id)).await?;
        Ok(())
    })
    .await
}
