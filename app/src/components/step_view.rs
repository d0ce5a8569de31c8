//! One plan step, read-only: its number, type and title, expandable to its configuration.

use crate::domain::plan::{PlanStep, param_text};
use leptos::prelude::*;

#[component]
pub fn StepView(position: u32, step: PlanStep) -> impl IntoView {
    let heading = if step.title.is_empty() {
        step.opcode.clone()
    } else {
        format!("{} — {}", step.title, step.opcode)
    };
    view! {
        <details class="step-view" data-step-key=step.key.clone()>
            <summary><span class="step-number">{format!("{position}.")}</span> " " {heading}</summary>
            <dl class="params">
                {step.params.iter().map(|(name, value)| view! {
                    <dt>{name.clone()}</dt><dd>{param_text(Some(value))}</dd>
                }).collect_view()}
                {step.params.is_empty().then(|| view! { <dd class="muted">"No parameters set; defaults apply."</dd> })}
            </dl>
        </details>
    }
}
