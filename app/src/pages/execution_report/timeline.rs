//! The report's timeline chart: plain SVG, drawn by this component on the server like
//! the rest of the page, so it reads without JavaScript, prints, and follows the
//! console's colours (light, dark, print) from the stylesheet. One row per step, bars for
//! what its time went to (platform work solid; waits for a confirmation or for an
//! operator's decision hatched), a restart's applications in rows of their own beneath
//! it, level by level; comments as marks on a lane of their own; the switchover's end and
//! the recovery's start as lines across. Every mark carries a `<title>` that says what
//! it is, and the steps table below the chart holds the same figures as text.

use crate::domain::execution::report::{ApplicationBar, ExecutionReport, SpanKind, StepReport};
use crate::domain::execution::view::{CallStatus, ExecutionComment};
use crate::domain::plan::Phase;
use crate::pages::execution::clock::{span, when};
use chrono::{DateTime, TimeDelta, Utc};
use leptos::prelude::*;

/// The drawing's coordinates: a fixed-width canvas the browser scales to the page.
const WIDTH: f64 = 1000.0;
const CHART_LEFT: f64 = 300.0;
const CHART_WIDTH: f64 = WIDTH - CHART_LEFT - 10.0;
const AXIS_HEIGHT: f64 = 28.0;
const ROW: f64 = 22.0;
const LANE: f64 = 16.0;
/// The most application rows drawn; the downloads hold them all.
pub const MAX_APPLICATION_ROWS: usize = 200;

/// Maps instants to x within the chart.
#[derive(Clone, Copy)]
struct Scale {
    from: DateTime<Utc>,
    seconds: f64,
}

impl Scale {
    fn x(self, at: DateTime<Utc>) -> f64 {
        let offset = (at - self.from).num_milliseconds() as f64 / 1000.0;
        CHART_LEFT + (offset / self.seconds).clamp(0.0, 1.0) * CHART_WIDTH
    }

    /// x and width of the bar from `from` to `to`, at least a sliver wide.
    fn bar(self, from: DateTime<Utc>, to: DateTime<Utc>) -> (f64, f64) {
        let x = self.x(from);
        (x, (self.x(to) - x).max(1.5))
    }
}

/// One row of the chart, laid out top to bottom.
enum Row<'a> {
    Phase(Phase),
    Step(&'a StepReport),
    Application(&'a ApplicationBar),
    /// How many application rows were left out under the step above.
    MoreApplications(usize),
}

impl Row<'_> {
    fn height(&self) -> f64 {
        match self {
            Row::Phase(_) | Row::Step(_) => ROW,
            Row::Application(_) | Row::MoreApplications(_) => LANE,
        }
    }
}

fn rows(report: &ExecutionReport) -> Vec<Row<'_>> {
    let mut rows = Vec::new();
    let mut drawn_applications = 0;
    for phase in [Phase::Switchover, Phase::Recovery] {
        let mut steps = report.steps.iter().filter(|s| s.phase == phase).peekable();
        if steps.peek().is_none() {
            continue;
        }
        rows.push(Row::Phase(phase));
        for step in steps {
            rows.push(Row::Step(step));
            let room = MAX_APPLICATION_ROWS.saturating_sub(drawn_applications);
            let shown = step.applications.len().min(room);
            rows.extend(step.applications[..shown].iter().map(Row::Application));
            drawn_applications += shown;
            if shown < step.applications.len() {
                rows.push(Row::MoreApplications(step.applications.len() - shown));
            }
        }
    }
    rows
}

#[component]
pub fn Timeline(report: ExecutionReport) -> impl IntoView {
    let (from, to) = report.window();
    let seconds = ((to - from).num_milliseconds() as f64 / 1000.0).max(1.0);
    let scale = Scale { from, seconds };
    let comments_lane = if report.comments.is_empty() { 0.0 } else { ROW };
    let top = AXIS_HEIGHT + comments_lane;
    let rows = rows(&report);
    let mut y = top;
    let placed: Vec<(f64, &Row)> = rows
        .iter()
        .map(|row| {
            let at = y;
            y += row.height();
            (at, row)
        })
        .collect();
    let height = y + 6.0;
    let drawn: Vec<AnyView> = placed
        .iter()
        .map(|(y, row)| draw_row(scale, *y, row))
        .collect();
    let description = format!(
        "From {} to {} ({}): {} steps; the table below lists the same figures.",
        when(from),
        when(to),
        span(to - from),
        report.steps.len()
    );
    let milestones = [
        (report.summary.switchover_done_at, "switchover done"),
        (report.summary.recovery_started_at, "recovery started"),
    ];
    view! {
        <figure class="timeline" data-testid="timeline">
            <svg
                viewBox=format!("0 0 {WIDTH} {height}")
                width="100%"
                role="img"
                aria-labelledby="timeline-title timeline-desc"
                xmlns="http://www.w3.org/2000/svg"
            >
                <title id="timeline-title">{format!("Timeline of execution #{}", report.summary.id)}</title>
                <desc id="timeline-desc">{description.clone()}</desc>
                <defs>
                    <pattern id="people-hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">
                        <rect class="hatch-ground" width="6" height="6" />
                        <line class="hatch-line" x1="0" y1="0" x2="0" y2="6" stroke-width="3" />
                    </pattern>
                </defs>
                {axis(scale, height)}
                {milestones
                    .into_iter()
                    .filter_map(|(at, label)| Some(milestone(scale, at?, label, height)))
                    .collect_view()}
                {(!report.comments.is_empty())
                    .then(|| comment_lane(scale, AXIS_HEIGHT, &report.comments))}
                {drawn}
            </svg>
            <figcaption>
                <Legend />
            </figcaption>
        </figure>
    }
}

#[component]
fn Legend() -> impl IntoView {
    let swatch = |class: &'static str, label: &'static str| {
        view! {
            <li>
                <svg class="swatch" viewBox="0 0 14 14" width="14" height="14" aria-hidden="true">
                    <rect class=class width="14" height="14" />
                </svg>
                " " {label}
            </li>
        }
    };
    view! {
        <ul class="timeline-legend">
            {swatch(span_class(SpanKind::Work), SpanKind::Work.label())}
            {swatch(span_class(SpanKind::Confirmation), SpanKind::Confirmation.label())}
            {swatch(span_class(SpanKind::Decision), SpanKind::Decision.label())}
            {swatch("app-bar", "An application's restart (each restart level's applications side by side)")}
            {swatch("comment-mark", "A comment")}
        </ul>
    }
}

fn span_class(kind: SpanKind) -> &'static str {
    match kind {
        SpanKind::Work => "span-work",
        SpanKind::Confirmation => "span-confirmation",
        SpanKind::Decision => "span-decision",
    }
}

/// The time axis: ticks at a round interval, labelled by the time since the start.
fn axis(scale: Scale, height: f64) -> impl IntoView {
    let every = tick_interval(scale.seconds);
    let ticks = (0..)
        .map(|k| k as f64 * every)
        .take_while(|offset| *offset <= scale.seconds + 0.001)
        .map(|offset| {
            let x = CHART_LEFT + offset / scale.seconds * CHART_WIDTH;
            view! {
                <line class="tick" x1=x x2=x y1=AXIS_HEIGHT - 6.0 y2=height />
                <text class="tick-label" x=x y=AXIS_HEIGHT - 10.0 text-anchor="middle">
                    {offset_label(offset)}
                </text>
            }
        })
        .collect_view();
    view! {
        <text class="axis-label" x=0 y=AXIS_HEIGHT - 10.0>"Since the start"</text>
        {ticks}
    }
}

/// The smallest round interval that gives at most eight ticks.
fn tick_interval(seconds: f64) -> f64 {
    const ROUND: [f64; 16] = [
        1.0, 2.0, 5.0, 10.0, 15.0, 30.0, 60.0, 120.0, 300.0, 600.0, 900.0, 1800.0, 3600.0, 7200.0,
        21600.0, 43200.0,
    ];
    ROUND
        .into_iter()
        .find(|every| seconds / every <= 8.0)
        .unwrap_or(86400.0 * (seconds / 86400.0 / 8.0).ceil())
}

/// "+0", "+30 s", "+5 min", "+1 h 30 min".
fn offset_label(seconds: f64) -> String {
    let seconds = seconds.round() as i64;
    match seconds {
        0 => "+0".to_owned(),
        1..60 => format!("+{seconds} s"),
        60..3600 if seconds % 60 == 0 => format!("+{} min", seconds / 60),
        60..3600 => format!("+{} min {:02} s", seconds / 60, seconds % 60),
        _ if seconds % 3600 == 0 => format!("+{} h", seconds / 3600),
        _ => format!("+{} h {:02} min", seconds / 3600, seconds % 3600 / 60),
    }
}

fn milestone(scale: Scale, at: DateTime<Utc>, label: &'static str, height: f64) -> impl IntoView {
    let x = scale.x(at);
    view! {
        <line class="milestone" x1=x x2=x y1=AXIS_HEIGHT y2=height>
            <title>{format!("{label} at {}", when(at))}</title>
        </line>
    }
}

fn comment_lane(scale: Scale, y: f64, comments: &[ExecutionComment]) -> impl IntoView + use<> {
    let marks = comments
        .iter()
        .map(|comment| {
            let title = format!(
                "{} · {}: {}",
                comment.author.as_deref().unwrap_or("a deleted user"),
                when(comment.at),
                comment.text
            );
            view! {
                <circle class="comment-mark" cx=scale.x(comment.at) cy=y + ROW / 2.0 r=5>
                    <title>{title}</title>
                </circle>
            }
        })
        .collect_view();
    view! {
        <text class="row-label" x=0 y=y + 15.0>"Comments"</text>
        {marks}
    }
}

fn draw_row(scale: Scale, y: f64, row: &Row) -> AnyView {
    match row {
        Row::Phase(phase) => view! {
            <text class="phase-label" x=0 y=y + 16.0>{phase.label()}</text>
            <line class="phase-rule" x1=0 x2=WIDTH y1=y + 0.5 y2=y + 0.5 />
        }
        .into_any(),
        Row::Step(step) => step_row(scale, y, step).into_any(),
        Row::Application(app) => application_row(scale, y, app).into_any(),
        Row::MoreApplications(count) => view! {
            <text class="lane-label" x=16 y=y + 12.0>
                {format!("… {count} more applications: see the JSON or CSV download")}
            </text>
        }
        .into_any(),
    }
}

fn step_row(scale: Scale, y: f64, step: &StepReport) -> impl IntoView + use<> {
    let label = format!("{}. {}", step.position, step.heading);
    let bars = step
        .spans
        .iter()
        .map(|s| {
            let (x, width) = scale.bar(s.from, s.to);
            let title = format!(
                "{label}: attempt {}, {} for {} (from {})",
                s.attempt,
                s.kind.label().to_lowercase(),
                span(s.took()),
                when(s.from)
            );
            view! {
                <rect class=span_class(s.kind) x=x y=y + 4.0 width=width height=ROW - 8.0>
                    <title>{title}</title>
                </rect>
            }
        })
        .collect_view();
    let after = step
        .spans
        .first()
        .zip(step.spans.last())
        .map(|(first, last)| {
            let note = match (step.attempts, step.took()) {
                (0 | 1, Some(took)) => span(took),
                (n, Some(took)) => format!("{} · {n} attempts", span(took)),
                (_, None) => String::new(),
            };
            // After the bars; near the right edge, before them instead.
            let end = scale.x(last.to) + 4.0;
            let (x, anchor) = if end > WIDTH - 120.0 {
                (scale.x(first.from) - 4.0, "end")
            } else {
                (end, "start")
            };
            view! { <text class="bar-note" x=x y=y + 15.0 text-anchor=anchor>{note}</text> }
        });
    view! {
        <text class="row-label" x=0 y=y + 15.0>
            {shorten(&label, 40)}
            <title>{label.clone()}</title>
        </text>
        {bars}
        {after}
    }
}

fn application_row(scale: Scale, y: f64, app: &ApplicationBar) -> impl IntoView + use<> {
    let label = format!("L{} · {}", app.level, app.application);
    let class = match app.status {
        CallStatus::Succeeded => "app-bar",
        CallStatus::Failed | CallStatus::Unknown => "app-bar app-failed",
        CallStatus::Sent | CallStatus::Accepted => "app-bar app-open",
    };
    let to = app
        .to
        .unwrap_or(scale.from + TimeDelta::milliseconds((scale.seconds * 1000.0) as i64));
    let (x, width) = scale.bar(app.from, to);
    let title = format!(
        "{label}: {} (attempt {}), {}",
        app.status.label().to_lowercase(),
        app.attempt,
        app.to
            .map_or_else(|| "no answer".to_owned(), |end| span(end - app.from))
    );
    view! {
        <text class="lane-label" x=16 y=y + 12.0>{shorten(&label, 44)}</text>
        <rect class=class x=x y=y + 3.0 width=width height=LANE - 6.0>
            <title>{title}</title>
        </rect>
    }
}

/// `text` cut to `max` characters with an ellipsis.
fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let mut cut: String = text.chars().take(max - 1).collect();
    cut.push('…');
    cut
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_come_at_round_intervals_and_read_as_offsets() {
        assert_eq!(tick_interval(5.0), 1.0);
        assert_eq!(tick_interval(75.0), 10.0);
        assert_eq!(tick_interval(1800.0), 300.0);
        assert_eq!(tick_interval(3.0 * 86400.0), 43200.0);
        assert_eq!(tick_interval(10.0 * 86400.0), 172800.0);
        assert_eq!(offset_label(0.0), "+0");
        assert_eq!(offset_label(30.0), "+30 s");
        assert_eq!(offset_label(300.0), "+5 min");
        assert_eq!(offset_label(5400.0), "+1 h 30 min");
        assert_eq!(shorten("Restart applications", 8), "Restart…");
    }
}
