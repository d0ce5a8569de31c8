//! DR plans: a plan row with its versions, their steps, editors and reviews.
//!
//! A plan has at most one working version (draft or in review) beside its approved ones;
//! an approved version is never written again. `read` reads them, `lifecycle` changes
//! them (through `Store::change`), `content` writes what a version says; `readiness`
//! keeps whether each active plan would still work today.

mod content;
mod lifecycle;
mod read;
pub mod readiness;

pub use lifecycle::{approve, create, deactivate, delete, reject, submit, update};
pub use read::{get, list, refs};

use crate::store::StoreError;

/// A stored status string as its enum; an unknown one is a fault of ours, not the caller's.
fn parse<T>(value: Option<T>, what: &str, text: &str) -> Result<T, StoreError> {
    value
        .ok_or_else(|| StoreError::internal(format!("unknown {what} {text:?} in the plans tables")))
}
