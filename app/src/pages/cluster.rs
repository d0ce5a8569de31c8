//! The Cluster page (集群): every instance sharing the database — its data center,
//! version, run mode, last heartbeat, the executions it runs and the database node it
//! uses — so an operator sees at a glance which instances are live and which went quiet.

use crate::api::cluster::list_instances;
use crate::components::error_view::ErrorView;
use crate::domain::cluster::{ClusterView, HEARTBEAT_SECONDS, InstanceStatus, LIVE_WITHIN_SECONDS};
use crate::domain::run_mode::RunMode;
use crate::local_time::LocalTime;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn ClusterPage() -> impl IntoView {
    let refresh = RwSignal::new(0u32);
    let cluster = Resource::new(move || refresh.get(), |_| list_instances());
    view! {
        <Title text="Cluster" />
        <h1>"Cluster (集群)"</h1>
        <p class="lede">
            {format!(
                "The instances of Switchyard that share this database. Each writes a heartbeat \
                 every {HEARTBEAT_SECONDS} s; one not heard from for {LIVE_WITHIN_SECONDS} s has \
                 gone quiet, and the executions it ran are taken over by a live instance once \
                 their leases lapse."
            )}
        </p>
        <div class="toolbar">
            <button type="button" on:click=move |_| refresh.update(|n| *n += 1)>"Refresh"</button>
        </div>
        <Transition fallback=|| view! { <p class="muted">"Loading the cluster…"</p> }>
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
            {format!("{live} of {total} instances live; this page was served by {}.", cluster.here.describe())}
        </p>
        <table class="data-table" data-testid="cluster">
            <thead>
                <tr>
                    <th scope="col">"Instance"</th>
                    <th scope="col">"Data center"</th>
                    <th scope="col">"Heard from"</th>
                    <th scope="col">"Run mode"</th>
                    <th scope="col">"Executions running"</th>
                    <th scope="col">"Database node"</th>
                    <th scope="col">"Version"</th>
                    <th scope="col">"Up since"</th>
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
            <span class="badge outcome-ok">"live"</span>
            " " {format!("{} s ago", instance.heard_seconds_ago)}
        }
        .into_any(),
        false => view! {
            <span class="badge outcome-failed">"gone quiet"</span>
            " " {format!("{} ago", ago(instance.heard_seconds_ago))}
        }
        .into_any(),
    };
    let mode_class = match instance.run_mode {
        RunMode::Degraded => "mode-degraded",
        RunMode::Normal => "",
    };
    // A quiet instance may have switched mode since (a degraded one writes no
    // heartbeat): say what it last told, as that.
    let told = format!(
        "{} ({})",
        instance.run_mode.label(),
        instance.run_mode.manual_name()
    );
    let mode = match instance.live {
        true => told,
        false => format!("unknown; last told: {told}"),
    };
    view! {
        <tr data-instance=instance.identity.name.clone()>
            <td>
                <strong>{instance.identity.name.clone()}</strong>
                {this.then(|| view! { " " <span class="muted">"(this instance)"</span> })}
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
        s if s < 120 => format!("{s} s"),
        s if s < 7200 => format!("{} min", s / 60),
        s => format!("{} h", s / 3600),
    }
}
