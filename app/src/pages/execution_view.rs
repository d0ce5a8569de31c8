//! Execution page (预案执行单): one run of a plan, live. The header says what runs where
//! and how it is going; the Switchover (容灾切换) and Recovery (容灾恢复) tabs show each
//! phase's progress and steps, each expandable to its log and platform calls. Operators
//! and admins drive it from here (start, pause, resume, cancel; retry, skip, mark done or
//! confirm a step); everyone else watches. The page holds the execution in one signal,
//! loaded once and then kept current by the live channel and by the controls' answers.

use super::execution::Page;
use super::execution::clock::ticking;
use super::execution::comments::ExecutionComments;
use super::execution::controls::{Controls, keep_newest};
use super::execution::drill_reset::DrillReset;
use super::execution::header::ExecutionHeader;
use super::execution::phases::PhaseTabs;
use super::execution::step_log::Records;
use super::execution::toolbar::ExecutionToolbar;
use crate::api::executions::get_execution;
use crate::components::console_layout::use_current_user;
use crate::components::error_view::ErrorView;
use crate::domain::event::ExecutionEvent;
use crate::domain::execution::view::ExecutionDetail;
use crate::domain::ids::ExecutionId;
use crate::error::AppError;
use crate::language::tr;
use crate::live_client::{LiveStatus, watch_execution};
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

#[component]
pub fn ExecutionPage() -> impl IntoView {
    let params = use_params_map();
    let id = Memo::new(move |_| {
        params
            .read()
            .get("id")
            .and_then(|t| t.parse().ok())
            .map(ExecutionId)
    });
    let me = use_current_user();
    let loaded = Resource::new(
        move || id.get(),
        |id| async move {
            match id {
                Some(id) => get_execution(id).await,
                None => Err(AppError::not_found("that execution")),
            }
        },
    );
    let detail = RwSignal::new(None::<ExecutionDetail>);
    let live = RwSignal::new(LiveStatus::Connecting);
    let records = Records::default();
    let controls = Controls::new(detail);
    let now = ticking();
    let hydrated = RwSignal::new(false);
    Effect::new(move || hydrated.set(true));

    // Watch the execution the page holds, once it holds one (and again only when that
    // changes: another execution, not another event of this one).
    let held = Memo::new(move |_| detail.with(|d| d.as_ref().map(|d| d.summary.id)));
    Effect::new(move || {
        if let Some(id) = held.get() {
            let on_event = Callback::new(move |event: ExecutionEvent| records.apply(&event));
            untrack(|| watch_execution(id, detail, live, on_event));
        }
    });

    view! {
        <Transition fallback=|| view! { <p class="muted">{tr!(executions.view.loading)}</p> }>
            <ErrorBoundary fallback=|errors| view! { <ErrorView errors /> }>
                {move || Suspend::new(async move {
                    let role = me.0.await?.role;
                    let fetched = loaded.await?;
                    let summary = fetched.summary.clone();
                    keep_newest(detail, fetched);
                    let first = summary.state;
                    let state = Memo::new(move |_| {
                        detail.with(|d| d.as_ref().map_or(first, |d| d.summary.state))
                    });
                    let page = Page {
                        id: summary.id,
                        detail,
                        state,
                        role: Some(role),
                        live,
                        now,
                        records,
                        controls,
                        hydrated,
                    };
                    Ok::<_, AppError>(view! {
                        <ExecutionHeader page summary />
                        <ExecutionToolbar page />
                        <DrillReset page />
                        <PhaseTabs page />
                        <ExecutionComments page />
                    })
                })}
            </ErrorBoundary>
        </Transition>
    }
}
