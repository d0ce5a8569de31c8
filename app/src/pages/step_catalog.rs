//! The step catalog page (步骤信息): every step type, searchable and filterable by layer
//! in the browser.

use crate::api::catalog::list_step_types;
use crate::components::{error_view::ErrorView, layer_badge::LayerBadge, param_list::ParamList};
use crate::domain::step::{Layer, StepType};
use crate::language::labels::Localized;
use crate::language::{self, tr};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn StepCatalogPage() -> impl IntoView {
    let steps = Resource::new(|| (), |_| list_step_types());
    let query = RwSignal::new(String::new());
    let layer = RwSignal::new(None::<Layer>);

    view! {
        <Title text=tr!(surroundings.catalog.title) />
        <h1>{tr!(surroundings.catalog.title)}</h1>
        <p class="lede">{tr!(surroundings.catalog.lede)}</p>
        <div class="toolbar" role="search">
            <label>
                {tr!(surroundings.catalog.search)}
                <input
                    type="search"
                    placeholder=tr!(surroundings.catalog.search_hint)
                    prop:value=query
                    on:input=move |ev| query.set(event_target_value(&ev))
                />
            </label>
            <label>
                {tr!(surroundings.catalog.layer)}
                <select on:change=move |ev| layer.set(Layer::parse(&event_target_value(&ev)))>
                    <option value="">{tr!(surroundings.catalog.all_layers)}</option>
                    {Layer::ALL
                        .map(|l| view! { <option value=l.as_str()>{l.localized(language::locale())}</option> })
                        .collect_view()}
                </select>
            </label>
        </div>
        <Transition fallback=|| view! { <p class="muted">{tr!(surroundings.catalog.loading)}</p> }>
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
            {move || tr!(surroundings.catalog.showing, shown = shown.with(Vec::len), total = total)}
        </p>
        <table class="data-table" data-testid="step-catalog">
            <thead>
                <tr>
                    <th scope="col">{tr!(surroundings.catalog.name)}</th>
                    <th scope="col">{tr!(surroundings.catalog.opcode)}</th>
                    <th scope="col">{tr!(surroundings.catalog.layer)}</th>
                    <th scope="col">{tr!(surroundings.catalog.description)}</th>
                    <th scope="col">{tr!(surroundings.catalog.parameters)}</th>
                </tr>
            </thead>
            <tbody>
                <For each=move || shown.get() key=|step| step.opcode.clone() children=step_row />
            </tbody>
        </table>
        <Show when=move || shown.with(Vec::is_empty)>
            <p class="empty" role="status">{tr!(surroundings.catalog.none)}</p>
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
