//! Environment → Product groups (产品组): applications, what each needs, and the restart
//! order the engine will use. A dependency cycle is refused, in the browser and on the
//! server, with the cycle named.

use crate::api::environment::{
    CreateProductGroup, DeleteProductGroup, UpdateProductGroup, list_product_groups,
};
use crate::components::form_feedback::FieldMessage;
use crate::components::record_form::RecordForm;
use crate::components::record_section::{
    Record, RecordApi, RecordLayout, RecordRow, RecordSection,
};
use crate::components::text_field::TextField;
use crate::domain::environment::{Application, ProductGroup, ProductGroupForm};
use crate::domain::role::Action;
use crate::language::tr;
use leptos::prelude::*;

impl Record for ProductGroup {
    fn key(&self) -> (u64, u32) {
        (self.id.0, self.revision)
    }

    fn matches(&self, query: &str) -> bool {
        std::iter::once(&self.name)
            .chain(self.applications.iter().map(|a| &a.name))
            .cloned()
            .collect::<Vec<_>>()
            .join(" ")
            .to_lowercase()
            .contains(query)
    }

    fn what(&self) -> String {
        tr!(surroundings.group.what, name = &self.name)
    }
}

type GroupApi = RecordApi<ProductGroup, ProductGroupForm>;

#[component]
pub fn ProductGroups() -> impl IntoView {
    let api: GroupApi = RecordApi::new(
        list_product_groups,
        |form| CreateProductGroup { form },
        |g, form| UpdateProductGroup {
            id: g.id,
            revision: g.revision,
            form,
        },
        |g| DeleteProductGroup {
            id: g.id,
            revision: g.revision,
        },
    );
    let editing = RwSignal::new(None);
    view! {
        <RecordSection
            api
            editing
            action=Action::CreateProductGroup
            plural=tr!(surroundings.group.plural)
            layout=RecordLayout::Cards
            row=Callback::new(|row| view! { <GroupCard row /> }.into_any())
            editor=move || view! { <GroupEditor api editing /> }
        />
    }
}

/// A group's card: its applications, what each needs, and the restart order.
#[component]
fn GroupCard(row: RecordRow<ProductGroup>) -> impl IntoView {
    let RecordRow {
        record: group,
        controls,
    } = row;
    let levels = group.restart_levels();
    view! {
        <section class="card" data-group=group.name.clone()>
            <h2>{group.name.clone()}</h2>
            <p class="muted">{group.description.clone()}</p>
            <table class="data-table">
                <thead><tr>
                    <th scope="col">{tr!(surroundings.group.application)}</th>
                    <th scope="col">{tr!(surroundings.group.description)}</th>
                    <th scope="col">{tr!(surroundings.group.needs)}</th>
                </tr></thead>
                <tbody>
                    {group.applications.iter().map(|a| view! {
                        <tr><td>{a.name.clone()}</td><td>{a.description.clone()}</td><td>{a.needs.join(", ")}</td></tr>
                    }).collect_view()}
                </tbody>
            </table>
            <p data-testid="restart-levels">
                <strong>{tr!(surroundings.group.restart_order)}</strong>
                {levels.iter().enumerate().map(|(i, level)| format!("{}. {}", i + 1, level.join(", "))).collect::<Vec<_>>().join("  →  ")}
            </p>
            {controls.map(|controls| view! { <div>{controls}</div> })}
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
fn GroupEditor(api: GroupApi, editing: RwSignal<Option<ProductGroup>>) -> impl IntoView {
    let feedback = api.feedback(editing);
    let error = feedback.error;
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
    });
    let indexed_rows = move || rows.get().into_iter().enumerate().collect::<Vec<_>>();

    view! {
        <RecordForm
            api
            editing
            feedback
            label=tr!(surroundings.group.form)
            create_title=tr!(surroundings.group.create_title)
            edit_title=tr!(surroundings.group.edit_title)
            create_label=tr!(surroundings.group.create)
            class="stacked-form wide"
            read=Callback::new(move |()| ProductGroupForm {
                name: name.get(),
                description: description.get(),
                applications: rows.get().iter().map(Row::application).collect(),
            })
            validate=ProductGroupForm::validate
        >
            <TextField label=tr!(surroundings.group.name) value=name required=true error=(error, "name") />
            <TextField label=tr!(surroundings.group.description) value=description error=(error, "description") />
            <h3>{tr!(surroundings.group.applications)}</h3>
            <FieldMessage error field="applications" />
            <For each=indexed_rows key=|(_, row): &(usize, Row)| row.key let:item>
                {
                    let (index, row) = item;
                    let others = move || {
                        rows.get().into_iter().filter(|r| r.key != row.key).map(|r| r.name.get()).filter(|n| !n.trim().is_empty()).collect::<Vec<_>>()
                    };
                    view! {
                        <fieldset class="app-row" aria-label=tr!(surroundings.group.application_n, n = index + 1)>
                            <TextField label=tr!(surroundings.group.application_name) value=row.name required=true />
                            <FieldMessage error field=format!("applications[{index}].name") />
                            <TextField label=tr!(surroundings.group.application_description) value=row.description />
                            <div class="needs">
                                <span class="muted">{tr!(surroundings.group.needs_label)}</span>
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
                            <button type="button" on:click=move |_| rows.update(|r| r.retain(|x| x.key != row.key))>{tr!(surroundings.group.remove_application)}</button>
                        </fieldset>
                    }
                }
            </For>
            <div>
                <button type="button" on:click=move |_| rows.update(|r| r.push(new_row(Application::default())))>{tr!(surroundings.group.add_application)}</button>
            </div>
        </RecordForm>
    }
}
