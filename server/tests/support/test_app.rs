//! The real router, served on 127.0.0.1:0 over a fresh, prepared database.

use super::test_db::TestDb;
use app::store::Store;
use leptos::prelude::LeptosOptions;
use reqwest::StatusCode;
use serde_json::Value;
use server::{AppState, prepare_database, router};

#[derive(Debug)]
pub struct TestApp {
    pub base: String,
    pub client: reqwest::Client,
    pub db: TestDb,
}

/// Site options as cargo-leptos would give them; tests need no built assets.
pub fn leptos_options() -> LeptosOptions {
    LeptosOptions::builder()
        .output_name("switchyard")
        .site_root("target/site")
        .build()
}

/// Serves `store` with the real router; returns the base URL.
pub async fn serve(store: Store) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let app = router(AppState {
        leptos_options: leptos_options(),
        store,
    });
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{addr}")
}

impl TestApp {
    pub async fn spawn() -> Self {
        Self::spawn_with_demo(false).await
    }

    pub async fn spawn_with_demo(demo: bool) -> Self {
        let db = TestDb::empty().await;
        let store = prepare_database(&db.url, 4, demo).await.unwrap();
        let base = serve(store).await;
        Self {
            base,
            client: reqwest::Client::new(),
            db,
        }
    }

    /// Calls a server function the way an API client would: POST, JSON in and out.
    pub async fn call(&self, endpoint: &str, body: Value) -> (StatusCode, Value) {
        let response = self
            .client
            .post(format!("{}/api/{endpoint}", self.base))
            .json(&body)
            .send()
            .await
            .unwrap();
        let status = response.status();
        let body = response.json().await.unwrap_or(Value::Null);
        (status, body)
    }

    /// Fetches a page; returns its status and HTML.
    pub async fn page(&self, path: &str) -> (StatusCode, String) {
        let response = self
            .client
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .unwrap();
        (response.status(), response.text().await.unwrap())
    }
}
