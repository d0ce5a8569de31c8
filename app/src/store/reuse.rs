//! Whether a pooled connection may be handed out again. A store call can be dropped at
//! any await (a request whose client left, a future that lost a `select!`), and the
//! MySQL client does not always notice: the rest of the dropped query's answer can stay
//! on the connection, where the next query reads it as its own (seen as "can't parse:
//! buf doesn't have enough data", a 500), and its transaction can stay open, where the
//! next caller's writes would never be committed. Before each reuse the connection is
//! asked a question only this check knows the answer to, and whether a transaction is
//! open; a connection that answers wrongly is closed, not reused.

use diesel::QueryableByName;
use diesel::result::Error;
use diesel::sql_types::{BigInt, Bool, Unsigned};
use diesel_async::{AsyncMysqlConnection, RunQueryDsl};
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};

/// A new question for every check: an answer left over from an earlier one never matches.
static QUESTION: AtomicU64 = AtomicU64::new(1);

#[derive(QueryableByName)]
struct Answer {
    #[diesel(sql_type = Unsigned<BigInt>)]
    echo: u64,
    #[diesel(sql_type = Bool)]
    open: bool,
}

/// The pool's recycle check (see the module's words).
pub(super) fn check(
    conn: &mut AsyncMysqlConnection,
) -> Pin<Box<dyn Future<Output = diesel::QueryResult<()>> + Send + '_>> {
    let question = QUESTION.fetch_add(1, Ordering::Relaxed);
    Box::pin(async move {
        let answer: Answer = diesel::sql_query(format!(
            "SELECT CAST({question} AS UNSIGNED) AS echo, @@in_transaction AS open"
        ))
        .get_result(conn)
        .await?;
        if answer.echo != question {
            return Err(Error::QueryBuilderError(
                "the connection answered an earlier query; it is closed".into(),
            ));
        }
        if answer.open {
            return Err(Error::QueryBuilderError(
                "the connection was left in a transaction; it is closed".into(),
            ));
        }
        Ok(())
    })
}
