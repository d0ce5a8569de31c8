//! The controls of the execution as a whole: Pause, Resume and Cancel execution for the
//! roles that may use them, each shown only when the state table allows it now; and the
//! start of a phase (Start, Start recovery), asked to be confirmed first (确认执行).

use super::Page;
use crate::components::confirm_button::ConfirmButton;
use crate::components::form_feedback::FormMessage;
use crate::domain::execution::{ExecutionState, Trigger};
use crate::domain::plan::Phase;
use crate::domain::role::Action;
use crate::language::{self, tr, trv};
use leptos::prelude::*;

#[component]
pub fn ExecutionToolbar(page: Page) -> impl IntoView {
    let id = page.id;
    let controls = page.controls;
    let busy = move || page.busy();
    let buttons = move || {
        let pause = page.may(Action::PauseExecution, Trigger::Pause);
        let resume = page.may(Action::ResumeExecution, Trigger::Resume);
        let cancel = page.may(Action::CancelExecution, Trigger::Cancel);
        (pause || resume || cancel).then(|| {
            view! {
                <div class="toolbar" role="group" aria-label=tr!(executions.toolbar.label)>
                    {pause.then(|| view! {
                        <button type="button" disabled=busy on:click=move |_| controls.pause(id)>{tr!(executions.toolbar.pause)}</button>
                    })}
                    {resume.then(|| view! {
                        <button type="button" class="primary" disabled=busy on:click=move |_| controls.resume(id)>{tr!(executions.toolbar.resume)}</button>
                    })}
                    {cancel.then(|| view! {
                        <ConfirmButton
                            label=tr!(executions.toolbar.cancel)
                            question=|| trv!(executions.toolbar.cancel_question, <zh> = language::zh)
                            dialog=tr!(executions.toolbar.cancel_dialog)
                            on_confirm=Callback::new(move |()| controls.cancel(id))
                        />
                    })}
                </div>
            }
        })
    };
    view! {
        {buttons}
        <FormMessage error=Signal::from(controls.error) />
    }
}

/// Start (switchover, on a created execution) or Start recovery (switchover done), on
/// the tab of the phase it starts.
#[component]
pub fn PhaseStart(page: Page, phase: Phase) -> impl IntoView {
    let (from, label, dialog) = match phase {
        Phase::Switchover => (
            ExecutionState::Created,
            tr!(executions.start.switchover),
            tr!(executions.start.switchover_dialog),
        ),
        Phase::Recovery => (
            ExecutionState::SwitchoverDone,
            tr!(executions.start.recovery),
            tr!(executions.start.recovery_dialog),
        ),
    };
    let question = move || match phase {
        Phase::Switchover => {
            trv!(executions.start.switchover_question, <zh> = language::zh).into_any()
        }
        Phase::Recovery => trv!(executions.start.recovery_question, <zh> = language::zh).into_any(),
    };
    let id = page.id;
    move || {
        (page.state.get() == from && page.may(Action::StartExecution, Trigger::Start)).then(|| {
            view! {
                <div class="phase-start">
                    <ConfirmButton
                        label
                        question
                        dialog
                        class="primary"
                        on_confirm=Callback::new(move |()| page.controls.start(id))
                    />
                </div>
            }
        })
    }
}
