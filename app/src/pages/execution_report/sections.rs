//! The report's sections around the timeline: the run's facts and outcome, where the
//! time went, every step's figures, the controls people used, comments and the logs of
//! failed attempts.

use crate::domain::execution::report::{ControlUse, ExecutionReport, Outcome, StepReport};
use crate::domain::execution::view::ExecutionComment;
use crate::pages::execution::clock::{span, when};
use crate::pages::execution::comments::CommentItem;
use crate::pages::execution::header::plan_link;
use crate::pages::execution::recovery_time::recovery_time;
use chrono::{DateTime, Utc};
use leptos::prelude::*;

/// How many of the longest steps "where the time went" names.
const LONGEST: usize = 3;

fn utc(at: Option<DateTime<Utc>>) -> String {
    at.map_or_else(|| "—".to_owned(), when)
}

fn by(at: Option<DateTime<Utc>>, who: Option<&str>) -> String {
    match who {
        Some(who) if at.is_some() => format!("{} by {who}", utc(at)),
        _ => utc(at),
    }
}

#[component]
pub fn ReportFacts(report: ExecutionReport) -> impl IntoView {
    let s = &report.summary;
    let (rto, rto_class) = recovery_time(s);
    let outcome = match report.outcome() {
        Outcome::InProgress => format!(
            "{}: the run has not finished; this report holds what happened up to {}",
            s.state.label(),
            utc(Some(report.made_at))
        ),
        Outcome::Succeeded => "Succeeded: every step succeeded or was confirmed".to_owned(),
        Outcome::Warnings(warnings) => format!("Completed with warnings: {}", warnings.join(", ")),
        Outcome::Cancelled => "Cancelled by an operator".to_owned(),
    };
    let plan = plan_link(s);
    let (from, to) = report.window();
    view! {
        <dl class="facts" aria-label="Run">
            <dt>"Plan"</dt>
            <dd>{plan} " · version " {s.plan_version}</dd>
            <dt>"Data centers"</dt>
            <dd>{s.failed.name.clone()} " → " {s.emergency.name.clone()} <span class="muted small">" (failed → emergency)"</span></dd>
            <dt>"Kind"</dt>
            <dd>{if s.drill { "Drill (演练): test configs only" } else { "Real run" }}</dd>
            <dt>"Outcome"</dt>
            <dd data-testid="report-outcome">{outcome}</dd>
            <dt>"Created"</dt>
            <dd>{by(Some(s.created_at), s.created_by.as_deref())}</dd>
            <dt>"Started"</dt>
            <dd>{by(s.started_at, s.started_by.as_deref())}</dd>
            <dt>"Finished"</dt>
            <dd>{utc(s.finished_at)}</dd>
            <dt>"Duration"</dt>
            <dd>{if s.started_at.is_some() { span(to - from) } else { "—".to_owned() }}</dd>
            <dt>"Recovery time"</dt>
            <dd data-testid="report-rto" class=rto_class>{rto}</dd>
            <dt>"Description"</dt>
            <dd>{if s.description.trim().is_empty() { "—".to_owned() } else { s.description.clone() }}</dd>
        </dl>
    }
}

#[component]
pub fn WhereTheTimeWent(report: ExecutionReport) -> impl IntoView {
    let longest: Vec<StepReport> = report.longest(LONGEST).into_iter().cloned().collect();
    view! {
        <section aria-labelledby="longest-heading">
            <h2 id="longest-heading">"Where the time went"</h2>
            {if longest.is_empty() {
                view! { <p class="muted">"No step has run."</p> }.into_any()
            } else {
                view! {
                    <ol data-testid="longest-steps">
                        {longest.into_iter().map(|step| {
                            let took = step.took().map(span).unwrap_or_default();
                            let people = step.people_took();
                            let waited = if people.num_seconds() > 0 {
                                format!(", {} of it waiting for people", span(people))
                            } else {
                                String::new()
                            };
                            view! {
                                <li>
                                    <strong>{format!("{} {}. {}", step.phase.label(), step.position, step.heading)}</strong>
                                    ": " {took} {waited}
                                </li>
                            }
                        }).collect_view()}
                    </ol>
                }.into_any()
            }}
        </section>
    }
}

#[component]
pub fn StepsTable(report: ExecutionReport) -> impl IntoView {
    let (from, _) = report.window();
    let rows = report
        .steps
        .into_iter()
        .map(|step| {
            let start = step
                .spans
                .first()
                .map(|s| format!("+{}", span(s.from - from)))
                .unwrap_or_else(|| "—".to_owned());
            let took = step.took().map(span).unwrap_or_else(|| "—".to_owned());
            let people = step.took().map(|_| span(step.people_took())).unwrap_or_else(|| "—".to_owned());
            let decided = match (&step.decided_by, &step.reason) {
                (Some(who), Some(why)) => format!("{who}: {why}"),
                (Some(who), None) => who.clone(),
                (None, _) => String::new(),
            };
            view! {
                <tr data-testid="report-step">
                    <td>{step.phase.label()} " " {step.position}</td>
                    <td>{step.heading.clone()} " " <code class="muted small">{step.opcode.clone()}</code></td>
                    <td>{step.status.label()}</td>
                    <td>{step.attempts}</td>
                    <td>{start}</td>
                    <td>{took}</td>
                    <td>{people}</td>
                    <td>{decided}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <section aria-labelledby="steps-heading">
            <h2 id="steps-heading">"Steps"</h2>
            <table class="data-table compact">
                <thead>
                    <tr>
                        <th scope="col">"Phase"</th>
                        <th scope="col">"Step"</th>
                        <th scope="col">"Status"</th>
                        <th scope="col">"Attempts"</th>
                        <th scope="col">"Started"</th>
                        <th scope="col">"Took"</th>
                        <th scope="col">"Waiting for people"</th>
                        <th scope="col">"Decided by"</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </section>
    }
}

#[component]
pub fn ControlsUsed(controls: Vec<ControlUse>) -> impl IntoView {
    view! {
        <section aria-labelledby="controls-heading">
            <h2 id="controls-heading">"Controls used"</h2>
            {if controls.is_empty() {
                view! { <p class="muted">"Nobody used a control on it."</p> }.into_any()
            } else {
                view! {
                    <table class="data-table compact" data-testid="report-controls">
                        <thead>
                            <tr>
                                <th scope="col">"When"</th>
                                <th scope="col">"Who"</th>
                                <th scope="col">"Action"</th>
                                <th scope="col">"What"</th>
                            </tr>
                        </thead>
                        <tbody>
                            {controls.into_iter().map(|control| {
                                let role = control.role.map(|r| format!(" ({})", r.label())).unwrap_or_default();
                                view! {
                                    <tr>
                                        <td><time datetime=control.at.to_rfc3339()>{when(control.at)}</time></td>
                                        <td>{control.who} {role}</td>
                                        <td><code>{control.action}</code></td>
                                        <td>{control.note.unwrap_or_default()}</td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any()
            }}
        </section>
    }
}

#[component]
pub fn ReportComments(comments: Vec<ExecutionComment>) -> impl IntoView {
    view! {
        <section aria-labelledby="comments-heading">
            <h2 id="comments-heading">"Comments"</h2>
            {if comments.is_empty() {
                view! { <p class="muted">"No comments."</p> }.into_any()
            } else {
                view! {
                    <ol class="plain comments" data-testid="report-comments">
                        {comments.into_iter().map(|comment| view! { <CommentItem comment /> }).collect_view()}
                    </ol>
                }.into_any()
            }}
        </section>
    }
}

#[component]
pub fn FailedAttempts(report: ExecutionReport) -> impl IntoView {
    let failed: Vec<(StepReport, usize)> = report
        .steps
        .into_iter()
        .flat_map(|step| (0..step.failures.len()).map(move |i| (step.clone(), i)))
        .collect();
    view! {
        <section aria-labelledby="failures-heading">
            <h2 id="failures-heading">"Failed attempts"</h2>
            {if failed.is_empty() {
                view! { <p class="muted">"No attempt failed."</p> }.into_any()
            } else {
                failed.into_iter().map(|(step, i)| {
                    let attempt = &step.failures[i];
                    let log = attempt.lines.iter().map(|line| format!(
                        "{} {:<7} {}", crate::pages::execution::clock::time_of_day(line.at),
                        line.level.as_str(), line.message
                    )).collect::<Vec<_>>().join("\n");
                    let left_out = (attempt.left_out > 0).then(|| view! {
                        <p class="muted small">{format!("{} earlier lines are on the execution's page.", attempt.left_out)}</p>
                    });
                    view! {
                        <article class="failed-attempt" data-testid="failed-attempt">
                            <h3>{format!("{} {}. {} · attempt {}", step.phase.label(), step.position, step.heading, attempt.attempt)}</h3>
                            <p>
                                <time datetime=attempt.at.to_rfc3339()>{when(attempt.at)}</time> ": "
                                {attempt.error.clone().unwrap_or_else(|| "no reason recorded".to_owned())}
                            </p>
                            {left_out}
                            <pre class="log">{log}</pre>
                        </article>
                    }
                }).collect_view().into_any()
            }}
        </section>
    }
}
