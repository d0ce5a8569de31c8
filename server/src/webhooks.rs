//! Sending webhook messages. Every instance runs a sender: each round it claims the
//! deliveries that are due (`app::store::webhooks::outbox`), and POSTs each, signed, to
//! its webhook's URL, each on its own and within a timeout, then records how it went.
//! Messages are queued by the writes they tell of and sent from here only, so a receiver
//! that fails, hangs or is slow never holds an execution up. The URL is checked with the
//! same outbound rule as an `http.call` step's (no loopback, link-local or own address
//! unless allowed). While degraded nothing is sent: the outbox is in the database.

use crate::engine::outbound::Outbound;
use crate::tasks::Supervisor;
use app::domain::webhook::{DELIVERY_HEADER, EVENT_HEADER, SIGNATURE_HEADER};
use app::services::Services;
use app::store::Store;
use app::store::webhooks::outbox::{self, Attempt, Outgoing};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Semaphore;

/// At most this many messages are being sent at once (by this instance).
const IN_FLIGHT: usize = 64;

/// How the sender works.
#[derive(Debug, Clone)]
pub struct WebhookSettings {
    /// Where messages may be sent (the `http.call` rule).
    pub outbound: Outbound,
    /// How long a receiver has to answer one attempt.
    pub timeout: Duration,
    /// The wait after the first failed attempt; later ones grow from it
    /// (`app::domain::webhook::retry_after`).
    pub first_retry: Duration,
    /// How often the outbox is looked at.
    pub every: Duration,
}

impl Default for WebhookSettings {
    fn default() -> Self {
        Self {
            outbound: Outbound::default(),
            timeout: Duration::from_secs(10),
            first_retry: Duration::from_secs(10),
            every: Duration::from_secs(1),
        }
    }
}

impl WebhookSettings {
    /// How long a claim holds: longer than an attempt can take, so a live sender never
    /// sees its claim taken over.
    fn hold(&self) -> Duration {
        self.timeout * 3 + Duration::from_secs(5)
    }
}

/// `sha256=` and the hex HMAC-SHA256 of `body` under `secret`: the signature header.
pub fn signature(secret: &str, body: &[u8]) -> String {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes a key of any length");
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

pub fn start(supervisor: &Supervisor, services: &Services, settings: WebhookSettings) {
    let store = services.store().clone();
    let key = services.auth.keys.stored_secrets;
    let sending = Arc::new(Semaphore::new(IN_FLIGHT));
    let settings = Arc::new(settings);
    supervisor.spawn("webhook sender", move |stop| async move {
        crate::tasks::every(settings.every, stop, || {
            round(&store, key, &settings, &sending)
        })
        .await
    });
}

/// Claims what is due, as many as there are free places to send from, and sends each on
/// its own: a receiver that hangs holds only its own message up.
async fn round(
    store: &Store,
    key: [u8; 32],
    settings: &Arc<WebhookSettings>,
    sending: &Arc<Semaphore>,
) {
    let free = sending.available_permits();
    if free == 0 || store.mode().is_degraded() {
        return;
    }
    let limit = i64::try_from(free).unwrap_or(i64::MAX);
    let claimed = match outbox::claim_due(store, &key, limit, settings.hold()).await {
        Ok(claimed) => claimed,
        Err(error) => {
            tracing::debug!(%error, "webhook outbox not read");
            return;
        }
    };
    for outgoing in claimed {
        let Ok(place) = sending.clone().try_acquire_owned() else {
            // No place after all: the claim runs out and the message is sent later.
            break;
        };
        let (store, settings) = (store.clone(), settings.clone());
        tokio::spawn(async move {
            let attempt = send(&outgoing, &settings).await;
            let recorded =
                outbox::record_attempt(&store, &outgoing, &attempt, settings.first_retry).await;
            if let Err(error) = recorded {
                // The claim runs out and the message is sent again: at least once.
                tracing::warn!(%error, delivery = outgoing.id, "webhook attempt not recorded");
            }
            drop(place);
        });
    }
}

/// One attempt: checked, signed, POSTed, answered within the timeout or not.
async fn send(outgoing: &Outgoing, settings: &WebhookSettings) -> Attempt {
    let failed = |error: String, last: bool| Attempt {
        delivered: false,
        status: None,
        error: Some(error),
        last,
    };
    let secret = match &outgoing.secret {
        Ok(secret) => secret,
        Err(why) => return failed(why.clone(), true),
    };
    let destination = match settings.outbound.check(&outgoing.url).await {
        Ok(destination) => destination,
        Err(why) => return failed(why, false),
    };
    let builder = reqwest::Client::builder()
        .connect_timeout(settings.timeout)
        .timeout(settings.timeout);
    let client = match destination.client(builder) {
        Ok(client) => client,
        Err(error) => return failed(format!("no HTTP client: {error}"), false),
    };
    let request = client
        .post(&outgoing.url)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .header(
            reqwest::header::USER_AGENT,
            concat!("Switchyard/", env!("CARGO_PKG_VERSION")),
        )
        .header(EVENT_HEADER, &outgoing.event)
        .header(DELIVERY_HEADER, outgoing.id.to_string())
        .header(
            SIGNATURE_HEADER,
            signature(secret, outgoing.payload.as_bytes()),
        )
        .body(outgoing.payload.clone());
    match request.send().await {
        // The body is not read: a receiver says what it needs with its status.
        Ok(response) if response.status().is_success() => Attempt {
            delivered: true,
            status: Some(response.status().as_u16()),
            error: None,
            last: false,
        },
        Ok(response) => Attempt {
            delivered: false,
            status: Some(response.status().as_u16()),
            error: Some(format!("the receiver answered {}", response.status())),
            last: false,
        },
        Err(error) if error.is_timeout() => failed(
            format!("no answer within {} s", settings.timeout.as_secs_f32()),
            false,
        ),
        Err(error) if error.is_connect() => {
            failed(format!("cannot connect to {}", destination.host), false)
        }
        Err(error) => failed(format!("not sent: {error}"), false),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signature_is_the_hex_hmac_of_the_body() {
        // RFC 4231, test case 2.
        assert_eq!(
            signature("Jefe", b"what do ya want for nothing?"),
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }
}
