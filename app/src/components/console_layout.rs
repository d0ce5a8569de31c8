//! The console frame: brand, navigation to every section, and the page beside it.

use leptos::prelude::*;
use leptos_router::components::A;

/// The sections of the console, in the order the navigation lists them.
const SECTIONS: &[(&str, &str)] = &[
    ("/plans", "Plans"),
    ("/executions", "Executions"),
    ("/steps", "Step catalog"),
    ("/environment", "Environment"),
    ("/audit", "Audit log"),
    ("/settings", "Settings"),
];

#[component]
pub fn ConsoleLayout(children: Children) -> impl IntoView {
    // Effects run only in the browser: the attribute tells tests (and people debugging)
    // that the page is interactive.
    let hydrated = RwSignal::new(false);
    Effect::new(move || hydrated.set(true));

    view! {
        <div class="console" data-hydrated=move || hydrated.get().to_string()>
            <header class="console-header">
                <a class="brand" href="/">
                    <span class="brand-mark" aria-hidden="true">"⇄"</span>
                    "Switchyard"
                </a>
                <span class="brand-tagline">"Disaster-recovery orchestration"</span>
            </header>
            <nav class="console-nav" aria-label="Sections">
                <ul>
                    {SECTIONS
                        .iter()
                        .map(|(href, label)| view! { <li><A href=*href>{*label}</A></li> })
                        .collect_view()}
                </ul>
            </nav>
            <main class="console-main" id="main">{children()}</main>
        </div>
    }
}
