//! Types shared by browser and server: what Switchyard talks about, and the rules that
//! decide whether a value is valid. Serde only; compiles to WASM.

pub mod catalog;
pub mod ids;
pub mod run_mode;
pub mod step;
