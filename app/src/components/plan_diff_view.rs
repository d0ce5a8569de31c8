//! The review diff side by side: the active version on the left, the draft on the right,
//! one row per step, coloured by what changed.

use super::step_view::StepView;
use crate::domain::plan::diff::{DiffRow, NumberedStep, PlanDiff, StepChange};
use leptos::prelude::*;

fn version_label(number: Option<u32>, none: &str) -> String {
    number.map_or_else(|| none.to_owned(), |n| format!("Version {n}"))
}

fn change_label(row: &DiffRow) -> &'static str {
    match (row.change, row.moved) {
        (StepChange::Added, _) => "added",
        (StepChange::Removed, _) => "removed",
        (StepChange::Changed, true) => "moved and changed",
        (StepChange::Changed, false) => "changed",
        (StepChange::Unchanged, true) => "moved",
        (StepChange::Unchanged, false) => "unchanged",
    }
}

#[component]
pub fn PlanDiffView(diff: PlanDiff) -> impl IntoView {
    let summary = format!(
        "{} added, {} removed, {} moved, {} changed",
        diff.count(StepChange::Added),
        diff.count(StepChange::Removed),
        diff.moved(),
        diff.count(StepChange::Changed)
    );
    let side = |step: Option<NumberedStep>| match step {
        Some(s) => view! { <StepView position=s.position step=s.step /> }.into_any(),
        None => view! { <span class="muted">"—"</span> }.into_any(),
    };
    view! {
        <section class="card diff" aria-label="Changes under review" data-testid="plan-diff">
            <h2>"Changes: " {version_label(diff.old_version, "nothing active")} " → " {version_label(diff.new_version, "nothing")}</h2>
            <p data-testid="diff-summary">{if diff.is_empty() { "No differences.".to_owned() } else { summary }}</p>
            {diff.basics.iter().map(|f| view! {
                <p class="diff-field"><strong>{f.field.clone()}</strong>": " <del>{f.old.clone()}</del> " → " <ins>{f.new.clone()}</ins></p>
            }).collect_view()}
            {diff.phases.into_iter().map(|phase| view! {
                <h3>{phase.phase.label()}</h3>
                <table class="data-table diff-table">
                    <thead><tr>
                        <th scope="col">{version_label(diff.old_version, "Before")}</th>
                        <th scope="col">"Change"</th>
                        <th scope="col">{version_label(diff.new_version, "After")}</th>
                    </tr></thead>
                    <tbody>
                        {phase.rows.into_iter().map(|row| {
                            let label = change_label(&row);
                            let fields = row.fields.clone();
                            view! {
                                <tr class=format!("diff-{}", label.replace(' ', "-")) data-change=label>
                                    <td>{side(row.old)}</td>
                                    <td>
                                        <strong>{label}</strong>
                                        <ul class="plain small">
                                            {fields.into_iter().map(|f| view! {
                                                <li>{f.field}": " <del>{f.old}</del> " → " <ins>{f.new}</ins></li>
                                            }).collect_view()}
                                        </ul>
                                    </td>
                                    <td>{side(row.new)}</td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            }).collect_view()}
        </section>
    }
}
