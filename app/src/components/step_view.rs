//! One plan step, read-only: its number, type and title, expandable to its configuration.

use crate::domain::plan::{PlanStep, param_text};
use leptos::prelude::*;

#[component]
pub fn StepView(position: u32, step: PlanStep) -> impl IntoView {
    // What the step acts on, at a glance: its parameter values.
    let values: Vec<String> = step.params.values().map(|v| param_text(Some(v))).collect();
    let heading = match (step.title.is_empty(), values.is_empty()) {
        (true, true) => step.opcode.clone(),
        (true, false) => format!("{} · {}", step.opcode, values.join(", ")),
        (false, _) => format!("{} — {}", step.title, step.opcode),
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
