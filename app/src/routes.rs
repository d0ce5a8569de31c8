//! The route table: which page answers which path. Nothing else.

use crate::components::console_layout::ConsoleLayout;
use crate::pages::{
    account::AccountPage, audit_log::AuditLogPage, environment::EnvironmentPage,
    execution_list::ExecutionListPage, execution_view::ExecutionPage, home::HomePage,
    not_found::NotFoundPage, plan_detail::PlanDetailPage, plan_editor::PlanEditorPage,
    plan_list::PlanListPage, sign_in::SignInPage, simulator::SimulatorPage,
    step_catalog::StepCatalogPage, users::UsersPage,
};
use leptos::prelude::*;
use leptos_router::components::{Route, Router, Routes};
use leptos_router::path;

#[component]
pub fn AppRoutes() -> impl IntoView {
    view! {
        <Router>
            <ConsoleLayout>
                <Routes fallback=NotFoundPage>
                    <Route path=path!("/") view=HomePage />
                    <Route path=path!("/plans") view=PlanListPage />
                    <Route path=path!("/plans/new") view=PlanEditorPage />
                    <Route path=path!("/plans/:id") view=PlanDetailPage />
                    <Route path=path!("/plans/:id/edit") view=PlanEditorPage />
                    <Route path=path!("/executions") view=ExecutionListPage />
                    <Route path=path!("/executions/:id") view=ExecutionPage />
                    <Route path=path!("/steps") view=StepCatalogPage />
                    <Route path=path!("/environment") view=EnvironmentPage />
                    <Route path=path!("/simulator") view=SimulatorPage />
                    <Route path=path!("/audit") view=AuditLogPage />
                    <Route path=path!("/settings") view=UsersPage />
                    <Route path=path!("/account") view=AccountPage />
                    <Route path=path!("/sign-in") view=SignInPage />
                </Routes>
            </ConsoleLayout>
        </Router>
    }
}
