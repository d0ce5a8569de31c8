//! The simulator's timing, each kind of injected fault, reset, the call log and its
//! control API, over real HTTP.

use crate::support::simulator::{PASSWORD, Sim, USER, small_estate};
use app::domain::simulator::{Call, FaultEffect, FaultSpec, Latency, Timing, paths};
use futures_util::StreamExt;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use std::time::Duration;

fn fault(call: Call, effect: FaultEffect) -> FaultSpec {
    FaultSpec {
        call,
        data_center: None,
        target: None,
        effect,
        times: None,
        delay_ms: None,
    }
}

fn restart(dc: &str) -> Value {
    json!({ "product_group": "Customer portal", "application": "web-frontend", "data_center": dc })
}

fn switchover() -> Value {
    json!({ "cluster": "portal-db", "to": "Hangzhou-B" })
}

fn cut(dc: &str) -> Value {
    json!({ "product_group": "Customer portal", "data_center": dc, "drain_seconds": 0 })
}

async fn health_of(sim: &Sim, dc: &str) -> String {
    let query = [
        ("product_group", "Customer portal"),
        ("application", "web-frontend"),
        ("data_center", dc),
    ];
    let (_, app) = sim.get("/v1/applications", &query).await;
    app["health"].as_str().unwrap().to_owned()
}

async fn primary(sim: &Sim) -> String {
    let (_, cluster) = sim.get("/v1/clusters", &[("cluster", "portal-db")]).await;
    cluster["primary"].as_str().unwrap().to_owned()
}

async fn serving(sim: &Sim) -> usize {
    let (_, traffic) = sim
        .get("/v1/traffic", &[("product_group", "Customer portal")])
        .await;
    traffic["serving"].as_array().unwrap().len()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_operation_runs_for_its_latency_and_is_followed_to_its_end() {
    let slow_restarts = Timing {
        restart: Latency {
            min_ms: 1_500,
            max_ms: 1_500,
        },
        ..Timing::ZERO
    };
    let sim = Sim::start_with(small_estate(), slow_restarts).await;
    let (status, op) = sim
        .post("/v1/applications/restart", "r1", restart("Shanghai-A"))
        .await;
    assert_eq!(
        (status, op["state"].as_str()),
        (StatusCode::ACCEPTED, Some("running"))
    );
    assert_eq!(health_of(&sim, "Shanghai-A").await, "restarting");
    let path = format!("/v1/operations/{}", op["id"].as_str().unwrap());
    let mut polls = 0;
    let done = loop {
        let (_, op) = sim.get(&path, &[]).await;
        if op["state"] != "running" {
            break op;
        }
        polls += 1;
        assert!(polls < 100, "the operation never ended");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(done["state"], "succeeded", "{done}");
    assert!(polls > 0, "it answered running before it ended");
    assert_eq!(health_of(&sim, "Shanghai-A").await, "running");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failing_the_next_calls_for_one_data_center() {
    let sim = Sim::start().await;
    sim.inject(FaultSpec {
        data_center: Some("Hangzhou-B".into()),
        times: Some(2),
        ..fault(Call::ApplicationRestart, FaultEffect::Fail)
    })
    .await;
    let (_, elsewhere) = sim
        .post("/v1/applications/restart", "a", restart("Shanghai-A"))
        .await;
    assert_eq!(elsewhere["state"], "succeeded", "another data center");

    let (status, first) = sim
        .post("/v1/applications/restart", "b1", restart("Hangzhou-B"))
        .await;
    assert_eq!(
        (status, first["state"].as_str()),
        (StatusCode::ACCEPTED, Some("failed"))
    );
    assert_eq!(health_of(&sim, "Hangzhou-B").await, "unhealthy");
    // A replay answers the first outcome and does not use up the fault.
    let (_, replay) = sim
        .post("/v1/applications/restart", "b1", restart("Hangzhou-B"))
        .await;
    assert_eq!(replay["id"], first["id"]);
    let (_, second) = sim
        .post("/v1/applications/restart", "b2", restart("Hangzhou-B"))
        .await;
    assert_eq!(second["state"], "failed");
    let (_, third) = sim
        .post("/v1/applications/restart", "b3", restart("Hangzhou-B"))
        .await;
    assert_eq!(third["state"], "succeeded", "the fault ran out");
    assert_eq!(health_of(&sim, "Hangzhou-B").await, "running");
    let state = sim.state().await;
    assert_eq!(state["faults"], json!([]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failing_always_until_cleared() {
    let sim = Sim::start().await;
    let switchovers = sim
        .inject(fault(Call::ClusterSwitchover, FaultEffect::Fail))
        .await;
    let reads = sim
        .inject(fault(Call::TrafficRead, FaultEffect::Fail))
        .await;
    for key in ["s1", "s2", "s3"] {
        let (_, op) = sim.post("/v1/clusters/switchover", key, switchover()).await;
        assert_eq!(op["state"], "failed", "{op}");
    }
    assert_eq!(
        primary(&sim).await,
        "Shanghai-A",
        "a failed switchover moved nothing"
    );
    let (status, answer) = sim
        .get("/v1/traffic", &[("product_group", "Customer portal")])
        .await;
    assert_eq!(
        (status, answer["code"].as_str()),
        (StatusCode::SERVICE_UNAVAILABLE, Some("unavailable"))
    );

    let (status, _) = sim
        .try_send(Method::DELETE, &paths::fault(switchovers.id), None, None)
        .await
        .unwrap();
    assert_eq!(status, StatusCode::OK);
    let (_, op) = sim
        .post("/v1/clusters/switchover", "s4", switchover())
        .await;
    assert_eq!(op["state"], "succeeded");
    assert_eq!(primary(&sim).await, "Hangzhou-B");
    let state = sim.state().await;
    assert_eq!(state["faults"][0]["id"], reads.id);
    assert_eq!(state["faults"][0]["hits"], 1);
    let (status, _) = sim
        .try_send(Method::DELETE, paths::FAULTS, None, None)
        .await
        .unwrap();
    assert_eq!(status, StatusCode::OK);
    assert_eq!(serving(&sim).await, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_500_comes_before_anything_changes() {
    let sim = Sim::start().await;
    sim.inject(FaultSpec {
        times: Some(1),
        ..fault(Call::TrafficCut, FaultEffect::Error500)
    })
    .await;
    let (status, answer) = sim.post("/v1/traffic/cut", "c1", cut("Shanghai-A")).await;
    assert_eq!(
        (status, answer["code"].as_str()),
        (StatusCode::INTERNAL_SERVER_ERROR, Some("internal"))
    );
    assert_eq!(serving(&sim).await, 2, "nothing was cut");
    let (status, op) = sim.post("/v1/traffic/cut", "c1", cut("Shanghai-A")).await;
    assert_eq!(
        (status, op["state"].as_str()),
        (StatusCode::ACCEPTED, Some("succeeded"))
    );
    assert_eq!(serving(&sim).await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dropped_connection_after_acting_is_answered_by_the_same_key() {
    let sim = Sim::start().await;
    sim.inject(FaultSpec {
        times: Some(1),
        ..fault(Call::ClusterSwitchover, FaultEffect::Drop)
    })
    .await;
    let lost = sim
        .try_send(
            Method::POST,
            "/v1/clusters/switchover",
            Some("d1"),
            Some(&switchover()),
        )
        .await;
    assert!(lost.is_err(), "no answer came: {lost:?}");
    assert_eq!(
        primary(&sim).await,
        "Hangzhou-B",
        "but the switchover happened"
    );
    let (status, op) = sim
        .post("/v1/clusters/switchover", "d1", switchover())
        .await;
    assert_eq!(
        (status, op["state"].as_str()),
        (StatusCode::ACCEPTED, Some("succeeded"))
    );
    let state = sim.state().await;
    let logged: Vec<u64> = state["calls"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["call"] == "cluster.switchover")
        .map(|c| c["status"].as_u64().unwrap())
        .collect();
    assert_eq!(
        logged,
        [202, 0],
        "newest first; the dropped call logged as 0"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hang_and_slow_keep_the_caller_waiting() {
    let sim = Sim::start().await;
    sim.inject(FaultSpec {
        times: Some(1),
        ..fault(Call::Health, FaultEffect::Hang)
    })
    .await;
    sim.inject(FaultSpec {
        times: Some(1),
        delay_ms: Some(3_000),
        ..fault(Call::ClusterRead, FaultEffect::Slow)
    })
    .await;
    let impatient = reqwest::Client::builder()
        .timeout(Duration::from_millis(500))
        .build()
        .unwrap();
    for path in ["/v1/health", "/v1/clusters?cluster=portal-db"] {
        let answer = impatient
            .get(format!("{}{path}", sim.base))
            .basic_auth(USER, Some(PASSWORD))
            .send()
            .await;
        assert!(answer.is_err_and(|e| e.is_timeout()), "{path} kept waiting");
    }
    // The hung call is in the call log at once, as one that got no answer.
    let state = sim.state().await;
    let hung = state["calls"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["call"] == "health")
        .unwrap();
    assert_eq!(
        (hung["status"].as_u64(), hung["fault"].as_u64()),
        (Some(0), Some(1))
    );
    // Both faults were for one call: the next ones answer.
    assert_eq!(sim.get("/v1/health", &[]).await.0, StatusCode::OK);
    assert_eq!(primary(&sim).await, "Shanghai-A");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn flapping_health_alternates() {
    let sim = Sim::start().await;
    sim.inject(fault(Call::Health, FaultEffect::Flap)).await;
    sim.inject(FaultSpec {
        target: Some("web-frontend".into()),
        ..fault(Call::ApplicationRead, FaultEffect::Flap)
    })
    .await;
    let mut statuses = Vec::new();
    for _ in 0..4 {
        statuses.push(sim.get("/v1/health", &[]).await.0.as_u16());
    }
    assert_eq!(statuses, [503, 200, 503, 200]);
    let mut healths = Vec::new();
    for _ in 0..4 {
        healths.push(health_of(&sim, "Shanghai-A").await);
    }
    assert_eq!(healths, ["unhealthy", "running", "unhealthy", "running"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reset_puts_the_world_back_and_keeps_the_faults() {
    let sim = Sim::start().await;
    sim.post("/v1/traffic/cut", "c", cut("Shanghai-A")).await;
    sim.post("/v1/clusters/switchover", "s", switchover()).await;
    sim.inject(fault(Call::TrafficRestore, FaultEffect::Fail))
        .await;
    let (status, state) = sim
        .try_send(Method::POST, paths::RESET, None, None)
        .await
        .unwrap();
    assert_eq!(status, StatusCode::OK);
    assert_eq!(state["faults"].as_array().unwrap().len(), 1);
    assert_eq!(serving(&sim).await, 2);
    assert_eq!(primary(&sim).await, "Shanghai-A");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_control_api_wants_credentials_and_refuses_bad_input_with_a_code() {
    let sim = Sim::start().await;
    let anonymous = sim
        .client
        .get(format!("{}{}", sim.base, paths::STATE))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);

    let bad = [
        json!({ "call": "application.restart", "effect": "slow" }),
        json!({ "call": "application.restart", "effect": "explode" }),
        json!({ "call": "traffic.read", "effect": "drop" }),
        json!({ "call": "health", "effect": "fail", "times": 0 }),
        json!("not a fault"),
    ];
    for body in bad {
        let (status, answer) = sim
            .try_send(Method::POST, paths::FAULTS, None, Some(&body))
            .await
            .unwrap();
        assert_eq!(
            (status, answer["code"].as_str()),
            (StatusCode::BAD_REQUEST, Some("bad_request")),
            "{body}"
        );
    }
    let backwards = json!({
        "traffic": { "min_ms": 5, "max_ms": 1 },
        "restart": { "min_ms": 0, "max_ms": 0 },
        "cluster": { "min_ms": 0, "max_ms": 0 },
    });
    let (status, _) = sim
        .try_send(Method::PUT, paths::TIMING, None, Some(&backwards))
        .await
        .unwrap();
    assert_eq!(status, StatusCode::BAD_REQUEST);
    for gone in ["/sim/faults/999", "/sim/faults/abc"] {
        let (status, answer) = sim
            .try_send(Method::DELETE, gone, None, None)
            .await
            .unwrap();
        assert_eq!(status, StatusCode::CONFLICT, "{answer}");
    }
    let timing = serde_json::to_value(Timing::REALISTIC).unwrap();
    let (status, state) = sim
        .try_send(Method::PUT, paths::TIMING, None, Some(&timing))
        .await
        .unwrap();
    assert_eq!((status, &state["timing"]), (StatusCode::OK, &timing));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flood_of_bad_calls_gets_4xx_and_the_simulator_goes_on() {
    let sim = Sim::start().await;
    // A connection per call: a reused one may be closed under the next call, which is
    // HTTP keep-alive at work, not the simulator failing.
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .build()
        .unwrap();
    let calls = futures_util::stream::iter(0..2_000).map(|n| {
        let (sim, client) = (&sim, &client);
        async move {
            let request = match n % 5 {
                0 => client
                    .post(format!("{}/v1/traffic/cut", sim.base))
                    .body("{{{"),
                1 => client.get(format!("{}/v1/traffic?product_group=x", sim.base)),
                2 => client.get(format!("{}/v1/nowhere/{n}", sim.base)),
                3 => client
                    .post(format!("{}/v1/traffic/cut", sim.base))
                    .header("Idempotency-Key", "x".repeat(500))
                    .json(&cut("Shanghai-A")),
                _ => client
                    .post(format!("{}/sim/faults", sim.base))
                    .header("content-type", "application/json")
                    .body("x".repeat(100_000)),
            };
            // Wrong credentials on the small calls: a refusal that comes before a big
            // body is read closes the connection under the sender, as HTTP servers do.
            let wrong = n % 7 == 0 && n % 5 != 4;
            let password = if wrong { "wrong" } else { PASSWORD };
            let request = request.basic_auth(USER, Some(password));
            request
                .send()
                .await
                .map(|r| r.status().as_u16())
                .unwrap_or(0)
        }
    });
    let statuses: Vec<u16> = calls.buffer_unordered(50).collect().await;
    assert!(
        statuses.iter().all(|s| (400..500).contains(s)),
        "every bad call got a 4xx: {:?}",
        statuses
            .iter()
            .filter(|s| !(400..500).contains(*s))
            .collect::<Vec<_>>()
    );
    assert_eq!(sim.get("/v1/health", &[]).await.0, StatusCode::OK);
    assert_eq!(serving(&sim).await, 2, "nothing bad changed the world");
    assert!(sim.state().await["calls"].as_array().unwrap().len() <= 200);
}
