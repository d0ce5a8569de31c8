//! One step parameter's field, drawn from the kind the catalog gives it.

use crate::components::form_feedback::FieldMessage;
use crate::domain::plan::{PlanRefs, param_text};
use crate::domain::step::Site;
use crate::domain::step::{ParamDef, ParamKind};
use crate::error::AppError;
use leptos::prelude::*;

/// A parameter's field, drawn from its kind: pickers for Environment records and sites,
/// bounded numbers, free text.
#[component]
pub(super) fn ParamField(
    def: ParamDef,
    value: RwSignal<String>,
    refs: StoredValue<PlanRefs>,
    error: Signal<Option<AppError>>,
    path: Signal<String>,
) -> impl IntoView {
    let label = if def.required {
        def.label.clone()
    } else {
        format!("{} (optional)", def.label)
    };
    let placeholder = def.default.as_ref().map(|d| param_text(Some(d)));
    let options: Option<Vec<String>> = match &def.kind {
        ParamKind::ProductGroup => Some(refs.read_value().product_groups.iter().cloned().collect()),
        ParamKind::DatabaseCluster => Some(
            refs.read_value()
                .database_clusters
                .iter()
                .cloned()
                .collect(),
        ),
        ParamKind::Site => Some(Site::ALL.iter().map(|s| s.as_str().to_owned()).collect()),
        ParamKind::Choice { options } => Some(options.clone()),
        _ => None,
    };
    let set = move |ev| value.set(event_target_value(&ev));
    let input = match (&def.kind, options) {
        (_, Some(options)) => view! {
            <select prop:value=value on:change=set>
                <option value="">"Choose…"</option>
                {options.into_iter().map(|o| {
                    let shown = o.clone();
                    view! { <option value=o.clone() selected=move || value.get() == o>{shown}</option> }
                }).collect_view()}
            </select>
        }
        .into_any(),
        (ParamKind::Integer { min, max }, None) => view! {
            <input type="number" step="1" min=*min max=*max placeholder=placeholder prop:value=value on:input=set />
        }
        .into_any(),
        (ParamKind::Text { max_len }, None) if *max_len > 200 => view! {
            <textarea rows="2" placeholder=placeholder prop:value=value on:input=set></textarea>
        }
        .into_any(),
        (ParamKind::Url, None) => view! {
            <input type="url" placeholder=placeholder prop:value=value on:input=set />
        }
        .into_any(),
        _ => view! { <input type="text" placeholder=placeholder prop:value=value on:input=set /> }
            .into_any(),
    };
    view! {
        <label class="param">
            {label}
            {input}
            <span class="muted small">{def.help.clone()} " (" {def.kind.describe()} ")"</span>
            <FieldMessage error field=path />
        </label>
    }
}
