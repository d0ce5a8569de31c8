//! The browser entry point: hydrates the server-rendered console. Nothing else lives here.

/// Hydrates the page, waiting first for the lazily loaded code of the route it shows
/// (see `app/src/routes.rs`).
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_lazy(app::App);
}
