//! A phase's steps: a card each, reordered by drag and drop or from the keyboard (arrow
//! keys on a step's handle, the focus following the step), each with its parameters.

use super::draft::{Draft, StepRow};
use super::param_field::ParamField;
use crate::components::form_feedback::FieldMessage;
use crate::components::layer_badge::LayerBadge;
use crate::domain::plan::{Phase, PlanRefs, step_field};
use crate::domain::step::{Layer, StepType};
use crate::error::AppError;
use leptos::prelude::*;

#[component]
pub(super) fn PhaseSteps(
    phase: Phase,
    draft: Draft,
    catalog: StoredValue<Vec<StepType>>,
    refs: StoredValue<PlanRefs>,
    error: Signal<Option<AppError>>,
) -> impl IntoView {
    let rows = draft.rows(phase);
    let dragging = RwSignal::new(None::<String>);
    view! {
        <ol class="steps" aria-label=format!("{} steps", phase.label())>
            <For each=move || rows.get() key=|row| row.key.clone() let:row>
                <StepCard phase row draft catalog refs error dragging />
            </For>
        </ol>
        {move || rows.with(Vec::is_empty).then(|| view! {
            <p class="muted">"No steps yet: add them from the palette."</p>
        })}
    }
}

#[component]
fn StepCard(
    phase: Phase,
    row: StepRow,
    draft: Draft,
    catalog: StoredValue<Vec<StepType>>,
    refs: StoredValue<PlanRefs>,
    error: Signal<Option<AppError>>,
    dragging: RwSignal<Option<String>>,
) -> impl IntoView {
    let rows = draft.rows(phase);
    let key = StoredValue::new(row.key.clone());
    let index = Memo::new(move |_| {
        rows.with(|rows| rows.iter().position(|r| r.key == key.get_value()))
            .unwrap_or(0)
    });
    let count = move || rows.with(Vec::len);
    let field = move |suffix: &str| format!("{}{suffix}", step_field(phase, index.get()));
    let step_type = catalog
        .read_value()
        .iter()
        .find(|t| t.opcode == row.opcode)
        .cloned();
    let (name, layer) = step_type
        .as_ref()
        .map_or((row.opcode.clone(), Layer::Control), |t| {
            (t.name.clone(), t.layer)
        });
    let handle_id = format!("handle-{}-{}", phase.as_str(), row.key);
    let move_by = move |delta: isize| {
        let to = index.get_untracked() as isize + delta;
        if to < 0 || to as usize >= rows.with_untracked(Vec::len) {
            return;
        }
        draft.move_to(phase, &key.get_value(), to as usize);
        focus_later(format!("handle-{}-{}", phase.as_str(), key.get_value()));
    };
    let remove = move |_| {
        rows.update(|rows| rows.retain(|r| r.key != key.get_value()));
        draft.dirty.set(true);
    };
    let title = row.title;
    let params = row.params.clone();

    view! {
        <li class="step-card" data-step=name.clone() draggable="true"
            class:dragging=move || dragging.get() == Some(key.get_value())
            on:dragstart=move |_| dragging.set(Some(key.get_value()))
            on:dragend=move |_| dragging.set(None)
            on:dragover=|ev| ev.prevent_default()
            on:drop=move |ev| {
                ev.prevent_default();
                if let Some(moved) = dragging.get_untracked() {
                    draft.move_to(phase, &moved, index.get_untracked());
                }
                dragging.set(None);
            }
            on:input=move |_| draft.dirty.set(true)
            on:change=move |_| draft.dirty.set(true)
        >
            <div class="step-head">
                <button type="button" class="handle" id=handle_id
                    aria-label={
                        let name = name.clone();
                        move || format!("Step {} of {}: {name}. Arrow keys move it", index.get() + 1, count())
                    }
                    on:keydown=move |ev| match ev.key().as_str() {
                        "ArrowUp" => { ev.prevent_default(); move_by(-1) }
                        "ArrowDown" => { ev.prevent_default(); move_by(1) }
                        _ => {}
                    }>
                    "⠿"
                </button>
                <span class="step-number">{move || format!("{}.", index.get() + 1)}</span>
                <LayerBadge layer />
                <strong>{name.clone()}</strong>
                <code class="muted">{row.opcode.clone()}</code>
                <span class="step-tools">
                    <button type="button" aria-label=format!("Move {name} up") disabled=move || index.get() == 0
                        on:click=move |_| move_by(-1)>"↑"</button>
                    <button type="button" aria-label=format!("Move {name} down") disabled=move || index.get() + 1 == count()
                        on:click=move |_| move_by(1)>"↓"</button>
                    <button type="button" class="danger" aria-label=format!("Remove {name}") on:click=remove>"Remove"</button>
                </span>
            </div>
            <FieldMessage error field=Signal::derive(move || field(".opcode")) />
            <label>
                "Title (optional)"
                <input type="text" prop:value=title placeholder=name.clone()
                    on:input=move |ev| title.set(event_target_value(&ev)) />
                <FieldMessage error field=Signal::derive(move || field(".title")) />
            </label>
            {params.into_iter().map(|(def, value)| {
                let suffix = format!(".params.{}", def.name);
                let path = Signal::derive(move || field(&suffix));
                view! { <ParamField def value refs error path /> }
            }).collect_view()}
        </li>
    }
}

/// Puts the keyboard focus on the element `id` once the view has moved it.
fn focus_later(id: String) {
    request_animation_frame(move || {
        use leptos::wasm_bindgen::JsCast;
        if let Some(element) = document().get_element_by_id(&id) {
            let _ = element
                .unchecked_into::<leptos::web_sys::HtmlElement>()
                .focus();
        }
    });
}
