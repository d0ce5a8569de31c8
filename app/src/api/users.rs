//! User administration (admins only): list, create, change role, disable/enable, reset
//! password. Every change ends the user's sessions and is refused if it would leave no
//! enabled admin.

use crate::domain::ids::UserId;
use crate::domain::role::Role;
use crate::domain::user::{NewUser, UserSummary};
use crate::error::AppError;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

#[cfg(feature = "ssr")]
mod server {
    use crate::auth::guard::Actor;
    use crate::domain::ids::UserId;
    use crate::domain::user::UserSummary;
    use crate::error::AppError;
    use crate::store::users::{self, UserChange};

    /// Applies an account change and updates the directory at once.
    pub async fn change(
        actor: &Actor,
        id: UserId,
        revision: Option<u32>,
        change: UserChange,
    ) -> Result<UserSummary, AppError> {
        let row = users::change(&actor.auth.store, &actor.record(), id, revision, change).await?;
        actor.auth.directory.put(row.state());
        Ok(row.summary())
    }
}

/// Every user, by user name.
#[server(endpoint = "users/list", input = Json, output = Json)]
pub async fn list_users() -> Result<Vec<UserSummary>, AppError> {
    use crate::domain::role::Action;
    super::server_side::run(Action::ListUsers, None, async |actor| {
        Ok(crate::store::users::list(&actor.auth.store).await?)
    })
    .await
}

/// Creates a user with a one-time password: they choose their own at first sign-in.
#[server(endpoint = "users/create", input = Json, output = Json)]
pub async fn create_user(user: NewUser) -> Result<UserSummary, AppError> {
    use crate::domain::role::Action;
    super::server_side::run(Action::CreateUser, None, async |actor| {
        // Stored in the one spelling sign-in looks up: see auth::username.
        let folded = crate::auth::username::fold(&user.username);
        let user = NewUser {
            username: folded.unwrap_or(user.username),
            ..user
        };
        user.validate().map_err(AppError::invalid)?;
        let hash = actor.auth.hasher.hash(user.password.clone()).await?;
        let row = crate::store::users::create(
            &actor.auth.store,
            &actor.record(),
            &user.username,
            user.display_name.trim(),
            user.role,
            hash,
            true,
        )
        .await?;
        actor.auth.directory.put(row.state());
        Ok(row.summary())
    })
    .await
}

/// Gives a user another role; `version` is the one the change was made from.
#[server(endpoint = "users/set_role", input = Json, output = Json)]
pub async fn set_user_role(id: UserId, role: Role, revision: u32) -> Result<UserSummary, AppError> {
    use crate::domain::role::Action;
    use crate::store::users::UserChange;
    let target = Some(crate::store::audit::Target::new("user", id));
    super::server_side::run(Action::SetUserRole, target, async |actor| {
        server::change(&actor, id, Some(revision), UserChange::role(role)).await
    })
    .await
}

/// Disables (ending their sessions) or enables a user.
#[server(endpoint = "users/set_enabled", input = Json, output = Json)]
pub async fn set_user_enabled(
    id: UserId,
    enabled: bool,
    revision: u32,
) -> Result<UserSummary, AppError> {
    use crate::domain::role::Action;
    use crate::store::users::UserChange;
    let target = Some(crate::store::audit::Target::new("user", id));
    super::server_side::run(Action::SetUserEnabled, target, async |actor| {
        server::change(&actor, id, Some(revision), UserChange::enabled(enabled)).await
    })
    .await
}

/// Sets a one-time password for a user who forgot theirs.
#[server(endpoint = "users/reset_password", input = Json, output = Json)]
pub async fn reset_user_password(
    id: UserId,
    new_password: String,
) -> Result<UserSummary, AppError> {
    use crate::domain::role::Action;
    use crate::domain::user::check_password;
    use crate::store::users::UserChange;
    let target = Some(crate::store::audit::Target::new("user", id));
    super::server_side::run(Action::ResetUserPassword, target, async |actor| {
        if let Some(error) = check_password("new_password", &new_password) {
            return Err(AppError::invalid(vec![error]));
        }
        let hash = actor.auth.hasher.hash(new_password).await?;
        server::change(&actor, id, None, UserChange::password(hash, true)).await
    })
    .await
}
