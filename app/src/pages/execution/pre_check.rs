//! The pre-check of a new execution: every connection config the plan's steps will call
//! for the chosen data centers, which steps need it, and whether it answers now.

use crate::domain::execution::view::{PreCheck, PreCheckItem};
use crate::error::AppError;
use crate::language::labels::Localized;
use crate::language::{self, tr};
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
        <section class="pre-check" aria-label=tr!(executions.pre_check.title)>
            <div class="pre-check-head">
                <h3>{tr!(executions.pre_check.title)}</h3>
                <button type="button" disabled=move || !ready.get() on:click=move |_| again.update(|n| *n += 1)>
                    {tr!(executions.pre_check.again)}
                </button>
            </div>
            <Suspense fallback=|| view! { <p class="muted" role="status">{tr!(executions.pre_check.checking)}</p> }>
                {move || Suspend::new(async move {
                    match check.await {
                        Ok(None) => view! {
                            <p class="muted">{tr!(executions.pre_check.choose)}</p>
                        }.into_any(),
                        Ok(Some(found)) => view! { <PreCheckTable found /> }.into_any(),
                        Err(AppError::Validation { .. }) => view! {
                            <p class="form-error" role="alert">{tr!(executions.pre_check.cannot)}</p>
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
            <p class="muted" role="status">{tr!(executions.pre_check.nothing)}</p>
        }
        .into_any(),
        (_, 0) => view! {
            <p class="form-ok" role="status">{tr!(executions.pre_check.all_ready)}</p>
        }
        .into_any(),
        (total, n) => view! {
            <p class="hint" role="status">
                {tr!(executions.pre_check.not_ready, n = n, total = total)}
            </p>
        }
        .into_any(),
    };
    view! {
        {summary}
        {(total > 0).then(|| view! {
            <table class="data-table compact" data-testid="pre-check">
                <thead><tr>
                    <th scope="col">{tr!(executions.pre_check.data_center)}</th>
                    <th scope="col">{tr!(executions.pre_check.platform)}</th>
                    <th scope="col">{tr!(executions.pre_check.config)}</th>
                    <th scope="col">{tr!(executions.pre_check.needed_by)}</th>
                    <th scope="col">{tr!(executions.pre_check.verdict)}</th>
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
        None => {
            view! { <span class="missing">{tr!(executions.pre_check.missing)}</span> }.into_any()
        }
    };
    view! {
        <tr data-ready=ready.to_string()>
            <td>{item.data_center.name}</td>
            <td>{item.platform.localized(language::locale())}</td>
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
