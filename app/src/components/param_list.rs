//! The parameters of a step type: name, accepted values, required or default.

use crate::domain::step::ParamDef;
use leptos::prelude::*;

#[component]
pub fn ParamList(params: Vec<ParamDef>) -> impl IntoView {
    if params.is_empty() {
        return view! { <span class="muted">"none"</span> }.into_any();
    }
    view! {
        <ul class="param-list">
            {params
                .into_iter()
                .map(|p| {
                    let requirement = match &p.default {
                        None => "required".to_owned(),
                        Some(default) => format!("optional, default {default}"),
                    };
                    view! {
                        <li title=p.help>
                            <code>{p.name}</code>
                            " — "
                            {p.kind.describe()}
                            <span class="muted">" (" {requirement} ")"</span>
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
    .into_any()
}
