//! The palette of step types, grouped by layer: a click adds one to the open phase.

use super::draft::Draft;
use crate::components::layer_badge::LayerBadge;
use crate::domain::plan::Phase;
use crate::domain::step::{Layer, StepType};
use leptos::prelude::*;

/// The step types to add, grouped by layer.
#[component]
pub(super) fn Palette(
    phase: RwSignal<Phase>,
    draft: Draft,
    catalog: StoredValue<Vec<StepType>>,
) -> impl IntoView {
    view! {
        <aside class="card palette" aria-label="Step palette">
            <h2>"Add a step"</h2>
            <p class="muted small">{move || format!("Adds to {}.", phase.get().label())}</p>
            {Layer::ALL.into_iter().map(|layer| {
                let types: Vec<StepType> = catalog.read_value().iter().filter(|t| t.layer == layer).cloned().collect();
                view! {
                    <h3><LayerBadge layer /></h3>
                    <ul class="plain">
                        {types.into_iter().map(|step_type| {
                            let label = format!("Add {}", step_type.name);
                            let name = step_type.name.clone();
                            let help = step_type.description.clone();
                            view! {
                                <li><button type="button" class="palette-item" aria-label=label title=help
                                    on:click=move |_| draft.add(phase.get(), &step_type, &catalog.read_value())>
                                    "+ " {name}
                                </button></li>
                            }
                        }).collect_view()}
                    </ul>
                }
            }).collect_view()}
        </aside>
    }
}
