//! The sign-in page. After signing in, the browser goes where it was headed.

use crate::api::auth::SignIn;
use crate::components::form_feedback::{FormMessage, last_error};
use crate::components::text_field::TextField;
use crate::i18n::{t, t_string, use_i18n};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// Only paths on this site, never `//other.site`. Browsers drop tabs and line breaks from
/// a URL and read a backslash as `/`, so `/<tab>/other.site` would leave the site too: a path
/// with any control character, space or backslash is not followed.
fn safe_next(next: Option<String>) -> String {
    next.filter(|n| {
        n.starts_with('/')
            && !n.starts_with("//")
            && !n
                .chars()
                .any(|c| c.is_control() || c.is_whitespace() || c == '\\')
    })
    .unwrap_or_else(|| "/".to_owned())
}

#[component]
pub fn SignInPage() -> impl IntoView {
    let query = use_query_map();
    let sign_in = ServerAction::<SignIn>::new();
    let username = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let hydrated = RwSignal::new(false);
    Effect::new(move || hydrated.set(true));
    Effect::new(move || {
        if let Some(Ok(user)) = sign_in.value().get() {
            let next = if user.must_change_password {
                "/account".to_owned()
            } else {
                safe_next(query.read().get("next"))
            };
            let _ = window().location().set_href(&next);
        }
    });
    let error = last_error(sign_in.value());
    let i18n = use_i18n();

    view! {
        <Title text=move || t_string!(i18n, common.sign_in.title) />
        <section class="sign-in">
            <h1>{t!(i18n, common.sign_in.title)}</h1>
            <p class="lede">{t!(i18n, common.sign_in.lede)}</p>
            <form
                class="stacked-form"
                on:submit=move |ev| {
                    ev.prevent_default();
                    sign_in.dispatch(SignIn { username: username.get(), password: password.get() });
                }
            >
                <FormMessage error />
                <TextField label=move || t_string!(i18n, common.sign_in.user_name) value=username autocomplete="username" required=true />
                <TextField label=move || t_string!(i18n, common.sign_in.password) kind="password" value=password autocomplete="current-password" required=true />
                <button type="submit" class="primary" disabled=move || !hydrated.get() || sign_in.pending().get()>
                    {move || if sign_in.pending().get() { t_string!(i18n, common.sign_in.pending) } else { t_string!(i18n, common.sign_in.submit) }}
                </button>
            </form>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn only_local_paths_are_followed() {
        assert_eq!(safe_next(Some("/plans?x=1".into())), "/plans?x=1");
        assert_eq!(safe_next(Some("//evil.example".into())), "/");
        assert_eq!(safe_next(Some("https://evil.example".into())), "/");
        assert_eq!(safe_next(Some("/\\evil.example".into())), "/");
        assert_eq!(safe_next(Some("/\t/evil.example/".into())), "/");
        assert_eq!(safe_next(Some("/\n/evil.example/".into())), "/");
        assert_eq!(safe_next(Some(" //evil.example/".into())), "/");
        assert_eq!(safe_next(Some("/\u{0}/evil.example/".into())), "/");
        assert_eq!(safe_next(None), "/");
    }
}
