//! The client address in the audit log: a forged `X-Forwarded-For` is ignored unless it
//! comes through a configured proxy, and no header value can make an audit write fail.

use crate::support::test_app::{PASSWORD, TestApp, client};
use reqwest::StatusCode;
use serde_json::json;

async fn wrong_sign_in(app: &TestApp, forwarded_for: &str) -> StatusCode {
    client()
        .post(format!("{}/api/auth/sign_in", app.base))
        .header("x-forwarded-for", forwarded_for)
        .json(&json!({ "username": "admin", "password": "not the password" }))
        .send()
        .await
        .unwrap()
        .status()
}

/// The client addresses of the refused sign-ins, newest first.
async fn refused_from(app: &TestApp) -> Vec<String> {
    app.audit_entries("auth/sign_in")
        .await
        .iter()
        .filter(|e| e["outcome"] == "refused")
        .map(|e| e["client_addr"].as_str().unwrap_or("").to_owned())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_forged_forwarded_for_is_not_believed_and_breaks_nothing() {
    let app = TestApp::spawn().await;

    assert_eq!(
        wrong_sign_in(&app, "203.0.113.9").await,
        StatusCode::UNAUTHORIZED
    );
    let huge = "9".repeat(300);
    assert_eq!(wrong_sign_in(&app, &huge).await, StatusCode::UNAUTHORIZED);

    assert_eq!(refused_from(&app).await, ["127.0.0.1", "127.0.0.1"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_configured_proxy_names_the_client() {
    let app = TestApp::spawn_behind_web_proxy().await;

    let chain = "203.0.113.9, 198.51.100.7";
    assert_eq!(wrong_sign_in(&app, chain).await, StatusCode::UNAUTHORIZED);
    assert_eq!(
        wrong_sign_in(&app, "garbage").await,
        StatusCode::UNAUTHORIZED
    );

    assert_eq!(refused_from(&app).await, ["127.0.0.1", "198.51.100.7"]);
    // Still the real admin can sign in through the proxy.
    app.signed_in("admin", PASSWORD).await;
}
