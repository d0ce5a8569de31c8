//! The plan form: basic information, the palette and the two phases, and Save/Cancel.

use super::draft::Draft;
use super::leave_guard::{LEAVE, warn_before_leaving};
use super::palette::Palette;
use super::step_list::PhaseSteps;
use crate::api::plans::{CreatePlan, UpdatePlan};
use crate::components::form_feedback::{FieldMessage, FormMessage, last_error};
use crate::components::text_field::TextField;
use crate::domain::ids::PlanId;
use crate::domain::plan::{Phase, PlanDetail, PlanRefs};
use crate::domain::step::StepType;
use crate::error::AppError;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_navigate;

#[component]
pub(super) fn PlanForm(
    editing: Option<PlanId>,
    source: Option<PlanDetail>,
    catalog: Vec<StepType>,
    refs: PlanRefs,
) -> impl IntoView {
    let start = source
        .as_ref()
        .and_then(|s| s.latest())
        .map(|v| v.content.clone())
        .unwrap_or_default();
    let cloning = editing.is_none() && source.is_some();
    let revision = source.as_ref().map_or(0, |s| s.plan.revision);
    let draft = Draft::new(&start, &catalog);
    let catalog = StoredValue::new(catalog);
    let refs = StoredValue::new(refs);
    let phase = RwSignal::new(Phase::Switchover);
    let create = ServerAction::<CreatePlan>::new();
    let update = ServerAction::<UpdatePlan>::new();
    let local = RwSignal::new(None::<AppError>);
    let created = last_error(create.value());
    let updated = last_error(update.value());
    let error = Signal::derive(move || {
        local.get().or_else(|| {
            if editing.is_some() {
                updated.get()
            } else {
                created.get()
            }
        })
    });
    let navigate = use_navigate();
    Effect::new(move || {
        let saved = create
            .value()
            .get()
            .or_else(|| update.value().get())
            .and_then(Result::ok);
        if let Some(detail) = saved {
            draft.dirty.set(false);
            navigate(&format!("/plans/{}", detail.plan.id), Default::default());
        }
    });
    warn_before_leaving(draft.dirty);

    let save = move |_| {
        let content = draft.content();
        if let Err(errors) = content.validate(&catalog.read_value(), &refs.read_value()) {
            local.set(Some(AppError::invalid(errors)));
            return;
        }
        local.set(None);
        match editing {
            Some(id) => {
                update.dispatch(UpdatePlan {
                    id,
                    revision,
                    content,
                });
            }
            None => {
                create.dispatch(CreatePlan { content });
            }
        }
    };
    let back = match editing {
        Some(id) => format!("/plans/{id}"),
        None => "/plans".to_owned(),
    };
    let leave = {
        let navigate = use_navigate();
        move |_| {
            let sure = !draft.dirty.get_untracked()
                || window().confirm_with_message(LEAVE).unwrap_or(false);
            if sure {
                draft.dirty.set(false);
                navigate(&back, Default::default());
            }
        }
    };
    let pending = move || create.pending().get() || update.pending().get();
    let title = match (editing, cloning) {
        (Some(_), _) => format!("Edit {}", start.name),
        (None, true) => format!("Clone {}", start.name),
        (None, false) => "New plan".to_owned(),
    };
    let phase_errors = move |p: Phase| {
        error.with(|e| match e {
            Some(AppError::Validation { errors }) => errors
                .iter()
                .filter(|e| e.field.starts_with(p.as_str()))
                .count(),
            _ => 0,
        })
    };

    view! {
        <Title text=title.clone() />
        <h1>{title}</h1>
        <FormMessage error />
        <section class="card stacked-form basics" aria-label="Basic information" on:input=move |_| draft.dirty.set(true)>
            <TextField label="Name" value=draft.name error=(error, "name") />
            {cloning.then(|| view! {
                <p class="hint">"This is a copy: give it a name of its own (plan names are unique)."</p>
            })}
            <label>
                "Description"
                <textarea rows="3" prop:value=draft.description
                    on:input=move |ev| draft.description.set(event_target_value(&ev))></textarea>
                <FieldMessage error field="description" />
            </label>
            <TextField label="Recovery-time target (RTO), minutes" value=draft.rto_minutes error=(error, "rto_minutes") />
            <p class="hint">"Optional. How long the switchover may take, from its start until the service runs in the emergency data center. Each run's report measures it against this target."</p>
        </section>
        <div class="plan-editor">
            <Palette phase draft catalog />
            <section class="card phases">
                <div class="tabs" role="tablist" aria-label="Phases">
                    {Phase::ALL.into_iter().map(|p| view! {
                        <button type="button" role="tab" aria-selected=move || (phase.get() == p).to_string()
                            class:selected=move || phase.get() == p on:click=move |_| phase.set(p)>
                            {format!("{} ({})", p.label(), match p { Phase::Switchover => "容灾切换", Phase::Recovery => "容灾恢复" })}
                            " " <span class="muted">{move || draft.rows(p).with(Vec::len)}</span>
                            {move || (phase_errors(p) > 0).then(|| view! { " " <span class="badge status-error">"!"</span> })}
                        </button>
                    }).collect_view()}
                </div>
                {move || {
                    let p = phase.get();
                    view! {
                        <div role="tabpanel" aria-label=p.label()>
                            {(p == Phase::Switchover).then(|| view! { <p class="muted small">"Required: at least one step."</p> })}
                            {(p == Phase::Recovery).then(|| view! { <p class="muted small">"Optional: the steps that move everything back."</p> })}
                            <FieldMessage error field=p.as_str() />
                            <PhaseSteps phase=p draft catalog refs error />
                        </div>
                    }
                }}
            </section>
        </div>
        <div class="form-buttons">
            <button type="button" class="primary" on:click=save disabled=pending>"Save"</button>
            " "
            <button type="button" on:click=leave>"Cancel"</button>
        </div>
    }
}
