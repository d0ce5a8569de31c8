//! The route table: which page answers which path. Nothing else.
//!
//! Every page but the sign-in page (and the not-found page) is lazy: its code is split
//! into a WASM chunk of its own (`cargo leptos build --split`), which the browser fetches
//! when the page is first shown, so the first download holds only the layout, the
//! sign-in page and what they share.

use crate::components::console_layout::{ConsoleLayout, PageLoading};
use crate::pages::{
    account::AccountPage, audit_log::AuditLogPage, environment::EnvironmentPage,
    execution_list::ExecutionListPage, execution_view::ExecutionPage, home::HomePage,
    not_found::NotFoundPage, plan_detail::PlanDetailPage, plan_editor::PlanEditorPage,
    plan_list::PlanListPage, sign_in::SignInPage, simulator::SimulatorPage,
    step_catalog::StepCatalogPage, users::UsersPage,
};
use leptos::prelude::*;
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{Lazy, LazyRoute, lazy_route, path};

/// `$route`: the lazily loaded route that shows `$page`.
macro_rules! lazy_page {
    ($route:ident, $page:ident) => {
        struct $route;

        #[lazy_route]
        impl LazyRoute for $route {
            fn data() -> Self {
                PageLoading::started();
                $route
            }

            fn view(this: Self) -> AnyView {
                let _ = this;
                PageLoading::shown();
                view! { <$page /> }.into_any()
            }
        }
    };
}

lazy_page!(Home, HomePage);
lazy_page!(PlanList, PlanListPage);
lazy_page!(PlanEditor, PlanEditorPage);
lazy_page!(PlanDetail, PlanDetailPage);
lazy_page!(ExecutionList, ExecutionListPage);
lazy_page!(Execution, ExecutionPage);
lazy_page!(StepCatalog, StepCatalogPage);
lazy_page!(Environment, EnvironmentPage);
lazy_page!(Simulator, SimulatorPage);
lazy_page!(AuditLog, AuditLogPage);
lazy_page!(Users, UsersPage);
lazy_page!(Account, AccountPage);

#[component]
pub fn AppRoutes() -> impl IntoView {
    view! {
        <Router>
            <ConsoleLayout>
                <Routes fallback=NotFoundPage>
                    <Route path=path!("/") view={Lazy::<Home>::new()} />
                    <Route path=path!("/plans") view={Lazy::<PlanList>::new()} />
                    <Route path=path!("/plans/new") view={Lazy::<PlanEditor>::new()} />
                    <Route path=path!("/plans/:id") view={Lazy::<PlanDetail>::new()} />
                    <Route path=path!("/plans/:id/edit") view={Lazy::<PlanEditor>::new()} />
                    <Route path=path!("/executions") view={Lazy::<ExecutionList>::new()} />
                    <Route path=path!("/executions/:id") view={Lazy::<Execution>::new()} />
                    <Route path=path!("/steps") view={Lazy::<StepCatalog>::new()} />
                    <Route path=path!("/environment") view={Lazy::<Environment>::new()} />
                    <Route path=path!("/simulator") view={Lazy::<Simulator>::new()} />
                    <Route path=path!("/audit") view={Lazy::<AuditLog>::new()} />
                    <Route path=path!("/settings") view={Lazy::<Users>::new()} />
                    <Route path=path!("/account") view={Lazy::<Account>::new()} />
                    <Route path=path!("/sign-in") view=SignInPage />
                </Routes>
            </ConsoleLayout>
        </Router>
    }
}
