//! A section of Environment records (data centers, product groups, clusters, configs):
//! the list with its search, Edit and Delete (asked first) for the roles that may change
//! records, and the create-or-edit form under it. The list loads again after each change.
//! A page says only what is its own: how a record is drawn and what its form holds.

use super::confirm_delete::ConfirmDelete;
use super::console_layout::use_current_user;
use super::error_view::ErrorView;
use super::form_feedback::{EditorFeedback, FormMessage, editor_feedback, last_error};
use super::text_field::TextField;
use crate::domain::role::Action;
use crate::error::AppError;
use crate::language::tr;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

/// What a section needs to know of its records, beyond how they are drawn.
pub trait Record: Clone + Send + Sync + 'static {
    /// The id and revision: a record drawn again after each change.
    fn key(&self) -> (u64, u32);
    /// Whether the record matches a search (trimmed, lower case, never empty).
    fn matches(&self, query: &str) -> bool;
    /// What a delete removes, as a person reads it ("the data center Shanghai-A").
    fn what(&self) -> String;
}

/// The server functions behind a section, erased to what its list and form use: the
/// records, reloaded after every create, update and delete; save (update while a record
/// is being edited, create otherwise); delete; and their answers.
pub struct RecordApi<T: Send + Sync + 'static, F: 'static> {
    records: Resource<Result<Vec<T>, AppError>>,
    save: Callback<(Option<T>, F)>,
    delete: Callback<T>,
    created: Signal<Option<Result<(), AppError>>>,
    updated: Signal<Option<Result<(), AppError>>>,
    delete_error: Signal<Option<AppError>>,
}

impl<T: Send + Sync, F> Clone for RecordApi<T, F> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T: Send + Sync, F> Copy for RecordApi<T, F> {}

/// An action's last answer without its value: the form needs only whether it failed.
fn outcome<S>(action: ServerAction<S>) -> Signal<Option<Result<(), AppError>>>
where
    S: ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    S::Output: Send + Sync + 'static,
{
    Signal::derive(move || {
        action.value().with(|v| {
            v.as_ref()
                .map(|r| r.as_ref().map(|_| ()).map_err(Clone::clone))
        })
    })
}

impl<T, F> RecordApi<T, F>
where
    T: Serialize + DeserializeOwned + Send + Sync + 'static,
    F: Send + Sync + 'static,
{
    /// Ties a record type to its server functions: `list` loads them, the others build
    /// the request to create one from a form, update one with a form, and delete one.
    pub fn new<Fut, C, U, D>(
        list: fn() -> Fut,
        create: fn(F) -> C,
        update: fn(&T, F) -> U,
        delete: fn(&T) -> D,
    ) -> Self
    where
        Fut: Future<Output = Result<Vec<T>, AppError>> + Send + 'static,
        C: ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
        C::Output: Send + Sync + 'static,
        U: ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
        U::Output: Send + Sync + 'static,
        D: ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
        D::Output: Send + Sync + 'static,
    {
        let creating = ServerAction::<C>::new();
        let updating = ServerAction::<U>::new();
        let deleting = ServerAction::<D>::new();
        let records = Resource::new(
            move || {
                (
                    creating.version().get(),
                    updating.version().get(),
                    deleting.version().get(),
                )
            },
            move |_| list(),
        );
        Self {
            records,
            save: Callback::new(move |(editing, form): (Option<T>, F)| {
                match editing {
                    Some(record) => updating.dispatch(update(&record, form)),
                    None => creating.dispatch(create(form)),
                };
            }),
            delete: Callback::new(move |record: T| {
                deleting.dispatch(delete(&record));
            }),
            created: outcome(creating),
            updated: outcome(updating),
            delete_error: last_error(outcome(deleting)),
        }
    }
}

impl<T: Send + Sync + 'static, F: 'static> RecordApi<T, F> {
    /// Sends the form: an update of `editing` when set, a create otherwise.
    pub fn save(&self, editing: Option<T>, form: F) {
        self.save.run((editing, form));
    }

    /// The feedback of the form editing `editing`; a successful update closes it.
    pub fn feedback(&self, editing: RwSignal<Option<T>>) -> EditorFeedback {
        editor_feedback(editing, self.created, self.updated)
    }
}

/// How a section lays out its records.
#[derive(Clone)]
pub enum RecordLayout {
    /// A table (its test id and column headings); those who may change records get an
    /// Actions column, and the confirmation of a delete shows under the table.
    Table {
        testid: &'static str,
        columns: Vec<&'static str>,
    },
    /// A card a record; the confirmation of a delete shows in the card, under its
    /// controls.
    Cards,
}

/// One record to draw, with the controls that belong in it.
pub struct RecordRow<T> {
    pub record: T,
    /// Edit and Delete, for those who may change records; `None` for the others.
    pub controls: Option<AnyView>,
}

/// The loaded records with their type erased to what the list asks of them, so that the
/// list, its search and the delete confirmation are compiled once, not once per page.
trait LoadedRecords: Send + Sync {
    fn len(&self) -> usize;
    fn key(&self, at: usize) -> (u64, u32);
    fn matches(&self, at: usize, query: &str) -> bool;
    fn what(&self, at: usize) -> String;
    fn edit(&self, at: usize);
    fn delete(&self, at: usize);
    fn draw(&self, at: usize, controls: Option<AnyView>) -> AnyView;
}

struct Loaded<T: Record> {
    records: Vec<T>,
    editing: RwSignal<Option<T>>,
    delete: Callback<T>,
    row: Callback<RecordRow<T>, AnyView>,
}

impl<T: Record> LoadedRecords for Loaded<T> {
    fn len(&self) -> usize {
        self.records.len()
    }

    fn key(&self, at: usize) -> (u64, u32) {
        self.records[at].key()
    }

    fn matches(&self, at: usize, query: &str) -> bool {
        self.records[at].matches(query)
    }

    fn what(&self, at: usize) -> String {
        self.records[at].what()
    }

    fn edit(&self, at: usize) {
        self.editing.set(Some(self.records[at].clone()));
    }

    fn delete(&self, at: usize) {
        self.delete.run(self.records[at].clone());
    }

    fn draw(&self, at: usize, controls: Option<AnyView>) -> AnyView {
        self.row.run(RecordRow {
            record: self.records[at].clone(),
            controls,
        })
    }
}

type Records = Arc<dyn LoadedRecords>;

/// Loads the records, their type erased.
type Load =
    Arc<dyn Fn() -> Pin<Box<dyn Future<Output = Result<Records, AppError>> + Send>> + Send + Sync>;

#[component]
pub fn RecordSection<T, F>(
    api: RecordApi<T, F>,
    /// The record open in the form; `None` while creating.
    editing: RwSignal<Option<T>>,
    /// The right to change these records; without it the section only reads.
    action: Action,
    /// What the records are called in "Loading data centers…".
    plural: &'static str,
    layout: RecordLayout,
    /// Draws one record: a table row, or a card.
    row: Callback<RecordRow<T>, AnyView>,
    /// Said when the search matches nothing; nothing is said when not given.
    #[prop(optional)]
    empty: Option<&'static str>,
    /// The create-or-edit form, shown to those who may change records.
    #[prop(into)]
    editor: ViewFn,
) -> impl IntoView
where
    T: Record,
    F: Send + Sync + 'static,
{
    let delete = api.delete;
    let load: Load = Arc::new(move || {
        Box::pin(async move {
            let records = api.records.await?;
            Ok(Arc::new(Loaded {
                records,
                editing,
                delete,
                row,
            }) as Records)
        })
    });
    section(
        load,
        api.delete_error,
        action,
        plural,
        layout,
        empty,
        editor,
    )
}

/// The section, the same for every kind of record.
fn section(
    load: Load,
    delete_error: Signal<Option<AppError>>,
    action: Action,
    plural: &'static str,
    layout: RecordLayout,
    empty: Option<&'static str>,
    editor: ViewFn,
) -> AnyView {
    let me = use_current_user();
    let may_change =
        move || async move { me.0.await.ok().is_some_and(|u| action.allowed_for(u.role)) };
    let query = RwSignal::new(String::new());
    view! {
        <div class="toolbar" role="search">
            <TextField label=tr!(common.record.search) kind="search" value=query />
        </div>
        <FormMessage error=delete_error />
        <Transition fallback=move || view! { <p class="muted">{tr!(common.record.loading, what = plural)}</p> }>
            <ErrorBoundary fallback=|errors| view! { <ErrorView errors /> }>
                {move || {
                    let load = load.clone();
                    let layout = layout.clone();
                    Suspend::new(async move {
                        let can_edit = may_change().await;
                        load().await.map(|records| list(records, can_edit, query, layout, empty))
                    })
                }}
            </ErrorBoundary>
        </Transition>
        <Transition fallback=|| ()>
            {move || {
                let editor = editor.clone();
                Suspend::new(async move { may_change().await.then(|| editor.run()) })
            }}
        </Transition>
    }
    .into_any()
}

/// The records that match the search, with Edit and Delete for those who may change them.
fn list(
    records: Records,
    can_edit: bool,
    query: RwSignal<String>,
    layout: RecordLayout,
    empty: Option<&'static str>,
) -> AnyView {
    let records = StoredValue::new(records);
    let in_cards = matches!(layout, RecordLayout::Cards);
    let confirming = RwSignal::new(None::<usize>);
    // The confirmation for `only` the record given, or for whichever is being deleted.
    let confirmation = move |only: Option<usize>| {
        move || {
            confirming
                .get()
                .filter(|at| only.is_none_or(|only| only == *at))
                .map(|at| {
                    view! {
                        <ConfirmDelete
                            what=records.get_value().what(at)
                            on_confirm=Callback::new(move |()| {
                                records.get_value().delete(at);
                                confirming.set(None);
                            })
                            on_cancel=Callback::new(move |()| confirming.set(None))
                        />
                    }
                })
        }
    };
    let controls = move |at: usize| {
        let buttons = view! {
            <button type="button" on:click=move |_| records.get_value().edit(at)>{tr!(common.action.edit)}</button>
            " "
            <button type="button" on:click=move |_| confirming.set(Some(at))>{tr!(common.action.delete)}</button>
        };
        if in_cards {
            view! { {buttons} {confirmation(Some(at))} }.into_any()
        } else {
            buttons.into_any()
        }
    };
    let shown = Memo::new(move |_| {
        let q = query.get().trim().to_lowercase();
        let records = records.get_value();
        (0..records.len())
            .filter(|&at| q.is_empty() || records.matches(at, &q))
            .collect::<Vec<_>>()
    });
    let rows = view! {
        <For each=move || shown.get() key=move |at: &usize| records.get_value().key(*at) let:at>
            {records.get_value().draw(at, can_edit.then(|| controls(at)))}
        </For>
    };
    let rows = match layout {
        RecordLayout::Table { testid, columns } => view! {
            <table class="data-table" data-testid=testid>
                <thead>
                    <tr>
                        {columns.iter().map(|c| view! { <th scope="col">{*c}</th> }).collect_view()}
                        {can_edit.then(|| view! { <th scope="col">{tr!(common.record.actions)}</th> })}
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        }
        .into_any(),
        RecordLayout::Cards => rows.into_any(),
    };
    view! {
        {rows}
        {empty.map(|empty| view! {
            <Show when=move || shown.with(Vec::is_empty)>
                <p class="empty" role="status">{empty}</p>
            </Show>
        })}
        {(!in_cards).then(|| confirmation(None))}
    }
    .into_any()
}
