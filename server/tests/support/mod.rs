//! Shared test scaffolding: fresh databases, a running server, signed-in clients, and a
//! way to take the database away.

pub mod builders;
pub mod child_server;
pub mod db_proxy;
pub mod fake_platform;
pub mod fake_service;
pub mod operator;
pub mod simulator;
pub mod state_dir;
pub mod test_app;
pub mod test_db;
pub mod wait;
pub mod webhook_receiver;
