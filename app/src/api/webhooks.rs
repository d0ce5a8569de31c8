//! Webhooks (admins only): where the console sends signed messages about executions and
//! plans, and the record of every delivery. The secret never leaves the server.

use crate::domain::ids::WebhookId;
use crate::domain::webhook::{Delivery, Webhook, WebhookForm};
use crate::error::AppError;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

/// Every webhook, by name.
#[server(endpoint = "webhooks/list", input = Json, output = Json)]
pub async fn list_webhooks() -> Result<Vec<Webhook>, AppError> {
    use crate::domain::role::Action;
    super::server_side::run(Action::ListWebhooks, None, async |actor| {
        Ok(crate::store::webhooks::list(&actor.auth.store).await?)
    })
    .await
}

/// Creates a webhook; its secret is stored sealed.
#[server(endpoint = "webhooks/create", input = Json, output = Json)]
pub async fn create_webhook(form: WebhookForm) -> Result<Webhook, AppError> {
    use crate::domain::role::Action;
    super::server_side::run(Action::CreateWebhook, None, async |actor| {
        let form = form.validate().map_err(AppError::invalid)?;
        let key = &actor.auth.keys.stored_secrets;
        Ok(crate::store::webhooks::create(&actor.auth.store, &actor.record(), key, &form).await?)
    })
    .await
}

/// Changes a webhook; without a secret the stored one is kept.
#[server(endpoint = "webhooks/update", input = Json, output = Json)]
pub async fn update_webhook(
    id: WebhookId,
    revision: u32,
    form: WebhookForm,
) -> Result<Webhook, AppError> {
    use crate::domain::role::Action;
    use crate::store::audit::Target;
    let target = Some(Target::new("webhook", id));
    super::server_side::run(Action::UpdateWebhook, target, async |actor| {
        let form = form.validate().map_err(AppError::invalid)?;
        let key = &actor.auth.keys.stored_secrets;
        Ok(crate::store::webhooks::update(
            &actor.auth.store,
            &actor.record(),
            key,
            id,
            revision,
            &form,
        )
        .await?)
    })
    .await
}

/// Deletes a webhook with its deliveries.
#[server(endpoint = "webhooks/delete", input = Json, output = Json)]
pub async fn delete_webhook(id: WebhookId, revision: u32) -> Result<(), AppError> {
    use crate::domain::role::Action;
    use crate::store::audit::Target;
    let target = Some(Target::new("webhook", id));
    super::server_side::run(Action::DeleteWebhook, target, async |actor| {
        Ok(
            crate::store::webhooks::delete(&actor.auth.store, &actor.record(), id, revision)
                .await?,
        )
    })
    .await
}

/// Queues a test message (`ping`) to one webhook.
#[server(endpoint = "webhooks/ping", input = Json, output = Json)]
pub async fn ping_webhook(id: WebhookId) -> Result<(), AppError> {
    use crate::domain::role::Action;
    use crate::store::audit::Target;
    let target = Some(Target::new("webhook", id));
    super::server_side::run(Action::PingWebhook, target, async |actor| {
        Ok(crate::store::webhooks::ping(&actor.auth.store, &actor.record(), id).await?)
    })
    .await
}

/// The newest deliveries (of one webhook, or of all), newest first.
#[server(endpoint = "webhooks/deliveries", input = Json, output = Json)]
pub async fn list_webhook_deliveries(
    webhook: Option<WebhookId>,
) -> Result<Vec<Delivery>, AppError> {
    use crate::domain::role::Action;
    super::server_side::run(Action::ListWebhookDeliveries, None, async |actor| {
        Ok(crate::store::webhooks::deliveries(&actor.auth.store, webhook).await?)
    })
    .await
}
