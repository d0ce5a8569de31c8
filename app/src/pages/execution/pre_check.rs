//! The pre-check of a new execution: every connection config the plan's steps will call
//! for the chosen data centers, which steps need it, and whether it answers now.

use crate::domain::execution::view::{PreCheck, PreCheckItem};
use crate::error::AppError;
use leptos::prelude::*;

#[component]
pub fn PreCheckSection(
    check: Resource<Result<Option<PreCheck>, AppError>>,
    /// Counts the requests to check again.
    again: RwSignal<u32>,
    /// Whether two different data centers are chosen.
    ready: Signal<bool>,
) -> impl IntoView {
    view! {
        <section class="pre-check" aria-label="Pre-check">
            <div class="pre-check-head">
                <h3>"Pre-check"</h3>
                <button type="button" disabled=move || !ready.get() on:click=move |_| again.update(|n| *n += 1)>
                    "Check again"
                </button>
            </div>
            <Suspense fallback=|| view! { <p class="muted" role="status">"Checking the configs…"</p> }>
                {move || Suspend::new(async move {
                    match check.await {
                        Ok(None) => view! {
                            <p class="muted">"Choose the failed and the emergency data center to see what the run will need."</p>
                        }.into_any(),
                        Ok(Some(found)) => view! { <PreCheckTable found /> }.into_any(),
                        Err(AppError::Validation { .. }) => view! {
                            <p class="form-error" role="alert">"The run cannot use these data centers: see the messages next to them."</p>
                        }.into_any(),
                        Err(error) => view! { <p class="form-error" role="alert">{error.to_string()}</p> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn PreCheckTable(found: PreCheck) -> impl IntoView {
    let total = found.items.len();
    let not_ready = found.items.iter().filter(|i| !i.is_ready()).count();
    let summary = match (total, not_ready) {
        (0, _) => view! {
            <p class="muted" role="status">"No step of this plan calls a platform: there is nothing to check."</p>
        }
        .into_any(),
        (_, 0) => view! {
            <p class="form-ok" role="status">"Every config the run needs answers."</p>
        }
        .into_any(),
        (total, n) => view! {
            <p class="hint" role="status">
                {format!("{n} of {total} not ready: the steps that need them will fail until that is fixed.")}
            </p>
        }
        .into_any(),
    };
    view! {
        {summary}
        {(total > 0).then(|| view! {
            <table class="data-table compact" data-testid="pre-check">
                <thead><tr>
                    <th scope="col">"Data center"</th>
                    <th scope="col">"Platform"</th>
                    <th scope="col">"Config"</th>
                    <th scope="col">"Needed by"</th>
                    <th scope="col">"Verdict"</th>
                </tr></thead>
                <tbody>
                    {found.items.into_iter().map(|item| view! { <PreCheckRow item /> }).collect_view()}
                </tbody>
            </table>
        })}
    }
}

#[component]
fn PreCheckRow(item: PreCheckItem) -> impl IntoView {
    let ready = item.is_ready();
    let verdict = item.verdict();
    let config = match &item.config {
        Some((_, name)) => view! { <span>{name.clone()}</span> }.into_any(),
        None => view! { <span class="missing">"missing"</span> }.into_any(),
    };
    view! {
        <tr data-ready=ready.to_string()>
            <td>{item.data_center.name}</td>
            <td>{item.platform.label()}</td>
            <td>{config}</td>
            <td>
                <ul class="plain small">
                    {item.needed_by.into_iter().map(|by| view! { <li>{by}</li> }).collect_view()}
                </ul>
            </td>
            <td class=if ready { "verdict-ready" } else { "verdict-not-ready" }>{verdict}</td>
        </tr>
    }
}
