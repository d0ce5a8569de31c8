//! The buttons under a create-or-edit form: submit, and while editing, Cancel.

use leptos::prelude::*;

#[component]
pub fn EditorButtons<T: Send + Sync + 'static>(
    /// The record being edited; `None` while creating.
    editing: RwSignal<Option<T>>,
    create_label: &'static str,
) -> impl IntoView {
    view! {
        <div>
            <button type="submit" class="primary">
                {move || if editing.with(Option::is_some) { "Save" } else { create_label }}
            </button>
            <Show when=move || editing.with(Option::is_some)>
                " " <button type="button" on:click=move |_| editing.set(None)>"Cancel"</button>
            </Show>
        </div>
    }
}
