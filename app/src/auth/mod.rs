//! Who is calling, and may they: passwords, session tokens, the in-memory user directory,
//! sign-in throttling and the guard every server function starts with. Server only.

pub mod account;
pub mod bootstrap;
pub mod client;
pub mod directory;
pub mod guard;
pub mod keys;
pub mod password;
pub mod refusals;
pub mod session;
pub mod throttle;
pub mod token;
pub mod username;
