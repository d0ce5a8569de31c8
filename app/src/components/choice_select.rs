//! A labelled select over a `choice!` set, bound to a signal: each option shows the
//! value's label and carries its stored name.

use crate::domain::choice::Choice;
use crate::language::{self, labels::Localized};
use leptos::prelude::*;

pub fn choice_select<T: Choice + Localized>(
    label: &'static str,
    value: RwSignal<T>,
) -> impl IntoView {
    let chosen = move |ev| {
        if let Some(v) = T::parse(&event_target_value(&ev)) {
            value.set(v);
        }
    };
    view! {
        <label>
            {label}
            <select on:change=chosen>
                {T::all().iter().map(|o| {
                    let o = *o;
                    view! { <option value=o.as_str() selected=move || value.get() == o>{o.localized(language::locale())}</option> }
                }).collect_view()}
            </select>
        </label>
    }
}
