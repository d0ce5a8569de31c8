//! Settings → Run mode (运行模式): the mode, since when and why, the in-memory copy's age,
//! the local journal; an admin switches mode (切换模式) here, and sees what switching back
//! wrote from the journal into the database.

use crate::api::run_mode::{SwitchRunMode, get_run_mode};
use crate::components::confirm_button::ConfirmButton;
use crate::components::error_view::ErrorView;
use crate::components::form_feedback::{FormMessage, last_error};
use crate::components::run_mode_banner::RunModeChanged;
use crate::domain::run_mode::{Reconciled, RunMode, RunModeStatus};
use crate::pages::counted::counted;
use chrono::{DateTime, Utc};
use leptos::prelude::*;

const TO_DEGRADED: &str = "This instance stops using the database now. Executions it runs \
    go on from memory, and you take responsibility for them: this instance drives them and takes \
    commands for them whatever their leases say, so no other instance may run them meanwhile. \
    Plans and the environment are read from its in-memory copy; what executions do and audit \
    entries go to the local journal; configuration changes and new executions are refused.";
const TO_NORMAL: &str = "The local journal is written into the database first (this page then \
    says what was written and what was refused), and this instance uses the database again. \
    Refused while the database does not answer.";

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
            <h2>"Run mode (运行模式)"</h2>
            <FormMessage error=last_error(switch.value()) />
            <Transition fallback=|| view! { <p class="muted">"Loading the run mode…"</p> }>
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
    at.format("%Y-%m-%d %H:%M:%S UTC").to_string()
}

/// When the copy was taken and how old it was when the status was read (the server's
/// clock: the browser's may differ).
fn age(at: Option<DateTime<Utc>>, seconds: Option<i64>) -> String {
    match (at, seconds) {
        (Some(at), Some(seconds)) => format!("{} ({seconds} s old when read)", when(at)),
        (Some(at), None) => when(at),
        (None, _) => "not taken yet".to_owned(),
    }
}

#[component]
fn ModeNow(status: RunModeStatus, switch: ServerAction<SwitchRunMode>) -> impl IntoView {
    let degraded = status.mode == RunMode::Degraded;
    let journal = status.journal.clone();
    let reconciled = status.last_reconcile.clone();
    view! {
        <dl class="facts" data-testid="run-mode-facts">
            <dt>"Mode"</dt>
            <dd data-testid="run-mode-name">
                <span class=format!("badge mode-{}", status.mode.as_str())>
                    {status.mode.label()} " (" {status.mode.manual_name()} ")"
                </span>
            </dd>
            <dt>"Since"</dt>
            <dd>{when(status.since)}</dd>
            <dt>"Why"</dt>
            <dd>{status.switched.describe()}</dd>
            <dt>"In-memory copy"</dt>
            <dd>{age(status.mirrored_at, status.mirror_age_seconds)}</dd>
            <dt>"Local journal"</dt>
            <dd data-testid="journal">
                {counted(journal.unwritten, "record", "records")} " not yet in the database"
                {journal.oldest_unwritten.map(|at| format!(", the oldest from {}", when(at)))}
                " · file " {format!("{:.1} KiB", journal.bytes as f64 / 1024.0)}
            </dd>
        </dl>
        {if degraded {
            view! {
                <ConfirmButton
                    label="Switch to normal mode"
                    question=TO_NORMAL
                    dialog="Confirm the switch to normal mode"
                    class="primary"
                    on_confirm=Callback::new(move |()| { switch.dispatch(SwitchRunMode { to: RunMode::Normal }); })
                />
            }
            .into_any()
        } else {
            view! {
                <ConfirmButton
                    label="Switch to degraded mode"
                    question=TO_DEGRADED
                    dialog="Confirm the switch to degraded mode"
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
        "none".to_owned()
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
            <h3>"Last switch back to normal: " {when(done.at)}</h3>
            <p>
                "Written from the journal into the database: "
                <strong>{counted(done.events, "event", "events")}</strong> ", "
                <strong>{counted(done.step_records, "step record", "step records")}</strong>
                " (log lines and platform calls), "
                <strong>{counted(done.audit_entries, "audit entry", "audit entries")}</strong>
                "; executions touched: " {executions} ". "
                {match done.already_written {
                    1 => "1 record was in the database already.".to_owned(),
                    n => format!("{n} records were in the database already."),
                }}
            </p>
            {if refused.is_empty() {
                view! { <p>"Nothing was refused."</p> }.into_any()
            } else {
                view! {
                    <p class="error">
                        {match refused.len() {
                            1 => "1 record was refused:".to_owned(),
                            n => format!("{n} records were refused:"),
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
