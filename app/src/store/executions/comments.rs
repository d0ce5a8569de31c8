//! Comments on an execution: written with their event in one audited change of the
//! execution row (so watchers get them live, in `seq` order), read with the execution.

use super::events;
use crate::domain::event::{Change, ExecutionEvent};
use crate::domain::execution::view::{
    ExecutionComment, MAX_COMMENT_BYTES, MAX_COMMENTS, check_comment,
};
use crate::domain::ids::ExecutionId;
use crate::domain::text::cut;
use crate::error::{ConflictCode, FieldError};
use crate::store::audit::AuditRecord;
use crate::store::schema::{execution_comments, users};
use crate::store::tx::{Stored, Table};
use crate::store::{Db, Store, StoreError, inserted_id};
use chrono::{NaiveDateTime, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use scoped_futures::ScopedFutureExt;

/// The execution's comments, oldest first.
pub(super) async fn of(
    conn: &mut Db,
    execution: ExecutionId,
) -> Result<Vec<ExecutionComment>, StoreError> {
    let rows: Vec<(u64, Option<String>, NaiveDateTime, String)> = execution_comments::table
        .left_join(users::table)
        .filter(execution_comments::execution_id.eq(execution.0))
        .order(execution_comments::id)
        .select((
            execution_comments::id,
            users::username.nullable(),
            execution_comments::at,
            execution_comments::body,
        ))
        .load(conn)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(id, author, at, text)| ExecutionComment {
            id,
            author,
            at: at.and_utc(),
            text,
        })
        .collect())
}

/// Adds the comment `text` by the person in `record` to execution `id`; refused when
/// empty, too long, or when the execution's comments are full ([`MAX_COMMENTS`],
/// [`MAX_COMMENT_BYTES`]).
pub async fn comment(
    store: &Store,
    record: &AuditRecord,
    id: ExecutionId,
    text: &str,
) -> Result<(ExecutionComment, ExecutionEvent), StoreError> {
    let text =
        &check_comment(text).map_err(|m| StoreError::Invalid(vec![FieldError::new("text", m)]))?;
    let author = record.actor_id;
    let author_name = &record.actor_name;
    let record = &record.noted(Some(format!("comment: {}", cut(text, 200))));
    store
        .change(
            record,
            Stored::as_it_is(Table::Executions, id.0),
            move |conn, _| {
                async move {
                    let (held, bytes): (i64, Option<i64>) = execution_comments::table
                        .filter(execution_comments::execution_id.eq(id.0))
                        .select((
                            diesel::dsl::count_star(),
                            diesel::dsl::sql::<
                                diesel::sql_types::Nullable<diesel::sql_types::BigInt>,
                            >("CAST(SUM(LENGTH(body)) AS SIGNED)"),
                        ))
                        .get_result(conn)
                        .await?;
                    let bytes = usize::try_from(bytes.unwrap_or(0)).unwrap_or(usize::MAX);
                    if held >= MAX_COMMENTS as i64
                        || bytes.saturating_add(text.len()) > MAX_COMMENT_BYTES
                    {
                        return Err(StoreError::conflict(
                            ConflictCode::WrongState,
                            Some("text"),
                            format!(
                                "an execution holds at most {MAX_COMMENTS} comments and {} KiB \
                                 of their text, and this one is full",
                                MAX_COMMENT_BYTES / 1024
                            ),
                        ));
                    }
                    let at = Utc::now();
                    diesel::insert_into(execution_comments::table)
                        .values((
                            execution_comments::execution_id.eq(id.0),
                            execution_comments::author_id.eq(author),
                            execution_comments::at.eq(at.naive_utc()),
                            execution_comments::body.eq(text),
                        ))
                        .execute(conn)
                        .await?;
                    let comment = ExecutionComment {
                        id: inserted_id(conn).await?,
                        author: Some(author_name.clone()),
                        at,
                        text: text.clone(),
                    };
                    let event =
                        events::append(conn, id.0, Change::Commented(comment.clone())).await?;
                    Ok((comment, event))
                }
                .scope_boxed()
            },
        )
        .await
}
