//! The active faults, each with Clear (and Clear all), and the form that injects one.

use super::Controls;
use crate::api::simulator::{ClearFault, ClearFaults, InjectFault, check_fault_spec};
use crate::components::choice_select::choice_select;
use crate::components::form_feedback::{FieldMessage, FormMessage, last_error};
use crate::components::text_field::TextField;
use crate::domain::simulator::{Call, Fault, FaultEffect, FaultSpec, fields};
use crate::error::{AppError, FieldError};
use leptos::prelude::*;

#[component]
pub fn ActiveFaults(faults: Vec<Fault>, operates: bool, controls: Controls) -> impl IntoView {
    let (clear, clear_all) = (controls.clear, controls.clear_all);
    let error = Signal::derive(move || {
        last_error(clear.value())
            .get()
            .or_else(|| last_error(clear_all.value()).get())
    });
    let empty = faults.is_empty();
    let rows = faults
        .into_iter()
        .map(|fault| {
            let id = fault.id;
            let remaining = fault
                .remaining
                .map_or("until cleared".to_owned(), |n| n.to_string());
            view! {
                <tr data-fault=id.to_string()>
                    <td>{format!("#{id}")}</td>
                    <td>{fault.spec.describe()}</td>
                    <td>{remaining}</td>
                    <td>{fault.hits}</td>
                    {operates.then(|| view! {
                        <td>
                            <button type="button" aria-label=format!("Clear fault {id}")
                                on:click=move |_| { clear.dispatch(ClearFault { id }); }>"Clear"</button>
                        </td>
                    })}
                </tr>
            }
        })
        .collect_view();

    view! {
        <section class="card" aria-label="Active faults">
            <h2>"Active faults"</h2>
            <FormMessage error />
            {if empty {
                view! { <p class="empty">"No fault is active: every call behaves."</p> }.into_any()
            } else {
                view! {
                    <table class="data-table compact" data-testid="sim-faults">
                        <thead>
                            <tr>
                                <th scope="col">"Fault"</th>
                                <th scope="col">"What it does"</th>
                                <th scope="col">"Calls left"</th>
                                <th scope="col">"Hits"</th>
                                {operates.then(|| view! { <th scope="col"><span class="sr-only">"Actions"</span></th> })}
                            </tr>
                        </thead>
                        <tbody>{rows}</tbody>
                    </table>
                    {operates.then(|| view! {
                        <p><button type="button" on:click=move |_| { clear_all.dispatch(ClearFaults {}); }>"Clear all"</button></p>
                    })}
                }
                .into_any()
            }}
        </section>
    }
}

/// What the inject form holds, kept by the page across reloads of the state.
#[derive(Clone, Copy)]
pub struct Draft {
    call: RwSignal<Call>,
    /// Empty: any data center.
    data_center: RwSignal<String>,
    target: RwSignal<String>,
    effect: RwSignal<FaultEffect>,
    times: RwSignal<String>,
    delay_ms: RwSignal<String>,
    /// The form's own check, shown before the round trip.
    local: RwSignal<Option<AppError>>,
}

impl Draft {
    pub fn new() -> Self {
        Self {
            call: RwSignal::new(Call::ApplicationRestart),
            data_center: RwSignal::new(String::new()),
            target: RwSignal::new(String::new()),
            effect: RwSignal::new(FaultEffect::Fail),
            times: RwSignal::new(String::new()),
            delay_ms: RwSignal::new(String::new()),
            local: RwSignal::new(None),
        }
    }

    /// The spec the fields say, checked as the server will check it.
    fn read(&self) -> Result<FaultSpec, AppError> {
        let number = |text: String, field: &str| match text.trim() {
            "" => Ok(None),
            n => n.parse().map(Some).map_err(|_| {
                AppError::invalid(vec![FieldError::new(field, "must be a whole number")])
            }),
        };
        let effect = self.effect.get();
        let delay_ms = match effect {
            FaultEffect::Slow => number(self.delay_ms.get(), fields::DELAY_MS)?,
            _ => None,
        };
        check_fault_spec(FaultSpec {
            call: self.call.get(),
            data_center: Some(self.data_center.get()),
            target: Some(self.target.get()),
            effect,
            times: number(self.times.get(), fields::TIMES)?,
            delay_ms,
        })
    }
}

#[component]
pub fn InjectForm(
    data_centers: Vec<String>,
    draft: Draft,
    inject: ServerAction<InjectFault>,
) -> impl IntoView {
    let local = draft.local;
    let error = Signal::derive(move || local.get().or_else(|| last_error(inject.value()).get()));
    let injected = move || inject.value().get().and_then(Result::ok);
    let slow = move || draft.effect.get() == FaultEffect::Slow;
    let chosen_dc = draft.data_center;

    view! {
        <form
            class="stacked-form card"
            aria-label="Inject fault"
            on:submit=move |ev| {
                ev.prevent_default();
                match draft.read() {
                    Ok(spec) => {
                        local.set(None);
                        inject.dispatch(InjectFault { spec });
                    }
                    Err(error) => local.set(Some(error)),
                }
            }
        >
            <h2>"Inject fault"</h2>
            <FormMessage error />
            {move || injected().map(|fault| view! {
                <p class="form-ok" role="status">"Injected fault #" {fault.id} ": " {fault.spec.describe()}</p>
            })}
            {choice_select("Call", draft.call)}
            <label>
                "Data center"
                <select on:change=move |ev| chosen_dc.set(event_target_value(&ev))>
                    <option value="" selected=move || chosen_dc.with(String::is_empty)>"Any data center"</option>
                    {data_centers.into_iter().map(|dc| {
                        let value = dc.clone();
                        let shown = dc.clone();
                        view! { <option value=dc selected=move || chosen_dc.with(|c| *c == value)>{shown}</option> }
                    }).collect_view()}
                </select>
            </label>
            <FieldMessage error field=fields::DATA_CENTER />
            <TextField label="Target (optional)" value=draft.target error=(error, fields::TARGET) />
            <p class="muted small">"A product group, application or cluster; empty matches every one."</p>
            {choice_select("Effect", draft.effect)}
            <FieldMessage error field=fields::EFFECT />
            <TextField label="Times" kind="number" value=draft.times error=(error, fields::TIMES) />
            <p class="muted small">"How many matching calls it hits; empty: every one until cleared."</p>
            <Show when=slow>
                <TextField label="Delay (ms)" kind="number" value=draft.delay_ms error=(error, fields::DELAY_MS) />
            </Show>
            <FieldMessage error field=fields::SPEC />
            <div>
                <button type="submit" class="primary" disabled=move || inject.pending().get()>"Inject fault"</button>
            </div>
        </form>
    }
}
