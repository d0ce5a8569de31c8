//! An execution's report (报告), for auditors and product owners after the run (and, "so
//! far", during it): what ran where, drill or real, how it ended, the measured switchover
//! and recovery against the plan's target, a timeline of every step, where the time
//! went, every control people used with their reasons, comments, and the log of each
//! failed attempt; downloadable as JSON and CSV. The page is complete in the server's
//! HTML (its route renders asynchronously: the data is read before anything is sent),
//! so it reads without JavaScript and prints without the console's navigation (see the
//! print rules in the stylesheet).

mod sections;
mod timeline;

use crate::api::executions::{execution_report, execution_report_csv};
use crate::components::download_button::DownloadButton;
use crate::components::error_view::ErrorView;
use crate::components::execution_state_badge::{DrillBadge, ExecutionStateBadge};
use crate::domain::ids::ExecutionId;
use crate::error::AppError;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;
use sections::{
    ControlsUsed, FailedAttempts, ReportComments, ReportFacts, StepsTable, WhereTheTimeWent,
};
use timeline::Timeline;

#[component]
pub fn ExecutionReportPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || {
        params
            .read()
            .get("id")
            .and_then(|t| t.parse().ok())
            .map(ExecutionId)
    };
    let report = Resource::new(id, |id| async move {
        match id {
            Some(id) => execution_report(id).await,
            None => Err(AppError::not_found("that execution")),
        }
    });
    view! {
        <Suspense fallback=|| view! { <p class="muted">"Loading the report…"</p> }>
            <ErrorBoundary fallback=|errors| view! { <ErrorView errors /> }>
                {move || Suspend::new(async move {
                    let report = report.await?;
                    let id = report.summary.id;
                    let drill = report.summary.drill;
                    let state = report.summary.state;
                    let title = format!(
                        "{}Report · Execution #{id} · {}",
                        if drill { "Drill · " } else { "" },
                        report.summary.plan_name
                    );
                    // Serialising plain data cannot fail.
                    let json = serde_json::to_string_pretty(&report).map_err(|_| AppError::Internal)?;
                    Ok::<_, AppError>(view! {
                        <Title text=title />
                        <p class="no-print">
                            <a href=format!("/executions/{id}")>"← Execution #" {id.0}</a>
                        </p>
                        <h1>
                            "Report · Execution #" {id.0} " · " {report.summary.plan_name.clone()} " "
                            <ExecutionStateBadge state=Signal::stored(state) />
                            {drill.then(|| view! { " " <DrillBadge /> })}
                        </h1>
                        {drill.then(|| view! {
                            <p class="lede" data-testid="report-drill">
                                "This was a drill (演练): it called only test (simulator) configs; no real platform was touched."
                            </p>
                        })}
                        <div class="toolbar no-print" role="group" aria-label="Downloads">
                            <DownloadButton
                                label="Download JSON"
                                file_name=format!("execution-{id}-report.json")
                                media_type="application/json"
                                fetch=move || {
                                    let json = json.clone();
                                    async move { Ok(json) }
                                }
                            />
                            <DownloadButton
                                label="Download CSV"
                                file_name=format!("execution-{id}-report.csv")
                                media_type="text/csv"
                                fetch=move || execution_report_csv(id)
                            />
                        </div>
                        <ReportFacts report=report.clone() />
                        <section aria-labelledby="timeline-heading">
                            <h2 id="timeline-heading">"Timeline"</h2>
                            <Timeline report=report.clone() />
                        </section>
                        <WhereTheTimeWent report=report.clone() />
                        <StepsTable report=report.clone() />
                        <ControlsUsed controls=report.controls.clone() />
                        <ReportComments comments=report.comments.clone() />
                        <FailedAttempts report />
                    })
                })}
            </ErrorBoundary>
        </Suspense>
    }
}
