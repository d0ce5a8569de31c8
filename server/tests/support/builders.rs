//! Test data made through the HTTP API, as a person makes it: plans created, submitted
//! and approved; executions of them between two demo data centers. Works against any
//! server (`TestApp` or `ChildServer`) by its base URL.

use super::test_app::call;
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};

/// Calls `endpoint` and insists on `200`; returns the answer.
pub async fn ok(client: &Client, base: &str, endpoint: &str, body: Value) -> Value {
    let (status, answer) = call(client, base, endpoint, body).await;
    assert_eq!(status, StatusCode::OK, "{endpoint}: {answer}");
    answer
}

/// The id of the item called `name` in a list endpoint's answer.
pub async fn id_named(client: &Client, base: &str, endpoint: &str, name: &str) -> u64 {
    let list = ok(client, base, endpoint, json!({})).await;
    list.as_array()
        .unwrap()
        .iter()
        .find(|item| item["name"] == name)
        .unwrap_or_else(|| panic!("no {name} in {endpoint}"))["id"]
        .as_u64()
        .unwrap()
}

/// A plan of the test's own: its steps, one by one, and its recovery-time target.
#[derive(Debug, Clone)]
pub struct PlanBuilder {
    name: String,
    rto_minutes: Option<u32>,
    switchover: Vec<Value>,
    recovery: Vec<Value>,
}

impl PlanBuilder {
    pub fn new(name: &str) -> Self {
        Self {
            name: name.to_owned(),
            rto_minutes: None,
            switchover: Vec::new(),
            recovery: Vec::new(),
        }
    }

    /// Adds a switchover step.
    pub fn switchover(mut self, opcode: &str, params: Value) -> Self {
        self.switchover
            .push(json!({ "opcode": opcode, "params": params }));
        self
    }

    /// Adds a recovery step.
    pub fn recovery(mut self, opcode: &str, params: Value) -> Self {
        self.recovery
            .push(json!({ "opcode": opcode, "params": params }));
        self
    }

    /// Sets the recovery-time target.
    pub fn rto_minutes(mut self, minutes: u32) -> Self {
        self.rto_minutes = Some(minutes);
        self
    }

    /// Gives the last step added `title`.
    pub fn titled(mut self, title: &str) -> Self {
        if let Some(step) = self.switchover.last_mut() {
            step["title"] = json!(title);
        }
        self
    }

    /// Creates the plan as `operator`, submits it, and has `reviewer` approve it: an
    /// active plan, ready to run. Returns its id.
    pub async fn active(self, base: &str, operator: &Client, reviewer: &Client) -> u64 {
        let content = json!({ "content": {
            "name": self.name,
            "description": "",
            "rto_minutes": self.rto_minutes,
            "switchover": self.switchover,
            "recovery": self.recovery,
        }});
        let plan = ok(operator, base, "plans/create", content).await;
        let id = plan["plan"]["id"].clone();
        let plan = ok(
            operator,
            base,
            "plans/submit",
            json!({ "id": id, "revision": plan["plan"]["revision"] }),
        )
        .await;
        ok(
            reviewer,
            base,
            "plans/approve",
            json!({ "id": id, "revision": plan["plan"]["revision"], "comment": "" }),
        )
        .await;
        id.as_u64().unwrap()
    }
}

/// Creates an execution of `plan` from `failed` to `emergency` (demo data center names);
/// returns its id.
pub async fn execution(
    base: &str,
    operator: &Client,
    plan: u64,
    failed: &str,
    emergency: &str,
) -> u64 {
    let new = json!({ "new": {
        "plan_id": plan,
        "failed": id_named(operator, base, "data_centers/list", failed).await,
        "emergency": id_named(operator, base, "data_centers/list", emergency).await,
        "description": "drill",
    }});
    ok(operator, base, "executions/create", new).await["summary"]["id"]
        .as_u64()
        .unwrap()
}

/// Creates and starts an execution of `plan` from Shanghai-A to Hangzhou-B; returns its id.
pub async fn started(base: &str, operator: &Client, plan: u64) -> u64 {
    let id = execution(base, operator, plan, "Shanghai-A", "Hangzhou-B").await;
    ok(operator, base, "executions/start", json!({ "id": id })).await;
    id
}

/// Points every connection config at `host:port`, with `password` for their users (the
/// engine then calls that platform for every step).
pub async fn point_configs_at(
    base: &str,
    operator: &Client,
    host: &Value,
    port: &Value,
    password: &str,
) {
    let configs = ok(operator, base, "connection_configs/list", json!({})).await;
    for config in configs.as_array().unwrap() {
        let form = json!({
            "id": config["id"],
            "revision": config["revision"],
            "form": {
                "name": config["name"],
                "data_center": config["data_center"]["id"],
                "platform": config["platform"],
                "kind": config["kind"],
                "protocol": config["protocol"],
                "host": host,
                "port": port,
                "username": config["username"],
                "password": { "action": "set", "password": password },
            }
        });
        ok(operator, base, "connection_configs/update", form).await;
    }
}

/// The record of one step of an execution: its log `lines` and its `calls`.
pub async fn step_record(client: &Client, base: &str, execution: u64, step: &Value) -> Value {
    let asked = json!({ "execution": execution, "step": step });
    ok(client, base, "executions/step_record", asked).await
}

/// The messages of a step record's log lines, oldest first.
pub fn log_lines(record: &Value) -> Vec<&str> {
    record["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["message"].as_str().unwrap())
        .collect()
}
