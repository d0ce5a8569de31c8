//! Webhooks (admins keep them) and their deliveries (the outbox, `outbox`). The signing
//! secret is sealed like a connection password (`store::stored_secret`); only the sender
//! opens it, and nothing returns it to a caller.

pub mod outbox;

use super::audit::AuditRecord;
use super::schema::{webhook_deliveries, webhooks};
use super::stored_secret;
use super::tx::{Stored, Table, delete_row};
use super::{Db, Store, StoreError, inserted_id};
use crate::domain::ids::WebhookId;
use crate::domain::valid::Valid;
use crate::domain::webhook::{Delivery, DeliveryStatus, Webhook, WebhookEvent, WebhookForm};
use chrono::{NaiveDateTime, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use scoped_futures::ScopedFutureExt;

const TABLE: &str = "webhooks";

/// How many deliveries the page shows, newest first.
pub const DELIVERIES_SHOWN: i64 = 200;

#[derive(Queryable, Selectable)]
#[diesel(table_name = webhooks, check_for_backend(diesel::mysql::Mysql))]
struct WebhookRow {
    id: u64,
    name: String,
    url: String,
    events: serde_json::Value,
    enabled: bool,
    revision: u32,
    created_at: NaiveDateTime,
}

impl WebhookRow {
    fn view(self) -> Webhook {
        // Events are written from the checked form; one a later version no longer knows
        // is left out rather than failing the page.
        let events = serde_json::from_value::<Vec<String>>(self.events)
            .unwrap_or_default()
            .iter()
            .filter_map(|name| WebhookEvent::parse(name))
            .collect();
        Webhook {
            id: WebhookId(self.id),
            name: self.name,
            url: self.url,
            events,
            enabled: self.enabled,
            revision: self.revision,
            created_at: self.created_at.and_utc(),
        }
    }
}

pub async fn list(store: &Store) -> Result<Vec<Webhook>, StoreError> {
    let rows: Vec<WebhookRow> = webhooks::table
        .order(webhooks::name)
        .select(WebhookRow::as_select())
        .load(&mut *store.conn().await?)
        .await?;
    Ok(rows.into_iter().map(WebhookRow::view).collect())
}

async fn read(conn: &mut Db, id: u64) -> Result<Webhook, StoreError> {
    let row: Option<WebhookRow> = webhooks::table
        .find(id)
        .select(WebhookRow::as_select())
        .first(conn)
        .await
        .optional()?;
    Ok(row
        .ok_or_else(|| StoreError::not_found(format!("webhook {id}")))?
        .view())
}

fn events_json(form: &WebhookForm) -> serde_json::Value {
    serde_json::Value::from(
        form.events
            .iter()
            .map(|event| event.as_str())
            .collect::<Vec<_>>(),
    )
}

pub async fn create(
    store: &Store,
    record: &AuditRecord,
    key: &[u8; 32],
    form: &Valid<WebhookForm>,
) -> Result<Webhook, StoreError> {
    let Some(secret) = form.secret.as_deref() else {
        return Err(StoreError::Invalid(vec![crate::error::FieldError::new(
            "secret",
            "a new webhook needs a secret (16 to 200 characters)",
        )]));
    };
    store
        .create(record, Table::Webhooks, move |conn| {
            async move {
                let now = Utc::now().naive_utc();
                diesel::insert_into(webhooks::table)
                    .values((
                        webhooks::name.eq(&form.name),
                        webhooks::url.eq(&form.url),
                        // Sealed once the row has its id (the id is bound into the seal).
                        webhooks::secret_sealed.eq(Vec::<u8>::new()),
                        webhooks::events.eq(events_json(form)),
                        webhooks::enabled.eq(form.enabled),
                        webhooks::created_at.eq(now),
                        webhooks::updated_at.eq(now),
                    ))
                    .execute(conn)
                    .await?;
                let id = inserted_id(conn).await?;
                seal_secret(conn, key, id, secret).await?;
                Ok((id, read(conn, id).await?))
            }
            .scope_boxed()
        })
        .await
}

async fn seal_secret(
    conn: &mut Db,
    key: &[u8; 32],
    id: u64,
    secret: &str,
) -> Result<(), StoreError> {
    diesel::update(webhooks::table.find(id))
        .set(webhooks::secret_sealed.eq(stored_secret::seal(key, TABLE, id, secret)))
        .execute(conn)
        .await?;
    Ok(())
}

/// Changes a webhook; a form without a secret keeps the stored one.
pub async fn update(
    store: &Store,
    record: &AuditRecord,
    key: &[u8; 32],
    id: WebhookId,
    revision: u32,
    form: &Valid<WebhookForm>,
) -> Result<Webhook, StoreError> {
    let row = Stored::new(Table::Webhooks, id.0, revision);
    store
        .change(record, row, move |conn, _| {
            async move {
                diesel::update(webhooks::table.find(id.0))
                    .set((
                        webhooks::name.eq(&form.name),
                        webhooks::url.eq(&form.url),
                        webhooks::events.eq(events_json(form)),
                        webhooks::enabled.eq(form.enabled),
                    ))
                    .execute(conn)
                    .await?;
                if let Some(secret) = form.secret.as_deref() {
                    seal_secret(conn, key, id.0, secret).await?;
                }
                read(conn, id.0).await
            }
            .scope_boxed()
        })
        .await
}

/// Deletes a webhook and its deliveries (those not sent yet are not sent).
pub async fn delete(
    store: &Store,
    record: &AuditRecord,
    id: WebhookId,
    revision: u32,
) -> Result<(), StoreError> {
    let row = Stored::new(Table::Webhooks, id.0, revision);
    store
        .change(record, row, move |conn, _| {
            async move { delete_row(conn, row).await }.scope_boxed()
        })
        .await
}

/// Queues a test message to one webhook, whatever events it wants; audited as `record`.
/// The webhook itself does not change (its revision stays, so an open edit still saves).
pub async fn ping(store: &Store, record: &AuditRecord, id: WebhookId) -> Result<(), StoreError> {
    use diesel_async::AsyncConnection;
    let mut conn = store.conn().await?;
    super::retry::retrying!(
        conn.transaction(async move |conn| -> Result<(), StoreError> {
            let name: String = webhooks::table
                .find(id.0)
                .select(webhooks::name)
                .first(conn)
                .await
                .optional()?
                .ok_or_else(|| StoreError::not_found(format!("webhook {id}")))?;
            let notification = crate::domain::webhook::ping(&name, &record.actor_name, Utc::now());
            outbox::enqueue(conn, &notification, Some(id)).await?;
            super::audit::write_ok(conn, record, super::audit::Target::new("webhook", id)).await
        })
        .await
    )
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = webhook_deliveries, check_for_backend(diesel::mysql::Mysql))]
struct DeliveryRow {
    id: u64,
    webhook_id: u64,
    #[diesel(select_expression = webhooks::name)]
    webhook: String,
    event: String,
    subject: String,
    status: String,
    attempts: u32,
    last_status: Option<u16>,
    last_error: Option<String>,
    created_at: NaiveDateTime,
    next_attempt_at: NaiveDateTime,
    finished_at: Option<NaiveDateTime>,
}

impl DeliveryRow {
    fn view(self) -> Result<Delivery, StoreError> {
        let id = self.id;
        let unknown = |what: &str, value: &str| {
            StoreError::internal(format!("unknown {what} {value:?} in delivery {id}"))
        };
        let status =
            DeliveryStatus::parse(&self.status).ok_or_else(|| unknown("status", &self.status))?;
        let event =
            WebhookEvent::parse(&self.event).ok_or_else(|| unknown("event", &self.event))?;
        Ok(Delivery {
            id,
            webhook_id: WebhookId(self.webhook_id),
            webhook: self.webhook,
            event,
            subject: self.subject,
            status,
            attempts: self.attempts,
            last_status: self.last_status,
            last_error: self.last_error,
            created_at: self.created_at.and_utc(),
            next_attempt_at: (status == DeliveryStatus::Pending)
                .then(|| self.next_attempt_at.and_utc()),
            finished_at: self.finished_at.map(|at| at.and_utc()),
        })
    }
}

/// The newest deliveries (of one webhook, or of all), newest first.
pub async fn deliveries(
    store: &Store,
    webhook: Option<WebhookId>,
) -> Result<Vec<Delivery>, StoreError> {
    let mut query = webhook_deliveries::table
        .inner_join(webhooks::table)
        .select(DeliveryRow::as_select())
        .order(webhook_deliveries::id.desc())
        .limit(DELIVERIES_SHOWN)
        .into_boxed();
    if let Some(webhook) = webhook {
        query = query.filter(webhook_deliveries::webhook_id.eq(webhook.0));
    }
    let rows: Vec<DeliveryRow> = query.load(&mut *store.conn().await?).await?;
    rows.into_iter().map(DeliveryRow::view).collect()
}
