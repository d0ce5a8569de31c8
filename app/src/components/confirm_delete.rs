//! Asks before a delete: names what goes, says it cannot be undone, offers a way back.

use leptos::prelude::*;

#[component]
pub fn ConfirmDelete(
    /// What will be deleted, as a person reads it ("the data center Shanghai-A").
    #[prop(into)]
    what: String,
    on_confirm: Callback<()>,
    on_cancel: Callback<()>,
) -> impl IntoView {
    view! {
        <div class="confirm" role="alertdialog" aria-label="Confirm deletion">
            <p>"Delete " <strong>{what}</strong> "? This cannot be undone."</p>
            <button type="button" class="danger" on:click=move |_| on_confirm.run(())>"Delete"</button>
            " "
            <button type="button" on:click=move |_| on_cancel.run(())>"Cancel"</button>
        </div>
    }
}
