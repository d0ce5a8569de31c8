//! The user directory: every user's role, state and session generation, mirrored in
//! memory. Sessions are checked against it, so they keep working while the database is
//! down; it is refreshed from the database every few seconds and at once after a change
//! made by this instance.

use crate::domain::ids::UserId;
use crate::domain::user::UserState;
use std::collections::HashMap;
use std::sync::{Arc, RwLock};

#[derive(Debug, Clone, Default)]
pub struct Directory {
    users: Arc<RwLock<HashMap<UserId, UserState>>>,
}

impl Directory {
    pub fn get(&self, id: UserId) -> Option<UserState> {
        self.users
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .get(&id)
            .cloned()
    }

    /// Replaces the whole mirror with what the database holds now.
    pub fn replace_all(&self, states: Vec<UserState>) {
        let fresh = states
            .into_iter()
            .map(|state| (state.user.id, state))
            .collect();
        *self
            .users
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = fresh;
    }

    /// Records one user's new state right after this instance changed it.
    pub fn put(&self, state: UserState) {
        self.users
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .insert(state.user.id, state);
    }
}
