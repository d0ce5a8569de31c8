//! How long simulated operations take, per kind; operators and admins change it.

use crate::api::simulator::{SetSimulatorTiming, check_timing};
use crate::components::form_feedback::{FieldMessage, FormMessage, last_error};
use crate::components::text_field::TextField;
use crate::domain::simulator::{Latency, Timing};
use crate::error::{AppError, FieldError};
use leptos::prelude::*;

/// The kinds of operation: the field name errors use, and what a person reads.
const KINDS: [(&str, &str); 3] = [
    ("traffic", "Traffic cuts and restores"),
    ("restart", "Application restarts"),
    ("cluster", "Cluster switchovers and switchbacks"),
];

fn latencies(timing: Timing) -> [Latency; 3] {
    [timing.traffic, timing.restart, timing.cluster]
}

/// What the timing form holds, kept by the page across reloads of the state; its fields
/// follow the simulator's timing whenever that changes.
#[derive(Clone, Copy)]
pub struct Draft {
    bounds: [(RwSignal<String>, RwSignal<String>); 3],
    drains: RwSignal<bool>,
    /// The simulator's timing the fields were last filled from.
    shown: RwSignal<Option<Timing>>,
    local: RwSignal<Option<AppError>>,
}

impl Draft {
    pub fn new() -> Self {
        let bound = || (RwSignal::new(String::new()), RwSignal::new(String::new()));
        Self {
            bounds: [bound(), bound(), bound()],
            drains: RwSignal::new(false),
            shown: RwSignal::new(None),
            local: RwSignal::new(None),
        }
    }

    fn follow(&self, timing: Timing) {
        if self.shown.get_untracked() == Some(timing) {
            return;
        }
        for ((min, max), latency) in self.bounds.iter().zip(latencies(timing)) {
            min.set(latency.min_ms.to_string());
            max.set(latency.max_ms.to_string());
        }
        self.drains.set(timing.drains);
        self.shown.set(Some(timing));
    }

    fn read(&self) -> Result<Timing, AppError> {
        let mut read = [Latency::ZERO; 3];
        for (i, (min, max)) in self.bounds.iter().enumerate() {
            let (kind, _) = KINDS[i];
            let ms = |text: String| {
                text.trim().parse::<u32>().map_err(|_| {
                    let message = format!("{kind}: give whole milliseconds");
                    AppError::invalid(vec![FieldError::new(kind, message)])
                })
            };
            read[i] = Latency {
                min_ms: ms(min.get())?,
                max_ms: ms(max.get())?,
            };
        }
        let [traffic, restart, cluster] = read;
        check_timing(Timing {
            traffic,
            restart,
            cluster,
            drains: self.drains.get(),
        })
    }
}

#[component]
pub fn TimingSection(
    timing: Timing,
    operates: bool,
    draft: Draft,
    action: ServerAction<SetSimulatorTiming>,
) -> impl IntoView {
    draft.follow(timing);
    let rows = KINDS
        .iter()
        .zip(latencies(timing))
        .map(|((kind, label), latency)| {
            view! {
                <tr data-kind=*kind>
                    <th scope="row">{*label}</th>
                    <td>{format!("{}–{} ms", latency.min_ms, latency.max_ms)}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <section class="card" aria-label="Timing">
            <h2>"Timing"</h2>
            <p class="muted small">"How long each operation runs before it ends: a pick between the two bounds."</p>
            <table class="data-table compact" data-testid="sim-timing">
                <thead><tr><th scope="col">"Operation"</th><th scope="col">"Takes"</th></tr></thead>
                <tbody>
                    {rows}
                    <tr data-kind="drains">
                        <th scope="row">"Traffic cuts wait out their drain time"</th>
                        <td>{if timing.drains { "yes" } else { "no" }}</td>
                    </tr>
                </tbody>
            </table>
            {operates.then(|| view! { <TimingForm draft action /> })}
        </section>
    }
}

#[component]
fn TimingForm(draft: Draft, action: ServerAction<SetSimulatorTiming>) -> impl IntoView {
    let local = draft.local;
    let error = Signal::derive(move || local.get().or_else(|| last_error(action.value()).get()));
    const LABELS: [(&str, &str); 3] = [
        ("Traffic min (ms)", "Traffic max (ms)"),
        ("Restart min (ms)", "Restart max (ms)"),
        ("Cluster min (ms)", "Cluster max (ms)"),
    ];
    let fields = draft
        .bounds
        .into_iter()
        .zip(LABELS)
        .zip(KINDS)
        .map(|(((min, max), (min_label, max_label)), (kind, _))| {
            view! {
                <div class="bounds">
                    <TextField label=min_label kind="number" value=min />
                    <TextField label=max_label kind="number" value=max />
                    <FieldMessage error field=kind />
                </div>
            }
        })
        .collect_view();
    view! {
        <form
            class="stacked-form"
            aria-label="Set timing"
            on:submit=move |ev| {
                ev.prevent_default();
                match draft.read() {
                    Ok(timing) => {
                        local.set(None);
                        action.dispatch(SetSimulatorTiming { timing });
                    }
                    Err(error) => local.set(Some(error)),
                }
            }
        >
            <FormMessage error />
            {fields}
            <label class="inline">
                <input type="checkbox" prop:checked=draft.drains
                    on:change=move |ev| draft.drains.set(event_target_checked(&ev)) />
                " Traffic cuts wait out their drain time (a drill's times are then honest)"
            </label>
            <FieldMessage error field="timing" />
            <div>
                <button type="submit" disabled=move || action.pending().get()>"Set timing"</button>
            </div>
        </form>
    }
}
