//! A plan's readiness (就绪) as the Plans list and the plan's page show it: ready, needs
//! attention (with what) or not evaluated yet, when it was last evaluated, and the
//! plan's newest ended drill with its measured switchover against the target. The
//! plan's page lets operators evaluate it now.

use super::execution::recovery_time::switchover_cell;
use crate::api::plans::EvaluatePlan;
use crate::components::form_feedback::{FormMessage, last_error};
use crate::domain::ids::PlanId;
use crate::domain::plan::readiness::{PlanReadiness, ReadinessState};
use crate::language::labels::Localized;
use crate::language::{self, tr, trv};
use crate::local_time::{Precision, local, use_reader_zone};
use leptos::prelude::*;

fn tone(state: ReadinessState) -> &'static str {
    match state {
        ReadinessState::Ready => "done",
        ReadinessState::NeedsAttention => "blocked",
        ReadinessState::NotEvaluated => "created",
    }
}

/// The list's cell: the verdict (the problems on hover and counted) and the last drill.
#[component]
pub fn ReadinessCell(readiness: Option<PlanReadiness>) -> impl IntoView {
    let Some(readiness) = readiness else {
        return view! { <span class="muted">"—"</span> }.into_any();
    };
    let title = readiness.problems.join("\n");
    let count = readiness.problems.len();
    view! {
        <span class=format!("badge state-{}", tone(readiness.state)) data-testid="readiness"
            data-state=readiness.state.as_str() title=title>
            {readiness.state.localized(language::locale())}
        </span>
        {(count > 0).then(|| view! { <div class="small state-blocked">{tr!(plans.readiness.to_fix, count = count, first = readiness.problems[0].clone())}</div> })}
        <LastDrill readiness />
    }
    .into_any()
}

#[component]
fn LastDrill(readiness: PlanReadiness) -> impl IntoView {
    readiness.last_drill.map(|drill| {
        let (text, class) = switchover_cell(&drill);
        view! {
            <div class="small" data-testid="last-drill">
                {tr!(plans.readiness.last_drill)} <a href=format!("/executions/{}/report", drill.id)>{format!("#{}", drill.id)}</a>
                " · " {drill.state.localized(language::locale())} " · " <span class=class>{text}</span>
            </div>
        }
    })
}

/// The plan page's section: the verdict in full, the pairs it runs between, and for
/// operators, Evaluate now.
#[component]
pub fn ReadinessSection(
    plan: PlanId,
    readiness: Option<PlanReadiness>,
    can_evaluate: bool,
) -> impl IntoView {
    let evaluate = ServerAction::<EvaluatePlan>::new();
    let error = last_error(evaluate.value());
    let shown = RwSignal::new(readiness);
    Effect::new(move || {
        if let Some(Ok(fresh)) = evaluate.value().get() {
            shown.set(Some(fresh));
        }
    });
    view! {
        <section class="card" aria-labelledby="readiness-heading" data-testid="readiness-section">
            <h2 id="readiness-heading">{trv!(plans.readiness.title, <zh> = language::zh)}</h2>
            {move || match shown.get() {
                None => view! { <p class="muted">{tr!(plans.readiness.active_only)}</p> }.into_any(),
                Some(readiness) => {
                    let checked = readiness.checked_at.map_or_else(
                        || tr!(plans.readiness.not_evaluated_yet).to_owned(),
                        |at| tr!(plans.readiness.evaluated_at, at = local(at, &use_reader_zone(), Precision::Seconds)),
                    );
                    let pairs = if readiness.pairs.is_empty() { "—".to_owned() } else { readiness.pairs.join(", ") };
                    view! {
                        <p>
                            <span class=format!("badge state-{}", tone(readiness.state)) data-testid="readiness"
                                data-state=readiness.state.as_str()>{readiness.state.localized(language::locale())}</span>
                            " " <span class="muted small">{checked}</span>
                        </p>
                        {(!readiness.problems.is_empty()).then(|| view! {
                            <ul class="state-blocked" data-testid="readiness-problems">
                                {readiness.problems.iter().map(|p| view! { <li>{p.clone()}</li> }).collect_view()}
                            </ul>
                        })}
                        <p class="small">{tr!(plans.readiness.pairs)} {pairs}</p>
                        <LastDrill readiness />
                    }.into_any()
                }
            }}
            {can_evaluate.then(|| view! {
                <p>
                    <button type="button" disabled=move || evaluate.pending().get()
                        on:click=move |_| { evaluate.dispatch(EvaluatePlan { id: plan }); }>
                        {tr!(plans.readiness.evaluate)}
                    </button>
                    <span class="muted small">{tr!(plans.readiness.evaluate_hint)}</span>
                </p>
                <FormMessage error />
            })}
        </section>
    }
}
