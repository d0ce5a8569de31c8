//! A button for a change that cannot be taken back (other than deleting): clicking it
//! asks first, saying what the change does; only confirming runs `on_confirm`.

use leptos::prelude::*;

#[component]
pub fn ConfirmButton(
    /// The button's text, and the confirming button's ("Reset world").
    label: &'static str,
    /// What confirming does, as a person reads it.
    question: &'static str,
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
                <p>{question}</p>
                <button type="button" class="danger" on:click=move |_| {
                    confirming.set(false);
                    on_confirm.run(());
                }>{label}</button>
                " "
                <button type="button" on:click=move |_| confirming.set(false)>"Cancel"</button>
            </div>
        </Show>
    }
}
