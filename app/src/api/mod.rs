//! Server functions: the only door from the browser to the server. Each one has an
//! explicit, stable endpoint under `/api`, takes and answers JSON, starts with its access
//! check (`require` or `visit`, see `auth::guard`), and stays thin: check, validate, call
//! the store. The endpoints and who may call them are listed in `domain::role::Action`.

pub mod audit;
pub mod auth;
pub mod catalog;
pub mod cluster;
pub mod connections;
pub mod environment;
pub mod executions;
pub mod plans;
pub mod run_mode;
#[cfg(feature = "ssr")]
mod server_side;
pub mod simulator;
pub mod users;
pub mod webhooks;
