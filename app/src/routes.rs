//! The route table: which page answers which path. Nothing else.
//!
//! The sign-in, overview and not-found pages are in the first download. Every other page
//! belongs to an area, and an area's pages travel together in one WASM chunk
//! (`cargo leptos build --split`), fetched when the first of them is shown. A chunk per
//! page had the browser fetch one file for every set of pages that share a component: a
//! hundred small requests for a signed-in user's first page. The plan editor is an area of
//! its own because it is large and nobody's first page.

use crate::components::console_layout::{ConsoleLayout, PageLoading};
use crate::pages::{
    account::AccountPage, audit_log::AuditLogPage, cluster::ClusterPage,
    environment::EnvironmentPage, execution_list::ExecutionListPage,
    execution_report::ExecutionReportPage, execution_view::ExecutionPage, home::HomePage,
    not_found::NotFoundPage, plan_detail::PlanDetailPage, plan_editor::PlanEditorPage,
    plan_list::PlanListPage, sign_in::SignInPage, simulator::SimulatorPage,
    step_catalog::StepCatalogPage, users::UsersPage,
};
use leptos::prelude::*;
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{Lazy, LazyRoute, SsrMode, path};

/// An area: the enum `$area` names its pages, the lazily loaded function `$show` shows
/// one of them (`$preload` is the function `#[lazy]` makes to fetch its chunk ahead), and
/// each `$route` is the lazy route of one page.
macro_rules! area {
    (
        $area:ident, shown by $show:ident, preloaded by $preload:ident {
            $($page:ident: $route:ident => $component:ident),+ $(,)?
        }
    ) => {
        #[derive(Clone, Copy)]
        enum $area {
            $($page),+
        }

        #[leptos::lazy]
        fn $show(page: $area) -> AnyView {
            match page {
                $($area::$page => view! { <$component /> }.into_any()),+
            }
        }

        $(
            struct $route;

            impl LazyRoute for $route {
                fn data() -> Self {
                    PageLoading::started();
                    $route
                }

                async fn view(_: Self) -> AnyView {
                    let view = $show($area::$page).await;
                    PageLoading::shown();
                    view
                }

                async fn preload() {
                    #[cfg(target_arch = "wasm32")]
                    $preload().await;
                }
            }
        )+
    };
}

area!(Plans, shown by plans_page, preloaded by __preload_plans_page {
    List: PlanListRoute => PlanListPage,
    Detail: PlanDetailRoute => PlanDetailPage,
});

area!(PlanEditing, shown by plan_editing_page, preloaded by __preload_plan_editing_page {
    Editor: PlanEditorRoute => PlanEditorPage,
});

area!(Executions, shown by executions_page, preloaded by __preload_executions_page {
    List: ExecutionListRoute => ExecutionListPage,
    One: ExecutionRoute => ExecutionPage,
    Report: ExecutionReportRoute => ExecutionReportPage,
});

area!(Surroundings, shown by surroundings_page, preloaded by __preload_surroundings_page {
    Steps: StepCatalogRoute => StepCatalogPage,
    Environment: EnvironmentRoute => EnvironmentPage,
    Simulator: SimulatorRoute => SimulatorPage,
    Cluster: ClusterRoute => ClusterPage,
});

area!(Administration, shown by administration_page, preloaded by __preload_administration_page {
    Audit: AuditLogRoute => AuditLogPage,
    Users: UsersRoute => UsersPage,
    Account: AccountRoute => AccountPage,
});

#[component]
pub fn AppRoutes() -> impl IntoView {
    view! {
        <Router>
            <ConsoleLayout>
                <Routes fallback=NotFoundPage>
                    <Route path=path!("/") view=HomePage />
                    <Route path=path!("/plans") view={Lazy::<PlanListRoute>::new()} />
                    <Route path=path!("/plans/new") view={Lazy::<PlanEditorRoute>::new()} />
                    <Route path=path!("/plans/:id") view={Lazy::<PlanDetailRoute>::new()} />
                    <Route path=path!("/plans/:id/edit") view={Lazy::<PlanEditorRoute>::new()} />
                    <Route path=path!("/executions") view={Lazy::<ExecutionListRoute>::new()} />
                    <Route path=path!("/executions/:id") view={Lazy::<ExecutionRoute>::new()} />
                    // Sent whole once its data is read: a report reads and prints without JavaScript.
                    <Route path=path!("/executions/:id/report") view={Lazy::<ExecutionReportRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/steps") view={Lazy::<StepCatalogRoute>::new()} />
                    <Route path=path!("/environment") view={Lazy::<EnvironmentRoute>::new()} />
                    <Route path=path!("/simulator") view={Lazy::<SimulatorRoute>::new()} />
                    <Route path=path!("/cluster") view={Lazy::<ClusterRoute>::new()} />
                    <Route path=path!("/audit") view={Lazy::<AuditLogRoute>::new()} />
                    <Route path=path!("/settings") view={Lazy::<UsersRoute>::new()} />
                    <Route path=path!("/account") view={Lazy::<AccountRoute>::new()} />
                    <Route path=path!("/sign-in") view=SignInPage />
                </Routes>
            </ConsoleLayout>
        </Router>
    }
}
