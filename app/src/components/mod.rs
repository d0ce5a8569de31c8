//! Reusable pieces of the UI, one component per file.

pub mod choice_select;
pub mod confirm_button;
pub mod confirm_delete;
pub mod console_layout;
pub mod delete_button;
pub mod download_button;
pub mod editor_buttons;
pub mod error_view;
pub mod execution_state_badge;
pub mod form_feedback;
pub mod language_switch;
pub mod layer_badge;
pub mod param_list;
pub mod plan_diff_view;
pub mod plan_status_badge;
pub mod record_form;
pub mod record_section;
pub mod role_gate;
pub mod run_mode_banner;
pub mod step_status_badge;
pub mod step_view;
pub mod text_field;
