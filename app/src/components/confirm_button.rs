//! A button for a change that cannot be taken back (other than deleting): clicking it
//! asks first, saying what the change does; only confirming runs `on_confirm`.

use crate::language::tr;
use leptos::prelude::*;

#[component]
pub fn ConfirmButton(
    /// The button's text, and the confirming button's ("Reset world").
    label: &'static str,
    /// What confirming does, as a person reads it.
    /// What the dialog asks: `|| tr!(...)`, or `|| trv!(...)` for one that marks parts.
    #[prop(into)]
    question: ViewFn,
    /// The confirmation's accessible name ("Confirm reset").
    dialog: &'static str,
    on_confirm: Callback<()>,
    #[prop(default = "danger")] class: &'static str,
) -> impl IntoView {
    let confirming = RwSignal::new(false);
    view! {
        <button type="button" class=class on:click=move |_| confirming.set(true)>{label}</button>
        <Show when=move || confirming.get()>
            <div class="confirm" role="alertdialog" aria-label=dialog>
                <p>{question.run()}</p>
                <button type="button" class="danger" on:click=move |_| {
                    confirming.set(false);
                    on_confirm.run(());
                }>{label}</button>
                " "
                <button type="button" on:click=move |_| confirming.set(false)>{tr!(common.action.cancel)}</button>
            </div>
        </Show>
    }
}
