//! Session cookies: issuing, reading and ending them. The cookie holds a sealed token
//! (see `token`); it is `HttpOnly`, `SameSite=Strict`, and `Secure` when the console is
//! reached over https.

use super::Auth;
use super::token::{self, Claims};
use crate::domain::ids::UserId;
use crate::domain::user::SessionUser;
use cookie::{Cookie, SameSite};
use http::HeaderMap;
use std::time::Duration;

pub const COOKIE_NAME: &str = "switchyard_session";

/// A session's `seen_at` is renewed (and the cookie re-set) at most this often.
const TOUCH_EVERY_SECONDS: i64 = 60;

/// How long sessions last.
#[derive(Debug, Clone, Copy)]
pub struct SessionPolicy {
    /// A session unused for this long ends.
    pub idle: Duration,
    /// A session ends this long after sign-in, however busy.
    pub lifetime: Duration,
}

/// A valid session of a request.
#[derive(Debug, Clone)]
pub struct Session {
    pub user: SessionUser,
    pub claims: Claims,
}

impl Session {
    /// Whether the cookie should be re-issued to move the idle deadline.
    pub fn needs_touch(&self, now: i64) -> bool {
        now - self.claims.seen_at >= TOUCH_EVERY_SECONDS
    }
}

pub fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

/// The session a request carries, if its cookie is valid now: sealed by this secret, within
/// its idle and absolute limits, for an enabled user whose sessions were not ended since.
pub fn read(auth: &Auth, headers: &HeaderMap, now: i64) -> Option<Session> {
    let token = headers
        .get_all(http::header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(Cookie::split_parse)
        .filter_map(Result::ok)
        .find(|cookie| cookie.name() == COOKIE_NAME)?
        .value()
        .to_owned();
    let claims = token::open(&auth.keys.session, &token)?;
    let policy = auth.sessions;
    let within_lifetime = now - claims.issued_at < policy.lifetime.as_secs() as i64;
    let within_idle = now - claims.seen_at < policy.idle.as_secs() as i64;
    if !within_lifetime || !within_idle || claims.seen_at < claims.issued_at {
        return None;
    }
    let state = auth.directory.get(UserId(claims.uid))?;
    (state.enabled && state.session_generation == claims.generation).then_some(Session {
        user: state.user,
        claims,
    })
}

/// The `Set-Cookie` value for a token; it lives as long as the session may.
pub fn cookie(auth: &Auth, claims: &Claims, secure: bool) -> String {
    let remaining = auth.sessions.lifetime.as_secs() as i64 - (claims.seen_at - claims.issued_at);
    Cookie::build((COOKIE_NAME, token::seal(&auth.keys.session, claims)))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(secure)
        .max_age(cookie::time::Duration::seconds(remaining.max(0)))
        .build()
        .to_string()
}

/// The `Set-Cookie` value that removes the session cookie.
pub fn removal_cookie(secure: bool) -> String {
    Cookie::build((COOKIE_NAME, ""))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(secure)
        .max_age(cookie::time::Duration::ZERO)
        .build()
        .to_string()
}

/// Claims for a new session of `user_id` at `generation`.
pub fn new_claims(user_id: UserId, generation: u32, now: i64) -> Claims {
    Claims {
        uid: user_id.0,
        generation,
        issued_at: now,
        seen_at: now,
        sid: getrandom::u64().unwrap_or_default(),
    }
}
