//! A small coloured tag naming a step's layer.

use crate::domain::step::Layer;
use leptos::prelude::*;

#[component]
pub fn LayerBadge(layer: Layer) -> impl IntoView {
    view! { <span class=format!("badge layer-{}", layer.as_str())>{layer.label()}</span> }
}
