//! Executions (预案执行单): every run of every plan, newest first, with its state and its
//! switchover against the target, kept live; filtered by state, plan and creation time,
//! and downloaded as CSV with the same filter. Everyone signed in reads it; executions
//! are created from an active plan (Plans, Execute) and driven from their own page.

use super::execution::clock::{elapsed, ticking};
use super::execution::live::LiveIndicator;
use crate::api::executions::{export_executions, list_executions};
use crate::api::plans::list_plans;
use crate::components::download_button::DownloadButton;
use crate::components::error_view::ErrorView;
use crate::components::execution_state_badge::{DrillBadge, ExecutionStateBadge};
use crate::components::text_field::{TextField, parse_time};
use crate::domain::execution::ExecutionState;
use crate::domain::execution::view::{ExecutionFilter, ExecutionSummary};
use crate::domain::ids::PlanId;
use crate::domain::plan::PlanSummary;
use crate::error::AppError;
use crate::language::labels::Localized;
use crate::language::{self, tr, trv};
use crate::live_client::{LiveStatus, watch_list};
use crate::local_time::{LocalTime, ZoneNote, use_reader_zone};
use chrono::{DateTime, Utc};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn ExecutionListPage() -> impl IntoView {
    let filter = RwSignal::new(ExecutionFilter::default());
    let loaded = Resource::new(move || filter.get(), list_executions);
    let plans = Resource::new(|| (), |()| list_plans());
    // Everything loaded for the filter, plus what the live channel brings; the table
    // shows those in the chosen state, so one that leaves it leaves the table.
    let list = RwSignal::new(Vec::<ExecutionSummary>::new());
    let live = RwSignal::new(LiveStatus::Connecting);
    Effect::new(move || untrack(|| watch_list(list, live)));
    let now = ticking();

    view! {
        <Title text=tr!(executions.list.title) />
        <h1>{tr!(executions.list.title)}</h1>
        <p class="lede">
            {trv!(executions.list.lede, <zh> = language::zh, <a> = |children: ChildrenFn| view! { <a href="/plans">{children()}</a> })}
            " " <ZoneNote />
        </p>
        <HistoryFilter filter plans />
        <div class="toolbar">
            <DownloadButton label=tr!(executions.list.export) file_name="executions.csv".to_owned()
                media_type="text/csv" fetch=move || export_executions(filter.get_untracked()) />
            <LiveIndicator status=live />
        </div>
        <Transition fallback=|| view! { <p class="muted">{tr!(executions.list.loading)}</p> }>
            <ErrorBoundary fallback=|errors| view! { <ErrorView errors /> }>
                {move || Suspend::new(async move {
                    list.set(loaded.await?);
                    Ok::<_, AppError>(view! { <ExecutionTable list filter now /> })
                })}
            </ErrorBoundary>
        </Transition>
    }
}

/// State and plan apply when chosen; the time range once both ends read as times.
#[component]
fn HistoryFilter(
    filter: RwSignal<ExecutionFilter>,
    plans: Resource<Result<Vec<PlanSummary>, AppError>>,
) -> impl IntoView {
    let from = RwSignal::new(String::new());
    let to = RwSignal::new(String::new());
    let zone = use_reader_zone();
    let zone_shown = zone.clone();
    let times = move || {
        filter.update(|f| {
            f.from = parse_time(&from.get_untracked(), &zone);
            f.to = parse_time(&to.get_untracked(), &zone);
        });
    };
    view! {
        <form class="toolbar" role="search" aria-label=tr!(executions.filter.label)
            on:submit=move |ev| ev.prevent_default() on:change=move |_| times()>
            <label>
                {tr!(executions.filter.state)}
                <select on:change=move |ev| filter.update(|f| f.state = ExecutionState::parse(&event_target_value(&ev)))>
                    <option value="" selected=move || filter.with(|f| f.state.is_none())>{tr!(executions.filter.all)}</option>
                    {ExecutionState::ALL.into_iter().map(|s| view! {
                        <option value=s.as_str() selected=move || filter.with(|f| f.state == Some(s))>{s.localized(language::locale())}</option>
                    }).collect_view()}
                </select>
            </label>
            <label>
                {tr!(executions.filter.plan)}
                <select on:change=move |ev| filter.update(|f| f.plan = event_target_value(&ev).parse().ok().map(PlanId))>
                    <option value="">{tr!(executions.filter.all)}</option>
                    <Transition fallback=|| ()>
                        {move || Suspend::new(async move {
                            plans.await.unwrap_or_default().into_iter().map(|plan| view! {
                                <option value=plan.id.0.to_string()>{plan.name}</option>
                            }).collect_view()
                        })}
                    </Transition>
                </select>
            </label>
            <label>
                {tr!(executions.filter.kind)}
                <select on:change=move |ev| filter.update(|f| f.drill = match event_target_value(&ev).as_str() {
                    "drill" => Some(true),
                    "real" => Some(false),
                    _ => None,
                })>
                    <option value="">{tr!(executions.filter.both)}</option>
                    <option value="drill">{trv!(executions.filter.drills, <zh> = language::zh)}</option>
                    <option value="real">{tr!(executions.filter.real)}</option>
                </select>
            </label>
            <TextField label=tr!(executions.filter.from, zone = zone_shown.clone()) kind="datetime-local" value=from />
            <TextField label=tr!(executions.filter.to, zone = zone_shown) kind="datetime-local" value=to />
        </form>
    }
}

#[component]
fn ExecutionTable(
    list: RwSignal<Vec<ExecutionSummary>>,
    filter: RwSignal<ExecutionFilter>,
    now: ReadSignal<Option<DateTime<Utc>>>,
) -> impl IntoView {
    let shown = Memo::new(move |_| {
        filter.with(|wanted| {
            list.with(|all| {
                all.iter()
                    .filter(|s| wanted.matches(s))
                    .cloned()
                    .collect::<Vec<_>>()
            })
        })
    });
    let empty = move || {
        filter.with(|f| {
            let only_state = ExecutionFilter {
                state: f.state,
                ..Default::default()
            };
            match f.state {
                _ if *f == ExecutionFilter::default() => tr!(executions.list.none_yet).to_owned(),
                Some(state) if *f == only_state => {
                    tr!(
                        executions.list.none_in_state,
                        state = state.localized(language::locale()).to_lowercase()
                    )
                }
                _ => tr!(executions.list.none_matches).to_owned(),
            }
        })
    };
    view! {
        <Show
            when=move || !shown.with(Vec::is_empty)
            fallback=move || view! { <p class="empty" role="status" data-testid="executions-empty">{empty}</p> }
        >
            <table class="data-table" aria-label=tr!(executions.list.title) data-testid="executions">
                <thead><tr>
                    <th scope="col">{tr!(executions.column.plan)}</th>
                    <th scope="col">{tr!(executions.column.version)}</th>
                    <th scope="col">{tr!(executions.column.sites)}</th>
                    <th scope="col">{tr!(executions.column.state)}</th>
                    <th scope="col">{tr!(executions.column.started_by)}</th>
                    <th scope="col">{tr!(executions.column.started)}</th>
                    <th scope="col">{tr!(executions.column.duration)}</th>
                    <th scope="col">{tr!(executions.column.switchover)}</th>
                </tr></thead>
                <tbody>
                    <For each=move || shown.get() key=|s| (s.id, s.last_seq) let:summary>
                        <ExecutionRow summary now />
                    </For>
                </tbody>
            </table>
        </Show>
    }
}

#[component]
fn ExecutionRow(
    summary: ExecutionSummary,
    now: ReadSignal<Option<DateTime<Utc>>>,
) -> impl IntoView {
    let (started, finished) = (summary.started_at, summary.finished_at);
    let switchover = crate::pages::execution::recovery_time::switchover_cell(&summary);
    let duration = move || {
        if started.is_none() {
            return tr!(executions.list.not_started).to_owned();
        }
        elapsed(started, finished, || now.get()).unwrap_or_else(|| "—".to_owned())
    };
    view! {
        <tr data-testid="execution-row" data-execution=summary.id.to_string()>
            <td>
                <a href=format!("/executions/{}", summary.id)>{summary.plan_name}</a>
                <span class="muted small">" #" {summary.id.0}</span>
                {summary.drill.then(|| view! { " " <DrillBadge /> })}
            </td>
            <td>{summary.plan_version}</td>
            <td>{summary.failed.name} " → " {summary.emergency.name}</td>
            <td><ExecutionStateBadge state=summary.state /></td>
            <td>{summary.started_by.unwrap_or_else(|| "—".to_owned())}</td>
            <td>
                {match started {
                    Some(at) => view! { <LocalTime at /> }.into_any(),
                    None => view! {
                        <span class="muted">{tr!(executions.list.not_started_created)}</span>
                        <LocalTime at=summary.created_at />
                    }.into_any(),
                }}
            </td>
            <td>{duration}</td>
            <td class=switchover.1 data-testid="execution-rto">{switchover.0}</td>
        </tr>
    }
}
