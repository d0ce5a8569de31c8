//! Types shared by browser and server: what Switchyard talks about, and the rules that
//! decide whether a value is valid. Serde only; compiles to WASM.

pub mod audit;
pub mod choice;
pub mod cluster;
pub mod connection;
pub mod environment;
pub mod event;
pub mod execution;
pub mod ids;
pub mod language;
pub mod live;
pub mod plan;
pub mod platform;
pub mod restart_order;
pub mod role;
pub mod run_mode;
pub mod simulator;
pub mod step;
pub mod text;
pub mod time;
pub mod user;
pub mod valid;
pub mod webhook;
pub mod zone;
