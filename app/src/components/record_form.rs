//! The frame of a record's create-or-edit form: its heading, the error that belongs to no
//! field, the domain's check before sending, and Create or Save (and Cancel while
//! editing). The fields are the page's own.

use super::editor_buttons::EditorButtons;
use super::form_feedback::{EditorFeedback, FormMessage};
use super::record_section::RecordApi;
use crate::domain::valid::Valid;
use crate::error::{AppError, FieldError};
use leptos::prelude::*;

#[component]
pub fn RecordForm<T, F>(
    api: RecordApi<T, F>,
    /// The record being edited; `None` while creating.
    editing: RwSignal<Option<T>>,
    /// From `api.feedback(editing)`; the fields show its `error` too.
    feedback: EditorFeedback,
    /// The form's accessible name ("Data center").
    label: &'static str,
    /// The heading while creating ("Create a data center") and while editing.
    create_title: &'static str,
    edit_title: &'static str,
    /// The submit button while creating ("Create data center").
    create_label: &'static str,
    #[prop(default = "stacked-form")] class: &'static str,
    /// Reads the fields into the form that is sent.
    read: Callback<(), F>,
    /// The check the server runs too.
    validate: fn(&F) -> Result<Valid<F>, Vec<FieldError>>,
    children: Children,
) -> impl IntoView
where
    T: Clone + Send + Sync + 'static,
    F: 'static,
{
    let EditorFeedback { local, error } = feedback;
    let submit = Callback::new(move |()| {
        let form = read.run(());
        // The same check the server runs: errors show before the round trip.
        if let Err(errors) = validate(&form) {
            local.set(Some(AppError::invalid(errors)));
            return;
        }
        local.set(None);
        api.save(editing.get(), form);
    });
    let texts = Texts {
        label,
        class,
        create_title,
        edit_title,
        create_label,
    };
    form(
        texts,
        error,
        Signal::derive(move || editing.with(Option::is_some)),
        submit,
        Callback::new(move |()| editing.set(None)),
        children,
    )
}

struct Texts {
    label: &'static str,
    class: &'static str,
    create_title: &'static str,
    edit_title: &'static str,
    create_label: &'static str,
}

/// The form itself, the same for every kind of record.
fn form(
    texts: Texts,
    error: Signal<Option<AppError>>,
    editing: Signal<bool>,
    submit: Callback<()>,
    cancel: Callback<()>,
    children: Children,
) -> AnyView {
    let Texts {
        label,
        class,
        create_title,
        edit_title,
        create_label,
    } = texts;
    view! {
        <form
            class=class
            aria-label=label
            on:submit=move |ev| {
                ev.prevent_default();
                submit.run(());
            }
        >
            <h2>{move || if editing.get() { edit_title } else { create_title }}</h2>
            <FormMessage error />
            {children()}
            <EditorButtons editing create_label on_cancel=cancel />
        </form>
    }
    .into_any()
}
