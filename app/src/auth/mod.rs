//! Who is calling, and may they: passwords, session tokens, the in-memory user directory,
//! sign-in throttling and the guard (`guard::authorize`) every server function and the
//! live channel start with. Server only; needs no Leptos context (the `api` layer reads
//! the request and sets cookies).

pub mod account;
pub mod bootstrap;
pub mod client;
pub mod directory;
pub mod guard;
pub mod keys;
pub mod password;
pub mod refusals;
pub mod session;
pub mod throttle;
pub mod token;
pub mod username;

use crate::store::{Store, StoreError};
use client::TrustedProxies;
use directory::Directory;
use keys::Keys;
use password::PasswordHasher;
use refusals::RefusalSampler;
use session::SessionPolicy;
use std::sync::Arc;
use throttle::SignInThrottle;

/// What deciding who is calling needs: the store (users, audit), the derived keys,
/// password hashing, the user directory, sign-in throttling, refusal sampling, the
/// session policy and the trusted proxies.
#[derive(Debug, Clone)]
pub struct Auth {
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

impl Auth {
    /// Reloads the user directory from the database.
    pub async fn refresh_directory(&self) -> Result<(), StoreError> {
        let states = crate::store::users::session_states(&self.store).await?;
        self.directory.replace_all(states);
        Ok(())
    }
}
