//! Shared test scaffolding: fresh databases and a running server.

pub mod test_app;
pub mod test_db;
