//! The unsaved-changes guard: nothing typed into the plan form is lost by leaving it
//! without being asked first.

use leptos::prelude::*;

pub(super) const LEAVE: &str = "Leave without saving? Your changes will be lost.";

/// Asks before leaving while `dirty` holds: the browser's own prompt when the page
/// unloads, and ours when a link inside the console is followed (the router would
/// otherwise swap the page without unloading it).
pub(super) fn warn_before_leaving(dirty: RwSignal<bool>) {
    use leptos::wasm_bindgen::JsCast;
    use leptos::wasm_bindgen::closure::Closure;
    use leptos::web_sys::{Element, MouseEvent};
    Effect::new(move || {
        let unload = window_event_listener(leptos::ev::beforeunload, move |ev| {
            if dirty.get_untracked() {
                ev.prevent_default();
                ev.set_return_value(LEAVE);
            }
        });
        let on_click = Closure::<dyn Fn(MouseEvent)>::new(move |ev: MouseEvent| {
            let on_link = ev
                .target()
                .and_then(|target| target.dyn_into::<Element>().ok())
                .and_then(|element| element.closest("a[href]").ok().flatten())
                .is_some();
            if on_link
                && dirty.get_untracked()
                && !window().confirm_with_message(LEAVE).unwrap_or(true)
            {
                ev.prevent_default();
                ev.stop_immediate_propagation();
            }
        });
        // Capture on the document runs before the router's own click handling.
        let _ = document().add_event_listener_with_callback_and_bool(
            "click",
            on_click.as_ref().unchecked_ref(),
            true,
        );
        let on_click = StoredValue::new_local(on_click);
        on_cleanup(move || {
            unload.remove();
            on_click.with_value(|listener| {
                let _ = document().remove_event_listener_with_callback_and_bool(
                    "click",
                    listener.as_ref().unchecked_ref(),
                    true,
                );
            });
        });
    });
}
