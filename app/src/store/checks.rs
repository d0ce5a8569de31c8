//! Whether a plan step still names a record that a change would delete or rename, and
//! the delete that asks first.

use super::audit::AuditRecord;
use super::tx::{Stored, delete_row};
use super::{Db, Store, StoreError};
use crate::error::ConflictCode;
use diesel::prelude::*;
use diesel::sql_types::Text;
use diesel_async::RunQueryDsl;
use scoped_futures::ScopedFutureExt;

#[derive(QueryableByName)]
struct PlanName {
    #[diesel(sql_type = Text)]
    name: String,
}

/// What a change would do to the name that plan steps use for a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum NameChange {
    Delete,
    Rename,
}

/// At most this many plans are named in a refusal; the rest are counted.
const NAMED_PLANS: usize = 5;

/// "A", "A and B", "A, B and 3 more": the plans a refusal names.
fn plan_list(mut names: Vec<String>) -> String {
    let more = names.len().saturating_sub(NAMED_PLANS);
    names.truncate(NAMED_PLANS);
    if more > 0 {
        names.push(format!("{more} more"));
    }
    match names.split_last() {
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
        None => String::new(),
    }
}

/// Refuses to delete or rename the record called `name` while plan steps (of any version,
/// active, draft or history) name it in their parameter `param`: they would stop working.
/// The refusal names the plans.
async fn not_named_by_plan_steps(
    conn: &mut Db,
    param: &str,
    name: &str,
    change: NameChange,
) -> Result<(), StoreError> {
    let path = format!("$.{param}");
    let plans: Vec<PlanName> = diesel::sql_query(
        "SELECT DISTINCT p.name AS name FROM plan_steps s \
         JOIN plan_versions v ON v.id = s.plan_version_id JOIN plans p ON p.id = v.plan_id \
         WHERE JSON_VALUE(s.params, ?) = ? ORDER BY p.name",
    )
    .bind::<Text, _>(&path)
    .bind::<Text, _>(name)
    .load(conn)
    .await?;
    if plans.is_empty() {
        return Ok(());
    }
    let one = plans.len() == 1;
    let plans = plan_list(plans.into_iter().map(|p| p.name).collect());
    let (the_plans, use_) = if one {
        (format!("the plan {plans}"), "uses")
    } else {
        (format!("the plans {plans}"), "use")
    };
    Err(match change {
        NameChange::Delete => StoreError::conflict(
            ConflictCode::InUse,
            None,
            format!("{the_plans} {use_} {name} in their steps; change those plans first"),
        ),
        NameChange::Rename => StoreError::conflict(
            ConflictCode::InUse,
            Some("name"),
            format!(
                "{the_plans} {use_} {name} in their steps; under a new name they would stop \
                 working, so change those plans first or keep the name"
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

#[cfg(test)]
mod tests {
    use super::plan_list;

    #[test]
    fn a_refusal_names_a_few_plans_and_counts_the_rest() {
        let names = |n: usize| (1..=n).map(|i| format!("P{i}")).collect::<Vec<_>>();
        assert_eq!(plan_list(names(1)), "P1");
        assert_eq!(plan_list(names(2)), "P1 and P2");
        assert_eq!(plan_list(names(5)), "P1, P2, P3, P4 and P5");
        assert_eq!(plan_list(names(8)), "P1, P2, P3, P4, P5 and 3 more");
    }
}
