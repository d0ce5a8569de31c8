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
    use crate::domain::role::Action;
    super::server_side::run(Action::ListConnectionConfigs, None, async |actor| {
        let configs = crate::store::connection_configs::list(&actor.auth.store).await?;
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
    use crate::domain::role::Action;
    super::server_side::run(Action::CreateConnectionConfig, None, async |actor| {
        let form = form.validate().map_err(AppError::invalid)?;
        let key = &actor.auth.keys.stored_secrets;
        Ok(
            crate::store::connection_configs::create(
                &actor.auth.store,
                &actor.record(),
                key,
                &form,
            )
            .await?,
        )
    })
    .await
}

/// Changes a connection config; the password is kept, replaced or cleared as the form says.
#[server(endpoint = "connection_configs/update", input = Json, output = Json)]
pub async fn update_connection_config(
    id: ConnectionConfigId,
    revision: u32,
    form: ConnectionConfigForm,
) -> Result<ConnectionConfig, AppError> {
    use crate::domain::role::Action;
    use crate::store::audit::Target;
    super::server_side::run(
        Action::UpdateConnectionConfig,
        Some(Target::new("connection_config", id)),
        async |actor| {
            let form = form.validate().map_err(AppError::invalid)?;
            let key = &actor.auth.keys.stored_secrets;
            Ok(crate::store::connection_configs::update(
                &actor.auth.store,
                &actor.record(),
                key,
                id,
                revision,
                &form,
            )
            .await?)
        },
    )
    .await
}

#[server(endpoint = "connection_configs/delete", input = Json, output = Json)]
pub async fn delete_connection_config(
    id: ConnectionConfigId,
    revision: u32,
) -> Result<(), AppError> {
    use crate::domain::role::Action;
    use crate::store::audit::Target;
    super::server_side::run(
        Action::DeleteConnectionConfig,
        Some(Target::new("connection_config", id)),
        async |actor| {
            Ok(crate::store::connection_configs::delete(
                &actor.auth.store,
                &actor.record(),
                id,
                revision,
            )
            .await?)
        },
    )
    .await
}

/// Calls the endpoint's health route with the stored credentials: reachable, refused,
/// timed out, or bad credentials, within a few seconds.
#[server(endpoint = "connection_configs/test", input = Json, output = Json)]
pub async fn test_connection_config(id: ConnectionConfigId) -> Result<ConnectionTest, AppError> {
    use crate::domain::role::Action;
    use crate::store::audit::Target;
    let target = Target::new("connection_config", id);
    super::server_side::run(Action::TestConnectionConfig, Some(target), async |actor| {
        crate::probe::test_stored(&actor, id).await
    })
    .await
}

/// One connection config (never its password).
#[server(endpoint = "connection_configs/get", input = Json, output = Json)]
pub async fn get_connection_config(id: ConnectionConfigId) -> Result<ConnectionConfig, AppError> {
    use crate::domain::role::Action;
    super::server_side::run(Action::GetConnectionConfig, None, async |actor| {
        let config = crate::store::connection_configs::get(&actor.auth.store, id).await?;
        Ok(for_viewer(config, actor.user.role))
    })
    .await
}
