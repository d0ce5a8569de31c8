//! The outbox of webhook messages. A message is written in the same transaction as what it
//! tells — an execution's events (`for_events`, called wherever events are written: by
//! the engine and operators, and by reconcile for what was journaled while degraded), a
//! plan's readiness verdict — so it exists exactly when that does: never lost, never
//! doubled, whichever instance wrote it. The senders (one per instance) claim due rows
//! by moving `next_attempt_at` on with a compare-and-set, so one attempt is made at a
//! time; an instance that dies mid-attempt leaves the row to be claimed again when the
//! claim runs out (a receiver may then get a message twice, with the same delivery
//! number).

use super::super::schema::{execution_events, webhooks};
use super::super::stored_secret;
use super::super::{Db, Store, StoreError};
use crate::domain::event::{Change, ExecutionEvent};
use crate::domain::execution::ExecutionState;
use crate::domain::ids::WebhookId;
use crate::domain::webhook::{self, DeliveryStatus, Notification, WebhookEvent};
use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::{Bigint, Nullable, SmallInt, Text, Unsigned};
use diesel_async::RunQueryDsl;
use std::time::Duration;

/// Writes `notification` for every enabled webhook that wants its event (or, with
/// `only`, for that one webhook whatever it wants): one statement, in the caller's
/// transaction. Says how many deliveries were queued.
pub async fn enqueue(
    conn: &mut Db,
    notification: &Notification,
    only: Option<WebhookId>,
) -> Result<usize, StoreError> {
    let payload = serde_json::to_string(&notification.payload)
        .map_err(|e| StoreError::internal(format!("webhook payload not serialisable: {e}")))?;
    let which = match only {
        Some(_) => "id = ?",
        None => "enabled AND JSON_CONTAINS(events, JSON_QUOTE(?))",
    };
    let query = diesel::sql_query(format!(
        "INSERT INTO webhook_deliveries \
           (webhook_id, event, subject, payload, status, attempts, created_at, next_attempt_at) \
         SELECT id, ?, ?, ?, 'pending', 0, NOW(6), NOW(6) FROM webhooks WHERE {which}"
    ))
    .bind::<Text, _>(notification.event.as_str())
    .bind::<Text, _>(&notification.subject)
    .bind::<Text, _>(payload);
    let queued = match only {
        Some(id) => {
            query
                .bind::<Unsigned<Bigint>, _>(id.0)
                .execute(conn)
                .await?
        }
        None => {
            query
                .bind::<Text, _>(notification.event.as_str())
                .execute(conn)
                .await?
        }
    };
    Ok(queued)
}

/// Whether any enabled webhook wants `event`: most events want none, and then nothing
/// more is read.
async fn wanted(conn: &mut Db, event: WebhookEvent) -> Result<bool, StoreError> {
    let wanted: i64 = webhooks::table
        .filter(webhooks::enabled.eq(true))
        .filter(
            diesel::dsl::sql::<diesel::sql_types::Bool>("JSON_CONTAINS(events, JSON_QUOTE(")
                .bind::<Text, _>(event.as_str())
                .sql("))"),
        )
        .count()
        .get_result(conn)
        .await?;
    Ok(wanted > 0)
}

/// Queues what `events` (just written, in the caller's transaction) tell webhooks.
pub(crate) async fn for_events(conn: &mut Db, events: &[ExecutionEvent]) -> Result<(), StoreError> {
    for event in events {
        let Some(candidate) = webhook::candidate(&event.change) else {
            continue;
        };
        if !wanted(conn, candidate).await? {
            continue;
        }
        let before = match candidate {
            WebhookEvent::ExecutionStarted => state_before(conn, event).await?,
            _ => None,
        };
        let summary = match &event.change {
            Change::Execution(summary) => summary.clone(),
            _ => crate::store::executions::summary_in(conn, event.execution_id).await?,
        };
        if let Some(notification) = webhook::for_execution_event(event, &summary, before) {
            enqueue(conn, &notification, None).await?;
        }
    }
    Ok(())
}

/// The execution's state as its previous state event left it.
async fn state_before(
    conn: &mut Db,
    event: &ExecutionEvent,
) -> Result<Option<ExecutionState>, StoreError> {
    let previous: Option<serde_json::Value> = execution_events::table
        .filter(execution_events::execution_id.eq(event.execution_id.0))
        .filter(execution_events::seq.lt(event.seq))
        .filter(execution_events::kind.eq("execution"))
        .order(execution_events::seq.desc())
        .select(execution_events::payload)
        .first(conn)
        .await
        .optional()?;
    Ok(match previous.map(serde_json::from_value::<Change>) {
        Some(Ok(Change::Execution(summary))) => Some(summary.state),
        _ => None,
    })
}

/// One delivery an instance has claimed and now sends.
#[derive(Debug, Clone)]
pub struct Outgoing {
    pub id: u64,
    pub event: String,
    pub url: String,
    pub payload: String,
    /// The webhook's secret, opened; or why the message is not sent at all (the webhook
    /// was disabled since, or its stored secret does not open): that message fails, and
    /// no other waits for it.
    pub secret: Result<String, String>,
    /// This attempt's number (1 for the first).
    pub attempt: u32,
}

#[derive(QueryableByName)]
struct Due {
    #[diesel(sql_type = Unsigned<Bigint>)]
    id: u64,
    #[diesel(sql_type = diesel::sql_types::Datetime)]
    next_attempt_at: NaiveDateTime,
}

#[derive(Queryable)]
struct OutgoingRow {
    id: u64,
    webhook_id: u64,
    event: String,
    payload: String,
    attempts: u32,
    url: String,
    secret_sealed: Vec<u8>,
    enabled: bool,
}

/// Claims up to `limit` deliveries that are due, each for `hold` (after which another
/// instance may claim it again), and counts the attempt.
pub async fn claim_due(
    store: &Store,
    key: &[u8; 32],
    limit: i64,
    hold: Duration,
) -> Result<Vec<Outgoing>, StoreError> {
    use super::super::schema::webhook_deliveries as d;
    let mut conn = store.conn().await?;
    let due: Vec<Due> = diesel::sql_query(
        "SELECT id, next_attempt_at FROM webhook_deliveries \
         WHERE status = 'pending' AND next_attempt_at <= NOW(6) \
         ORDER BY next_attempt_at LIMIT ?",
    )
    .bind::<Bigint, _>(limit)
    .load(&mut conn)
    .await?;
    let mut claimed = Vec::new();
    for row in due {
        let moved = diesel::sql_query(
            "UPDATE webhook_deliveries \
             SET next_attempt_at = DATE_ADD(NOW(6), INTERVAL ? MICROSECOND), \
                 attempts = attempts + 1 \
             WHERE id = ? AND status = 'pending' AND next_attempt_at = ?",
        )
        .bind::<Bigint, _>(i64::try_from(hold.as_micros()).unwrap_or(i64::MAX))
        .bind::<Unsigned<Bigint>, _>(row.id)
        .bind::<diesel::sql_types::Datetime, _>(row.next_attempt_at)
        .execute(&mut conn)
        .await;
        match moved {
            Ok(1) => claimed.push(row.id),
            // Another instance claimed it first (or its commit won the certification).
            Ok(_) => {}
            Err(error) => match StoreError::from(error) {
                StoreError::Contended(_) => {}
                error => return Err(error),
            },
        }
    }
    if claimed.is_empty() {
        return Ok(Vec::new());
    }
    let rows: Vec<OutgoingRow> = d::table
        .inner_join(webhooks::table)
        .filter(d::id.eq_any(claimed))
        .select((
            d::id,
            d::webhook_id,
            d::event,
            d::payload,
            d::attempts,
            webhooks::url,
            webhooks::secret_sealed,
            webhooks::enabled,
        ))
        .load(&mut conn)
        .await?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let secret = if !row.enabled {
                Err("not sent: the webhook is disabled".to_owned())
            } else {
                stored_secret::open(key, super::TABLE, row.webhook_id, &row.secret_sealed)
                    .ok_or_else(|| {
                        tracing::error!(
                            webhook = row.webhook_id,
                            "a webhook's stored secret does not open with this secret key"
                        );
                        "not sent: the webhook's stored secret does not open with this server's \
                         secret key; an admin must enter the secret again"
                            .to_owned()
                    })
            };
            Outgoing {
                id: row.id,
                event: row.event,
                url: row.url,
                payload: row.payload,
                secret,
                attempt: row.attempts,
            }
        })
        .collect())
}

/// How an attempt ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attempt {
    pub delivered: bool,
    /// The receiver's HTTP status, if it answered.
    pub status: Option<u16>,
    /// What went wrong, for people.
    pub error: Option<String>,
    /// Whether trying again is pointless (the webhook was disabled).
    pub last: bool,
}

/// Records an attempt of a claimed delivery: delivered, failed for good, or due again
/// after the next wait of the schedule (`webhook::retry_after`, starting at `first`).
pub async fn record_attempt(
    store: &Store,
    outgoing: &Outgoing,
    attempt: &Attempt,
    first: Duration,
) -> Result<(), StoreError> {
    let wait = (!attempt.delivered && !attempt.last)
        .then(|| webhook::retry_after(outgoing.attempt, first))
        .flatten();
    let status = match (attempt.delivered, wait) {
        (true, _) => DeliveryStatus::Delivered,
        (false, Some(_)) => DeliveryStatus::Pending,
        (false, None) => DeliveryStatus::Failed,
    };
    let error = attempt
        .error
        .as_deref()
        .map(|e| crate::domain::text::cut(e, 400));
    diesel::sql_query(
        "UPDATE webhook_deliveries \
         SET status = ?, last_status = ?, last_error = ?, \
             next_attempt_at = DATE_ADD(NOW(6), INTERVAL ? MICROSECOND), \
             finished_at = IF(? = 'pending', NULL, NOW(6)) \
         WHERE id = ? AND status = 'pending'",
    )
    .bind::<Text, _>(status.as_str())
    .bind::<Nullable<Unsigned<SmallInt>>, _>(attempt.status)
    .bind::<Nullable<Text>, _>(error)
    .bind::<Bigint, _>(wait.map_or(0, |wait| {
        i64::try_from(wait.as_micros()).unwrap_or(i64::MAX)
    }))
    .bind::<Text, _>(status.as_str())
    .bind::<Unsigned<Bigint>, _>(outgoing.id)
    .execute(&mut *store.conn().await?)
    .await?;
    Ok(())
}
