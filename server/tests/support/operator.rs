//! An operator signed in to one server, driving executions over its HTTP API as a script
//! would: the calls the crash and several-instances tests share.

use super::builders;
use super::child_server::ChildServer;
use reqwest::Client;
use serde_json::{Value, json};
use std::time::Duration;

pub struct Operator {
    pub base: String,
    pub client: Client,
}

impl Operator {
    /// The demo operator, signed in to `server`.
    pub async fn on(server: &ChildServer) -> Self {
        Self {
            base: server.base.clone(),
            client: server.signed_in("operator").await,
        }
    }

    /// Calls `endpoint`; it must answer 200.
    pub async fn call(&self, endpoint: &str, body: Value) -> Value {
        builders::ok(&self.client, &self.base, endpoint, body).await
    }

    /// The id of the record named `name` in the list `endpoint` answers.
    pub async fn id_named(&self, endpoint: &str, name: &str) -> u64 {
        builders::id_named(&self.client, &self.base, endpoint, name).await
    }

    /// Creates and starts an execution of `plan` from Shanghai-A to Hangzhou-B.
    pub async fn start_run(&self, plan: u64) -> u64 {
        builders::started(&self.base, &self.client, plan).await
    }

    pub async fn detail(&self, id: u64) -> Value {
        self.call("executions/get", json!({ "id": id })).await
    }

    /// Waits until the execution's switchover is done; returns its detail.
    pub async fn until_switchover_done(&self, run: u64) -> Value {
        self.until(run, "switchover done", |d| {
            d["summary"]["state"] == "switchover_done"
        })
        .await
    }

    /// Waits (up to 60 s) until `check` holds for the execution.
    pub async fn until(&self, id: u64, what: &str, check: impl Fn(&Value) -> bool) -> Value {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
        loop {
            let detail = self.detail(id).await;
            if check(&detail) {
                return detail;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "never {what}: {detail:#}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}
