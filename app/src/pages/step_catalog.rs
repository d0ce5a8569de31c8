//! The step catalog page (步骤信息): every step type, searchable and filterable by layer
//! in the browser.

use crate::api::catalog::list_step_types;
use crate::components::{error_view::ErrorView, layer_badge::LayerBadge, param_list::ParamList};
use crate::domain::step::{Layer, StepType};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn StepCatalogPage() -> impl IntoView {
    let steps = Resource::new(|| (), |_| list_step_types());
    let query = RwSignal::new(String::new());
    let layer = RwSignal::new(None::<Layer>);

    view! {
        <Title text="Step catalog" />
        <h1>"Step catalog"</h1>
        <p class="lede">"Every step type the engine can run, and the parameters a plan gives it."</p>
        <div class="toolbar" role="search">
            <label>
                "Search"
                <input
                    type="search"
                    placeholder="Name or opcode"
                    prop:value=query
                    on:input=move |ev| query.set(event_target_value(&ev))
                />
            </label>
            <label>
                "Layer"
                <select on:change=move |ev| layer.set(Layer::parse(&event_target_value(&ev)))>
                    <option value="">"All layers"</option>
                    {Layer::ALL
                        .map(|l| view! { <option value=l.as_str()>{l.label()}</option> })
                        .collect_view()}
                </select>
            </label>
        </div>
        <Transition fallback=|| view! { <p class="muted">"Loading the catalog…"</p> }>
            <ErrorBoundary fallback=|errors| view! { <ErrorView errors /> }>
                {move || Suspend::new(async move {
                    steps.await.map(|steps| view! { <StepTable steps query layer /> })
                })}
            </ErrorBoundary>
        </Transition>
    }
}

#[component]
fn StepTable(
    steps: Vec<StepType>,
    query: RwSignal<String>,
    layer: RwSignal<Option<Layer>>,
) -> impl IntoView {
    let total = steps.len();
    let shown = Memo::new(move |_| {
        let query = query.get();
        let layer = layer.get();
        steps
            .iter()
            .filter(|s| s.matches(&query, layer))
            .cloned()
            .collect::<Vec<_>>()
    });

    view! {
        <p class="muted" data-testid="catalog-count">
            {move || format!("Showing {} of {total} step types", shown.with(Vec::len))}
        </p>
        <table class="data-table" data-testid="step-catalog">
            <thead>
                <tr>
                    <th scope="col">"Name"</th>
                    <th scope="col">"Opcode"</th>
                    <th scope="col">"Layer"</th>
                    <th scope="col">"Description"</th>
                    <th scope="col">"Parameters"</th>
                </tr>
            </thead>
            <tbody>
                <For each=move || shown.get() key=|step| step.opcode.clone() children=step_row />
            </tbody>
        </table>
        <Show when=move || shown.with(Vec::is_empty)>
            <p class="empty" role="status">"No step type matches this search."</p>
        </Show>
    }
}

fn step_row(step: StepType) -> impl IntoView {
    let opcode = step.opcode.clone();
    view! {
        <tr data-opcode=opcode>
            <td>{step.name}</td>
            <td><code>{step.opcode}</code></td>
            <td><LayerBadge layer=step.layer /></td>
            <td>{step.description}</td>
            <td><ParamList params=step.params /></td>
        </tr>
    }
}
