//! A step's controls: Retry, Skip and Mark done on the step that blocks the execution,
//! Abandon on a running step whose calls hang (skip, mark done and abandon ask for a
//! reason first, checked as the server checks it), and Confirm on a manual step that
//! waits for a person, with its instruction. Each shows only to the roles that may use
//! it, and only when both state tables allow it now.

use super::Page;
use crate::components::form_feedback::{FieldMessage, FormMessage};
use crate::domain::execution::view::{ExecutionStep, ExecutionStepId};
use crate::domain::execution::{Command, StepStatus, StepTrigger, Trigger};
use crate::domain::role::Action;
use crate::domain::step::StepSpec;
use crate::error::{AppError, FieldError};
use crate::language::tr;
use leptos::prelude::*;

/// A decision that needs a reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Decision {
    Skip,
    MarkDone,
    Abandon,
}

impl Decision {
    fn command(self, step: ExecutionStepId, reason: String) -> Command {
        match self {
            Self::Skip => Command::Skip { step, reason },
            Self::MarkDone => Command::MarkDone { step, reason },
            Self::Abandon => Command::Abandon { step, reason },
        }
    }

    /// The form's name and its submit button.
    fn submit(self) -> &'static str {
        match self {
            Self::Skip => tr!(executions.controls.skip_step),
            Self::MarkDone => tr!(executions.controls.mark_step_done),
            Self::Abandon => tr!(executions.controls.abandon_step),
        }
    }

    fn explain(self) -> &'static str {
        match self {
            Self::Skip => tr!(executions.controls.skip_explain),
            Self::MarkDone => tr!(executions.controls.mark_done_explain),
            Self::Abandon => tr!(executions.controls.abandon_explain),
        }
    }
}

/// What the step offers now, for the roles allowed: a blocked step, or one waiting for
/// a person (with the instruction it shows).
#[derive(Debug, Clone, PartialEq, Eq)]
enum Offer {
    Nothing,
    Blocked,
    Waiting(String),
    Running,
}

fn offer(step: &ExecutionStep, page: &Page) -> Offer {
    let blocking = step.status.next(StepTrigger::Retry).is_ok()
        && page.state.get().next(Trigger::Retry).is_ok();
    match (&step.spec, step.status) {
        _ if blocking => Offer::Blocked,
        (StepSpec::ManualConfirm { instruction }, StepStatus::Waiting) => {
            Offer::Waiting(instruction.clone())
        }
        (_, StepStatus::Running) if page.state.get().next(Trigger::Abandon).is_ok() => {
            Offer::Running
        }
        _ => Offer::Nothing,
    }
}

#[component]
pub fn StepControls(
    page: Page,
    step: Memo<Option<ExecutionStep>>,
    id: ExecutionStepId,
) -> impl IntoView {
    let offered =
        Memo::new(move |_| step.with(|s| s.as_ref().map_or(Offer::Nothing, |s| offer(s, &page))));
    let deciding = RwSignal::new(None::<Decision>);
    let reason = RwSignal::new(String::new());
    // Once the step has moved on, a half-written reason belongs to nothing.
    Effect::new(move || {
        if !matches!(offered.get(), Offer::Blocked | Offer::Running) {
            deciding.set(None);
            reason.set(String::new());
        }
    });
    let error = page.controls.step_error(id);
    let busy = move || page.busy();
    let controls = page.controls;
    let execution = page.id;
    let buttons = move || {
        match offered.get() {
        Offer::Nothing => None,
        Offer::Waiting(instruction) => Some(
            view! {
                <p class="instruction" data-testid="step-instruction">
                    <strong>{tr!(executions.controls.waiting)}</strong> {instruction}
                </p>
                {page.can(Action::ConfirmStep).then(|| view! {
                    <div class="step-controls" role="group" aria-label=tr!(executions.controls.label)>
                        <button type="button" class="primary" disabled=busy
                            on:click=move |_| controls.confirm(execution, id)>{tr!(executions.controls.confirm)}</button>
                    </div>
                })}
            }
            .into_any(),
        ),
        Offer::Running => page.can(Action::AbandonStep).then(|| {
            view! {
                <div class="step-controls" role="group" aria-label=tr!(executions.controls.label)>
                    <button type="button" disabled=busy hidden=move || deciding.get().is_some()
                        on:click=move |_| deciding.set(Some(Decision::Abandon))>{tr!(executions.controls.abandon)}</button>
                </div>
                {move || deciding.get().map(|decision| view! {
                    <ReasonForm page id decision reason error cancel=Callback::new(move |()| deciding.set(None)) />
                })}
            }
            .into_any()
        }),
        Offer::Blocked => Some(
            view! {
                <div class="step-controls" role="group" aria-label=tr!(executions.controls.label)>
                    {page.can(Action::RetryStep).then(|| view! {
                        <button type="button" class="primary" disabled=busy
                            on:click=move |_| controls.retry(execution, id)>{tr!(executions.controls.retry)}</button>
                    })}
                    {page.can(Action::SkipStep).then(|| view! {
                        <button type="button" disabled=busy hidden=move || deciding.get().is_some()
                            on:click=move |_| deciding.set(Some(Decision::Skip))>{tr!(executions.controls.skip)}</button>
                    })}
                    {page.can(Action::MarkStepDone).then(|| view! {
                        <button type="button" disabled=busy hidden=move || deciding.get().is_some()
                            on:click=move |_| deciding.set(Some(Decision::MarkDone))>{tr!(executions.controls.mark_done)}</button>
                    })}
                </div>
                {move || deciding.get().map(|decision| view! {
                    <ReasonForm page id decision reason error cancel=Callback::new(move |()| deciding.set(None)) />
                })}
            }
            .into_any(),
        ),
    }
    };
    view! {
        {buttons}
        <FormMessage error />
    }
}

/// Asks for the reason of a skip or a mark-done, checks it, then sends the command.
#[component]
fn ReasonForm(
    page: Page,
    id: ExecutionStepId,
    decision: Decision,
    reason: RwSignal<String>,
    error: Signal<Option<AppError>>,
    cancel: Callback<()>,
) -> impl IntoView {
    let controls = page.controls;
    let execution = page.id;
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let command = decision.command(id, reason.get());
        if let Err(message) = command.check() {
            controls.refuse_step(
                id,
                AppError::invalid(vec![FieldError::new("reason", message)]),
            );
            return;
        }
        match decision {
            Decision::Skip => controls.skip(execution, id, reason.get()),
            Decision::MarkDone => controls.mark_done(execution, id, reason.get()),
            Decision::Abandon => controls.abandon(execution, id, reason.get()),
        }
    };
    view! {
        <form class="reason-form stacked-form" aria-label=decision.submit() on:submit=submit>
            <p class="muted small">{decision.explain()}</p>
            <label>
                {tr!(executions.controls.reason)}
                <textarea rows="2" prop:value=reason on:input=move |ev| reason.set(event_target_value(&ev))></textarea>
                <FieldMessage error field="reason" />
            </label>
            <div>
                <button type="submit" class="primary" disabled=move || page.busy()>{decision.submit()}</button>
                " "
                <button type="button" on:click=move |_| cancel.run(())>{tr!(common.action.cancel)}</button>
            </div>
        </form>
    }
}
