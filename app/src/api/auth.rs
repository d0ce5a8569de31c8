//! Signing in and out, who is signed in, and changing one's own password.

use crate::domain::user::SessionUser;
use crate::error::AppError;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

/// Starts a session (sets the session cookie) and says who signed in.
#[server(endpoint = "auth/sign_in", input = Json, output = Json)]
pub async fn sign_in(username: String, password: String) -> Result<SessionUser, AppError> {
    use crate::auth::{account, guard::visit};
    use crate::domain::role::Action;
    super::server_side::answer(async {
        let visitor = visit(Action::SignIn).await?;
        account::sign_in(&visitor, &username, password).await
    })
    .await
}

/// Ends the caller's sessions, on every device, and removes the cookie.
#[server(endpoint = "auth/sign_out", input = Json, output = Json)]
pub async fn sign_out() -> Result<(), AppError> {
    use crate::auth::{account, guard::require};
    use crate::domain::role::Action;
    super::server_side::answer(async {
        let actor = require(Action::SignOut).await?;
        account::sign_out(&actor).await
    })
    .await
}

/// Who is signed in.
#[server(endpoint = "auth/me", input = Json, output = Json)]
pub async fn current_user() -> Result<SessionUser, AppError> {
    use crate::auth::guard::require;
    use crate::domain::role::Action;
    super::server_side::answer(async { Ok(require(Action::CurrentUser).await?.user) }).await
}

/// Replaces the caller's password; their other sessions end.
#[server(endpoint = "auth/change_password", input = Json, output = Json)]
pub async fn change_password(
    current_password: String,
    new_password: String,
) -> Result<SessionUser, AppError> {
    use crate::auth::{account, guard::require};
    use crate::domain::role::Action;
    use crate::store::audit::Target;
    super::server_side::answer(async {
        let actor = require(Action::ChangeOwnPassword).await?;
        let target = Some(Target::new("user", actor.user.id));
        actor
            .audited(
                target,
                account::change_password(&actor, current_password, new_password),
            )
            .await
    })
    .await
}
