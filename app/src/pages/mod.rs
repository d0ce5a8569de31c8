//! One module a page; each page component's name ends in `Page`.

pub mod home;
pub mod not_found;
pub mod step_catalog;
pub mod upcoming;
