//! Whether a plan step still names a record that a change would delete or rename, and
//! the delete that asks first.

use super::audit::AuditRecord;
use super::tx::{Stored, delete_row};
use super::{Db, Store, StoreError};
use crate::error::ConflictCode;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};
use diesel_async::RunQueryDsl;
use scoped_futures::ScopedFutureExt;

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// What a change would do to the name that plan steps use for a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum NameChange {
    Delete,
    Rename,
}

/// Refuses to delete or rename the record called `name` while plan steps (of any version,
/// active, draft or history) name it in their parameter `param`: they would stop working.
async fn not_named_by_plan_steps(
    conn: &mut Db,
    param: &str,
    name: &str,
    change: NameChange,
) -> Result<(), StoreError> {
    let path = format!("$.{param}");
    let steps: Count =
        diesel::sql_query("SELECT COUNT(*) AS n FROM plan_steps WHERE JSON_VALUE(params, ?) = ?")
            .bind::<Text, _>(&path)
            .bind::<Text, _>(name)
            .get_result(conn)
            .await?;
    if steps.n == 0 {
        return Ok(());
    }
    let n = steps.n;
    Err(match change {
        NameChange::Delete => StoreError::conflict(
            ConflictCode::InUse,
            None,
            format!("{name} is still used by {n} plan steps; change those plans first"),
        ),
        NameChange::Rename => StoreError::conflict(
            ConflictCode::InUse,
            Some("name"),
            format!(
                "{n} plan steps name {name}; under a new name they would stop working, \
                 so change those plans first or keep the name"
            ),
        ),
    })
}

/// Deletes a record that plan steps may name in their parameter `param`, unless one
/// still does.
pub async fn delete_unless_named(
    store: &Store,
    record: &AuditRecord,
    row: Stored,
    param: &'static str,
) -> Result<(), StoreError> {
    store
        .change(record, row, move |conn, current| {
            async move {
                not_named_by_plan_steps(conn, param, &current.name, NameChange::Delete).await?;
                delete_row(conn, row).await
            }
            .scope_boxed()
        })
        .await
}

/// Refuses to rename the record called `current` to `new` while plan steps name it in
/// their parameter `param`; keeping the name is always fine.
pub async fn rename_unless_named(
    conn: &mut Db,
    param: &str,
    current: &str,
    new: &str,
) -> Result<(), StoreError> {
    if current == new {
        return Ok(());
    }
    not_named_by_plan_steps(conn, param, current, NameChange::Rename).await
}
