//! Environment → Product groups (产品组): applications, what each needs, and the restart
//! order the engine will use. A dependency cycle is refused, in the browser and on the
//! server, with the cycle named.

use crate::api::environment::{
    CreateProductGroup, DeleteProductGroup, UpdateProductGroup, list_product_groups,
};
use crate::components::confirm_delete::ConfirmDelete;
use crate::components::console_layout::use_current_user;
use crate::components::editor_buttons::EditorButtons;
use crate::components::error_view::ErrorView;
use crate::components::form_feedback::{
    EditorFeedback, FieldMessage, FormMessage, editor_feedback, last_error,
};
use crate::components::text_field::TextField;
use crate::domain::environment::{Application, ProductGroup, ProductGroupForm};
use crate::domain::role::Action;
use crate::error::AppError;
use leptos::prelude::*;

#[component]
pub fn ProductGroups() -> impl IntoView {
    let me = use_current_user();
    let create = ServerAction::<CreateProductGroup>::new();
    let update = ServerAction::<UpdateProductGroup>::new();
    let delete = ServerAction::<DeleteProductGroup>::new();
    let groups = Resource::new(
        move || {
            (
                create.version().get(),
                update.version().get(),
                delete.version().get(),
            )
        },
        |_| list_product_groups(),
    );
    let editing = RwSignal::new(None::<ProductGroup>);
    let query = RwSignal::new(String::new());
    let delete_error = last_error(delete.value());

    view! {
        <div class="toolbar" role="search">
            <TextField label="Search" kind="search" value=query />
        </div>
        <FormMessage error=delete_error />
        <Transition fallback=|| view! { <p class="muted">"Loading product groups…"</p> }>
            <ErrorBoundary fallback=|errors| view! { <ErrorView errors /> }>
                {move || Suspend::new(async move {
                    let can_edit = me.0.await.ok().is_some_and(|u| Action::CreateProductGroup.allowed_for(u.role));
                    groups.await.map(|groups| {
                        groups
                            .into_iter()
                            .map(|group| view! { <GroupCard group query can_edit editing delete /> })
                            .collect_view()
                    })
                })}
            </ErrorBoundary>
        </Transition>
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                let can_edit = me.0.await.ok().is_some_and(|u| Action::CreateProductGroup.allowed_for(u.role));
                can_edit.then(|| view! { <GroupEditor create update editing /> })
            })}
        </Transition>
    }
}

#[component]
fn GroupCard(
    group: ProductGroup,
    query: RwSignal<String>,
    can_edit: bool,
    editing: RwSignal<Option<ProductGroup>>,
    delete: ServerAction<DeleteProductGroup>,
) -> impl IntoView {
    let levels = group.restart_levels();
    let (id, version) = (group.id, group.version);
    let confirming = RwSignal::new(false);
    let for_edit = group.clone();
    let group_name = group.name.clone();
    let searchable = std::iter::once(&group.name)
        .chain(group.applications.iter().map(|a| &a.name))
        .cloned()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase();
    let shown = move || searchable.contains(query.get().trim().to_lowercase().as_str());
    view! {
        <section class="card" data-group=group.name.clone() hidden=move || !shown()>
            <h2>{group.name.clone()}</h2>
            <p class="muted">{group.description.clone()}</p>
            <table class="data-table">
                <thead><tr><th scope="col">"Application"</th><th scope="col">"Description"</th><th scope="col">"Needs"</th></tr></thead>
                <tbody>
                    {group.applications.iter().map(|a| view! {
                        <tr><td>{a.name.clone()}</td><td>{a.description.clone()}</td><td>{a.needs.join(", ")}</td></tr>
                    }).collect_view()}
                </tbody>
            </table>
            <p data-testid="restart-levels">
                <strong>"Restart order: "</strong>
                {levels.iter().enumerate().map(|(i, level)| format!("{}. {}", i + 1, level.join(", "))).collect::<Vec<_>>().join("  →  ")}
            </p>
            {can_edit.then(|| view! {
                <div>
                    <button type="button" on:click=move |_| editing.set(Some(for_edit.clone()))>"Edit"</button>
                    " "
                    <button type="button" on:click=move |_| confirming.set(true)>"Delete"</button>
                </div>
                <Show when=move || confirming.get()>
                    <ConfirmDelete
                        what=format!("the product group {group_name} and its applications")
                        on_confirm=Callback::new(move |()| {
                            delete.dispatch(DeleteProductGroup { id, version });
                            confirming.set(false);
                        })
                        on_cancel=Callback::new(move |()| confirming.set(false))
                    />
                </Show>
            })}
        </section>
    }
}

/// One application row of the editor, with signals of its own so typing keeps focus.
#[derive(Clone, Copy)]
struct Row {
    key: usize,
    name: RwSignal<String>,
    description: RwSignal<String>,
    needs: RwSignal<Vec<String>>,
}

impl Row {
    fn new(key: usize, app: Application) -> Self {
        Self {
            key,
            name: RwSignal::new(app.name),
            description: RwSignal::new(app.description),
            needs: RwSignal::new(app.needs),
        }
    }

    fn application(&self) -> Application {
        Application {
            name: self.name.get(),
            description: self.description.get(),
            needs: self.needs.get(),
        }
    }
}

#[component]
fn GroupEditor(
    create: ServerAction<CreateProductGroup>,
    update: ServerAction<UpdateProductGroup>,
    editing: RwSignal<Option<ProductGroup>>,
) -> impl IntoView {
    let EditorFeedback { local, error } = editor_feedback(editing, create.value(), update.value());
    let name = RwSignal::new(String::new());
    let description = RwSignal::new(String::new());
    let rows = RwSignal::new(Vec::<Row>::new());
    let next_key = StoredValue::new(0usize);
    let new_row = move |app: Application| {
        let key = next_key.get_value();
        next_key.set_value(key + 1);
        Row::new(key, app)
    };
    Effect::new(move || {
        let chosen = editing.get();
        name.set(chosen.as_ref().map(|g| g.name.clone()).unwrap_or_default());
        description.set(
            chosen
                .as_ref()
                .map(|g| g.description.clone())
                .unwrap_or_default(),
        );
        rows.set(
            chosen
                .map(|g| g.applications.into_iter().map(new_row).collect())
                .unwrap_or_default(),
        );
        local.set(None);
    });
    let indexed_rows = move || rows.get().into_iter().enumerate().collect::<Vec<_>>();

    view! {
        <form
            class="stacked-form wide"
            aria-label="Product group"
            on:submit=move |ev| {
                ev.prevent_default();
                let form = ProductGroupForm {
                    name: name.get(),
                    description: description.get(),
                    applications: rows.get().iter().map(Row::application).collect(),
                };
                if let Err(errors) = form.validate() {
                    local.set(Some(AppError::invalid(errors)));
                    return;
                }
                local.set(None);
                match editing.get() {
                    Some(g) => { update.dispatch(UpdateProductGroup { id: g.id, version: g.version, form }); }
                    None => { create.dispatch(CreateProductGroup { form }); }
                }
            }
        >
            <h2>{move || if editing.with(Option::is_some) { "Edit product group" } else { "Create a product group" }}</h2>
            <FormMessage error />
            <TextField label="Group name" value=name required=true error=(error, "name") />
            <TextField label="Description" value=description error=(error, "description") />
            <h3>"Applications"</h3>
            <FieldMessage error field="applications" />
            <For each=indexed_rows key=|(_, row): &(usize, Row)| row.key let:item>
                {
                    let (index, row) = item;
                    let others = move || {
                        rows.get().into_iter().filter(|r| r.key != row.key).map(|r| r.name.get()).filter(|n| !n.trim().is_empty()).collect::<Vec<_>>()
                    };
                    view! {
                        <fieldset class="app-row" aria-label=move || format!("Application {}", index + 1)>
                            <TextField label="Application name" value=row.name required=true />
                            <FieldMessage error field=format!("applications[{index}].name") />
                            <TextField label="Application description" value=row.description />
                            <div class="needs">
                                <span class="muted">"Needs: "</span>
                                {move || others().into_iter().map(|other| {
                                    let checked_name = other.clone();
                                    let toggled_name = other.clone();
                                    view! {
                                        <label class="inline">
                                            <input
                                                type="checkbox"
                                                prop:checked=move || row.needs.with(|n| n.contains(&checked_name))
                                                on:change=move |_| row.needs.update(|n| {
                                                    if let Some(at) = n.iter().position(|x| *x == toggled_name) { n.remove(at); } else { n.push(toggled_name.clone()); }
                                                })
                                            />
                                            {other}
                                        </label>
                                    }
                                }).collect_view()}
                            </div>
                            <FieldMessage error field=format!("applications[{index}].needs") />
                            <button type="button" on:click=move |_| rows.update(|r| r.retain(|x| x.key != row.key))>"Remove application"</button>
                        </fieldset>
                    }
                }
            </For>
            <div>
                <button type="button" on:click=move |_| rows.update(|r| r.push(new_row(Application::default())))>"Add application"</button>
            </div>
            <EditorButtons editing create_label="Create product group" />
        </form>
    }
}
