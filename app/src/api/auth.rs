//! Signing in and out, who is signed in, and changing one's own password.

use crate::domain::user::{Preferences, SessionUser};
use crate::error::AppError;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

/// Starts a session (sets the session cookie) and says who signed in.
#[server(endpoint = "auth/sign_in", input = Json, output = Json)]
pub async fn sign_in(username: String, password: String) -> Result<SessionUser, AppError> {
    use super::server_side::{run_public, set_cookie};
    use crate::auth::account;
    use crate::domain::role::Action;
    run_public(Action::SignIn, async |visitor| {
        let (user, cookie) = account::sign_in(&visitor, &username, password).await?;
        set_cookie(cookie);
        // The profile's language and time zone follow the user to this browser.
        for cookie in account::preference_cookies(&user.preferences, visitor.https) {
            set_cookie(cookie);
        }
        Ok(user)
    })
    .await
}

/// Ends the caller's sessions, on every device, and removes the cookie.
#[server(endpoint = "auth/sign_out", input = Json, output = Json)]
pub async fn sign_out() -> Result<(), AppError> {
    use super::server_side::{run, set_cookie};
    use crate::auth::account;
    use crate::domain::role::Action;
    run(Action::SignOut, None, async |actor| {
        set_cookie(account::sign_out(&actor).await);
        Ok(())
    })
    .await
}

/// Who is signed in.
#[server(endpoint = "auth/me", input = Json, output = Json)]
pub async fn current_user() -> Result<SessionUser, AppError> {
    use crate::domain::role::Action;
    super::server_side::run(Action::CurrentUser, None, async |actor| Ok(actor.user)).await
}

/// Replaces the caller's password; their other sessions end.
#[server(endpoint = "auth/change_password", input = Json, output = Json)]
pub async fn change_password(
    current_password: String,
    new_password: String,
) -> Result<SessionUser, AppError> {
    use super::server_side::{run, set_cookie};
    use crate::auth::account;
    use crate::domain::role::Action;
    run(Action::ChangeOwnPassword, None, async |actor| {
        let (user, cookie) =
            account::change_password(&actor, current_password, new_password).await?;
        set_cookie(cookie);
        Ok(user)
    })
    .await
}

/// Keeps the caller's language and time zone in their profile; `null` follows the
/// browser. Their sessions go on.
#[server(endpoint = "auth/preferences", input = Json, output = Json)]
pub async fn set_preferences(preferences: Preferences) -> Result<SessionUser, AppError> {
    use super::server_side::{run, set_cookie};
    use crate::auth::account;
    use crate::domain::role::Action;
    run(Action::SetOwnPreferences, None, async |actor| {
        let (user, cookies) = account::set_preferences(&actor, preferences).await?;
        for cookie in cookies {
            set_cookie(cookie);
        }
        Ok(user)
    })
    .await
}
