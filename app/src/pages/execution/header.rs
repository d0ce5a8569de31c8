//! The top of an execution's page: which plan and version, the failed and the emergency
//! data center, its state, who created it and when, how long it has run, and whether the
//! page is live.

use super::Page;
use super::clock::elapsed;
use super::live::LiveIndicator;
use super::recovery_time::recovery_time;
use crate::components::execution_state_badge::{DrillBadge, ExecutionStateBadge};
use crate::domain::execution::view::ExecutionSummary;
use crate::language::{self, tr, trv};
use crate::local_time::{LocalTime, Precision, local, use_reader_zone};
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
        let at = times.get().0.map_or_else(
            || tr!(executions.header.not_yet).to_owned(),
            |at| local(at, &use_reader_zone(), Precision::Seconds),
        );
        match started_by.get() {
            Some(who) => tr!(executions.header.at_by, at = at, who = who),
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
        <Title text=if drill {
            tr!(executions.header.drill_title, id = id.0, plan = plan_name.clone())
        } else {
            tr!(executions.header.title, id = id.0, plan = plan_name.clone())
        } />
        <p>
            <a href="/executions">{tr!(executions.header.back)}</a> " · "
            <a href=format!("/executions/{id}/report") data-testid="report-link">{tr!(executions.header.report)}</a>
        </p>
        <h1>
            {tr!(executions.header.heading, id = id.0, plan = plan_name.clone())}
            <ExecutionStateBadge state=page.state />
            {drill.then(|| view! { " " <DrillBadge /> })}
        </h1>
        <p class="lede">{trv!(executions.header.lede, <zh> = language::zh)}</p>
        <dl class="facts" aria-label=tr!(executions.header.facts)>
            <dt>{tr!(executions.header.plan)}</dt>
            <dd>{plan} {tr!(executions.header.version, version = plan_version)}</dd>
            <dt>{tr!(executions.header.data_centers)}</dt>
            <dd data-testid="execution-sites">
                <span class="site-failed">{failed.name}</span> " → " <span class="site-emergency">{emergency.name}</span>
                <span class="muted small">{tr!(executions.header.sites)}</span>
            </dd>
            <dt>{tr!(executions.header.created)}</dt>
            <dd>
                <LocalTime at=created_at />
                {created_by.map(|who| tr!(executions.header.by, who = who))}
            </dd>
            <dt>{tr!(executions.header.started)}</dt>
            <dd>{started}</dd>
            <dt>{tr!(executions.header.duration)}</dt>
            <dd data-testid="execution-duration">{duration}</dd>
            <dt>{tr!(executions.header.recovery_time)}</dt>
            <dd data-testid="execution-rto" class=move || rto.with(|(_, class)| *class)>{move || rto.with(|(text, _)| text.clone())}</dd>
            <dt>{tr!(executions.header.description)}</dt>
            <dd>{if description.trim().is_empty() { "—".to_owned() } else { description }}</dd>
            <dt>{tr!(executions.header.updates)}</dt>
            <dd><LiveIndicator status=page.live /></dd>
        </dl>
    }
}

/// The plan an execution ran, linked; named "(deleted)" once the plan is gone.
pub fn plan_link(summary: &ExecutionSummary) -> AnyView {
    let name = summary.plan_name.clone();
    match summary.plan_id {
        Some(plan) => view! { <a href=format!("/plans/{plan}")>{name}</a> }.into_any(),
        None => view! { <span>{name} {tr!(executions.header.deleted)}</span> }.into_any(),
    }
}
