//! The controls of the execution as a whole: Pause, Resume and Cancel execution for the
//! roles that may use them, each shown only when the state table allows it now; and the
//! start of a phase (Start, Start recovery), asked to be confirmed first (确认执行).

use super::Page;
use crate::components::confirm_button::ConfirmButton;
use crate::components::form_feedback::FormMessage;
use crate::domain::execution::{ExecutionState, Trigger};
use crate::domain::plan::Phase;
use crate::domain::role::Action;
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
                <div class="toolbar" role="group" aria-label="Execution controls">
                    {pause.then(|| view! {
                        <button type="button" disabled=busy on:click=move |_| controls.pause(id)>"Pause"</button>
                    })}
                    {resume.then(|| view! {
                        <button type="button" class="primary" disabled=busy on:click=move |_| controls.resume(id)>"Resume"</button>
                    })}
                    {cancel.then(|| view! {
                        <ConfirmButton
                            label="Cancel execution"
                            question="Cancel this execution (取消执行)? A step that is running finishes first; \
                                      nothing after it runs, and the execution cannot be started again. \
                                      One that has not started is removed (the audit log keeps it)."
                            dialog="Confirm cancellation"
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
    let (from, label, question, dialog) = match phase {
        Phase::Switchover => (
            ExecutionState::Created,
            "Start",
            "Start the switchover now (确认执行)? Its steps run one after another by themselves: \
             traffic leaves the failed data center, applications restart and database primaries \
             move to the emergency data center.",
            "Confirm start",
        ),
        Phase::Recovery => (
            ExecutionState::SwitchoverDone,
            "Start recovery",
            "Start the recovery now (确认执行)? Its steps move everything back to the failed data \
             center, which must be up and healthy again.",
            "Confirm start recovery",
        ),
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
