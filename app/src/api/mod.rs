//! Server functions: the only door from the browser to the server. Each one has an
//! explicit, stable endpoint under `/api` and takes and answers JSON, so the HTTP API
//! can be scripted (see the README). They stay thin: check, validate, call the store.

pub mod catalog;
#[cfg(feature = "ssr")]
mod server_side;
