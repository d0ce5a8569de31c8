//! One step of an execution as it runs: position, heading, what it acts on, status,
//! attempts, times and elapsed time (ticking while it runs), why it failed, who decided
//! about it, its controls, and — expanded — its log and calls.

use super::Page;
use super::clock::{elapsed, time_of_day};
use super::step_controls::StepControls;
use super::step_log::StepLog;
use crate::components::step_status_badge::StepStatusBadge;
use crate::domain::execution::StepStatus;
use crate::domain::execution::target::StepTarget;
use crate::domain::execution::view::{ExecutionStep, ExecutionStepId};
use crate::domain::step::StepSpec;
use crate::language::tr;
use crate::local_time::utc;
use crate::pages::counted::counted;
use leptos::prelude::*;

/// What the step acts on, in a line.
fn target_summary(step: &ExecutionStep) -> String {
    match (&step.target, &step.spec) {
        (
            Some(StepTarget::Traffic {
                product_group,
                data_center,
                via,
            }),
            _,
        ) => tr!(
            executions.step.traffic,
            group = product_group,
            data_center = data_center.name.clone(),
            via = via.describe()
        ),
        (
            Some(
                target @ StepTarget::Restart {
                    product_group,
                    data_center,
                    levels,
                    via,
                },
            ),
            _,
        ) => tr!(
            executions.step.restart,
            group = product_group,
            data_center = data_center.name.clone(),
            applications = counted(
                target.application_count() as u64,
                tr!(executions.step.application_one),
                tr!(executions.step.application_many)
            ),
            levels = counted(
                levels.len() as u64,
                tr!(executions.step.level_one),
                tr!(executions.step.level_many)
            ),
            via = via.describe()
        ),
        (Some(StepTarget::Cluster { cluster, to, via }), _) => tr!(
            executions.step.cluster,
            cluster = cluster,
            to = to.name.clone(),
            via = via.describe()
        ),
        (None, StepSpec::Wait { seconds }) => tr!(executions.step.waits, seconds = seconds),
        (None, StepSpec::ManualConfirm { .. }) => tr!(executions.step.waits_for_person).to_owned(),
        (None, StepSpec::HttpCall { method, url, .. }) => format!("{} {url}", method.as_str()),
        (None, _) => String::new(),
    }
}

/// Who decided about the step by hand, and why.
fn decision(step: &ExecutionStep) -> Option<String> {
    let who = step.decided_by.as_deref();
    let why = step.reason.as_deref().filter(|r| !r.trim().is_empty());
    let what = match (step.status, why) {
        (StepStatus::Skipped, _) => tr!(executions.step.skipped),
        (StepStatus::Succeeded, Some(_)) => tr!(executions.step.marked_done),
        (StepStatus::Succeeded, None) => tr!(executions.step.confirmed),
        _ => tr!(executions.step.decided),
    };
    match (who, why) {
        (None, None) => None,
        (Some(who), Some(why)) => Some(tr!(
            executions.step.decision_by_why,
            what = what,
            who = who,
            why = why
        )),
        (Some(who), None) => Some(tr!(executions.step.decision_by, what = what, who = who)),
        (None, Some(why)) => Some(tr!(executions.step.decision_why, what = what, why = why)),
    }
}

fn attempts(n: u32) -> String {
    match n {
        0 => String::new(),
        1 => tr!(executions.step.attempt_one).to_owned(),
        n => tr!(executions.step.attempt_many, count = n),
    }
}

#[component]
pub fn StepRow(page: Page, id: ExecutionStepId) -> impl IntoView {
    let step = Memo::new(move |_| {
        page.detail
            .with(|d| d.as_ref().and_then(|d| d.step(id).cloned()))
    });
    let Some(first) = step.get_untracked() else {
        return ().into_any();
    };
    let status = Memo::new(move |_| step.with(|s| s.as_ref().map_or(first.status, |s| s.status)));
    let current = move || matches!(status.get(), StepStatus::Running | StepStatus::Waiting);
    let records = page.records;
    let open = move || records.is_open(id);
    let toggle = move |_| {
        if records.is_open(id) {
            records.close(id);
        } else {
            records.open(page.id, id);
        }
    };
    let times = move || {
        let s = step.get()?;
        let started = s.started_at.map(|at| {
            view! { {tr!(executions.step.started)} <time datetime=at.to_rfc3339() title=utc(at)>{time_of_day(at)}</time> }
        });
        let finished = s.finished_at.map(|at| {
            view! { {tr!(executions.step.finished)} <time datetime=at.to_rfc3339() title=utc(at)>{time_of_day(at)}</time> }
        });
        Some(view! { {started} {finished} })
    };
    let took = move || {
        step.with(|s| {
            let s = s.as_ref()?;
            elapsed(s.started_at, s.finished_at, || page.now.get())
        })
    };
    let failure = move || {
        step.get()
            .filter(|s| matches!(s.status, StepStatus::Failed | StepStatus::Interrupted))
            .and_then(|s| s.last_error)
            .map(|e| view! { <p class="step-error" data-testid="step-error">{e}</p> })
    };
    let decided = move || {
        step.with(|s| s.as_ref().and_then(decision))
            .map(|d| view! { <p class="step-decision small" data-testid="step-decision">{d}</p> })
    };
    view! {
        <li
            class="step-row"
            class:current=current
            data-testid="step-row"
            data-step=id.to_string()
            data-status=move || status.get().as_str()
        >
            <div class="step-line">
                <span class="step-number">{format!("{}.", first.position)}</span>
                <div class="step-what">
                    <strong>{first.heading()}</strong>
                    <div class="muted small">{target_summary(&first)}</div>
                </div>
                <StepStatusBadge status=status />
                <span class="small muted">{move || step.with(|s| s.as_ref().map(|s| attempts(s.attempts)))}</span>
                <span class="small muted">{times}</span>
                <span class="small elapsed" data-testid="step-elapsed">{took}</span>
                <button type="button" class="expand" aria-expanded=move || open().to_string()
                    disabled=move || !page.hydrated.get() on:click=toggle>
                    {move || if open() { tr!(executions.step.collapse) } else { tr!(executions.step.expand) }}
                </button>
            </div>
            {failure}
            {decided}
            <StepControls page step id />
            <Show when=open>
                <StepLog records step=id />
            </Show>
        </li>
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::connection::Platform;
    use crate::domain::environment::DataCenterRef;
    use crate::domain::execution::target::Via;
    use crate::domain::ids::DataCenterId;

    fn dc(name: &str) -> DataCenterRef {
        DataCenterRef {
            id: DataCenterId(1),
            name: name.to_owned(),
        }
    }

    fn step(spec: StepSpec, target: Option<StepTarget>) -> ExecutionStep {
        ExecutionStep {
            spec,
            target,
            ..crate::domain::execution::examples::step(1)
        }
    }

    #[test]
    fn targets_read_in_a_line() {
        let restart = step(
            StepSpec::Wait { seconds: 0 },
            Some(StepTarget::Restart {
                product_group: "Payments".to_owned(),
                data_center: dc("Hangzhou-B"),
                levels: vec![
                    vec!["db-proxy".to_owned()],
                    vec!["api".to_owned(), "web".to_owned()],
                ],
                via: Via {
                    data_center: dc("Hangzhou-B"),
                    platform: Platform::AppPlatform,
                },
            }),
        );
        assert_eq!(
            target_summary(&restart),
            "Payments in Hangzhou-B: 3 applications in 2 levels · through the application platform in Hangzhou-B"
        );
        assert_eq!(
            target_summary(&step(StepSpec::Wait { seconds: 30 }, None)),
            "waits 30 s"
        );
    }

    #[test]
    fn decisions_say_who_and_why() {
        let mut s = step(StepSpec::Wait { seconds: 1 }, None);
        assert_eq!(decision(&s), None);
        s.status = StepStatus::Skipped;
        s.decided_by = Some("alice".to_owned());
        s.reason = Some("gateway already drained".to_owned());
        assert_eq!(
            decision(&s).as_deref(),
            Some("Skipped by alice: gateway already drained")
        );
        s.status = StepStatus::Succeeded;
        assert_eq!(
            decision(&s).as_deref(),
            Some("Marked done by alice: gateway already drained")
        );
        s.reason = None;
        assert_eq!(decision(&s).as_deref(), Some("Confirmed by alice"));
    }
}
