//! Simulator: where a person rehearses "what if the database switchover fails". It shows
//! the built-in simulator's world (traffic, application health, cluster primaries), its
//! active faults, timing and latest calls, all from one `simulator_state` call, and lets
//! operators and admins inject and clear faults, set the timing and reset the world.
//! Everyone else reads it; the page only hides controls the server would refuse.

mod calls;
mod faults;
mod timing;
mod world;

use crate::api::simulator::{
    ClearFault, ClearFaults, InjectFault, ResetSimulator, SetSimulatorTiming, simulator_state,
};
use crate::components::confirm_button::ConfirmButton;
use crate::components::console_layout::use_current_user;
use crate::components::error_view::ErrorView;
use crate::components::form_feedback::{FormMessage, last_error};
use crate::domain::role::Action;
use crate::error::AppError;
use leptos::prelude::*;
use leptos_meta::Title;

/// Everything that changes the simulator from this page; each one finishing reloads it.
#[derive(Clone, Copy)]
struct Controls {
    inject: ServerAction<InjectFault>,
    clear: ServerAction<ClearFault>,
    clear_all: ServerAction<ClearFaults>,
    reset: ServerAction<ResetSimulator>,
    timing: ServerAction<SetSimulatorTiming>,
}

impl Controls {
    fn new() -> Self {
        Self {
            inject: ServerAction::new(),
            clear: ServerAction::new(),
            clear_all: ServerAction::new(),
            reset: ServerAction::new(),
            timing: ServerAction::new(),
        }
    }

    fn changes(&self) -> usize {
        self.inject.version().get()
            + self.clear.version().get()
            + self.clear_all.version().get()
            + self.reset.version().get()
            + self.timing.version().get()
    }
}

#[component]
pub fn SimulatorPage() -> impl IntoView {
    let me = use_current_user();
    let controls = Controls::new();
    let refreshed = RwSignal::new(0_u32);
    let state = Resource::new(
        move || (refreshed.get(), controls.changes()),
        |_| simulator_state(),
    );
    // The forms' fields live here, so reloading the state never loses what is typed.
    let draft = faults::Draft::new();
    let timing_draft = timing::Draft::new();
    let reset_error = last_error(controls.reset.value());

    view! {
        <Title text="Simulator" />
        <h1>"Simulator"</h1>
        <p class="lede">
            "The built-in platform simulator that connection configs of kind test point at. "
            "Inject a fault — a failed restart, a hung switchover, a dropped answer — then run a "
            "plan and see how the console copes."
        </p>
        <div class="toolbar" aria-label="Simulator actions">
            <button type="button" on:click=move |_| refreshed.update(|n| *n += 1)>"Refresh"</button>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    let operates = me.0.await.is_ok_and(|u| Action::ResetSimulator.allowed_for(u.role));
                    operates.then(|| view! {
                        <ConfirmButton
                            label="Reset world"
                            question=|| "Put traffic, application health and cluster primaries back as the \
                                      environment says? Faults and timing stay."
                            dialog="Confirm reset"
                            on_confirm=Callback::new(move |()| { controls.reset.dispatch(ResetSimulator {}); })
                        />
                    })
                })}
            </Transition>
        </div>
        <FormMessage error=reset_error />
        <Transition fallback=|| view! { <p class="muted">"Asking the simulator…"</p> }>
            <ErrorBoundary fallback=|errors| view! { <ErrorView errors /> }>
                {move || Suspend::new(async move {
                    let role = me.0.await?.role;
                    let state = state.await?;
                    let operates = Action::InjectFault.allowed_for(role);
                    let data_centers = state.data_centers.clone();
                    Ok::<_, AppError>(view! {
                        <world::World state=state.clone() />
                        <faults::ActiveFaults faults=state.faults.clone() operates controls />
                        {operates.then(|| view! { <faults::InjectForm data_centers draft inject=controls.inject /> })}
                        <timing::TimingSection timing=state.timing operates draft=timing_draft action=controls.timing />
                        <calls::CallLog calls=state.calls />
                    })
                })}
            </ErrorBoundary>
        </Transition>
    }
}
