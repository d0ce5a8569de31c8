//! After a drill (演练): the simulator's world put back in one action — traffic,
//! application health and cluster primaries as the Environment says — for those who
//! may reset it, once the drill has ended.

use super::Page;
use crate::api::simulator::ResetSimulator;
use crate::components::confirm_button::ConfirmButton;
use crate::components::form_feedback::{FormMessage, last_error};
use crate::domain::execution::ExecutionState;
use crate::domain::role::Action;
use crate::language::tr;
use leptos::prelude::*;

#[component]
pub fn DrillReset(page: Page) -> impl IntoView {
    let drill = page
        .detail
        .with_untracked(|d| d.as_ref().is_some_and(|d| d.summary.drill));
    let reset = ServerAction::<ResetSimulator>::new();
    let ended = move || {
        matches!(
            page.state.get(),
            ExecutionState::Completed | ExecutionState::Cancelled
        )
    };
    let offered = move || drill && page.can(Action::ResetSimulator) && ended();
    view! {
        {move || offered().then(|| view! {
            <div class="toolbar" role="group" aria-label=tr!(executions.drill.after)>
                <ConfirmButton
                    label=tr!(executions.drill.reset)
                    question=|| tr!(executions.drill.reset_question)
                    dialog=tr!(executions.drill.reset_dialog)
                    class=""
                    on_confirm=Callback::new(move |()| { reset.dispatch(ResetSimulator {}); })
                />
                {move || reset.value().get().and_then(Result::ok).map(|_| view! {
                    " " <span role="status" data-testid="simulator-reset">
                        {tr!(executions.drill.reset_done)}
                    </span>
                })}
            </div>
        })}
        <FormMessage error=last_error(reset.value()) />
    }
}
