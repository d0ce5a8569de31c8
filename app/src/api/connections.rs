//! Connection configs (配置信息). Everyone signed in reads them (auditors without
//! usernames); operators and admins change and test them. Passwords never leave the server.

use crate::domain::connection::{ConnectionConfig, ConnectionConfigForm, ConnectionTest};
use crate::domain::ids::ConnectionConfigId;
use crate::error::AppError;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

#[cfg(feature = "ssr")]
fn for_viewer(mut config: ConnectionConfig, viewer: crate::domain::role::Role) -> ConnectionConfig {
    if !viewer.sees_config_usernames() {
        config.username = None;
    }
    config
}

/// Every connection config, by data center and name.
#[server(endpoint = "connection_configs/list", input = Json, output = Json)]
pub async fn list_connection_configs() -> Result<Vec<ConnectionConfig>, AppError> {
    use crate::auth::guard::require;
    use crate::domain::role::Action;
    super::server_side::answer(async {
        let actor = require(Action::ListConnectionConfigs).await?;
        let mut conn = actor.services.store.conn().await?;
        let configs = crate::store::connection_configs::list(&mut conn).await?;
        Ok(configs
            .into_iter()
            .map(|c| for_viewer(c, actor.user.role))
            .collect())
    })
    .await
}

/// Creates a connection config; a password given is stored encrypted.
#[server(endpoint = "connection_configs/create", input = Json, output = Json)]
pub async fn create_connection_config(
    form: ConnectionConfigForm,
) -> Result<ConnectionConfig, AppError> {
    use crate::auth::guard::require;
    use crate::domain::role::Action;
    super::server_side::answer(async {
        let actor = require(Action::CreateConnectionConfig).await?;
        actor
            .audited(None, async {
                let form = form.validate().map_err(AppError::invalid)?;
                let mut conn = actor.services.store.conn().await?;
                let key = &actor.services.keys.stored_secrets;
                crate::store::connection_configs::create(&mut conn, &actor.record(), key, &form)
                    .await
            })
            .await
    })
    .await
}

/// Changes a connection config; the password is kept, replaced or cleared as the form says.
#[server(endpoint = "connection_configs/update", input = Json, output = Json)]
pub async fn update_connection_config(
    id: ConnectionConfigId,
    version: u32,
    form: ConnectionConfigForm,
) -> Result<ConnectionConfig, AppError> {
    use crate::auth::guard::require;
    use crate::domain::role::Action;
    use crate::store::audit::Target;
    super::server_side::answer(async {
        let actor = require(Action::UpdateConnectionConfig).await?;
        actor
            .audited(Some(Target::new("connection_config", id)), async {
                let form = form.validate().map_err(AppError::invalid)?;
                let mut conn = actor.services.store.conn().await?;
                let key = &actor.services.keys.stored_secrets;
                crate::store::connection_configs::update(
                    &mut conn,
                    &actor.record(),
                    key,
                    id,
                    version,
                    &form,
                )
                .await
            })
            .await
    })
    .await
}

#[server(endpoint = "connection_configs/delete", input = Json, output = Json)]
pub async fn delete_connection_config(
    id: ConnectionConfigId,
    version: u32,
) -> Result<(), AppError> {
    use crate::auth::guard::require;
    use crate::domain::role::Action;
    use crate::store::audit::Target;
    super::server_side::answer(async {
        let actor = require(Action::DeleteConnectionConfig).await?;
        actor
            .audited(Some(Target::new("connection_config", id)), async {
                let mut conn = actor.services.store.conn().await?;
                crate::store::connection_configs::delete(&mut conn, &actor.record(), id, version)
                    .await
            })
            .await
    })
    .await
}

/// Calls the endpoint's health route with the stored credentials: reachable, refused,
/// timed out, or bad credentials, within a few seconds.
#[server(endpoint = "connection_configs/test", input = Json, output = Json)]
pub async fn test_connection_config(id: ConnectionConfigId) -> Result<ConnectionTest, AppError> {
    use crate::auth::guard::require;
    use crate::domain::role::Action;
    use crate::store::audit::Target;
    super::server_side::answer(async {
        let actor = require(Action::TestConnectionConfig).await?;
        let target = Target::new("connection_config", id);
        actor
            .audited(Some(target.clone()), async {
                let key = &actor.services.keys.stored_secrets;
                let (host, port, username, password) = {
                    let mut conn = actor.services.store.conn().await?;
                    crate::store::connection_configs::credentials(&mut conn, key, id).await?
                };
                let result =
                    crate::probe::test_connection(&host, port, &username, password.as_deref())
                        .await;
                let mut conn = actor.services.store.conn().await?;
                crate::store::audit::write_ok(&mut conn, &actor.record(), target).await?;
                Ok(result)
            })
            .await
    })
    .await
}

/// One connection config (never its password).
#[server(endpoint = "connection_configs/get", input = Json, output = Json)]
pub async fn get_connection_config(id: ConnectionConfigId) -> Result<ConnectionConfig, AppError> {
    use crate::auth::guard::require;
    use crate::domain::role::Action;
    super::server_side::answer(async {
        let actor = require(Action::GetConnectionConfig).await?;
        let mut conn = actor.services.store.conn().await?;
        let config = crate::store::connection_configs::get(&mut conn, id.0).await?;
        Ok(for_viewer(config, actor.user.role))
    })
    .await
}
