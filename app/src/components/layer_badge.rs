//! A small coloured tag naming a step's layer.

use crate::domain::step::Layer;
use crate::language::{self, labels::Localized};
use leptos::prelude::*;

#[component]
pub fn LayerBadge(layer: Layer) -> impl IntoView {
    view! { <span class=format!("badge layer-{}", layer.as_str())>{layer.localized(language::locale())}</span> }
}
