//! Everything server functions reach on the server, provided into each request's context
//! by the router. Today that is the auth services (with the store); the engine and the
//! live hub join them here.

use crate::auth::Auth;
use crate::error::AppError;
use crate::store::Store;
use leptos::prelude::*;

#[derive(Debug, Clone)]
pub struct Services {
    pub auth: Auth,
}

impl Services {
    /// The services of the current request.
    pub fn current() -> Result<Self, AppError> {
        use_context::<Self>().ok_or_else(|| {
            tracing::error!("no services in the request context");
            AppError::Internal
        })
    }

    pub fn store(&self) -> &Store {
        &self.auth.store
    }
}
