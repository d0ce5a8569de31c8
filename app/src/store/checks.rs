//! Checks shared by every change to a versioned record: was it made from the stored
//! version, and does a plan step still name the record.

use super::Db;
use crate::error::{AppError, ConflictCode};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};
use diesel_async::RunQueryDsl;

/// Refuses a change made from another version than the stored one (`stored` is `None`
/// when the record is gone); nothing is overwritten.
pub fn check_version(stored: Option<u32>, expected: u32, name: &str) -> Result<(), AppError> {
    if stored == Some(expected) {
        return Ok(());
    }
    Err(AppError::conflict(
        ConflictCode::StaleRevision,
        None,
        format!("{name} was changed by someone else since you loaded it; reload and try again"),
    ))
}

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
) -> Result<(), AppError> {
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
        NameChange::Delete => AppError::conflict(
            ConflictCode::InUse,
            None,
            format!("{name} is still used by {n} plan steps; change those plans first"),
        ),
        NameChange::Rename => AppError::conflict(
            ConflictCode::InUse,
            Some("name"),
            format!(
                "{n} plan steps name {name}; under a new name they would stop working, \
                 so change those plans first or keep the name"
            ),
        ),
    })
}
