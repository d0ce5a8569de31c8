//! The step catalog table: kept equal to the built-in definitions, read by the catalog page.

use super::schema::step_types;
use super::{Store, StoreError};
use crate::domain::step::builtin_step_types;
use crate::domain::step::{Layer, StepType};
use diesel::prelude::*;
use diesel_async::{AsyncConnection, RunQueryDsl};
use std::collections::HashSet;

#[derive(Debug, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = step_types, primary_key(opcode), check_for_backend(diesel::mysql::Mysql))]
struct StepTypeRow {
    opcode: String,
    name: String,
    description: String,
    layer: String,
    params: serde_json::Value,
    sort_order: i32,
}

impl StepTypeRow {
    fn from_step_type(step: &StepType, sort_order: i32) -> Result<Self, StoreError> {
        Ok(Self {
            opcode: step.opcode.clone(),
            name: step.name.clone(),
            description: step.description.clone(),
            layer: step.layer.as_str().to_owned(),
            params: serde_json::to_value(&step.params).map_err(internal)?,
            sort_order,
        })
    }
}

impl TryFrom<StepTypeRow> for StepType {
    type Error = StoreError;

    fn try_from(row: StepTypeRow) -> Result<Self, StoreError> {
        let layer = Layer::parse(&row.layer).ok_or_else(|| {
            internal(format!(
                "step type {} has unknown layer {}",
                row.opcode, row.layer
            ))
        })?;
        Ok(StepType {
            params: serde_json::from_value(row.params).map_err(internal)?,
            opcode: row.opcode,
            name: row.name,
            description: row.description,
            layer,
        })
    }
}

fn internal(error: impl std::fmt::Display) -> StoreError {
    StoreError::internal(format!("step catalog row cannot be read: {error}"))
}

/// Writes every built-in step type into the table, updating rows that differ. Idempotent.
pub async fn sync_builtin(store: &Store) -> Result<(), StoreError> {
    let rows = builtin_step_types()
        .iter()
        .zip(0..)
        .map(|(step, order)| StepTypeRow::from_step_type(step, order))
        .collect::<Result<Vec<_>, _>>()?;
    let mut conn = store.conn().await?;
    conn.transaction::<_, StoreError, _>(async |conn| {
        let stored: HashSet<String> = step_types::table
            .select(step_types::opcode)
            .load(conn)
            .await?
            .into_iter()
            .collect();
        for row in &rows {
            if stored.contains(&row.opcode) {
                diesel::update(step_types::table.find(&row.opcode))
                    .set(row)
                    .execute(conn)
                    .await?;
            } else {
                diesel::insert_into(step_types::table)
                    .values(row)
                    .execute(conn)
                    .await?;
            }
        }
        Ok(())
    })
    .await
}

/// Every step type, in catalog order.
pub async fn list(store: &Store) -> Result<Vec<StepType>, StoreError> {
    if let Some(mirrored) = super::mirror::degraded(store, |c| Ok(c.step_types.clone())) {
        return mirrored;
    }
    let conn = &mut *store.conn().await?;
    let rows: Vec<StepTypeRow> = step_types::table
        .select(StepTypeRow::as_select())
        .order((step_types::sort_order, step_types::opcode))
        .load(conn)
        .await?;
    rows.into_iter().map(StepType::try_from).collect()
}
