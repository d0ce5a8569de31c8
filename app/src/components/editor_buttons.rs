//! The buttons under a create-or-edit form: submit, and while editing, Cancel.

use crate::language::tr;
use leptos::prelude::*;

#[component]
pub fn EditorButtons(
    /// Whether a record is being edited (rather than created).
    editing: Signal<bool>,
    create_label: &'static str,
    /// Stops editing, leaving the form to create.
    on_cancel: Callback<()>,
) -> impl IntoView {
    view! {
        <div>
            <button type="submit" class="primary">
                {move || if editing.get() { tr!(common.action.save) } else { create_label }}
            </button>
            <Show when=move || editing.get()>
                " " <button type="button" on:click=move |_| on_cancel.run(())>{tr!(common.action.cancel)}</button>
            </Show>
        </div>
    }
}
