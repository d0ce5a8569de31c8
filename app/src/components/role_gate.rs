//! Shows a part of a page only to roles that may use it; others read why not. The server
//! refuses those roles anyway: this only spares them controls that cannot work.

use super::console_layout::use_current_user;
use crate::domain::role::Action;
use leptos::prelude::*;

#[component]
pub fn RoleGate(action: Action, refusal: &'static str, children: ChildrenFn) -> impl IntoView {
    let me = use_current_user();
    view! {
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || {
                let children = children.clone();
                Suspend::new(async move {
                    let allowed = me.0.await.ok().is_some_and(|u| action.allowed_for(u.role));
                    if allowed {
                        children().into_any()
                    } else {
                        view! { <p class="notice" role="status">{refusal}</p> }.into_any()
                    }
                })
            }}
        </Transition>
    }
}
