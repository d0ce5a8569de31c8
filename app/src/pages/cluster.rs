//! The Cluster page (集群): every instance sharing the database — its data center,
//! version, run mode, last heartbeat, the executions it runs and the database node it
//! uses — so an operator sees at a glance which instances are live and which went quiet.

use crate::api::cluster::list_instances;
use crate::components::error_view::ErrorView;
use crate::domain::cluster::{ClusterView, HEARTBEAT_SECONDS, InstanceStatus, LIVE_WITHIN_SECONDS};
use crate::domain::run_mode::RunMode;
use crate::language::{self, tr, trv};
use crate::local_time::LocalTime;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn ClusterPage() -> impl IntoView {
    let refresh = RwSignal::new(0u32);
    let cluster = Resource::new(move || refresh.get(), |_| list_instances());
    view! {
        <Title text=tr!(surroundings.cluster_page.title) />
        <h1>{trv!(surroundings.cluster_page.heading, <zh> = language::zh)}</h1>
        <p class="lede">
            {tr!(surroundings.cluster_page.lede, heartbeat = HEARTBEAT_SECONDS, live = LIVE_WITHIN_SECONDS)}
        </p>
        <div class="toolbar">
            <button type="button" on:click=move |_| refresh.update(|n| *n += 1)>{tr!(surroundings.cluster_page.refresh)}</button>
        </div>
        <Transition fallback=|| view! { <p class="muted">{tr!(surroundings.cluster_page.loading)}</p> }>
            <ErrorBoundary fallback=|errors| view! { <ErrorView errors /> }>
                {move || Suspend::new(async move {
                    cluster.await.map(|cluster| view! { <InstanceTable cluster /> })
                })}
            </ErrorBoundary>
        </Transition>
    }
}

#[component]
fn InstanceTable(cluster: ClusterView) -> impl IntoView {
    let here = cluster.here.name.clone();
    let live = cluster.instances.iter().filter(|i| i.live).count();
    let total = cluster.instances.len();
    view! {
        <p class="muted" data-testid="cluster-count">
            {tr!(surroundings.cluster_page.count, live = live, total = total, here = cluster.here.describe())}
        </p>
        <table class="data-table" data-testid="cluster">
            <thead>
                <tr>
                    <th scope="col">{tr!(surroundings.cluster_page.instance)}</th>
                    <th scope="col">{tr!(surroundings.cluster_page.data_center)}</th>
                    <th scope="col">{tr!(surroundings.cluster_page.heard_from)}</th>
                    <th scope="col">{tr!(surroundings.cluster_page.run_mode)}</th>
                    <th scope="col">{tr!(surroundings.cluster_page.executions)}</th>
                    <th scope="col">{tr!(surroundings.cluster_page.node)}</th>
                    <th scope="col">{tr!(surroundings.cluster_page.version)}</th>
                    <th scope="col">{tr!(surroundings.cluster_page.up_since)}</th>
                </tr>
            </thead>
            <tbody>
                {cluster
                    .instances
                    .into_iter()
                    .map(|instance| {
                        let this = instance.identity.name == here;
                        instance_row(instance, this)
                    })
                    .collect_view()}
            </tbody>
        </table>
    }
}

fn instance_row(instance: InstanceStatus, this: bool) -> impl IntoView {
    let heard = match instance.live {
        true => view! {
            <span class="badge outcome-ok">{tr!(surroundings.cluster_page.live)}</span>
            " " {tr!(surroundings.cluster_page.seconds_ago, s = instance.heard_seconds_ago)}
        }
        .into_any(),
        false => view! {
            <span class="badge outcome-failed">{tr!(surroundings.cluster_page.quiet)}</span>
            " " {tr!(surroundings.cluster_page.ago, span = ago(instance.heard_seconds_ago))}
        }
        .into_any(),
    };
    let mode_class = match instance.run_mode {
        RunMode::Degraded => "mode-degraded",
        RunMode::Normal => "",
    };
    // A quiet instance may have switched mode since (a degraded one writes no
    // heartbeat): say what it last told, as that.
    let told = match instance.run_mode {
        RunMode::Normal => {
            trv!(administration.run_mode.name.normal, <zh> = language::zh).into_any()
        }
        RunMode::Degraded => {
            trv!(administration.run_mode.name.degraded, <zh> = language::zh).into_any()
        }
    };
    let mode = match instance.live {
        true => told,
        false => view! { {tr!(surroundings.cluster_page.unknown)} {told} }.into_any(),
    };
    view! {
        <tr data-instance=instance.identity.name.clone()>
            <td>
                <strong>{instance.identity.name.clone()}</strong>
                {this.then(|| view! { " " <span class="muted">{tr!(surroundings.cluster_page.this)}</span> })}
            </td>
            <td>{instance.identity.data_center.clone().unwrap_or_else(|| "—".to_owned())}</td>
            <td>{heard}</td>
            <td class=mode_class>{mode}</td>
            <td>{instance.executions_owned}</td>
            <td><code>{instance.database_node}</code></td>
            <td>{instance.identity.version}</td>
            <td><LocalTime at=instance.started_at /></td>
        </tr>
    }
}

/// "42 s", "7 min", "3 h".
fn ago(seconds: i64) -> String {
    match seconds {
        s if s < 120 => tr!(surroundings.cluster_page.span_s, n = s),
        s if s < 7200 => tr!(surroundings.cluster_page.span_min, n = s / 60),
        s => tr!(surroundings.cluster_page.span_h, n = s / 3600),
    }
}
