//! The platform API's conformance suite: checks, over real HTTP, that an implementation
//! (the built-in simulator, or a team's adapter for its gateway, app platform or
//! database service) answers as `app::domain::platform` says — health, basic auth,
//! clear codes for bad input, asynchronous operations, idempotency, the safety rule,
//! restarts and primary moves. It changes the target's state and puts it back as it
//! found it: run it against a test estate, never production.
//!
//! `server conformance --url ... --product-group ... --application ... --cluster ...`
//! runs it and prints one line per check; CI runs it against the simulator.

use app::domain::platform::{
    ApplicationHealth, ApplicationState, ClusterState, Health, IDEMPOTENCY_KEY, Operation,
    OperationState, PlatformError, RUN_CONTEXT_HEADERS, TrafficState, paths,
};
use reqwest::{Client, Method, StatusCode};
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;
use tokio::time::Instant;

/// How long one operation may take to end before the check fails.
const OPERATION_LIMIT: Duration = Duration::from_secs(120);
/// How often an operation is asked about while it runs.
const FOLLOW_EVERY: Duration = Duration::from_millis(100);

/// What to check, and the names in its estate the checks act on.
#[derive(Debug, Clone, clap::Args)]
pub struct Target {
    /// The platform's base URL, e.g. http://127.0.0.1:3900.
    #[arg(long)]
    pub url: String,
    #[arg(long, default_value = "switchyard")]
    pub username: String,
    #[arg(
        long,
        default_value = "",
        env = "PLATFORM_PASSWORD",
        hide_env_values = true
    )]
    pub password: String,
    /// A product group served by at least two data centers.
    #[arg(long)]
    pub product_group: String,
    /// An application of that group.
    #[arg(long)]
    pub application: String,
    /// A database cluster with a copy in at least two data centers.
    #[arg(long)]
    pub cluster: String,
}

/// One check's name and outcome.
#[derive(Debug)]
pub struct Check {
    pub name: &'static str,
    pub outcome: Result<(), String>,
}

/// Runs every check in order; later checks rely on the state earlier ones leave, and the
/// last ones put the estate back.
pub async fn run(target: &Target) -> Vec<Check> {
    let suite = Suite::new(target.clone());
    let mut checks = Vec::new();
    macro_rules! check {
        ($name:literal, $body:expr) => {
            checks.push(Check {
                name: $name,
                outcome: $body.await,
            })
        };
    }
    check!("health answers ok for API v1", suite.health());
    check!("wrong or missing credentials get 401", suite.credentials());
    check!("bad input gets 4xx with its code", suite.bad_input());
    check!(
        "traffic cut, idempotency, the safety rule, restore",
        suite.traffic()
    );
    check!("application restart ends healthy", suite.restart());
    check!("cluster switchover and switchback", suite.primary_moves());
    checks
}

/// A problem found, as the check reports it.
type Outcome = Result<(), String>;

fn expect(condition: bool, what: impl FnOnce() -> String) -> Outcome {
    if condition { Ok(()) } else { Err(what()) }
}

struct Suite {
    target: Target,
    client: Client,
    run: String,
    next_key: AtomicU32,
}

/// An answer: status and JSON body (`Null` when the body is not JSON).
struct Answer {
    status: StatusCode,
    body: Value,
}

impl Answer {
    fn parse<T: DeserializeOwned>(&self) -> Result<T, String> {
        serde_json::from_value(self.body.clone())
            .map_err(|e| format!("HTTP {}: unexpected body {} ({e})", self.status, self.body))
    }

    /// Checks a refusal: the status and the stable code.
    fn refused(&self, status: u16, code: &str, what: &str) -> Outcome {
        let error: PlatformError = self.parse()?;
        expect(
            self.status.as_u16() == status && error.code.as_str() == code,
            || {
                format!(
                    "{what}: expected {status} {code}, got {} {}",
                    self.status, self.body
                )
            },
        )
    }
}

impl Suite {
    fn new(target: Target) -> Self {
        let mut nonce = [0u8; 6];
        getrandom::fill(&mut nonce).unwrap_or_default();
        Suite {
            target,
            client: Client::builder()
                .timeout(Duration::from_secs(30))
                .build()
                .unwrap_or_default(),
            run: hex::encode(nonce),
            next_key: AtomicU32::new(0),
        }
    }

    fn key(&self) -> String {
        let n = self.next_key.fetch_add(1, Ordering::Relaxed);
        format!("conformance-{}-{n}", self.run)
    }

    async fn send(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, &str)],
        body: Option<String>,
        key: Option<&str>,
        password: Option<&str>,
    ) -> Result<Answer, String> {
        let url = url::Url::parse_with_params(&format!("{}{path}", self.target.url), query)
            .map_err(|e| format!("bad URL: {e}"))?;
        let mut request = self.client.request(method, url);
        if let Some(password) = password {
            request = request.basic_auth(&self.target.username, Some(password));
        }
        for (header, value) in
            RUN_CONTEXT_HEADERS
                .iter()
                .zip([self.run.as_str(), "switchover", "conformance", "1"])
        {
            request = request.header(*header, value);
        }
        if let Some(key) = key {
            request = request.header(IDEMPOTENCY_KEY, key);
        }
        if let Some(body) = body {
            request = request
                .header("content-type", "application/json")
                .body(body);
        }
        let response = request
            .send()
            .await
            .map_err(|e| format!("{path}: no answer ({e})"))?;
        let status = response.status();
        let text = response.text().await.map_err(|e| format!("{path}: {e}"))?;
        Ok(Answer {
            status,
            body: serde_json::from_str(&text).unwrap_or(Value::Null),
        })
    }

    async fn get(&self, path: &str, query: &[(&str, &str)]) -> Result<Answer, String> {
        let password = Some(self.target.password.as_str());
        self.send(Method::GET, path, query, None, None, password)
            .await
    }

    async fn post(&self, path: &str, key: &str, body: &Value) -> Result<Answer, String> {
        let password = Some(self.target.password.as_str());
        self.send(
            Method::POST,
            path,
            &[],
            Some(body.to_string()),
            Some(key),
            password,
        )
        .await
    }

    /// Follows an operation until it ends; answers how it ended.
    async fn follow(&self, accepted: &Answer) -> Result<Operation, String> {
        expect(accepted.status == StatusCode::ACCEPTED, || {
            format!("expected 202, got {} {}", accepted.status, accepted.body)
        })?;
        let mut operation: Operation = accepted.parse()?;
        let deadline = Instant::now() + OPERATION_LIMIT;
        while !operation.is_final() {
            if Instant::now() > deadline {
                return Err(format!(
                    "operation {} still running after 120 s",
                    operation.id
                ));
            }
            tokio::time::sleep(FOLLOW_EVERY).await;
            operation = self
                .get(&paths::operation(&operation.id), &[])
                .await?
                .parse()?;
        }
        Ok(operation)
    }

    /// Makes a change and follows it; it must succeed.
    async fn change(&self, path: &str, body: &Value) -> Result<Operation, String> {
        let operation = self
            .follow(&self.post(path, &self.key(), body).await?)
            .await?;
        expect(operation.state == OperationState::Succeeded, || {
            format!(
                "{path} {body}: ended {} ({})",
                operation.state, operation.message
            )
        })?;
        Ok(operation)
    }

    async fn health(&self) -> Outcome {
        let health: Health = self.get(paths::HEALTH, &[]).await?.parse()?;
        expect(health.status == "ok" && health.api_version == "v1", || {
            format!("health answered {health:?}")
        })
    }

    async fn credentials(&self) -> Outcome {
        let wrong = format!("{}-wrong", self.target.password);
        let answer = self
            .send(Method::GET, paths::HEALTH, &[], None, None, Some(&wrong))
            .await?;
        answer.refused(401, "unauthorized", "a wrong password")?;
        let answer = self
            .send(Method::GET, paths::TRAFFIC, &[], None, None, None)
            .await?;
        answer.refused(401, "unauthorized", "no credentials")
    }

    async fn bad_input(&self) -> Outcome {
        let group = self.target.product_group.as_str();
        let dc = self.serving().await?[0].clone();
        let password = Some(self.target.password.as_str());
        let malformed = self
            .send(
                Method::POST,
                paths::TRAFFIC_CUT,
                &[],
                Some("{ not json".into()),
                Some(&self.key()),
                password,
            )
            .await?;
        malformed.refused(400, "bad_request", "malformed JSON")?;
        let cut = json!({ "product_group": group, "data_center": dc, "drain_seconds": 0 });
        let no_key = self
            .send(
                Method::POST,
                paths::TRAFFIC_CUT,
                &[],
                Some(cut.to_string()),
                None,
                password,
            )
            .await?;
        no_key.refused(400, "bad_request", "a change without an Idempotency-Key")?;
        let stranger =
            json!({ "product_group": group, "data_center": dc, "drain_seconds": 0, "force": true });
        let posts = [
            (stranger, 400, "bad_request", "an unknown field"),
            (
                json!({ "product_group": "no such group", "data_center": dc, "drain_seconds": 0 }),
                404,
                "unknown_product_group",
                "an unknown product group",
            ),
            (
                json!({ "product_group": group, "data_center": "no such data center", "drain_seconds": 0 }),
                404,
                "unknown_data_center",
                "an unknown data center",
            ),
        ];
        for (body, status, code, what) in posts {
            let answer = self.post(paths::TRAFFIC_CUT, &self.key(), &body).await?;
            answer.refused(status, code, what)?;
        }
        let app = [
            ("product_group", group),
            ("application", "no such application"),
            ("data_center", dc.as_str()),
        ];
        let answer = self.get(paths::APPLICATION, &app).await?;
        answer.refused(404, "unknown_application", "an unknown application")?;
        let answer = self
            .get(paths::CLUSTER, &[("cluster", "no such cluster")])
            .await?;
        answer.refused(404, "unknown_cluster", "an unknown cluster")?;
        let answer = self
            .get(&paths::operation("no-such-operation"), &[])
            .await?;
        answer.refused(404, "unknown_operation", "an unknown operation")?;
        let answer = self.get(paths::TRAFFIC, &[]).await?;
        answer.refused(400, "bad_request", "a traffic read without a product group")
    }

    async fn traffic_state(&self) -> Result<TrafficState, String> {
        let group = [("product_group", self.target.product_group.as_str())];
        self.get(paths::TRAFFIC, &group).await?.parse()
    }

    /// The data centers serving the group now, at least two.
    async fn serving(&self) -> Result<Vec<String>, String> {
        let state = self.traffic_state().await?;
        let serving: Vec<String> = state
            .serving
            .into_iter()
            .filter(|s| s.weight_percent > 0)
            .map(|s| s.data_center)
            .collect();
        expect(serving.len() >= 2, || {
            format!(
                "{} must be served by at least two data centers to be checked; it is served by {serving:?}",
                self.target.product_group
            )
        })?;
        Ok(serving)
    }

    async fn traffic(&self) -> Outcome {
        let group = self.target.product_group.as_str();
        let before = self.traffic_state().await?;
        let serving = self.serving().await?;
        let cut =
            |dc: &str| json!({ "product_group": group, "data_center": dc, "drain_seconds": 0 });

        // One cut, and the same key again: the same operation, acted on once.
        let key = self.key();
        let first = self
            .post(paths::TRAFFIC_CUT, &key, &cut(&serving[0]))
            .await?;
        let done = self.follow(&first).await?;
        expect(done.state == OperationState::Succeeded, || {
            format!("the cut ended {} ({})", done.state, done.message)
        })?;
        let again: Operation = self
            .post(paths::TRAFFIC_CUT, &key, &cut(&serving[0]))
            .await?
            .parse()?;
        expect(again.id == done.id, || {
            format!(
                "the same key made a second operation ({} and {})",
                done.id, again.id
            )
        })?;
        let reused = self
            .post(paths::TRAFFIC_CUT, &key, &cut(&serving[1]))
            .await?;
        reused.refused(
            422,
            "idempotency_key_reused",
            "a key reused for another request",
        )?;
        let now = self.traffic_state().await?;
        expect(
            !now.serving.iter().any(|s| s.data_center == serving[0]),
            || format!("{} still serves {group} after the cut", serving[0]),
        )?;

        // Cut all but one; the last one is refused.
        let (last, middle) = serving[1..].split_last().unwrap_or((&serving[1], &[]));
        for dc in middle {
            self.change(paths::TRAFFIC_CUT, &cut(dc)).await?;
        }
        let refused = self
            .post(paths::TRAFFIC_CUT, &self.key(), &cut(last))
            .await?;
        refused.refused(409, "no_site_left", "cutting the last serving data center")?;

        // Back as it was.
        for site in before
            .serving
            .iter()
            .filter(|s| s.data_center != *last && s.weight_percent > 0)
        {
            let restore = json!({
                "product_group": group, "data_center": site.data_center,
                "weight_percent": site.weight_percent,
            });
            self.change(paths::TRAFFIC_RESTORE, &restore).await?;
        }
        let after = self.traffic_state().await?;
        let sorted = |state: &TrafficState| {
            let mut sites: Vec<(String, u8)> = state
                .serving
                .iter()
                .map(|s| (s.data_center.clone(), s.weight_percent))
                .collect();
            sites.sort();
            sites
        };
        expect(sorted(&after) == sorted(&before), || {
            format!("after restoring, traffic is {after:?}, not {before:?}")
        })
    }

    async fn restart(&self) -> Outcome {
        let dc = self.serving().await?[0].clone();
        let asked = json!({
            "product_group": self.target.product_group,
            "application": self.target.application,
            "data_center": dc,
        });
        self.change(paths::APPLICATION_RESTART, &asked).await?;
        let query = [
            ("product_group", self.target.product_group.as_str()),
            ("application", self.target.application.as_str()),
            ("data_center", dc.as_str()),
        ];
        let state: ApplicationState = self.get(paths::APPLICATION, &query).await?.parse()?;
        expect(state.health == ApplicationHealth::Running, || {
            format!(
                "after its restart ended, the application is {}",
                state.health
            )
        })
    }

    async fn cluster(&self) -> Result<ClusterState, String> {
        let query = [("cluster", self.target.cluster.as_str())];
        self.get(paths::CLUSTER, &query).await?.parse()
    }

    async fn primary_moves(&self) -> Outcome {
        let before = self.cluster().await?;
        let other = before
            .members
            .iter()
            .find(|m| **m != before.primary)
            .cloned()
            .ok_or_else(|| format!("{} has no copy besides its primary", before.cluster))?;
        let cluster = &self.target.cluster;
        let over = json!({ "cluster": cluster, "to": other });
        self.change(paths::CLUSTER_SWITCHOVER, &over).await?;
        let moved = self.cluster().await?;
        expect(moved.primary == other, || {
            format!("after the switchover the primary is {}", moved.primary)
        })?;
        let back = json!({ "cluster": cluster, "to": before.primary });
        self.change(paths::CLUSTER_SWITCHBACK, &back).await?;
        let after = self.cluster().await?;
        expect(after.primary == before.primary, || {
            format!("after the switchback the primary is {}", after.primary)
        })
    }
}
