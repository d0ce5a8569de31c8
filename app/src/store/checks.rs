//! Whether a plan step still names a record that a change would delete or rename.

use super::{Db, StoreError};
use crate::error::ConflictCode;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};
use diesel_async::RunQueryDsl;

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// What a change would do to the name that plan steps use for a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameChange {
    Delete,
    Rename,
}

/// Refuses to delete or rename the record called `name` while plan steps (of any version,
/// active, draft or history) name it in their parameter `param`: they would stop working.
pub async fn not_named_by_plan_steps(
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
