//! Asks before a delete: names what goes, says it cannot be undone, offers a way back.

use crate::language::{self, tr, trv};
use leptos::prelude::*;

#[component]
pub fn ConfirmDelete(
    /// What will be deleted, as a person reads it ("the data center Shanghai-A").
    #[prop(into)]
    what: TextProp,
    on_confirm: Callback<()>,
    on_cancel: Callback<()>,
) -> impl IntoView {
    view! {
        <div class="confirm" role="alertdialog" aria-label=tr!(common.confirm_delete.label)>
            <p>{trv!(common.confirm_delete.question, what = what.get().to_string(), <b> = language::strong)}</p>
            <button type="button" class="danger" on:click=move |_| on_confirm.run(())>{tr!(common.action.delete)}</button>
            " "
            <button type="button" on:click=move |_| on_cancel.run(())>{tr!(common.action.cancel)}</button>
        </div>
    }
}
