//! The platform API conformance suite (`server::conformance`) against the simulator, as
//! an adapter team would run it against their platform: it passes on the simulator with
//! operations that take time, and it catches a platform that breaks the contract.

use crate::support::simulator::{PASSWORD, Sim, USER};
use app::domain::simulator::{Call, FaultEffect, FaultSpec, Latency, Timing};
use server::conformance::{Check, Target, run};
use server::sim::estate::Estate;

fn target(sim: &Sim) -> Target {
    Target {
        url: sim.base.clone(),
        username: USER.into(),
        password: PASSWORD.into(),
        product_group: "Trading".into(),
        application: "matching-engine".into(),
        cluster: "trading-db".into(),
    }
}

fn failures(checks: &[Check]) -> Vec<String> {
    checks
        .iter()
        .filter_map(|c| c.outcome.as_ref().err().map(|e| format!("{}: {e}", c.name)))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_simulator_conforms_to_the_platform_api() {
    let short = Latency {
        min_ms: 50,
        max_ms: 250,
    };
    let timing = Timing {
        traffic: short,
        restart: short,
        cluster: short,
        drains: false,
    };
    let sim = Sim::start_with(Estate::demo(), timing).await;
    let checks = run(&target(&sim)).await;
    assert_eq!(checks.len(), 6);
    assert_eq!(failures(&checks), Vec::<String>::new());
    // It put the estate back as it found it.
    let state = sim.state().await;
    let trading = state["traffic"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["product_group"] == "Trading")
        .unwrap();
    assert_eq!(trading["serving"].as_array().unwrap().len(), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_suite_catches_a_platform_that_breaks_the_contract() {
    let sim = Sim::start_with(Estate::demo(), Timing::ZERO).await;
    // Health flaps, and every switchback fails: two checks must fail, the rest pass.
    sim.inject(FaultSpec {
        call: Call::Health,
        data_center: None,
        target: None,
        effect: FaultEffect::Flap,
        times: None,
        delay_ms: None,
    })
    .await;
    sim.inject(FaultSpec {
        call: Call::ClusterSwitchback,
        data_center: None,
        target: None,
        effect: FaultEffect::Fail,
        times: None,
        delay_ms: None,
    })
    .await;
    let failed = failures(&run(&target(&sim)).await);
    assert_eq!(failed.len(), 2, "{failed:#?}");
    assert!(failed[0].starts_with("health"), "{failed:#?}");
    assert!(
        failed[1].starts_with("cluster switchover and switchback"),
        "{failed:#?}"
    );
}
