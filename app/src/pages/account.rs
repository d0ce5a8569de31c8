//! The signed-in person's own account: choose a new password.

use crate::api::auth::ChangePassword;
use crate::components::form_feedback::{FormMessage, last_error};
use crate::components::text_field::TextField;
use crate::error::{AppError, FieldError};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn AccountPage() -> impl IntoView {
    let change = ServerAction::<ChangePassword>::new();
    let current = RwSignal::new(String::new());
    let new = RwSignal::new(String::new());
    let confirm = RwSignal::new(String::new());
    let mismatch = RwSignal::new(None::<AppError>);
    let server_error = last_error(change.value());
    let error = Signal::derive(move || mismatch.get().or_else(|| server_error.get()));
    let done = move || matches!(change.value().get(), Some(Ok(_)));

    view! {
        <Title text="Account" />
        <h1>"Account"</h1>
        <p class="lede">"Choose a new password. Your other sessions end; this one continues."</p>
        <form
            class="stacked-form"
            on:submit=move |ev| {
                ev.prevent_default();
                if new.get() != confirm.get() {
                    mismatch.set(Some(AppError::invalid(vec![FieldError::new("confirm_password", "does not match the new password")])));
                    return;
                }
                mismatch.set(None);
                change.dispatch(ChangePassword { current_password: current.get(), new_password: new.get() });
            }
        >
            <FormMessage error />
            <Show when=done>
                <p class="form-ok" role="status">"Your password was changed. " <a href="/">"Continue to the console"</a></p>
            </Show>
            <TextField label="Current password" kind="password" autocomplete="current-password" required=true
                value=current error=(error, "current_password") />
            <TextField label="New password" kind="password" autocomplete="new-password" required=true
                value=new error=(error, "new_password") />
            <TextField label="Repeat the new password" kind="password" autocomplete="new-password" required=true
                value=confirm error=(error, "confirm_password") />
            <button type="submit" class="primary" disabled=move || change.pending().get()>"Change password"</button>
        </form>
    }
}
