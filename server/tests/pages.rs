//! Pages rendered on the server: what a browser receives before any script runs.

use crate::support::test_app::{PASSWORD, TestApp, client};
use app::domain::role::Role;
use reqwest::StatusCode;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_step_catalog_page_is_rendered_with_every_step() {
    let app = TestApp::spawn().await;
    let admin = app.signed_in("admin", PASSWORD).await;

    let (status, _, html) = app.page(&admin, "/steps").await;

    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("<title>Step catalog · Switchyard</title>"),
        "{html}"
    );
    for opcode in [
        "traffic.cut",
        "app.restart",
        "db.switchback",
        "manual.confirm",
        "http.call",
    ] {
        assert!(
            html.contains(&format!("data-opcode=\"{opcode}\"")),
            "{opcode} row missing"
        );
    }
    assert!(html.contains("Showing 8 of 8 step types"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_section_answers_and_the_navigation_fits_the_role() {
    let app = TestApp::spawn_with_demo().await;
    let admin = app.as_role(Role::Admin).await;
    let auditor = app.as_role(Role::Auditor).await;

    for path in [
        "/",
        "/plans",
        "/executions",
        "/steps",
        "/environment",
        "/simulator",
        "/audit",
        "/settings",
        "/account",
    ] {
        let (status, _, html) = app.page(&admin, path).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert!(
            html.contains("href=\"/settings\""),
            "{path}: admins see Settings"
        );
    }
    let (_, _, html) = app.page(&auditor, "/steps").await;
    assert!(
        html.contains("href=\"/audit\""),
        "auditors see the audit log"
    );
    assert!(
        !html.contains("href=\"/settings\""),
        "auditors do not see Settings"
    );
    assert!(
        html.contains("Demo auditor"),
        "the header names who is signed in"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_send_anonymous_browsers_to_sign_in_and_back() {
    let app = TestApp::spawn().await;

    let (status, location, _) = app.page(&client(), "/steps?layer=data").await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(
        location.as_deref(),
        Some("/sign-in?next=%2Fsteps%3Flayer%3Ddata")
    );

    let (status, _, html) = app.page(&client(), "/sign-in").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("<title>Sign in · Switchyard</title>"));

    let admin = app.signed_in("admin", PASSWORD).await;
    let (status, location, _) = app.page(&admin, "/sign-in").await;
    assert_eq!(
        (status, location.as_deref()),
        (StatusCode::SEE_OTHER, Some("/"))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_path_is_a_404_page() {
    let app = TestApp::spawn().await;
    let admin = app.signed_in("admin", PASSWORD).await;

    let (status, _, html) = app.page(&admin, "/no/such/page").await;

    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(html.contains("Page not found"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn while_the_database_is_down_pages_still_render_and_say_why_data_is_missing() {
    let (app, proxy) = TestApp::spawn_behind_proxy().await;
    let operator = app.as_role(Role::Operator).await;

    proxy.cut();
    let (_, _, html) = app.page(&operator, "/steps").await;

    assert!(
        html.contains("Demo operator"),
        "the session still works: {html}"
    );
    assert!(html.contains("This could not be loaded"));
    assert!(html.contains("the database is unavailable right now"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_response_carries_the_security_headers() {
    let app = TestApp::spawn().await;
    let admin = app.signed_in("admin", PASSWORD).await;

    let page = admin
        .get(format!("{}/steps", app.base))
        .send()
        .await
        .unwrap();
    let headers = page.headers().clone();
    let html = page.text().await.unwrap();
    let policy = headers["content-security-policy"].to_str().unwrap();
    let nonce = policy
        .split("'nonce-")
        .nth(1)
        .and_then(|rest| rest.split('\'').next())
        .expect("the page policy names a nonce");
    assert!(policy.contains("frame-ancestors 'none'"), "{policy}");
    assert!(!policy.contains("unsafe-inline"), "{policy}");
    // Every inline script of the page carries this render's nonce, so hydration may run.
    let script_tags: Vec<&str> = html
        .split("<script")
        .skip(1)
        .map(|rest| rest.split('>').next().unwrap_or(""))
        .collect();
    assert!(!script_tags.is_empty());
    for tag in script_tags {
        assert!(tag.contains(&format!("nonce=\"{nonce}\"")), "<script{tag}>");
    }

    let api = admin
        .post(format!("{}/api/auth/me", app.base))
        .json(&serde_json::json!({}))
        .send()
        .await
        .unwrap();
    for response in [&headers, api.headers()] {
        assert_eq!(response["x-content-type-options"], "nosniff");
        assert_eq!(response["referrer-policy"], "same-origin");
        assert_eq!(response["x-frame-options"], "DENY");
    }
    assert_eq!(
        api.headers()["content-security-policy"],
        "default-src 'none'; frame-ancestors 'none'"
    );

    // A second render gets a fresh nonce.
    let again = admin
        .get(format!("{}/steps", app.base))
        .send()
        .await
        .unwrap();
    assert_ne!(again.headers()["content-security-policy"], policy);
}
