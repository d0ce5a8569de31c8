//! Create, edit and clone a plan: basic information, then the Switchover and Recovery
//! phases built from a palette of step types grouped by layer. Steps reorder by drag and
//! drop or from the keyboard (arrow keys on a step's handle); each step's parameters get
//! a form drawn from the catalog. The domain's check runs before anything is sent, the
//! server runs it again, and every problem shows next to its step and field.

use crate::api::catalog::list_step_types;
use crate::api::environment::{list_database_clusters, list_product_groups};
use crate::api::plans::{CreatePlan, UpdatePlan, get_plan};
use crate::components::error_view::ErrorView;
use crate::components::form_feedback::{FieldMessage, FormMessage, last_error};
use crate::components::layer_badge::LayerBadge;
use crate::components::role_gate::RoleGate;
use crate::components::text_field::TextField;
use crate::domain::ids::PlanId;
use crate::domain::plan::{
    Phase, PlanContent, PlanDetail, PlanRefs, PlanStep, SITES, param_text, param_value, step_field,
};
use crate::domain::role::Action;
use crate::domain::step::{Layer, ParamDef, ParamKind, StepType};
use crate::error::AppError;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_navigate, use_params_map, use_query_map};

fn plan_id(text: Option<String>) -> Option<PlanId> {
    text.and_then(|t| t.parse().ok()).map(PlanId)
}

fn editing_untracked(params: &Memo<leptos_router::params::ParamsMap>) -> bool {
    params.with_untracked(|p| p.get("id").is_some())
}

/// `/plans/new`, `/plans/new?from=ID` (a clone) and `/plans/ID/edit`.
#[component]
pub fn PlanEditorPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let editing = move || plan_id(params.read().get("id"));
    let source_id = move || editing().or_else(|| plan_id(query.read().get("from")));
    let source = Resource::new(source_id, |id| async move {
        match id {
            Some(id) => get_plan(id).await.map(Some),
            None => Ok(None),
        }
    });
    let catalog = Resource::new(|| (), |_| list_step_types());
    let groups = Resource::new(|| (), |_| list_product_groups());
    let clusters = Resource::new(|| (), |_| list_database_clusters());

    // Editing and creating (or cloning) are separate rights in the role table.
    let right = if editing_untracked(&params) {
        Action::UpdatePlan
    } else {
        Action::CreatePlan
    };
    view! {
        <RoleGate action=right refusal="Plans are written by operators and admins; you can read them on the Plans page.">
            <Transition fallback=|| view! { <p class="muted">"Loading the editor…"</p> }>
                <ErrorBoundary fallback=|errors| view! { <ErrorView errors /> }>
                    {move || Suspend::new(async move {
                        let source = source.await?;
                        let catalog = catalog.await?;
                        let refs = PlanRefs {
                            product_groups: groups.await?.into_iter().map(|g| g.name).collect(),
                            database_clusters: clusters.await?.into_iter().map(|c| c.name).collect(),
                        };
                        Ok::<_, AppError>(view! { <PlanForm editing=editing() source catalog refs /> })
                    })}
                </ErrorBoundary>
            </Transition>
        </RoleGate>
    }
}

/// One step being edited; its fields have signals of their own so typing keeps focus.
#[derive(Clone)]
struct StepRow {
    key: String,
    opcode: String,
    title: RwSignal<String>,
    /// The text of each parameter field, in the catalog's order.
    params: Vec<(ParamDef, RwSignal<String>)>,
}

impl StepRow {
    fn new(step: &PlanStep, catalog: &[StepType]) -> Self {
        let defs = catalog
            .iter()
            .find(|t| t.opcode == step.opcode)
            .map(|t| t.params.clone())
            .unwrap_or_default();
        Self {
            key: step.key.clone(),
            opcode: step.opcode.clone(),
            title: RwSignal::new(step.title.clone()),
            params: defs
                .into_iter()
                .map(|def| {
                    let text = param_text(step.params.get(&def.name));
                    (def, RwSignal::new(text))
                })
                .collect(),
        }
    }

    fn to_step(&self) -> PlanStep {
        PlanStep {
            key: self.key.clone(),
            opcode: self.opcode.clone(),
            title: self.title.get(),
            params: self
                .params
                .iter()
                .map(|(def, text)| (def.name.clone(), param_value(&def.kind, &text.get())))
                .filter(|(_, value)| !value.is_null())
                .collect(),
        }
    }
}

/// Everything the form holds.
#[derive(Clone, Copy)]
struct Draft {
    name: RwSignal<String>,
    description: RwSignal<String>,
    switchover: RwSignal<Vec<StepRow>>,
    recovery: RwSignal<Vec<StepRow>>,
    /// Whether anything changed since the form opened or was saved.
    dirty: RwSignal<bool>,
}

impl Draft {
    fn new(content: &PlanContent, catalog: &[StepType]) -> Self {
        let rows = |steps: &[PlanStep]| steps.iter().map(|s| StepRow::new(s, catalog)).collect();
        Self {
            name: RwSignal::new(content.name.clone()),
            description: RwSignal::new(content.description.clone()),
            switchover: RwSignal::new(rows(&content.switchover)),
            recovery: RwSignal::new(rows(&content.recovery)),
            dirty: RwSignal::new(false),
        }
    }

    fn rows(&self, phase: Phase) -> RwSignal<Vec<StepRow>> {
        match phase {
            Phase::Switchover => self.switchover,
            Phase::Recovery => self.recovery,
        }
    }

    fn content(&self) -> PlanContent {
        let steps =
            |rows: RwSignal<Vec<StepRow>>| rows.get().iter().map(StepRow::to_step).collect();
        PlanContent {
            name: self.name.get(),
            description: self.description.get(),
            switchover: steps(self.switchover),
            recovery: steps(self.recovery),
        }
    }

    fn add(&self, phase: Phase, step_type: &StepType, catalog: &[StepType]) {
        let step = PlanStep {
            key: self.content().fresh_key(),
            opcode: step_type.opcode.clone(),
            ..Default::default()
        };
        self.rows(phase)
            .update(|rows| rows.push(StepRow::new(&step, catalog)));
        self.dirty.set(true);
    }

    /// Moves the step `key` to position `to` of its phase.
    fn move_to(&self, phase: Phase, key: &str, to: usize) {
        self.rows(phase).update(|rows| {
            if let Some(from) = rows.iter().position(|r| r.key == key) {
                let row = rows.remove(from);
                rows.insert(to.min(rows.len()), row);
            }
        });
        self.dirty.set(true);
    }
}

#[component]
fn PlanForm(
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
    let version = source.as_ref().map_or(0, |s| s.plan.version);
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
                    version,
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

const LEAVE: &str = "Leave without saving? Your changes will be lost.";

/// Asks before leaving while `dirty` holds: the browser's own prompt when the page
/// unloads, and ours when a link inside the console is followed (the router would
/// otherwise swap the page without unloading it).
fn warn_before_leaving(dirty: RwSignal<bool>) {
    use leptos::wasm_bindgen::JsCast;
    use leptos::wasm_bindgen::closure::Closure;
    use leptos::web_sys::{Element, MouseEvent};
    Effect::new(move || {
        let unload = window_event_listener(leptos::ev::beforeunload, move |ev| {
            if dirty.get_untracked() {
                ev.prevent_default();
                ev.set_return_value(LEAVE);
            }
        });
        let on_click = Closure::<dyn Fn(MouseEvent)>::new(move |ev: MouseEvent| {
            let on_link = ev
                .target()
                .and_then(|target| target.dyn_into::<Element>().ok())
                .and_then(|element| element.closest("a[href]").ok().flatten())
                .is_some();
            if on_link
                && dirty.get_untracked()
                && !window().confirm_with_message(LEAVE).unwrap_or(true)
            {
                ev.prevent_default();
                ev.stop_immediate_propagation();
            }
        });
        // Capture on the document runs before the router's own click handling.
        let _ = document().add_event_listener_with_callback_and_bool(
            "click",
            on_click.as_ref().unchecked_ref(),
            true,
        );
        let on_click = StoredValue::new_local(on_click);
        on_cleanup(move || {
            unload.remove();
            on_click.with_value(|listener| {
                let _ = document().remove_event_listener_with_callback_and_bool(
                    "click",
                    listener.as_ref().unchecked_ref(),
                    true,
                );
            });
        });
    });
}

/// The step types to add, grouped by layer.
#[component]
fn Palette(
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

#[component]
fn PhaseSteps(
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

/// A parameter's field, drawn from its kind: pickers for Environment records and sites,
/// bounded numbers, free text.
#[component]
fn ParamField(
    def: ParamDef,
    value: RwSignal<String>,
    refs: StoredValue<PlanRefs>,
    error: Signal<Option<AppError>>,
    path: Signal<String>,
) -> impl IntoView {
    let label = if def.required {
        def.label.clone()
    } else {
        format!("{} (optional)", def.label)
    };
    let placeholder = def.default.as_ref().map(|d| param_text(Some(d)));
    let options: Option<Vec<String>> = match &def.kind {
        ParamKind::ProductGroup => Some(refs.read_value().product_groups.iter().cloned().collect()),
        ParamKind::DatabaseCluster => Some(
            refs.read_value()
                .database_clusters
                .iter()
                .cloned()
                .collect(),
        ),
        ParamKind::Site => Some(SITES.iter().map(|s| s.to_string()).collect()),
        ParamKind::Choice { options } => Some(options.clone()),
        _ => None,
    };
    let set = move |ev| value.set(event_target_value(&ev));
    let input = match (&def.kind, options) {
        (_, Some(options)) => view! {
            <select prop:value=value on:change=set>
                <option value="">"Choose…"</option>
                {options.into_iter().map(|o| {
                    let shown = o.clone();
                    view! { <option value=o.clone() selected=move || value.get() == o>{shown}</option> }
                }).collect_view()}
            </select>
        }
        .into_any(),
        (ParamKind::Integer { min, max }, None) => view! {
            <input type="number" step="1" min=*min max=*max placeholder=placeholder prop:value=value on:input=set />
        }
        .into_any(),
        (ParamKind::Text { max_len }, None) if *max_len > 200 => view! {
            <textarea rows="2" placeholder=placeholder prop:value=value on:input=set></textarea>
        }
        .into_any(),
        (ParamKind::Url, None) => view! {
            <input type="url" placeholder=placeholder prop:value=value on:input=set />
        }
        .into_any(),
        _ => view! { <input type="text" placeholder=placeholder prop:value=value on:input=set /> }
            .into_any(),
    };
    view! {
        <label class="param">
            {label}
            {input}
            <span class="muted small">{def.help.clone()} " (" {def.kind.describe()} ")"</span>
            <FieldMessage error field=path />
        </label>
    }
}
