//! Sessions: how they start, what ends them, and what they survive.

use crate::support::test_app::{self, PASSWORD, TestApp, call, client, secret, serve};
use app::auth::keys::Keys;
use app::auth::session::{COOKIE_NAME, now};
use app::auth::token::{Claims, seal};
use app::domain::role::Role;
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn me(app: &TestApp, client: &reqwest::Client) -> Value {
    app.call(client, "auth/me", json!({})).await.1
}

/// A client that sends exactly this session cookie.
fn with_cookie(token: &str) -> reqwest::Client {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert("cookie", format!("{COOKIE_NAME}={token}").parse().unwrap());
    reqwest::Client::builder()
        .default_headers(headers)
        .build()
        .unwrap()
}

/// Signs in as admin with a client that keeps no cookies; the response carries the cookie.
async fn sign_in_bare(app: &TestApp, forwarded_proto: Option<&str>) -> reqwest::Response {
    let mut request = client()
        .post(format!("{}/api/auth/sign_in", app.base))
        .json(&json!({ "username": "admin", "password": PASSWORD }));
    if let Some(proto) = forwarded_proto {
        request = request.header("x-forwarded-proto", proto);
    }
    request.send().await.unwrap()
}

fn set_cookie(response: &reqwest::Response) -> String {
    response.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .to_owned()
}

fn token_for(uid: u64, generation: u32, issued_at: i64, seen_at: i64) -> String {
    let keys = Keys::derive(secret().bytes());
    seal(
        &keys.session,
        &Claims {
            uid,
            generation,
            issued_at,
            seen_at,
            sid: 1,
        },
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signing_in_sets_a_protected_cookie() {
    let app = TestApp::spawn().await;

    let response = sign_in_bare(&app, None).await;
    let cookie = set_cookie(&response);
    assert!(cookie.starts_with(&format!("{COOKIE_NAME}=")), "{cookie}");
    for attribute in ["HttpOnly", "SameSite=Strict", "Path=/", "Max-Age="] {
        assert!(cookie.contains(attribute), "{attribute} missing: {cookie}");
    }
    assert!(!cookie.contains("Secure"), "plain http: {cookie}");
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["role"], "admin");

    // Only a trusted proxy can say the browser came over https.
    let forged = sign_in_bare(&app, Some("https")).await;
    assert!(!set_cookie(&forged).contains("Secure"));
    let proxied = TestApp::spawn_behind_web_proxy().await;
    let over_https = sign_in_bare(&proxied, Some("https")).await;
    assert!(set_cookie(&over_https).contains("Secure"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_password_and_an_unknown_user_get_the_same_answer() {
    let app = TestApp::spawn().await;

    let wrong = call(
        &client(),
        &app.base,
        "auth/sign_in",
        json!({ "username": "admin", "password": "nope nope nope" }),
    )
    .await;
    let unknown = call(
        &client(),
        &app.base,
        "auth/sign_in",
        json!({ "username": "ghost", "password": "nope nope nope" }),
    )
    .await;

    assert_eq!(wrong.0, StatusCode::UNAUTHORIZED);
    assert_eq!(wrong, unknown);
    assert_eq!(wrong.1["message"], "wrong user name or password");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn repeated_failures_make_the_next_attempt_wait_even_with_the_right_password() {
    let app = TestApp::spawn().await;
    let attempt = |password: &'static str| {
        let base = app.base.clone();
        async move {
            call(
                &client(),
                &base,
                "auth/sign_in",
                json!({ "username": "admin", "password": password }),
            )
            .await
        }
    };
    for _ in 0..3 {
        assert_eq!(attempt("wrong password!").await.0, StatusCode::UNAUTHORIZED);
    }

    let (status, body) = attempt(PASSWORD).await;

    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
    assert!(body["message"].as_str().unwrap().contains("try again in"));
    let (status, _) = call(
        &client(),
        &app.base,
        "auth/sign_in",
        json!({ "username": "ghost", "password": "x" }),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "other names are not slowed down"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_survives_a_restart_and_works_on_another_instance() {
    let app = TestApp::spawn().await;
    let admin = app.signed_in("admin", PASSWORD).await;

    // A second server over the same database with the same secret: a restart, or a
    // second instance behind the load balancer.
    let other = serve(test_app::services(&app.db.url, false).await).await;

    let (status, body) = call(&admin, &other, "auth/me", json!({})).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["username"], "admin");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signing_out_ends_the_session_even_for_a_copied_cookie() {
    let app = TestApp::spawn().await;
    let response = sign_in_bare(&app, None).await;
    let cookie = set_cookie(&response);
    let token = cookie.split(';').next().unwrap()[COOKIE_NAME.len() + 1..].to_owned();
    let copy = with_cookie(&token);
    assert_eq!(me(&app, &copy).await["username"], "admin");

    let (status, _) = app
        .call(&with_cookie(&token), "auth/sign_out", json!({}))
        .await;
    assert_eq!(status, StatusCode::OK);

    assert_eq!(me(&app, &copy).await["kind"], "unauthenticated");
    assert_eq!(
        app.call(&copy, "steps/list", json!({})).await.0,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn disabling_a_user_or_changing_their_role_ends_their_sessions() {
    let app = TestApp::spawn_with_demo().await;
    let admin = app.as_role(Role::Admin).await;
    let operator = app.as_role(Role::Operator).await;
    let reviewer = app.as_role(Role::Reviewer).await;
    let users = app.call(&admin, "users/list", json!({})).await.1;
    let find = |name: &str| {
        users
            .as_array()
            .unwrap()
            .iter()
            .find(|u| u["username"] == name)
            .unwrap()
            .clone()
    };

    let op = find("operator");
    let (status, _) = app
        .call(
            &admin,
            "users/set_enabled",
            json!({ "id": op["id"], "enabled": false, "revision": op["revision"] }),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        app.call(&operator, "steps/list", json!({})).await.0,
        StatusCode::UNAUTHORIZED
    );
    let (status, body) = call(
        &client(),
        &app.base,
        "auth/sign_in",
        json!({ "username": "operator", "password": PASSWORD }),
    )
    .await;
    assert_eq!(
        (status, body["message"].as_str()),
        (
            StatusCode::UNAUTHORIZED,
            Some("wrong user name or password")
        )
    );

    let rv = find("reviewer");
    let (status, _) = app
        .call(
            &admin,
            "users/set_role",
            json!({ "id": rv["id"], "role": "auditor", "revision": rv["revision"] }),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        app.call(&reviewer, "steps/list", json!({})).await.0,
        StatusCode::UNAUTHORIZED
    );
    let again = app.as_role(Role::Reviewer).await;
    assert_eq!(me(&app, &again).await["role"], "auditor");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_change_on_one_instance_reaches_another_with_the_directory_refresh() {
    let app = TestApp::spawn_with_demo().await;
    let other_services = test_app::services(&app.db.url, false).await;
    let other = serve(other_services.clone()).await;
    let auditor = app.as_role(Role::Auditor).await;
    assert_eq!(
        call(&auditor, &other, "steps/list", json!({})).await.0,
        StatusCode::OK
    );

    let admin = app.as_role(Role::Admin).await;
    let id = app.user_id("auditor").await;
    let version = app
        .call(&admin, "users/list", json!({}))
        .await
        .1
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["username"] == "auditor")
        .unwrap()["revision"]
        .clone();
    app.call(
        &admin,
        "users/set_enabled",
        json!({ "id": id, "enabled": false, "revision": version }),
    )
    .await;
    other_services.auth.refresh_directory().await.unwrap();

    assert_eq!(
        call(&auditor, &other, "steps/list", json!({})).await.0,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expired_idle_and_tampered_tokens_are_refused() {
    let app = TestApp::spawn().await;
    let id = app.user_id("admin").await;
    let generation = app
        .services
        .auth
        .directory
        .get(app::domain::ids::UserId(id))
        .unwrap()
        .session_generation;
    let now = now();
    let idle = test_app::sessions().idle.as_secs() as i64;
    let lifetime = test_app::sessions().lifetime.as_secs() as i64;

    let fresh = token_for(id, generation, now - 10, now - 10);
    assert_eq!(
        me(&app, &with_cookie(&fresh)).await["username"],
        "admin",
        "a token sealed by the test is valid"
    );

    let past_lifetime = token_for(id, generation, now - lifetime - 1, now - 5);
    let idle_too_long = token_for(id, generation, now - idle - 10, now - idle - 1);
    let old_generation = token_for(id, generation.wrapping_sub(1), now, now);
    let mut tampered = fresh.clone();
    tampered.replace_range(10..11, if &fresh[10..11] == "A" { "B" } else { "A" });
    for (what, token) in [
        ("past its lifetime", past_lifetime),
        ("idle", idle_too_long),
        ("old generation", old_generation),
        ("tampered", tampered),
    ] {
        let (status, _) = app
            .call(&with_cookie(&token), "steps/list", json!({}))
            .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{what}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_keeps_working_while_the_database_is_down() {
    let (app, proxy) = TestApp::spawn_behind_proxy().await;
    let operator = app.as_role(Role::Operator).await;

    proxy.cut();

    let body = me(&app, &operator).await;
    assert_eq!(body["username"], "operator");
    assert_eq!(body["role"], "operator");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_one_time_password_must_be_replaced_before_anything_else() {
    let app = TestApp::spawn().await;
    let admin = app.signed_in("admin", PASSWORD).await;
    let user = json!({ "username": "li.wei", "display_name": "Li Wei", "role": "operator", "password": "first one-time pw" });
    assert_eq!(
        app.call(&admin, "users/create", json!({ "user": user }))
            .await
            .0,
        StatusCode::OK
    );

    let li = app.signed_in("li.wei", "first one-time pw").await;
    assert_eq!(me(&app, &li).await["must_change_password"], true);
    let (status, body) = app.call(&li, "steps/list", json!({})).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(body["message"].as_str().unwrap().contains("new password"));

    let (status, body) = app
        .call(
            &li,
            "auth/change_password",
            json!({ "current_password": "first one-time pw", "new_password": "my own password" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        app.call(&li, "steps/list", json!({})).await.0,
        StatusCode::OK,
        "the same session goes on"
    );
    app.signed_in("li.wei", "my own password").await;
}
