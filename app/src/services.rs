//! Everything server functions reach on the server, provided into each request's context
//! by the router: the store, the derived keys, password hashing, the user directory,
//! sign-in throttling, refusal sampling, the session policy and the trusted proxies.

use crate::auth::client::TrustedProxies;
use crate::auth::directory::Directory;
use crate::auth::keys::Keys;
use crate::auth::password::PasswordHasher;
use crate::auth::refusals::RefusalSampler;
use crate::auth::session::SessionPolicy;
use crate::auth::throttle::SignInThrottle;
use crate::error::AppError;
use crate::store::Store;
use leptos::prelude::*;
use std::sync::Arc;

#[derive(Debug, Clone)]
pub struct Services {
    pub store: Store,
    pub keys: Arc<Keys>,
    pub hasher: PasswordHasher,
    pub directory: Directory,
    pub throttle: Arc<SignInThrottle>,
    pub refusals: Arc<RefusalSampler>,
    pub sessions: SessionPolicy,
    /// Reverse proxies whose forwarding headers name the client.
    pub proxies: TrustedProxies,
}

impl Services {
    /// The services of the current request.
    pub fn current() -> Result<Self, AppError> {
        use_context::<Self>().ok_or_else(|| {
            tracing::error!("no services in the request context");
            AppError::Internal
        })
    }

    /// Reloads the user directory from the database.
    pub async fn refresh_directory(&self) -> Result<(), AppError> {
        let mut conn = self.store.conn().await?;
        let states = crate::store::users::session_states(&mut conn).await?;
        self.directory.replace_all(states);
        Ok(())
    }
}
