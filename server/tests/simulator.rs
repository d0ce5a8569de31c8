//! The platform simulator over real HTTP: every call of the platform API, idempotency,
//! basic auth, the safety rule and bad input answered with a code, never a panic.

use crate::support::simulator::{PASSWORD, Sim, USER, small_estate};
use app::domain::simulator::{Latency, Timing};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::time::Duration;

fn serving(state: &Value) -> Vec<&str> {
    state["serving"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["data_center"].as_str().unwrap())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn traffic_moves_once_per_key_and_never_leaves_a_group_unserved() {
    let sim = Sim::start().await;
    let group = [("product_group", "Customer portal")];
    let cut = |dc: &str| json!({ "product_group": "Customer portal", "data_center": dc, "drain_seconds": 0 });

    let (status, first) = sim
        .post("/v1/traffic/cut", "exec-1/step-1/1", cut("Shanghai-A"))
        .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{first}");
    assert_eq!(first["state"], "succeeded");
    let (_, state) = sim.get("/v1/traffic", &group).await;
    assert_eq!(serving(&state), ["Hangzhou-B"]);

    // The same key again: the same operation, nothing done twice.
    let (status, again) = sim
        .post("/v1/traffic/cut", "exec-1/step-1/1", cut("Shanghai-A"))
        .await;
    assert_eq!(status, StatusCode::ACCEPTED);
    assert_eq!(again["id"], first["id"]);
    // The same key for another request is refused.
    let (status, reused) = sim
        .post("/v1/traffic/cut", "exec-1/step-1/1", cut("Hangzhou-B"))
        .await;
    assert_eq!(
        (status, reused["code"].as_str()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("idempotency_key_reused")
        )
    );

    // The safety rule: the last serving site cannot be cut.
    let (status, refused) = sim
        .post("/v1/traffic/cut", "exec-1/step-2/1", cut("Hangzhou-B"))
        .await;
    assert_eq!(
        (status, refused["code"].as_str()),
        (StatusCode::CONFLICT, Some("no_site_left"))
    );
    let (_, state) = sim.get("/v1/traffic", &group).await;
    assert_eq!(serving(&state), ["Hangzhou-B"]);

    let restore = json!({ "product_group": "Customer portal", "data_center": "Shanghai-A", "weight_percent": 100 });
    let (status, _) = sim
        .post("/v1/traffic/restore", "exec-1/step-3/1", restore)
        .await;
    assert_eq!(status, StatusCode::ACCEPTED);
    let (_, state) = sim.get("/v1/traffic", &group).await;
    assert_eq!(serving(&state), ["Hangzhou-B", "Shanghai-A"]);

    let (status, op) = sim
        .get(
            &format!("/v1/operations/{}", first["id"].as_str().unwrap()),
            &[],
        )
        .await;
    assert_eq!(
        (status, op["kind"].as_str()),
        (StatusCode::OK, Some("traffic.cut"))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn applications_restart_and_primaries_move() {
    let sim = Sim::start().await;
    let restart = json!({ "product_group": "Customer portal", "application": "web-frontend", "data_center": "Hangzhou-B" });
    let (status, op) = sim.post("/v1/applications/restart", "k1", restart).await;
    assert_eq!(
        (status, op["state"].as_str()),
        (StatusCode::ACCEPTED, Some("succeeded"))
    );
    let (_, app) = sim
        .get(
            "/v1/applications",
            &[
                ("product_group", "Customer portal"),
                ("application", "web-frontend"),
                ("data_center", "Hangzhou-B"),
            ],
        )
        .await;
    assert_eq!(app["health"], "running");

    let (status, _) = sim
        .post(
            "/v1/clusters/switchover",
            "k2",
            json!({ "cluster": "portal-db", "to": "Hangzhou-B" }),
        )
        .await;
    assert_eq!(status, StatusCode::ACCEPTED);
    let (_, cluster) = sim.get("/v1/clusters", &[("cluster", "portal-db")]).await;
    assert_eq!(cluster["primary"], "Hangzhou-B");
    let (status, _) = sim
        .post(
            "/v1/clusters/switchback",
            "k3",
            json!({ "cluster": "portal-db", "to": "Shanghai-A" }),
        )
        .await;
    assert_eq!(status, StatusCode::ACCEPTED);
    let (_, cluster) = sim.get("/v1/clusters", &[("cluster", "portal-db")]).await;
    assert_eq!(cluster["primary"], "Shanghai-A");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_follower_may_wait_for_an_operation_to_end() {
    let slow = Latency {
        min_ms: 400,
        max_ms: 400,
    };
    let sim = Sim::start_with(
        small_estate(),
        Timing {
            restart: slow,
            ..Timing::ZERO
        },
    )
    .await;
    let restart = json!({ "product_group": "Customer portal", "application": "web-frontend", "data_center": "Hangzhou-B" });
    let (status, op) = sim.post("/v1/applications/restart", "k1", restart).await;
    assert_eq!(
        (status, op["state"].as_str()),
        (StatusCode::ACCEPTED, Some("running"))
    );
    let path = format!("/v1/operations/{}", op["id"].as_str().unwrap());

    // Without a wait the answer comes at once: still running.
    let (_, now) = sim.get(&path, &[]).await;
    assert_eq!(now["state"], "running");
    // A wait longer than the operation: one answer, once it has ended.
    let (status, ended) = sim.get(&path, &[("wait_ms", "10000")]).await;
    assert_eq!(
        (status, ended["state"].as_str()),
        (StatusCode::OK, Some("succeeded"))
    );
    // A wait that is not a number is refused with the API's code.
    let (status, refused) = sim.get(&path, &[("wait_ms", "soon")]).await;
    assert_eq!(
        (status, refused["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("bad_request"))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cut_takes_its_drain_time_when_the_timing_drains() {
    let sim = Sim::start_with(
        small_estate(),
        Timing {
            drains: true,
            ..Timing::ZERO
        },
    )
    .await;
    let cut = |key: &'static str, group: &'static str, drain: u32| {
        let sim = &sim;
        async move {
            let asked = std::time::Instant::now();
            let body = json!({ "product_group": group, "data_center": "Shanghai-A", "drain_seconds": drain });
            let (status, op) = sim.post("/v1/traffic/cut", key, body).await;
            assert_eq!(status, StatusCode::ACCEPTED, "{op}");
            let path = format!("/v1/operations/{}", op["id"].as_str().unwrap());
            let (_, ended) = sim.get(&path, &[("wait_ms", "10000")]).await;
            assert_eq!(ended["state"], "succeeded", "{ended}");
            (op["state"].clone(), asked.elapsed())
        }
    };
    // Asked to drain for 2 s: the operation runs that long, like a gateway's.
    let (first, took) = cut("d1", "Customer portal", 2).await;
    assert_eq!(first, "running");
    assert!(took >= Duration::from_secs(2), "{took:?}");
    // Without drains, the timing's latency alone: zero here.
    sim.client
        .put(format!("{}/sim/timing", sim.base))
        .basic_auth(USER, Some(PASSWORD))
        .json(&Timing::ZERO)
        .send()
        .await
        .unwrap()
        .error_for_status()
        .unwrap();
    let restore = json!({ "product_group": "Customer portal", "data_center": "Shanghai-A", "weight_percent": 100 });
    let (status, _) = sim.post("/v1/traffic/restore", "r1", restore).await;
    assert_eq!(status, StatusCode::ACCEPTED);
    let (_, took) = cut("d2", "Customer portal", 2).await;
    assert!(took < Duration::from_secs(2), "{took:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_calls_get_a_clear_code() {
    let sim = Sim::start().await;
    let wrong_password = sim
        .client
        .get(format!("{}/v1/health", sim.base))
        .basic_auth(USER, Some("guess"))
        .send()
        .await
        .unwrap();
    assert_eq!(wrong_password.status(), StatusCode::UNAUTHORIZED);
    let body: Value = wrong_password.json().await.unwrap();
    assert_eq!(body["code"], "unauthorized");
    let (status, health) = sim.get("/v1/health", &[]).await;
    assert_eq!(
        (status, health["api_version"].as_str()),
        (StatusCode::OK, Some("v1"))
    );

    let checks = [
        (
            json!({ "product_group": "Nope", "data_center": "Shanghai-A", "drain_seconds": 0 }),
            "unknown_product_group",
        ),
        (
            json!({ "product_group": "Customer portal", "data_center": "Mars", "drain_seconds": 0 }),
            "unknown_data_center",
        ),
        (json!({ "product_group": "Customer portal" }), "bad_request"),
        (json!("not an object"), "bad_request"),
    ];
    for (n, (body, code)) in checks.into_iter().enumerate() {
        let (status, answer) = sim.post("/v1/traffic/cut", &format!("bad-{n}"), body).await;
        assert!(status.is_client_error(), "{answer}");
        assert_eq!(answer["code"], code, "{answer}");
    }
    let malformed = sim
        .client
        .post(format!("{}/v1/traffic/cut", sim.base))
        .basic_auth(USER, Some(PASSWORD))
        .header("Idempotency-Key", "m")
        .header("content-type", "application/json")
        .body("{ not json")
        .send()
        .await
        .unwrap();
    assert_eq!(malformed.status(), StatusCode::BAD_REQUEST);
    let no_key = sim
        .client
        .post(format!("{}/v1/clusters/switchover", sim.base))
        .basic_auth(USER, Some(PASSWORD))
        .json(&json!({ "cluster": "portal-db", "to": "Hangzhou-B" }))
        .send()
        .await
        .unwrap();
    assert_eq!(
        no_key.status(),
        StatusCode::BAD_REQUEST,
        "a change needs an idempotency key"
    );
    let (status, _) = sim.get("/v1/clusters", &[("cluster", "portal-db")]).await;
    assert_eq!(status, StatusCode::OK);
    let (_, cluster) = sim.get("/v1/clusters", &[("cluster", "portal-db")]).await;
    assert_eq!(
        cluster["primary"], "Shanghai-A",
        "nothing moved without a key"
    );
}
