//! Reusable pieces of the UI, one component per file.

pub mod confirm_delete;
pub mod console_layout;
pub mod editor_buttons;
pub mod error_view;
pub mod form_feedback;
pub mod layer_badge;
pub mod param_list;
pub mod role_gate;
pub mod text_field;
