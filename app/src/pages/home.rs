//! The landing page: what the console is for and where each task lives.

use crate::i18n::{t, t_string, use_i18n};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn HomePage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <Title text=move || t_string!(i18n, common.home.title) />
        <h1>"Switchyard"</h1>
        <p class="lede">{t!(i18n, common.home.lede)}</p>
        <ul class="cards">
            <li><a href="/plans"><strong>{t!(i18n, common.nav.plans)}</strong><span>{t!(i18n, common.home.plans)}</span></a></li>
            <li><a href="/executions"><strong>{t!(i18n, common.nav.executions)}</strong><span>{t!(i18n, common.home.executions)}</span></a></li>
            <li><a href="/steps"><strong>{t!(i18n, common.nav.steps)}</strong><span>{t!(i18n, common.home.steps)}</span></a></li>
            <li><a href="/environment"><strong>{t!(i18n, common.nav.environment)}</strong><span>{t!(i18n, common.home.environment)}</span></a></li>
            <li><a href="/simulator"><strong>{t!(i18n, common.nav.simulator)}</strong><span>{t!(i18n, common.home.simulator)}</span></a></li>
        </ul>
    }
}
