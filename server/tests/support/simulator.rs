//! A platform simulator of its own for a test, served on 127.0.0.1:0, and a client that
//! speaks its platform API and control API.

use app::domain::simulator::{Fault, FaultSpec, Timing, paths};
use reqwest::{Client, Method, StatusCode};
use serde_json::Value;
use server::sim::estate::{Cluster, Estate, Group};
use server::sim::{Credentials, EstateSource, Simulator, router};
use std::time::Duration;

pub const USER: &str = "sim";
pub const PASSWORD: &str = "secret";

pub struct Sim {
    pub base: String,
    pub client: Client,
}

/// Two data centers, the customer portal with two applications, one cluster.
pub fn small_estate() -> Estate {
    let data_centers = ["Shanghai-A", "Hangzhou-B"].map(String::from).to_vec();
    Estate {
        groups: vec![Group {
            name: "Customer portal".into(),
            applications: vec!["web-frontend".into(), "user-service".into()],
        }],
        clusters: vec![Cluster {
            name: "portal-db".into(),
            members: data_centers.clone(),
            primary: "Shanghai-A".into(),
        }],
        data_centers,
    }
}

impl Sim {
    /// The small estate, every operation ending at once.
    pub async fn start() -> Self {
        Self::start_with(small_estate(), Timing::ZERO).await
    }

    pub async fn start_with(estate: Estate, timing: Timing) -> Self {
        let credentials = Credentials {
            username: USER.into(),
            password: PASSWORD.into(),
        };
        let simulator = Simulator::new(EstateSource::Fixed(estate), credentials, timing)
            .await
            .unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, router(simulator)).await });
        Self {
            base,
            client: Client::builder()
                .timeout(Duration::from_secs(10))
                .build()
                .unwrap(),
        }
    }

    /// Sends a call; `Err` when no answer came (dropped, hung past the timeout).
    pub async fn try_send(
        &self,
        method: Method,
        path: &str,
        key: Option<&str>,
        body: Option<&Value>,
    ) -> Result<(StatusCode, Value), reqwest::Error> {
        let mut request = self
            .client
            .request(method, format!("{}{path}", self.base))
            .basic_auth(USER, Some(PASSWORD));
        if let Some(key) = key {
            request = request.header("Idempotency-Key", key);
        }
        if let Some(body) = body {
            request = request.json(body);
        }
        let response = request.send().await?;
        let status = response.status();
        Ok((status, response.json().await?))
    }

    pub async fn get(&self, path: &str, query: &[(&str, &str)]) -> (StatusCode, Value) {
        let url = url::Url::parse_with_params(&format!("{}{path}", self.base), query).unwrap();
        let path = &url.as_str()[self.base.len()..];
        self.try_send(Method::GET, path, None, None).await.unwrap()
    }

    pub async fn post(&self, path: &str, key: &str, body: Value) -> (StatusCode, Value) {
        self.try_send(Method::POST, path, Some(key), Some(&body))
            .await
            .unwrap()
    }

    pub async fn inject(&self, spec: FaultSpec) -> Fault {
        let body = serde_json::to_value(spec).unwrap();
        let (status, fault) = self
            .try_send(Method::POST, paths::FAULTS, None, Some(&body))
            .await
            .unwrap();
        assert_eq!(status, StatusCode::CREATED, "{fault}");
        serde_json::from_value(fault).unwrap()
    }

    pub async fn state(&self) -> Value {
        self.get(paths::STATE, &[]).await.1
    }
}
