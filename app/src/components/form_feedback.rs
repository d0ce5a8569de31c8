//! Messages about a submitted form: the error for one field, next to it, and the error
//! that belongs to no field, above the form.

use crate::error::AppError;
use leptos::prelude::*;

/// The latest error of a form's action, if its last submission failed.
pub fn last_error<T, V>(value: V) -> Signal<Option<AppError>>
where
    V: Get<Value = Option<Result<T, AppError>>> + Send + Sync + 'static,
{
    Signal::derive(move || value.get().and_then(Result::err))
}

fn message_for(error: &AppError, field: &str) -> Option<String> {
    match error {
        AppError::Validation { errors } => errors
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.message.clone()),
        AppError::Conflict {
            field: Some(f),
            message,
            ..
        } if f == field => Some(message.clone()),
        _ => None,
    }
}

/// Whether an error is shown next to a field rather than above the form.
fn belongs_to_a_field(error: &AppError) -> bool {
    matches!(
        error,
        AppError::Validation { .. } | AppError::Conflict { field: Some(_), .. }
    )
}

/// The message for `field`, shown next to it.
#[component]
pub fn FieldMessage(
    error: Signal<Option<AppError>>,
    /// The field's name; a signal where it can change (a step that moves).
    #[prop(into)]
    field: Signal<String>,
) -> impl IntoView {
    move || {
        let field = field.get();
        error
            .get()
            .and_then(|e| message_for(&e, &field))
            .map(|message| {
                view! { <span class="field-error" role="alert" data-field=field>{message}</span> }
            })
    }
}

/// The error that belongs to no single field, as an alert.
#[component]
pub fn FormMessage(error: Signal<Option<AppError>>) -> impl IntoView {
    move || {
        error.get().filter(|e| !belongs_to_a_field(e)).map(|e| {
            view! { <p class="form-error" role="alert">{e.to_string()}</p> }
        })
    }
}

/// The feedback of a create-or-edit form: `local` holds the result of the form's own check
/// (the same one the server runs), and `error` shows it, or else the last answer of the
/// action in use (update while editing, create otherwise). Choosing another record (or
/// none) clears the form's own check; a successful edit closes the editor.
#[derive(Clone, Copy)]
pub struct EditorFeedback {
    pub local: RwSignal<Option<AppError>>,
    pub error: Signal<Option<AppError>>,
}

pub fn editor_feedback<E, C, U, A, B>(
    editing: RwSignal<Option<E>>,
    create: C,
    update: U,
) -> EditorFeedback
where
    E: Send + Sync + 'static,
    A: Send + Sync + 'static,
    B: Send + Sync + 'static,
    C: Get<Value = Option<Result<A, AppError>>> + Send + Sync + Clone + 'static,
    U: Get<Value = Option<Result<B, AppError>>> + Send + Sync + Clone + 'static,
{
    let local = RwSignal::new(None::<AppError>);
    let created = last_error(create);
    let updated = last_error(update.clone());
    Effect::new(move || {
        editing.track();
        local.set(None);
    });
    Effect::new(move || {
        if matches!(update.get(), Some(Ok(_))) {
            editing.set(None);
        }
    });
    let error = Signal::derive(move || {
        local.get().or_else(|| {
            if editing.with(Option::is_some) {
                updated.get()
            } else {
                created.get()
            }
        })
    });
    EditorFeedback { local, error }
}
