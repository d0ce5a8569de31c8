//! Who runs an execution: an instance runs it only while it holds the execution's
//! lease, renewed every third of its length. Every engine write first checks the lease's
//! fencing token (`check`; a takeover moves it on), so a stale owner's writes are refused
//! with `StoreError::Fenced`. Lease times are the database's (`NOW(6)`): instances whose
//! clocks disagree still agree on when a lease lapses.

use crate::domain::cluster::Claimant;
use crate::domain::execution::StepStatus;
use crate::domain::ids::ExecutionId;
use crate::store::retry::retrying;
use crate::store::schema::execution_leases;
use crate::store::{Db, Store, StoreError};
use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncConnection, RunQueryDsl};
use std::time::Duration;

/// An instance's hold on one execution: the fencing token its lease was granted with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fence {
    pub execution: ExecutionId,
    pub token: u64,
}

/// The states in which an execution's steps may be running or about to run.
const RUNNING: [&str; 2] = ["switchover_running", "recovery_running"];

/// Executions `owner` may take up: their steps run, or ran when their owner stopped,
/// and their lease is free, lapsed (by the database's clock) or `owner`'s own (the same
/// instance, restarted). What an instance looks for when it starts and then every few
/// seconds; one indexed query, no lock, so instances looking often do not contend.
pub async fn claimable(store: &Store, owner: &str) -> Result<Vec<ExecutionId>, StoreError> {
    if store.mode().is_degraded() {
        return Ok(super::degraded::running(store));
    }
    #[derive(QueryableByName)]
    struct Claimable {
        #[diesel(sql_type = diesel::sql_types::Unsigned<diesel::sql_types::BigInt>)]
        id: u64,
    }
    let found: Vec<Claimable> = diesel::sql_query(
        "SELECT e.id FROM executions e \
         JOIN execution_leases l ON l.execution_id = e.id \
         WHERE (e.state IN (?, ?) OR e.id IN \
                (SELECT s.execution_id FROM execution_steps s WHERE s.status = ?)) \
           AND (l.owner IS NULL OR l.owner = ? OR l.expires_at IS NULL OR l.expires_at <= NOW(6)) \
         ORDER BY e.id",
    )
    .bind::<diesel::sql_types::Text, _>(RUNNING[0])
    .bind::<diesel::sql_types::Text, _>(RUNNING[1])
    .bind::<diesel::sql_types::Text, _>(StepStatus::Running.as_str())
    .bind::<diesel::sql_types::Text, _>(owner)
    .load(&mut *store.conn().await?)
    .await?;
    Ok(found.into_iter().map(|c| ExecutionId(c.id)).collect())
}

/// Takes the lease of `execution` for `claimant` when nobody holds it, it has expired,
/// or the claimant held it before (the same instance, restarted). The token moves on
/// with every grant. `None` when another instance holds it.
pub async fn claim(
    store: &Store,
    execution: ExecutionId,
    claimant: &Claimant,
) -> Result<Option<Fence>, StoreError> {
    if store.mode().is_degraded() {
        return Ok(super::degraded::claim(store, execution));
    }
    let sent = Utc::now();
    let (owner, lease) = (claimant.owner.as_str(), claimant.lease);
    let mut conn = store.conn().await?;
    let claimed = retrying!(
        conn.transaction(async move |conn| {
            let held: Option<(Option<String>, u64, bool)> = execution_leases::table
                .find(execution.0)
                .select((
                    execution_leases::owner,
                    execution_leases::fencing_token,
                    lapsed(),
                ))
                .for_update()
                .first(conn)
                .await
                .optional()?;
            let Some((holder, token, lapsed)) = held else {
                return Err(StoreError::not_found(format!("execution {execution}")));
            };
            let free = holder.is_none() || holder.as_deref() == Some(owner) || lapsed;
            if !free {
                return Ok(None);
            }
            let token = token + 1;
            diesel::update(execution_leases::table.find(execution.0))
                .set((
                    execution_leases::owner.eq(Some(owner)),
                    execution_leases::fencing_token.eq(token),
                    execution_leases::expires_at.eq(until(lease)),
                ))
                .execute(conn)
                .await?;
            Ok(Some(Fence { execution, token }))
        })
        .await
    )?;
    if let Some(fence) = claimed {
        store
            .mode()
            .book()
            .hold(execution, fence.token, held_until(sent, lease));
    }
    Ok(claimed)
}

/// Keeps the lease of `execution` for `claimant` when nobody holds it or it has lapsed,
/// in the caller's transaction: the operator's command that sets an execution running
/// (start, resume, retry ...) commits with the lease of the instance it came to, whose
/// engine claims it next, so no other instance's look takes it up in between. A lease
/// a live instance holds (this one included) is left as it is; the token moves on, so a
/// lapsed owner that wakes is fenced off.
pub(super) async fn reserve(
    conn: &mut Db,
    execution: ExecutionId,
    claimant: &Claimant,
) -> Result<(), StoreError> {
    diesel::update(
        execution_leases::table
            .find(execution.0)
            .filter(execution_leases::owner.is_null().or(lapsed())),
    )
    .set((
        execution_leases::owner.eq(Some(claimant.owner.as_str())),
        execution_leases::fencing_token.eq(execution_leases::fencing_token + 1),
        execution_leases::expires_at.eq(until(claimant.lease)),
    ))
    .execute(conn)
    .await?;
    Ok(())
}

/// Until when a lease granted or renewed by a request sent at `sent` surely holds, by
/// this instance's clock: the database started counting after `sent`; the margin covers
/// clocks that run at slightly different speeds.
fn held_until(sent: DateTime<Utc>, lease: Duration) -> DateTime<Utc> {
    let margin = lease / 5;
    sent + chrono::Duration::from_std(lease - margin).unwrap_or(chrono::Duration::zero())
}

/// Whether a lease has lapsed, by the database's clock.
fn lapsed() -> diesel::expression::SqlLiteral<diesel::sql_types::Bool> {
    diesel::dsl::sql("(expires_at IS NULL OR expires_at <= NOW(6))")
}

/// `lease` from now, by the database's clock.
fn until(
    lease: Duration,
) -> diesel::expression::SqlLiteral<diesel::sql_types::Nullable<diesel::sql_types::Datetime>> {
    diesel::dsl::sql(&format!(
        "NOW(6) + INTERVAL {} MICROSECOND",
        lease.as_micros()
    ))
}

/// Extends the lease; `Fenced` when it is no longer this holder's.
pub async fn renew(store: &Store, fence: Fence, lease: Duration) -> Result<(), StoreError> {
    if store.mode().is_degraded() {
        return super::degraded::renew(store, fence);
    }
    let sent = Utc::now();
    let renewed = diesel::update(
        execution_leases::table
            .find(fence.execution.0)
            .filter(execution_leases::fencing_token.eq(fence.token))
            .filter(execution_leases::owner.is_not_null()),
    )
    .set(execution_leases::expires_at.eq(until(lease)))
    .execute(&mut *store.conn().await?)
    .await?;
    if renewed == 1 {
        store
            .mode()
            .book()
            .renewed(fence.execution, fence.token, held_until(sent, lease));
        Ok(())
    } else {
        Err(StoreError::Fenced)
    }
}

/// Gives the lease up (the execution stopped running here); the token stays.
/// While degraded, the book keeps it (an operator's command may start the execution
/// again before MySQL is back).
pub async fn release(store: &Store, fence: Fence) -> Result<(), StoreError> {
    if store.mode().is_degraded() {
        return Ok(());
    }
    diesel::update(
        execution_leases::table
            .find(fence.execution.0)
            .filter(execution_leases::fencing_token.eq(fence.token)),
    )
    .set((
        execution_leases::owner.eq(None::<String>),
        execution_leases::expires_at.eq(None::<NaiveDateTime>),
    ))
    .execute(&mut *store.conn().await?)
    .await?;
    store.mode().book().let_go(fence.execution, fence.token);
    Ok(())
}

/// Refuses the write unless `fence` still holds the lease. It writes the lease row (one
/// more write counted), which locks it until the transaction ends, so a takeover on the
/// same database node waits for it; and on a Galera cluster, where a lock does not reach
/// other nodes, a takeover committed on another node meanwhile makes this transaction's
/// commit fail its certification: it runs again, and is then refused here.
pub(super) async fn check(conn: &mut Db, fence: Fence) -> Result<(), StoreError> {
    let counted = diesel::update(
        execution_leases::table
            .find(fence.execution.0)
            .filter(execution_leases::fencing_token.eq(fence.token)),
    )
    .set(execution_leases::writes.eq(execution_leases::writes + 1))
    .execute(conn)
    .await?;
    if counted == 1 {
        Ok(())
    } else {
        Err(StoreError::Fenced)
    }
}
