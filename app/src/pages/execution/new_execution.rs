//! The New execution dialog (新建预案执行单), opened from an active plan: the failed data
//! center (故障机房), the emergency data center (应急机房), a description, and the
//! pre-check of what the run will need there. Creating it leads to the execution's page.

use super::pre_check::PreCheckSection;
use crate::api::environment::list_data_centers;
use crate::api::executions::{CreateExecution, pre_check_execution};
use crate::components::form_feedback::{FieldMessage, FormMessage, last_error};
use crate::domain::environment::DataCenter;
use crate::domain::execution::view::NewExecution;
use crate::domain::ids::{DataCenterId, PlanId};
use crate::error::{AppError, FieldError};
use crate::language::{self, tr, trv};
use leptos::html;
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

/// Asks for the two data centers and a description, runs the pre-check for the pair,
/// and creates the execution (the form's own checks run first, as the server's do).
#[component]
pub fn NewExecutionDialog(
    plan: PlanId,
    #[prop(into)] plan_name: String,
    on_close: Callback<()>,
) -> impl IntoView {
    let data_centers = Resource::new(|| (), |_| list_data_centers());
    let failed = RwSignal::new(None::<DataCenterId>);
    let emergency = RwSignal::new(None::<DataCenterId>);
    let description = RwSignal::new(String::new());
    let drill = RwSignal::new(false);
    let again = RwSignal::new(0_u32);
    let create = ServerAction::<CreateExecution>::new();
    let navigate = use_navigate();
    Effect::new(move || {
        if let Some(Ok(detail)) = create.value().get() {
            navigate(
                &format!("/executions/{}", detail.summary.id),
                Default::default(),
            );
        }
    });

    // The pre-check runs for every pair of two different data centers, and on demand.
    let pair = Memo::new(move |_| match (failed.get(), emergency.get()) {
        (Some(f), Some(e)) if f != e => Some((f, e)),
        _ => None,
    });
    let pre_check = Resource::new(
        move || (pair.get(), drill.get(), again.get()),
        move |(pair, drill, _)| async move {
            let Some((failed, emergency)) = pair else {
                return Ok(None);
            };
            pre_check_execution(NewExecution {
                plan_id: plan,
                failed: Some(failed),
                emergency: Some(emergency),
                description: String::new(),
                drill,
            })
            .await
            .map(Some)
        },
    );

    // Next to the fields: the form's own check (until a field changes), then the
    // server's answers to creating it and to the pre-check. Above the form: the
    // refusals of creating it that concern no field.
    let local = RwSignal::new(None::<AppError>);
    Effect::new(move || {
        failed.track();
        emergency.track();
        description.track();
        drill.track();
        local.set(None);
    });
    let created = last_error(create.value());
    let checked = Signal::derive(move || pre_check.get().and_then(Result::err));
    let error = Signal::derive(move || {
        let same = failed.get().is_some() && failed.get() == emergency.get();
        if same {
            return Some(AppError::invalid(vec![FieldError::new(
                "emergency",
                crate::domain::execution::view::SAME_SITE,
            )]));
        }
        local
            .get()
            .or_else(|| created.get())
            .or_else(|| checked.get())
    });

    let first = NodeRef::<html::Select>::new();
    Effect::new(move || {
        if let Some(select) = first.get() {
            let _ = select.focus();
        }
    });
    let close = move || on_close.run(());
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let new = NewExecution {
            plan_id: plan,
            failed: failed.get(),
            emergency: emergency.get(),
            description: description.get().trim().to_owned(),
            drill: drill.get(),
        };
        if let Err(errors) = new.check() {
            local.set(Some(AppError::invalid(errors)));
            return;
        }
        create.dispatch(CreateExecution { new });
    };

    view! {
        <div class="modal-backdrop">
            <section
                class="dialog card"
                role="dialog"
                aria-modal="true"
                aria-labelledby="new-execution-title"
                on:keydown=move |ev| {
                    if ev.key() == "Escape" {
                        close();
                    }
                }
            >
                <h2 id="new-execution-title">{tr!(executions.new.title)}</h2>
                <p class="muted">
                    {trv!(executions.new.lede, plan = plan_name.clone(), <zh> = language::zh, <b> = language::strong)}
                </p>
                <form class="stacked-form wide" aria-label=tr!(executions.new.title) on:submit=submit>
                    <FormMessage error=created />
                    <Suspense fallback=|| view! { <p class="muted">{tr!(executions.new.loading)}</p> }>
                        {move || Suspend::new(async move {
                            let all = data_centers.await?;
                            Ok::<_, AppError>(view! {
                                <SiteSelect label=|| trv!(executions.new.failed, <zh> = language::zh) field="failed" value=failed
                                    options=all.clone() error node=first />
                                <SiteSelect label=|| trv!(executions.new.emergency, <zh> = language::zh) field="emergency" value=emergency
                                    options=all error />
                            })
                        })}
                    </Suspense>
                    <label>
                        {tr!(executions.new.description)}
                        <textarea rows="2" prop:value=description
                            on:input=move |ev| description.set(event_target_value(&ev))></textarea>
                        <FieldMessage error field="description" />
                    </label>
                    <label class="inline">
                        <input type="checkbox" prop:checked=drill
                            on:change=move |ev| drill.set(event_target_checked(&ev)) />
                        {trv!(executions.new.drill, <zh> = language::zh)}
                    </label>
                    <FieldMessage error field="drill" />
                    <PreCheckSection check=pre_check again ready=Signal::derive(move || pair.get().is_some()) />
                    <div>
                        <button type="submit" class="primary" disabled=move || create.pending().get()>
                            {move || if create.pending().get() { tr!(executions.new.creating) } else { tr!(executions.new.create) }}
                        </button>
                        " "
                        <button type="button" on:click=move |_| close()>{tr!(common.action.cancel)}</button>
                    </div>
                </form>
            </section>
        </div>
    }
}

/// The data centers by region, regions in the order they first appear.
fn by_region(options: Vec<DataCenter>) -> Vec<(String, Vec<DataCenter>)> {
    let mut regions: Vec<(String, Vec<DataCenter>)> = Vec::new();
    for dc in options {
        match regions.iter_mut().find(|(region, _)| *region == dc.region) {
            Some((_, members)) => members.push(dc),
            None => regions.push((dc.region.clone(), vec![dc])),
        }
    }
    regions
}

/// A data center select bound to `value`, grouped by region; "Choose…" while none is
/// chosen.
#[component]
fn SiteSelect(
    #[prop(into)] label: ViewFn,
    field: &'static str,
    value: RwSignal<Option<DataCenterId>>,
    options: Vec<DataCenter>,
    error: Signal<Option<AppError>>,
    #[prop(optional)] node: Option<NodeRef<html::Select>>,
) -> impl IntoView {
    let node = node.unwrap_or_default();
    view! {
        <label>
            {label.run()}
            <select
                node_ref=node
                on:change=move |ev| value.set(event_target_value(&ev).parse().ok().map(DataCenterId))
            >
                <option value="" selected=move || value.get().is_none()>{tr!(executions.new.choose)}</option>
                {by_region(options).into_iter().map(|(region, members)| view! {
                    <optgroup label=region>
                        {members.into_iter().map(|dc| {
                            let id = dc.id;
                            view! {
                                <option value=id.to_string() selected=move || value.get() == Some(id)>{dc.name}</option>
                            }
                        }).collect_view()}
                    </optgroup>
                }).collect_view()}
            </select>
            <FieldMessage error field />
        </label>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::execution::view::MAX_DESCRIPTION;

    fn new(failed: Option<u64>, emergency: Option<u64>) -> NewExecution {
        NewExecution {
            plan_id: PlanId(1),
            failed: failed.map(DataCenterId),
            emergency: emergency.map(DataCenterId),
            description: String::new(),
            drill: false,
        }
    }

    fn fields(result: Result<(), Vec<FieldError>>) -> Vec<(String, String)> {
        result
            .err()
            .unwrap_or_default()
            .into_iter()
            .map(|e| (e.field, e.message))
            .collect()
    }

    #[test]
    fn both_data_centers_are_needed_and_must_differ() {
        assert_eq!(new(Some(1), Some(2)).check(), Ok(()));
        assert_eq!(
            fields(new(None, None).check()),
            [
                ("failed".to_owned(), "choose a data center".to_owned()),
                ("emergency".to_owned(), "choose a data center".to_owned())
            ]
        );
        assert_eq!(
            fields(new(Some(3), Some(3)).check()),
            [(
                "emergency".to_owned(),
                crate::domain::execution::view::SAME_SITE.to_owned()
            )]
        );
    }

    #[test]
    fn data_centers_are_grouped_by_region_in_order() {
        let dc = |id, region: &str, name: &str| DataCenter {
            id: DataCenterId(id),
            region: region.to_owned(),
            name: name.to_owned(),
            description: String::new(),
            revision: 1,
        };
        let grouped = by_region(vec![
            dc(1, "East", "Hangzhou-A"),
            dc(2, "North", "Beijing-A"),
            dc(3, "East", "Hangzhou-B"),
        ]);
        let names: Vec<(String, Vec<String>)> = grouped
            .into_iter()
            .map(|(region, dcs)| (region, dcs.into_iter().map(|d| d.name).collect()))
            .collect();
        assert_eq!(
            names,
            [
                (
                    "East".to_owned(),
                    vec!["Hangzhou-A".to_owned(), "Hangzhou-B".to_owned()]
                ),
                ("North".to_owned(), vec!["Beijing-A".to_owned()])
            ]
        );
    }

    #[test]
    fn a_description_has_a_limit() {
        let mut long = new(Some(1), Some(2));
        long.description = "x".repeat(MAX_DESCRIPTION + 1);
        assert_eq!(fields(long.check())[0].0, "description");
    }
}
