//! Proof that a value passed its domain check. Only the domain's `validate` functions
//! make a `Valid<T>`, and the store accepts only these, so it never checks (or words)
//! the same rules again.

use std::ops::Deref;

/// A value of `T` that its domain check accepted (trimmed and normalised by it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Valid<T>(T);

impl<T> Valid<T> {
    /// Only domain checks vouch for a value.
    pub(in crate::domain) fn vouch(value: T) -> Self {
        Self(value)
    }

    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> Deref for Valid<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}

/// A plan checked against the catalog and the environment.
pub type ValidPlan = Valid<super::plan::PlanContent>;
