//! Who may do what, decided in one place. `authorize(auth, headers, client, action)`
//! is the decision for everything that needs a signed-in role, `admit(...)` for the one
//! thing anyone may do, signing in. Neither needs Leptos context, so a plain axum route
//! (the live channel) authorises exactly as a server function does (through
//! `api::run`). Both check the request's origin for changes, refuse what the caller may
//! not do, record refusals in the audit log, and hand back a renewed session cookie when
//! the idle deadline should move.

use super::Auth;
use super::client::Client;
use super::refusals::{record, record_sampled};
use super::session::{self, Session};
use crate::domain::role::{Access, Action};
use crate::domain::user::SessionUser;
use crate::error::AppError;
use crate::store::audit::AuditRecord;
use http::HeaderMap;

/// A signed-in caller allowed to perform `action`.
#[derive(Debug, Clone)]
pub struct Actor {
    pub user: SessionUser,
    /// The session's `sid`: tells this sign-in from the user's others.
    pub session: u64,
    pub action: Action,
    pub client_addr: Option<String>,
    pub auth: Auth,
    /// Whether the request came over https (for the session cookie's `Secure` flag).
    pub https: bool,
    /// A fresh session cookie that moves the idle deadline, to send back when there is one.
    pub renewed_cookie: Option<String>,
}

/// A caller of a public function, signed in or not.
#[derive(Debug, Clone)]
pub struct Visitor {
    pub session: Option<Session>,
    pub action: Action,
    pub client_addr: Option<String>,
    pub auth: Auth,
    /// Whether the request came over https (for the session cookie's `Secure` flag).
    pub https: bool,
    /// A fresh session cookie that moves the idle deadline, to send back when there is one.
    pub renewed_cookie: Option<String>,
}

/// Browsers name the page a request comes from; a change must come from our own pages.
/// Requests without `Origin` or `Referer` come from scripts and API clients, not from a
/// browser tricked by another site, and pass.
fn check_origin(headers: &HeaderMap, https: bool) -> Result<(), String> {
    let Some(host) = headers
        .get(http::header::HOST)
        .and_then(|v| v.to_str().ok())
    else {
        return Ok(());
    };
    let header = |name| {
        headers
            .get(name)
            .and_then(|v: &http::HeaderValue| v.to_str().ok())
    };
    let claimed = header(http::header::ORIGIN)
        .map(str::to_owned)
        .or_else(|| header(http::header::REFERER).and_then(url_origin));
    let Some(claimed) = claimed else {
        return Ok(());
    };
    let ours = [format!("http://{host}"), format!("https://{host}")];
    let matches = if https {
        claimed == ours[1]
    } else {
        ours.contains(&claimed)
    };
    if matches {
        Ok(())
    } else {
        Err(format!("cross-site request from {claimed} refused"))
    }
}

fn url_origin(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    let host = rest.split(['/', '?', '#']).next()?;
    Some(format!("{scheme}://{host}"))
}

/// Records a change refused for coming from another site: every time for a signed-in
/// user (someone's browser was misused), sampled for anonymous callers.
async fn refuse_cross_site(
    auth: &Auth,
    session: Option<&Session>,
    action: Action,
    client: Option<String>,
    reason: &str,
) {
    match session {
        Some(s) => record(auth, &AuditRecord::of(&s.user, action, client), reason).await,
        None => {
            let anonymous = AuditRecord::anonymous(action, client);
            record_sampled(auth, &anonymous, "cross-site request refused").await;
        }
    }
}

/// A cookie that moves the session's idle deadline, when it is time to send one.
fn renewed_cookie(auth: &Auth, session: &Session, https: bool) -> Option<String> {
    let now = session::now();
    session.needs_touch(now).then(|| {
        let mut claims = session.claims.clone();
        claims.seen_at = now;
        session::cookie(auth, &claims, https)
    })
}

/// Decides whether the caller of a request with `headers`, from `client`, may perform
/// `action`: a change must come from our own pages, the caller must be signed in, their
/// role must allow it, and a one-time password allows nothing but replacing it. Every
/// refusal is recorded (anonymous ones sampled, see `refusals`).
pub async fn authorize(
    auth: &Auth,
    headers: &HeaderMap,
    client: &Client,
    action: Action,
) -> Result<Actor, AppError> {
    let Access::Requires(capability) = action.access() else {
        tracing::error!(
            action = action.endpoint(),
            "authorize() used for a public action"
        );
        return Err(AppError::Internal);
    };
    let client_addr = client.addr.map(|addr| addr.to_string());
    let session = session::read(auth, headers, session::now());

    if action.changes_state()
        && let Err(reason) = check_origin(headers, client.https)
    {
        refuse_cross_site(auth, session.as_ref(), action, client_addr, &reason).await;
        return Err(AppError::Forbidden { message: reason });
    }
    let Some(session) = session else {
        let anonymous = AuditRecord::anonymous(action, client_addr);
        record_sampled(auth, &anonymous, "not signed in").await;
        return Err(AppError::unauthenticated());
    };
    let entry = AuditRecord::of(&session.user, action, client_addr.clone());
    if !session.user.role.can(capability) {
        let message = capability.refusal();
        record(auth, &entry, &message).await;
        return Err(AppError::Forbidden { message });
    }
    if session.user.must_change_password && !action.allowed_with_one_time_password() {
        let message = "choose a new password first: the current one is one-time".to_owned();
        record(auth, &entry, &message).await;
        return Err(AppError::Forbidden { message });
    }
    Ok(Actor {
        renewed_cookie: renewed_cookie(auth, &session, client.https),
        session: session.claims.sid,
        user: session.user,
        action,
        client_addr,
        auth: auth.clone(),
        https: client.https,
    })
}

/// Anyone may call a public function; changes must still come from our own pages.
pub async fn admit(
    auth: &Auth,
    headers: &HeaderMap,
    client: &Client,
    action: Action,
) -> Result<Visitor, AppError> {
    let client_addr = client.addr.map(|addr| addr.to_string());
    let session = session::read(auth, headers, session::now());
    if action.changes_state()
        && let Err(reason) = check_origin(headers, client.https)
    {
        refuse_cross_site(auth, session.as_ref(), action, client_addr, &reason).await;
        return Err(AppError::Forbidden { message: reason });
    }
    let renewed_cookie = session
        .as_ref()
        .and_then(|s| renewed_cookie(auth, s, client.https));
    Ok(Visitor {
        session,
        action,
        client_addr,
        https: client.https,
        auth: auth.clone(),
        renewed_cookie,
    })
}

/// `authorize`, for a request any web page can make a browser send with our cookie and
/// whose answer it can then read: a websocket handshake (browsers apply no same-origin
/// rule to websockets). So even a read must come from our own pages. A request naming
/// no origin at all comes from a script or a tool, not from a browser (browsers always
/// send `Origin` with a websocket handshake), and is decided by its session alone.
pub async fn authorize_same_origin(
    auth: &Auth,
    headers: &HeaderMap,
    client: &Client,
    action: Action,
) -> Result<Actor, AppError> {
    if let Err(reason) = check_origin(headers, client.https) {
        let session = session::read(auth, headers, session::now());
        let client_addr = client.addr.map(|addr| addr.to_string());
        refuse_cross_site(auth, session.as_ref(), action, client_addr, &reason).await;
        return Err(AppError::Forbidden { message: reason });
    }
    authorize(auth, headers, client, action).await
}

/// Whether the session in `headers` still allows `action` now: for a long-lived
/// connection authorised once, asked again now and then. Decided from the in-memory
/// user directory alone (no database, nothing recorded), so a disabled user, a role
/// change, a sign-out everywhere or an expired session ends the connection.
pub fn still_allowed(auth: &Auth, headers: &HeaderMap, action: Action) -> bool {
    let Access::Requires(capability) = action.access() else {
        return false;
    };
    session::read(auth, headers, session::now()).is_some_and(|session| {
        session.user.role.can(capability)
            && (!session.user.must_change_password || action.allowed_with_one_time_password())
    })
}

impl Actor {
    /// What the audit log says about this caller and action.
    pub fn record(&self) -> AuditRecord {
        AuditRecord::of(&self.user, self.action, self.client_addr.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(headers: &[(&str, &str)]) -> HeaderMap {
        let mut request = http::Request::builder().uri("/api/users/create");
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        request.body(()).unwrap().into_parts().0.headers
    }

    #[test]
    fn same_origin_and_headerless_requests_pass() {
        let host = ("host", "console.example:3000");
        assert!(
            check_origin(
                &parts(&[host, ("origin", "http://console.example:3000")]),
                false
            )
            .is_ok()
        );
        assert!(
            check_origin(
                &parts(&[
                    host,
                    ("referer", "http://console.example:3000/settings?x=1")
                ]),
                false
            )
            .is_ok()
        );
        assert!(check_origin(&parts(&[host]), false).is_ok());
    }

    #[test]
    fn other_origins_are_refused() {
        let host = ("host", "console.example:3000");
        assert!(check_origin(&parts(&[host, ("origin", "http://evil.example")]), false).is_err());
        assert!(
            check_origin(
                &parts(&[host, ("origin", "http://console.example:3001")]),
                false
            )
            .is_err()
        );
        assert!(check_origin(&parts(&[host, ("origin", "null")]), false).is_err());
        assert!(
            check_origin(
                &parts(&[host, ("referer", "https://evil.example/page")]),
                false
            )
            .is_err()
        );
        assert!(
            check_origin(
                &parts(&[host, ("origin", "http://console.example:3000")]),
                true
            )
            .is_err()
        );
    }

    mod authorize {
        use super::super::*;
        use crate::auth::client::TrustedProxies;
        use crate::auth::directory::Directory;
        use crate::auth::keys::Keys;
        use crate::auth::password::PasswordHasher;
        use crate::auth::session::SessionPolicy;
        use crate::auth::token::{self, Claims};
        use crate::domain::ids::UserId;
        use crate::domain::role::Role;
        use crate::domain::user::UserState;
        use crate::store::Store;
        use std::time::Duration;

        /// Auth whose database never answers: refusals are still decided, and their
        /// audit writes fail quietly, as they must during an outage.
        /// A run mode whose journal lives in a directory of its own.
        fn test_mode() -> crate::mode::Mode {
            let dir = std::env::temp_dir().join(format!(
                "switchyard-guard-test-{}-{}",
                std::process::id(),
                uuid::Uuid::new_v4().simple()
            ));
            crate::mode::Mode::open(&dir.join("journal.redb")).unwrap()
        }

        fn auth() -> Auth {
            let directory = Directory::default();
            for (id, role, must_change_password) in [
                (1, Role::Operator, false),
                (2, Role::Auditor, false),
                (3, Role::Operator, true),
            ] {
                directory.put(UserState {
                    user: SessionUser {
                        id: UserId(id),
                        username: format!("user{id}"),
                        display_name: String::new(),
                        role,
                        must_change_password,
                        preferences: Default::default(),
                    },
                    enabled: true,
                    session_generation: 1,
                });
            }
            Auth {
                store: Store::new("mysql://nobody@127.0.0.1:1/none", 1, test_mode()).unwrap(),
                keys: std::sync::Arc::new(Keys::derive(&[9; 32])),
                hasher: PasswordHasher::new(1),
                directory,
                throttle: Default::default(),
                refusals: Default::default(),
                sessions: SessionPolicy {
                    idle: Duration::from_secs(3600),
                    lifetime: Duration::from_secs(3600),
                },
                proxies: TrustedProxies::default(),
            }
        }

        fn headers_of(auth: &Auth, uid: Option<u64>, origin: Option<&str>) -> HeaderMap {
            let mut headers = HeaderMap::new();
            headers.insert("host", "console.example".parse().unwrap());
            if let Some(uid) = uid {
                let now = session::now();
                let claims = Claims {
                    uid,
                    generation: 1,
                    issued_at: now,
                    seen_at: now,
                    sid: 1,
                };
                let token = token::seal(&auth.keys.session, &claims);
                let cookie = format!("{}={token}", session::COOKIE_NAME);
                headers.insert("cookie", cookie.parse().unwrap());
            }
            if let Some(origin) = origin {
                headers.insert("origin", origin.parse().unwrap());
            }
            headers
        }

        async fn decide(
            uid: Option<u64>,
            origin: Option<&str>,
            action: Action,
        ) -> Result<Actor, AppError> {
            let auth = auth();
            let headers = headers_of(&auth, uid, origin);
            let client = Client {
                addr: "10.0.0.9".parse().ok(),
                https: false,
            };
            authorize(&auth, &headers, &client, action).await
        }

        #[tokio::test]
        async fn an_allowed_role_gets_an_actor_with_its_address() {
            let actor = decide(
                Some(1),
                Some("http://console.example"),
                Action::CreateDataCenter,
            )
            .await
            .unwrap();
            assert_eq!(actor.user.role, Role::Operator);
            assert_eq!(actor.client_addr.as_deref(), Some("10.0.0.9"));
            assert_eq!(
                actor.renewed_cookie, None,
                "a fresh session needs no new cookie"
            );
        }

        #[tokio::test]
        async fn refusals_for_who_the_caller_is() {
            assert!(matches!(
                decide(None, None, Action::ListPlans).await,
                Err(AppError::Unauthenticated { .. })
            ));
            assert!(matches!(
                decide(Some(2), None, Action::CreateDataCenter).await,
                Err(AppError::Forbidden { message }) if message.starts_with("this needs")
            ));
            assert!(decide(Some(2), None, Action::ListPlans).await.is_ok());
            assert!(matches!(
                decide(Some(3), None, Action::ListPlans).await,
                Err(AppError::Forbidden { message }) if message.contains("one-time")
            ));
            assert!(matches!(
                decide(Some(99), None, Action::ListPlans).await,
                Err(AppError::Unauthenticated { .. })
            ));
        }

        #[tokio::test]
        async fn a_change_from_another_site_is_refused_even_for_an_allowed_role() {
            assert!(matches!(
                decide(Some(1), Some("http://evil.example"), Action::CreateDataCenter).await,
                Err(AppError::Forbidden { message }) if message.contains("cross-site")
            ));
            // Reads carry no such risk.
            assert!(
                decide(Some(1), Some("http://evil.example"), Action::ListPlans)
                    .await
                    .is_ok()
            );
        }

        #[tokio::test]
        async fn a_websocket_read_from_another_site_is_refused() {
            let auth = auth();
            let client = Client {
                addr: None,
                https: false,
            };
            let from = |origin| headers_of(&auth, Some(2), origin);
            let watch = Action::GetExecution;
            assert!(matches!(
                authorize_same_origin(&auth, &from(Some("http://evil.example")), &client, watch)
                    .await,
                Err(AppError::Forbidden { message }) if message.contains("cross-site")
            ));
            let ours = from(Some("http://console.example"));
            assert!(
                authorize_same_origin(&auth, &ours, &client, watch)
                    .await
                    .is_ok()
            );
            assert!(
                authorize_same_origin(&auth, &from(None), &client, watch)
                    .await
                    .is_ok()
            );
        }

        #[test]
        fn a_connection_stays_allowed_only_while_its_session_does() {
            let auth = auth();
            let auditor = headers_of(&auth, Some(2), None);
            assert!(still_allowed(&auth, &auditor, Action::GetExecution));
            assert!(!still_allowed(&auth, &auditor, Action::StartExecution));
            assert!(!still_allowed(
                &auth,
                &headers_of(&auth, None, None),
                Action::GetExecution
            ));
            assert!(!still_allowed(
                &auth,
                &headers_of(&auth, Some(3), None),
                Action::GetExecution
            ));
            auth.directory.put(UserState {
                user: auth.directory.get(UserId(2)).unwrap().user,
                enabled: false,
                session_generation: 1,
            });
            assert!(!still_allowed(&auth, &auditor, Action::GetExecution));
        }

        #[tokio::test]
        async fn a_public_action_is_not_authorised_here() {
            assert_eq!(
                decide(None, None, Action::SignIn).await.unwrap_err(),
                AppError::Internal
            );
        }
    }
}
