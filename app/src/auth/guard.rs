//! The first line of every server function: `require(Action::X)` for what needs a
//! signed-in role, `visit(Action::X)` for the one thing anyone may do, signing in. Both check the request's
//! origin for changes, refuse what the caller may not do, record refusals in the audit
//! log, and keep an active session's idle deadline moving.

use super::refusals::{record, record_sampled};
use super::session::{self, Session};
use crate::domain::audit::Outcome;
use crate::domain::role::{Access, Action};
use crate::domain::user::SessionUser;
use crate::error::AppError;
use crate::services::Services;
use crate::store::audit::{AuditRecord, Target};
use http::request::Parts;
use leptos::prelude::*;

/// A signed-in caller allowed to perform `action`.
#[derive(Debug, Clone)]
pub struct Actor {
    pub user: SessionUser,
    pub action: Action,
    pub client_addr: Option<String>,
    pub services: Services,
    /// Whether the request came over https (for the session cookie's `Secure` flag).
    pub https: bool,
}

/// A caller of a public function, signed in or not.
#[derive(Debug, Clone)]
pub struct Visitor {
    pub session: Option<Session>,
    pub action: Action,
    pub client_addr: Option<String>,
    pub services: Services,
    /// Whether the request came over https (for the session cookie's `Secure` flag).
    pub https: bool,
}

/// The facts of the current request that decide access.
struct Request {
    parts: Parts,
    client_addr: Option<String>,
    https: bool,
}

fn request(services: &Services) -> Result<Request, AppError> {
    let parts = use_context::<Parts>().ok_or_else(|| {
        tracing::error!("no request parts in the server function context");
        AppError::Internal
    })?;
    let peer = parts
        .extensions
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|info| info.0.ip());
    let client = services
        .proxies
        .client(peer, &parts.headers, parts.uri.scheme_str());
    Ok(Request {
        client_addr: client.addr.map(|addr| addr.to_string()),
        https: client.https,
        parts,
    })
}

/// Browsers name the page a request comes from; a change must come from our own pages.
/// Requests without `Origin` or `Referer` come from scripts and API clients, not from a
/// browser tricked by another site, and pass.
fn check_origin(parts: &Parts, https: bool) -> Result<(), String> {
    let Some(host) = parts
        .headers
        .get(http::header::HOST)
        .and_then(|v| v.to_str().ok())
    else {
        return Ok(());
    };
    let header = |name| {
        parts
            .headers
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
    services: &Services,
    session: Option<&Session>,
    action: Action,
    request: &Request,
    reason: &str,
) {
    let client = request.client_addr.clone();
    match session {
        Some(s) => record(services, &AuditRecord::of(&s.user, action, client), reason).await,
        None => {
            let anonymous = AuditRecord::anonymous(action, client);
            record_sampled(services, &anonymous, "cross-site request refused").await;
        }
    }
}

fn touch(services: &Services, session: &Session, https: bool) {
    let now = session::now();
    if session.needs_touch(now) {
        let mut claims = session.claims.clone();
        claims.seen_at = now;
        set_cookie(session::cookie(services, &claims, https));
    }
}

/// Adds a `Set-Cookie` header to the response of this server function.
pub fn set_cookie(value: String) {
    if let (Some(response), Ok(value)) = (
        use_context::<leptos_axum::ResponseOptions>(),
        http::HeaderValue::from_str(&value),
    ) {
        response.append_header(http::header::SET_COOKIE, value);
    }
}

/// A signed-in caller whose role may perform `action`, or the refusal.
pub async fn require(action: Action) -> Result<Actor, AppError> {
    let Access::Requires(capability) = action.access() else {
        tracing::error!(
            action = action.endpoint(),
            "require() used for a public action"
        );
        return Err(AppError::Internal);
    };
    let services = Services::current()?;
    let request = request(&services)?;
    let session = session::read(&services, &request.parts.headers, session::now());

    if action.changes_state()
        && let Err(reason) = check_origin(&request.parts, request.https)
    {
        refuse_cross_site(&services, session.as_ref(), action, &request, &reason).await;
        return Err(AppError::Forbidden { message: reason });
    }
    let Some(session) = session else {
        let anonymous = AuditRecord::anonymous(action, request.client_addr.clone());
        record_sampled(&services, &anonymous, "not signed in").await;
        return Err(AppError::unauthenticated());
    };
    let entry = AuditRecord::of(&session.user, action, request.client_addr.clone());
    if !session.user.role.can(capability) {
        let message = capability.refusal();
        record(&services, &entry, &message).await;
        return Err(AppError::Forbidden { message });
    }
    if session.user.must_change_password && !action.allowed_with_one_time_password() {
        let message = "choose a new password first: the current one is one-time".to_owned();
        record(&services, &entry, &message).await;
        return Err(AppError::Forbidden { message });
    }
    touch(&services, &session, request.https);
    Ok(Actor {
        user: session.user,
        action,
        client_addr: request.client_addr,
        services,
        https: request.https,
    })
}

/// Anyone may call a public function; changes must still come from our own pages.
pub async fn visit(action: Action) -> Result<Visitor, AppError> {
    let services = Services::current()?;
    let request = request(&services)?;
    let session = session::read(&services, &request.parts.headers, session::now());
    if action.changes_state()
        && let Err(reason) = check_origin(&request.parts, request.https)
    {
        refuse_cross_site(&services, session.as_ref(), action, &request, &reason).await;
        return Err(AppError::Forbidden { message: reason });
    }
    if let Some(session) = &session {
        touch(&services, session, request.https);
    }
    Ok(Visitor {
        session,
        action,
        client_addr: request.client_addr,
        https: request.https,
        services,
    })
}

impl Actor {
    /// What the audit log says about this caller and action.
    pub fn record(&self) -> AuditRecord {
        AuditRecord::of(&self.user, self.action, self.client_addr.clone())
    }

    /// Runs a change. The store writes the `ok` entry inside the change's own transaction;
    /// when the change fails, the `failed` entry is written here, after the rollback.
    pub async fn audited<T>(
        &self,
        target: Option<Target>,
        change: impl Future<Output = Result<T, AppError>>,
    ) -> Result<T, AppError> {
        let result = change.await;
        if let Err(error) = &result {
            let written = async {
                let mut conn = self.services.store.conn().await?;
                crate::store::audit::write(
                    &mut conn,
                    &self.record(),
                    target,
                    Outcome::Failed,
                    Some(&error.to_string()),
                )
                .await
            }
            .await;
            if let Err(audit_error) = written {
                tracing::warn!(action = self.action.endpoint(), %audit_error, "could not record a failure in the audit log");
            }
        }
        result
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(headers: &[(&str, &str)]) -> Parts {
        let mut request = http::Request::builder().uri("/api/users/create");
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        request.body(()).unwrap().into_parts().0
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
}
