//! Sections whose pages are still being built. Each says so plainly, and what it will hold;
//! a section moves to its own module when it is built.

use leptos::prelude::*;
use leptos_meta::Title;

#[component]
fn UpcomingSection(title: &'static str, purpose: &'static str) -> impl IntoView {
    view! {
        <Title text=title />
        <h1>{title}</h1>
        <p class="lede">{purpose}</p>
        <p class="notice" role="status">"This section is not built yet."</p>
    }
}

#[component]
pub fn ExecutionListPage() -> impl IntoView {
    view! {
        <UpcomingSection
            title="Executions"
            purpose="Runs of active plans (预案执行单) against a failed and an emergency data center, live."
        />
    }
}
