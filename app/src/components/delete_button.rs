//! A Delete button that asks first: clicking it opens the confirmation, which names what
//! goes and says it cannot be undone; only confirming runs `on_confirm`.

use super::confirm_delete::ConfirmDelete;
use crate::language::tr;
use leptos::prelude::*;

#[component]
pub fn DeleteButton(
    /// What will be deleted, as a person reads it ("the plan Power loss").
    #[prop(into)]
    what: TextProp,
    on_confirm: Callback<()>,
    /// The button's class: `danger` for a toolbar button, `link danger` inside a row.
    #[prop(default = "danger")]
    class: &'static str,
) -> impl IntoView {
    let confirming = RwSignal::new(false);
    view! {
        <button type="button" class=class on:click=move |_| confirming.set(true)>{tr!(common.action.delete)}</button>
        <Show when=move || confirming.get()>
            <ConfirmDelete
                what=what.clone()
                on_confirm=Callback::new(move |()| {
                    confirming.set(false);
                    on_confirm.run(());
                })
                on_cancel=Callback::new(move |()| confirming.set(false))
            />
        </Show>
    }
}
