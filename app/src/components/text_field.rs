//! A labelled text input bound to a signal, with its field's error message beside it.

use super::form_feedback::FieldMessage;
use crate::error::AppError;
use leptos::prelude::*;

#[component]
pub fn TextField(
    /// The label: a fixed text or a translation (`move || t_string!(i18n, ...)`).
    #[prop(into)]
    label: TextProp,
    value: RwSignal<String>,
    /// The input type: `text` (the default), `password`, `search` ...
    #[prop(default = "text")]
    kind: &'static str,
    #[prop(optional)] autocomplete: Option<&'static str>,
    #[prop(optional)] required: bool,
    /// The form's last error, and the field name whose message shows here.
    #[prop(optional)]
    error: Option<(Signal<Option<AppError>>, &'static str)>,
) -> impl IntoView {
    view! {
        <label>
            {move || label.get()}
            <input
                type=kind
                autocomplete=autocomplete
                required=required
                prop:value=value
                on:input=move |ev| value.set(event_target_value(&ev))
            />
            {error.map(|(error, field)| view! { <FieldMessage error field /> })}
        </label>
    }
}

/// A `datetime-local` field's value (minutes, or seconds when the browser adds them),
/// read as the wall clock of `zone`, the reader's, like every time the console shows.
pub fn parse_time(text: &str, zone: &str) -> Option<chrono::DateTime<chrono::Utc>> {
    ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"]
        .iter()
        .find_map(|format| chrono::NaiveDateTime::parse_from_str(text, format).ok())
        .map(|time| crate::domain::zone::from_wall(time, zone))
}
