//! The landing page: what the console is for and where each task lives.

use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn HomePage() -> impl IntoView {
    view! {
        <Title text="Overview" />
        <h1>"Switchyard"</h1>
        <p class="lede">
            "The executable DR runbook: pick an active plan, name the failed and the emergency data "
            "center, and run it step by step while everyone watches."
        </p>
        <ul class="cards">
            <li><a href="/plans"><strong>"Plans"</strong><span>"Author, review and activate DR plans."</span></a></li>
            <li><a href="/executions"><strong>"Executions"</strong><span>"Run a plan and watch it live."</span></a></li>
            <li><a href="/steps"><strong>"Step catalog"</strong><span>"Every step type a plan can use."</span></a></li>
            <li><a href="/environment"><strong>"Environment"</strong><span>"Data centers, configs, product groups, clusters."</span></a></li>
            <li><a href="/simulator"><strong>"Simulator"</strong><span>"Rehearse failures: inject faults into the simulated platforms."</span></a></li>
        </ul>
    }
}
