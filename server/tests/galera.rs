//! Several instances on a real three-node MariaDB Galera cluster (`scripts/galera.sh`
//! starts it, installing what is missing): three instances start together, one per
//! node; two instances on two nodes race for leases; then a whole "data center" goes
//! dark — an instance and its node killed together — and the survivors carry on.

use crate::instances::{events_without_gaps, lease_owner, race_for_a_lease};
use crate::support::builders::PlanBuilder;
use crate::support::child_server::{ChildServer, free_addr, simulator};
use crate::support::operator::Operator;
use crate::support::state_dir;
use crate::support::test_app::{SIMULATOR_PASSWORD, SIMULATOR_USER};
use crate::support::test_db::TestDb;
use app::domain::simulator::{Call, Latency, Timing};
use app::simulator_link::SimulatorLink;
use serde_json::json;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// Runs the script that runs the local cluster; its standard output and exit status.
fn galera_script(args: &[&str]) -> std::process::Output {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    std::process::Command::new("bash")
        .arg(root.join("scripts/galera.sh"))
        .args(args)
        .current_dir(&root)
        .stderr(std::process::Stdio::inherit())
        .output()
        .expect("scripts/galera.sh runs")
}

/// Runs the script, which must succeed; its standard output.
fn galera(args: &[&str]) -> String {
    let out = galera_script(args);
    assert!(out.status.success(), "scripts/galera.sh {args:?} failed");
    String::from_utf8(out.stdout).unwrap()
}

/// The cluster's three nodes, started when they are not running.
fn cluster_nodes() -> Vec<String> {
    let urls: Vec<String> = galera(&["start"]).lines().map(str::to_owned).collect();
    assert_eq!(urls.len(), 3, "{urls:?}");
    urls
}

/// Stops the cluster when dropped (after the test's database is), when the test started
/// it: no test run leaves one running, and a `make cluster` rehearsal keeps its own.
struct StopsTheCluster {
    started_here: bool,
}

impl StopsTheCluster {
    fn new() -> Self {
        Self {
            started_here: !galera_script(&["pid", "1"]).status.success(),
        }
    }
}

impl Drop for StopsTheCluster {
    fn drop(&mut self) {
        if self.started_here {
            galera(&["stop"]);
        }
    }
}

/// `db`'s name on the node at `node`.
fn on_node(db: &TestDb, node: &str) -> String {
    format!("{node}/{}", db.name)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_galera_three_instances_start_together_race_fairly_and_survive_a_data_center_going_dark()
{
    let _stop = StopsTheCluster::new();
    let nodes = tokio::task::spawn_blocking(cluster_nodes).await.unwrap();
    let db = TestDb::empty_on(&nodes[0]).await;
    let sim_listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let sim_addr = sim_listener.local_addr().unwrap();

    // Three instances, one per node, started at the same moment on an empty database:
    // one prepares it (migrations, demo data, users), the others wait their turn.
    let start = |name: &'static str, node: &str| {
        let url = on_node(&db, node);
        async move {
            ChildServer::start_in(
                &state_dir::fresh(),
                &[("SWITCHYARD_INSTANCE", name)],
                &url,
                free_addr().await,
                sim_addr,
            )
            .await
        }
    };
    let (mut a, b, c) = tokio::join!(
        start("dc-a", &nodes[0]),
        start("dc-b", &nodes[1]),
        start("dc-c", &nodes[2])
    );
    let sim_stop = CancellationToken::new();
    let _stop_sim = sim_stop.clone().drop_guard();
    simulator(&on_node(&db, &nodes[2]), sim_listener, sim_stop).await;
    let sim = SimulatorLink::new(sim_addr, SIMULATOR_USER, SIMULATOR_PASSWORD);

    // Every instance sees the others on the Cluster page, each on its own node.
    let on_c = Operator::on(&c).await;
    let cluster = crate::support::wait::eventually(
        "three live instances",
        Duration::from_secs(30),
        || async {
            let cluster = on_c.call("cluster/list", json!({})).await;
            let live = cluster["instances"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|i| i["live"] == true)
                .count();
            match live == 3 {
                true => Ok(cluster),
                false => Err(cluster.to_string()),
            }
        },
    )
    .await;
    let db_nodes: std::collections::BTreeSet<&str> = cluster["instances"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["database_node"].as_str().unwrap())
        .collect();
    assert_eq!(db_nodes.len(), 3, "one node each: {cluster:#}");

    // Two instances on two nodes race for a lease: on Galera their locks do not meet,
    // their commits do (certification); exactly one wins each time.
    let on_a = Operator::on(&a).await;
    let reviewer = a.signed_in("reviewer").await;
    let raced = PlanBuilder::new("Raced")
        .switchover("wait", json!({ "seconds": 1 }))
        .active(&a.base, &on_a.client, &reviewer)
        .await;
    let unstarted = crate::support::builders::execution(
        &a.base,
        &on_a.client,
        raced,
        "Shanghai-A",
        "Hangzhou-B",
    )
    .await;
    let store_on =
        |node: &str| app::store::Store::new(&on_node(&db, node), 2, state_dir::mode()).unwrap();
    race_for_a_lease(
        &db.url,
        unstarted,
        &store_on(&nodes[0]),
        &store_on(&nodes[1]),
        200,
    )
    .await;

    // dc-a runs a restart of Payments, then its whole data center goes dark: the
    // instance and its database node, killed at once, mid-restart.
    let plan = PlanBuilder::new("Restart payments")
        .switchover(
            "app.restart",
            json!({ "product_group": "Payments", "site": "emergency", "timeout_seconds": 60 }),
        )
        .active(&a.base, &on_a.client, &reviewer)
        .await;
    let slow = Latency {
        min_ms: 1500,
        max_ms: 1500,
    };
    sim.set_timing(&Timing {
        restart: slow,
        ..Timing::ZERO
    })
    .await
    .unwrap();
    let run = on_a.start_run(plan).await;
    crate::support::wait::eventually(
        "the first restart accepted",
        Duration::from_secs(30),
        || async {
            let detail = on_a.detail(run).await;
            let step = detail["steps"][0]["id"].clone();
            let record = on_a
                .call(
                    "executions/step_record",
                    json!({ "execution": run, "step": step }),
                )
                .await;
            match record["calls"][0]["status"] == "accepted" {
                true => Ok(()),
                false => Err(record.to_string()),
            }
        },
    )
    .await;
    assert_eq!(lease_owner(&db.url, run).await.as_deref(), Some("dc-a"));
    a.kill9().await;
    galera(&["kill", "1"]);

    // The survivors take it over and finish it; each application restarted once.
    let on_b = Operator::on(&b).await;
    let done = on_b.until_switchover_done(run).await;
    assert_eq!(done["steps"][0]["attempts"], 1, "{done:#}");
    let state = sim.state().await.unwrap();
    let mut acted = std::collections::BTreeMap::<String, usize>::new();
    for call in &state.calls {
        if call.call == Call::ApplicationRestart && call.acted {
            *acted.entry(call.subject.clone()).or_default() += 1;
        }
    }
    assert_eq!(acted.len(), 4, "{acted:?}");
    assert!(acted.values().all(|n| *n == 1), "each once: {acted:?}");
    events_without_gaps(&on_node(&db, &nodes[1]), run).await;

    // The node comes back and rejoins (the test's database is dropped through it).
    tokio::task::spawn_blocking(cluster_nodes).await.unwrap();
}
