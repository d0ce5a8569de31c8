//! Settings → Webhooks (admins only): where the console sends signed messages, which
//! events each wants, a test message on request, and every delivery with how it went.
//! The secret is write-only: the form never shows it.

use crate::api::webhooks::{
    CreateWebhook, DeleteWebhook, PingWebhook, UpdateWebhook, list_webhook_deliveries,
    list_webhooks,
};
use crate::components::error_view::ErrorView;
use crate::components::form_feedback::{FieldMessage, FormMessage, last_error};
use crate::components::record_form::RecordForm;
use crate::components::record_section::{
    Record, RecordApi, RecordLayout, RecordRow, RecordSection,
};
use crate::components::text_field::TextField;
use crate::domain::role::Action;
use crate::domain::webhook::{
    Delivery, DeliveryStatus, Webhook, WebhookEvent, WebhookForm, subscribable,
};
use crate::pages::execution::clock::when;
use leptos::prelude::*;

impl Record for Webhook {
    fn key(&self) -> (u64, u32) {
        (self.id.0, self.revision)
    }

    fn matches(&self, query: &str) -> bool {
        [&self.name, &self.url]
            .iter()
            .any(|field| field.to_lowercase().contains(query))
    }

    fn what(&self) -> String {
        format!("the webhook {} and its deliveries", self.name)
    }
}

type WebhookApi = RecordApi<Webhook, WebhookForm>;

#[component]
pub fn WebhooksSection() -> impl IntoView {
    let api: WebhookApi = RecordApi::new(
        list_webhooks,
        |form| CreateWebhook { form },
        |w, form| UpdateWebhook {
            id: w.id,
            revision: w.revision,
            form,
        },
        |w| DeleteWebhook {
            id: w.id,
            revision: w.revision,
        },
    );
    let editing = RwSignal::new(None);
    let ping = ServerAction::<PingWebhook>::new();
    view! {
        <h2 id="webhooks">"Webhooks"</h2>
        <p class="muted">
            "Each message is a JSON POST signed with the webhook's secret (header "
            <code>"X-Switchyard-Signature: sha256=…"</code>
            "), retried with growing waits when the receiver fails. The README describes the payloads."
        </p>
        <FormMessage error=last_error(ping.value()) />
        <RecordSection
            api
            editing
            action=Action::CreateWebhook
            plural="webhooks"
            layout=RecordLayout::Table {
                testid: "webhooks",
                columns: vec!["Name", "URL", "Events", "State"],
            }
            row=Callback::new(move |row| view! { <WebhookRow row ping /> }.into_any())
            editor=move || view! { <WebhookEditor api editing /> }
        />
        <Deliveries ping />
    }
}

#[component]
fn WebhookRow(row: RecordRow<Webhook>, ping: ServerAction<PingWebhook>) -> impl IntoView {
    let RecordRow {
        record: webhook,
        controls,
    } = row;
    let id = webhook.id;
    let events = webhook
        .events
        .iter()
        .map(|event| event.label())
        .collect::<Vec<_>>()
        .join(", ");
    view! {
        <tr data-name=webhook.name.clone()>
            <td>{webhook.name.clone()}</td>
            <td><code class="wrap">{webhook.url.clone()}</code></td>
            <td>{events}</td>
            <td>{if webhook.enabled { "enabled" } else { "disabled" }}</td>
            {controls.map(|controls| view! {
                <td>
                    <button type="button" on:click=move |_| { ping.dispatch(PingWebhook { id }); }>
                        "Send a test message"
                    </button>
                    " "
                    {controls}
                </td>
            })}
        </tr>
    }
}

#[component]
fn WebhookEditor(api: WebhookApi, editing: RwSignal<Option<Webhook>>) -> impl IntoView {
    let feedback = api.feedback(editing);
    let error = feedback.error;
    let name = RwSignal::new(String::new());
    let url = RwSignal::new(String::new());
    let secret = RwSignal::new(String::new());
    let events = RwSignal::new(Vec::<WebhookEvent>::new());
    let enabled = RwSignal::new(true);
    Effect::new(move || {
        let chosen = editing.get();
        name.set(chosen.as_ref().map(|w| w.name.clone()).unwrap_or_default());
        url.set(chosen.as_ref().map(|w| w.url.clone()).unwrap_or_default());
        secret.set(String::new());
        events.set(
            chosen
                .as_ref()
                .map(|w| w.events.clone())
                .unwrap_or_else(|| {
                    vec![
                        WebhookEvent::StepFailed,
                        WebhookEvent::ExecutionCompleted,
                        WebhookEvent::ExecutionCancelled,
                    ]
                }),
        );
        enabled.set(chosen.is_none_or(|w| w.enabled));
    });
    let is_edit = move || editing.with(Option::is_some);
    view! {
        <RecordForm
            api
            editing
            feedback
            label="Webhook"
            create_title="Add a webhook"
            edit_title="Edit webhook"
            create_label="Add webhook"
            read=Callback::new(move |()| {
                let typed = secret.get();
                WebhookForm {
                    name: name.get(),
                    url: url.get(),
                    secret: (!typed.is_empty()).then_some(typed),
                    events: events.get(),
                    enabled: enabled.get(),
                }
            })
            validate=WebhookForm::validate
        >
            <TextField label="Webhook name" value=name required=true error=(error, "name") />
            <TextField label="URL" value=url required=true error=(error, "url") />
            <TextField label="Secret" kind="password" value=secret autocomplete="new-password" error=(error, "secret") />
            <p class="muted" data-testid="secret-state">
                {move || if is_edit() {
                    "A secret is set; leave the field empty to keep it."
                } else {
                    "16 to 200 characters; the receiver checks each message's signature with it."
                }}
            </p>
            <fieldset>
                <legend>"Events"</legend>
                {subscribable().map(|event| view! {
                    <label class="inline">
                        <input
                            type="checkbox"
                            value=event.as_str()
                            prop:checked=move || events.with(|chosen| chosen.contains(&event))
                            on:change=move |_| events.update(|chosen| {
                                if let Some(at) = chosen.iter().position(|e| *e == event) {
                                    chosen.remove(at);
                                } else {
                                    chosen.push(event);
                                }
                            })
                        />
                        {event.label()}
                    </label>
                }).collect_view()}
                <FieldMessage error field="events" />
            </fieldset>
            <label class="inline">
                <input type="checkbox" prop:checked=enabled on:change=move |_| enabled.update(|e| *e = !*e) />
                "Enabled"
            </label>
        </RecordForm>
    }
}

/// The newest deliveries of every webhook, read again after a test message and on
/// request.
#[component]
fn Deliveries(ping: ServerAction<PingWebhook>) -> impl IntoView {
    let refresh = RwSignal::new(0u32);
    let deliveries = Resource::new(
        move || (ping.version().get(), refresh.get()),
        |_| list_webhook_deliveries(None),
    );
    view! {
        <h3>"Deliveries"</h3>
        <p>
            <button type="button" on:click=move |_| refresh.update(|n| *n += 1)>"Refresh"</button>
            <span class="muted">" The newest 200."</span>
        </p>
        <Transition fallback=|| view! { <p class="muted">"Loading deliveries…"</p> }>
            <ErrorBoundary fallback=|errors| view! { <ErrorView errors /> }>
                {move || Suspend::new(async move {
                    deliveries.await.map(|deliveries| view! { <DeliveryTable deliveries /> })
                })}
            </ErrorBoundary>
        </Transition>
    }
}

#[component]
fn DeliveryTable(deliveries: Vec<Delivery>) -> impl IntoView {
    if deliveries.is_empty() {
        return view! { <p class="muted" data-testid="deliveries">"Nothing has been sent yet."</p> }
            .into_any();
    }
    view! {
        <table class="data-table" data-testid="deliveries">
            <thead>
                <tr>
                    <th scope="col">"Queued"</th>
                    <th scope="col">"Webhook"</th>
                    <th scope="col">"Event"</th>
                    <th scope="col">"About"</th>
                    <th scope="col">"Status"</th>
                    <th scope="col">"Attempts"</th>
                    <th scope="col">"Last answer"</th>
                    <th scope="col">"Next attempt / done"</th>
                </tr>
            </thead>
            <tbody>
                {deliveries.into_iter().map(|d| {
                    let answer = match (d.last_status, &d.last_error) {
                        (Some(status), Some(error)) => format!("HTTP {status}: {error}"),
                        (Some(status), None) => format!("HTTP {status}"),
                        (None, Some(error)) => error.clone(),
                        (None, None) => "—".to_owned(),
                    };
                    let next = match d.status {
                        DeliveryStatus::Pending => d.next_attempt_at.map(when),
                        _ => d.finished_at.map(when),
                    };
                    view! {
                        <tr data-status=d.status.as_str() data-event=d.event.as_str()>
                            <td>{when(d.created_at)}</td>
                            <td>{d.webhook}</td>
                            <td><code>{d.event.as_str()}</code></td>
                            <td>{d.subject}</td>
                            <td class=format!("delivery-{}", d.status.as_str())>{d.status.label()}</td>
                            <td>{d.attempts}</td>
                            <td>{answer}</td>
                            <td>{next.unwrap_or_default()}</td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}
