//! The comments on an execution, oldest first and live; operators, admins and auditors
//! add one while it runs or after.

use super::Page;
use super::clock::when;
use crate::api::executions::CommentExecution;
use crate::components::form_feedback::{FieldMessage, FormMessage, last_error};
use crate::domain::execution::view::ExecutionComment;
use crate::domain::role::Action;
use crate::language::tr;
use leptos::prelude::*;

#[component]
pub fn ExecutionComments(page: Page) -> impl IntoView {
    let comments = Memo::new(move |_| {
        page.detail
            .with(|d| d.as_ref().map(|d| d.comments.clone()).unwrap_or_default())
    });
    let text = RwSignal::new(String::new());
    let add = ServerAction::<CommentExecution>::new();
    let error = last_error(add.value());
    // Shown at once, even before the live channel brings it (it is kept once).
    Effect::new(move || {
        if let Some(Ok(comment)) = add.value().get() {
            text.set(String::new());
            page.detail.update(|d| {
                if let Some(d) = d
                    && !d.comments.iter().any(|c| c.id == comment.id)
                {
                    d.comments.push(comment);
                }
            });
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        add.dispatch(CommentExecution {
            id: page.id,
            text: text.get(),
        });
    };
    view! {
        <section class="card" aria-label=tr!(executions.comments.title) data-testid="comments">
            <h2>{tr!(executions.comments.title)}</h2>
            <Show when=move || !comments.with(Vec::is_empty)
                fallback=|| view! { <p class="muted">{tr!(executions.comments.none)}</p> }>
                <ol class="plain comments">
                    <For each=move || comments.get() key=|c| c.id let:comment>
                        <CommentItem comment />
                    </For>
                </ol>
            </Show>
            {page.can(Action::CommentExecution).then(|| view! {
                <form class="stacked-form" aria-label=tr!(executions.comments.form) on:submit=submit>
                    <label>
                        {tr!(executions.comments.comment)}
                        <textarea rows="2" prop:value=text
                            on:input=move |ev| text.set(event_target_value(&ev))></textarea>
                        <FieldMessage error field="text" />
                    </label>
                    <div>
                        <button type="submit" disabled=move || add.pending().get() || !page.hydrated.get()>
                            {tr!(executions.comments.add)}
                        </button>
                    </div>
                </form>
                <FormMessage error />
            })}
        </section>
    }
}

/// One comment: who, when, and the text with its line breaks.
#[component]
pub fn CommentItem(comment: ExecutionComment) -> impl IntoView {
    let author = comment
        .author
        .unwrap_or_else(|| tr!(common.deleted_user).to_owned());
    view! {
        <li data-testid="comment">
            <p class="small muted">
                <strong>{author}</strong> " · "
                <time datetime=comment.at.to_rfc3339()>{when(comment.at)}</time>
            </p>
            <p class="comment-text">{comment.text}</p>
        </li>
    }
}
