//! The top of an execution's page: which plan and version, the failed and the emergency
//! data center, its state, who created it and when, how long it has run, and whether the
//! page is live.

use super::Page;
use super::clock::{elapsed, when};
use super::live::LiveIndicator;
use super::recovery_time::recovery_time;
use crate::components::execution_state_badge::{DrillBadge, ExecutionStateBadge};
use crate::domain::execution::view::ExecutionSummary;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn ExecutionHeader(page: Page, summary: ExecutionSummary) -> impl IntoView {
    let plan = plan_link(&summary);
    let ExecutionSummary {
        id,
        plan_name,
        plan_version,
        failed,
        emergency,
        description,
        drill,
        created_by,
        created_at,
        ..
    } = summary;
    // Only the state and the times change while it runs; the rest was fixed at creation.
    let times = Memo::new(move |_| {
        page.detail.with(|d| {
            d.as_ref()
                .map(|d| (d.summary.started_at, d.summary.finished_at))
                .unwrap_or_default()
        })
    });
    let started_by = Memo::new(move |_| {
        page.detail
            .with(|d| d.as_ref().and_then(|d| d.summary.started_by.clone()))
    });
    let started = move || {
        let at = times
            .get()
            .0
            .map_or_else(|| "not yet".to_owned(), |at| format!("{} UTC", when(at)));
        match started_by.get() {
            Some(who) => format!("{at} by {who}"),
            None => at,
        }
    };
    let duration = move || {
        let (start, end) = times.get();
        elapsed(start, end, || page.now.get()).unwrap_or_else(|| "—".to_owned())
    };
    let rto = Memo::new(move |_| {
        page.detail
            .with(|d| d.as_ref().map(|d| recovery_time(&d.summary)))
            .unwrap_or_default()
    });
    view! {
        <Title text=format!("{}Execution #{id} · {plan_name}", if drill { "Drill · " } else { "" }) />
        <p>
            <a href="/executions">"← Executions"</a> " · "
            <a href=format!("/executions/{id}/report") data-testid="report-link">"Report: timeline, times, who did what"</a>
        </p>
        <h1>
            "Execution #" {id.0} " · " {plan_name.clone()} " "
            <ExecutionStateBadge state=page.state />
            {drill.then(|| view! { " " <DrillBadge /> })}
        </h1>
        <p class="lede">"A run (预案执行单) of one version of a plan, from the failed data center to the emergency one."</p>
        <dl class="facts" aria-label="Execution">
            <dt>"Plan"</dt>
            <dd>{plan} " · version " {plan_version}</dd>
            <dt>"Data centers"</dt>
            <dd data-testid="execution-sites">
                <span class="site-failed">{failed.name}</span> " → " <span class="site-emergency">{emergency.name}</span>
                <span class="muted small">" (failed → emergency)"</span>
            </dd>
            <dt>"Created"</dt>
            <dd>
                <time datetime=created_at.to_rfc3339()>{when(created_at)} " UTC"</time>
                {created_by.map(|who| view! { " by " {who} })}
            </dd>
            <dt>"Started"</dt>
            <dd>{started}</dd>
            <dt>"Duration"</dt>
            <dd data-testid="execution-duration">{duration}</dd>
            <dt>"Recovery time"</dt>
            <dd data-testid="execution-rto" class=move || rto.with(|(_, class)| *class)>{move || rto.with(|(text, _)| text.clone())}</dd>
            <dt>"Description"</dt>
            <dd>{if description.trim().is_empty() { "—".to_owned() } else { description }}</dd>
            <dt>"Updates"</dt>
            <dd><LiveIndicator status=page.live /></dd>
        </dl>
    }
}

/// The plan an execution ran, linked; named "(deleted)" once the plan is gone.
pub fn plan_link(summary: &ExecutionSummary) -> AnyView {
    let name = summary.plan_name.clone();
    match summary.plan_id {
        Some(plan) => view! { <a href=format!("/plans/{plan}")>{name}</a> }.into_any(),
        None => view! { <span>{name} " (deleted)"</span> }.into_any(),
    }
}
