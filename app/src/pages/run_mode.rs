//! Settings → Run mode (运行模式): the mode, since when and why, the in-memory copy's age,
//! the local journal; an admin switches mode (切换模式) here, and sees what switching back
//! wrote from the journal into the database.

use crate::api::run_mode::{SwitchRunMode, get_run_mode};
use crate::components::confirm_button::ConfirmButton;
use crate::components::error_view::ErrorView;
use crate::components::form_feedback::{FormMessage, last_error};
use crate::components::run_mode_banner::RunModeChanged;
use crate::components::run_mode_banner::how_switched;
use crate::domain::run_mode::{Reconciled, RunMode, RunModeStatus};
use crate::language::{self, tr, trv};
use crate::local_time::{LocalTime, Precision, local, use_reader_zone};
use crate::pages::counted::counted;
use chrono::{DateTime, Utc};
use leptos::prelude::*;

#[component]
pub fn RunModeSection() -> impl IntoView {
    let switch = ServerAction::<SwitchRunMode>::new();
    let changed = use_context::<RunModeChanged>();
    Effect::new(move || {
        if switch.version().get() > 0
            && let Some(changed) = changed
        {
            changed.0.update(|n| *n += 1);
        }
    });
    let status = Resource::new(move || switch.version().get(), |_| get_run_mode());
    view! {
        <section class="run-mode" data-testid="run-mode">
            <h2>{trv!(administration.run_mode.title, <zh> = language::zh)}</h2>
            <FormMessage error=last_error(switch.value()) />
            <Transition fallback=|| view! { <p class="muted">{tr!(administration.run_mode.loading)}</p> }>
                <ErrorBoundary fallback=|errors| view! { <ErrorView errors /> }>
                    {move || Suspend::new(async move {
                        status.await.map(|status| view! { <ModeNow status switch /> })
                    })}
                </ErrorBoundary>
            </Transition>
        </section>
    }
}

fn when(at: DateTime<Utc>) -> String {
    local(at, &use_reader_zone(), Precision::Seconds)
}

/// When the copy was taken and how old it was when the status was read (the server's
/// clock: the browser's may differ).
fn age(at: Option<DateTime<Utc>>, seconds: Option<i64>) -> String {
    match (at, seconds) {
        (Some(at), Some(seconds)) => tr!(
            administration.run_mode.age,
            at = when(at),
            seconds = seconds
        ),
        (Some(at), None) => when(at),
        (None, _) => tr!(administration.run_mode.not_taken).to_owned(),
    }
}

#[component]
fn ModeNow(status: RunModeStatus, switch: ServerAction<SwitchRunMode>) -> impl IntoView {
    let degraded = status.mode == RunMode::Degraded;
    let journal = status.journal.clone();
    let reconciled = status.last_reconcile.clone();
    view! {
        <dl class="facts" data-testid="run-mode-facts">
            <dt>{tr!(administration.run_mode.mode)}</dt>
            <dd data-testid="run-mode-name">
                <span class=format!("badge mode-{}", status.mode.as_str())>
                    {match status.mode {
                        RunMode::Normal => trv!(administration.run_mode.name.normal, <zh> = language::zh).into_any(),
                        RunMode::Degraded => trv!(administration.run_mode.name.degraded, <zh> = language::zh).into_any(),
                    }}
                </span>
            </dd>
            <dt>{tr!(administration.run_mode.since)}</dt>
            <dd><LocalTime at=status.since /></dd>
            <dt>{tr!(administration.run_mode.why)}</dt>
            <dd>{how_switched(&status.switched, language::locale())}</dd>
            <dt>{tr!(administration.run_mode.copy)}</dt>
            <dd>{age(status.mirrored_at, status.mirror_age_seconds)}</dd>
            <dt>{tr!(administration.run_mode.journal)}</dt>
            <dd data-testid="journal">
                {counted(journal.unwritten, tr!(administration.run_mode.record_one), tr!(administration.run_mode.record_many))}
                {tr!(administration.run_mode.not_in_database)}
                {journal.oldest_unwritten.map(|at| tr!(administration.run_mode.oldest, at = when(at)))}
                {tr!(administration.run_mode.file, size = format!("{:.1}", journal.bytes as f64 / 1024.0))}
            </dd>
        </dl>
        {if degraded {
            view! {
                <ConfirmButton
                    label=tr!(administration.run_mode.to_normal)
                    question=|| tr!(administration.run_mode.to_normal_question)
                    dialog=tr!(administration.run_mode.to_normal_dialog)
                    class="primary"
                    on_confirm=Callback::new(move |()| { switch.dispatch(SwitchRunMode { to: RunMode::Normal }); })
                />
            }
            .into_any()
        } else {
            view! {
                <ConfirmButton
                    label=tr!(administration.run_mode.to_degraded)
                    question=|| tr!(administration.run_mode.to_degraded_question)
                    dialog=tr!(administration.run_mode.to_degraded_dialog)
                    on_confirm=Callback::new(move |()| { switch.dispatch(SwitchRunMode { to: RunMode::Degraded }); })
                />
            }
            .into_any()
        }}
        {reconciled.map(|done| view! { <ReconcileSummary done /> })}
    }
}

#[component]
fn ReconcileSummary(done: Reconciled) -> impl IntoView {
    let executions = if done.executions.is_empty() {
        tr!(administration.run_mode.none).to_owned()
    } else {
        done.executions
            .iter()
            .map(|id| format!("#{id}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let refused = done.refused.clone();
    view! {
        <div class="reconcile-summary" data-testid="reconcile-summary">
            <h3>{tr!(administration.run_mode.last_switch_back, at = when(done.at))}</h3>
            <p>
                {tr!(administration.run_mode.written)}
                <strong>{counted(done.events, tr!(administration.run_mode.event_one), tr!(administration.run_mode.event_many))}</strong> ", "
                <strong>{counted(done.step_records, tr!(administration.run_mode.step_record_one), tr!(administration.run_mode.step_record_many))}</strong>
                {tr!(administration.run_mode.step_records_are)}
                <strong>{counted(done.audit_entries, tr!(administration.run_mode.audit_entry_one), tr!(administration.run_mode.audit_entry_many))}</strong>
                {tr!(administration.run_mode.touched, list = executions)}
                {match done.already_written {
                    1 => tr!(administration.run_mode.already_one).to_owned(),
                    n => tr!(administration.run_mode.already_many, count = n),
                }}
            </p>
            {if refused.is_empty() {
                view! { <p>{tr!(administration.run_mode.nothing_refused)}</p> }.into_any()
            } else {
                view! {
                    <p class="error">
                        {match refused.len() {
                            1 => tr!(administration.run_mode.refused_one).to_owned(),
                            n => tr!(administration.run_mode.refused_many, count = n),
                        }}
                    </p>
                    <ul>
                        {refused
                            .into_iter()
                            .map(|r| view! { <li><strong>{r.what}</strong> ": " {r.why}</li> })
                            .collect_view()}
                    </ul>
                }
                .into_any()
            }}
        </div>
    }
}
