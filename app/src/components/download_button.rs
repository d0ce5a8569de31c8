//! A button that fetches a text from the server and offers it as a file: the link that
//! saves it appears next to the button (a `data:` URL, so nothing is kept anywhere);
//! a refusal appears there instead.

use crate::error::AppError;
use crate::language::tr;
use leptos::prelude::*;
use std::future::Future;

#[component]
pub fn DownloadButton<F, Fut>(
    /// The button's text ("Export JSON").
    label: &'static str,
    /// The file's name as the browser saves it.
    file_name: String,
    /// The file's media type ("text/csv").
    media_type: &'static str,
    /// Fetches the file's text.
    fetch: F,
) -> impl IntoView
where
    F: Fn() -> Fut + Clone + Send + Sync + 'static,
    Fut: Future<Output = Result<String, AppError>> + 'static,
{
    let link = RwSignal::new(None::<Result<String, AppError>>);
    let export = move |_| {
        let fetch = fetch.clone();
        leptos::task::spawn_local(async move {
            let result = fetch().await.map(|text| {
                let encoded: String = leptos::web_sys::js_sys::encode_uri_component(&text).into();
                format!("data:{media_type};charset=utf-8,{encoded}")
            });
            link.set(Some(result));
        });
    };
    view! {
        <button type="button" on:click=export>{label}</button>
        {move || link.get().map(|result| match result {
            Ok(href) => view! {
                " " <a class="button" href=href download=file_name.clone()>{tr!(common.download, file = file_name.clone())}</a>
            }.into_any(),
            Err(error) => view! { <span class="form-error" role="alert">{error.to_string()}</span> }.into_any(),
        })}
    }
}
