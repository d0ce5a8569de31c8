//! The signed-in person's own account: their language and time zone, and a new password.

use crate::api::auth::{ChangePassword, SetPreferences};
use crate::components::console_layout::use_current_user;
use crate::components::form_feedback::{FormMessage, last_error};
use crate::components::text_field::TextField;
use crate::domain::user::{Preferences, SessionUser};
use crate::error::{AppError, FieldError};
use crate::i18n::Locale;
use crate::language::{self, tr, trv};
use crate::local_time::ReaderZone;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn AccountPage() -> impl IntoView {
    let me = use_current_user();
    view! {
        <Title text=tr!(administration.account.title) />
        <h1>{tr!(administration.account.title)}</h1>
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                me.0.await.ok().map(|user| view! { <PreferencesForm user /> })
            })}
        </Transition>
        <PasswordForm />
    }
}

/// The language and time zone kept in the profile. A new language reloads the page, so
/// the server renders it in that language; a new zone applies at once.
#[component]
fn PreferencesForm(user: SessionUser) -> impl IntoView {
    let save = ServerAction::<SetPreferences>::new();
    let chosen_language = RwSignal::new(user.preferences.language.clone().unwrap_or_default());
    let time_zone = RwSignal::new(user.preferences.time_zone.clone().unwrap_or_default());
    let error = last_error(save.value());
    let zones = RwSignal::new(Vec::<String>::new());
    // The zones the browser knows, to pick from while typing (the server checks).
    Effect::new(move || zones.set(crate::domain::zone::browser_zones()));
    let page_language = language::locale();
    Effect::new(move || {
        if let Some(Ok(saved)) = save.value().get() {
            let speaks = saved
                .preferences
                .language
                .as_deref()
                .and_then(language::parse);
            if speaks.is_some_and(|wanted| wanted != page_language) {
                let _ = window().location().reload();
            } else if let Some(zone) = use_context::<ReaderZone>() {
                zone.follow(&saved);
            }
        }
    });
    let saved = move || matches!(save.value().get(), Some(Ok(_)));
    let optional = |text: String| (!text.trim().is_empty()).then(|| text.trim().to_owned());
    view! {
        <form
            class="stacked-form"
            aria-label=tr!(administration.preferences.title)
            on:submit=move |ev| {
                ev.prevent_default();
                save.dispatch(SetPreferences {
                    preferences: Preferences {
                        language: optional(chosen_language.get()),
                        time_zone: optional(time_zone.get()),
                    },
                });
            }
        >
            <h2>{tr!(administration.preferences.title)}</h2>
            <p class="muted">{tr!(administration.preferences.lede)}</p>
            <FormMessage error />
            <Show when=saved>
                <p class="form-ok" role="status">{tr!(common.action.saved)}</p>
            </Show>
            <label>
                {tr!(administration.preferences.language)}
                <select on:change=move |ev| chosen_language.set(event_target_value(&ev))>
                    <option value="" selected=move || chosen_language.get().is_empty()>
                        {tr!(administration.preferences.follow_browser)}
                    </option>
                    {[Locale::en, Locale::zh_CN].map(|locale| {
                        let code = language::code(locale);
                        view! {
                            <option value=code lang=code selected=move || chosen_language.get() == code>
                                {language_name(locale)}
                            </option>
                        }
                    }).collect_view()}
                </select>
            </label>
            <label>
                {tr!(administration.preferences.time_zone)}
                <input type="text" list="time-zones" autocomplete="off" prop:value=time_zone
                    on:input=move |ev| time_zone.set(event_target_value(&ev)) />
                <crate::components::form_feedback::FieldMessage error field="time_zone" />
            </label>
            <datalist id="time-zones">
                <For each=move || zones.get() key=|zone| zone.clone() let:zone>
                    <option value=zone></option>
                </For>
            </datalist>
            <button type="submit" class="primary" disabled=move || save.pending().get()>
                {tr!(common.action.save)}
            </button>
        </form>
    }
}

/// A language's name in that language.
fn language_name(locale: Locale) -> &'static str {
    match locale {
        Locale::en => crate::i18n::td_string!(Locale::en, common.language.en),
        Locale::zh_CN => crate::i18n::td_string!(Locale::zh_CN, common.language.zh_CN),
    }
}

#[component]
fn PasswordForm() -> impl IntoView {
    let change = ServerAction::<ChangePassword>::new();
    let current = RwSignal::new(String::new());
    let new = RwSignal::new(String::new());
    let confirm = RwSignal::new(String::new());
    let mismatch = RwSignal::new(None::<AppError>);
    let server_error = last_error(change.value());
    let error = Signal::derive(move || mismatch.get().or_else(|| server_error.get()));
    let done = move || matches!(change.value().get(), Some(Ok(_)));
    let mismatch_text = tr!(administration.account.mismatch);

    view! {
        <form
            class="stacked-form"
            aria-label=tr!(administration.account.password_title)
            on:submit=move |ev| {
                ev.prevent_default();
                if new.get() != confirm.get() {
                    mismatch.set(Some(AppError::invalid(vec![FieldError::new("confirm_password", mismatch_text)])));
                    return;
                }
                mismatch.set(None);
                change.dispatch(ChangePassword { current_password: current.get(), new_password: new.get() });
            }
        >
            <h2>{tr!(administration.account.password_title)}</h2>
            <p class="lede">{tr!(administration.account.lede)}</p>
            <FormMessage error />
            <Show when=done>
                <p class="form-ok" role="status">
                    {trv!(administration.account.changed, <a> = |children: ChildrenFn| view! { <a href="/">{children()}</a> })}
                </p>
            </Show>
            <TextField label=tr!(administration.account.current) kind="password" autocomplete="current-password" required=true
                value=current error=(error, "current_password") />
            <TextField label=tr!(administration.account.new) kind="password" autocomplete="new-password" required=true
                value=new error=(error, "new_password") />
            <TextField label=tr!(administration.account.repeat) kind="password" autocomplete="new-password" required=true
                value=confirm error=(error, "confirm_password") />
            <button type="submit" class="primary" disabled=move || change.pending().get()>{tr!(administration.account.change)}</button>
        </form>
    }
}
