//! Steps: what the engine can run. One direction, from the inside out: the names
//! (`opcode`), what a catalog entry says of a step type (`step_type`), the built-in
//! catalog made of them (`catalog`), and the typed step a plan's step becomes (`spec`).

mod catalog;
mod opcode;
mod spec;
mod step_type;

pub use catalog::builtin_step_types;
pub use opcode::{HttpMethod, Opcode, Site};
pub use spec::{StepSpec, with_defaults};
pub use step_type::{Layer, ParamDef, ParamKind, StepType};
