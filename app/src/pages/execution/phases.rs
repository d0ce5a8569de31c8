//! The two phases of an execution as tabs, Switchover (容灾切换) and Recovery (容灾恢复):
//! each with its progress and its steps in order. The tab shown is the phase the
//! execution is in, until the person picks one.

use super::Page;
use super::step_row::StepRow;
use super::toolbar::PhaseStart;
use crate::domain::execution::view::ExecutionDetail;
use crate::domain::execution::{ExecutionState, StepStatus};
use crate::domain::plan::Phase;
use crate::language::labels::Localized;
use crate::language::{self, tr};
use leptos::prelude::*;

/// The phase to show first: the one it is in, or the one that comes next.
fn current_phase(detail: &ExecutionDetail) -> Phase {
    let state = detail.summary.state;
    if let Some(phase) = state.phase() {
        return phase;
    }
    match state {
        ExecutionState::SwitchoverDone | ExecutionState::Completed => Phase::Recovery,
        // Cancelled: where it stopped.
        _ if detail
            .phase_steps(Phase::Recovery)
            .any(|s| s.started_at.is_some()) =>
        {
            Phase::Recovery
        }
        _ => Phase::Switchover,
    }
}

/// Steps done of the phase's steps (skipped ones count: the run went past them).
fn progress(detail: &ExecutionDetail, phase: Phase) -> (usize, usize) {
    let done = detail
        .phase_steps(phase)
        .filter(|s| matches!(s.status, StepStatus::Succeeded | StepStatus::Skipped))
        .count();
    (done, detail.phase_steps(phase).count())
}

#[component]
pub fn PhaseTabs(page: Page) -> impl IntoView {
    let chosen = RwSignal::new(None::<Phase>);
    let current = Memo::new(move |_| {
        page.detail
            .with(|d| d.as_ref().map_or(Phase::Switchover, current_phase))
    });
    let shown = Memo::new(move |_| chosen.get().unwrap_or_else(|| current.get()));
    let count = move |phase| {
        page.detail
            .with(|d| d.as_ref().map_or(0, |d| d.phase_steps(phase).count()))
    };
    view! {
        <section class="card phases" aria-label=tr!(executions.phases.steps)>
            <div class="tabs" role="tablist" aria-label=tr!(executions.phases.tabs)>
                {Phase::ALL.into_iter().map(|p| view! {
                    <button type="button" role="tab" id=format!("tab-{p}") aria-controls=format!("panel-{p}")
                        aria-selected=move || (shown.get() == p).to_string()
                        class:selected=move || shown.get() == p on:click=move |_| chosen.set(Some(p))>
                        {p.localized(language::locale())} " " <span class="muted">{move || count(p)}</span>
                    </button>
                }).collect_view()}
            </div>
            {move || {
                let phase = shown.get();
                view! { <PhasePanel page phase /> }
            }}
        </section>
    }
}

#[component]
fn PhasePanel(page: Page, phase: Phase) -> impl IntoView {
    let steps = Memo::new(move |_| {
        page.detail.with(|d| {
            d.as_ref()
                .map(|d| d.phase_steps(phase).map(|s| s.id).collect::<Vec<_>>())
                .unwrap_or_default()
        })
    });
    let done = Memo::new(move |_| {
        page.detail
            .with(|d| d.as_ref().map_or((0, 0), |d| progress(d, phase)))
    });
    let label = tr!(
        executions.phases.progress,
        phase = phase.localized(language::locale())
    );
    view! {
        <div role="tabpanel" id=format!("panel-{phase}") aria-labelledby=format!("tab-{phase}")>
            <div class="phase-head">
                <progress
                    aria-label=label
                    max=move || done.get().1.max(1)
                    value=move || done.get().0
                    aria-valuemin="0"
                    aria-valuemax=move || done.get().1
                    aria-valuenow=move || done.get().0
                ></progress>
                <span class="small" data-testid="phase-progress">
                    {move || { let (done, total) = done.get(); tr!(executions.phases.done, done = done, total = total) }}
                </span>
                <PhaseStart page phase />
            </div>
            <Show
                when=move || !steps.with(Vec::is_empty)
                fallback=|| view! { <p class="empty">{tr!(executions.phases.empty)}</p> }
            >
                <ol class="step-list">
                    <For each=move || steps.get() key=|id| *id let:id>
                        <StepRow page id />
                    </For>
                </ol>
            </Show>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::execution::examples;
    use crate::domain::execution::view::{ExecutionStep, ExecutionSummary};
    use chrono::DateTime;

    fn step(id: u64, phase: Phase, status: StepStatus) -> ExecutionStep {
        ExecutionStep {
            phase,
            status,
            started_at: (status != StepStatus::Pending)
                .then(|| DateTime::from_timestamp(1_800_000_000, 0).unwrap()),
            ..examples::step(id)
        }
    }

    fn detail(state: ExecutionState, steps: Vec<ExecutionStep>) -> ExecutionDetail {
        ExecutionDetail {
            summary: ExecutionSummary {
                state,
                ..examples::summary(1, 1)
            },
            steps,
            comments: Vec::new(),
        }
    }

    #[test]
    fn the_tab_shown_first_is_where_the_execution_is_or_goes_next() {
        use ExecutionState::*;
        let steps = vec![
            step(1, Phase::Switchover, StepStatus::Succeeded),
            step(2, Phase::Recovery, StepStatus::Pending),
        ];
        let phase_of = |state| current_phase(&detail(state, steps.clone()));
        assert_eq!(phase_of(Created), Phase::Switchover);
        assert_eq!(phase_of(Blocked(Phase::Switchover)), Phase::Switchover);
        assert_eq!(phase_of(SwitchoverDone), Phase::Recovery);
        assert_eq!(phase_of(Paused(Phase::Recovery)), Phase::Recovery);
        assert_eq!(phase_of(Completed), Phase::Recovery);
        assert_eq!(
            phase_of(Cancelled),
            Phase::Switchover,
            "recovery never began"
        );
        let began = vec![step(2, Phase::Recovery, StepStatus::Cancelled)];
        assert_eq!(current_phase(&detail(Cancelled, began)), Phase::Recovery);
    }

    #[test]
    fn progress_counts_succeeded_and_skipped_steps_of_the_phase() {
        let d = detail(
            ExecutionState::Blocked(Phase::Switchover),
            vec![
                step(1, Phase::Switchover, StepStatus::Succeeded),
                step(2, Phase::Switchover, StepStatus::Skipped),
                step(3, Phase::Switchover, StepStatus::Failed),
                step(4, Phase::Switchover, StepStatus::Pending),
                step(5, Phase::Recovery, StepStatus::Pending),
            ],
        );
        assert_eq!(progress(&d, Phase::Switchover), (2, 4));
        assert_eq!(progress(&d, Phase::Recovery), (0, 1));
    }
}
