//! "Test connection": asks a platform endpoint the platform API's health call, with the
//! config's credentials, and says what happened within a few seconds — and which
//! platform answered (the built-in simulator says so). Server only.

use crate::auth::guard::Actor;
use crate::domain::audit::Outcome;
use crate::domain::connection::ConnectionTest;
use crate::domain::ids::ConnectionConfigId;
use crate::domain::platform::{API_VERSION, Health, paths};
use crate::domain::text::cut;
use crate::error::AppError;
use crate::platform_answer::read_json;
use crate::redact::Redactor;
use crate::store::{audit, connection_configs};
use std::time::Duration;

const TIMEOUT: Duration = Duration::from_secs(3);

/// Tests config `id` with its stored credentials for `actor`. Sending a stored password
/// anywhere is recorded first, with where it goes (the caller's action, the config as
/// target): nothing is sent unless the entry is written.
pub async fn test_stored(
    actor: &Actor,
    id: ConnectionConfigId,
) -> Result<ConnectionTest, AppError> {
    let (store, key) = (&actor.auth.store, &actor.auth.keys.stored_secrets);
    let (host, port, username, password) = connection_configs::credentials(store, key, id).await?;
    let sent = if password.is_some() {
        "the stored password"
    } else {
        "no password"
    };
    let note = format!("{sent} sent to {username}@{host}:{port}");
    let target = audit::Target::new("connection_config", id);
    audit::record(
        store,
        &actor.record(),
        Some(target),
        Outcome::Ok,
        Some(&note),
    )
    .await?;
    Ok(test_connection(&host, port, &username, password.as_deref()).await)
}

/// `GET http://host:port/v1/health` with HTTP basic authentication when a username is set.
pub async fn test_connection(
    host: &str,
    port: u16,
    username: &str,
    password: Option<&str>,
) -> ConnectionTest {
    let host = if host.contains(':') {
        format!("[{host}]")
    } else {
        host.to_owned()
    };
    let client = match reqwest::Client::builder()
        .timeout(TIMEOUT)
        .connect_timeout(TIMEOUT)
        .build()
    {
        Ok(client) => client,
        Err(error) => return ConnectionTest::Unexpected(error.to_string()),
    };
    let mut request = client.get(format!("http://{host}:{port}{}", paths::HEALTH));
    if !username.is_empty() {
        request = request.basic_auth(username, password);
    }
    // What the endpoint says is shown to people: bounded, and with the credentials it
    // was sent hidden.
    let said = |text: &str| cut(&Redactor::new(username, password).text(text), 64);
    match request.send().await {
        Ok(response) if response.status().is_success() => match read_json::<Health>(response).await
        {
            Ok(health) if health.api_version == API_VERSION => ConnectionTest::Reachable {
                platform: said(&health.platform),
            },
            Ok(health) => ConnectionTest::Unexpected(format!(
                "it speaks platform API {}, not {API_VERSION}",
                said(&health.api_version)
            )),
            Err(_) => ConnectionTest::Unexpected(
                "it answers, but not with the platform API's health".to_owned(),
            ),
        },
        Ok(response) if matches!(response.status().as_u16(), 401 | 403) => {
            ConnectionTest::BadCredentials
        }
        Ok(response) => ConnectionTest::Unexpected(format!("HTTP {}", response.status())),
        Err(error) if error.is_timeout() => ConnectionTest::TimedOut,
        Err(error) if error.is_connect() => ConnectionTest::Refused,
        Err(error) => ConnectionTest::Unexpected(said(&error.to_string())),
    }
}
