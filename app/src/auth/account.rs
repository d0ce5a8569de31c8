//! Signing in and out, and changing one's own password: the flows behind the `auth/*`
//! server functions.

use super::Auth;
use super::guard::{Actor, Visitor};
use super::password;
use super::refusals::record_sampled;
use super::session;
use super::throttle::Attempt;
use super::username::canonical_username;
use crate::domain::audit::Outcome;
use crate::domain::user::{Preferences, SessionUser, check_password};
use crate::error::{AppError, FieldError};
use crate::store::audit::{self, AuditRecord, Target};
use crate::store::users::{self, UserChange};

const WRONG_CREDENTIALS: &str = "wrong user name or password";

/// A session cookie to set on the response (`Set-Cookie` value).
pub type Cookie = String;

/// Checks the credentials and starts a session (the cookie to set comes back with the
/// user). The answer never says whether the user
/// exists; repeated failures for one account make the next attempt wait. The typed name is
/// looked up, and throttled, only in its canonical form; a name that has none names no
/// account and is refused without a lookup. Whatever an anonymous caller can repeat at
/// no cost (a bad name, a throttled account, a full hashing queue) is refused before any
/// database connection is taken, and recorded sampled; a password actually checked is
/// recorded every time.
pub async fn sign_in(
    visitor: &Visitor,
    typed_username: &str,
    password: String,
) -> Result<(SessionUser, Cookie), AppError> {
    let auth = &visitor.auth;
    let username = canonical_username(typed_username);
    let attempt = AuditRecord {
        actor_name: username
            .clone()
            .unwrap_or_else(|| typed_username.to_owned()),
        ..AuditRecord::anonymous(visitor.action, visitor.client_addr.clone())
    };
    let wrong_credentials = || AppError::Unauthenticated {
        message: WRONG_CREDENTIALS.to_owned(),
    };

    // Refusals that cost the caller nothing are answered no sooner than a checked
    // password would be, and after a pause: a flood is slowed down, not served flat out.
    let Some(username) = username else {
        drop(password);
        record_sampled(auth, &attempt, "not a valid user name").await;
        tokio::time::sleep(password::PATIENCE).await;
        return Err(wrong_credentials());
    };
    let guess = match let_attempt_through(auth, &username).await {
        Ok(guess) => guess,
        Err(error) => {
            drop(password);
            record_sampled(auth, &attempt, "too many wrong passwords").await;
            tokio::time::sleep(password::PATIENCE).await;
            return Err(error);
        }
    };
    let turn = match auth.hasher.turn(password::PATIENCE).await {
        Ok(turn) => turn,
        Err(busy) => {
            guess.withdraw();
            record_sampled(auth, &attempt, password::BUSY).await;
            return Err(busy);
        }
    };

    let row = users::find_by_username(&auth.store, &username).await?;
    let hash = row.as_ref().map(|r| r.password_hash().to_owned());
    let matches = turn.verify(password, hash).await?;
    let row = match row {
        Some(row) if matches && row.state().enabled => row,
        _ => {
            guess.failed();
            let why = Some(WRONG_CREDENTIALS);
            audit::record(&auth.store, &attempt, None, Outcome::Refused, why).await?;
            return Err(wrong_credentials());
        }
    };

    guess.succeeded();
    let state = row.state();
    let record = AuditRecord::of(&state.user, visitor.action, visitor.client_addr.clone());
    let target = Some(Target::new("user", state.user.id));
    audit::record(&auth.store, &record, target, Outcome::Ok, None).await?;
    let claims = session::new_claims(state.user.id, state.session_generation, session::now());
    let cookie = session::cookie(auth, &claims, visitor.https);
    auth.directory.put(state.clone());
    Ok((state.user, cookie))
}

/// Lets one password guess for the account `username` through the throttle, or says how
/// long to wait. Signing in and changing one's password share the count: both guess the
/// same password.
async fn let_attempt_through<'a>(auth: &'a Auth, username: &str) -> Result<Attempt<'a>, AppError> {
    auth.throttle
        .attempt(username)
        .await
        .map_err(|wait| AppError::Throttled {
            message: format!(
                "too many wrong passwords; try again in {} seconds",
                wait.as_secs().max(1)
            ),
        })
}

/// Ends the caller's sessions (on every device: the session generation moves on) and
/// gives the cookie that removes the session's. Removing the cookie works even while
/// the database is down.
pub async fn sign_out(actor: &Actor) -> Cookie {
    let ended = users::change(
        &actor.auth.store,
        &actor.record(),
        actor.user.id,
        None,
        UserChange::end_sessions(),
    )
    .await;
    match ended {
        Ok(row) => actor.auth.directory.put(row.state()),
        Err(error) => {
            tracing::warn!(user.id = %actor.user.id, %error, "sign-out could not end other sessions")
        }
    }
    session::removal_cookie(actor.https)
}

/// Replaces the caller's password after checking the current one; other sessions end,
/// this one continues with the fresh cookie that comes back.
pub async fn change_password(
    actor: &Actor,
    current: String,
    new: String,
) -> Result<(SessionUser, Cookie), AppError> {
    let mut errors: Vec<FieldError> = check_password("new_password", &new).into_iter().collect();
    if current == new {
        errors.push(FieldError::new(
            "new_password",
            "must differ from the current password",
        ));
    }
    if !errors.is_empty() {
        return Err(AppError::invalid(errors));
    }
    let auth = &actor.auth;
    let guess = let_attempt_through(auth, &actor.user.username).await?;
    let turn = match auth.hasher.turn(password::PATIENCE).await {
        Ok(turn) => turn,
        Err(busy) => {
            guess.withdraw();
            return Err(busy);
        }
    };
    let row = users::find_by_username(&auth.store, &actor.user.username)
        .await?
        .ok_or_else(|| AppError::not_found("your account"))?;
    if !turn
        .verify(current, Some(row.password_hash().to_owned()))
        .await?
    {
        guess.failed();
        return Err(AppError::invalid(vec![FieldError::new(
            "current_password",
            "this is not your current password",
        )]));
    }
    guess.succeeded();
    let hash = auth.hasher.hash(new).await?;
    let row = users::change(
        &auth.store,
        &actor.record(),
        actor.user.id,
        None,
        UserChange::password(hash, false),
    )
    .await?;
    let state = row.state();
    auth.directory.put(state.clone());
    let https = actor.https;
    let claims = session::new_claims(state.user.id, state.session_generation, session::now());
    Ok((state.user, session::cookie(auth, &claims, https)))
}

/// Keeps the caller's language and time zone in their profile (`None` follows the
/// browser). Their sessions go on; the cookies that come back make this browser follow
/// the choice at once.
pub async fn set_preferences(
    actor: &Actor,
    preferences: Preferences,
) -> Result<(SessionUser, Vec<Cookie>), AppError> {
    preferences.check().map_err(AppError::invalid)?;
    let row = users::change(
        &actor.auth.store,
        &actor.record(),
        actor.user.id,
        None,
        UserChange::preferences(preferences),
    )
    .await?;
    let state = row.state();
    actor.auth.directory.put(state.clone());
    let cookies = preference_cookies(&state.user.preferences, actor.https);
    Ok((state.user, cookies))
}

/// The cookies that make a browser follow a profile's choices (a choice left to the
/// browser sets none: the browser keeps its own).
pub fn preference_cookies(preferences: &Preferences, https: bool) -> Vec<Cookie> {
    let keep = |name: &'static str, value: &str| {
        cookie::Cookie::build((name, value.to_owned()))
            .path("/")
            .same_site(cookie::SameSite::Lax)
            .secure(https)
            .max_age(cookie::time::Duration::days(365))
            .build()
            .to_string()
    };
    let language = preferences
        .language
        .as_deref()
        .map(|code| keep(crate::language::COOKIE, code));
    let zone = preferences
        .time_zone
        .as_deref()
        .map(|zone| keep(crate::local_time::COOKIE, zone));
    language.into_iter().chain(zone).collect()
}
